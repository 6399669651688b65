package logscan

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func gzipOf(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFollowCompressedAndExcluded: compressed files matched by a glob are recognised by
// content (whatever their name) and never read as text; exclude globs drop files.
func TestFollowCompressedAndExcluded(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", traces(0, 2))
	e.write("app.log.1.gz", gzipOf(t, traces(10, 5)))
	e.write("app.log.2", gzipOf(t, traces(20, 5))) // gzip without the name
	e.write("app.log.3", "BZh91AY&SY"+strings.Repeat("\x00", 64))
	e.write("app.log.4", "\xfd7zXZ\x00"+strings.Repeat("\x01", 64))
	e.write("app.log.5", "\x28\xb5\x2f\xfd"+strings.Repeat("\x02", 64))
	e.write("app.log.debug", traces(30, 3))
	fl, err := NewFollower(FollowOptions{Name: "app", Paths: []string{e.path("app.log*")}, Exclude: []string{"*.debug"},
		FromStart: true, Now: func() time.Time { return e.now }}, e.store)
	if err != nil {
		t.Fatal(err)
	}
	s := e.poll(fl)
	expect(t, s, 2, 1)
	if s.Lines != 8 || s.Errors != 0 {
		t.Errorf("lines %d errors %d, want 8 and 0", s.Lines, s.Errors)
	}
	if !excluded("/var/log/app/debug.log", []string{"/var/log/app/debug.*"}) || excluded("/var/log/app/x.log", []string{"debug.*"}) {
		t.Error("exclude matching")
	}
}

// TestFollowRefusesSpecialFiles: a FIFO (and /proc files, which report size 0 while they
// have content) matched by a glob is refused with an error, counted once, never read.
func TestFollowRefusesSpecialFiles(t *testing.T) {
	e := newFollowEnv(t)
	if err := syscall.Mkfifo(e.path("app.fifo"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	e.write("app.log", traces(0, 1))
	paths := []string{e.path("app.*")}
	if _, err := os.Stat("/proc/self/status"); err == nil {
		paths = append(paths, "/proc/self/status")
		// A symlink to a /proc file, matched by a glob, is a /proc file too.
		if err := os.Symlink("/proc/self/stat", e.path("app.link")); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, e.path("app.link"))
	}
	fl, err := NewFollower(FollowOptions{Name: "app", Paths: paths, FromStart: true, Now: func() time.Time { return e.now }}, e.store)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.poll(fl)
	}
	s := fl.Counter().Stats()
	expect(t, s, 1, 1)
	if want := uint64(len(paths)); s.ErrorsByReason[ReasonNotRegular] != want || s.Errors != want {
		t.Errorf("errors %v, want %d not_regular", s.ErrorsByReason, want)
	}
}

// TestFollowMaskAndDrop: logs[].mask patterns mask the message label; messages: drop
// empties it.
func TestFollowMaskAndDrop(t *testing.T) {
	for _, c := range []struct {
		mask     []string
		messages string
		want     string
	}{
		{nil, "", "user <email> (Ana Lima) not allowed"},
		{[]string{`\([A-Z][a-z]+( [A-Z][a-z]+)*\)`}, "masked", "user <email> <masked> not allowed"},
		{nil, "drop", ""},
	} {
		e := newFollowEnv(t)
		e.write("app.log", "java.lang.SecurityException: user ana@example.com (Ana Lima) not allowed\n\tat com.acme.Auth.check(Auth.java:1)\n2026-05-01 10:00:01 INFO done\n")
		fl, err := NewFollower(FollowOptions{Name: "app", Paths: []string{e.path("app.log")}, Mask: c.mask, Messages: c.messages,
			FromStart: true, Now: func() time.Time { return e.now }}, e.store)
		if err != nil {
			t.Fatal(err)
		}
		s := e.poll(fl)
		if len(s.Fingerprints) != 1 || s.Fingerprints[0].Message != c.want {
			t.Errorf("mask %v messages %q: %+v, want message %q", c.mask, c.messages, s, c.want)
		}
		fl.Close(context.Background())
	}
	if _, err := NewFollower(FollowOptions{Name: "x", Messages: "keep"}, nil); err == nil {
		t.Error("messages: keep accepted")
	}
}
