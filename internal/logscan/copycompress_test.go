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
