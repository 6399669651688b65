package main

import (
	"fmt"
	"io"
)

func runScan(o *options, stdout, stderr io.Writer, stdin io.Reader) int {
	fmt.Fprintln(stderr, "scan: not available yet")
	return exitRuntime
}
