// Command genlog writes a generated application log (about 1% of lines in multi-line
// exceptions) for the logscan benchmark: genlog -size 1073741824 -seed 1 > big.log
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

func main() {
	size := flag.Int64("size", 1<<30, "bytes to write")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	n, err := logscan.GenerateLog(os.Stdout, *size, *seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "genlog: %d exception events\n", n)
}
