//go:build linux

package logscan

import (
	"os"

	"golang.org/x/sys/unix"
)

// birthOf returns the creation time of an open file in nanoseconds (statx), or 0 where
// the file system does not record it. With device and inode it tells a new file that
// reuses a deleted file's inode from the old one.
func birthOf(f *os.File) int64 {
	var st unix.Statx_t
	if err := unix.Statx(int(f.Fd()), "", unix.AT_EMPTY_PATH, unix.STATX_BTIME, &st); err != nil || st.Mask&unix.STATX_BTIME == 0 {
		return 0
	}
	return st.Btime.Sec*1e9 + int64(st.Btime.Nsec)
}

// birthOfPath is birthOf for a path (following symbolic links, as os.Stat).
func birthOfPath(p string) int64 {
	var st unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, p, 0, unix.STATX_BTIME, &st); err != nil || st.Mask&unix.STATX_BTIME == 0 {
		return 0
	}
	return st.Btime.Sec*1e9 + int64(st.Btime.Nsec)
}
