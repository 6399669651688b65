// Package mixin renders the hero_exporter monitoring mixin (mixin.libsonnet and the files
// it imports) into the rule files and dashboards checked in under rules/ and dashboards/.
//
// files.jsonnet lists the output files; rule files are written as YAML with a header
// comment, dashboards as indented JSON. Keys are ordered for reading (record/alert, expr,
// for, labels, annotations; uid, title, ... on dashboards), the rest alphabetically, so
// the output is deterministic.
package mixin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-jsonnet"
	"go.yaml.in/yaml/v3"
)

// Generate evaluates dir/files.jsonnet (dir is the mixin directory) and returns the
// rendered files by path relative to the repository root. overrides is Jsonnet code of an
// object merged into the mixin (e.g. `{ _config+:: { heroExporterSelector: 'job="x"' } }`);
// empty means the defaults.
func Generate(dir, overrides string) (map[string][]byte, error) {
	vm := jsonnet.MakeVM()
	vm.Importer(&jsonnet.FileImporter{JPaths: []string{dir}})
	if overrides != "" {
		vm.TLACode("overrides", overrides)
	}
	entry := filepath.Join(dir, "files.jsonnet")
	out, err := vm.EvaluateFile(entry)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", entry, err)
	}
	var files map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &files); err != nil {
		return nil, fmt.Errorf("%s: the result is not an object of files: %w", entry, err)
	}
	rendered := make(map[string][]byte, len(files))
	for name, raw := range files {
		var spec struct {
			Header string          `json:"header"`
			YAML   json.RawMessage `json:"yaml"`
			JSON   json.RawMessage `json:"json"`
		}
		if err := json.Unmarshal(raw, &spec); err != nil {
			return nil, fmt.Errorf("%s: file %s: %w", entry, name, err)
		}
		var b []byte
		switch {
		case spec.YAML != nil && strings.HasSuffix(name, ".yml"):
			b, err = renderYAML(spec.Header, spec.YAML)
		case spec.JSON != nil && strings.HasSuffix(name, ".json"):
			b, err = renderJSON(spec.JSON)
		default:
			err = errors.New("want {header, yaml} for a .yml file or {json} for a .json file")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: file %s: %w", entry, name, err)
		}
		rendered[filepath.ToSlash(name)] = b
	}
	return rendered, nil
}

// keyRank orders the keys that read best first; other keys follow alphabetically.
var keyRank = map[string]int{}

func init() {
	for i, k := range []string{
		// Prometheus rule files.
		"groups", "name", "interval", "rules", "record", "alert", "expr", "for", "keep_firing_for",
		"labels", "annotations", "severity", "audience", "summary", "description", "runbook_url",
		// Grafana dashboards, panels, targets and variables.
		"uid", "id", "title", "type", "label", "datasource", "gridPos", "x", "y", "w", "h",
		"fieldConfig", "defaults", "unit", "options", "targets", "refId", "legendFormat",
	} {
		keyRank[k] = i + 1
	}
}

// node is a decoded JSON value that keeps the keys of objects.
type node struct {
	kind   byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	keys   []string
	fields map[string]*node
	items  []*node
	scalar string // the number's JSON text, "true"/"false", or the string
}

func decode(raw []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return n, nil
}

func decodeValue(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &node{kind: 'o', fields: map[string]*node{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				child, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.fields[k] = child
			}
			_, err := dec.Token()
			sort.SliceStable(n.keys, func(i, j int) bool { return keyLess(n.keys[i], n.keys[j]) })
			return n, err
		case '[':
			n := &node{kind: 'a'}
			for dec.More() {
				child, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, child)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", v)
	case string:
		return &node{kind: 's', scalar: v}, nil
	case json.Number:
		return &node{kind: 'n', scalar: v.String()}, nil
	case bool:
		return &node{kind: 'b', scalar: fmt.Sprint(v)}, nil
	case nil:
		return &node{kind: 'z'}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func keyLess(a, b string) bool {
	ra, rb := keyRank[a], keyRank[b]
	switch {
	case ra != 0 && rb != 0:
		return ra < rb
	case ra != 0:
		return true
	case rb != 0:
		return false
	}
	return a < b
}

func renderJSON(raw []byte) ([]byte, error) {
	n, err := decode(raw)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, n, ""); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, n *node, indent string) error {
	inner := indent + "  "
	switch n.kind {
	case 'o':
		if len(n.keys) == 0 {
			buf.WriteString("{}")
			return nil
		}
		buf.WriteString("{\n")
		for i, k := range n.keys {
			buf.WriteString(inner)
			writeString(buf, k)
			buf.WriteString(": ")
			if err := writeJSON(buf, n.fields[k], inner); err != nil {
				return err
			}
			if i < len(n.keys)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "}")
	case 'a':
		if len(n.items) == 0 {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteString("[\n")
		for i, it := range n.items {
			buf.WriteString(inner)
			if err := writeJSON(buf, it, inner); err != nil {
				return err
			}
			if i < len(n.items)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "]")
	case 's':
		writeString(buf, n.scalar)
	case 'n', 'b':
		buf.WriteString(n.scalar)
	case 'z':
		buf.WriteString("null")
	default:
		return fmt.Errorf("unknown node kind %q", n.kind)
	}
	return nil
}

// writeString writes s as a JSON string without HTML escaping (dashboards hold PromQL
// with < and >).
func writeString(buf *bytes.Buffer, s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func renderYAML(header string, raw []byte) ([]byte, error) {
	n, err := decode(raw)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(n)); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func yamlNode(n *node) *yaml.Node {
	switch n.kind {
	case 'o':
		y := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range n.keys {
			y.Content = append(y.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, yamlNode(n.fields[k]))
		}
		return y
	case 'a':
		y := &yaml.Node{Kind: yaml.SequenceNode}
		for _, it := range n.items {
			y.Content = append(y.Content, yamlNode(it))
		}
		return y
	case 's':
		y := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: n.scalar}
		if strings.Contains(n.scalar, "\n") {
			y.Style = yaml.LiteralStyle
		}
		return y
	case 'n':
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: n.scalar}
	case 'b':
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: n.scalar}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}
