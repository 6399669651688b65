//go:build unix

// Package packaging tests how hero_exporter is shipped: the release tarballs of
// `make release`, the container image of `make image` (Dockerfile) and the systemd units of
// examples/systemd.
package packaging

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const testVersion = "9.8.7-packaging"

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// needTool returns the path of a tool; without it the test skips, except under CI=true.
func needTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI (%s): %v", name, install, err)
	}
	t.Skipf("%s not found (%s); skipping outside CI", name, install)
	return ""
}

func runMake(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("make", args...)
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var (
	releaseOnce sync.Once
	releaseDir  string
	releaseErr  string
)

// hostRelease runs `make release` once for the host platform (cross-compiling the other
// platforms costs minutes; the platform list itself is checked by TestReleasePlatforms)
// and returns the dist directory.
func hostRelease(t *testing.T) string {
	t.Helper()
	releaseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hero-release-")
		if err != nil {
			releaseErr = err.Error()
			return
		}
		cmd := exec.Command("make", "release", "DIST="+dir, "VERSION="+testVersion,
			"RELEASE_PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH)
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			releaseErr = fmt.Sprintf("make release: %v\n%s", err, out)
			return
		}
		releaseDir = dir
	})
	if releaseErr != "" {
		t.Fatal(releaseErr)
	}
	return releaseDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if releaseDir != "" {
		os.RemoveAll(releaseDir)
	}
	os.Exit(code)
}

// TestRelease checks the tarball of `make release`: its name, contents, checksum, and a
// binary that is static (no interpreter, no shared libraries) and stamped with the version.
func TestRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release; skipped in -short mode")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the static-binary check reads ELF")
	}
	dist := hostRelease(t)
	name := fmt.Sprintf("hero_exporter-%s.%s-%s", testVersion, runtime.GOOS, runtime.GOARCH)
	tarball := filepath.Join(dist, name+".tar.gz")

	sums, err := os.ReadFile(filepath.Join(dist, "sha256sums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(tarball)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if want := hex.EncodeToString(sum[:]) + "  " + name + ".tar.gz\n"; string(sums) != want {
		t.Errorf("sha256sums.txt = %q, want %q", sums, want)
	}

	files := untar(t, tarball, t.TempDir())
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"CHANGELOG.md", "LICENSE", "README.md", "demo.yml", "hero.yml", "hero_exporter"}
	for i := range want {
		want[i] = name + "/" + want[i]
	}
	if !slices.Equal(names, want) {
		t.Errorf("tarball holds %v, want %v", names, want)
	}
	bin := files[name+"/hero_exporter"]
	if bin == "" {
		t.Fatal("no binary in the tarball")
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: it is dynamically linked (CGO_ENABLED=0 missing?)")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v (%v)", libs, err)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", bin, err, out)
	}
	if !strings.HasPrefix(string(out), "hero_exporter, version "+testVersion+" ") {
		t.Errorf("--version does not carry the stamped version %s:\n%s", testVersion, out)
	}
	if !strings.Contains(string(out), "build user:       hero_exporter") {
		t.Errorf("--version lacks the build user the Makefile stamps:\n%s", out)
	}
}

// TestReleasePlatforms checks that `make release` builds the three platforms by default,
// without running the cross-compilers (make -n prints the loop with its list).
func TestReleasePlatforms(t *testing.T) {
	out := runMake(t, "-n", "release", "DIST=/nonexistent-dist")
	for _, p := range []string{"linux/amd64", "linux/arm64", "darwin/arm64"} {
		if !strings.Contains(out, p) {
			t.Errorf("make release does not build %s by default:\n%s", p, out)
		}
	}
	for _, s := range []string{"CGO_ENABLED=0", "sha256sum", "-ldflags"} {
		if !strings.Contains(out, s) {
			t.Errorf("make release recipe lacks %q:\n%s", s, out)
		}
	}
}

// untar extracts a .tar.gz into dir and returns regular files by archive name.
func untar(t *testing.T, path, dir string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: owner %d:%d, want 0:0", h.Name, h.Uid, h.Gid)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(dst, dir+string(filepath.Separator)) {
			t.Fatalf("unsafe path %q in the tarball", h.Name)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		w, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o777)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, tr); err != nil {
			t.Fatal(err)
		}
		w.Close()
		out[h.Name] = dst
	}
}

// TestSystemdUnits runs systemd-analyze verify on the shipped units (with ExecStart pointed
// at a built binary, which verify requires to exist) and fails on any warning; it checks
// the hardening the units promise and that the binary accepts the flags of ExecStart.
func TestSystemdUnits(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not found; the units are checked where systemd is installed")
	}
	root := repoRoot(t)
	src := filepath.Join(root, "examples", "systemd")
	service, err := os.ReadFile(filepath.Join(src, "hero_exporter.service"))
	if err != nil {
		t.Fatal(err)
	}
	socket, err := os.ReadFile(filepath.Join(src, "hero_exporter.socket"))
	if err != nil {
		t.Fatal(err)
	}
	directives := unitDirectives(string(service))
	for key, want := range map[string]string{
		"DynamicUser":           "yes",
		"StateDirectory":        "hero_exporter",
		"ProtectSystem":         "strict",
		"NoNewPrivileges":       "yes",
		"PrivateTmp":            "yes",
		"CapabilityBoundingSet": "",
	} {
		if got, ok := directives[key]; !ok || !slices.Contains(got, want) {
			t.Errorf("hero_exporter.service: %s=%v, want %q", key, got, want)
		}
	}
	if creds := directives["LoadCredential"]; len(creds) == 0 {
		t.Error("hero_exporter.service loads no token with LoadCredential=")
	}
	for _, k := range []string{"Environment", "EnvironmentFile"} {
		for _, v := range directives[k] {
			if regexp.MustCompile(`(?i)token|secret|password`).MatchString(v) {
				t.Errorf("hero_exporter.service passes a secret through %s=%s; use LoadCredential=", k, v)
			}
		}
	}
	exec0 := directives["ExecStart"]
	if len(exec0) != 1 {
		t.Fatalf("ExecStart = %v, want one command", exec0)
	}
	args := strings.Fields(exec0[0])
	if args[0] != "/usr/local/bin/hero_exporter" || !slices.Contains(args, "--web.systemd-socket") ||
		!slices.Contains(args, "--storage.path=/var/lib/hero_exporter") {
		t.Errorf("ExecStart %q: want /usr/local/bin/hero_exporter with --web.systemd-socket and the state directory as store", exec0[0])
	}
	if got := unitDirectives(string(socket))["ListenStream"]; !slices.Equal(got, []string{"9863"}) {
		t.Errorf("hero_exporter.socket ListenStream=%v, want 9863", got)
	}

	bin := releasedBinary(t)
	// The binary accepts every flag of ExecStart (kingpin rejects unknown flags before
	// it handles --help).
	out, err := exec.Command(bin, append(args[1:], "--help")...).CombinedOutput()
	if err != nil {
		t.Errorf("hero_exporter %v --help: %v\n%s", args[1:], err, out)
	}

	dir := t.TempDir()
	for name, body := range map[string]string{
		"hero_exporter.service": strings.ReplaceAll(string(service), "/usr/local/bin/hero_exporter", bin),
		"hero_exporter.socket":  string(socket),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(analyze, "verify", filepath.Join(dir, "hero_exporter.service"), filepath.Join(dir, "hero_exporter.socket"))
	out, err = cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The exposure score of systemd's own security review: 0 (locked down) to 10.
	out, err = exec.Command(analyze, "security", "--offline=yes", "--threshold=20", filepath.Join(dir, "hero_exporter.service")).CombinedOutput()
	if err != nil {
		t.Logf("systemd-analyze security unavailable: %v\n%s", err, out)
		return
	}
	m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no exposure level in systemd-analyze security output:\n%s", out)
	}
	t.Logf("systemd-analyze security: exposure %s", m[1])
	if level, err := strconv.ParseFloat(m[1], 64); err != nil || level > 2.0 {
		t.Errorf("exposure level %s, want at most 2.0 (hardening lost?)\n%s", m[1], out)
	}
}

// releasedBinary extracts the binary of the host release into a temporary directory.
func releasedBinary(t *testing.T) string {
	t.Helper()
	dist := hostRelease(t)
	name := fmt.Sprintf("hero_exporter-%s.%s-%s", testVersion, runtime.GOOS, runtime.GOARCH)
	files := untar(t, filepath.Join(dist, name+".tar.gz"), t.TempDir())
	bin := files[name+"/hero_exporter"]
	if bin == "" {
		t.Fatalf("no %s/hero_exporter in the release tarball", name)
	}
	return bin
}

// unitDirectives returns the values of every Key=Value line of a unit file, joining
// continuation lines and dropping comments.
func unitDirectives(unit string) map[string][]string {
	out := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(unit))
	var cur string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if cur != "" {
			line = cur + " " + line
			cur = ""
		}
		if strings.HasSuffix(line, "\\") {
			cur = strings.TrimSpace(strings.TrimSuffix(line, "\\"))
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "[") {
			continue
		}
		out[strings.TrimSpace(k)] = append(out[strings.TrimSpace(k)], strings.Join(strings.Fields(v), " "))
	}
	return out
}
