package firehydrant

import "testing"

func TestAPIMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"detail":"Record not found","messages":["incident does not exist"],"code":"not_found"}`: "Record not found: incident does not exist",
		`{"detail":"Unauthorized","messages":["invalid bot token"]}`:                              "Unauthorized: invalid bot token",
		`{"detail":"Unauthorized"}`:                         "Unauthorized",
		`{"messages":["a","b"]}`:                            "a; b",
		`{"error":"Rate limit exceeded. Try again later."}`: "Rate limit exceeded. Try again later.",
	} {
		if got := apiMessage([]byte(body)); got != want {
			t.Errorf("apiMessage(%s) = %q, want %q", body, got, want)
		}
	}
}
