package logscan

import (
	"path/filepath"
	"regexp"
	"strings"
)

// dnsLabel is a Kubernetes namespace or container name (RFC 1123 label): no '_', no glob
// or path characters.
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// KubernetesLabel returns the `log` label of a kubelet pod log file,
// <namespace>/<container>, from its path
// <root>/<namespace>_<pod>_<uid>/<container>/<file>; ok is false for any other path.
// The pod name and uid are left out on purpose: they change with every rollout and would
// make a series per pod.
func KubernetesLabel(path string) (label string, ok bool) {
	ns, container, ok := kubernetesParts(path)
	if !ok {
		return "", false
	}
	return ns + "/" + container, true
}

// KubernetesGlob returns the glob that matches the files of every pod of path's namespace
// and container, with the file name pattern base (the last element of the configured
// glob, e.g. "*.log"): <root>/<namespace>_*_*/<container>/<base>.
func KubernetesGlob(path, base string) (string, bool) {
	ns, container, ok := kubernetesParts(path)
	if !ok {
		return "", false
	}
	root := filepath.Dir(filepath.Dir(filepath.Dir(path)))
	return filepath.Join(root, ns+"_*_*", container, base), true
}

func kubernetesParts(path string) (ns, container string, ok bool) {
	container = filepath.Base(filepath.Dir(path))
	podDir := filepath.Base(filepath.Dir(filepath.Dir(path)))
	parts := strings.Split(podDir, "_")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	ns = parts[0]
	if !dnsLabel.MatchString(ns) || !dnsLabel.MatchString(container) {
		return "", "", false
	}
	return ns, container, true
}
