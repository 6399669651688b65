package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

// fakeToken is a recognisable secret: it must never appear in an error or a printout.
const fakeToken = "hx-FAKE-TOKEN-7f3a9c1e5b"

// tokenDir makes a directory with a token file holding fakeToken and an empty one.
func tokenDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pd.token"), []byte(fakeToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.token"), []byte(" \n\t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// flatten returns the *Error values of a (possibly joined) error, in order.
func flatten(t *testing.T, err error) []Error {
	t.Helper()
	var out []Error
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, c := range j.Unwrap() {
				walk(c)
			}
			return
		}
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("error %q (%T) is not a *config.Error", e, e)
		}
		out = append(out, *ce)
	}
	walk(err)
	return out
}

func TestParseErrors(t *testing.T) {
	const known = "AR, AT, BE, BG, BR, CA, CH, CZ, DE, DK, ES, FR, GB, GR, HR, IE, IT, JP, LT, LV, NL, NO, NZ, PL, RO, RU, SE, SI, SK, UA, UK, US, ZA"
	// In yaml and in the expected messages, {{dir}} is the token directory.
	tests := []struct {
		name string
		yaml string
		want []Error // File is always hero.yml
	}{
		// Decoding: strict keys, syntax, types, durations.
		{
			name: "unknown top-level key",
			yaml: "windows: [7d]\nwindow: [28d]\n",
			want: []Error{{Line: 2, Field: "window", Msg: "field window not found in type config.Config"}},
		},
		{
			name: "unknown nested key",
			yaml: "hours:\n  business:\n    begin: \"08:00\"\n",
			want: []Error{{Line: 3, Field: "hours.business.begin", Msg: "field begin not found in type config.Business"}},
		},
		{
			name: "unknown keys at several levels are all reported",
			yaml: "hours: {tz: UTC}\nsources:\n  - name: pd\n    kind: pagerduty\n",
			want: []Error{
				{Line: 1, Field: "hours.tz", Msg: "field tz not found in type config.Hours"},
				{Line: 4, Field: "sources[0].kind", Msg: "field kind not found in type config.Source"},
			},
		},
		{
			name: "inline token is refused with a hint, value not echoed",
			yaml: "sources:\n  - name: pd\n    type: pagerduty\n    token: " + fakeToken + "\n",
			want: []Error{{Line: 4, Field: "sources[0].token", Msg: "field token is not allowed: put the token in a file (token_file) or an environment variable (token_env)"}},
		},
		{
			name: "bad YAML syntax",
			yaml: "windows: [7d, 28d\nhours: {}\n",
			want: []Error{{Line: 1, Msg: "did not find expected ',' or ']'"}},
		},
		{
			name: "second YAML document",
			yaml: "windows: [7d]\n---\nwindows: [28d]\n",
			want: []Error{{Line: 2, Msg: "more than one YAML document; put the whole configuration in one"}},
		},
		{
			// yaml.v3 names the line where the enclosing block starts.
			name: "bad indentation",
			yaml: "hours:\n  business:\n    start: \"08:00\"\n   end: \"18:00\"\n",
			want: []Error{{Line: 1, Msg: "did not find expected key"}},
		},
		{
			name: "string where a list is expected",
			yaml: "logs:\n  - name: app\n    paths: /var/log/app.log\n",
			want: []Error{{Line: 3, Field: "logs[0].paths", Msg: "cannot unmarshal !!str `/var/lo...` into []string"}},
		},
		{
			name: "windows as a string",
			yaml: "windows: 7d\n",
			want: []Error{{Line: 1, Field: "windows", Msg: "cannot unmarshal !!str `7d` into []config.Duration"}},
		},
		{
			name: "mapping where a string is expected",
			yaml: "person_label: {name: x}\n",
			want: []Error{{Line: 1, Field: "person_label", Msg: "cannot unmarshal !!map into string"}},
		},
		{
			name: "invalid duration",
			yaml: "thresholds:\n  solo_after: 5 minutes\n",
			want: []Error{{Line: 2, Field: "thresholds.solo_after", Msg: `invalid duration "5 minutes" (Prometheus syntax, e.g. 30s, 5m, 7d): unknown unit " minutes" in duration "5 minutes"`}},
		},
		{
			name: "negative duration",
			yaml: "thresholds:\n  recurrence_within: -7d\n",
			want: []Error{{Line: 2, Field: "thresholds.recurrence_within", Msg: `invalid duration "-7d" (Prometheus syntax, e.g. 30s, 5m, 7d): not a valid duration string: "-7d"`}},
		},
		{
			name: "duration as a list",
			yaml: "thresholds:\n  solo_after: [20m]\n",
			want: []Error{{Line: 2, Field: "thresholds.solo_after", Msg: "duration must be a string like 90d or 1m"}},
		},
		{
			name: "several bad durations are all reported",
			yaml: "windows: [7d, 1 week]\nthresholds:\n  solo_after: 20 min\n",
			want: []Error{
				{Line: 1, Field: "windows[1]", Msg: `invalid duration "1 week" (Prometheus syntax, e.g. 30s, 5m, 7d): unknown unit " week" in duration "1 week"`},
				{Line: 3, Field: "thresholds.solo_after", Msg: `invalid duration "20 min" (Prometheus syntax, e.g. 30s, 5m, 7d): unknown unit " min" in duration "20 min"`},
			},
		},
		{
			name: "zero durations",
			yaml: "windows: [0s]\nthresholds:\n  solo_after: 0s\n  recurrence_within: \"0\"\n" +
				"sources:\n  - name: f\n    type: file\n    path: /tmp/x.ndjson\n    refresh_interval: 0s\n" +
				"  - name: pd\n    type: pagerduty\n    token_env: HERO_TEST_TOKEN\n    history: 0d\n    timeout: 0s\n",
			want: []Error{
				{Line: 1, Field: "windows[0]", Msg: "window must be positive"},
				{Line: 3, Field: "thresholds.solo_after", Msg: "must be positive"},
				{Line: 4, Field: "thresholds.recurrence_within", Msg: "must be positive"},
				{Line: 9, Field: "sources[0].refresh_interval", Msg: "must be positive"},
				{Line: 13, Field: "sources[1].history", Msg: "must be positive"},
				{Line: 14, Field: "sources[1].timeout", Msg: "must be positive"},
			},
		},
		{
			name: "duplicate window",
			yaml: "windows: [7d, 28d, 1w]\n",
			want: []Error{{Line: 1, Field: "windows[2]", Msg: "window 1w is listed twice"}},
		},
		{
			name: "bad person_label",
			yaml: "person_label: nickname\n",
			want: []Error{{Line: 1, Field: "person_label", Msg: `must be one of name, email, id, hashed, got "nickname"`}},
		},

		// Time zones and hours.
		{
			name: "unknown time zone at top level",
			yaml: "hours:\n  default_timezone: Mars/Olympus_Mons\n",
			want: []Error{{Line: 2, Field: "hours.default_timezone", Msg: `unknown IANA time zone "Mars/Olympus_Mons"`}},
		},
		{
			name: "unknown time zone of a person",
			yaml: "people:\n  - match: {email: ana@example.com}\n    timezone: Europe/Berlinn\n",
			want: []Error{{Line: 3, Field: "people[0].timezone", Msg: `unknown IANA time zone "Europe/Berlinn"`}},
		},
		{
			name: "default_timezone in a team override",
			yaml: "teams:\n  - name: payments\n    hours:\n      default_timezone: Europe/Berlin\n",
			want: []Error{{Line: 4, Field: "teams[0].hours.default_timezone", Msg: "is only allowed at the top level; set a person's zone under people"}},
		},
		{
			name: "default_timezone in a person override",
			yaml: "people:\n  - match: {name: Ana}\n    hours:\n      default_timezone: Europe/Berlin\n",
			want: []Error{{Line: 4, Field: "people[0].hours.default_timezone", Msg: "is not allowed here; use timezone"}},
		},
		{
			name: "person override without match or effect",
			yaml: "people:\n  - match: {}\n",
			want: []Error{
				{Line: 2, Field: "people[0].match", Msg: "needs at least one of email, name, id"},
				{Line: 2, Field: "people[0]", Msg: "sets neither timezone nor hours"},
			},
		},
		{
			name: "bad HH:MM",
			yaml: "hours:\n  business:\n    start: 8am\n    end: \"25:00\"\n  sleep: {start: \"22:60\"}\n",
			want: []Error{
				{Line: 3, Field: "hours.business.start", Msg: `invalid time "8am", want HH:MM`},
				{Line: 4, Field: "hours.business.end", Msg: `invalid time "25:00", want HH:MM`},
				{Line: 5, Field: "hours.sleep.start", Msg: `invalid time "22:60", want HH:MM`},
			},
		},
		{
			name: "business end before start",
			yaml: "hours:\n  business: {start: \"18:00\", end: \"08:00\"}\n",
			want: []Error{{Line: 2, Field: "hours.business", Msg: "end 08:00 must be after start 18:00"}},
		},
		{
			name: "team business start after the inherited end",
			yaml: "teams:\n  - name: late\n    hours:\n      business: {start: \"19:00\"}\n",
			want: []Error{{Line: 4, Field: "teams[0].hours.business", Msg: "end 18:00 must be after start 19:00"}},
		},
		{
			name: "sleep start equals end",
			yaml: "hours:\n  sleep: {start: \"22:00\", end: \"22:00\"}\n",
			want: []Error{{Line: 2, Field: "hours.sleep", Msg: "start and end are both 22:00"}},
		},
		{
			name: "person sleep end equals the inherited start",
			yaml: "people:\n  - match: {id: P1}\n    hours:\n      sleep: {end: \"22:00\"}\n",
			want: []Error{{Line: 4, Field: "people[0].hours.sleep", Msg: "start and end are both 22:00"}},
		},
		{
			name: "unknown day",
			yaml: "hours:\n  business:\n    days:\n      - mon\n      - funday\n",
			want: []Error{{Line: 5, Field: "hours.business.days[1]", Msg: `unknown day "funday", want mon, tue, wed, thu, fri, sat or sun`}},
		},
		{
			name: "duplicate day",
			yaml: "hours:\n  business: {days: [mon, tue, Mon]}\n",
			want: []Error{{Line: 2, Field: "hours.business.days[2]", Msg: `day "Mon" is listed twice`}},
		},
		{
			name: "unknown holiday country",
			yaml: "hours:\n  holidays: [DE, XX]\nteams:\n  - name: a\n    hours: {holidays: [Germany]}\n",
			want: []Error{
				{Line: 2, Field: "hours.holidays[1]", Msg: `no holiday calendar for country "XX" (known: ` + known + ")"},
				{Line: 5, Field: "teams[0].hours.holidays[0]", Msg: `no holiday calendar for country "Germany" (known: ` + known + ")"},
			},
		},
		{
			name: "team without a name, and a duplicate team",
			yaml: "teams:\n  - hours: {holidays: [DE]}\n  - name: a\n  - name: a\n",
			want: []Error{
				{Line: 2, Field: "teams[0].name", Msg: "is required"},
				{Line: 4, Field: "teams[2].name", Msg: `team "a" is listed twice`},
			},
		},

		// Sources.
		{
			name: "duplicate source name",
			yaml: "sources:\n  - {name: d, type: demo}\n  - {name: d, type: demo, seed: 2}\n",
			want: []Error{{Line: 3, Field: "sources[1].name", Msg: `source "d" is listed twice; names must be unique`}},
		},
		{
			name: "bad source name characters",
			yaml: "sources:\n  - name: pd prod\n    type: demo\n",
			want: []Error{{Line: 2, Field: "sources[0].name", Msg: `"pd prod" may only contain letters, digits, '_', '.' and '-'`}},
		},
		{
			name: "missing source name and type",
			yaml: "sources:\n  - path: /tmp/x\n",
			want: []Error{
				{Line: 2, Field: "sources[0].name", Msg: "is required"},
				{Line: 2, Field: "sources[0].type", Msg: "is required"},
			},
		},
		{
			name: "unknown source type",
			yaml: "sources:\n  - name: sn\n    type: servicenow\n",
			want: []Error{{Line: 3, Field: "sources[0].type", Msg: `unknown source type "servicenow" (known: alertmanager, changes, demo, file, firehydrant, grafanaoncall, incidentio, opsgenie, pagerduty, rootly)`}},
		},
		{
			name: "path on pagerduty",
			yaml: "sources:\n  - name: pd\n    type: pagerduty\n    token_env: HERO_TEST_TOKEN\n    path: /hook\n",
			want: []Error{{Line: 5, Field: "sources[0].path", Msg: "is not used by pagerduty sources"}},
		},
		{
			name: "API fields on file and demo",
			yaml: "sources:\n  - name: f\n    type: file\n    path: /tmp/x.ndjson\n    base_url: https://api.pagerduty.com\n    history: 30d\n" +
				"  - name: d\n    type: demo\n    token_env: HERO_TEST_TOKEN\n    labels: {team: team}\n",
			want: []Error{
				{Line: 5, Field: "sources[0].base_url", Msg: "is not used by file sources"},
				{Line: 6, Field: "sources[0].history", Msg: "is not used by file sources"},
				{Line: 9, Field: "sources[1].token_env", Msg: "is not used by demo sources"},
				{Line: 10, Field: "sources[1].labels", Msg: "is not used by demo sources"},
			},
		},
		{
			name: "seed on opsgenie",
			yaml: "sources:\n  - name: og\n    type: opsgenie\n    token_env: HERO_TEST_TOKEN\n    seed: 3\n",
			want: []Error{{Line: 5, Field: "sources[0].seed", Msg: "is not used by opsgenie sources"}},
		},
		{
			name: "API source without token",
			yaml: "sources:\n  - name: pd\n    type: pagerduty\n",
			want: []Error{{Line: 2, Field: "sources[0]", Msg: "needs token_file or token_env"}},
		},
		{
			name: "token_file and token_env both set",
			yaml: "sources:\n  - name: pd\n    type: pagerduty\n    token_file: {{dir}}/pd.token\n    token_env: HERO_TEST_TOKEN\n",
			want: []Error{{Line: 5, Field: "sources[0].token_env", Msg: "set token_file or token_env, not both"}},
		},
		{
			name: "token_file missing",
			yaml: "sources:\n  - name: pd\n    type: pagerduty\n    token_file: {{dir}}/missing.token\n",
			want: []Error{{Line: 4, Field: "sources[0].token_file", Msg: "cannot read token file: open {{dir}}/missing.token: no such file or directory"}},
		},
		{
			name: "token_file empty",
			yaml: "sources:\n  - name: pd\n    type: rootly\n    token_file: {{dir}}/empty.token\n",
			want: []Error{{Line: 4, Field: "sources[0].token_file", Msg: "token file {{dir}}/empty.token is empty"}},
		},
		{
			name: "token_env unset",
			yaml: "sources:\n  - name: pd\n    type: incidentio\n    token_env: HERO_TEST_UNSET\n",
			want: []Error{{Line: 4, Field: "sources[0].token_env", Msg: "environment variable HERO_TEST_UNSET is not set or empty"}},
		},
		{
			name: "base_url not http(s)",
			yaml: "sources:\n  - name: pd\n    type: pagerduty\n    token_env: HERO_TEST_TOKEN\n    base_url: ftp://api.pagerduty.com\n" +
				"  - name: og\n    type: opsgenie\n    token_env: HERO_TEST_TOKEN\n    base_url: api.opsgenie.com\n",
			want: []Error{
				{Line: 5, Field: "sources[0].base_url", Msg: `must be an http(s) URL, got "ftp://api.pagerduty.com"`},
				{Line: 9, Field: "sources[1].base_url", Msg: `must be an http(s) URL, got "api.opsgenie.com"`},
			},
		},
		{
			name: "base_url with credentials",
			yaml: "sources:\n  - name: pd\n    type: pagerduty\n    token_env: HERO_TEST_TOKEN\n    base_url: https://me:" + fakeToken + "@api.pagerduty.com\n" +
				"  - name: og\n    type: opsgenie\n    token_env: HERO_TEST_TOKEN\n    base_url: ftp://me:" + fakeToken + "@api.opsgenie.com\n" +
				"  - name: fh\n    type: firehydrant\n    token_env: HERO_TEST_TOKEN\n    base_url: \"https://me:" + fakeToken + "@%zz\"\n",
			want: []Error{
				{Line: 5, Field: "sources[0].base_url", Msg: "must not carry credentials; use token_file or token_env"},
				{Line: 9, Field: "sources[1].base_url", Msg: `must be an http(s) URL, got "ftp://me:xxxxx@api.opsgenie.com"`},
				{Line: 13, Field: "sources[2].base_url", Msg: "must be an http(s) URL; it does not parse as a URL"},
			},
		},
		{
			name: "alertmanager path not starting with /",
			yaml: "sources:\n  - name: am\n    type: alertmanager\n    path: hooks/am\n    allow_unauthenticated: true\n  - name: am2\n    type: alertmanager\n    allow_unauthenticated: true\n",
			want: []Error{
				{Line: 4, Field: "sources[0].path", Msg: `must be an HTTP path starting with /, got "hooks/am"`},
				{Line: 6, Field: "sources[1].path", Msg: `must be an HTTP path starting with /, got ""`},
			},
		},
		{
			name: "unknown alertmanager labels key",
			yaml: "sources:\n  - name: am\n    type: alertmanager\n    path: /hooks/am\n    allow_unauthenticated: true\n    labels:\n      team: team\n      owner: owner\n",
			want: []Error{{Line: 8, Field: "sources[0].labels.owner", Msg: "unknown field; labels maps team, service and severity to alert label names"}},
		},
		{
			name: "push source without a token or the opt-out, and the opt-out with a token",
			yaml: "sources:\n  - name: am\n    type: alertmanager\n    path: /hooks/am\n" +
				"  - name: am2\n    type: alertmanager\n    path: /hooks/am2\n    token_env: HERO_TEST_TOKEN\n    allow_unauthenticated: true\n" +
				"  - name: ci\n    type: changes\n    token_env: HERO_TEST_TOKEN\n    allow_unauthenticated: true\n",
			want: []Error{
				{Line: 2, Field: "sources[0]", Msg: "needs token_file or token_env (a bearer token its clients send), or allow_unauthenticated: true to accept pushes from anyone who can reach the port"},
				{Line: 9, Field: "sources[1].allow_unauthenticated", Msg: "contradicts the token set in token_file or token_env; remove one of them"},
				{Line: 13, Field: "sources[2].allow_unauthenticated", Msg: "is not available for changes sources: they always need a token"},
			},
		},
		{
			name: "push label bounds",
			yaml: "sources:\n  - name: am\n    type: alertmanager\n    path: /hooks/am\n    allow_unauthenticated: true\n    max_label_values: 20000\n    allowed_teams: [payments, \"\"]\n" +
				"  - name: f\n    type: file\n    path: /tmp/x\n    max_label_values: 5\n",
			want: []Error{
				{Line: 6, Field: "sources[0].max_label_values", Msg: "must be between 1 and 10000, got 20000"},
				{Line: 7, Field: "sources[0].allowed_teams[1]", Msg: "must be a non-empty value of at most 128 bytes"},
				{Line: 11, Field: "sources[1].max_label_values", Msg: "is not used by file sources"},
			},
		},
		{
			name: "alertmanager max_body_bytes out of range, and on another type",
			yaml: "sources:\n  - name: am\n    type: alertmanager\n    path: /hooks/am\n    allow_unauthenticated: true\n    max_body_bytes: -5\n" +
				"  - name: f\n    type: file\n    path: /tmp/x\n    max_body_bytes: 1000\n",
			want: []Error{
				{Line: 6, Field: "sources[0].max_body_bytes", Msg: "must be between 1 and 1073741824 (1 GiB), got -5"},
				{Line: 10, Field: "sources[1].max_body_bytes", Msg: "is not used by file sources"},
			},
		},
		{
			name: "file source without path",
			yaml: "sources:\n  - name: f\n    type: file\n",
			want: []Error{{Line: 2, Field: "sources[0].path", Msg: "is required for a file source"}},
		},

		// Logs.
		{
			name: "log without paths",
			yaml: "logs:\n  - name: app\n",
			want: []Error{{Line: 2, Field: "logs[0].paths", Msg: "needs at least one path or glob"}},
		},
		{
			name: "log with an empty path",
			yaml: "logs:\n  - name: app\n    paths: [\"/var/log/a.log\", \"\"]\n",
			want: []Error{{Line: 3, Field: "logs[0].paths[1]", Msg: "is empty"}},
		},
		{
			name: "bad log format",
			yaml: "logs:\n  - name: app\n    paths: [/var/log/app.log]\n    format: xml\n",
			want: []Error{{Line: 4, Field: "logs[0].format", Msg: `must be auto, text, json, cri or docker, got "xml"`}},
		},
		{
			name: "top_k out of range",
			yaml: "logs:\n  - name: a\n    paths: [a.log]\n    top_k: -1\n  - name: b\n    paths: [b.log]\n    top_k: 10001\n",
			want: []Error{
				{Line: 4, Field: "logs[0].top_k", Msg: "must be between 1 and 10000, got -1"},
				{Line: 7, Field: "logs[1].top_k", Msg: "must be between 1 and 10000, got 10001"},
			},
		},
		{
			name: "log names",
			yaml: "logs:\n  - paths: [a.log]\n  - name: a/b\n    paths: [b.log]\n  - name: c\n    paths: [c.log]\n  - name: c\n    paths: [d.log]\n",
			want: []Error{
				{Line: 2, Field: "logs[0].name", Msg: "is required"},
				{Line: 3, Field: "logs[1].name", Msg: `"a/b" may only contain letters, digits, '_', '.' and '-'`},
				{Line: 7, Field: "logs[3].name", Msg: `log "c" is listed twice`},
			},
		},

		// Validation reports every problem, in file order by section.
		{
			name: "several errors at once",
			yaml: `person_label: nick
windows: [7d, 7d]
hours:
  default_timezone: Nowhere/Town
  business: {start: "18:00", end: "09:00", days: [mon, xyz]}
  sleep: {start: "07:00", end: "07:00"}
sources:
  - name: pd
    type: pagerduty
  - name: pd
    type: file
logs:
  - name: app
    format: yaml
`,
			want: []Error{
				{Line: 1, Field: "person_label", Msg: `must be one of name, email, id, hashed, got "nick"`},
				{Line: 2, Field: "windows[1]", Msg: "window 7d is listed twice"},
				{Line: 4, Field: "hours.default_timezone", Msg: `unknown IANA time zone "Nowhere/Town"`},
				{Line: 5, Field: "hours.business", Msg: "end 09:00 must be after start 18:00"},
				{Line: 5, Field: "hours.business.days[1]", Msg: `unknown day "xyz", want mon, tue, wed, thu, fri, sat or sun`},
				{Line: 6, Field: "hours.sleep", Msg: "start and end are both 07:00"},
				{Line: 8, Field: "sources[0]", Msg: "needs token_file or token_env"},
				{Line: 10, Field: "sources[1].name", Msg: `source "pd" is listed twice; names must be unique`},
				{Line: 10, Field: "sources[1].path", Msg: "is required for a file source"},
				{Line: 13, Field: "logs[0].paths", Msg: "needs at least one path or glob"},
				{Line: 14, Field: "logs[0].format", Msg: `must be auto, text, json, cri or docker, got "yaml"`},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tokenDir(t)
			t.Setenv("HERO_TEST_TOKEN", fakeToken)
			t.Setenv("HERO_TEST_UNSET", "") // restored after the test
			os.Unsetenv("HERO_TEST_UNSET")
			expand := func(s string) string { return strings.ReplaceAll(s, "{{dir}}", dir) }

			cfg, err := Parse([]byte(expand(tc.yaml)), "hero.yml")
			if err == nil {
				t.Fatalf("Parse succeeded, want errors; config: %+v", cfg)
			}
			if cfg != nil {
				t.Errorf("Parse returned a config with an error")
			}
			if strings.Contains(err.Error(), fakeToken) {
				t.Errorf("error reveals the token: %v", err)
			}
			got := flatten(t, err)
			var want []Error
			var lines []string
			for _, w := range tc.want {
				w.File, w.Msg = "hero.yml", expand(w.Msg)
				want = append(want, w)
				lines = append(lines, w.Error())
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("errors:\n got  %#v\n want %#v", got, want)
			}
			if g, w := err.Error(), strings.Join(lines, "\n"); g != w {
				t.Errorf("message:\n got  %s\n want %s", g, w)
			}
		})
	}
}

// Error renders as file:line: field: message, leaving out what is unknown.
func TestErrorString(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "hero.yml", Line: 3, Field: "hours.sleep", Msg: "bad"}, "hero.yml:3: hours.sleep: bad"},
		{Error{File: "hero.yml", Line: 3, Msg: "bad"}, "hero.yml:3: bad"},
		{Error{File: "hero.yml", Field: "sources[0].type", Msg: "bad"}, "hero.yml: sources[0].type: bad"},
		{Error{File: "hero.yml", Msg: "bad"}, "hero.yml: bad"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%#v.Error() = %q, want %q", tc.e, got, tc.want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yml")
	_, err := Load(path)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Load: %v, want a *config.Error", err)
	}
	want := Error{File: path, Msg: "cannot read config: open " + path + ": no such file or directory"}
	if *ce != want {
		t.Errorf("got %#v, want %#v", *ce, want)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(path, []byte("windows: [7d]\nlogs:\n  - name: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if want := path + ":3: logs[0].paths: needs at least one path or glob"; err == nil || err.Error() != want {
		t.Errorf("Load: %v, want %s", err, want)
	}
}

func TestDefaults(t *testing.T) {
	for name, in := range map[string]string{
		"empty":        "",
		"blank":        "\n  \n",
		"comment only": "# nothing configured yet\n",
		"empty doc":    "---\n",
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Parse([]byte(in), "hero.yml")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := &Config{
				PersonLabel: "name",
				Windows:     []Duration{{D: 7 * 24 * time.Hour, Text: "7d"}, {D: 28 * 24 * time.Hour, Text: "28d"}},
				Hours: Hours{
					DefaultTimezone: "UTC",
					Business:        &Business{Start: "08:00", End: "18:00", Days: []string{"mon", "tue", "wed", "thu", "fri"}},
					Sleep:           &ClockRange{Start: "22:00", End: "08:00"},
				},
				Thresholds: Thresholds{
					SoloAfter:           Duration{D: 20 * time.Minute, Text: "20m"},
					RecurrenceWithin:    Duration{D: 7 * 24 * time.Hour, Text: "7d"},
					ChangeFailureWithin: Duration{D: time.Hour, Text: "1h"},
				},
				File: "hero.yml",
			}
			if !reflect.DeepEqual(cfg, want) {
				t.Errorf("defaults:\n got  %+v\n want %+v", cfg, want)
			}
			if got := cfg.Analytics(); !reflect.DeepEqual(got, incident.DefaultSettings()) {
				t.Errorf("Analytics of the defaults:\n got  %+v\n want %+v", got, incident.DefaultSettings())
			}
		})
	}
}

func TestSourceDefaults(t *testing.T) {
	t.Setenv("HERO_TEST_TOKEN", fakeToken)
	cfg, err := Parse([]byte(`sources:
  - {name: pd, type: pagerduty, token_env: HERO_TEST_TOKEN}
  - {name: og, type: opsgenie, token_env: HERO_TEST_TOKEN, history: 30d, refresh_interval: 5m, timeout: 10s}
  - {name: f, type: file, path: /tmp/x.ndjson}
  - {name: d, type: demo}
  - {name: am, type: alertmanager, path: /hooks/am, allow_unauthenticated: true}
logs:
  - {name: app, paths: [/var/log/app.log]}
`), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	type durations struct{ history, refresh, timeout string }
	want := map[string]durations{
		"pd": {"90d", "1m", "30s"},
		"og": {"30d", "5m", "10s"},
		"f":  {"0s", "30s", "0s"},
		"d":  {"0s", "30s", "0s"},
		"am": {"0s", "1m", "0s"},
	}
	for _, s := range cfg.Sources {
		got := durations{s.History.String(), s.RefreshInterval.String(), s.Timeout.String()}
		if got != want[s.Name] {
			t.Errorf("source %s: history, refresh_interval, timeout = %v, want %v", s.Name, got, want[s.Name])
		}
	}
	if cfg.Sources[0].History.D != 90*24*time.Hour || cfg.Sources[0].RefreshInterval.D != time.Minute {
		t.Errorf("pagerduty durations: %+v", cfg.Sources[0])
	}
	if cfg.Sources[0].Token != fakeToken || cfg.Sources[2].Token != "" {
		t.Errorf("tokens not read as expected")
	}
	l := cfg.Logs[0]
	if l.Format != "auto" || l.TopK != 100 || l.FromStart {
		t.Errorf("log defaults: %+v", l)
	}
}

// The token is read, but no printing of the config or of an error shows it.
func TestTokenNeverPrinted(t *testing.T) {
	dir := tokenDir(t)
	t.Setenv("HERO_TEST_TOKEN", fakeToken)
	in := "sources:\n" +
		"  - {name: pd, type: pagerduty, token_file: " + dir + "/pd.token}\n" +
		"  - {name: og, type: opsgenie, token_env: HERO_TEST_TOKEN}\n" +
		"  - {name: am, type: alertmanager, path: /hooks/am, token_file: " + dir + "/pd.token}\n"
	cfg, err := Parse([]byte(in), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range cfg.Sources {
		if string(s.Token) != fakeToken {
			t.Errorf("sources[%d].Token not read", i)
		}
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		fmt.Sprintf("%v %+v", cfg, cfg),
		fmt.Sprintf("%v %+v", *cfg, *cfg),
		fmt.Sprintf("%#v %s %v", cfg.Sources[0], cfg.Sources[0].Token, cfg.Sources),
		string(out),
	} {
		if strings.Contains(p, fakeToken) {
			t.Errorf("token printed: %s", p)
		}
	}
	if got := fmt.Sprint(cfg.Sources[0].Token); got != "<secret>" {
		t.Errorf("Secret prints %q", got)
	}
}

const fullExample = `person_label: email
windows: [1d, 7d, 28d]
hours:
  default_timezone: Europe/Berlin
  business: {start: "09:00", end: "17:30", days: [mon, tue, wed, thu]}
  sleep: {start: "23:00", end: "07:00"}
  holidays: [DE]
thresholds: {solo_after: 30m, recurrence_within: 3d}
teams:
  - name: payments
    hours:
      business: {start: "07:00"}
      holidays: [DE, US]
  - name: infra
    hours:
      business: {days: []}
      holidays: []
people:
  - match: {email: ana@example.com}
    timezone: America/New_York
    hours:
      sleep: {start: "21:00"}
  - match: {name: Bo, id: PBO}
    timezone: Asia/Tokyo
sources:
  - name: pd
    type: pagerduty
    base_url: https://api.eu.pagerduty.com
    token_env: HERO_TEST_TOKEN
    history: 60d
    refresh_interval: 2m
    timeout: 15s
  - name: og
    type: opsgenie
    token_file: {{dir}}/pd.token
  - name: am
    type: alertmanager
    path: /hooks/alertmanager
    token_env: HERO_TEST_TOKEN
    labels: {team: team, service: service, severity: severity}
  - name: replay
    type: file
    path: /var/lib/hero/incidents.ndjson
  - name: demo
    type: demo
    seed: 42
logs:
  - name: checkout
    paths: ["/var/log/checkout/*.log", /var/log/checkout.log]
    format: json
    top_k: 50
    in_app: [com.example.]
    from_start: true
`

func parseFull(t *testing.T) *Config {
	t.Helper()
	dir := tokenDir(t)
	t.Setenv("HERO_TEST_TOKEN", fakeToken)
	cfg, err := Parse([]byte(strings.ReplaceAll(fullExample, "{{dir}}", dir)), "hero.yml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

// stripLines forgets where durations were written, so configs can be compared.
func stripLines(c *Config) {
	strip := func(d *Duration) { d.Line = 0 }
	for i := range c.Windows {
		strip(&c.Windows[i])
	}
	strip(&c.Thresholds.SoloAfter)
	strip(&c.Thresholds.RecurrenceWithin)
	strip(&c.Thresholds.ChangeFailureWithin)
	for i := range c.Sources {
		strip(&c.Sources[i].History)
		strip(&c.Sources[i].RefreshInterval)
		strip(&c.Sources[i].Timeout)
	}
}

func TestFullExampleRoundTrip(t *testing.T) {
	cfg := parseFull(t)
	if cfg.Windows[2].Text != "28d" || cfg.Sources[0].History.D != 60*24*time.Hour || cfg.Sources[0].History.Line != 30 {
		t.Errorf("durations: %+v %+v", cfg.Windows, cfg.Sources[0].History)
	}
	if cfg.Sources[4].Seed != 42 || cfg.Logs[0].TopK != 50 || !cfg.Logs[0].FromStart || cfg.Sources[2].Labels["severity"] != "severity" {
		t.Errorf("fields not decoded: %+v %+v", cfg.Sources, cfg.Logs)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(out, "hero.yml")
	if err != nil {
		t.Fatalf("re-parsing the marshalled config: %v\n%s", err, out)
	}
	out2, err := yaml.Marshal(again)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(out2) {
		t.Errorf("marshal is not stable:\n%s\n---\n%s", out, out2)
	}
	stripLines(cfg)
	stripLines(again)
	if !reflect.DeepEqual(cfg, again) {
		t.Errorf("round trip changed the config:\n got  %+v\n want %+v", again, cfg)
	}
}

// An empty list in an override is not the same as no list: it clears what is inherited.
func TestRoundTripKeepsEmptyLists(t *testing.T) {
	in := "teams:\n  - name: a\n    hours: {holidays: []}\n  - name: b\n    hours: {business: {days: []}}\n  - name: c\n"
	cfg, err := Parse([]byte(in), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(out, "hero.yml")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !reflect.DeepEqual(again.Teams, cfg.Teams) {
		t.Errorf("teams changed:\n%s\n got  %#v\n want %#v", out, again.Teams, cfg.Teams)
	}
}

func TestAnalytics(t *testing.T) {
	s := parseFull(t).Analytics()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	hm := func(h, m int) int { return h*60 + m }
	mon2thu := [7]bool{false, true, true, true, true, false, false}

	if want := []incident.Window{{Name: "1d", D: 24 * time.Hour}, {Name: "7d", D: 7 * 24 * time.Hour}, {Name: "28d", D: 28 * 24 * time.Hour}}; !reflect.DeepEqual(s.Windows, want) {
		t.Errorf("Windows = %v, want %v", s.Windows, want)
	}
	if s.DefaultLocation.String() != berlin.String() {
		t.Errorf("DefaultLocation = %v", s.DefaultLocation)
	}
	if s.SoloAfter != 30*time.Minute || s.RecurrenceWithin != 3*24*time.Hour || s.PageDedup != time.Minute || s.PersonLabel != "email" {
		t.Errorf("thresholds: %+v", s)
	}
	top := s.Hours
	if top.Business != (incident.ClockRange{Start: hm(9, 0), End: hm(17, 30)}) || top.BusinessDays != mon2thu ||
		top.Sleep != (incident.ClockRange{Start: hm(23, 0), End: hm(7, 0)}) || top.Holidays == nil {
		t.Errorf("top-level hours: %+v", top)
	}

	// A team override changes only what it sets.
	pay, ok := s.TeamHours["payments"]
	if !ok {
		t.Fatalf("no team hours for payments: %v", s.TeamHours)
	}
	if pay.Business != (incident.ClockRange{Start: hm(7, 0), End: hm(17, 30)}) || pay.BusinessDays != mon2thu || pay.Sleep != top.Sleep {
		t.Errorf("payments hours: %+v", pay)
	}
	infra := s.TeamHours["infra"]
	if infra.Holidays != nil || infra.Business != top.Business || infra.BusinessDays != [7]bool{} {
		t.Errorf("infra hours (holidays: [] clears them): %+v", infra)
	}

	// People: zone and hours, merged over the top level.
	if len(s.People) != 2 {
		t.Fatalf("People = %+v", s.People)
	}
	ana, bo := s.People[0], s.People[1]
	if ana.Email != "ana@example.com" || ana.Name != "" || ana.Location.String() != "America/New_York" || ana.Hours == nil {
		t.Fatalf("ana: %+v", ana)
	}
	if ana.Hours.Sleep != (incident.ClockRange{Start: hm(21, 0), End: hm(7, 0)}) || ana.Hours.Business != top.Business || ana.Hours.BusinessDays != mon2thu {
		t.Errorf("ana hours: %+v", *ana.Hours)
	}
	if bo.Name != "Bo" || bo.ID != "PBO" || bo.Location.String() != "Asia/Tokyo" || bo.Hours != nil {
		t.Errorf("bo: %+v", bo)
	}

	// Holidays: DE at the top level, DE and US for payments.
	for _, tc := range []struct {
		name string
		cal  incident.HolidayCalendar
		date string
		want bool
	}{
		{"DE christmas", top.Holidays, "2026-12-25", true},
		{"DE boxing day", top.Holidays, "2026-12-26", true},
		{"DE 23 Dec", top.Holidays, "2026-12-23", false},
		{"DE unity day", top.Holidays, "2026-10-03", true},
		{"DE not US independence", top.Holidays, "2026-07-03", false},
		{"US independence (Saturday)", pay.Holidays, "2026-07-04", true},
		{"US observed Friday", pay.Holidays, "2026-07-03", true},
		{"US day after", pay.Holidays, "2026-07-06", false},
		{"payments keeps DE", pay.Holidays, "2026-12-25", true},
		{"US new year 2022 observed in 2021", pay.Holidays, "2021-12-31", true},
		{"US new year 2028 observed in 2027", pay.Holidays, "2027-12-31", true},
		{"US 2026-12-31 is a workday", pay.Holidays, "2026-12-31", false},
	} {
		d, err := time.Parse("2006-01-02", tc.date)
		if err != nil {
			t.Fatal(err)
		}
		if got := tc.cal.IsHoliday(d.Year(), d.Month(), d.Day()); got != tc.want {
			t.Errorf("%s: IsHoliday(%s) = %v, want %v", tc.name, tc.date, got, tc.want)
		}
	}
}

// The windows keep the text as written: 28d stays "28d", never "4w".
func TestWindowNames(t *testing.T) {
	_, err := Parse([]byte("windows: [28d, 4w, 90d, 12h]\n"), "hero.yml")
	if err == nil {
		t.Fatalf("28d and 4w are the same window; want an error")
	}
	cfg, err := Parse([]byte("windows: [28d, 90d, 12h]\n"), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range cfg.Analytics().Windows {
		names = append(names, w.Name)
	}
	if want := []string{"28d", "90d", "12h"}; !reflect.DeepEqual(names, want) {
		t.Errorf("window names = %v, want %v", names, want)
	}
	def, _ := Parse(nil, "hero.yml")
	names = names[:0]
	for _, w := range def.Analytics().Windows {
		names = append(names, w.Name)
	}
	if want := []string{"7d", "28d"}; !reflect.DeepEqual(names, want) {
		t.Errorf("default window names = %v, want %v", names, want)
	}
}

// Partial bands inherit the missing bound: at the top level from the defaults, in an
// override from the top level.
func TestPartialHours(t *testing.T) {
	cfg, err := Parse([]byte(`hours:
  business: {end: "17:00"}
  sleep: {start: "23:30"}
teams:
  - name: a
    hours:
      business: {start: "06:00"}
      sleep: {end: "06:00"}
`), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Analytics()
	if want := (incident.ClockRange{Start: 8 * 60, End: 17 * 60}); s.Hours.Business != want {
		t.Errorf("business = %+v, want %+v", s.Hours.Business, want)
	}
	if want := (incident.ClockRange{Start: 23*60 + 30, End: 8 * 60}); s.Hours.Sleep != want {
		t.Errorf("sleep = %+v, want %+v", s.Hours.Sleep, want)
	}
	a := s.TeamHours["a"]
	if want := (incident.ClockRange{Start: 6 * 60, End: 17 * 60}); a.Business != want {
		t.Errorf("team business = %+v, want %+v", a.Business, want)
	}
	if want := (incident.ClockRange{Start: 23*60 + 30, End: 6 * 60}); a.Sleep != want {
		t.Errorf("team sleep = %+v, want %+v", a.Sleep, want)
	}
}

func TestDemoIsValid(t *testing.T) {
	c := Demo("/var/lib/hero/demo-logs/app.log")
	if len(c.Logs) != 1 || c.Logs[0].Paths[0] != "/var/lib/hero/demo-logs/app.log" || !c.Logs[0].FromStart || c.Logs[0].TopK != 100 {
		t.Errorf("demo logs = %+v", c.Logs)
	}
	v := &validator{file: c.File}
	v.config(c)
	if err := errors.Join(v.errs...); err != nil {
		t.Errorf("Demo config is invalid: %v", err)
	}
	if c.Sources[0].RefreshInterval.D != 15*time.Second {
		t.Errorf("demo refresh = %v", c.Sources[0].RefreshInterval)
	}
}

func TestExampleFile(t *testing.T) {
	t.Setenv("PAGERDUTY_TOKEN", fakeToken)
	t.Setenv("ALERTMANAGER_WEBHOOK_TOKEN", fakeToken+"-am")
	cfg, err := Load("../../examples/hero.yml")
	if err != nil {
		t.Fatalf("examples/hero.yml: %v", err)
	}
	if len(cfg.Sources) == 0 || len(cfg.Logs) == 0 {
		t.Errorf("the example should show sources and logs: %+v", cfg)
	}
	for _, s := range cfg.Sources {
		if s.TokenFile != "" {
			t.Errorf("source %s: the example reads tokens from the environment", s.Name)
		}
	}
	_ = cfg.Analytics()
}

// The full example in docs/configuration.md must stay valid.
func TestDocsFullExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "## Full example")
	if !ok {
		t.Fatal(`docs/configuration.md has no "## Full example" section`)
	}
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("no yaml block in the full example")
	}
	dir := tokenDir(t)
	t.Setenv("PAGERDUTY_TOKEN", fakeToken)
	t.Setenv("OPSGENIE_TOKEN", fakeToken)
	t.Setenv("CI_CHANGES_TOKEN", fakeToken)
	block = strings.ReplaceAll(block, "/etc/hero/rootly.token", filepath.Join(dir, "pd.token"))
	block = strings.ReplaceAll(block, "/etc/hero/github.secret", filepath.Join(dir, "pd.token"))
	block = strings.ReplaceAll(block, "/etc/hero/alertmanager.token", filepath.Join(dir, "pd.token"))
	cfg, err := Parse([]byte(block), "configuration.md")
	if err != nil {
		t.Fatalf("full example: %v", err)
	}
	types := map[string]bool{}
	for _, s := range cfg.Sources {
		types[s.Type] = true
	}
	for _, typ := range []string{"pagerduty", "alertmanager", "changes", "file", "demo"} {
		if !types[typ] {
			t.Errorf("full example lacks a %s source", typ)
		}
	}
}

func TestGrafanaOnCallNeedsBaseURL(t *testing.T) {
	t.Setenv("HERO_TEST_OC_TOKEN", fakeToken)
	_, err := Parse([]byte("sources:\n  - name: oc\n    type: grafanaoncall\n    token_env: HERO_TEST_OC_TOKEN\n"), "hero.yml")
	want := "hero.yml:2: sources[0].base_url: is required for grafanaoncall: the OnCall API URL of your instance or Grafana Cloud stack"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestLogOptionsValidation(t *testing.T) {
	yml := "logs:\n  - name: app\n    paths: [/var/log/app.log*]\n    format: cri\n    exclude: [\"*.gz\", \"[\"]\n    mask: [\"Ana (Lima)?\", \"(\"]\n    messages: keep\n    poll_interval: 1ms\n"
	_, err := Parse([]byte(yml), "hero.yml")
	want := []string{
		`hero.yml:5: logs[0].exclude[1]: "[" is not a valid glob`,
		`hero.yml:6: logs[0].mask[1]: "(" is not a valid regular expression`,
		`hero.yml:7: logs[0].messages: must be masked or drop, got "keep"`,
		`hero.yml:8: logs[0].poll_interval: must be at least 10ms, got 1ms`,
	}
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), "format") || strings.Contains(err.Error(), "exclude[0]") || strings.Contains(err.Error(), "mask[0]") {
		t.Errorf("valid fields reported: %v", err)
	}
	ok := "logs:\n  - name: app\n    paths: [/var/log/app.log*]\n    format: docker\n    exclude: [\"*.gz\"]\n    mask: [\"Ana Lima\"]\n    messages: drop\n    poll_interval: 250ms\n    watch: false\n"
	c, err := Parse([]byte(ok), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	l := c.Logs[0]
	if l.Format != "docker" || l.Exclude[0] != "*.gz" || l.Mask[0] != "Ana Lima" || l.Messages != "drop" ||
		l.PollInterval.D != 250*time.Millisecond || l.Watch == nil || *l.Watch {
		t.Errorf("parsed %+v", l)
	}
}

func TestLogLabelFromPath(t *testing.T) {
	_, err := Parse([]byte("logs:\n  - name: pods\n    paths: [/var/log/pods/*/*/*.log]\n    label_from_path: pod\n"), "hero.yml")
	want := `hero.yml:4: logs[0].label_from_path: must be kubernetes (or absent), got "pod"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %s", err, want)
	}
	c, err := Parse([]byte("logs:\n  - name: pods\n    paths: [/var/log/pods/*/*/*.log]\n    format: cri\n    label_from_path: kubernetes\n"), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Logs[0].LabelFromPath != "kubernetes" {
		t.Errorf("label_from_path = %q", c.Logs[0].LabelFromPath)
	}
}

// TestDecodeErrorsNameTheField: errors the YAML decoder finds (bad durations, wrong
// types, unknown keys) name the field path like the validator's, at every level: in a
// list item, nested, in flow style, several at once.
func TestDecodeErrorsNameTheField(t *testing.T) {
	yml := `windows: [7d]
sources:
  - name: pd
    type: pagerduty
    refresh_interval: soon
    timeout: 3x
hours:
  business:
    days: 5
people:
  - match: {email: a@example.com}
    hours: {sleep: {start: [1]}}
thresholds: {solo_after: 1 week}
logs:
  - name: app
    paths:
      - /var/log/app.log
    top_k: many
`
	_, err := Parse([]byte(yml), "hero.yml")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`hero.yml:5: sources[0].refresh_interval: invalid duration "soon"`,
		`hero.yml:6: sources[0].timeout: invalid duration "3x"`,
		"hero.yml:9: hours.business.days: cannot unmarshal !!int `5` into []string",
		"hero.yml:12: people[0].hours: cannot unmarshal !!seq into string",
		`hero.yml:13: thresholds.solo_after: invalid duration "1 week"`,
		"hero.yml:18: logs[0].top_k: cannot unmarshal !!str `many` into int",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
