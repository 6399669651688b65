package e2e

import "syscall"

// sysProcAttr puts a child in its own process group, so that the cleanup can stop it and
// anything it starts, and kills it if the test binary dies before the cleanup runs.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
