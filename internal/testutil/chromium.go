package testutil

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Chromium returns a headless-capable Chromium, or skips the test saying
// how to install one. TENANTGATE_CHROMIUM overrides the search.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("TENANTGATE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium found (looked for chromium, chromium-browser, google-chrome; set TENANTGATE_CHROMIUM): skipping the headless browser check of the HTML report. Install it with: apt-get install -y chromium")
	return ""
}

// HeadlessDOM opens the HTML document html in headless Chromium at the URL
// fragment given (e.g. "#status=fail") and returns the DOM after the
// page's scripts ran.
func HeadlessDOM(t testing.TB, html []byte, fragment string) string {
	t.Helper()
	bin := Chromium(t)
	// Not t.TempDir: Chromium's helpers may still be closing files when
	// the test ends, and a failed cleanup must not fail the test.
	dir, err := os.MkdirTemp("", "tenantgate-html-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, html, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--dump-dom", "file://"+page+fragment)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, lastLines(stderr.String(), 15))
	}
	if stdout.Len() == 0 {
		t.Fatalf("%s printed no DOM\n%s", bin, lastLines(stderr.String(), 15))
	}
	return stdout.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
