package logscan

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFingerprintGolden pins fingerprint v1: these values are part of the metric
// contract (stable across processes, hosts and versions). A change here breaks every
// user's series; it needs a new fingerprint version.
func TestFingerprintGolden(t *testing.T) {
	want := map[string][]string{
		"java.log":   {"d472d419e0cf6b1e", "d472d419e0cf6b1e", "76dabe30bb02e9c6", "18d5512aa387b807", "209f323e03e300cd"},
		"python.log": {"8a8e6c8da7c9fef9", "8a8e6c8da7c9fef9", "beb56305a294772d", "a431633cf54321d4"},
		"go.log":     {"66938fa009ed33d4", "66938fa009ed33d4", "7345d3af09cef3ef", "390bd4321cec575a"},
	}
	for file, fps := range want {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		evs := detectAll(t, string(data))
		for i, fp := range fps {
			if i >= len(evs) || evs[i].Fingerprint != fp {
				t.Errorf("%s event %d: fingerprint changed, want %s", file, i, fp)
			}
		}
	}
}
