package source

import (
	"encoding/json"
	"log/slog"
)

// DecodeCursor decodes the JSON cursor raw that a Sync is handed. "" gives the zero
// cursor (the first sync). So does a cursor that does not decode or that valid rejects
// (another version, say), with a warning: the source then back-fills its history again.
func DecodeCursor[C any](raw string, valid func(*C) bool, logger *slog.Logger) C {
	var c C
	if raw == "" {
		return c
	}
	if err := json.Unmarshal([]byte(raw), &c); err != nil || !valid(&c) {
		logger.Warn("ignoring unreadable sync cursor; back-filling history again", "err", err)
		var zero C
		return zero
	}
	return c
}
