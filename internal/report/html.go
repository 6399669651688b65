package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/url"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var pageSource string

// DefaultRefresh is how often the wall view reloads itself, in seconds. The analytics
// recompute every 30 s by default.
const DefaultRefresh = 60

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"stamp": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"link":   link,
	"dur":    Duration,
	"hours":  Hours,
	"pct":    percent,
	"addf":   func(a, b float64) float64 { return round1(a + b) },
	"scale":  scale,
	"scalei": func(v, maxV int, w float64) float64 { return scale(float64(v), float64(maxV), w) },
	"maxEngaged": func(ps []Person) float64 {
		m := 0.0
		for _, p := range ps {
			m = max(m, p.Engaged.Total())
		}
		return m
	},
	"join": strings.Join,
	"count": func(n any, noun string) string {
		if fmt.Sprint(n) == "1" {
			return "1 " + noun
		}
		return fmt.Sprintf("%v %ss", n, noun)
	},
	"others": func(n int) string {
		if n == 1 {
			return "1 more person"
		}
		return fmt.Sprintf("%d more people", n)
	},
}).Parse(pageSource))

// DefaultMaxSections is the number of teams the page shows with their charts; with more
// teams (and none selected) it shows one overview line per team, linking to each.
const DefaultMaxSections = 12

// HTMLOptions tune the page.
type HTMLOptions struct {
	// Wall selects the wall-display view: larger type and a periodic reload.
	Wall bool
	// Refresh is the reload period of the wall view in seconds; 0 takes DefaultRefresh.
	Refresh int
	// MaxSections: more teams than this are shown as overview lines; 0 takes
	// DefaultMaxSections, a negative value always shows every section.
	MaxSections int
}

func (o HTMLOptions) withDefaults() HTMLOptions {
	if o.Refresh <= 0 {
		o.Refresh = DefaultRefresh
	}
	if o.MaxSections == 0 {
		o.MaxSections = DefaultMaxSections
	}
	return o
}

// WriteHTML renders r as one self-contained HTML page: inline CSS and SVG, no script,
// no external asset.
func WriteHTML(w io.Writer, r *Report, opts HTMLOptions) error {
	opts = opts.withDefaults()
	teams, err := renderTeams(r, opts)
	if err != nil {
		return err
	}
	return writePage(w, r, opts, teams)
}

// renderTeams renders the team part of the page: it depends on the snapshot and the
// selection only, so the handler keeps it per snapshot.
func renderTeams(r *Report, opts HTMLOptions) (template.HTML, error) {
	var b bytes.Buffer
	err := page.ExecuteTemplate(&b, "teams", struct {
		R        *Report
		Wall     bool
		Overview bool
	}{r, opts.Wall, r.Team == "" && opts.MaxSections > 0 && len(r.Teams) > opts.MaxSections})
	if err != nil {
		return "", fmt.Errorf("report: render HTML: %w", err)
	}
	return template.HTML(b.String()), nil // #nosec G203 -- produced by html/template above
}

func writePage(w io.Writer, r *Report, opts HTMLOptions, teams template.HTML) error {
	var b bytes.Buffer
	maxSections := opts.MaxSections
	if maxSections < 0 {
		maxSections = len(r.TeamNames)
	}
	err := page.Execute(&b, struct {
		R           *Report
		Wall        bool
		Refresh     int
		MaxSections int
		TeamsHTML   template.HTML
	}{r, opts.Wall, opts.Refresh, maxSections, teams})
	if err != nil {
		return fmt.Errorf("report: render HTML: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("report: write HTML: %w", err)
	}
	return nil
}

// link is the relative URL of the page with another selection.
func link(window, team string, wall bool) string {
	q := url.Values{}
	if window != "" {
		q.Set("window", window)
	}
	if team != "" {
		q.Set("team", team)
	}
	if wall {
		q.Set("wall", "1")
	}
	return "?" + q.Encode()
}

// scale maps v in [0, maxV] to [0, w], rounded to a tenth.
func scale(v, maxV, w float64) float64 {
	if maxV <= 0 || v <= 0 {
		return 0
	}
	return round1(math.Min(v/maxV, 1) * w)
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
