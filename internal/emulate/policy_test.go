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

// TestShapePolicy: beta leaves the unset condition keys out and always has
// continuousAccessEvaluation in session controls; v1.0 the reverse.
func TestShapePolicy(t *testing.T) {
	full := `{"conditions": {"servicePrincipalRiskLevels": [], "insiderRiskLevels": null, "authenticationFlows": null, "signInRiskLevels": []},
	  "sessionControls": {"signInFrequency": null}}`
	configured := `{"conditions": {"servicePrincipalRiskLevels": ["high"], "insiderRiskLevels": "elevated", "authenticationFlows": {"transferMethods": "deviceCodeFlow"}},
	  "sessionControls": {"continuousAccessEvaluation": {"mode": "disabled"}}}`
	tests := []struct {
		name, in, version string
		knowsBeta         bool
		want              string
	}{
		{"beta drops unset keys, adds CAE", full, "beta", true, `{"conditions":{"signInRiskLevels":[]},"sessionControls":{"continuousAccessEvaluation":null,"signInFrequency":null}}`},
		{"beta keeps configured keys", configured, "beta", true, `{"conditions":{"authenticationFlows":{"transferMethods":"deviceCodeFlow"},"insiderRiskLevels":"elevated","servicePrincipalRiskLevels":["high"]},"sessionControls":{"continuousAccessEvaluation":{"mode":"disabled"}}}`},
		{"v1.0 data on beta invents no CAE", full, "beta", false, `{"conditions":{"signInRiskLevels":[]},"sessionControls":{"signInFrequency":null}}`},
		{"v1.0 fills the keys, drops CAE", `{"conditions": {}, "sessionControls": {"continuousAccessEvaluation": null}}`, "v1.0", true, `{"conditions":{"authenticationFlows":null,"insiderRiskLevels":null,"servicePrincipalRiskLevels":[]},"sessionControls":{}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p map[string]any
			if err := json.Unmarshal([]byte(tt.in), &p); err != nil {
				t.Fatal(err)
			}
			ShapePolicy(p, tt.version, tt.knowsBeta)
			if got, _ := json.Marshal(p); string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
