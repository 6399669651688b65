package firehydrant

import (
	"encoding/json"
	"strings"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// apiMessage reads FireHydrant's ErrorEntity, {"detail":…,"messages":[…]}, and the
// plain {"error":"…"} of a rate-limited response.
func apiMessage(data []byte) string {
	msg := httpapi.GenericMessage(data)
	var e struct {
		Detail   string   `json:"detail"`
		Messages []string `json:"messages"`
	}
	if json.Unmarshal(data, &e) != nil {
		return msg
	}
	if msg == "" {
		msg = e.Detail
	}
	if len(e.Messages) > 0 {
		if msg != "" {
			msg += ": "
		}
		msg += strings.Join(e.Messages, "; ")
	}
	return msg
}
