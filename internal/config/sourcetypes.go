package config

import (
	"fmt"
	"sort"
	"sync"
)

// SourceType is what the configuration knows of one source type: which optional fields
// it uses, their defaults and its own checks. Every source package registers its type
// in init() (through source.Register), so config names no type itself.
type SourceType struct {
	// Name is the value of the type field.
	Name string
	// Fields are the optional fields the type uses besides name, type and
	// refresh_interval: any of base_url, token_file, token_env, history, timeout, path,
	// seed, labels, max_body_bytes, secret_file, environments. A field the type does not
	// list is refused. The common checks follow
	// the fields: history and timeout must be positive, base_url an http(s) URL without
	// credentials, a token file or variable readable and not empty.
	Fields []string
	// NeedsToken: one of token_file and token_env is required.
	NeedsToken bool
	// RefreshInterval is the default refresh_interval (default 1m); History and Timeout
	// the defaults of history and timeout where the type uses them.
	RefreshInterval, History, Timeout string
	// Check, when not nil, validates the type's own rules. fail records a problem at a
	// field path relative to the source entry ("path", "labels.owner"; "" for the entry
	// itself).
	Check func(s *Source, fail func(field, format string, args ...any))
}

// sourceTypes is filled by init functions only, then read; the lock keeps a late
// registration (a test's) safe.
var (
	sourceTypesMu sync.RWMutex
	sourceTypes   = map[string]SourceType{}
)

// RegisterSourceType makes a source type known. It panics on an empty or duplicate
// name: both are programming errors.
func RegisterSourceType(t SourceType) {
	sourceTypesMu.Lock()
	defer sourceTypesMu.Unlock()
	if t.Name == "" {
		panic("config: source type without a name")
	}
	if _, dup := sourceTypes[t.Name]; dup {
		panic(fmt.Sprintf("config: source type %q registered twice", t.Name))
	}
	for _, f := range t.Fields {
		if !optionalSourceFields[f] {
			panic(fmt.Sprintf("config: source type %q lists unknown field %q", t.Name, f))
		}
	}
	sourceTypes[t.Name] = t
}

// LookupSourceType returns the registered type name.
func LookupSourceType(name string) (SourceType, bool) {
	sourceTypesMu.RLock()
	defer sourceTypesMu.RUnlock()
	t, ok := sourceTypes[name]
	return t, ok
}

// SourceTypeNames are the registered source types, sorted.
func SourceTypeNames() []string {
	sourceTypesMu.RLock()
	defer sourceTypesMu.RUnlock()
	out := make([]string, 0, len(sourceTypes))
	for n := range sourceTypes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// optionalSourceFields are the fields of Source a type may use, in the order they are
// checked.
var optionalSourceFields = map[string]bool{
	"base_url": true, "token_file": true, "token_env": true, "history": true, "timeout": true,
	"path": true, "seed": true, "labels": true, "max_body_bytes": true,
	"requests_per_minute": true, "secret_file": true, "environments": true,
	"allow_unauthenticated": true, "max_label_values": true, "allowed_teams": true, "allowed_services": true,
}

func (t SourceType) uses(field string) bool {
	for _, f := range t.Fields {
		if f == field {
			return true
		}
	}
	return false
}
