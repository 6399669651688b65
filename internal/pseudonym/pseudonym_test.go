package pseudonym

import "testing"

// Expected values computed outside Go:
//
//	python3 -c "import hmac,hashlib; print(hmac.new(b'0123456789abcdef-test-key', b'ana@example.com', hashlib.sha256).hexdigest())"
func TestKeyedPseudonyms(t *testing.T) {
	k := Key("0123456789abcdef-test-key")
	const full = "898a991966728612d312b974057b8e78a9260b7401e1672cf756365b73c4390e"
	if got := k.Email("  Ana@Example.com "); got != EmailPrefix+full {
		t.Fatalf("Email = %q, want the HMAC of the trimmed lower-case email", got)
	}
	if got := k.Email(EmailPrefix + full); got != EmailPrefix+full {
		t.Fatalf("an already hashed email is hashed again: %q", got)
	}
	if k.Email("") != "" {
		t.Fatal("no email must stay no email")
	}
	// The label is the same from the clear and the stored (hashed) email.
	if a, b := k.Label("ana@example.com", "pd", "U9"), k.Label(EmailPrefix+full, "pd", "U9"); a != full[:16] || b != a {
		t.Fatalf("labels %q and %q, want %q", a, b, full[:16])
	}
	if got := k.Label("", "pd", "U9"); got != "589060e0da1a5ec2" {
		t.Fatalf("label without email = %q", got)
	}
	// Another key, another pseudonym: a staff list hashed without the key matches nothing.
	if Key("another-key-of-16-bytes").Label("ana@example.com", "", "") == full[:16] {
		t.Fatal("the pseudonym does not depend on the key")
	}
	// Without a key (other modes): the unkeyed hash, only used to tell equal names apart.
	if got := Key(nil).Label("ana@example.com", "", ""); got != "8e43ca37701228e7" {
		t.Fatalf("unkeyed label = %q", got)
	}
	if n, e := k.Scrub("Ana Lima", "ana@example.com"); n != "" || e != EmailPrefix+full {
		t.Fatalf("Scrub = %q, %q", n, e)
	}
}
