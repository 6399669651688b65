// Package pseudonym keys the hashes that stand for people in person_label: hashed mode.
// An unkeyed hash of an email is re-identified by hashing a staff list; an HMAC with a
// secret key is not, as long as the key stays secret. The same key gives the same
// pseudonyms on every host, so two exporters (HA pairs) agree.
package pseudonym

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// EmailPrefix marks an email stored as its keyed hash.
const EmailPrefix = "hmac-sha256:"

// MinKeyBytes is the shortest key accepted (hash_key_file).
const MinKeyBytes = 16

// Key is the secret of the keyed hash. The zero value means no key.
type Key []byte

// sum is the HMAC-SHA256 of s under k, in hex.
func (k Key) sum(s string) string {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// Email returns the stored form of an email: EmailPrefix and the keyed hash of its
// normalised (trimmed, lower-case) form; "" stays ""; an already hashed one is kept.
func (k Key) Email(email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" || IsHashed(e) {
		return e
	}
	return EmailPrefix + k.sum(e)
}

// IsHashed reports whether an email is in its stored, hashed form.
func IsHashed(email string) bool { return strings.HasPrefix(email, EmailPrefix) }

// Label is the 16-hex pseudonym of a person known by email (clear or hashed) or, without
// one, by source and id. Without a key it is an unkeyed hash, only used to tell people
// with equal names apart in the other modes.
func (k Key) Label(email, src, id string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	if IsHashed(e) {
		return strings.TrimPrefix(e, EmailPrefix)[:16]
	}
	key := e
	if key == "" {
		key = src + "/" + id
	}
	if len(k) == 0 {
		sum := sha256.Sum256([]byte(key))
		return hex.EncodeToString(sum[:8])
	}
	return k.sum(key)[:16]
}

// Scrub reduces a person's name and email to what the analytics need in hashed mode:
// no name, and the email as its keyed hash (to merge one person across sources). The id
// (to link pages and shifts) and the time zone (for the bands) are kept as they are.
func (k Key) Scrub(name, email string) (string, string) {
	return "", k.Email(email)
}
