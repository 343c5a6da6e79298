package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/inputerr"
)

const good = `{
  "schemaVersion": 1,
  "collectedAt": "2026-11-20T09:00:00Z",
  "tool": {"name": "tenantgate", "version": "t"},
  "tenant": {"id": "t1", "displayName": "T"},
  "sources": {
    "authorizationPolicy": {"status": "ok", "request": "GET /v1.0/policies/authorizationPolicy"},
    "conditionalAccessPolicies": {"status": "denied", "httpStatus": 403, "code": "AccessDenied", "error": "nope"}
  },
  "data": {"authorizationPolicy": {"id": "authorizationPolicy", "someBetaField": [1, 2]}}
}`

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		line    int    // expected line, 0 = none
		wantErr string // "" = valid
	}{
		{"valid", good, 0, ""},
		{"syntax error has a line", "{\n  \"schemaVersion\": 1,\n  \"tenant\": {\"id\": \"x\"\n}", 4, "invalid JSON"},
		{"truncated", "{\n\"schemaVersion\": 1,", 2, "unexpected end"},
		{"empty", "", 0, "empty file"},
		{"wrong type has a line", "{\n\"schemaVersion\": \"one\"}", 2, "schemaVersion"},
		{"not a snapshot", `{"results": []}`, 0, "missing schemaVersion"},
		{"future version", strings.Replace(good, `"schemaVersion": 1`, `"schemaVersion": 2`, 1), 0, "not supported"},
		{"no tenant", strings.Replace(good, `"id": "t1"`, `"id": ""`, 1), 0, "tenant.id"},
		{"no collectedAt", strings.Replace(good, `"collectedAt": "2026-11-20T09:00:00Z",`, ``, 1), 0, "collectedAt"},
		{"unknown source", strings.Replace(good, `"authorizationPolicy": {"status"`, `"authPolicy": {"status"`, 1), 0, "unknown source"},
		{"bad status", strings.Replace(good, `"status": "denied"`, `"status": "forbidden"`, 1), 0, "not one of"},
		{"ok without data", strings.Replace(good, `"data": {"authorizationPolicy": {"id": "authorizationPolicy", "someBetaField": [1, 2]}}`, `"data": {}`, 1), 0, "data.authorizationPolicy is missing"},
		{"failed with data", strings.Replace(good, `"status": "ok"`, `"status": "error"`, 1), 0, "must have no data"},
		{"wrong shape", strings.Replace(good, `{"id": "authorizationPolicy", "someBetaField": [1, 2]}`, `[]`, 1), 0, "want a JSON object"},
		{"trailing data", good + "\n{}", 12, "after the snapshot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("snap.json", []byte(tt.doc))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if !s.OK("authorizationPolicy") || s.OK("conditionalAccessPolicies") {
					t.Errorf("OK() wrong: %+v", s.Sources)
				}
				// Unknown (beta) fields survive untouched.
				if !strings.Contains(string(s.Data["authorizationPolicy"]), `"someBetaField": [1, 2]`) {
					t.Errorf("data not kept verbatim: %s", s.Data["authorizationPolicy"])
				}
				return
			}
			var ie *inputerr.Error
			if !errors.As(err, &ie) {
				t.Fatalf("want *inputerr.Error, got %T %v", err, err)
			}
			if ie.File != "snap.json" || !strings.Contains(ie.Msg, tt.wantErr) {
				t.Errorf("error %q: want file snap.json and %q", err, tt.wantErr)
			}
			if ie.Line != tt.line {
				t.Errorf("error %q: line %d, want %d", err, ie.Line, tt.line)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.json")
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("want a message naming the file, got %v", err)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	s, err := Parse("a", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "out.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s2, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Sources["conditionalAccessPolicies"].Code != "AccessDenied" || string(s2.Data["authorizationPolicy"]) == "" {
		t.Errorf("round trip lost data: %+v", s2)
	}
}

// TestLimits: the loader refuses a snapshot nested deeper than MaxDepth
// (at the line where it does) or larger than MaxFileBytes, and accepts one
// at exactly MaxDepth.
func TestLimits(t *testing.T) {
	at := func(depth int) string {
		// data.authorizationPolicy sits at level 3: two levels of the file above it.
		inner := strings.Repeat("[", depth-3) + strings.Repeat("]", depth-3)
		return strings.Replace(good, `"someBetaField": [1, 2]`, "\"someBetaField\":\n"+inner, 1)
	}
	if _, err := Parse("ok.json", []byte(at(MaxDepth))); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	_, err := Parse("deep.json", []byte(at(MaxDepth+1)))
	var ie *inputerr.Error
	if !errors.As(err, &ie) || ie.Line != 11 || !strings.Contains(ie.Msg, "nested deeper than 100 levels") {
		t.Errorf("depth %d: %v, want an input error at line 11", MaxDepth+1, err)
	}
	big := strings.Replace(good, `"someBetaField": [1, 2]`, `"pad": "`+strings.Repeat("x", MaxFileBytes)+`"`, 1)
	if _, err := Parse("big.json", []byte(big)); !inputerr.Is(err) || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Errorf("too large: %v", err)
	}
}

// TestEnforceLimits: the collector's side of the limits: data too deep or
// too much of it becomes an error source, the rest is kept, and what is
// left loads.
func TestEnforceLimits(t *testing.T) {
	s, err := Parse("good.json", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	ok := func(name string, data string) {
		s.Sources[name] = Source{Status: StatusOK}
		s.Data[name] = json.RawMessage(data)
	}
	ok("namedLocations", `[`+strings.Repeat("[", MaxDepth-2)+strings.Repeat("]", MaxDepth-2)+`]`) // MaxDepth-1 levels from data: too deep
	ok("subscribedSkus", `["`+strings.Repeat("s", 40<<20)+`"]`)
	ok("deviceEnrollmentConfigurations", `["`+strings.Repeat("d", 30<<20)+`"]`)
	dropped := s.EnforceLimits()
	if len(dropped) != 2 || dropped[0] != "namedLocations" || dropped[1] != "subscribedSkus" {
		t.Fatalf("dropped %v, want the too deep namedLocations and the largest, subscribedSkus", dropped)
	}
	for name, code := range map[string]string{"namedLocations": CodeTooDeep, "subscribedSkus": CodeTooLarge} {
		if src := s.Sources[name]; src.Status != StatusError || src.Code != code || s.OK(name) {
			t.Errorf("%s = %+v, want an error %s", name, src, code)
		}
	}
	if !s.OK("deviceEnrollmentConfigurations") || !s.OK("authorizationPolicy") {
		t.Error("a source within the limits was dropped")
	}
	var buf bytes.Buffer
	if err := s.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("written.json", buf.Bytes()); err != nil {
		t.Errorf("the snapshot does not load after EnforceLimits: %v", err)
	}
}
