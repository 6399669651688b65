package rootly

import "testing"

func TestAPIMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"errors":[{"title":"Record not found","status":"404","code":null,"detail":null}]}`:                             "Record not found",
		`{"errors":[{"title":"Invalid","status":"400","detail":"page[number] too large"},{"title":"x","status":"400"}]}`: "Invalid (page[number] too large); x",
		`{"errors":[{"title":"Unauthorized","detail":"Invalid or missing API key"}]}`:                                    "Unauthorized (Invalid or missing API key)",
		`{"error":"Rate limit exceeded. Try again later."}`:                                                              "Rate limit exceeded. Try again later.",
		`{"errors":[]}`: "",
	} {
		if got := apiMessage([]byte(body)); got != want {
			t.Errorf("apiMessage(%s) = %q, want %q", body, got, want)
		}
	}
}
