//go:build linux

package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImage builds the container image with `make image` (buildah, vfs storage in a
// temporary directory, chroot isolation) and runs the binary inside it: --version and
// check-config on the demo configuration the image ships. It checks the image metadata
// (non-root user, volume, port) and its files (CA bundle, passwd, store directory owned by
// the user). Under CI=true it runs and fails without buildah; outside CI it is skipped
// (it takes minutes) unless HERO_TEST_IMAGE=1.
func TestImage(t *testing.T) {
	if os.Getenv("CI") != "true" && os.Getenv("HERO_TEST_IMAGE") != "1" {
		t.Skip("builds a container image; runs under CI=true or HERO_TEST_IMAGE=1")
	}
	buildah := needTool(t, "buildah", "apt-get install -y buildah")
	storage := t.TempDir()
	flags := []string{"--storage-driver", "vfs", "--root", filepath.Join(storage, "root"), "--runroot", filepath.Join(storage, "runroot")}
	image := "localhost/hero_exporter:" + testVersion
	out := runMake(t, "image", "VERSION="+testVersion, "IMAGE="+image,
		"IMAGE_CONTEXT="+filepath.Join(t.TempDir(), "context"), "BUILDAH="+buildah,
		"BUILDAH_FLAGS="+strings.Join(flags, " "))
	t.Logf("make image:\n%s", lastLines(out, 3))
	b := func(args ...string) (string, error) {
		out, err := exec.Command(buildah, append(append([]string{}, flags...), args...)...).CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() {
		// vfs layers are plain directories; unmount and remove so that TempDir can go.
		_, _ = b("rm", "--all")
		_, _ = b("rmi", "--all", "--force")
	})

	size, err := b("images", "--format", "{{.Size}}", image)
	if err != nil {
		t.Fatalf("buildah images: %v\n%s", err, size)
	}
	t.Logf("image %s size: %s", image, strings.TrimSpace(size))

	meta, err := b("inspect", "--type", "image", "--format",
		"{{.OCIv1.Config.User}}|{{range $k, $v := .OCIv1.Config.Volumes}}{{$k}} {{end}}|{{range $k, $v := .OCIv1.Config.ExposedPorts}}{{$k}} {{end}}|{{.OCIv1.Config.Entrypoint}}", image)
	if err != nil {
		t.Fatalf("buildah inspect: %v\n%s", err, meta)
	}
	parts := strings.Split(strings.TrimSpace(meta), "|")
	if len(parts) != 4 {
		t.Fatalf("inspect output %q", meta)
	}
	if user := parts[0]; user == "" || strings.HasPrefix(user, "0") || strings.HasPrefix(user, "root") {
		t.Errorf("image user %q, want a non-root numeric user", user)
	}
	if v := strings.TrimSpace(parts[1]); v != "/var/lib/hero_exporter" {
		t.Errorf("image volumes %q, want /var/lib/hero_exporter", v)
	}
	if p := strings.TrimSpace(parts[2]); p != "9863/tcp" {
		t.Errorf("exposed ports %q, want 9863/tcp", p)
	}
	if parts[3] != "[/bin/hero_exporter]" {
		t.Errorf("entrypoint %q, want [/bin/hero_exporter]", parts[3])
	}

	ctr, err := b("from", "--pull-never", image)
	if err != nil {
		t.Fatalf("buildah from: %v\n%s", err, ctr)
	}
	ctr = strings.TrimSpace(lastLines(ctr, 1))
	run := func(args ...string) (string, error) {
		return b(append([]string{"run", "--isolation", "chroot", ctr, "--"}, args...)...)
	}
	out, err = run("/bin/hero_exporter", "--version")
	if err != nil || !strings.Contains(out, "hero_exporter, version "+testVersion) {
		t.Errorf("hero_exporter --version in the image: %v\n%s", err, out)
	}
	out, err = run("/bin/hero_exporter", "check-config", "--config.file=/etc/hero_exporter/hero.yml")
	if err != nil || !strings.Contains(out, "configuration /etc/hero_exporter/hero.yml is valid") || !strings.Contains(out, "source demo: type demo") {
		t.Errorf("check-config on the image's demo configuration: %v\n%s", err, out)
	}
	// A broken configuration is reported with exit status 2, also inside the image.
	out, err = run("/bin/hero_exporter", "check-config", "--config.file=/etc/passwd")
	if err == nil {
		t.Errorf("check-config accepted /etc/passwd:\n%s", out)
	}

	mnt, err := b("mount", ctr)
	if err != nil {
		t.Fatalf("buildah mount: %v\n%s", err, mnt)
	}
	fs := strings.TrimSpace(lastLines(mnt, 1))
	ca, err := os.ReadFile(filepath.Join(fs, "etc", "ssl", "certs", "ca-certificates.crt"))
	if err != nil || strings.Count(string(ca), "BEGIN CERTIFICATE") < 10 {
		t.Errorf("CA bundle in the image: %d certificates (%v)", strings.Count(string(ca), "BEGIN CERTIFICATE"), err)
	}
	passwd, err := os.ReadFile(filepath.Join(fs, "etc", "passwd"))
	if err != nil || !strings.Contains(string(passwd), ":"+strings.Split(parts[0], ":")[0]+":") {
		t.Errorf("/etc/passwd of the image has no entry for user %s: %v\n%s", parts[0], err, passwd)
	}
	st, err := os.Stat(filepath.Join(fs, "var", "lib", "hero_exporter"))
	if err != nil || !st.IsDir() {
		t.Fatalf("store directory: %v", err)
	}
	if uid := ownerUID(st); strconv.Itoa(uid) != strings.Split(parts[0], ":")[0] {
		t.Errorf("/var/lib/hero_exporter is owned by %d, want the image user %s", uid, parts[0])
	}
	for _, p := range []string{"bin/sh", "usr/bin/gcc", "lib/x86_64-linux-gnu/libc.so.6"} {
		if _, err := os.Stat(filepath.Join(fs, p)); err == nil {
			t.Errorf("the image contains /%s; it should hold the static binary only", p)
		}
	}
	_, _ = b("umount", ctr)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
