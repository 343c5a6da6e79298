package conn

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	const tok = "tg-secret-token-0123456789"
	const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJl"
	t.Setenv("AZURE_CLIENT_SECRET", "env-client-secret-value")
	tests := []struct{ in, want string }{
		{"Access token validation failure (request header Authorization: Bearer " + tok + ")", "Access token validation failure (request header Authorization: [redacted])"},
		{"token " + tok + " is invalid", "token [redacted] is invalid"},
		{"bad token " + jwt, "bad token [redacted]"},
		{`{"headers": {"Authorization": "Bearer abc.def-ghi"}}`, `{"headers": {"Authorization": "[redacted]"}}`},
		{"AADSTS7000215: Invalid client secret provided. client_secret=abc123xyz&grant_type=client_credentials", "AADSTS7000215: Invalid client secret provided. client_secret=[redacted]&grant_type=client_credentials"},
		{"the secret env-client-secret-value leaked", "the secret [redacted] leaked"},
		{"Insufficient privileges to complete the operation.", "Insufficient privileges to complete the operation."},
		{"password: hunter2hunter2", "password: [redacted]"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Redact(tt.in, tok, "short"); got != tt.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
	if got := Redact("a short word", "short"); !strings.Contains(got, "short") {
		t.Errorf("a short secret blanked ordinary text: %q", got)
	}
}
