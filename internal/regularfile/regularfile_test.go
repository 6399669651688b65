package regularfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "token")
	os.WriteFile(ok, []byte("s3cret\n"), 0o600)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "sparse")
	f, _ := os.Create(big)
	f.Truncate(1 << 30) // 1 GiB, sparse: reading it whole would take a GiB of memory
	f.Close()

	if b, err := Read(ok, SecretLimit); err != nil || string(b) != "s3cret\n" {
		t.Fatalf("regular file: %q %v", b, err)
	}
	if b, err := Read(ok, 6); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("7 bytes with a limit of 6: %q %v, want ErrTooLarge", b, err)
	}
	done := make(chan error, 1)
	go func() { _, err := Read(fifo, SecretLimit); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "named pipe") {
			t.Fatalf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO with no writer hangs")
	}
	for _, p := range []string{"/dev/zero", dir} {
		if _, err := Read(p, ConfigLimit); !errors.Is(err, ErrNotRegular) {
			t.Errorf("%s: %v, want ErrNotRegular", p, err)
		}
	}
	if _, err := Read(big, ConfigLimit); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), big) {
		t.Fatalf("1 GiB file: %v, want ErrTooLarge naming it", err)
	}
	if _, err := Read(filepath.Join(dir, "missing"), ConfigLimit); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
}
