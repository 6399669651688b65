package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"mime"
	"net/http"
	"strings"
)

// Bearer checks "Authorization: Bearer <token>" against a configured token. The zero
// value (no token configured) accepts nothing.
type Bearer struct {
	hash [sha256.Size]byte
	set  bool
}

// NewBearer returns a checker of token ("" gives the zero value).
func NewBearer(token string) Bearer {
	if token == "" {
		return Bearer{}
	}
	return Bearer{hash: sha256.Sum256([]byte(token)), set: true}
}

// Set reports whether a token is configured.
func (b Bearer) Set() bool { return b.set }

// Authorized compares the bearer token in constant time (hashes of equal length, so not
// even the token's length leaks).
func (b Bearer) Authorized(header string) bool {
	if !b.set {
		return false
	}
	scheme, tok, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(got[:], b.hash[:]) == 1
}

// IsJSON reports whether the request declares a JSON body (application/json). Push
// endpoints refuse anything else with 415: a web page can make a browser POST
// text/plain or a form to any address without a preflight, never application/json.
func IsJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}
