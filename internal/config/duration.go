package config

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Duration is a Prometheus-syntax duration ("90d", "1m30s") that remembers where in the
// file it was written, so validation errors can name the line.
type Duration struct {
	D    time.Duration
	Text string // as written, used as the window label ("28d", not "4w")
	Line int
}

// NewDuration returns a Duration for a Prometheus-syntax string known to be valid.
func NewDuration(s string) Duration {
	v, err := model.ParseDuration(s)
	if err != nil {
		panic(fmt.Sprintf("config: bad built-in duration %q", s))
	}
	return Duration{D: time.Duration(v), Text: s}
}

// UnmarshalYAML parses the duration with model.ParseDuration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	// A *yaml.TypeError lets the decoder carry on and report every bad field at once.
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: duration must be a string like 90d or 1m", n.Line)}}
	}
	s := n.Value
	v, err := model.ParseDuration(s)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: invalid duration %q (Prometheus syntax, e.g. 30s, 5m, 7d): %v", n.Line, s, err)}}
	}
	d.D, d.Text, d.Line = time.Duration(v), s, n.Line
	return nil
}

// IsZero reports an unset duration, so that omitempty leaves it out when a Config is
// marshalled (a written "0s" is kept: it has a line).
func (d Duration) IsZero() bool { return d.D == 0 && d.Text == "" && d.Line == 0 }

// MarshalYAML writes the duration back in Prometheus syntax.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// String renders the duration in Prometheus syntax.
func (d Duration) String() string {
	if d.Text != "" {
		return d.Text
	}
	return model.Duration(d.D).String()
}
