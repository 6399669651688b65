package logscan

import (
	"os"
	"testing"
)

// A plain copy read after a truncation and then compressed by logrotate (copytruncate +
// compress, the exporter looking between the copy and the compression): the archive adds
// no line and no event. Each event is counted once whether the copy was seen before the
// truncation (held open) or only with it.
func TestFollowCopyTruncateThenCompress(t *testing.T) {
	for _, tc := range []struct {
		name     string
		seenCopy bool // a poll sees the copy before the truncation
	}{{"copy_seen_with_truncation", false}, {"copy_seen_before_truncation", true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newFollowEnv(t)
			e.write("app.log", preamble+traces(0, 2))
			fl := e.follower("app.log", true)
			st := e.poll(fl)
			expect(t, st, 2, 1)
			lines := st.Lines
			e.appendTo("app.log", traces(2, 3)) // unread when the copy is made
			if tc.seenCopy {
				data, err := os.ReadFile(e.path("app.log"))
				if err != nil {
					t.Fatal(err)
				}
				e.write("app.log.1", string(data))
				e.poll(fl) // reads traces 2..4 from app.log itself
				if err := os.Truncate(e.path("app.log"), 0); err != nil {
					t.Fatal(err)
				}
			} else {
				e.copyTruncate("app.log", "app.log.1")
			}
			e.appendTo("app.log", trace(5))
			expect(t, e.poll(fl), 6, 1)
			e.gzip("app.log.1")
			for range 3 {
				st = e.poll(fl)
			}
			expect(t, st, 6, 1)
			// 4 lines per trace: every line once.
			if want := lines + 4*4; st.Lines != want {
				t.Fatalf("lines %d, want %d", st.Lines, want)
			}
		})
	}
}

// copytruncate + compress, the exporter looking while logrotate compresses: the plain
// copy is already removed and the archive not complete. The truncation is noted with what
// was read; when the archive is complete it continues from there — every line once,
// nothing reported lost.
func TestFollowCopyTruncateArchiveNotReadyYet(t *testing.T) {
	e := newFollowEnv(t)
	read := preamble + traces(0, 2)
	e.write("app.log", read)
	fl := e.follower("app.log", true)
	expectExact(t, e.poll(fl), lineCount(read), 2)
	unread := traces(2, 2)
	e.appendTo("app.log", unread)
	gz := gzipOf(t, read+unread)
	if err := os.Truncate(e.path("app.log"), 0); err != nil {
		t.Fatal(err)
	}
	e.write("app.log.1.gz", gz[:len(gz)/2]) // being written
	after := trace(4)
	e.appendTo("app.log", after)
	e.poll(fl)
	e.write("app.log.1.gz", gz)
	var st Stats
	for range 4 {
		st = e.poll(fl)
	}
	expectExact(t, st, lineCount(read+unread+after), 5)
	if st.Errors != 0 {
		t.Errorf("errors %v, want none", st.ErrorsByReason)
	}
}

// A file followed from its creation (empty, so its head was not known) is truncated after
// it was read: its copy is still recognised by what was read.
func TestFollowCopyTruncateOfFileFollowedFromEmpty(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", "")
	fl := e.follower("app.log", true)
	e.poll(fl)
	read := traces(0, 2)
	e.appendTo("app.log", read)
	expectExact(t, e.poll(fl), lineCount(read), 2)
	unread := traces(2, 1)
	e.appendTo("app.log", unread)
	e.copyTruncate("app.log", "app.log.1")
	after := trace(3)
	e.appendTo("app.log", after)
	var st Stats
	for range 4 {
		st = e.poll(fl)
	}
	expectExact(t, st, lineCount(read+unread+after), 4)
	if st.Errors != 0 {
		t.Errorf("errors %v, want none", st.ErrorsByReason)
	}
}

// A truncation whose copy never turns up is reported lost once pendingCopyWait has passed,
// not before (the copy may still be being compressed), and once.
func TestFollowTruncatedWithoutCopyReportedLost(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", preamble+traces(0, 1))
	fl := e.follower("app.log", true)
	e.poll(fl)
	e.appendTo("app.log", traces(1, 1))
	if err := os.Truncate(e.path("app.log"), 0); err != nil {
		t.Fatal(err)
	}
	if st := e.poll(fl); st.ErrorsByReason[ReasonTruncated] != 0 {
		t.Fatalf("reported lost at once: %v", st.ErrorsByReason)
	}
	e.now = e.now.Add(pendingCopyWait)
	for range 3 {
		e.poll(fl)
	}
	if st := fl.Counter().Stats(); st.ErrorsByReason[ReasonTruncated] != 1 {
		t.Fatalf("truncated errors %d after %s without a copy, want 1", st.ErrorsByReason[ReasonTruncated], pendingCopyWait)
	}
}
