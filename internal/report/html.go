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

// HTMLOptions tune the page.
type HTMLOptions struct {
	// Wall selects the wall-display view: larger type and a periodic reload.
	Wall bool
	// Refresh is the reload period of the wall view in seconds; 0 takes DefaultRefresh.
	Refresh int
}

// WriteHTML renders r as one self-contained HTML page: inline CSS and SVG, no script,
// no external asset.
func WriteHTML(w io.Writer, r *Report, opts HTMLOptions) error {
	if opts.Refresh <= 0 {
		opts.Refresh = DefaultRefresh
	}
	var b bytes.Buffer
	err := page.Execute(&b, struct {
		R       *Report
		Wall    bool
		Refresh int
	}{r, opts.Wall, opts.Refresh})
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
