//go:build unix

package logscan

import (
	"os"
	"syscall"
)

// idOf is the identity of a file: device and inode.
func idOf(fi os.FileInfo) fileID {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)} //nolint:unconvert // types differ per platform
	}
	return fileID{}
}
