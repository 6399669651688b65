//go:build !unix

package logscan

import "os"

// idOf is the identity of a file; without inodes, the name and creation are unknown and
// rotation is detected by size and content only.
func idOf(fi os.FileInfo) fileID {
	return fileID{ino: uint64(len(fi.Name()))}
}
