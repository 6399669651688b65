package main

import (
	"fmt"
	"io"

	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

// runScan reads log files (or standard input for "-") once and prints the top
// exceptions.
func runScan(o *options, stdout, stderr io.Writer, stdin io.Reader) int {
	err := logscan.RunScanFormat(stdout, o.scanFiles, stdin, logscan.ScanOptions{Top: o.scanTop, InApp: o.scanInApp}, o.scanFormat)
	if err != nil {
		fmt.Fprintf(stderr, "scan: %v\n", err)
		return exitRuntime
	}
	return exitOK
}
