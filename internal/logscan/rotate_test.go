package logscan

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// lineCount is the number of lines of text.
func lineCount(s string) uint64 { return uint64(strings.Count(s, "\n")) }

func expectExact(t *testing.T, st Stats, lines, exceptions uint64) {
	t.Helper()
	if st.Lines != lines || st.Exceptions != exceptions {
		t.Fatalf("lines %d exceptions %d (errors %v), want lines %d exceptions %d", st.Lines, st.Exceptions, st.ErrorsByReason, lines, exceptions)
	}
}

func (e *followEnv) gzip(name string) {
	e.t.Helper()
	data, err := os.ReadFile(e.path(name))
	if err != nil {
		e.t.Fatal(err)
	}
	e.write(name+".gz", gzipOf(e.t, string(data)))
	if err := os.Remove(e.path(name)); err != nil {
		e.t.Fatal(err)
	}
}

func (e *followEnv) copyTruncate(from, to string) {
	e.t.Helper()
	data, err := os.ReadFile(e.path(from))
	if err != nil {
		e.t.Fatal(err)
	}
	e.write(to, string(data))
	if err := os.Truncate(e.path(from), 0); err != nil {
		e.t.Fatal(err)
	}
}

// TestFollowDoubleRotationCreate: logrotate create + rotate 2, twice between two looks,
// glob *.log: the file that lived and was rotated away between the looks is read.
func TestFollowDoubleRotationCreate(t *testing.T) {
	e := newFollowEnv(t)
	a := preamble + traces(0, 2)
	e.write("app.log", a)
	fl := e.follower("*.log", true)
	expectExact(t, e.poll(fl), lineCount(a), 2)
	e.appendTo("app.log", trace(2))
	e.rename("app.log", "app.log.1")
	b := preamble + traces(3, 3)
	e.write("app.log", b)
	e.rename("app.log.1", "app.log.2")
	e.rename("app.log", "app.log.1")
	c := preamble + traces(6, 1)
	e.write("app.log", c)
	st := e.poll(fl)
	expectExact(t, st, lineCount(a+trace(2)+b+c), 7)
	// Third rotation: the oldest is deleted (rotate 2), written to just before.
	e.appendTo("app.log", trace(7))
	if err := os.Remove(e.path("app.log.2")); err != nil {
		t.Fatal(err)
	}
	e.rename("app.log.1", "app.log.2")
	e.rename("app.log", "app.log.1")
	e.write("app.log", traces(8, 1))
	for range 5 { // the rotated files are released when quiet; nothing is read twice
		st = e.poll(fl)
	}
	expectExact(t, st, lineCount(a+trace(2)+b+c+trace(7)+traces(8, 1)), 9)
	if st.Errors != 0 || st.FilesFollowed != 1 {
		t.Errorf("errors %v files %d", st.ErrorsByReason, st.FilesFollowed)
	}
}

// TestFollowCopyTruncateCompress: copytruncate + compress (no delaycompress): the copy is
// gzipped before the next look; the unread part is read from the .gz.
func TestFollowCopyTruncateCompress(t *testing.T) {
	for _, glob := range []string{"app.log", "app.log*"} {
		t.Run(glob, func(t *testing.T) {
			e := newFollowEnv(t)
			a := preamble + traces(0, 2)
			e.write("app.log", a)
			fl := e.follower(glob, true)
			expectExact(t, e.poll(fl), lineCount(a), 2)
			e.appendTo("app.log", trace(2)) // unread when the copy is made
			e.copyTruncate("app.log", "app.log.1")
			e.gzip("app.log.1")
			e.appendTo("app.log", trace(3))
			st := e.poll(fl)
			expectExact(t, st, lineCount(a+trace(2)+trace(3)), 4)
			for range 3 {
				st = e.poll(fl)
			}
			expectExact(t, st, lineCount(a+trace(2)+trace(3)), 4)
			if st.Errors != 0 {
				t.Errorf("errors %v", st.ErrorsByReason)
			}
		})
	}
}

// TestFollowCopyTruncateDelayCompressTwice: copytruncate + delaycompress, two rotations
// between looks: the first copy is compressed by the second rotation, the second copy is
// plain; both unread parts are read.
func TestFollowCopyTruncateDelayCompressTwice(t *testing.T) {
	e := newFollowEnv(t)
	a := preamble + traces(0, 2)
	e.write("app.log", a)
	fl := e.follower("app.log", true)
	expectExact(t, e.poll(fl), lineCount(a), 2)
	e.appendTo("app.log", trace(2))
	e.copyTruncate("app.log", "app.log.1") // rotation 1
	b := strings.ReplaceAll(preamble, "cache", "pool") + traces(3, 2)
	e.appendTo("app.log", b)
	e.rename("app.log.1", "app.log.2") // rotation 2: delaycompress compresses the older copy
	e.gzip("app.log.2")
	e.copyTruncate("app.log", "app.log.1")
	e.appendTo("app.log", trace(5))
	st := e.poll(fl)
	for range 4 {
		st = e.poll(fl)
	}
	expectExact(t, st, lineCount(a+trace(2)+b+trace(5)), 6)
	if st.Errors != 0 {
		t.Errorf("errors %v", st.ErrorsByReason)
	}
}

// TestFollowDeleteRecreateSamePrefix: a file deleted and created again whose content
// begins with the whole old content is a new file: all of it is read.
func TestFollowDeleteRecreateSamePrefix(t *testing.T) {
	e := newFollowEnv(t)
	a := preamble + traces(0, 2)
	e.write("app.log", a)
	fl := e.follower("app.log", true)
	expectExact(t, e.poll(fl), lineCount(a), 2)
	if err := os.Remove(e.path("app.log")); err != nil {
		t.Fatal(err)
	}
	expectExact(t, e.poll(fl), lineCount(a), 2)
	e.write("app.log", a+trace(2))
	expectExact(t, e.poll(fl), lineCount(a+a+trace(2)), 5)
}

// TestFollowRestartOpenEvent: an event still open at shutdown is read again after the
// restart but neither its lines nor the event are counted twice; the counters continue.
func TestFollowRestartOpenEvent(t *testing.T) {
	for _, crash := range []bool{false, true} {
		e := newFollowEnv(t)
		a := preamble + traces(0, 1)
		e.write("app.log", a)
		fl := e.follower("app.log*", true)
		e.poll(fl)
		open := "Traceback (most recent call last):\n  File \"/srv/x.py\", line 1, in f\n"
		e.appendTo("app.log", open)
		expectExact(t, e.poll(fl), lineCount(a+open), 1)
		if !crash {
			fl.Close(context.Background())
		} // else: the state of the last look is what a kill -9 leaves
		rest := "KeyError: 'k'\n2026-05-01 10:00:02 INFO next\n"
		e.appendTo("app.log", rest)
		fl2 := e.follower("app.log*", true)
		st := e.poll(fl2)
		expectExact(t, st, lineCount(a+open+rest), 2)
		if st.Bytes != uint64(len(a+open+rest)) {
			t.Errorf("bytes %d, want %d", st.Bytes, len(a+open+rest))
		}
	}
}

// TestFollowRestartAfterCompressedRotation: while the exporter was down the file was
// rotated and compressed: the unread part is read from the archive.
func TestFollowRestartAfterCompressedRotation(t *testing.T) {
	e := newFollowEnv(t)
	a := preamble + traces(0, 2)
	e.write("app.log", a)
	fl := e.follower("app.log", true)
	e.poll(fl)
	fl.Close(context.Background())
	e.appendTo("app.log", trace(2))
	e.rename("app.log", "app.log.1")
	e.gzip("app.log.1")
	e.write("app.log", traces(3, 1))
	fl2 := e.follower("app.log", true)
	st := e.poll(fl2)
	expectExact(t, st, lineCount(a+trace(2)+traces(3, 1)), 4)
}

// TestFollowRunWatch: with inotify, a file that appears is read at once although the
// poll interval is an hour; without it (watch: false) it waits for the next poll.
func TestFollowRunWatch(t *testing.T) {
	for _, noWatch := range []bool{false, true} {
		e := newFollowEnv(t)
		fl, err := NewFollower(FollowOptions{Name: "app", Paths: []string{e.path("*.log")}, PollInterval: time.Hour, NoWatch: noWatch}, e.store)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- fl.Run(ctx) }()
		time.Sleep(300 * time.Millisecond) // the first look is done; the directory is watched
		e.write("tmp.part", traces(0, 2))
		e.rename("tmp.part", "new.log") // appears whole: one rename event
		deadline := time.Now().Add(map[bool]time.Duration{false: 10 * time.Second, true: time.Second}[noWatch])
		for fl.Counter().Stats().Exceptions < 2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		got := fl.Counter().Stats().Exceptions
		if noWatch && got != 0 || !noWatch && got != 2 {
			t.Errorf("noWatch=%v: %d exceptions", noWatch, got)
		}
	}
}

// TestFollowRestartContainerStreams: a CRI log stopped with a stderr trace open and a
// stdout line split in the middle (P record without its F): after the restart both are
// completed, nothing is counted twice, and stdout lines written after the stderr trace
// began are not counted again either.
func TestFollowRestartContainerStreams(t *testing.T) {
	for _, crash := range []bool{false, true} {
		e := newFollowEnv(t)
		part1 := criRec("stdout", "F", "2026-05-01 10:00:00 INFO start") +
			criRec("stderr", "F", "java.lang.IllegalStateException: boom") +
			criRec("stdout", "F", "2026-05-01 10:00:01 INFO tick") +
			criRec("stderr", "F", "\tat com.acme.A.run(A.java:1)") +
			criRec("stdout", "P", "2026-05-01 10:00:02 INFO a long ")
		e.write("app.log", part1)
		fl, err := NewFollower(FollowOptions{Name: "app", Paths: []string{e.path("app.log")}, Format: FormatCRI, FromStart: true,
			Now: func() time.Time { return e.now }}, e.store)
		if err != nil {
			t.Fatal(err)
		}
		expectExact(t, e.poll(fl), 4, 0) // start, boom, tick, the frame; the split line is not complete
		if !crash {
			fl.Close(context.Background())
		}
		part2 := criRec("stdout", "F", "line, completed") +
			criRec("stderr", "F", "\tat com.acme.B.run(B.java:2)") +
			criRec("stderr", "F", "2026-05-01 10:00:03 WARN after")
		e.appendTo("app.log", part2)
		fl2, err := NewFollower(FollowOptions{Name: "app", Paths: []string{e.path("app.log")}, Format: FormatCRI, FromStart: true,
			Now: func() time.Time { return e.now }}, e.store)
		if err != nil {
			t.Fatal(err)
		}
		st := e.poll(fl2)
		expectExact(t, st, 7, 1)
		if len(st.Fingerprints) != 1 || st.Fingerprints[0].Location != "com.acme.A.run" {
			t.Errorf("crash=%v: %+v", crash, st.Fingerprints)
		}
		if st.Bytes != uint64(len(part1+part2)) {
			t.Errorf("crash=%v: bytes %d, want %d", crash, st.Bytes, len(part1+part2))
		}
	}
}

// TestFollowRestartFileGone: a file followed at shutdown and deleted while the exporter
// was down (no copy anywhere) is reported, not silently dropped.
func TestFollowRestartFileGone(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", preamble+traces(0, 1))
	fl := e.follower("app.log", true)
	e.poll(fl)
	fl.Close(context.Background())
	if err := os.Remove(e.path("app.log")); err != nil {
		t.Fatal(err)
	}
	e.write("app.log", traces(1, 1))
	st := e.poll(e.follower("app.log", true))
	expectExact(t, st, lineCount(preamble+traces(0, 2)), 2)
	if st.ErrorsByReason[ReasonGone] != 1 || st.Errors != 1 {
		t.Errorf("errors %v, want gone: 1", st.ErrorsByReason)
	}
}

// TestFollowSymlinkRotation: a glob over symbolic links (/var/log/containers/*.log) finds
// the files rotated where the links point (/var/log/pods/.../0.log.<time>).
func TestFollowSymlinkRotation(t *testing.T) {
	e := newFollowEnv(t)
	if err := os.Mkdir(e.path("pods"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(e.path("containers"), 0o755); err != nil {
		t.Fatal(err)
	}
	a := preamble + traces(0, 1)
	e.write("pods/0.log", a)
	if err := os.Symlink(e.path("pods/0.log"), e.path("containers/app.log")); err != nil {
		t.Fatal(err)
	}
	fl := e.follower("containers/*.log", true)
	expectExact(t, e.poll(fl), lineCount(a), 1)
	// Two rotations between looks: the middle file lives only in pods/.
	e.rename("pods/0.log", "pods/0.log.20260501-100000")
	b := preamble + traces(1, 2)
	e.write("pods/0.log", b)
	e.rename("pods/0.log", "pods/0.log.20260501-100001")
	e.write("pods/0.log", traces(3, 1))
	st := e.poll(fl)
	expectExact(t, st, lineCount(a+b+traces(3, 1)), 4)
	for range 4 {
		st = e.poll(fl)
	}
	expectExact(t, st, lineCount(a+b+traces(3, 1)), 4)
}

// TestFollowLegacyPositions: a position saved by the previous version (one row per file,
// no counters) is resumed, then replaced by the new state row.
func TestFollowLegacyPositions(t *testing.T) {
	e := newFollowEnv(t)
	a := preamble + traces(0, 2)
	e.write("app.log", a)
	fi, err := os.Stat(e.path("app.log"))
	if err != nil {
		t.Fatal(err)
	}
	id := idOf(fi)
	old := fmt.Sprintf(`{"path":%q,"dev":%d,"ino":%d,"off":%d,"hlen":%d,"head":""}`, e.path("app.log"), id.dev, id.ino, len(a), 0)
	if err := e.store.SaveLogState(context.Background(), "app", fmt.Sprintf("%d:%d", id.dev, id.ino), []byte(old)); err != nil {
		t.Fatal(err)
	}
	e.appendTo("app.log", trace(2))
	fl := e.follower("app.log", true)
	expectExact(t, e.poll(fl), lineCount(trace(2)), 1)
	fl.Close(context.Background())
	st, _ := e.store.LoadLogState(context.Background(), "app")
	if len(st) != 1 || st[stateKey] == nil {
		t.Errorf("state rows %v, want only %q", len(st), stateKey)
	}
}

// TestFollowCopyTruncateCopyGone: the copy was seen (being made) before the truncation;
// by the next look logrotate has rotated it away and deleted it. The copy was kept open:
// its unread part is still read.
func TestFollowCopyTruncateCopyGone(t *testing.T) {
	e := newFollowEnv(t)
	a := preamble + traces(0, 2)
	e.write("app.log", a)
	fl := e.follower("app.log", true)
	expectExact(t, e.poll(fl), lineCount(a), 2)
	e.appendTo("app.log", trace(2)) // unread
	data, err := os.ReadFile(e.path("app.log"))
	if err != nil {
		t.Fatal(err)
	}
	e.write("app.log.1", string(data[:len(data)/2]))     // the copy, half made, seen by this look
	expectExact(t, e.poll(fl), lineCount(a+trace(2)), 3) // trace 2 is read from app.log itself
	e.appendTo("app.log", trace(3))                      // unread when the copy is finished
	data, _ = os.ReadFile(e.path("app.log"))
	e.write("app.log.1", string(data)) // copy complete (same inode: rewritten in place)
	if err := os.Truncate(e.path("app.log"), 0); err != nil {
		t.Fatal(err)
	}
	e.appendTo("app.log", trace(4))
	if err := os.Remove(e.path("app.log.1")); err != nil { // rotated away and deleted
		t.Fatal(err)
	}
	st := e.poll(fl)
	for range 3 {
		st = e.poll(fl)
	}
	expectExact(t, st, lineCount(a+trace(2)+trace(3)+trace(4)), 5)
	if st.Errors != 0 {
		t.Errorf("errors %v", st.ErrorsByReason)
	}
}

// TestFollowEmptyNewFileHeld: the new empty file logrotate creates is opened at the look
// that sees it; written and then rotated away and deleted before the next look, it is
// still read through the open file.
func TestFollowEmptyNewFileHeld(t *testing.T) {
	e := newFollowEnv(t)
	a := preamble + traces(0, 1)
	e.write("app.log", a)
	fl := e.follower("app.log", true)
	e.poll(fl)
	e.rename("app.log", "app.log.1")
	e.write("app.log", "") // create
	st := e.poll(fl)       // the look inotify triggers on the creation
	if st.FilesFollowed != 1 {
		t.Fatalf("files %d", st.FilesFollowed)
	}
	b := traces(1, 2)
	e.appendTo("app.log", b)
	e.rename("app.log", "app.log.2") // rotated twice and deleted before the next look
	if err := os.Remove(e.path("app.log.2")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(e.path("app.log.1")); err != nil {
		t.Fatal(err)
	}
	e.write("app.log", traces(3, 1))
	st = e.poll(fl)
	expectExact(t, st, lineCount(a+b+traces(3, 1)), 4)
}
