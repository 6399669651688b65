package opsgenie

import "github.com/hero-exporter/hero_exporter/internal/source/httpapi"

// apiMessage reads Opsgenie's error body, {"message":"…","took":0.001,"requestId":"…"}:
// the generic {"message"} shape.
func apiMessage(data []byte) string { return httpapi.GenericMessage(data) }
