package conn

import (
	"errors"
	"testing"
)

func TestSameTenant(t *testing.T) {
	org := []byte(`{"id":"84841066-274d-4ec0-a5c1-276be684bdd3","displayName":"Contoso","verifiedDomains":[{"name":"Contoso.onmicrosoft.com","isInitial":true},{"name":"contoso.com"}]}`)
	tests := []struct {
		name, want string
		org        []byte
		mismatch   bool
	}{
		{"tenant id, any case", "84841066-274D-4EC0-A5C1-276BE684BDD3", org, false},
		{"initial domain, any case", "contoso.onmicrosoft.com", org, false},
		{"custom verified domain", " contoso.com ", org, false},
		{"another id", "11111111-2222-3333-4444-555555555555", org, true},
		{"another domain", "fabrikam.onmicrosoft.com", org, true},
		{"a suffix of a domain is not the domain", "onmicrosoft.com", org, true},
		{"nothing asked", "", org, false},
		{"no organization read", "contoso.com", nil, false},
		{"organization without id", "contoso.com", []byte(`{"displayName":"x"}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := SameTenant(tt.want, tt.org)
			var m *TenantMismatch
			if got := errors.As(err, &m); got != tt.mismatch {
				t.Fatalf("SameTenant(%q) = %v, want mismatch %v", tt.want, err, tt.mismatch)
			}
			if m != nil && (m.ID != "84841066-274d-4ec0-a5c1-276be684bdd3" || m.DisplayName != "Contoso") {
				t.Fatalf("mismatch names %+v", m)
			}
		})
	}
}
