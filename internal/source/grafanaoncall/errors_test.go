package grafanaoncall

import "testing"

func TestAPIMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"detail":"Invalid token."}`:                                           "Invalid token.",
		`{"detail":"Request was throttled. Expected available in 30 seconds."}`: "Request was throttled. Expected available in 30 seconds.",
		`{"detail":{"nested":true}}`:                                            "",
		`{"message":"m","detail":"d"}`:                                          "m",
	} {
		if got := apiMessage([]byte(body)); got != want {
			t.Errorf("apiMessage(%s) = %q, want %q", body, got, want)
		}
	}
}
