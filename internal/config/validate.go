package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/pseudonym"
	"github.com/hero-exporter/hero_exporter/internal/regularfile"
)

type validator struct {
	file  string
	lines map[string]int
	errs  []error
}

// fail records a problem at field path p; the line is that of p or its nearest parent.
func (v *validator) fail(p, format string, args ...any) {
	line := 0
	for q := p; q != ""; q = parentPath(q) {
		if l, ok := v.lines[q]; ok {
			line = l
			break
		}
	}
	v.errs = append(v.errs, &Error{File: v.file, Line: line, Field: p, Msg: fmt.Sprintf(format, args...)})
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

var (
	nameRE      = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	personLabel = map[string]bool{"name": true, "email": true, "id": true, "hashed": true}
	dayNames    = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
		"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}
	logFormats = map[string]bool{"auto": true, "text": true, "json": true, "cri": true, "docker": true}
)

// historyNeeded is incident.Settings.HistoryNeeded of c, without building the settings
// (which needs a valid configuration).
func (c *Config) historyNeeded() time.Duration {
	s := incident.Settings{RecurrenceWithin: c.Thresholds.RecurrenceWithin.D}
	for _, w := range c.Windows {
		s.Windows = append(s.Windows, incident.Window{D: w.D})
	}
	return s.HistoryNeeded()
}

// Retention is how long the store keeps records after they ended: storage.retention,
// or what the analytics need.
func (c *Config) Retention() time.Duration {
	if c.Storage.Retention.D > 0 {
		return c.Storage.Retention.D
	}
	return c.historyNeeded()
}

// hashKey reads hash_key_file, required with person_label: hashed: an unkeyed hash of an
// email is re-identified by hashing a staff list.
func (v *validator) hashKey(c *Config) {
	if c.HashKeyFile == "" {
		if c.PersonLabel == "hashed" {
			v.fail("person_label", "hashed needs hash_key_file: a file with a secret key of at least %d bytes (for example: head -c 32 /dev/urandom | base64 > hero.key)", pseudonym.MinKeyBytes)
		}
		return
	}
	b, err := regularfile.Read(c.HashKeyFile, regularfile.SecretLimit)
	switch key := strings.TrimSpace(string(b)); {
	case err != nil:
		v.fail("hash_key_file", "cannot read hash key file: %v", err)
	case len(key) < pseudonym.MinKeyBytes:
		v.fail("hash_key_file", "the key in %s is shorter than %d bytes", c.HashKeyFile, pseudonym.MinKeyBytes)
	default:
		c.HashKey = Secret(key)
	}
}

func (v *validator) config(c *Config) {
	if !personLabel[c.PersonLabel] {
		v.fail("person_label", "must be one of name, email, id, hashed, got %q", c.PersonLabel)
	}
	v.hashKey(c)
	seen := map[time.Duration]bool{}
	for i, w := range c.Windows {
		p := fmt.Sprintf("windows[%d]", i)
		if w.D <= 0 {
			v.fail(p, "window must be positive")
		}
		if seen[w.D] {
			v.fail(p, "window %s is listed twice", w)
		}
		seen[w.D] = true
	}
	if _, err := time.LoadLocation(c.Hours.DefaultTimezone); err != nil {
		v.fail("hours.default_timezone", "unknown IANA time zone %q", c.Hours.DefaultTimezone)
	}
	v.hours("hours", &c.Hours, nil)
	if c.Thresholds.SoloAfter.D <= 0 {
		v.fail("thresholds.solo_after", "must be positive")
	}
	if c.Thresholds.RecurrenceWithin.D <= 0 {
		v.fail("thresholds.recurrence_within", "must be positive")
	}
	if c.Thresholds.ChangeFailureWithin.D <= 0 {
		v.fail("thresholds.change_failure_within", "must be positive")
	}
	if r := c.Storage.Retention; r.Line > 0 {
		if need := c.historyNeeded(); r.D < need {
			v.fail("storage.retention", "%s is shorter than the history the analytics need, %s (twice the longest window plus thresholds.recurrence_within)", r, incident.FormatDuration(need))
		}
	}
	teams := map[string]bool{}
	for i, t := range c.Teams {
		p := fmt.Sprintf("teams[%d]", i)
		if t.Name == "" {
			v.fail(p+".name", "is required")
		} else if teams[t.Name] {
			v.fail(p+".name", "team %q is listed twice", t.Name)
		}
		teams[t.Name] = true
		if t.Hours.DefaultTimezone != "" {
			v.fail(p+".hours.default_timezone", "is only allowed at the top level; set a person's zone under people")
		}
		v.hours(p+".hours", &t.Hours, &c.Hours)
	}
	for i, o := range c.People {
		p := fmt.Sprintf("people[%d]", i)
		if o.Match.Email == "" && o.Match.Name == "" && o.Match.ID == "" {
			v.fail(p+".match", "needs at least one of email, name, id")
		}
		if o.Match.Name != "" && c.PersonLabel == "hashed" {
			v.fail(p+".match.name", "names are not stored with person_label: hashed; match by email or id")
		}
		if o.Timezone != "" {
			if _, err := time.LoadLocation(o.Timezone); err != nil {
				v.fail(p+".timezone", "unknown IANA time zone %q", o.Timezone)
			}
		}
		if o.Timezone == "" && o.Hours == nil {
			v.fail(p, "sets neither timezone nor hours")
		}
		if o.Hours != nil {
			if o.Hours.DefaultTimezone != "" {
				v.fail(p+".hours.default_timezone", "is not allowed here; use timezone")
			}
			v.hours(p+".hours", o.Hours, &c.Hours)
		}
	}
	names := map[string]bool{}
	for i := range c.Sources {
		v.source(fmt.Sprintf("sources[%d]", i), &c.Sources[i], names)
	}
	logs := map[string]bool{}
	for i, l := range c.Logs {
		p := fmt.Sprintf("logs[%d]", i)
		switch {
		case l.Name == "":
			v.fail(p+".name", "is required")
		case !nameRE.MatchString(l.Name):
			v.fail(p+".name", "%q may only contain letters, digits, '_', '.' and '-'", l.Name)
		case logs[l.Name]:
			v.fail(p+".name", "log %q is listed twice", l.Name)
		}
		logs[l.Name] = true
		if len(l.Paths) == 0 {
			v.fail(p+".paths", "needs at least one path or glob")
		}
		for j, g := range l.Paths {
			if g == "" {
				v.fail(fmt.Sprintf("%s.paths[%d]", p, j), "is empty")
			}
		}
		if !logFormats[l.Format] {
			v.fail(p+".format", "must be auto, text, json, cri or docker, got %q", l.Format)
		}
		for j, g := range l.Exclude {
			if _, err := filepath.Match(g, ""); err != nil || g == "" {
				v.fail(fmt.Sprintf("%s.exclude[%d]", p, j), "%q is not a valid glob", g)
			}
		}
		for j, m := range l.Mask {
			if _, err := regexp.Compile(m); err != nil || m == "" {
				v.fail(fmt.Sprintf("%s.mask[%d]", p, j), "%q is not a valid regular expression", m)
			}
		}
		if l.Messages != "" && l.Messages != "masked" && l.Messages != "drop" {
			v.fail(p+".messages", "must be masked or drop, got %q", l.Messages)
		}
		if l.LabelFromPath != "" && l.LabelFromPath != "kubernetes" {
			v.fail(p+".label_from_path", "must be kubernetes (or absent), got %q", l.LabelFromPath)
		}
		if l.PollInterval.D < 0 || !l.PollInterval.IsZero() && l.PollInterval.D < 10*time.Millisecond {
			v.fail(p+".poll_interval", "must be at least 10ms, got %s", l.PollInterval)
		}
		if l.TopK < 1 || l.TopK > 10000 {
			v.fail(p+".top_k", "must be between 1 and 10000, got %d", l.TopK)
		}
	}
}

// hours checks h. In an override, base is the top-level hours: a field left unset
// keeps the base value (as Analytics merges them), so a partial override such as
// business: {start: "10:00"} is checked against the inherited end. Parse errors are
// reported only where the field is written; the base reports its own.
func (v *validator) hours(p string, h *Hours, base *Hours) {
	if b := h.Business; b != nil {
		startS, endS := b.Start, b.End
		if base != nil && base.Business != nil {
			startS, endS = or(startS, base.Business.Start), or(endS, base.Business.End)
		}
		start, err1 := parseClock(startS)
		end, err2 := parseClock(endS)
		if err1 != nil && (b.Start != "" || base == nil) {
			v.fail(p+".business.start", "%v", err1)
		}
		if err2 != nil && (b.End != "" || base == nil) {
			v.fail(p+".business.end", "%v", err2)
		}
		if err1 == nil && err2 == nil && end <= start {
			v.fail(p+".business", "end %s must be after start %s", endS, startS)
		}
		seen := map[string]bool{}
		for i, d := range b.Days {
			if _, ok := dayNames[strings.ToLower(d)]; !ok {
				v.fail(fmt.Sprintf("%s.business.days[%d]", p, i), "unknown day %q, want mon, tue, wed, thu, fri, sat or sun", d)
			} else if seen[strings.ToLower(d)] {
				v.fail(fmt.Sprintf("%s.business.days[%d]", p, i), "day %q is listed twice", d)
			}
			seen[strings.ToLower(d)] = true
		}
	}
	if s := h.Sleep; s != nil {
		startS, endS := s.Start, s.End
		if base != nil && base.Sleep != nil {
			startS, endS = or(startS, base.Sleep.Start), or(endS, base.Sleep.End)
		}
		start, err1 := parseClock(startS)
		end, err2 := parseClock(endS)
		if err1 != nil && (s.Start != "" || base == nil) {
			v.fail(p+".sleep.start", "%v", err1)
		}
		if err2 != nil && (s.End != "" || base == nil) {
			v.fail(p+".sleep.end", "%v", err2)
		}
		if err1 == nil && err2 == nil && start == end {
			v.fail(p+".sleep", "start and end are both %s", startS)
		}
	}
	for i, c := range h.Holidays {
		if _, ok := holidayCountries[strings.ToUpper(c)]; !ok {
			v.fail(fmt.Sprintf("%s.holidays[%d]", p, i), "no holiday calendar for country %q (known: %s)", c, knownCountries())
		}
	}
}

func (v *validator) source(p string, s *Source, names map[string]bool) {
	switch {
	case s.Name == "":
		v.fail(p+".name", "is required")
	case !nameRE.MatchString(s.Name):
		v.fail(p+".name", "%q may only contain letters, digits, '_', '.' and '-'", s.Name)
	case names[s.Name]:
		v.fail(p+".name", "source %q is listed twice; names must be unique", s.Name)
	}
	names[s.Name] = true
	if s.Type == "" {
		v.fail(p+".type", "is required")
		return
	}
	t, ok := LookupSourceType(s.Type)
	if !ok {
		v.fail(p+".type", "unknown source type %q (known: %s)", s.Type, strings.Join(SourceTypeNames(), ", "))
		return
	}
	used := map[string]bool{
		"base_url": s.BaseURL != "", "token_file": s.TokenFile != "", "token_env": s.TokenEnv != "",
		"history": s.History.Line > 0, "timeout": s.Timeout.Line > 0, "path": s.Path != "",
		"seed": s.Seed != 0, "labels": s.Labels != nil, "max_body_bytes": s.MaxBodyBytes != 0,
		"secret_file": s.SecretFile != "", "environments": s.Environments != nil,
		"requests_per_minute":   s.RequestsPerMinute != 0,
		"allow_unauthenticated": s.AllowUnauthenticated, "max_label_values": s.MaxLabelValues != 0,
		"allowed_teams": s.AllowedTeams != nil, "allowed_services": s.AllowedServices != nil,
	}
	for _, f := range []string{"base_url", "token_file", "token_env", "history", "timeout", "path", "seed", "labels", "max_body_bytes",
		"secret_file", "environments", "requests_per_minute", "allow_unauthenticated", "max_label_values", "allowed_teams", "allowed_services"} {
		if used[f] && !t.uses(f) {
			v.fail(p+"."+f, "is not used by %s sources", s.Type)
		}
	}
	if s.RefreshInterval.D <= 0 {
		v.fail(p+".refresh_interval", "must be positive")
	}
	if t.uses("history") && s.History.D <= 0 {
		v.fail(p+".history", "must be positive")
	}
	if t.uses("timeout") && s.Timeout.D <= 0 {
		v.fail(p+".timeout", "must be positive")
	}
	if t.uses("base_url") && s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		switch {
		case err != nil:
			// Not echoed: the text may hold credentials.
			v.fail(p+".base_url", "must be an http(s) URL; it does not parse as a URL")
		case (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			v.fail(p+".base_url", "must be an http(s) URL, got %q", u.Redacted())
		case u.User != nil:
			v.fail(p+".base_url", "must not carry credentials; use token_file or token_env")
		}
	}
	if t.NeedsToken && s.TokenFile == "" && s.TokenEnv == "" {
		v.fail(p, "needs token_file or token_env")
	}
	if t.Check != nil {
		t.Check(s, func(field, format string, args ...any) {
			fp := p
			if field != "" {
				fp += "." + field
			}
			v.fail(fp, format, args...)
		})
	}
	if s.SecretFile != "" && t.uses("secret_file") {
		b, err := regularfile.Read(s.SecretFile, regularfile.SecretLimit)
		if err != nil {
			v.fail(p+".secret_file", "cannot read secret file: %v", err)
		} else if sec := strings.TrimSpace(string(b)); sec == "" {
			v.fail(p+".secret_file", "secret file %s is empty", s.SecretFile)
		} else {
			s.Secret = Secret(sec)
		}
	}
	if s.TokenFile != "" && s.TokenEnv != "" {
		v.fail(p+".token_env", "set token_file or token_env, not both")
		return
	}
	switch {
	case s.TokenFile != "":
		b, err := regularfile.Read(s.TokenFile, regularfile.SecretLimit)
		if err != nil {
			v.fail(p+".token_file", "cannot read token file: %v", err)
		} else if t := strings.TrimSpace(string(b)); t == "" {
			v.fail(p+".token_file", "token file %s is empty", s.TokenFile)
		} else {
			s.Token = Secret(t)
		}
	case s.TokenEnv != "":
		if t := strings.TrimSpace(os.Getenv(s.TokenEnv)); t == "" {
			v.fail(p+".token_env", "environment variable %s is not set or empty", s.TokenEnv)
		} else {
			s.Token = Secret(t)
		}
	}
}

func or(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}
