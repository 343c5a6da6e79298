package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/cli"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/evidence/bundle"
)

// incidentServer serves the demo incident as `tenantgate emulate` does, on
// the day after it.
func incidentServer(t *testing.T, opts emulate.Options) string {
	t.Helper()
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	opts.Incident, opts.Token, opts.PageSize = true, token, 500
	opts.Date = func() time.Time { return time.Date(2023, 12, 14, 1, 0, 0, 0, time.UTC) }
	ts := httptest.NewServer(emulate.New(snap, opts))
	t.Cleanup(ts.Close)
	return ts.URL
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("TENANTGATE_ACCESS_TOKEN", token)
	var out, errb bytes.Buffer
	app := &cli.App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Live: live(), IsTerminal: func(any) bool { return false }}
	code = cli.Main(context.Background(), app, args)
	if strings.Contains(out.String()+errb.String(), token) {
		t.Fatal("the token was printed")
	}
	return code, out.String(), errb.String()
}

// TestEvidenceCommand: the real binary's wiring over HTTP, with the exit
// codes of every outcome: complete (0), a re-run beside the first bundle
// (never over it), denied sources and an audit log query that never
// completes (3, saying what and how to continue), another tenant's
// credential (4, nothing written), bad flags (2), and the retention warning
// for a window older than the tenant keeps.
func TestEvidenceCommand(t *testing.T) {
	url := incidentServer(t, emulate.Options{})
	out := t.TempDir()
	args := []string{"evidence", "--graph-endpoint", url, "--tenant", "sunnyside08.onmicrosoft.com", "--since", "2023-12-11", "--until", "2023-12-13", "-o", out, "--poll-interval", "10ms"}
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 || !strings.Contains(stderr, ": complete, ") || !strings.Contains(stderr, "next: tenantgate hunt") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	first := strings.TrimSpace(stdout)
	if !bundle.IsBundle(first) {
		t.Fatalf("stdout %q is not a bundle", first)
	}
	code, stdout, _ = runCLI(t, args...)
	second := strings.TrimSpace(stdout)
	if code != 0 || second == first || !bundle.IsBundle(second) || !bundle.IsBundle(first) {
		t.Fatalf("re-run: exit %d, %s beside %s", code, second, first)
	}
	b, err := bundle.Open(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(); err != nil {
		t.Errorf("the first bundle changed after the re-run: %v", err)
	}
	err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, _ := os.ReadFile(p)
		if bytes.Contains(raw, []byte(token)) || bytes.Contains(raw, []byte("Authorization")) {
			t.Errorf("%s holds the token or a request header", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("denied", func(t *testing.T) {
		url := incidentServer(t, emulate.Options{Deny: []string{"signIns"}})
		code, _, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-12", "--until", "2023-12-13", "-o", t.TempDir(), "--poll-interval", "10ms")
		if code != 3 || !strings.Contains(stderr, "interactive sign-ins (2023-12-12T00:00Z to 2023-12-13T00:00Z): denied (HTTP 403 Authorization_RequestDenied): Insufficient privileges") ||
			!strings.Contains(stderr, ": partial, ") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("query never completes", func(t *testing.T) {
		url := incidentServer(t, emulate.Options{AuditQuery: emulate.AuditQueryOptions{Polls: 2, Fault: "never"}})
		code, _, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-12", "--until", "2023-12-13", "-o", t.TempDir(),
			"--poll-interval", "10ms", "--timeout", "200ms")
		if code != 3 || !strings.Contains(stderr, "is still running after 200ms (--timeout)") || !strings.Contains(stderr, "continue later with: tenantgate evidence --resume") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("another tenant", func(t *testing.T) {
		dir := t.TempDir()
		code, _, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--tenant", "contoso.onmicrosoft.com", "--since", "2023-12-12", "-o", dir)
		entries, _ := os.ReadDir(dir)
		if code != 4 || !strings.Contains(stderr, "not contoso.onmicrosoft.com") || len(entries) != 0 {
			t.Errorf("exit %d, %d entries\n%s", code, len(entries), stderr)
		}
	})
	t.Run("retention", func(t *testing.T) {
		code, _, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-06-01", "--until", "2023-06-02", "-o", t.TempDir(), "--poll-interval", "10ms")
		if code != 0 || !strings.Contains(stderr, "older than the 30 days Entra keeps sign-in and audit logs (Microsoft Entra ID P1): everything before 2023-11-14 01:00 UTC is already gone") ||
			!strings.Contains(stderr, "older than the 180 days the unified audit log is kept") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	for name, bad := range map[string][]string{
		"no since":       {"evidence", "-o", t.TempDir()},
		"bad since":      {"evidence", "--since", "yesterday", "-o", t.TempDir()},
		"resume + since": {"evidence", "--resume", first, "--since", "2023-12-01"},
		"since > until":  {"evidence", "--since", "2023-12-12", "--until", "2023-12-11", "-o", t.TempDir()},
		"not a bundle":   {"evidence", "--graph-endpoint", url, "--resume", t.TempDir()},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, stderr := runCLI(t, bad...); code != 2 {
				t.Errorf("exit %d\n%s", code, stderr)
			}
		})
	}
}
