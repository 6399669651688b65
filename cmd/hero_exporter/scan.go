package main

import (
	"fmt"
	"io"

	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

// runScan reads log files (or standard input for "-") once and prints the top
// exceptions.
func runScan(o *options, stdout, stderr io.Writer, stdin io.Reader) int {
	files := make([]string, len(o.scanFiles))
	for i, f := range o.scanFiles {
		if f == "" {
			f = "-" // kingpin hands a lone "-" argument over as ""
		}
		files[i] = f
	}
	err := logscan.RunScanFormat(stdout, files, stdin, logscan.ScanOptions{Top: o.scanTop, InApp: o.scanInApp}, o.scanFormat)
	if err != nil {
		fmt.Fprintf(stderr, "scan: %v\n", err)
		return exitRuntime
	}
	return exitOK
}
