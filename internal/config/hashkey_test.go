package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// person_label: hashed needs a key of at least 16 bytes from hash_key_file; names cannot
// be matched in that mode (they are not stored); the key reaches the analytics and is
// never printed.
func TestHashKey(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "hero.key")
	os.WriteFile(good, []byte("  k3y-of-more-than-16-bytes\n"), 0o600)
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("tiny\n"), 0o600)
	for _, c := range []struct{ yaml, want string }{
		{"person_label: hashed\n", "hero.yml:1: person_label: hashed needs hash_key_file"},
		{"person_label: hashed\nhash_key_file: " + short + "\n", "hero.yml:2: hash_key_file: the key in " + short + " is shorter than 16 bytes"},
		{"person_label: hashed\nhash_key_file: /dev/zero\n", "hero.yml:2: hash_key_file: cannot read hash key file: /dev/zero: not a regular file"},
		{"person_label: hashed\nhash_key_file: " + good + "\npeople:\n  - match: {name: Ana Lima}\n    timezone: Europe/Lisbon\n",
			"hero.yml:4: people[0].match.name: names are not stored with person_label: hashed; match by email or id"},
	} {
		_, err := Parse([]byte(c.yaml), "hero.yml")
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: %v\nwant %s", c.yaml, err, c.want)
		}
	}
	cfg, err := Parse([]byte("person_label: hashed\nhash_key_file: "+good+"\npeople:\n  - match: {email: ana@example.com}\n    timezone: Europe/Lisbon\n"), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.Analytics().HashKey) != "k3y-of-more-than-16-bytes" {
		t.Fatalf("key %q did not reach the analytics", cfg.Analytics().HashKey)
	}
	if out := cfg.HashKey.String(); strings.Contains(out, "k3y") {
		t.Fatalf("the key prints: %s", out)
	}
}
