package logscan

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestKubernetesLabel(t *testing.T) {
	for path, want := range map[string]string{
		"/var/log/pods/shop_cart-7d9f8c6b5-x2x4q_0f1e2d3c-aaaa-bbbb-cccc-123456789abc/cart/0.log": "shop/cart",
		"/var/log/pods/kube-system_coredns-5d78c9869d-abcde_uid-1/coredns/12.log":                 "kube-system/coredns",
		"/host/var/log/pods/billing_api-0_5f3a/api-server/0.log.20261118-120000":                  "billing/api-server",
		// Not a pod log path: no label.
		"/var/log/app/checkout.log":                  "",
		"/var/log/pods/shop_cart/cart/0.log":         "", // two parts
		"/var/log/pods/shop_cart_uid_x/cart/0.log":   "", // four parts
		"/var/log/pods/Shop_cart-1_uid/cart/0.log":   "", // not a DNS label
		"/var/log/pods/shop_cart-1_uid/Cart*/0.log":  "", // glob character in the container
		"/var/log/pods/shop__uid/cart/0.log":         "", // empty pod name
		"/var/log/pods/_cart-1_uid/cart/0.log":       "", // empty namespace
		"/var/log/pods/shop_cart-1_uid/-cart-/0.log": "",
	} {
		got, ok := KubernetesLabel(path)
		if got != want || ok != (want != "") {
			t.Errorf("KubernetesLabel(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}

// TestKubernetesGlob checks that the glob of one pod's file matches the files of every
// pod of the same namespace and container, and nothing else.
func TestKubernetesGlob(t *testing.T) {
	root := filepath.Join(t.TempDir(), "pods")
	files := []string{
		"shop_cart-7d9-aaaaa_uid1/cart/0.log",
		"shop_cart-7d9-bbbbb_uid2/cart/0.log",
		"shop_cart-7d9-bbbbb_uid2/cart/1.log",
		"shop_cart-7d9-bbbbb_uid2/istio-proxy/0.log",
		"shop-eu_cart-1_uid3/cart/0.log",
		"billing_cart-1_uid4/cart/0.log",
	}
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g, ok := KubernetesGlob(filepath.Join(root, files[0]), "*.log")
	if !ok {
		t.Fatal("no glob")
	}
	if want := filepath.Join(root, "shop_*_*", "cart", "*.log"); g != want {
		t.Errorf("glob %s, want %s", g, want)
	}
	m, err := filepath.Glob(g)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files[:3] {
		want = append(want, filepath.Join(root, f))
	}
	slices.Sort(m)
	if !slices.Equal(m, want) {
		t.Errorf("glob matches %v, want %v", m, want)
	}
	if _, ok := KubernetesGlob("/var/log/app.log", "*.log"); ok {
		t.Error("glob for a path that is no pod log")
	}
}
