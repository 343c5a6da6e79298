package conn

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	const tok = "tg-secret-token-0123456789"
	// A JWT's shape, assembled at run time (no token-shaped literal in the
	// repository for secret scanners to flag).
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	jwt := b64(`{"typ":"JWT","alg":"RS256"}`) + "." + b64(`{"aud":"https://graph"}`) + "." + b64("signature")
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
