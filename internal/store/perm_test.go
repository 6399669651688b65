package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The store is its owner's only: the directory it creates is 0700 and hero.db, -wal and
// -shm are 0600 whatever the umask; a store created world-readable before is restricted.
func TestStoreFilesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o002)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func() {
		t.Helper()
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("directory mode %v (%v), want 0700", fi.Mode().Perm(), err)
		}
		for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v, want 0600", name, fi.Mode().Perm())
			}
		}
	}
	check()
	s.Close()
	for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
		os.Chmod(filepath.Join(dir, name), 0o644)
	}
	if s, err = Open(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check()
}
