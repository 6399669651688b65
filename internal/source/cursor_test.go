package source

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestDecodeCursor(t *testing.T) {
	type cur struct {
		V int    `json:"v"`
		X string `json:"x"`
	}
	valid := func(c *cur) bool { return c.V == 1 }
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	if c := DecodeCursor("", valid, logger); c != (cur{}) || logs.Len() != 0 {
		t.Errorf("empty: %+v, logged %q", c, logs.String())
	}
	if c := DecodeCursor(`{"v":1,"x":"a"}`, valid, logger); c != (cur{V: 1, X: "a"}) || logs.Len() != 0 {
		t.Errorf("valid: %+v, logged %q", c, logs.String())
	}
	for _, raw := range []string{`{"v":2,"x":"a"}`, `{"v":`} {
		logs.Reset()
		if c := DecodeCursor(raw, valid, logger); c != (cur{}) || !strings.Contains(logs.String(), "ignoring unreadable sync cursor") {
			t.Errorf("%s: %+v, logged %q", raw, c, logs.String())
		}
	}
}
