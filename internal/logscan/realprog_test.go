package logscan

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// needTool returns the path of a program; without it the test is skipped, except under
// CI=true where it fails.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (required under CI)", name)
		}
		t.Skipf("%s not found", name)
	}
	return p
}

// runAll runs each argument list and joins the outputs (stdout and stderr, non-zero exit
// expected) with an ordinary log line in between.
func runAll(t *testing.T, dir string, runs ...[]string) string {
	t.Helper()
	var b bytes.Buffer
	for i, args := range runs {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "NO_COLOR=1", "GOFLAGS=")
		out, _ := cmd.CombinedOutput()
		b.Write(out)
		if len(out) > 0 && out[len(out)-1] != '\n' {
			b.WriteByte('\n')
		}
		b.WriteString("2026-05-01 10:00:0" + string(rune('0'+i)) + " INFO supervisor: process restarted\n")
	}
	return b.String()
}

func checkReal(t *testing.T, out, lang, groups string) []Event {
	t.Helper()
	for name, evs := range map[string][]Event{"detector": detectAll(t, out), "pipeline": scanAll(t, out, FormatAuto)} {
		t.Run(name, func(t *testing.T) {
			checkGroups(t, evs, groups)
			for _, e := range evs {
				if e.Language != lang {
					t.Errorf("language %q, want %q: %+v", e.Language, lang, e)
				}
			}
		})
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	return detectAll(t, out)
}

func TestRealPython(t *testing.T) {
	t.Parallel()
	py := needTool(t, "python3")
	dir := t.TempDir()
	src := `import sys
class Cart:
    def __init__(self): self.items = {}
    def total(self, key):
        return self.items[key]
def connect(host):
    try:
        1 / 0
    except ZeroDivisionError as e:
        raise ConnectionError("cannot reach " + host) from e
if sys.argv[1] == "key":
    Cart().total("item-" + sys.argv[2])
else:
    connect(sys.argv[2])
`
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runAll(t, dir, []string{py, "app.py", "key", "17"}, []string{py, "app.py", "key", "9000"},
		[]string{py, "app.py", "net", "10.0.0.1"}, []string{py, "app.py", "net", "10.9.8.7"})
	evs := checkReal(t, out, LangPython, "AABB")
	if len(evs) == 4 && (evs[0].Type != "KeyError" || evs[0].Location != "app.total" || evs[2].Type != "ConnectionError") {
		t.Errorf("events: %+v", evs)
	}
}

func TestRealNode(t *testing.T) {
	t.Parallel()
	node := needTool(t, "node")
	dir := t.TempDir()
	src := `function getUser(u) { return u.profile.email; }
function parse(s) { if (s.length > 3) throw new RangeError("bad size " + s.length); }
if (process.argv[2] === "user") getUser({id: process.argv[3]}); else parse(process.argv[3]);
`
	if err := os.WriteFile(filepath.Join(dir, "app.js"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runAll(t, dir, []string{node, "app.js", "user", "1"}, []string{node, "app.js", "user", "22"},
		[]string{node, "app.js", "size", "abcdef"}, []string{node, "app.js", "size", "abcdefgh"})
	evs := checkReal(t, out, LangJS, "AABB")
	if len(evs) == 4 && (evs[0].Type != "TypeError" || evs[0].Location != "app.js:getUser" || evs[2].Type != "RangeError") {
		t.Errorf("events: %+v", evs)
	}
}

func TestRealGo(t *testing.T) {
	t.Parallel()
	goTool := needTool(t, "go")
	dir := t.TempDir()
	src := `package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
)

type store struct{ m map[string]int }

func (s *store) put(k string) { s.m[k] = 1 }

func lookup(xs []int, i int) int { return xs[i] }

func main() {
	n, _ := strconv.Atoi(os.Args[2])
	switch os.Args[1] {
	case "index":
		lookup([]int{1, 2, 3}, n)
	case "http":
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var s store
			s.put(os.Args[2])
		}))
		http.Get(srv.URL)
		srv.Close()
	}
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/app\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command(goTool, "build", "-o", "app", ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "app")
	out := runAll(t, dir, []string{bin, "index", "5"}, []string{bin, "index", "7"},
		[]string{bin, "http", "1"}, []string{bin, "http", "2"})
	evs := checkReal(t, out, LangGo, "AABB")
	if len(evs) == 4 && (evs[0].Type != "panic" || evs[0].Location != "main.lookup" || evs[2].Location != "main.(*store).put") {
		t.Errorf("events: %+v", evs)
	}
}

func TestRealJava(t *testing.T) {
	t.Parallel()
	java := needTool(t, "java")
	needTool(t, "javac")
	dir := t.TempDir()
	src := `import java.util.*;
public class Main {
  static Map<String, String> orders = new HashMap<>();
  static String load(String id) {
    String o = orders.get(id);
    if (o == null) throw new IllegalStateException("order " + id + " not found");
    return o;
  }
  static void save(String id) {
    try { Integer.parseInt(id); } catch (NumberFormatException e) { throw new RuntimeException("cannot save " + id, e); }
    Runnable r = () -> load(id);
    r.run();
  }
  public static void main(String[] a) {
    if (a[0].equals("load")) load(a[1]); else save(a[1]);
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "Main.java"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("javac", "-d", dir, filepath.Join(dir, "Main.java")).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	out := runAll(t, dir, []string{java, "-cp", dir, "Main", "load", "42"}, []string{java, "-cp", dir, "Main", "load", "7"},
		[]string{java, "-cp", dir, "Main", "save", "x1"}, []string{java, "-cp", dir, "Main", "save", "y22"},
		[]string{java, "-cp", dir, "Main", "save", "5"})
	evs := checkReal(t, out, LangJava, "AABBC")
	if len(evs) == 5 && (evs[0].Type != "java.lang.IllegalStateException" || evs[0].Location != "Main.load" ||
		evs[2].Type != "java.lang.RuntimeException" || evs[4].Location != "Main.load") {
		t.Errorf("events: %+v", evs)
	}
}
