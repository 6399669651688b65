package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Formats of the text renderers.
const (
	FormatTable    = "table"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// Formats lists the formats Write accepts.
var Formats = []string{FormatTable, FormatMarkdown, FormatJSON}

// Write renders r as a terminal table, a markdown document or JSON.
func Write(w io.Writer, r *Report, format string) error {
	var err error
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false) // masked messages hold <num>; keep them readable
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	case FormatMarkdown:
		bw := bufio.NewWriter(w)
		writeMarkdown(bw, document(r))
		err = bw.Flush()
	case FormatTable:
		bw := bufio.NewWriter(w)
		writePlain(bw, document(r))
		err = bw.Flush()
	default:
		return fmt.Errorf("report: unknown format %q (want %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return fmt.Errorf("report: write %s: %w", format, err)
	}
	return nil
}

// block is one part of a text document: a heading, sentences, a table and a note,
// each optional. The markdown and plain writers render the same blocks.
type block struct {
	level   int // heading level, 1..3
	heading string
	bullets []string
	table   *table
	note    string
}

type table struct {
	header []string
	right  []bool // right-aligned (numeric) columns
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func itoa(n int) string { return strconv.Itoa(n) }

// document lays out the report as blocks.
func document(r *Report) []block {
	title := "On-call load report: last " + r.Window
	if r.Team != "" {
		title += ", team " + r.Team
	}
	stamp := "–"
	if !r.GeneratedAt.IsZero() {
		stamp = r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	doc := []block{{level: 1, heading: title,
		note: "Snapshot of " + stamp + ". These figures describe how on-call work is spread and what the system did, not how well anyone works."}}
	if len(r.Teams) == 0 {
		doc = append(doc, block{note: "No incident of the last " + r.Window + " for any team."})
	}
	for i := range r.Teams {
		doc = append(doc, teamBlocks(&r.Teams[i])...)
	}
	if len(r.Logs) > 0 {
		doc = append(doc, block{level: 2, heading: "Top exceptions per log"})
	}
	for _, l := range r.Logs {
		doc = append(doc, block{level: 3,
			heading: fmt.Sprintf("%s: %s, %s tracked, %d new", l.Name, plural(int(l.Exceptions), "exception event"), plural(l.Tracked, "fingerprint"), l.NewFingerprints)})
		doc = append(doc, progressBlock(l.Progress, 4))
		t := &table{header: []string{"count", "type", "location", "message"}, right: []bool{true}}
		for _, e := range l.Top {
			t.add(strconv.FormatUint(e.Count, 10), e.Type, or(e.Location, "–"), e.Message)
		}
		if len(t.rows) > 0 {
			doc = append(doc, block{table: t})
		} else {
			doc = append(doc, block{note: "No exception seen."})
		}
	}
	if r.LogsOffline {
		doc = append(doc, block{note: "Exception counts are kept by the running exporter and are not in the store; see /report on the exporter."})
	}
	return doc
}

func teamBlocks(t *Team) []block {
	out := []block{{level: 2, heading: t.Name, bullets: t.Headline}}
	fig := &table{header: []string{"incidents", "open", "open, worked solo", "bus factor", "Gini", "MTTA", "MTTR", "resolve p50", "resolve p90", "recurring", "long, worked solo"},
		right: []bool{true, true, true, true, true, true, true, true, true, true, true}}
	na := "–"
	solo, bus, gini, mtta, mttr, p50, p90, soloLong := na, na, na, na, na, na, na, na
	if t.HasSolo {
		solo = itoa(t.OpenSolo)
	}
	if t.HasLoad {
		bus, gini = itoa(t.BusFactor), fmt.Sprintf("%.2f", t.Gini)
	}
	if t.HasMTTA {
		mtta = Duration(t.MTTA)
	}
	if t.HasMTTR {
		mttr, p50, p90 = Duration(t.MTTR), Duration(t.ResolveP50), Duration(t.ResolveP90)
	}
	if t.Engagement {
		soloLong = itoa(t.SoloLong)
	}
	fig.add(itoa(t.Incidents), itoa(t.Open), solo, bus, gini, mtta, mttr, p50, p90, itoa(t.Recurrent), soloLong)
	out = append(out, block{table: fig}, progressBlock(t.Progress, 3))

	if len(t.People) > 0 {
		pt := &table{header: []string{"person", "incidents", "load share", "pages business", "pages off hours", "pages sleep",
			"engaged business", "engaged off hours", "engaged sleep", "off-rotation"},
			right: []bool{false, true, true, true, true, true, true, true, true, true}}
		for _, p := range t.People {
			off := na
			if t.OnCall {
				off = itoa(p.OffRotation)
			}
			pages := []string{na, na, na}
			if t.Pages {
				pages = []string{itoa(p.Pages.Business), itoa(p.Pages.OffHours), itoa(p.Pages.Sleep)}
			}
			pt.add(append(append([]string{p.Label, itoa(p.Incidents), percent(p.Share)}, pages...),
				Hours(p.Engaged.Business), Hours(p.Engaged.OffHours), Hours(p.Engaged.Sleep), off)...)
		}
		if o := t.Others; o != nil {
			pages := []string{na, na, na}
			if t.Pages {
				pages = []string{itoa(o.Pages.Business), itoa(o.Pages.OffHours), itoa(o.Pages.Sleep)}
			}
			pt.add(append(append([]string{fmt.Sprintf("(%d more)", o.People), itoa(o.Incidents), percent(o.Share)}, pages...),
				na, na, na, na)...)
		}
		out = append(out, block{level: 3, heading: "Load, pages and engaged time per person", table: pt})
	}

	rec := block{level: 3, heading: "Recurring incidents by service"}
	if len(t.Recurring) == 0 {
		rec.note = "No incident came back within the recurrence window."
	} else {
		rt := &table{header: []string{"service", "recurring"}, right: []bool{false, true}}
		for _, s := range t.Recurring {
			rt.add(s.Service, itoa(s.Count))
		}
		rec.table = rt
	}
	out = append(out, rec)

	off := block{level: 3, heading: "Help from outside the rotation"}
	switch {
	case !t.OnCall:
		off.note = "The team's sources have no on-call shifts."
	case len(t.OffRotation) == 0:
		off.note = "Everyone who engaged was on call."
	default:
		ot := &table{header: []string{"person", "incidents while not on call"}, right: []bool{false, true}}
		for _, p := range t.OffRotation {
			ot.add(p.Person, itoa(p.Count))
		}
		off.table = ot
	}
	return append(out, off)
}

func progressBlock(p Progress, level int) block {
	b := block{level: level, heading: "Progress against the previous " + p.Window}
	if p.Available {
		for _, t := range p.Trends {
			mark := ""
			if t.Good() {
				mark = " (better)"
			}
			b.bullets = append(b.bullets, t.Name+" "+t.Describe()+mark)
		}
		for _, q := range p.Quiet {
			b.bullets = append(b.bullets, fmt.Sprintf("%s: no incident for %d days (better)", q.Service, q.Days))
		}
		if p.Retired > 0 {
			b.bullets = append(b.bullets, fmt.Sprintf("%s that fired in the previous %s went quiet (better)", plural(p.Retired, "fingerprint"), p.Window))
		}
	}
	if len(p.Missing) > 0 {
		b.note = "Not in this snapshot: " + strings.Join(p.Missing, ", ") + "."
	}
	return b
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// mdCell escapes what would break a markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}

func writeMarkdown(w *bufio.Writer, doc []block) {
	for _, b := range doc {
		if b.heading != "" {
			fmt.Fprintf(w, "%s %s\n\n", strings.Repeat("#", b.level), mdCell(b.heading))
		}
		for _, s := range b.bullets {
			fmt.Fprintf(w, "- %s\n", mdCell(s))
		}
		if len(b.bullets) > 0 {
			w.WriteString("\n")
		}
		if t := b.table; t != nil {
			cells := make([]string, len(t.header))
			for i, h := range t.header {
				cells[i] = mdCell(h)
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
			for i := range t.header {
				if i < len(t.right) && t.right[i] {
					cells[i] = "---:"
				} else {
					cells[i] = "---"
				}
			}
			fmt.Fprintf(w, "|%s|\n", strings.Join(cells, "|"))
			for _, row := range t.rows {
				for i, c := range row {
					cells[i] = mdCell(c)
				}
				fmt.Fprintf(w, "| %s |\n", strings.Join(cells[:len(row)], " | "))
			}
			w.WriteString("\n")
		}
		if b.note != "" {
			fmt.Fprintf(w, "_%s_\n\n", mdCell(b.note))
		}
	}
}

func writePlain(w *bufio.Writer, doc []block) {
	for _, b := range doc {
		switch {
		case b.heading == "":
		case b.level <= 2:
			rule := "="
			if b.level == 2 {
				rule = "-"
			}
			fmt.Fprintf(w, "%s\n%s\n\n", b.heading, strings.Repeat(rule, len([]rune(b.heading))))
		default:
			fmt.Fprintf(w, "%s:\n", b.heading)
		}
		for _, s := range b.bullets {
			fmt.Fprintf(w, "  * %s\n", s)
		}
		if t := b.table; t != nil {
			writePlainTable(w, t)
		}
		if b.note != "" {
			fmt.Fprintf(w, "  %s\n", b.note)
		}
		if b.level > 2 || b.bullets != nil || b.table != nil || b.note != "" {
			w.WriteString("\n")
		}
	}
}

// writePlainTable aligns numeric columns right and text columns left. tabwriter
// aligns every column one way, so text cells are padded by hand.
func writePlainTable(w *bufio.Writer, t *table) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	widths := make([]int, len(t.header))
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	line := func(row []string) {
		var b strings.Builder
		for i, c := range row {
			right := i < len(t.right) && t.right[i]
			if !right && i < len(row)-1 {
				c += strings.Repeat(" ", widths[i]-len([]rune(c)))
			}
			if !right && i == len(row)-1 {
				// The last text column is not padded (no trailing blanks); it ends the
				// line outside the tabwriter's cells.
				b.WriteString("  " + c)
				continue
			}
			b.WriteString("  " + c + "\t")
		}
		fmt.Fprintln(tw, b.String())
	}
	line(t.header)
	for _, row := range t.rows {
		line(row)
	}
	_ = tw.Flush() // w is a bufio.Writer; its error surfaces at its Flush
}
