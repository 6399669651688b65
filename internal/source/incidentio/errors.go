package incidentio

import (
	"encoding/json"
	"strings"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// apiMessage reads incident.io's error body,
// {"type":"validation_error","status":422,"errors":[{"code":…,"message":…}]}.
func apiMessage(data []byte) string {
	var list struct {
		Type   string `json:"type"`
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &list) != nil || len(list.Errors) == 0 {
		return httpapi.GenericMessage(data)
	}
	var parts []string
	for _, e := range list.Errors {
		if e.Message != "" {
			parts = append(parts, e.Message)
		}
	}
	msg := strings.Join(parts, "; ")
	if list.Type != "" && msg != "" {
		msg += " [" + list.Type + "]"
	}
	return msg
}
