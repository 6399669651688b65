package rootly

import (
	"encoding/json"
	"strings"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// apiMessage reads Rootly's JSON:API error body,
// {"errors":[{"title":…,"status":"404","detail":…}]}, and the plain {"error":"…"} of a
// rate-limited response.
func apiMessage(data []byte) string {
	if msg := httpapi.GenericMessage(data); msg != "" {
		return msg
	}
	var ja struct {
		Errors []struct {
			Title  string  `json:"title"`
			Detail *string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &ja) != nil {
		return ""
	}
	var parts []string
	for _, e := range ja.Errors {
		p := e.Title
		if e.Detail != nil && *e.Detail != "" && *e.Detail != e.Title {
			p = strings.TrimSpace(p + " (" + *e.Detail + ")")
		}
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "; ")
}
