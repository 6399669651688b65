package opsgenie

import "testing"

func TestAPIMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"message":"Could not authenticate","took":0.001,"requestId":"r"}`: "Could not authenticate",
		`{"took":0.001}`: "",
	} {
		if got := apiMessage([]byte(body)); got != want {
			t.Errorf("apiMessage(%s) = %q, want %q", body, got, want)
		}
	}
}
