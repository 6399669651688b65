package logscan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// memStore is an in-memory StateStore.
type memStore struct {
	mu    sync.Mutex
	state map[string]map[string][]byte
	seen  map[string][]string
}

func newMemStore() *memStore {
	return &memStore{state: map[string]map[string][]byte{}, seen: map[string][]string{}}
}

func (s *memStore) LoadLogState(_ context.Context, log string) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]byte{}
	for k, v := range s.state[log] {
		out[k] = append([]byte(nil), v...)
	}
	return out, nil
}

func (s *memStore) SaveLogState(_ context.Context, log, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state[log] == nil {
		s.state[log] = map[string][]byte{}
	}
	s.state[log][key] = append([]byte(nil), value...)
	return nil
}

func (s *memStore) DeleteLogState(_ context.Context, log, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.state[log], key)
	return nil
}

func (s *memStore) LoadSeenFingerprints(_ context.Context, log string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen[log]...), nil
}

func (s *memStore) AddSeenFingerprints(_ context.Context, log string, fps []string, limit int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := append(s.seen[log], fps...)
	if len(all) > limit {
		all = all[len(all)-limit:]
	}
	s.seen[log] = all
	return nil
}

// preamble makes a file longer than the identifying head.
var preamble = strings.Repeat("2026-05-01 10:00:00 INFO warming up the cache, nothing to see here\n", 20)

// trace is one complete exception event followed by an ordinary line (which closes it).
func trace(i int) string {
	return fmt.Sprintf("java.lang.IllegalStateException: boom %d\n\tat com.acme.A.run(A.java:1)\n\tat com.acme.B.call(B.java:2)\n2026-05-01 10:00:01 INFO after %d\n", i, i)
}

func traces(from, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(trace(from + i))
	}
	return b.String()
}

type followEnv struct {
	t     *testing.T
	dir   string
	store *memStore
	now   time.Time
}

func newFollowEnv(t *testing.T) *followEnv {
	return &followEnv{t: t, dir: t.TempDir(), store: newMemStore(), now: time.Unix(1_700_000_000, 0)}
}

func (e *followEnv) path(name string) string { return filepath.Join(e.dir, name) }

func (e *followEnv) follower(glob string, fromStart bool) *Follower {
	e.t.Helper()
	fl, err := NewFollower(FollowOptions{
		Name: "app", Paths: []string{e.path(glob)}, FromStart: fromStart, TopK: 10,
		Now: func() time.Time { return e.now },
	}, e.store)
	if err != nil {
		e.t.Fatal(err)
	}
	return fl
}

func (e *followEnv) write(name, text string) {
	e.t.Helper()
	if err := os.WriteFile(e.path(name), []byte(text), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

func (e *followEnv) appendTo(name, text string) {
	e.t.Helper()
	f, err := os.OpenFile(e.path(name), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		e.t.Fatal(err)
	}
}

func (e *followEnv) rename(from, to string) {
	e.t.Helper()
	if err := os.Rename(e.path(from), e.path(to)); err != nil {
		e.t.Fatal(err)
	}
}

func (e *followEnv) poll(fl *Follower) Stats {
	e.t.Helper()
	e.now = e.now.Add(time.Second)
	if err := fl.Poll(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return fl.Counter().Stats()
}

func expect(t *testing.T, st Stats, exceptions uint64, files int) {
	t.Helper()
	if st.Exceptions != exceptions || st.FilesFollowed != files {
		t.Fatalf("exceptions %d files %d errors %d, want exceptions %d files %d", st.Exceptions, st.FilesFollowed, st.Errors, exceptions, files)
	}
}

func TestFollowStartPosition(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", preamble+traces(0, 2))
	fl := e.follower("app.log", false)
	expect(t, e.poll(fl), 0, 1)
	e.appendTo("app.log", trace(2))
	expect(t, e.poll(fl), 1, 1)

	e2 := newFollowEnv(t)
	e2.write("app.log", preamble+traces(0, 2))
	fl2 := e2.follower("app.log", true)
	expect(t, e2.poll(fl2), 2, 1)
	e2.appendTo("app.log", trace(2))
	st := e2.poll(fl2)
	expect(t, st, 3, 1)
	if st.Lines != 20+4*3 || st.Bytes != uint64(len(preamble+traces(0, 3))) {
		t.Errorf("lines %d bytes %d", st.Lines, st.Bytes)
	}
	// a file created after the start is read from its beginning (a follower of its own:
	// the same name on the same store would continue fl's counters)
	e.store = newMemStore()
	fl3 := e.follower("*.log", false)
	e.poll(fl3)
	e.write("new.log", traces(0, 2))
	expect(t, e.poll(fl3), 2, 2)
}

func TestFollowRenameRotation(t *testing.T) {
	for _, glob := range []string{"app.log", "app.log*"} {
		t.Run(glob, func(t *testing.T) {
			e := newFollowEnv(t)
			e.write("app.log", preamble+traces(0, 2))
			fl := e.follower(glob, true)
			expect(t, e.poll(fl), 2, 1)
			e.appendTo("app.log", trace(2)) // not read before the rotation
			e.rename("app.log", "app.log.1")
			e.write("app.log", preamble+traces(3, 2))
			files := 1
			if glob == "app.log*" {
				files = 2
			}
			expect(t, e.poll(fl), 5, files)
			e.appendTo("app.log", trace(5))
			expect(t, e.poll(fl), 6, files)
			if err := os.Remove(e.path("app.log.1")); err != nil {
				t.Fatal(err)
			}
			st := e.poll(fl)
			expect(t, st, 6, 1)
			if st.Errors != 0 {
				t.Errorf("errors %d", st.Errors)
			}
		})
	}
}

func TestFollowCopyTruncate(t *testing.T) {
	for _, glob := range []string{"app.log", "app.log*"} {
		t.Run(glob, func(t *testing.T) {
			e := newFollowEnv(t)
			e.write("app.log", preamble+traces(0, 2))
			fl := e.follower(glob, true)
			expect(t, e.poll(fl), 2, 1)
			e.appendTo("app.log", trace(2)) // written just before the copy
			data, err := os.ReadFile(e.path("app.log"))
			if err != nil {
				t.Fatal(err)
			}
			e.write("app.log.1", string(data))
			if err := os.Truncate(e.path("app.log"), 0); err != nil {
				t.Fatal(err)
			}
			e.appendTo("app.log", trace(3))
			// The copy is read from where the original was left, not followed itself.
			expect(t, e.poll(fl), 4, 1)
			e.appendTo("app.log", trace(4))
			expect(t, e.poll(fl), 5, 1)
		})
	}
}

func TestFollowRapidDoubleRotation(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", preamble+traces(0, 1))
	fl := e.follower("app.log*", true)
	expect(t, e.poll(fl), 1, 1)
	e.appendTo("app.log", trace(1))
	e.rename("app.log", "app.log.1")
	e.write("app.log", preamble+traces(2, 2))
	e.rename("app.log.1", "app.log.2")
	e.rename("app.log", "app.log.1")
	e.write("app.log", preamble+traces(4, 3))
	expect(t, e.poll(fl), 7, 3)
	expect(t, e.poll(fl), 7, 3)
}

func TestFollowRestart(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", preamble+traces(0, 2))
	a := e.follower("app.log*", false)
	expect(t, e.poll(a), 0, 1)
	e.appendTo("app.log", trace(2))
	expect(t, e.poll(a), 1, 1)
	// a trace whose end is not known yet (no following line): pending at shutdown
	e.appendTo("app.log", "java.lang.IllegalArgumentException: pending\n\tat com.acme.C.x(C.java:3)\n")
	e.poll(a)
	a.Close(context.Background())
	seenA := a.Counter().Stats()

	// while down: more lines, a rotation and a new file
	e.appendTo("app.log", "2026-05-01 INFO closes the pending trace\n"+trace(3))
	e.rename("app.log", "app.log.1")
	e.write("app.log", traces(4, 2))

	b := e.follower("app.log*", false)
	st := e.poll(b)
	// The counters continue (saved with the positions): 1 before + pending + trace 3 +
	// traces 4, 5.
	expect(t, st, 5, 2)
	if seenA.Exceptions != 1 {
		t.Errorf("before the restart %d, want 1", seenA.Exceptions)
	}
	if st.NewFingerprints != 2 { // IllegalStateException (by a), IllegalArgumentException
		t.Errorf("new fingerprints %d, want 2", st.NewFingerprints)
	}
	if st.Errors != 0 {
		t.Errorf("errors %d", st.Errors)
	}
	// restart without changes: nothing recounted
	b.Close(context.Background())
	c := e.follower("app.log*", false)
	expect(t, e.poll(c), 5, 2)
}

func TestFollowSameSizeReplacement(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", preamble+traces(0, 2))
	fl := e.follower("app.log", true)
	expect(t, e.poll(fl), 2, 1)
	other := strings.Replace(preamble, "cache", "CACHE", 1) + traces(5, 2)
	if len(other) != len(preamble+traces(0, 2)) {
		t.Fatal("fixture sizes differ")
	}
	// replaced by rename: another inode, same size
	e.write("app.log.new", other)
	e.rename("app.log.new", "app.log")
	expect(t, e.poll(fl), 4, 1)
	// rewritten in place: same inode, same size, other content
	e.write("app.log", strings.Replace(other, "CACHE", "Cache", 1))
	future := e.now.Add(time.Hour)
	_ = os.Chtimes(e.path("app.log"), future, future)
	expect(t, e.poll(fl), 6, 1)
}

func TestFollowBadInput(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", preamble)
	fl := e.follower("*.log", true)
	e.poll(fl)
	// half-written last line is held until completed
	e.appendTo("app.log", "java.lang.IllegalStateException: half")
	expect(t, e.poll(fl), 0, 1)
	e.appendTo("app.log", " written\n\tat com.acme.A.b(A.java:1)\n2026 INFO next\n")
	expect(t, e.poll(fl), 1, 1)
	// invalid UTF-8 and NUL bytes
	e.appendTo("app.log", "java.lang.IllegalStateException: \xff\xfe\x00 bad\n\tat com.acme.A.b(A.java:1)\n\x00\x00\n")
	// a 50 MB line, then a trace
	big := strings.Repeat("x", 50<<20)
	e.appendTo("app.log", big+"\n"+trace(9))
	st := e.poll(fl)
	expect(t, st, 3, 1)
	if st.Errors != 1 {
		t.Errorf("errors %d, want 1 (the long line)", st.Errors)
	}
	// a file that vanishes
	e.write("gone.log", preamble+traces(0, 1))
	expect(t, e.poll(fl), 4, 2)
	if err := os.Remove(e.path("gone.log")); err != nil {
		t.Fatal(err)
	}
	expect(t, e.poll(fl), 4, 1)
	// permission error: counted once, not stuck
	if os.Geteuid() != 0 {
		e.write("secret.log", traces(0, 1))
		if err := os.Chmod(e.path("secret.log"), 0); err != nil {
			t.Fatal(err)
		}
		e.poll(fl)
		st = e.poll(fl)
		if st.Errors != 2 {
			t.Errorf("errors %d, want 2", st.Errors)
		}
		_ = os.Chmod(e.path("secret.log"), 0o644)
		expect(t, e.poll(fl), 5, 2)
	}
}

func TestFollowQuietFlush(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", preamble)
	fl := e.follower("app.log", false)
	e.poll(fl)
	e.appendTo("app.log", "Traceback (most recent call last):\n  File \"/srv/x.py\", line 1, in f\nKeyError: 'k'\n")
	expect(t, e.poll(fl), 0, 1)
	e.now = e.now.Add(5 * time.Second)
	expect(t, e.poll(fl), 1, 1)
}

func TestFollowRun(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", preamble)
	fl, err := NewFollower(FollowOptions{Name: "app", Paths: []string{e.path("app.log")}, PollInterval: 10 * time.Millisecond}, e.store)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- fl.Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	e.appendTo("app.log", traces(0, 3))
	deadline := time.Now().Add(5 * time.Second)
	for fl.Counter().Stats().Exceptions < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := fl.Counter().Stats().Exceptions; n != 3 {
		t.Errorf("exceptions %d", n)
	}
	if _, err := NewFollower(FollowOptions{Format: "xml"}, nil); err == nil {
		t.Error("bad format accepted")
	}
}

func TestFollowers(t *testing.T) {
	e := newFollowEnv(t)
	e.write("a.log", preamble)
	e.write("b.log", preamble)
	fs, err := NewFollowers([]FollowOptions{
		{Name: "a", Paths: []string{e.path("a.log")}, PollInterval: 10 * time.Millisecond},
		{Name: "b", Paths: []string{e.path("b.log")}, PollInterval: 10 * time.Millisecond},
	}, e.store)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewFollowers([]FollowOptions{{Name: "a"}, {Name: "a"}}, nil); err == nil {
		t.Error("duplicate names accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- fs.Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	e.appendTo("a.log", traces(0, 2))
	e.appendTo("b.log", traces(0, 1))
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		st := fs.Stats()
		if st[0].Exceptions == 2 && st[1].Exceptions == 1 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	st := fs.Stats()
	if st[0].Log != "a" || st[0].Exceptions != 2 || st[1].Exceptions != 1 || fs.Get("b") == nil || fs.Get("x") != nil {
		t.Errorf("stats %+v", st)
	}
}
