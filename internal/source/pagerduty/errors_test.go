package pagerduty

import "testing"

func TestAPIMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"error":{"code":2006,"message":"Authentication failed"}}`:                                               "Authentication failed [code 2006]",
		`{"error":{"code":2001,"message":"Invalid Input Provided","errors":["Offset must be less than 10000."]}}`: "Invalid Input Provided (Offset must be less than 10000.) [code 2001]",
		`{"error":{"message":"Not Found"}}`:                                                                       "Not Found",
		`{"error":"Rate limit exceeded"}`:                                                                         "Rate limit exceeded",
		`<html>bad gateway</html>`:                                                                                "",
	} {
		if got := apiMessage([]byte(body)); got != want {
			t.Errorf("apiMessage(%s) = %q, want %q", body, got, want)
		}
	}
}
