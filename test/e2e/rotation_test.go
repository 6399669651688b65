//go:build linux

package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The rotation suite drives the real logrotate against a writer that knows exactly what
// it wrote, and the real hero_exporter following the file, and asserts that
// hero_log_lines_total and hero_exceptions_total equal the truth.

// unit is one write of the generator: a plain line or a whole trace (one write(2), so a
// trace is never split by a rotation).
type unit struct {
	lines int
	event bool
}

// logWriter writes lines and Java/Python traces to path at a high rate, reopening the
// file when it was renamed away (like Python's WatchedFileHandler), and keeps the truth.
type logWriter struct {
	path string
	rng  *rand.Rand

	mu    sync.Mutex
	f     *os.File
	ino   uint64
	seq   int
	units []unit // by seq
	// recreate asks the writer to delete its file and create it again beginning with
	// the old content (the hard case for identity by content).
	recreate chan chan struct{}
}

func newLogWriter(t *testing.T, path string, seed uint64) *logWriter {
	w := &logWriter{path: path, rng: rand.New(rand.NewPCG(seed, 9)), recreate: make(chan chan struct{})}
	if err := w.open(); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *logWriter) open() error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if w.f != nil {
		w.f.Close()
	}
	w.f, w.ino = f, fi.Sys().(*syscall.Stat_t).Ino
	return nil
}

// reopenIfRotated reopens the path when it is another file (or gone).
func (w *logWriter) reopenIfRotated() error {
	fi, err := os.Stat(w.path)
	if err == nil && fi.Sys().(*syscall.Stat_t).Ino == w.ino {
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return w.open()
}

func (w *logWriter) next() (string, unit) {
	w.seq++
	n := w.seq
	ts := fmt.Sprintf("2026-05-01T10:%02d:%02d.%03dZ", n/60000%60, n/1000%60, n%1000)
	switch r := w.rng.IntN(100); {
	case r < 4:
		return fmt.Sprintf("%s ERROR seq=%d request failed\njava.lang.IllegalStateException: order %d not found\n"+
			"\tat com.acme.shop.OrderService.load(OrderService.java:42)\n\tat com.acme.shop.Api.get(Api.java:17)\n"+
			"Caused by: java.io.IOException: disk error\n\tat com.acme.shop.Disk.read(Disk.java:9)\n\t... 2 more\n", ts, n, n), unit{7, true}
	case r < 7:
		return fmt.Sprintf("Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 12, in checkout\n"+
			"    order = orders[key]\nKeyError: 'seq=%d'\n", n), unit{4, true}
	case r < 9:
		return fmt.Sprintf("Traceback (most recent call last):\n  File \"/srv/app/pay.py\", line 3, in charge\n    card['n']\n"+
			"KeyError: 'n'\n\nDuring handling of the above exception, another exception occurred:\n\n"+
			"Traceback (most recent call last):\n  File \"/srv/app/pay.py\", line 5, in charge\n    raise ValueError(key)\n"+
			"ValueError: seq=%d\n", n), unit{11, true}
	}
	return fmt.Sprintf("%s INFO seq=%d GET /api/orders/%d 200 %dms\n", ts, n, n, w.rng.IntN(300)), unit{1, false}
}

// run writes about rate lines a second until stop is closed, then a last plain line.
func (w *logWriter) run(t *testing.T, rate int, stop <-chan struct{}) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	perTick := max(1, rate/100)
	for {
		select {
		case <-stop:
			w.write(t, fmt.Sprintf("2026-05-01T11:00:00.000Z INFO seq=%d shutting down\n", w.seq+1), unit{1, false})
			return
		case done := <-w.recreate:
			w.doRecreate(t)
			close(done)
		case <-tick.C:
			for lines := 0; lines < perTick; {
				s, u := w.next()
				w.seq-- // write() numbers the unit
				w.write(t, s, u)
				lines += u.lines
			}
		}
	}
}

func (w *logWriter) write(t *testing.T, s string, u unit) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.reopenIfRotated(); err != nil {
		t.Error(err)
		return
	}
	w.seq++
	w.units = append(w.units, u)
	if _, err := w.f.WriteString(s); err != nil {
		t.Error(err)
	}
}

// doRecreate deletes the file and creates a new one that begins with the whole old
// content (written again: it counts again).
func (w *logWriter) doRecreate(t *testing.T) {
	w.mu.Lock()
	defer w.mu.Unlock()
	old, err := os.ReadFile(w.path)
	if err != nil {
		t.Error(err)
		return
	}
	if err := os.Remove(w.path); err != nil {
		t.Error(err)
		return
	}
	time.Sleep(50 * time.Millisecond) // let the exporter see the deletion (or not)
	if err := w.open(); err != nil {
		t.Error(err)
		return
	}
	if _, err := w.f.Write(old); err != nil {
		t.Error(err)
	}
	// The old content's units are in the new file once more.
	for _, n := range seqsIn(old) {
		w.units = append(w.units, w.units[n-1])
		w.seq++
	}
}

var seqRE = regexp.MustCompile(`seq=(\d+)`)

func seqsIn(b []byte) []int {
	var out []int
	for _, m := range seqRE.FindAllSubmatch(b, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		out = append(out, n)
	}
	return out
}

// truth returns the lines and events written; with present (seq -> on disk) it counts
// only the units still on disk (copytruncate loses what is written between the copy and
// the truncation: logrotate's own window).
func (w *logWriter) truth(present map[int]bool) (lines, events, lost int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, u := range w.units {
		if present != nil && !present[i+1] {
			lost++
			continue
		}
		lines += u.lines
		if u.event {
			events++
		}
	}
	return lines, events, lost
}

// onDisk returns the seq numbers found in the files of dir matching app.log*
// (decompressing .gz archives).
func onDisk(t *testing.T, dir string) map[int]bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "app.log*"))
	present := map[int]bool{}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		for _, n := range seqsIn(b) {
			present[n] = true
		}
	}
	return present
}

// rotScenario is one run of the suite.
type rotScenario struct {
	name      string
	logrotate string // the directives for the log file
	glob      string
	watch     bool
	poll      string        // poll_interval
	every     time.Duration // time between logrotate runs
	burst     int           // logrotate runs back to back each time (2: a double rotation)
	rotations int
	copyLoses bool // copytruncate: what logrotate loses between copy and truncation is not counted
	// pause holds the writer while logrotate runs, so that logrotate's own copytruncate
	// window loses nothing and the count must equal everything written. Without it, a
	// read that happens inside that window counts lines that then vanish from the disk,
	// and the on-disk truth is only a lower bound.
	pause      bool
	kill       bool // kill -9 the exporter in the middle and start it again
	recreate   bool // delete and re-create the file (beginning with the old content) in the middle
	rate       int
	checkFiles func(t *testing.T, dir string)
}

func TestLogRotationSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("drives logrotate and hero_exporter; skipped in -short mode")
	}
	logrotate := needTool(t, "logrotate")
	bin := exporterBinary(t)
	scenarios := []rotScenario{
		{name: "create_rotate2_double_rotation_between_polls", glob: "*.log", poll: "2500ms", every: 3 * time.Second, burst: 2, rotations: 8,
			logrotate: "rotate 2\ncreate\nmissingok\n"},
		{name: "create_rotate2_inotify", glob: "*.log", watch: true, poll: "5s", every: 400 * time.Millisecond, burst: 2, rotations: 24,
			logrotate: "rotate 1\ncreate\nmissingok\n"},
		{name: "copytruncate", glob: "app.log", poll: "1500ms", every: 500 * time.Millisecond, burst: 1, rotations: 12, pause: true,
			logrotate: "rotate 5\ncopytruncate\nmissingok\n"},
		{name: "copytruncate_compress", glob: "app.log", poll: "1500ms", every: 500 * time.Millisecond, burst: 1, rotations: 12, pause: true,
			logrotate: "rotate 5\ncopytruncate\ncompress\nmissingok\n"},
		{name: "copytruncate_delaycompress_double", glob: "app.log", poll: "2500ms", every: 3 * time.Second, burst: 2, rotations: 8, pause: true,
			logrotate: "rotate 3\ncopytruncate\ncompress\ndelaycompress\nmissingok\n"},
		// logrotate's own window, measured: the writer is not held.
		{name: "copytruncate_window", glob: "app.log*", poll: "1500ms", every: 500 * time.Millisecond, burst: 1, rotations: 12, copyLoses: true,
			logrotate: "rotate 1000\ncopytruncate\nmissingok\n"},
		{name: "glob_matches_archives", glob: "app.log*", watch: true, poll: "1s", every: 500 * time.Millisecond, burst: 1, rotations: 12,
			logrotate: "rotate 3\ncreate\ncompress\ndelaycompress\nmissingok\n",
			checkFiles: func(t *testing.T, dir string) {
				if gz, _ := filepath.Glob(filepath.Join(dir, "app.log.*.gz")); len(gz) == 0 {
					t.Error("no .gz archive was matched by the glob: the scenario tests nothing")
				}
			}},
		{name: "kill9_restart", glob: "*.log", watch: true, poll: "500ms", every: 500 * time.Millisecond, burst: 1, rotations: 12, kill: true,
			logrotate: "rotate 5\ncreate\ncompress\ndelaycompress\nmissingok\n"},
		{name: "delete_recreate", glob: "app.log", poll: "1s", every: 0, rotations: 0, recreate: true},
	}
	start := time.Now()
	// Each scenario assumes the exporter looks at its poll interval while logrotate runs
	// at its own pace (that is what makes two rotations fall between two looks, or not).
	// Nine writers at 2,000 lines a second, nine exporters and the race detector on two
	// cores starve the polls until copies are rotated away unread: the scenarios run a
	// few at a time, as many as there are cores.
	slots := make(chan struct{}, max(2, goruntime.NumCPU()))
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			runRotScenario(t, sc, logrotate, bin)
		})
	}
	t.Cleanup(func() { t.Logf("rotation suite: %s", time.Since(start).Round(time.Second)) })
}

func runRotScenario(t *testing.T, sc rotScenario, logrotate, bin string) {
	dir := t.TempDir()
	logDir := filepath.Join(dir, "logs")
	if err := os.Mkdir(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(logDir, "app.log")
	w := newLogWriter(t, logPath, uint64(len(sc.name)))
	rate := sc.rate
	if rate == 0 {
		rate = 2000
	}
	cfg := fmt.Sprintf("logs:\n  - name: app\n    paths: [%q]\n    format: text\n    from_start: true\n    poll_interval: %s\n    watch: %v\n",
		filepath.Join(logDir, sc.glob), sc.poll, sc.watch)
	cfgPath := filepath.Join(dir, "hero.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	lrConf := filepath.Join(dir, "logrotate.conf")
	if err := os.WriteFile(lrConf, []byte(fmt.Sprintf("%s {\n%s}\n", logPath, sc.logrotate)), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	args := []string{"--config.file=" + cfgPath, "--web.listen-address=" + addr, "--storage.path=" + filepath.Join(dir, "store"), "--log.level=debug"}
	p := start(t, dir, "hero_exporter", bin, args...)
	metricsURL := "http://" + addr + "/metrics"
	waitReady(t, metricsURL, 30*time.Second)

	stop := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		w.run(t, rate, stop)
	}()
	runLR := func() {
		if sc.pause {
			w.mu.Lock()
			defer w.mu.Unlock()
		}
		out, err := exec.Command(logrotate, "-s", filepath.Join(dir, "state"), "-f", lrConf).CombinedOutput()
		if err != nil {
			t.Errorf("logrotate: %v\n%s", err, out)
		}
	}
	time.Sleep(300 * time.Millisecond)
	for i := 0; i < sc.rotations; i += sc.burst {
		for range sc.burst {
			runLR()
		}
		if sc.kill && i == sc.rotations/2 {
			time.Sleep(sc.every / 2)
			if err := syscall.Kill(p.pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			p.stop()
			runLR() // a rotation while it is down
			p = start(t, dir, "hero_exporter2", bin, args...)
			waitReady(t, metricsURL, 30*time.Second)
		}
		time.Sleep(sc.every)
	}
	if sc.recreate {
		for range 3 {
			time.Sleep(1500 * time.Millisecond)
			done := make(chan struct{})
			w.recreate <- done
			<-done
		}
		time.Sleep(1500 * time.Millisecond)
	}
	close(stop)
	<-writerDone

	var present map[int]bool
	if sc.copyLoses {
		present = onDisk(t, logDir)
	}
	lines, events, lost := w.truth(present)
	if !sc.copyLoses && lost != 0 {
		t.Fatalf("lost %d units", lost)
	}
	if sc.checkFiles != nil {
		sc.checkFiles(t, logDir)
	}
	// Wait until everything is read (the last event closes after the quiet flush), then
	// make sure nothing more is counted.
	var got map[string]float64
	waitForOr(t, 20*time.Second, "the exporter to count what was written", func() error {
		got = logMetrics(t, metricsURL)
		if got["lines"] >= float64(lines) && got["events"] >= float64(events) {
			return nil
		}
		return fmt.Errorf("lines %v/%d events %v/%d errors %v", got["lines"], lines, got["events"], events, got["errors"])
	}, func() {
		if d := os.Getenv("HERO_ROTATION_KEEP"); d != "" {
			out, _ := exec.Command("cp", "-a", dir, d).CombinedOutput()
			t.Logf("kept %s in %s: %s", dir, d, out)
		}
	})
	time.Sleep(2 * time.Second)
	got = logMetrics(t, metricsURL)
	t.Logf("%s: written %d lines %d events (units lost by logrotate's copytruncate window: %d), counted %v lines %v events, errors %v",
		sc.name, lines, events, lost, got["lines"], got["events"], got["errors"])
	if sc.copyLoses {
		// Lines read inside logrotate's window were real but are on no disk: the on-disk
		// truth is a lower bound, and at most the lost units' lines more may be counted.
		allLines, allEvents, _ := w.truth(nil)
		if got["lines"] < float64(lines) || got["lines"] > float64(allLines) || got["events"] < float64(events) || got["events"] > float64(allEvents) {
			t.Errorf("counted %v lines %v events, want between %d and %d lines, %d and %d events", got["lines"], got["events"], lines, allLines, events, allEvents)
		}
	} else if got["lines"] != float64(lines) || got["events"] != float64(events) {
		if d := os.Getenv("HERO_ROTATION_KEEP"); d != "" {
			out, _ := exec.Command("cp", "-a", dir, d).CombinedOutput()
			t.Logf("kept %s in %s: %s", dir, d, out)
		}
		t.Errorf("counted %v lines %v events, want exactly %d lines %d events", got["lines"], got["events"], lines, events)
	}
	if got["errors"] != 0 {
		t.Errorf("hero_log_errors_total = %v, want 0", got["errors"])
	}
}

// waitForOr is waitFor with a function run before failing.
func waitForOr(t *testing.T, timeout time.Duration, what string, cond func() error, onFail func()) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			onFail()
			t.Fatalf("timed out after %s waiting for %s: %v", timeout, what, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// logMetrics reads hero_log_lines_total, hero_exceptions_total and the sum of
// hero_log_errors_total of log "app".
func logMetrics(t *testing.T, u string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		return map[string]float64{}
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		i := strings.LastIndexByte(l, ' ')
		if i < 0 || strings.HasPrefix(l, "#") {
			continue
		}
		v, err := strconv.ParseFloat(l[i+1:], 64)
		if err != nil {
			continue
		}
		switch {
		case strings.HasPrefix(l, `hero_log_lines_total{log="app"}`):
			out["lines"] = v
		case strings.HasPrefix(l, `hero_exceptions_total{log="app"}`):
			out["events"] = v
		case strings.HasPrefix(l, `hero_log_errors_total{log="app"`):
			out["errors"] += v
		}
	}
	return out
}
