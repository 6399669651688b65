package sourcetest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stopTB records how a helper stopped the test (Fatal or Skip) instead of stopping it.
type stopTB struct {
	testing.TB
	how, msg string
}

type stopped struct{}

func (s *stopTB) Helper() {}
func (s *stopTB) Fatal(args ...any) {
	s.how, s.msg = "fatal", fmt.Sprint(args...)
	panic(stopped{})
}
func (s *stopTB) Fatalf(f string, args ...any) {
	s.how, s.msg = "fatal", fmt.Sprintf(f, args...)
	panic(stopped{})
}
func (s *stopTB) Skipf(f string, args ...any) {
	s.how, s.msg = "skip", fmt.Sprintf(f, args...)
	panic(stopped{})
}

func locate(r Reference) (tb *stopTB, path string) {
	tb = &stopTB{}
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(stopped); !ok {
				panic(v)
			}
		}
	}()
	return tb, r.Locate(tb)
}

func TestReferenceRule(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "apis", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "apis", "x", "spec.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := Reference{Path: "apis/x/spec.json", What: "X spec"}
	for _, tc := range []struct {
		dir, ci, path string
		how, msg      string
	}{
		{"", "", "", "skip", "HERO_REFERENCE_DIR not set; skipping the OpenAPI conformance test"},
		{"", "true", "", "fatal", "CI=true but HERO_REFERENCE_DIR is not set: the conformance test must run in CI"},
		{dir, "", "apis/x/spec.json", "", ""},
		{dir, "true", "apis/x/spec.json", "", ""},
		{dir, "", "apis/x/none.json", "skip", "X spec not found: "},
		{dir, "true", "apis/x/none.json", "fatal", "HERO_REFERENCE_DIR is set but the X spec is missing: "},
	} {
		t.Setenv("HERO_REFERENCE_DIR", tc.dir)
		t.Setenv("CI", tc.ci)
		r := ref
		if tc.path != "" {
			r.Path = tc.path
		}
		tb, got := locate(r)
		if tb.how != tc.how || !strings.HasPrefix(tb.msg, tc.msg) {
			t.Errorf("dir %q CI %q %s: %s %q, want %s %q", tc.dir, tc.ci, r.Path, tb.how, tb.msg, tc.how, tc.msg)
		}
		if tc.how == "" && got != filepath.Join(dir, filepath.FromSlash(r.Path)) {
			t.Errorf("path %q", got)
		}
	}
	t.Setenv("HERO_REFERENCE_DIR", dir)
	t.Setenv("CI", "true")
	tb, _ := locate(Reference{Path: "apis/x", Check: "samples", Test: "reference test", What: "X samples", Plural: true})
	if tb.how != "fatal" || !strings.HasPrefix(tb.msg, "HERO_REFERENCE_DIR is set but the X samples are missing: ") {
		t.Errorf("plural: %s %q", tb.how, tb.msg)
	}
}

func TestFaults(t *testing.T) {
	serve := func(f FaultFunc, path string, n int) (bool, *httptest.ResponseRecorder) {
		w := httptest.NewRecorder()
		return f(w, httptest.NewRequest(http.MethodGet, path, nil), n), w
	}
	tooMany := func(w http.ResponseWriter) { w.WriteHeader(http.StatusTooManyRequests) }
	storm := Storm(2, map[string]string{"Retry-After": "3"}, tooMany)
	if ok, w := serve(storm, "/a", 2); !ok || w.Code != 429 || w.Header().Get("Retry-After") != "3" {
		t.Errorf("storm request 2: %v %d %v", ok, w.Code, w.Header())
	}
	if ok, _ := serve(storm, "/a", 3); ok {
		t.Error("storm answered request 3")
	}
	if ok, w := serve(Always(tooMany), "/a", 1000); !ok || w.Code != 429 {
		t.Error("Always did not answer")
	}
	resp := Respond(PathSuffix("/b"), "text/html", "<html>")
	if ok, w := serve(resp, "/a/b", 1); !ok || w.Body.String() != "<html>" || w.Header().Get("Content-Type") != "text/html" {
		t.Errorf("Respond: %v %q", ok, w.Body.String())
	}
	if ok, _ := serve(resp, "/a/c", 1); ok {
		t.Error("Respond answered another path")
	}
	hang := HangOnce(t, Path("/h"))
	if ok, _ := serve(hang, "/x", 1); ok {
		t.Error("HangOnce held another path")
	}
	ctx, cancel := context.WithCancel(context.Background())
	held := make(chan bool)
	go func() {
		held <- hang(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/h", nil).WithContext(ctx), 2)
	}()
	cancel() // the client gives up
	if !<-held {
		t.Error("HangOnce did not answer the first request")
	}
	if ok, _ := serve(hang, "/h", 3); ok {
		t.Error("HangOnce held a second request")
	}
}

func TestPageParamAndKeepPaths(t *testing.T) {
	q := url.Values{"page": {"3"}, "size": {""}, "bad": {"0"}}
	if n, ok := PageParam(q, "page", 1); n != 3 || !ok {
		t.Errorf("page %d %v", n, ok)
	}
	if n, ok := PageParam(q, "size", 20); n != 20 || !ok {
		t.Errorf("empty size %d %v", n, ok)
	}
	if _, ok := PageParam(q, "bad", 1); ok {
		t.Error("0 accepted")
	}
	doc := map[string]any{"paths": map[string]any{"/a": map[string]any{"get": 1, "post": 2}, "/b": map[string]any{}}}
	if missing := KeepPaths(doc, []string{"/a", "/c"}, true); len(missing) != 1 || missing[0] != "/c" {
		t.Errorf("missing %v", missing)
	}
	if got := fmt.Sprint(doc["paths"]); got != "map[/a:map[get:1]]" {
		t.Errorf("kept %s", got)
	}
}
