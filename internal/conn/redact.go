package conn

import (
	"os"
	"regexp"
	"strings"
)

// Credential shapes a service may echo back in an error: a bearer token, a
// JWT on its own, the value of an Authorization header, and secrets of an
// OAuth token request. Each keeps its label and loses its value.
var credentialShapes = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`), redacted},
	{regexp.MustCompile(`(?i)(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(?:bearer|basic)\s+)?[^\s"',;)}\[\]]+`), "${1}" + redacted},
	{regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[A-Za-z0-9\-._~+/]+=*`), "${1}${2}" + redacted},
	{regexp.MustCompile(`(?i)(\b(?:client_secret|client_assertion|assertion|password|access_token|refresh_token)["']?\s*[=:]\s*["']?)[^&\s"',;)}\]]+`), "${1}" + redacted},
}

// EnvSecrets are the environment variables that may hold a credential
// tenantgate sends: TENANTGATE_ACCESS_TOKEN and azidentity's secrets.
var EnvSecrets = []string{"TENANTGATE_ACCESS_TOKEN", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD"}

// Redact removes credentials from text a server (or a library quoting one)
// produced, before it is stored or printed: every given secret wherever it
// appears, the credentials found in EnvSecrets, and anything shaped like a
// credential (bearer tokens, JWTs, Authorization values, OAuth secrets).
// It is the one redaction of tenantgate: collect applies it where Graph's
// and ARM's text enters a response, so snapshots, findings, fleet summaries,
// plan and apply output inherit it; the CLI applies it again to what it
// prints of another tenant's run.
func Redact(s string, secrets ...string) string {
	if s == "" {
		return s
	}
	for _, c := range credentialShapes {
		s = c.re.ReplaceAllString(s, c.repl)
	}
	for _, name := range EnvSecrets {
		secrets = append(secrets, os.Getenv(name))
	}
	for _, sec := range secrets {
		// Short values are no credential and would blank ordinary words.
		if sec = strings.TrimSpace(sec); len(sec) >= 8 {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return s
}
