//go:build unix && !linux

package e2e

import "syscall"

// sysProcAttr puts a child in its own process group, so that the cleanup can stop it and
// anything it starts.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
