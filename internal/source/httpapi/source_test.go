package httpapi

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

var testDefaults = SourceDefaults{Type: "vendor", BaseURL: "https://api.example.com", History: time.Hour,
	Timeout: time.Second, RequestsPerMinute: 60, ReferenceInterval: time.Minute}

func TestSourceConfigApplyDefaults(t *testing.T) {
	c := SourceConfig{Name: "v", Token: "t"}
	if err := c.ApplyDefaults(testDefaults); err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://api.example.com" || c.History != time.Hour || c.Timeout != time.Second ||
		c.RequestsPerMinute != 60 || c.ReferenceInterval != time.Minute {
		t.Errorf("defaults not applied: %+v", c)
	}
	c = SourceConfig{Name: "v", Token: "t", BaseURL: "https://eu.example.com", History: 2 * time.Hour}
	if err := c.ApplyDefaults(testDefaults); err != nil || c.BaseURL != "https://eu.example.com" || c.History != 2*time.Hour {
		t.Errorf("set values overridden: %+v, %v", c, err)
	}
	required := testDefaults
	required.BaseURL, required.MissingBaseURL = "", "base_url is required"
	required.LineBreakChecked, required.LineBreakWhat = []string{"ok\n"}, "token or extra"
	for _, tc := range []struct {
		c    SourceConfig
		d    SourceDefaults
		want string
	}{
		{SourceConfig{}, testDefaults, "vendor: source name is empty"},
		{SourceConfig{Name: "v"}, testDefaults, "vendor v: token is empty"},
		{SourceConfig{Name: "v", Token: "a\nb"}, testDefaults, "vendor v: token contains a line break"},
		{SourceConfig{Name: "v", Token: "t"}, required, "vendor v: base_url is required"},
		{SourceConfig{Name: "v", Token: "t", BaseURL: "https://x"}, required, "vendor v: token or extra contains a line break"},
	} {
		if err := tc.c.ApplyDefaults(tc.d); err == nil || err.Error() != tc.want {
			t.Errorf("%+v: err = %v, want %q", tc.c, err, tc.want)
		}
	}
}

func TestSourceConfigNewClient(t *testing.T) {
	c := SourceConfig{Name: "v", Token: "t", DefaultTimezone: "Mars/Base"}
	if err := c.ApplyDefaults(testDefaults); err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewClient("vendor", nil, ClientOptions{}); err == nil || !strings.HasPrefix(err.Error(), "vendor v: default time zone: ") {
		t.Errorf("err = %v", err)
	}
	c.DefaultTimezone, c.BaseURL = "Europe/London", "https://u:p@api.example.com"
	if _, err := c.NewClient("vendor", nil, ClientOptions{}); err == nil || err.Error() != "vendor v: invalid base URL" {
		t.Errorf("err = %v", err)
	}
	c.BaseURL = "https://api.example.com"
	var logs bytes.Buffer
	b, err := c.NewClient("vendor", slog.New(slog.NewJSONHandler(&logs, nil)), ClientOptions{Burst: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Clock.(RealClock); !ok || b.Client == nil {
		t.Errorf("built %+v", b)
	}
	b.Logger.Info("hello")
	if got := logs.String(); strings.Count(got, `"source":"v"`) != 1 || strings.Count(got, `"type":"vendor"`) != 1 {
		t.Errorf("log line %s: want the source and type attributes once", got)
	}
}
