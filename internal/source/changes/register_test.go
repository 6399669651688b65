package changes_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/source"
	_ "github.com/hero-exporter/hero_exporter/internal/source/all"
	"github.com/hero-exporter/hero_exporter/internal/source/changes"
)

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	token, secret, empty := write("token", "t0ken\n"), write("secret", "s3cret\n"), write("empty", "\n")
	cfg, err := config.Parse([]byte(`sources:
  - name: ci
    type: changes
    token_file: `+token+`
    secret_file: `+secret+`
    environments: [production]
`), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	sc := cfg.Sources[0]
	if sc.Token != "t0ken" || sc.Secret != "s3cret" || sc.Path != "" || sc.RefreshInterval.String() != "1m" {
		t.Errorf("parsed %+v", sc)
	}
	src, err := source.New(sc, source.Env{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if r := src.(*changes.Receiver); r.Path() != "/changes/ci" || r.GitHubPath() != "/changes/ci/github" {
		t.Errorf("paths %s %s", r.Path(), r.GitHubPath())
	}

	for yaml, want := range map[string]string{
		"  - {name: ci, type: changes}\n":                                                           "hero.yml:2: sources[0]: needs token_file or token_env",
		"  - {name: ci, type: changes, token_file: " + token + ", path: hooks}\n":                   `hero.yml:2: sources[0].path: must be an HTTP path starting with /, got "hooks"`,
		"  - {name: ci, type: changes, token_file: " + token + ", environments: [prod]}\n":          "hero.yml:2: sources[0].environments: filters GitHub deployments; it needs secret_file (the GitHub webhook secret)",
		"  - {name: ci, type: changes, token_file: " + token + ", secret_file: " + empty + "}\n":    "hero.yml:2: sources[0].secret_file: secret file " + empty + " is empty",
		"  - {name: ci, type: changes, token_file: " + token + ", max_body_bytes: 100000000}\n":     "hero.yml:2: sources[0].max_body_bytes: must be between 1 and 67108864 (64 MiB), got 100000000",
		"  - {name: pd, type: pagerduty, token_file: " + token + ", secret_file: " + secret + "}\n": "hero.yml:2: sources[0].secret_file: is not used by pagerduty sources",
	} {
		_, err := config.Parse([]byte("sources:\n"+yaml), "hero.yml")
		if err == nil || err.Error() != want {
			t.Errorf("%s: err = %v\nwant %s", strings.TrimSpace(yaml), err, want)
		}
	}
}
