// Command mixin writes the rule files and dashboards generated from the hero_exporter
// monitoring mixin (mixin/mixin.libsonnet) into the repository: `make mixin`.
//
//	go run ./mixin/cmd/mixin [-root .] [-check] [-config '{ _config+:: {...} }']
//
// -check writes nothing and exits 1 when a checked-in file differs from the mixin.
// -config renders the mixin with your own settings (into -root, e.g. an output directory
// with rules/ and dashboards/ below it).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/hero-exporter/hero_exporter/mixin"
)

func main() {
	root := flag.String("root", ".", "repository root (the mixin is read from <root>/mixin unless -mixin is set)")
	dir := flag.String("mixin", "", "mixin directory (default <root>/mixin)")
	check := flag.Bool("check", false, "compare instead of writing; exit 1 on any difference")
	config := flag.String("config", "", "Jsonnet object merged into the mixin, e.g. '{ _config+:: { heroExporterSelector: \"job=\\\"hero\\\"\" } }'")
	flag.Parse()
	if *dir == "" {
		*dir = filepath.Join(*root, "mixin")
	}
	files, err := mixin.Generate(*dir, *config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mixin:", err)
		os.Exit(1)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	stale := 0
	for _, n := range names {
		path := filepath.Join(*root, filepath.FromSlash(n))
		old, err := os.ReadFile(path)
		if err == nil && bytes.Equal(old, files[n]) {
			continue
		}
		if *check {
			fmt.Fprintf(os.Stderr, "mixin: %s differs from the mixin; run `make mixin`\n", path)
			stale++
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "mixin:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(path, files[n], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "mixin:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", path)
	}
	if stale > 0 {
		os.Exit(1)
	}
}
