package source

import (
	"regexp"
	"strings"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

// Words that name a kind of change in a tool's free text (a summary, a label value),
// most specific first: a "rollback of the config deploy" is a rollback.
var changeWords = []struct {
	kind string
	re   *regexp.Regexp
}{
	{incident.ChangeRollback, regexp.MustCompile(`(?i)\b(roll(ed|ing)?[ -]?backs?|revert(ed|ing|s)?|undo)\b`)},
	{incident.ChangeConfig, regexp.MustCompile(`(?i)\b(config(uration)?s?|feature[ -]flags?|flags?|toggles?|settings?)\b`)},
	{incident.ChangeDeploy, regexp.MustCompile(`(?i)\b((re)?deploy(ed|ing|ment|ments|s)?|releas(e|ed|es|ing)|roll(ed|ing)?[ -]?outs?|ship(ped)?|upgrad(e|ed|es|ing))\b`)},
}

// ChangeKind maps what a tool says about a change to the model's kind. explicit is a
// field that names the kind outright (a "kind" label, say): deploy, rollback, config
// and other are taken as they are (case-insensitive, "configuration" is config);
// anything else, or nothing, falls back to texts (summary, source, …), searched in
// order for the words of a rollback (rollback, revert), then a config change (config,
// configuration, feature flag, toggle, setting), then a deploy (deploy, redeploy, deployment,
// release, rollout, ship, upgrade). Nothing found: other.
func ChangeKind(explicit string, texts ...string) string {
	switch k := strings.ToLower(strings.TrimSpace(explicit)); k {
	case incident.ChangeDeploy, incident.ChangeRollback, incident.ChangeConfig, incident.ChangeOther:
		return k
	case "configuration":
		return incident.ChangeConfig
	}
	for _, w := range changeWords {
		for _, t := range texts {
			if w.re.MatchString(t) {
				return w.kind
			}
		}
	}
	return incident.ChangeOther
}
