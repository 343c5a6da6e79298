package emulate

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCompletePolicy(t *testing.T) {
	tests := []struct {
		name, in, check string
		want            any
	}{
		{"absent lists read back empty", `{"conditions": {"users": {"includeUsers": ["All"]}}}`, "conditions.users.excludeUsers", []any{}},
		{"present values are kept", `{"conditions": {"users": {"includeUsers": ["All"]}}}`, "conditions.users.includeUsers", []any{"All"}},
		{"unset conditions are null", `{"conditions": {}}`, "conditions.platforms", nil},
		{"present condition objects get their lists", `{"conditions": {"platforms": {"includePlatforms": ["windows"]}}}`, "conditions.platforms.excludePlatforms", []any{}},
		{"a null grant stays null", `{"conditions": {}, "grantControls": null}`, "grantControls", nil},
		{"grant lists filled", `{"conditions": {}, "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}`, "grantControls.termsOfUse", []any{}},
		{"absent session controls are null", `{"conditions": {}}`, "sessionControls", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p map[string]any
			if err := json.Unmarshal([]byte(tt.in), &p); err != nil {
				t.Fatal(err)
			}
			CompletePolicy(p)
			var got any = p
			for _, k := range strings.Split(tt.check, ".") {
				m, ok := got.(map[string]any)
				if !ok {
					t.Fatalf("%s: %v is not an object", tt.check, got)
				}
				if got, ok = m[k]; !ok {
					t.Fatalf("%s: key %s absent", tt.check, k)
				}
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tt.want)
			if string(g) != string(w) {
				t.Errorf("%s = %s, want %s", tt.check, g, w)
			}
		})
	}
}
