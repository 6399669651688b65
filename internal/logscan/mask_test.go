package logscan

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMaskMessage(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Order 12345 not found", "Order <num> not found"},
		{"user 550e8400-e29b-41d4-a716-446655440000 missing", "user <uuid> missing"},
		{"connect to 10.0.0.5:5432 failed", "connect to <ip> failed"},
		{"connect to [2001:db8::1]:443 failed", "connect to [<ip>]:<num> failed"},
		{"mail to bob.smith@example.com bounced", "mail to <email> bounced"},
		{"GET https://api.example.com/v1/users/42?x=1 returned 503", "GET <url> returned <num>"},
		{"deadline 2026-05-01T10:00:00Z passed", "deadline <date> passed"},
		{"at 12:30:45 the job stopped", "at <date> the job stopped"},
		{"timeout after 1.5s and 300ms", "timeout after <dur> and <dur>"},
		{"address 0x7ffee4b2c8a0 invalid", "address <hex> invalid"},
		{"token deadbeefcafe0123 expired", "token <hex> expired"},
		{`key "user:42" and 'abc' missing`, `key "<str>" and '<str>' missing`},
		{"it can't be done", "it can't be done"},
		{"request_id=98765 failed", "request_id=<num> failed"},
		{"user_12345 locked", "user_<num> locked"},
		{"  many   spaces\tand\nnewlines ", "many spaces and newlines"},
		{"utf8 and base64 stay", "utf8 and base64 stay"},
		{"from MININT-FNANLI5/127.0.0.1 to msra-sa-41:8030", "from MININT-FNANLI5/<ip> to msra-sa-<num>:<num>"},
	}
	for _, c := range cases {
		if got := MaskMessage(c.in); got != c.want {
			t.Errorf("MaskMessage(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMaskMessageBounds(t *testing.T) {
	long := strings.Repeat("é", 500)
	m := MaskMessage(long)
	if utf8.RuneCountInString(m) > MaxMessageLen || !utf8.ValidString(m) {
		t.Errorf("long message: %d runes, valid %v", utf8.RuneCountInString(m), utf8.ValidString(m))
	}
	bad := "bad \xff\xfe bytes \x00 and NUL"
	m = MaskMessage(bad)
	if !utf8.ValidString(m) || strings.ContainsRune(m, 0) {
		t.Errorf("invalid input gave %q", m)
	}
}

func TestNormalizeFn(t *testing.T) {
	cases := []struct{ lang, in, want string }{
		{LangJava, "com.example.Foo.lambda$bar$3", "com.example.Foo.lambda$bar"},
		{LangJava, "com.example.Foo$$EnhancerBySpringCGLIB$$1a2b3c.load", "com.example.Foo.load"},
		{LangJava, "jdk.proxy2.$Proxy123.invoke", "jdk.proxy.$Proxy.invoke"},
		{LangJava, "sun.reflect.GeneratedMethodAccessor42.invoke", "sun.reflect.GeneratedMethodAccessor.invoke"},
		{LangJava, "com.example.Foo$1.run", "com.example.Foo.run"},
		{LangGo, "main.main.func1", "main.main.func"},
		{LangDotNet, "Shop.Gateway.<ChargeAsync>d__12.MoveNext", "Shop.Gateway.<ChargeAsync>d__.MoveNext"},
		{LangPHP, "func1", "func1"},
	}
	for _, c := range cases {
		if got := normalizeFn(c.lang, c.in); got != c.want {
			t.Errorf("normalizeFn(%s, %q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}
