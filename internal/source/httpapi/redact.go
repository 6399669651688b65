package httpapi

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// redacted replaces a secret in any text built from a response.
const redacted = "[REDACTED]"

// credentialPatterns find credential-looking values an API may echo back in an error
// body, whatever the token is: a scheme word and its value ("Bearer …", "GenieKey …",
// "Token token=…"), or a credential-named key with ':' or '=' ("api_key=…",
// "\"authorization\": \"…\""). Group 1 is kept, group 2 replaced.
var credentialPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(\b(?:bearer|basic|geniekey|token)\s+)([A-Za-z0-9._~+/\-]{8,}=*|token=[^\s"',;}]+)`),
	regexp.MustCompile(`(?i)(\b(?:authorization|x-api-key|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|secret|password|passwd)["']?\s*[:=]\s*["']?)([^\s"',;}]{4,}(?:\s+[A-Za-z0-9._~+/=\-]{8,})?)`),
}

// redactor removes the client's own header values (its tokens) and credential-looking
// pairs from text built from a response, so that a vendor echoing the request never puts
// a token in a log line or an error.
type redactor struct {
	secrets []string // longest first, so a whole header value goes before its parts
}

// nonSecretHeaders carry no credentials; every other header value is treated as secret.
var nonSecretHeaders = map[string]bool{"Accept": true, "Content-Type": true, "User-Agent": true, "Accept-Encoding": true}

func newRedactor(h http.Header) *redactor {
	r := &redactor{}
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) >= 4 && !seen[s] {
			seen[s] = true
			r.secrets = append(r.secrets, s)
		}
	}
	for k, vs := range h {
		if nonSecretHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		for _, v := range vs {
			add(v)
			// "Token token=abc", "Bearer abc", "GenieKey abc": the token alone too.
			for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '=' || r == '"' }) {
				if len(f) >= 8 {
					add(f)
				}
			}
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	return r
}

// String returns s with every secret and credential-looking value replaced.
func (r *redactor) String(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		for _, sec := range r.secrets {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	for i, p := range credentialPatterns {
		s = p.ReplaceAllStringFunc(s, func(m string) string {
			sub := p.FindStringSubmatch(m)
			// After a scheme word, a plain word ("Basic authentication") is prose.
			if strings.HasPrefix(sub[2], redacted) || i == 0 && isWord(sub[2]) {
				return m
			}
			return sub[1] + redacted
		})
	}
	return s
}

// Err returns err with its text redacted; errors.Is/As still see the original error.
func (r *redactor) Err(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.String(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func isWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
