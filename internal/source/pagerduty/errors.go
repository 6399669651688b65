package pagerduty

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// apiMessage reads PagerDuty's error body,
// {"error":{"code":2001,"message":"Invalid Input Provided","errors":["…"]}}.
func apiMessage(data []byte) string {
	var body struct {
		Error *struct {
			Code    any      `json:"code"`
			Message string   `json:"message"`
			Errors  []string `json:"errors"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &body) != nil || body.Error == nil {
		return httpapi.GenericMessage(data)
	}
	e := body.Error
	msg := e.Message
	if len(e.Errors) > 0 {
		msg += " (" + strings.Join(e.Errors, "; ") + ")"
	}
	if e.Code != nil {
		msg = fmt.Sprintf("%s [code %v]", msg, e.Code)
	}
	return msg
}
