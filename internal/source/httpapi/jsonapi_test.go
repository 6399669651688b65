package httpapi

import "testing"

// JSON:API error bodies (Rootly), FireHydrant's ErrorEntity ({"detail", "messages"}) and the plain {"error": "…"} of a rate-limited
// response (Rootly, FireHydrant) become the error's API message.
func TestAPIMessageJSONAPIErrors(t *testing.T) {
	for body, want := range map[string]string{
		`{"errors":[{"title":"Record not found","status":"404","code":null,"detail":null}]}`:                             "Record not found",
		`{"errors":[{"title":"Invalid","status":"400","detail":"page[number] too large"},{"title":"x","status":"400"}]}`: "Invalid (page[number] too large); x",
		`{"error":"Rate limit exceeded. Try again later."}`:                                                              "Rate limit exceeded. Try again later.",
		`{"errors":[]}`: "",
		`{"detail":"Record not found","messages":["incident does not exist"],"code":"not_found"}`: "Record not found: incident does not exist",
		`{"detail":"Unauthorized"}`: "Unauthorized",
	} {
		if got := apiMessage([]byte(body)); got != want {
			t.Errorf("apiMessage(%s) = %q, want %q", body, got, want)
		}
	}
}
