package yamldoc

import (
	"errors"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/inputerr"
)

type inner struct {
	N int `yaml:"n"`
}

type file struct {
	Name  string  `yaml:"name"`
	Inner inner   `yaml:"inner"`
	List  []inner `yaml:"list"`
}

var types = map[string]string{"yamldoc.file": "the file", "yamldoc.inner": "inner", "[]yamldoc.inner": "the list"}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		want      string // "" = valid
	}{
		{"valid", "name: a\ninner:\n  n: 2\nlist:\n  - n: 1\n", 0, ""},
		{"unknown top-level key", "name: a\nnmae: b\n", 2, "unknown key nmae in the file"},
		{"unknown nested key", "inner:\n  m: 1\n", 2, "unknown key m in inner"},
		{"wrong type", "inner:\n  n: two\n", 2, "cannot unmarshal !!str `two` into int"},
		{"syntax", "name: [\n", 1, "did not find expected node content"},
		{"two documents", "name: a\n---\nname: b\n", 0, "more than one YAML document; a test file is one document"},
		{"empty", " \n", 0, "empty file, want a test file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d file
			root, err := Decode("f.yaml", []byte(tt.src), &d, "a test file", types)
			if tt.want == "" && tt.line == 0 {
				if err != nil || root == nil || d.Inner.N != 2 || Value(root, "list") == nil || Key(root, "inner").Line != 2 || KeyLines(Value(root, "inner"))["n"] != 3 {
					t.Fatalf("valid doc: %v %+v", err, d)
				}
				return
			}
			var ie *inputerr.Error
			if !errors.As(err, &ie) || ie.File != "f.yaml" || ie.Line != tt.line || !strings.Contains(ie.Msg, tt.want) {
				t.Errorf("got %v (line %d), want line %d with %q", err, lineOf(ie), tt.line, tt.want)
			}
		})
	}
}

func lineOf(e *inputerr.Error) int {
	if e == nil {
		return -1
	}
	return e.Line
}

func TestLookupsOnNonMappings(t *testing.T) {
	var v []int
	root, err := Decode("f.yaml", []byte("[1, 2]\n"), &v, "a list", nil)
	if err != nil {
		t.Fatal(err)
	}
	if Value(root, "x") != nil || Key(root, "x") != nil || len(KeyLines(root)) != 0 || len(KeyLines(nil)) != 0 {
		t.Error("lookups on a sequence document found something")
	}
}

// A type error names the key path, not only the line.
func TestTypeErrorNamesKeyPath(t *testing.T) {
	type params struct {
		Days int `yaml:"days"`
	}
	type doc struct {
		Name   string            `yaml:"name"`
		Params params            `yaml:"params"`
		Groups []string          `yaml:"groups"`
		Map    map[string]params `yaml:"map"`
	}
	for _, tc := range []struct{ yaml, want string }{
		{"name: x\nparams:\n  days: abc\n", "f.yaml:3: params.days: cannot unmarshal"},
		{"name: x\ngroups: abc\n", "f.yaml:2: groups: cannot unmarshal"},
		{"name: x\nmap:\n  a:\n    days: [1]\n", "f.yaml:4: map.a.days: cannot unmarshal"},
	} {
		var d doc
		_, err := Decode("f.yaml", []byte(tc.yaml), &d, "a doc", nil)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q...", tc.yaml, err, tc.want)
		}
	}
}
