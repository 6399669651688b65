package logscan

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	benchOnce sync.Once
	benchLog  []byte
	benchEvs  int
)

func benchData(b *testing.B) []byte {
	benchOnce.Do(func() {
		var buf bytes.Buffer
		n, err := GenerateLog(&buf, 64<<20, 1)
		if err != nil {
			panic(err)
		}
		benchLog, benchEvs = buf.Bytes(), n
	})
	return benchLog
}

// BenchmarkScan measures Scan over a generated 64 MiB log (about 1% of the lines in
// multi-line exceptions); MB/s is the throughput on one goroutine.
func BenchmarkScan(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := Scan([]io.Reader{bytes.NewReader(data)}, ScanOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Exceptions != uint64(benchEvs) {
			b.Fatalf("exceptions %d, want %d", rep.Exceptions, benchEvs)
		}
	}
}

// BenchmarkDetectorFeed measures the detector alone, line by line, without prefilter.
func BenchmarkDetectorFeed(b *testing.B) {
	data := benchData(b)[:8<<20]
	lines := bytes.Split(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		d := NewDetector(DetectorOptions{}, func(*Event) {})
		for _, l := range lines {
			d.Feed(l)
		}
		d.Flush()
	}
}

// BenchmarkFollow measures following a growing file: each iteration appends 4 MiB and
// polls. It reports MB/s and the CPU seconds used per MB read (cpu-s/MB).
func BenchmarkFollow(b *testing.B) {
	data := benchData(b)
	chunk := data[:4<<20]
	chunk = chunk[:bytes.LastIndexByte(chunk, '\n')+1]
	path := filepath.Join(b.TempDir(), "app.log")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fl, err := NewFollower(FollowOptions{Name: "bench", Paths: []string{path}, QuietFlush: time.Hour}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := fl.Poll(ctx); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(chunk)))
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ResetTimer()
	var pollCPU time.Duration
	for b.Loop() {
		b.StopTimer()
		if _, err := f.Write(chunk); err != nil {
			b.Fatal(err)
		}
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		b.StartTimer()
		if err := fl.Poll(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		pollCPU += cpuOf(after) - cpuOf(before)
		b.StartTimer()
	}
	st := fl.Counter().Stats()
	if st.Bytes != uint64(b.N)*uint64(len(chunk)) {
		b.Fatalf("read %d bytes, want %d", st.Bytes, b.N*len(chunk))
	}
	mb := float64(st.Bytes) / 1e6
	b.ReportMetric(pollCPU.Seconds()/mb, "cpu-s/MB")
}

func cpuOf(r syscall.Rusage) time.Duration {
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
