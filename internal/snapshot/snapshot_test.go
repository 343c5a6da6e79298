package snapshot

import (
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
