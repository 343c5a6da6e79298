// Package yamldoc decodes the YAML files users write (baselines, tenants
// files) strictly and reports problems as input errors with the line:
// unknown keys, wrong types, several documents. It also looks up the lines
// of keys, which yaml.v3's decoded structs do not keep.
package yamldoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tenantgate/tenantgate/internal/inputerr"
)

// Decode decodes raw, one YAML document, into v with unknown keys refused,
// and returns the document's node tree for line lookups. what names the
// document in messages ("a baseline"); types maps the Go type names yaml.v3
// puts in its messages ("baseline.Parameters") to the user's words
// ("parameters").
func Decode(file string, raw []byte, v any, what string, types map[string]string) (*yaml.Node, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, inputerr.New(file, "empty file, want %s", what)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		var te *yaml.TypeError
		var tree yaml.Node
		if errors.As(err, &te) && yaml.Unmarshal(raw, &tree) == nil {
			return nil, withKeyPath(Error(file, err, types), &tree)
		}
		return nil, Error(file, err, types)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, inputerr.New(file, "more than one YAML document; %s is one document", what)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return nil, Error(file, err, types)
	}
	return &root, nil
}

var (
	lineRe       = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownKeyRe = regexp.MustCompile(`field (\S+) not found in type (\S+)`)
	typeRe       = regexp.MustCompile(`(in type|into) (\[\])?([A-Za-z0-9_]+\.[A-Za-z0-9_]+)`)
)

// Error turns a yaml.v3 error into an input error at its line, in the
// user's vocabulary.
func Error(file string, err error, types map[string]string) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0] // the first problem, with its line
	}
	msg = unknownKeyRe.ReplaceAllString(strings.TrimSpace(msg), "unknown key $1 in type $2")
	msg = typeRe.ReplaceAllStringFunc(msg, func(s string) string {
		m := typeRe.FindStringSubmatch(s)
		name, ok := types[m[2]+m[3]]
		if !ok {
			return s
		}
		if m[1] == "in type" {
			return "in " + name
		}
		return "into " + name
	})
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		var n int
		fmt.Sscanf(m[1], "%d", &n)
		return inputerr.At(file, n, "%s", m[2])
	}
	return inputerr.New(file, "%s", strings.TrimPrefix(msg, "yaml: "))
}

// Value returns the value node of a top-level key; nil when absent.
func Value(root *yaml.Node, key string) *yaml.Node {
	if k, i := find(root, key); k != nil {
		return doc(root).Content[i+1]
	}
	return nil
}

// Key returns the key node of a top-level key (its line); nil when absent.
func Key(root *yaml.Node, key string) *yaml.Node {
	k, _ := find(root, key)
	return k
}

// KeyLines maps each key of a mapping node to its line.
func KeyLines(n *yaml.Node) map[string]int {
	m := map[string]int{}
	if n == nil || n.Kind != yaml.MappingNode {
		return m
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		m[n.Content[i].Value] = n.Content[i].Line
	}
	return m
}

func doc(root *yaml.Node) *yaml.Node {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		return root.Content[0]
	}
	return root
}

func find(root *yaml.Node, key string) (*yaml.Node, int) {
	n := doc(root)
	if n.Kind != yaml.MappingNode {
		return nil, 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], i
		}
	}
	return nil, 0
}

// withKeyPath names the key whose value is wrong ("parameters.
// log_retention_days: cannot unmarshal ...") in a type error at a line.
func withKeyPath(err error, root *yaml.Node) error {
	var ie *inputerr.Error
	// Unknown keys already name themselves; wrong values do not.
	if !errors.As(err, &ie) || ie.Line == 0 || !strings.Contains(ie.Msg, "cannot unmarshal") {
		return err
	}
	if p := KeyPath(root, ie.Line); p != "" && !strings.HasPrefix(ie.Msg, p+":") {
		ie.Msg = p + ": " + ie.Msg
	}
	return ie
}

// KeyPath is the dotted path of the deepest key or list item whose value
// starts on line ("parameters.log_retention_days", "waivers[0].expires").
func KeyPath(root *yaml.Node, line int) string {
	var best string
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				if k.Line == line || v.Line == line {
					best = p
				}
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				if c.Line == line && c.Kind == yaml.ScalarNode && n.Line != line {
					best = p
				}
				walk(c, p)
			}
		}
	}
	walk(root, "")
	return best
}
