package emulate

import (
	"encoding/json"
	"testing"
)

// TestFilter: the $filter subset the emulator reads (the filters evidence
// and the public extractors send), evaluated on a sign-in and an audit; a
// filter Graph would refuse is an error, never "everything".
func TestFilter(t *testing.T) {
	var signIn, audit map[string]any
	_ = json.Unmarshal([]byte(`{"createdDateTime":"2023-12-12T04:50:17Z","userPrincipalName":"Johanna@sunnyside08.onmicrosoft.com","signInEventTypes":["interactiveUser"],"status":{"errorCode":0}}`), &signIn)
	_ = json.Unmarshal([]byte(`{"activityDateTime":"2023-12-12T04:53:10.9360930Z","initiatedBy":{"user":{"userPrincipalName":"johanna@sunnyside08.onmicrosoft.com"},"app":null},"targetResources":[{"userPrincipalName":null},{"userPrincipalName":"alicea@sunnyside08.onmicrosoft.com"}]}`), &audit)
	tests := []struct {
		filter string
		rec    map[string]any
		want   bool
	}{
		{"createdDateTime ge 2023-12-12T00:00:00.0000000Z and createdDateTime le 2023-12-12T23:59:59.9999999Z", signIn, true},
		{"createdDateTime ge 2023-12-13T00:00:00Z", signIn, false},
		{"userPrincipalName eq 'johanna@sunnyside08.onmicrosoft.com'", signIn, true},
		{"(userPrincipalName eq 'x@y' or userPrincipalName eq 'JOHANNA@sunnyside08.onmicrosoft.com') and signInEventTypes/any(t: t eq 'interactiveUser')", signIn, true},
		{"signInEventTypes/any(t: t eq 'nonInteractiveUser')", signIn, false},
		{"startsWith(userPrincipalName, 'johanna')", signIn, true},
		{"status/errorCode eq 0", signIn, true},
		{"not (status/errorCode eq 0)", signIn, false},
		{"initiatedBy/user/userPrincipalName eq 'johanna@sunnyside08.onmicrosoft.com'", audit, true},
		{"targetResources/any(t: t/userPrincipalName eq 'alicea@sunnyside08.onmicrosoft.com')", audit, true},
		{"targetResources/any(t: t/userPrincipalName eq 'o''brien@x')", audit, false},
		{"initiatedBy/app eq null", audit, true},
	}
	for _, tt := range tests {
		f, err := parseFilter(tt.filter)
		if err != nil {
			t.Errorf("%s: %v", tt.filter, err)
			continue
		}
		if got := f.eval(tt.rec, nil); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.filter, got, tt.want)
		}
	}
	for _, bad := range []string{"createdDateTime gte 2023-12-12", "userPrincipalName eq 'unterminated", "contains(userPrincipalName, 'x')", "a eq", "(a eq 1", "a eq 1 b"} {
		if _, err := parseFilter(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
