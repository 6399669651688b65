package logscan

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// compressedMagic are the first bytes of compressed files: gzip, bzip2, xz, zstd.
var compressedMagic = [][]byte{{0x1f, 0x8b}, []byte("BZh"), {0xfd, '7', 'z', 'X', 'Z', 0x00}, {0x28, 0xb5, 0x2f, 0xfd}}

// compressionOf returns "gzip", "bzip2", "xz" or "zstd" when head starts with a
// compressed format's magic, else "".
func compressionOf(head []byte) string {
	for i, m := range compressedMagic {
		if bytes.HasPrefix(head, m) {
			return [...]string{"gzip", "bzip2", "xz", "zstd"}[i]
		}
	}
	return ""
}

// sniffCompressed reads the first bytes of f (without moving its offset).
func sniffCompressed(f *os.File) string {
	var b [6]byte
	n, _ := f.ReadAt(b[:], 0)
	return compressionOf(b[:n])
}

// excluded reports whether path matches one of the exclude globs: a glob with a '/' is
// matched against the whole path, one without against the base name.
func excluded(path string, globs []string) bool {
	for _, g := range globs {
		target := filepath.Base(path)
		if strings.ContainsRune(g, '/') {
			target = path
		}
		if ok, _ := filepath.Match(g, target); ok {
			return true
		}
	}
	return false
}

// errNotRegular is returned for a FIFO, device, socket, directory or /proc file.
type errNotRegular struct {
	path string
	mode os.FileMode
}

func (e *errNotRegular) Error() string {
	return fmt.Sprintf("logscan: %s is not a regular file (%s): not followed", e.path, e.mode.Type())
}

// checkRegular refuses what is not a regular file; files under /proc report a size of 0
// while they have content, and would be read again at every look.
func checkRegular(path string, fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return &errNotRegular{path: path, mode: fi.Mode()}
	}
	// Where the path really is: a symlink into /proc is a /proc file.
	real := path
	if r, err := filepath.EvalSymlinks(path); err == nil {
		real = r
	}
	if abs, err := filepath.Abs(real); err == nil && (abs == "/proc" || strings.HasPrefix(abs, "/proc/") ||
		abs == "/sys" || strings.HasPrefix(abs, "/sys/")) {
		return &errNotRegular{path: path, mode: fi.Mode()}
	}
	return nil
}

// messageFilter applies logs[].mask and logs[].messages to the message of an event.
type messageFilter struct {
	drop bool
	res  []*regexp.Regexp
}

func newMessageFilter(patterns []string, messages string) (*messageFilter, error) {
	mf := &messageFilter{drop: messages == "drop"}
	switch messages {
	case "", "masked", "drop":
	default:
		return nil, fmt.Errorf("logscan: messages must be masked or drop, got %q", messages)
	}
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("logscan: mask %q: %w", p, err)
		}
		mf.res = append(mf.res, re)
	}
	return mf, nil
}

func (mf *messageFilter) apply(msg string) string {
	if mf.drop {
		return ""
	}
	for _, re := range mf.res {
		msg = re.ReplaceAllString(msg, "<masked>")
	}
	return msg
}

// readAllLimited is io.ReadAll with a cap (for small state files).
func readAllLimited(r io.Reader, n int64) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, n))
}
