package engine

import (
	"reflect"
	"strings"
	"testing"
)

func TestResultFrom(t *testing.T) {
	tests := []struct {
		name    string
		in      any
		want    regoResult
		wantErr string
	}{
		{"full", map[string]any{"status": "fail", "finding": "f", "evidence": []any{"a", "b"}, "notes": []any{}},
			regoResult{Status: "fail", Finding: "f", Evidence: []string{"a", "b"}, Notes: []string{}}, ""},
		{"absent lists stay nil", map[string]any{"status": "pass", "finding": "f"},
			regoResult{Status: "pass", Finding: "f"}, ""},
		{"not an object", []any{"x"}, regoResult{}, "want an object"},
		{"status not a string", map[string]any{"status": 1.0}, regoResult{}, "status is float64"},
		{"evidence not an array", map[string]any{"status": "pass", "evidence": "x"}, regoResult{}, "evidence is string"},
		{"note not a string", map[string]any{"status": "pass", "notes": []any{"ok", true}}, regoResult{}, "notes[1] is bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resultFrom(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestAllFrom(t *testing.T) {
	got, err := allFrom(map[string]any{
		"results":  map[string]any{"tg_app_1": map[string]any{"status": "pass", "finding": "f", "evidence": []any{}, "notes": []any{}}},
		"licenses": map[string]any{"AAD_PREMIUM": true},
	})
	if err != nil || got.Results["tg_app_1"].Status != "pass" || !got.Licenses["AAD_PREMIUM"] {
		t.Fatalf("got %+v, %v", got, err)
	}
	for _, bad := range []any{
		"x",
		map[string]any{"results": map[string]any{"tg_app_1": "pass"}},
		map[string]any{"licenses": map[string]any{"AAD_PREMIUM": "yes"}},
		map[string]any{"licenses": "all"},
	} {
		if _, err := allFrom(bad); err == nil {
			t.Errorf("allFrom(%v) accepted a malformed value", bad)
		}
	}
}
