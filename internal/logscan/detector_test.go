package logscan

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// detectAll feeds text line by line and returns the events.
func detectAll(t testing.TB, text string, inApp ...string) []Event {
	t.Helper()
	var evs []Event
	d := NewDetector(DetectorOptions{InApp: inApp}, func(e *Event) { evs = append(evs, *e) })
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		d.Feed(sc.Bytes())
	}
	d.Flush()
	return evs
}

// scanAll runs the whole pipeline (prefilter, JSON) over text.
func scanAll(t testing.TB, text, format string, inApp ...string) []Event {
	t.Helper()
	f, err := parseFormat(format)
	if err != nil {
		t.Fatal(err)
	}
	var evs []Event
	d := NewDetector(DetectorOptions{InApp: inApp}, func(e *Event) { evs = append(evs, *e) })
	p := newLineProc(d, f)
	if err := scanOne(strings.NewReader(text), newSplitter(0), p); err != nil {
		t.Fatal(err)
	}
	return evs
}

// checkGroups asserts the events' fingerprint grouping: groups is one letter per event,
// equal letters mean equal fingerprints and different letters different ones.
func checkGroups(t *testing.T, evs []Event, groups string) {
	t.Helper()
	if len(evs) != len(groups) {
		for _, e := range evs {
			t.Logf("event: %+v", e)
		}
		t.Fatalf("got %d events, want %d", len(evs), len(groups))
	}
	for i := range evs {
		for j := range evs {
			same := groups[i] == groups[j]
			if (evs[i].Fingerprint == evs[j].Fingerprint) != same {
				t.Errorf("events %d and %d: same fingerprint = %v, want %v\n  %+v\n  %+v", i, j, !same, same, evs[i], evs[j])
			}
		}
	}
}

func TestLanguageFixtures(t *testing.T) {
	cases := []struct {
		file   string
		lang   string
		groups string
		types  []string
		locs   []string
	}{
		{"java.log", LangJava, "AABCD",
			[]string{"java.lang.IllegalStateException", "java.lang.IllegalStateException", "java.lang.NullPointerException",
				"org.springframework.dao.DataIntegrityViolationException", "java.lang.IllegalArgumentException"},
			[]string{"com.example.db.Pool.get", "com.example.db.Pool.get", "com.example.users.UserService.normalize",
				"com.example.jobs.Nightly.run", "com.example.jobs.Query.check"}},
		{"python.log", LangPython, "AABC",
			[]string{"KeyError", "KeyError", "app.db.DatabaseError", "TypeError"},
			[]string{"cart.total", "cart.total", "db.connect", "parse.parse"}},
		{"go.log", LangGo, "AABC",
			[]string{"panic", "panic", "panic", "fatal error"},
			[]string{"main.(*Store).Get", "main.(*Store).Get", "main.(*API).update", "main.main"}},
		{"node.log", LangJS, "AABC",
			[]string{"TypeError", "TypeError", "Error", "RangeError"},
			[]string{"users.js:getUser", "users.js:getUser", "TCPConnectWrap.afterConnect", "Object.<anonymous>"}},
		{"dotnet.log", LangDotNet, "AABC",
			[]string{"System.InvalidOperationException", "System.InvalidOperationException", "System.AggregateException",
				"System.IO.FileNotFoundException"},
			[]string{"Shop.Orders.OrderService.GetLatest", "Shop.Orders.OrderService.GetLatest",
				"Shop.Payments.Gateway.<ChargeAsync>d__.MoveNext", "Shop.Config.Load"}},
		{"ruby.log", LangRuby, "AABC",
			[]string{"NoMethodError", "NoMethodError", "ZeroDivisionError", "ZeroDivisionError"},
			[]string{"books_controller.rb:show", "books_controller.rb:show", "Integer#/", "worker.rb:/"}},
		{"php.log", LangPHP, "AABC",
			[]string{"RuntimeException", "RuntimeException", "App\\DbException", "InvalidArgumentException"},
			[]string{"App\\OrderRepo->find", "App\\OrderRepo->find", "PDO->__construct", "App\\Ids::check"}},
		{"dart.log", LangDart, "AAB",
			[]string{"FormatException", "FormatException", "UnhandledException"},
			[]string{"amount.dart:parseAmount", "amount.dart:parseAmount", "Cart.firstItem"}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			for name, evs := range map[string][]Event{
				"detector": detectAll(t, string(data)),
				"pipeline": scanAll(t, string(data), FormatAuto),
			} {
				t.Run(name, func(t *testing.T) {
					checkGroups(t, evs, tc.groups)
					for i, e := range evs {
						if e.Language != tc.lang {
							t.Errorf("event %d: language %q, want %q", i, e.Language, tc.lang)
						}
						if e.Type != tc.types[i] {
							t.Errorf("event %d: type %q, want %q", i, e.Type, tc.types[i])
						}
						if e.Location != tc.locs[i] {
							t.Errorf("event %d: location %q, want %q", i, e.Location, tc.locs[i])
						}
						checkFingerprintFormat(t, e.Fingerprint)
					}
				})
			}
		})
	}
}

func checkFingerprintFormat(t *testing.T, fp string) {
	t.Helper()
	if len(fp) != 16 || strings.Trim(fp, "0123456789abcdef") != "" {
		t.Errorf("fingerprint %q is not 16 lowercase hex", fp)
	}
}

var _ = bytes.Contains
