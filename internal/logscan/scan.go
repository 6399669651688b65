package logscan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
)

// ScanOptions configure Scan.
type ScanOptions struct {
	// Top is how many fingerprints the report lists (0: every tracked one).
	Top int
	// TopK is how many fingerprints are tracked (default: max(1000, Top)).
	TopK int
	// Format is auto (default), text or json.
	Format string
	// InApp are in-app frame prefixes.
	InApp []string
	// MaxLineBytes caps a line (default DefaultMaxLineBytes).
	MaxLineBytes int
}

// Report is the result of Scan, and the JSON of `hero_exporter scan --format=json`.
type Report struct {
	Lines        uint64        `json:"lines"`
	Bytes        uint64        `json:"bytes"`
	Exceptions   uint64        `json:"exceptions"`
	Fingerprints []ReportEntry `json:"fingerprints"`
}

// ReportEntry is one fingerprint of a Report.
type ReportEntry struct {
	Fingerprint string `json:"fingerprint"`
	Type        string `json:"type"`
	Location    string `json:"location"`
	Message     string `json:"message"`
	Language    string `json:"language"`
	Count       uint64 `json:"count"`
}

// Scan reads each reader to its end and reports the exceptions found, sorted by count
// descending. Each reader is its own stream (an event never spans two readers).
func Scan(readers []io.Reader, opts ScanOptions) (Report, error) {
	format, err := parseFormat(opts.Format)
	if err != nil {
		return Report{}, err
	}
	topK := opts.TopK
	if topK <= 0 {
		topK = max(1000, opts.Top)
	}
	c := NewCounter("scan", topK, 1)
	det := NewDetector(DetectorOptions{InApp: opts.InApp}, c.AddEvent)
	sp := newSplitter(opts.MaxLineBytes)
	for i, r := range readers {
		p := newLineProc(det, format)
		err := scanOne(r, sp, p)
		c.AddLines(p.lines, p.bytes)
		if err != nil {
			return Report{}, fmt.Errorf("logscan: scan input %d: %w", i+1, err)
		}
	}
	st := c.Stats()
	rep := Report{Lines: st.Lines, Bytes: st.Bytes, Exceptions: st.Exceptions, Fingerprints: []ReportEntry{}}
	for _, f := range st.Fingerprints {
		if opts.Top > 0 && len(rep.Fingerprints) >= opts.Top {
			break
		}
		rep.Fingerprints = append(rep.Fingerprints, ReportEntry{
			Fingerprint: f.Fingerprint, Type: f.Type, Location: f.Location, Message: f.Message,
			Language: f.Language, Count: f.Count,
		})
	}
	return rep, nil
}

func scanOne(r io.Reader, sp *splitter, p *lineProc) error {
	sp.n, sp.discard = 0, false
	empty := 0
	for {
		k, err := sp.fill(r)
		sp.drain(p)
		if k == 0 && err == nil {
			if empty++; empty > 100 {
				err = io.ErrNoProgress
			}
		} else {
			empty = 0
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			sp.finish(p)
			p.flush()
			return err
		}
	}
	sp.finish(p)
	p.flush()
	return nil
}

// RunScan implements `hero_exporter scan`: it reads paths ("-" is stdin; none means
// stdin), and prints the top exceptions to w as a table or as JSON (format "table" or
// "json"). top <= 0 lists every tracked fingerprint.
func RunScan(w io.Writer, paths []string, stdin io.Reader, top int, format string, inApp []string) error {
	return RunScanFormat(w, paths, stdin, ScanOptions{Top: top, InApp: inApp}, format)
}

// RunScanFormat is RunScan with all scan options (log format, line cap).
func RunScanFormat(w io.Writer, paths []string, stdin io.Reader, opts ScanOptions, output string) error {
	if output != "table" && output != "json" && output != "" {
		return fmt.Errorf("logscan: unknown output format %q (want table or json)", output)
	}
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	readers := make([]io.Reader, 0, len(paths))
	for _, p := range paths {
		if p == "-" {
			if stdin == nil {
				return errors.New("logscan: no standard input")
			}
			readers = append(readers, stdin)
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			closeAll(readers)
			return fmt.Errorf("logscan: open %s: %w", p, err)
		}
		readers = append(readers, f)
	}
	defer closeAll(readers)
	rep, err := Scan(readers, opts)
	if err != nil {
		return err
	}
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false) // masked messages hold <num>; keep them readable
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("logscan: write report: %w", err)
		}
		return nil
	}
	return WriteTable(w, rep)
}

func closeAll(rs []io.Reader) {
	for _, r := range rs {
		if f, ok := r.(*os.File); ok && f != os.Stdin {
			_ = f.Close()
		}
	}
}

// WriteTable prints a report as a readable table.
func WriteTable(w io.Writer, rep Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "lines: %d\tbytes: %d\texceptions: %d\n\n", rep.Lines, rep.Bytes, rep.Exceptions)
	fmt.Fprintln(tw, "COUNT\tFINGERPRINT\tLANGUAGE\tTYPE\tLOCATION\tMESSAGE")
	for _, f := range rep.Fingerprints {
		loc := f.Location
		if loc == "" {
			loc = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", f.Count, f.Fingerprint, f.Language, f.Type, loc, f.Message)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("logscan: write report: %w", err)
	}
	return nil
}
