// Package config reads hero.yml: strict YAML decoding, defaults, and validation whose
// errors name the file, the line and the field.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	// Embedded IANA database: minimal containers have no /usr/share/zoneinfo.
	_ "time/tzdata"

	"go.yaml.in/yaml/v3"

	"github.com/hero-exporter/hero_exporter/internal/regularfile"
)

// Error is one problem in the configuration.
type Error struct {
	File  string
	Line  int // 0 when unknown
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Field == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Field + ": " + e.Msg
}

// Load reads and validates the configuration file at path.
func Load(path string) (*Config, error) {
	data, err := regularfile.Read(path, regularfile.ConfigLimit)
	if err != nil {
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot read config: %v", err)}
	}
	return Parse(data, path)
}

var yamlLine = regexp.MustCompile(`line (\d+): `)

// Parse decodes and validates a configuration; file names it in errors.
func Parse(data []byte, file string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(file, err, nil)
	}
	lines := map[string]int{}
	if len(root.Content) > 0 {
		indexLines(root.Content[0], "", lines)
	}
	paths := pathsByLine(lines)
	if len(root.Content) > 0 {
		indexScalars(root.Content[0], "", paths.values)
	}
	cfg := &Config{}
	if len(bytes.TrimSpace(data)) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		// A file holding only comments has no document: io.EOF, same as an empty file.
		if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
			return nil, yamlError(file, err, paths)
		}
		// A second document ("---") would otherwise be ignored without a word.
		var extra yaml.Node
		switch err := dec.Decode(&extra); {
		case err == nil:
			return nil, &Error{File: file, Line: extra.Line, Msg: "more than one YAML document; put the whole configuration in one"}
		case !errors.Is(err, io.EOF):
			return nil, yamlError(file, err, paths)
		}
	}
	cfg.File = file
	v := &validator{file: file, lines: lines}
	cfg.applyDefaults()
	v.config(cfg)
	if len(v.errs) > 0 {
		return nil, errors.Join(v.errs...)
	}
	return cfg, nil
}

// friendlier explains the one unknown key people are most likely to write. It works on
// one yaml message ("line 4: field token not found in type config.Source") so the line
// is kept.
func friendlier(msg string) string {
	return strings.Replace(msg, "field token not found in type config.Source",
		"field token is not allowed: put the token in a file (token_file) or an environment variable (token_env)", 1)
}

// yamlError turns yaml.v3's "yaml: line 3: ..." messages into "file:3: field.path: ...";
// paths are the key paths written on each line (see pathsByLine).
func yamlError(file string, err error, paths *linePaths) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		errs := make([]error, 0, len(te.Errors))
		for _, m := range te.Errors {
			errs = append(errs, lineError(file, m, paths))
		}
		return errors.Join(errs...)
	}
	return lineError(file, strings.TrimPrefix(err.Error(), "yaml: "), paths)
}

func lineError(file, msg string, paths *linePaths) error {
	msg = friendlier(msg)
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil && m[0] == 0 {
		line, _ := strconv.Atoi(msg[m[2]:m[3]])
		rest := msg[m[1]:]
		return &Error{File: file, Line: line, Field: fieldAt(paths, line, rest), Msg: rest}
	}
	return &Error{File: file, Msg: msg}
}

// linePaths are the key paths written on each line, and the scalar value of each path.
type linePaths struct {
	byLine map[int][]string
	values map[string]string
}

// pathsByLine inverts the line index: for every line, the key paths written on it.
func pathsByLine(lines map[string]int) *linePaths {
	lp := &linePaths{byLine: map[int][]string{}, values: map[string]string{}}
	for p, l := range lines {
		lp.byLine[l] = append(lp.byLine[l], p)
	}
	return lp
}

// indexScalars records the value of every scalar by its path.
func indexScalars(n *yaml.Node, prefix string, values map[string]string) {
	switch n.Kind {
	case yaml.ScalarNode:
		values[prefix] = n.Value
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := n.Content[i].Value
			if prefix != "" {
				p = prefix + "." + p
			}
			indexScalars(n.Content[i+1], p, values)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			indexScalars(c, fmt.Sprintf("%s[%d]", prefix, i), values)
		}
	}
}

var (
	unknownField = regexp.MustCompile(`^field (\S+) (?:not found in type|is not allowed)`)
	// quotedValue is the value a decoding message quotes: invalid duration "soon",
	// cannot unmarshal !!str `many` (long values are cut with "...").
	quotedValue = regexp.MustCompile("^[^\"`]*[\"`]([^\"`]*)[\"`]")
)

// fieldAt names the field an error on line is about, for every field, without a special
// case per type: the one path on the line holding the value the message quotes
// (`invalid duration "1 week"`: thresholds.solo_after in "{solo_after: 1 week}"), else
// the outermost key written on the line ("sources[0].refresh_interval"
// for "- refresh_interval: soon", "person_label" for "person_label: {name: x}"), or for
// an unknown key the key itself. Several keys at the same depth on one line (a flow
// mapping) are ambiguous: their common parent is named.
func fieldAt(lp *linePaths, line int, msg string) string {
	if lp == nil {
		return ""
	}
	all := lp.byLine[line]
	// A message quoting the value: the path holding that value on the line.
	if m := quotedValue.FindStringSubmatch(msg); m != nil && m[1] != "" {
		var hit []string
		for _, p := range all {
			v, ok := lp.values[p]
			if ok && (v == m[1] || strings.HasSuffix(m[1], "...") && strings.HasPrefix(v, strings.TrimSuffix(m[1], "..."))) {
				hit = append(hit, p)
			}
		}
		if len(hit) == 1 {
			return hit[0]
		}
	}
	var keys []string
	for _, p := range all {
		if !strings.HasSuffix(p, "]") { // keys rather than list items: "windows: [7x]" is about windows
			keys = append(keys, p)
		}
	}
	if len(keys) == 0 {
		keys = all
	}
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		for _, p := range keys {
			if strings.HasSuffix(p, "."+m[1]) || p == m[1] {
				return p
			}
		}
	}
	depth := func(p string) int { return strings.Count(p, ".") + strings.Count(p, "[") }
	best := ""
	for _, p := range keys {
		switch {
		case best == "" || depth(p) < depth(best):
			best = p
		case depth(p) == depth(best) && p != best:
			best = commonParent(best, p)
		}
	}
	return best
}

// commonParent is the longest field path that is a parent of (or equal to) both.
func commonParent(a, b string) string {
	for a != "" && !(b == a || strings.HasPrefix(b, a+".") || strings.HasPrefix(b, a+"[")) {
		a = parentPath(a)
	}
	return a
}

// indexLines records the line of every key path ("sources[0].name") in the document.
func indexLines(n *yaml.Node, prefix string, lines map[string]int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			lines[p] = k.Line
			indexLines(val, p, lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", prefix, i)
			lines[p] = c.Line
			indexLines(c, p, lines)
		}
	}
}

func (c *Config) applyDefaults() {
	if c.PersonLabel == "" {
		c.PersonLabel = "name"
	}
	if len(c.Windows) == 0 {
		c.Windows = []Duration{NewDuration("7d"), NewDuration("28d")}
	}
	if c.Hours.DefaultTimezone == "" {
		c.Hours.DefaultTimezone = "UTC"
	}
	if c.Hours.Business == nil {
		c.Hours.Business = &Business{}
	}
	if c.Hours.Business.Start == "" {
		c.Hours.Business.Start = "08:00"
	}
	if c.Hours.Business.End == "" {
		c.Hours.Business.End = "18:00"
	}
	if c.Hours.Business.Days == nil {
		c.Hours.Business.Days = []string{"mon", "tue", "wed", "thu", "fri"}
	}
	if c.Hours.Sleep == nil {
		c.Hours.Sleep = &ClockRange{}
	}
	if c.Hours.Sleep.Start == "" {
		c.Hours.Sleep.Start = "22:00"
	}
	if c.Hours.Sleep.End == "" {
		c.Hours.Sleep.End = "08:00"
	}
	if c.Thresholds.SoloAfter.D == 0 && c.Thresholds.SoloAfter.Line == 0 {
		c.Thresholds.SoloAfter = NewDuration("20m")
	}
	if c.Thresholds.ChangeFailureWithin.D == 0 && c.Thresholds.ChangeFailureWithin.Line == 0 {
		c.Thresholds.ChangeFailureWithin = NewDuration("1h")
	}
	if c.Thresholds.RecurrenceWithin.D == 0 && c.Thresholds.RecurrenceWithin.Line == 0 {
		c.Thresholds.RecurrenceWithin = NewDuration("7d")
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		t, _ := LookupSourceType(s.Type) // an unknown type fails validation
		if s.RefreshInterval.D == 0 && s.RefreshInterval.Line == 0 {
			s.RefreshInterval = NewDuration(or(t.RefreshInterval, "1m"))
		}
		if s.History.D == 0 && s.History.Line == 0 && t.History != "" {
			s.History = NewDuration(t.History)
		}
		if s.Timeout.D == 0 && s.Timeout.Line == 0 && t.Timeout != "" {
			s.Timeout = NewDuration(t.Timeout)
		}
	}
	for i := range c.Logs {
		l := &c.Logs[i]
		if l.Format == "" {
			l.Format = "auto"
		}
		if l.TopK == 0 {
			l.TopK = 100
		}
	}
}

// parseClock parses "HH:MM" (24:00 allowed as an end) into minutes since midnight.
func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		if s == "24:00" {
			return 24 * 60, nil
		}
		return 0, fmt.Errorf("invalid time %q, want HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}
