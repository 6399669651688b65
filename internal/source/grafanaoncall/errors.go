package grafanaoncall

import (
	"encoding/json"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// apiMessage reads OnCall's Django REST framework error body, {"detail":"Invalid
// token."}.
func apiMessage(data []byte) string {
	if msg := httpapi.GenericMessage(data); msg != "" {
		return msg
	}
	var drf struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(data, &drf) != nil {
		return ""
	}
	return drf.Detail
}
