package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The configuration and the files it names are read only when regular and bounded:
// /dev/zero, a FIFO or a huge file is an error naming the file (and the field), at once.
func TestSpecialAndHugeFilesRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.yml")
	f, _ := os.Create(huge)
	f.Truncate(1 << 30)
	f.Close()
	within := func(what string, fn func() error) error {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- fn() }()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Fatalf("%s does not return", what)
			return nil
		}
	}
	for _, p := range []string{"/dev/zero", fifo, huge, dir} {
		err := within("Load "+p, func() error { _, err := Load(p); return err })
		if err == nil || !strings.HasPrefix(err.Error(), p+": cannot read config") {
			t.Errorf("Load(%s) = %v, want an error naming the file", p, err)
		}
	}
	for _, p := range []string{"/dev/zero", fifo} {
		cfg := filepath.Join(dir, "hero.yml")
		os.WriteFile(cfg, []byte("sources:\n  - name: pd\n    type: pagerduty\n    token_file: "+p+"\n"), 0o600)
		err := within("token_file "+p, func() error { _, err := Load(cfg); return err })
		if err == nil || !strings.Contains(err.Error(), cfg+":4: sources[0].token_file: cannot read token file") || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("token_file %s: %v", p, err)
		}
	}
}
