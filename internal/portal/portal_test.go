package portal

import (
	"strings"
	"testing"
)

func TestObject(t *testing.T) {
	for _, tc := range []struct{ kind, id, want string }{
		{Policy, "4d729cdf-296d-4f03-a5e3-d9115cbe32dc", "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/4d729cdf-296d-4f03-a5e3-d9115cbe32dc"},
		{User, "u1", "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/u1"},
		{Group, "g/1", "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/g%2F1"},
		{NamedLocation, "x", Source("namedLocations")},
		{"unknown", "x", ""},
		{User, "", ""},
	} {
		if got := Object(tc.kind, tc.id); got != tc.want {
			t.Errorf("Object(%s, %s) = %q, want %q", tc.kind, tc.id, got, tc.want)
		}
	}
	for name, u := range sources {
		if !strings.HasPrefix(u, Base+"#view/") {
			t.Errorf("%s: %s is not an admin center view", name, u)
		}
	}
}
