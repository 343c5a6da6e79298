package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/cli"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/textcol"
)

// readmeAfter is the README from the first line holding marker on.
func readmeAfter(t *testing.T, marker string) string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(raw), marker)
	if i < 0 {
		t.Fatalf("README no longer holds %q", marker)
	}
	return string(raw[i:])
}

// readmeFence is the body of the first fenced block opened by open (with
// its newline) after marker.
func readmeFence(t *testing.T, marker, open string) string {
	t.Helper()
	text := readmeAfter(t, marker)
	start := strings.Index(text, open)
	if start < 0 {
		t.Fatalf("no %q block after %q", open, marker)
	}
	body := text[start+len(open):]
	end := strings.Index(body, "\n```")
	if end < 0 {
		t.Fatalf("the block after %q does not end", marker)
	}
	return body[:end]
}

// readmeBlock returns the commands of the README's first sh block after the
// line holding marker, one per element (continuation lines joined; comments
// and blank lines dropped).
func readmeBlock(t *testing.T, marker string) []string {
	t.Helper()
	var cmds []string
	cur := ""
	for _, l := range strings.Split(readmeFence(t, marker, "```sh\n"), "\n") {
		if c := strings.Index(l, " #"); c >= 0 {
			l = l[:c]
		}
		l = strings.TrimSpace(l)
		if strings.HasSuffix(l, "\\") {
			cur += strings.TrimSuffix(l, "\\")
			continue
		}
		if l = strings.TrimSpace(cur + l); l != "" {
			cmds = append(cmds, strings.Join(strings.Fields(l), " "))
		}
		cur = ""
	}
	return cmds
}

// onTerminal runs the CLI in-process as a user at an 80-column terminal sees
// it: stdout is the terminal (so the default formats are the terminal's),
// stderr is not (no progress bar in the transcript).
func onTerminal(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := &cli.App{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Live: live(),
		IsTerminal: func(v any) bool { return v == any(&stdout) }}
	code := cli.Main(context.Background(), app, args)
	if strings.Contains(strings.Join(strings.Fields(stdout.String()+stderr.String()), ""), token) {
		t.Fatal("the token was printed")
	}
	return code, stdout.String(), stderr.String()
}

// TestReadmeEmulatorWalkthrough runs the README's quick-start-against-the-
// emulator block as written (the emulator's address replaced by the test
// server's, `$EDITOR` by uncommenting the break-glass candidates as the
// README tells): every command exits as the README says and prints nothing
// wider than 80 columns but a URL.
func TestReadmeEmulatorWalkthrough(t *testing.T) {
	t.Setenv("COLUMNS", "")
	_, conn := emulator(t, emulate.Options{})
	url := conn[1]
	cmds := readmeBlock(t, "The quick start's steps, and the remediation below, run against it")
	t.Chdir(t.TempDir())
	if len(cmds) < 10 {
		t.Fatalf("README block has %d commands: %q", len(cmds), cmds)
	}
	uncomment := regexp.MustCompile(`(?m)^  # (- breakglass0[12]@)`)
	var transcript strings.Builder
	for _, c := range cmds {
		words := strings.Fields(strings.ReplaceAll(c, "http://127.0.0.1:8080", url))
		switch words[0] {
		case "$EDITOR":
			raw, err := os.ReadFile(words[1])
			if err != nil {
				t.Fatal(err)
			}
			chosen := uncomment.ReplaceAllString(string(raw), "  $1")
			if strings.Count(chosen, "\n  - breakglass0") != 2 {
				t.Fatalf("the starter baseline does not propose both break-glass accounts:\n%s", raw)
			}
			if err := os.WriteFile(words[1], []byte(chosen), 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		case "tenantgate":
		default:
			t.Fatalf("README command %q is not tenantgate's", c)
		}
		code, out, stderr := onTerminal(t, words[1:]...)
		want := 0
		if words[1] == "audit" {
			want = 1 // the demo tenant fails its gate
		}
		if code != want {
			t.Errorf("%s: exit %d, want %d\n%s\n%s", c, code, want, out, stderr)
		}
		transcript.WriteString("$ " + c + "\n" + out + stderr)
		for _, l := range strings.Split(out+stderr, "\n") {
			if textcol.Width(l) > 80 && !strings.Contains(l, "://") {
				t.Errorf("%s: %d columns: %q", c, textcol.Width(l), l)
			}
		}
	}
	// What the README's comments promise along the way.
	all := flat(strings.ReplaceAll(transcript.String(), " \\\n", " "))
	for _, want := range []string{
		"1 break-glass candidate, 1 admin excluded from some policies only",
		"20 controls: 15 fail, 1 not_licensed, 4 pass",
		"Will create 7 Conditional Access policies",
		"apply it with: tenantgate apply --graph-endpoint " + url + " --plan plan.json --baseline mine.yaml",
		"Already applied: the 7 policies of the plan exist",
		"Result: no regressions.",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the walkthrough never printed %q:\n%s", want, transcript.String())
		}
	}
	if n := strings.Count(all, "+ added 'tenantgate TG.CA."); n != 7 {
		t.Errorf("diff shows %d new policies, want 7:\n%s", n, transcript.String())
	}
}

// TestReadmeEvidenceFits80Columns: the README's offline evidence → hunt
// walk-through (a relative -o, as written there) prints nothing wider than
// 80 columns but a URL, on stdout or stderr.
func TestReadmeEvidenceFits80Columns(t *testing.T) {
	t.Setenv("COLUMNS", "")
	url := incidentServer(t, emulate.Options{})
	t.Setenv("TENANTGATE_ACCESS_TOKEN", token)
	t.Chdir(t.TempDir())
	code, out, stderr := onTerminal(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-04", "--until", "2023-12-13", "-o", "evidence", "--poll-interval", "10ms")
	if code != 0 || !strings.Contains(flat(stderr), ": complete, ") {
		t.Fatalf("evidence: exit %d\n%s", code, stderr)
	}
	outputs := out + stderr
	code, out, stderr = onTerminal(t, "hunt", strings.TrimSpace(out))
	if code != 1 || !strings.Contains(out, "johanna@sunnyside08.onmicrosoft.com  compromised") {
		t.Fatalf("hunt: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, l := range strings.Split(outputs+out+stderr, "\n") {
		if textcol.Width(l) > 80 && !strings.Contains(l, "://") {
			t.Errorf("%d columns: %q", textcol.Width(l), l)
		}
	}
}

// TestCollectWarningsSayWhatToGrant: a denied source's warning names what to
// grant (the permissions catalog, as audit's not_assessed results do), the
// sources skipped because of it make one warning, and every warning wraps
// at 80 columns.
func TestCollectWarningsSayWhatToGrant(t *testing.T) {
	t.Setenv("COLUMNS", "")
	_, conn := emulator(t, emulate.Options{Deny: []string{"conditionalAccessPolicies"}})
	out := filepath.Join(t.TempDir(), "s.json")
	code, _, stderr := onTerminal(t, append([]string{"collect", "--baseline", demoBaseline, "-o", out}, conn...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	all := flat(stderr)
	for _, want := range []string{
		"warning: conditionalAccessPolicies denied: HTTP 403 AccessDenied:",
		"; to read it: grant the Graph permission Policy.Read.All (`tenantgate permissions`: conditionalAccessPolicies) and collect again",
		"warning: caServicePrincipals, directoryGroups, directoryUsers, groupMembers skipped: the Conditional Access policies could not be read",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stderr, "skipped:"); n != 1 {
		t.Errorf("%d skipped warnings, want 1:\n%s", n, stderr)
	}
	for _, l := range strings.Split(stderr, "\n") {
		if textcol.Width(l) > 80 {
			t.Errorf("%d columns: %q", textcol.Width(l), l)
		}
	}
}

// readmeSample returns the lines of the first plain ``` block after marker.
func readmeSample(t *testing.T, marker string) []string {
	t.Helper()
	return strings.Split(readmeFence(t, marker, "\n```\n"), "\n")
}

// TestReadmeSamplesAreRealOutput: the outputs the README shows are what the
// commands print at 80 columns, line for line and in order; a line of dots
// ("...", " ...") marks where the README abridges.
func TestReadmeSamplesAreRealOutput(t *testing.T) {
	t.Setenv("COLUMNS", "80")
	for _, tc := range []struct {
		marker string
		args   []string
	}{
		{"Its audit shows 4 pass, 15 fail, 1 not_licensed", []string{"audit", "--demo", "--format", "table"}},
		{"`tenantgate hunt --demo --tz Asia/Tokyo` prints", []string{"hunt", "--demo", "--tz", "Asia/Tokyo", "--format", "table"}},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			_, out, _ := tool(t, tc.args...)
			got := strings.Split(out, "\n")
			at := 0
			for _, want := range readmeSample(t, tc.marker) {
				if strings.Trim(want, " .") == "" && strings.Contains(want, "...") {
					continue
				}
				found := false
				for ; at < len(got); at++ {
					if strings.TrimRight(got[at], " ") == strings.TrimRight(want, " ") {
						found, at = true, at+1
						break
					}
				}
				if !found {
					t.Fatalf("README line %q is not in the output (in order):\n%s", want, out)
				}
			}
		})
	}
}

// TestReadmeBaselineLoads: the README's "every key" baseline is one the
// strict loader takes, and audits the demo tenant.
func TestReadmeBaselineLoads(t *testing.T) {
	body := readmeFence(t, "\n## Baseline\n", "```yaml\n")
	b, err := baseline.Parse("README.md", []byte(body))
	if err != nil {
		t.Fatalf("the README's baseline does not load: %v", err)
	}
	if len(b.BreakGlass) == 0 || len(b.Waivers) == 0 {
		t.Fatalf("the README's baseline lost keys: %+v", b)
	}
	path := filepath.Join(t.TempDir(), "b.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := tool(t, "audit", "--demo", "--baseline", path, "--format", "json"); code != 1 && code != 3 {
		t.Errorf("audit --demo with the README's baseline: exit %d\n%s", code, stderr)
	}
}
