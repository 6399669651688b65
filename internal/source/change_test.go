package source

import "testing"

func TestChangeKind(t *testing.T) {
	for _, c := range []struct {
		explicit string
		texts    []string
		want     string
	}{
		{"deploy", []string{"Rollback of checkout"}, "deploy"}, // explicit wins
		{" Rollback ", nil, "rollback"},
		{"Configuration", nil, "config"},
		{"other", []string{"deploy"}, "other"},
		{"hotfix", []string{"Deployed checkout v1.2"}, "deploy"}, // unknown explicit: the text decides
		{"", []string{"Rolled back checkout to v1.1"}, "rollback"},
		{"", []string{"Revert \"raise pool size\""}, "rollback"},
		{"", []string{"Rollback of the config deploy"}, "rollback"},
		{"", []string{"Feature flag new-cart enabled"}, "config"},
		{"", []string{"Build Success - Increase snapshot create timeout", "acme-build-pipeline"}, "other"},
		{"", []string{"", "k8s rollout of checkout"}, "deploy"},
		{"", []string{"Release 2026.03.1"}, "deploy"},
		{"", []string{"Redeploying checkout"}, "deploy"},
		{"", []string{"Unflagged, undeployable thing"}, "other"}, // whole words only
		{"", nil, "other"},
	} {
		if got := ChangeKind(c.explicit, c.texts...); got != c.want {
			t.Errorf("ChangeKind(%q, %q) = %q, want %q", c.explicit, c.texts, got, c.want)
		}
	}
}
