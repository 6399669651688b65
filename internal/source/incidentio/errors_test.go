package incidentio

import "testing"

func TestAPIMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"type":"authentication_error","status":401,"request_id":"x","errors":[{"code":"unauthorized","message":"Invalid API key"}]}`:            "Invalid API key [authentication_error]",
		`{"type":"validation_error","status":422,"errors":[{"code":"a","message":"page_size too large"},{"code":"b","message":"after unknown"}]}`: "page_size too large; after unknown [validation_error]",
		`{"type":"x","errors":[{"code":"a"}]}`: "",
		`{"message":"upstream"}`:               "upstream",
	} {
		if got := apiMessage([]byte(body)); got != want {
			t.Errorf("apiMessage(%s) = %q, want %q", body, got, want)
		}
	}
}
