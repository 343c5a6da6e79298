package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/testutil"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/version"
)

// run executes the CLI in-process and returns exit code, stdout, stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	app := &App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, IsTerminal: func(any) bool { return false }}
	code := Main(context.Background(), app, args)
	return code, out.String(), errb.String()
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// demoWith returns the demo snapshot with source src denied.
func demoWith(t *testing.T, denied string) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(demo.SnapshotJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	if denied != "" {
		delete(doc["data"].(map[string]any), denied)
		doc["sources"].(map[string]any)[denied] = map[string]any{"status": "denied", "httpStatus": 403, "code": "Authorization_RequestDenied", "error": "Insufficient privileges to complete the operation."}
	}
	raw, _ := json.Marshal(doc)
	return write(t, "snap.json", string(raw))
}

const demoBaseline = "name: demo\nbreak_glass: [breakglass01@sunnyside08.onmicrosoft.com, breakglass02@sunnyside08.onmicrosoft.com]\n"

func TestAuditExitCodes(t *testing.T) {
	bl := func(t *testing.T) string { return write(t, "b.yaml", demoBaseline) }
	tests := []struct {
		name   string
		args   func(t *testing.T) []string
		code   int
		stderr string // substring expected on stderr
	}{
		{"demo fails the gate", func(*testing.T) []string { return []string{"audit", "--demo"} }, 1, ""},
		{"fail-on never", func(*testing.T) []string { return []string{"audit", "--demo", "--fail-on", "never"} }, 0, ""},
		{"snapshot like demo", func(t *testing.T) []string {
			return []string{"audit", "--snapshot", demoWith(t, ""), "--baseline", bl(t), "--fail-on", "never"}
		}, 0, ""},
		{"incomplete", func(t *testing.T) []string {
			return []string{"audit", "--snapshot", demoWith(t, "authorizationPolicy"), "--baseline", bl(t), "--fail-on", "never"}
		}, 3, ""},
		{"incomplete allowed", func(t *testing.T) []string {
			return []string{"audit", "--snapshot", demoWith(t, "authorizationPolicy"), "--baseline", bl(t), "--fail-on", "never", "--allow-incomplete"}
		}, 0, ""},
		{"gate beats incomplete", func(t *testing.T) []string {
			return []string{"audit", "--snapshot", demoWith(t, "authorizationPolicy"), "--baseline", bl(t)}
		}, 1, ""},
		{"malformed snapshot", func(t *testing.T) []string {
			return []string{"audit", "--snapshot", write(t, "bad.json", "{\n  \"schemaVersion\": 1,\n  oops\n}")}
		}, 2, "bad.json:3:"},
		{"missing snapshot", func(t *testing.T) []string { return []string{"audit", "--snapshot", "/nonexistent/s.json"} }, 2, "/nonexistent/s.json: cannot read snapshot"},
		{"malformed baseline", func(t *testing.T) []string {
			return []string{"audit", "--demo", "--baseline", write(t, "b.yaml", "name: x\nparameters:\n  max_sign_in_frequency: 1\n")}
		}, 2, "b.yaml:3: unknown key max_sign_in_frequency"},
		{"unknown control in baseline", func(t *testing.T) []string {
			return []string{"audit", "--demo", "--baseline", write(t, "b.yaml", "name: x\ncontrols:\n  TG.CA.99: {enabled: false}\n")}
		}, 2, "b.yaml:3: controls: unknown control id \"TG.CA.99\""},
		{"waiver without expires", func(t *testing.T) []string {
			return []string{"audit", "--demo", "--baseline", write(t, "b.yaml", "name: x\nwaivers:\n  - control: TG.CA.3\n    reason: r\n    approved_by: me\n")}
		}, 2, "b.yaml:3: waivers[0] (TG.CA.3): expires is required"},
		{"bad fail-on", func(*testing.T) []string { return []string{"audit", "--demo", "--fail-on", "critical"} }, 2, "invalid --fail-on"},
		{"bad format", func(*testing.T) []string { return []string{"audit", "--demo", "--format", "pdf"} }, 2, "unknown --format"},
		{"unknown flag", func(*testing.T) []string { return []string{"audit", "--demo", "--nope"} }, 2, "unknown flag"},
		{"nothing to audit", func(*testing.T) []string { return []string{"audit"} }, 2, "nothing to audit"},
		{"demo and snapshot", func(t *testing.T) []string { return []string{"audit", "--demo", "--snapshot", demoWith(t, "")} }, 2, "--demo and --snapshot cannot be combined"},
		{"two formats to stdout", func(*testing.T) []string { return []string{"audit", "--demo", "-f", "json", "-f", "table"} }, 2, "2 formats and no --output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args(t)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if tt.stderr != "" && !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderr)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on stderr: %s", stderr)
			}
		})
	}
}

func TestAuditJSONOnStdout(t *testing.T) {
	code, out, _ := run(t, "audit", "--demo", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not the JSON report: %v", err)
	}
	if len(r.Results) != 20 || r.Results[0].ID != "TG.CA.1" || r.Results[19].ID != "TG.CA.11" || r.Tenant.DisplayName != "Sunnyside Trading" {
		t.Errorf("unexpected report: %d results", len(r.Results))
	}
}

func TestAuditSeveralOutputs(t *testing.T) {
	dir := t.TempDir()
	j, tb := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.txt")
	code, out, stderr := run(t, "audit", "--demo", "--format", "json", "--output", j, "--format", "table", "--output", tb)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, stderr)
	}
	raw, err := os.ReadFile(j)
	if err != nil || !json.Valid(raw) {
		t.Fatalf("json output: %v", err)
	}
	txt, err := os.ReadFile(tb)
	if err != nil || !strings.Contains(string(txt), "TG.CA.2") {
		t.Fatalf("table output: %v %q", err, txt)
	}
}

func TestControls(t *testing.T) {
	code, out, _ := run(t, "controls")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	rows := 0 // wrapped cells continue on indented lines
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "TG.") {
			rows++
		}
	}
	if rows != 20 || !strings.HasPrefix(lines[1], "TG.CA.1 ") || !strings.Contains(out, "Microsoft Entra ID P2") {
		t.Errorf("controls output:\n%s", out)
	}
	code, out, _ = run(t, "controls", "--format", "json")
	var list []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 20 {
		t.Errorf("controls json: exit %d %s", code, out)
	}
}

// A source that could not be read is one run warning: on stderr for a JSON
// report, at the end of the table (and not on stderr) for a table on
// stdout, and a tool execution notification in SARIF; the not_assessed
// results say what to grant.
func TestFailedSourceWarnedOnce(t *testing.T) {
	snap := demoWith(t, "conditionalAccessPolicies")
	bl := write(t, "b.yaml", demoBaseline)
	const warn = "conditionalAccessPolicies could not be read (denied, HTTP 403 Authorization_RequestDenied)"

	code, out, errOut := run(t, "audit", "--snapshot", snap, "--baseline", bl, "--format", "json")
	if code != 1 || strings.Count(strings.Join(strings.Fields(errOut), " "), warn) != 1 { // wrapped
		t.Fatalf("json: exit %d, stderr %q", code, errOut)
	}
	for _, l := range strings.Split(strings.TrimSuffix(errOut, "\n"), "\n") {
		if textcol.Width(l) > textcol.DefaultWidth {
			t.Errorf("warning line wider than %d columns: %q", textcol.DefaultWidth, l)
		}
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for _, res := range rep.Results {
		if res.ID == "TG.CA.2" && (res.Status != report.NotAssessed || len(res.Missing) != 1 || res.Missing[0].Permissions[0] != "Policy.Read.All") {
			t.Errorf("TG.CA.2: %s, missing %+v", res.Status, res.Missing)
		}
	}

	_, out, errOut = run(t, "audit", "--snapshot", snap, "--baseline", bl, "--format", "table")
	if strings.Contains(strings.Join(strings.Fields(errOut), " "), warn) || strings.Count(strings.Join(strings.Fields(out), " "), warn) != 1 {
		t.Errorf("table: the warning must be printed once, in the table\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}

	_, out, _ = run(t, "audit", "--snapshot", snap, "--baseline", bl, "--format", "sarif")
	var log struct {
		Runs []struct {
			Invocations []struct {
				Notes []struct {
					Level   string                `json:"level"`
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	notes := log.Runs[0].Invocations[0].Notes
	if len(notes) != 1 || notes[0].Level != "warning" || !strings.Contains(notes[0].Message.Text, warn) || !strings.Contains(notes[0].Message.Text, "Policy.Read.All") {
		t.Errorf("SARIF notifications: %+v", notes)
	}
}

// TestVersion: `version`, `version --json` and `--version` say the same, and
// reports record that version (one source: internal/version).
func TestVersion(t *testing.T) {
	info := version.Get()
	code, out, _ := run(t, "version")
	if code != 0 || out != "tenantgate "+info.String()+"\n" {
		t.Errorf("version: exit %d, %q", code, out)
	}
	code, flag, _ := run(t, "--version")
	if code != 0 || flag != out {
		t.Errorf("--version: exit %d, %q, want %q", code, flag, out)
	}
	code, js, _ := run(t, "version", "--json")
	var got version.Info
	if err := json.Unmarshal([]byte(js), &got); code != 0 || err != nil || got != info {
		t.Errorf("version --json: exit %d, %v, %+v", code, err, got)
	}
	_, rep, _ := run(t, "audit", "--demo", "--format", "json")
	var r report.Report
	if err := json.Unmarshal([]byte(rep), &r); err != nil || r.Tool.Version != info.Version || Version != info.Version {
		t.Errorf("report tool.version %q, cli.Version %q, want %q (%v)", r.Tool.Version, Version, info.Version, err)
	}
}

// TestShardUsage: --shard is K/N with 0 <= K < N, and only splits a fleet.
func TestShardUsage(t *testing.T) {
	snap := demoWith(t, "")
	tenants := write(t, "tenants.yaml", "tenants:\n  - id: contoso.onmicrosoft.com\n")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"audit", "--snapshot", snap, "--shard", "0/2"}, "--shard splits a fleet"},
		{[]string{"audit", "--snapshot", snap, "--snapshot", snap, "--shard", "2/2"}, "K must be between 0 and 1"},
		{[]string{"audit", "--snapshot", snap, "--snapshot", snap, "--shard", "two"}, "want K/N"},
		{[]string{"collect", "--shard", "0/2", "-o", "x.json"}, "--shard needs --tenants"},
		{[]string{"collect", "--tenants", tenants, "--output-dir", t.TempDir(), "--shard", "1/0"}, "N must be between 1 and 65536"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, stderr, tc.msg)
		}
	}
}

// Contradictory subject flags are refused (exit 2) with a pointer to the
// subcommand's help; apply may combine --snapshot with a live tenant.
func TestContradictoryFlagsAndUsageHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "--demo", "--tenant", "x"}, "--demo and --tenant cannot be combined"},
		{[]string{"audit", "--demo", "--snapshot", "s.json"}, "--demo and --snapshot cannot be combined"},
		{[]string{"audit", "--snapshot", "s.json", "--graph-endpoint", "http://127.0.0.1:1"}, "--snapshot and --graph-endpoint cannot be combined"},
		{[]string{"explain", "TG.CA.1", "--result", "r.json", "--demo"}, "--demo and --result cannot be combined"},
		{[]string{"plan", "--demo", "--tenant", "x"}, "--demo and --tenant cannot be combined"},
		{[]string{"audit", "--bogus"}, "unknown flag: --bogus"},
	} {
		code, _, errOut := run(t, tc.args...)
		help := "Run 'tenantgate " + tc.args[0] + " --help' for usage."
		if code != 2 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, help) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errOut)
		}
	}
}

func TestExplain(t *testing.T) {
	t.Setenv("COLUMNS", "80")
	code, out, errOut := run(t, "explain", "tg.ca.8", "--demo")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"TG.CA.8 · high · fail",
		"Conditional Access policies considered (5)",
		"'CA003: Outlook on the web - sign-in every 4 hours' (enabled)",
		"does not count: does not exclude",
		"https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/4d729cdf-296d-4f03-a5e3-d9115cbe32dc",
		"Remediation",
		"Rule: policies/ca/tg_ca_8.rego:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 80 && !strings.HasPrefix(strings.TrimSpace(l), "https://") {
			t.Errorf("%d columns: %q", len([]rune(l)), l)
		}
	}
	// From a saved result: the same explanation.
	_, res, _ := run(t, "audit", "--demo", "--format", "json")
	path := write(t, "result.json", res)
	code, fromResult, errOut := run(t, "explain", "TG.CA.8", "--result", path)
	if code != 0 || fromResult != out {
		t.Errorf("from --result: exit %d %s\n%s", code, errOut, testutil.FirstDiff(out, fromResult))
	}
	code, _, errOut = run(t, "explain", "TG.NOPE.1", "--demo")
	if code != 2 || !strings.Contains(errOut, "no control \"TG.NOPE.1\"") {
		t.Errorf("unknown id: exit %d %s", code, errOut)
	}
}

// Input problems a user makes are exit 2 with a readable message: an
// --output that cannot be written, a snapshot that is a JSON array.
func TestInputMistakesExit2(t *testing.T) {
	dir := t.TempDir()
	arr := write(t, "list.json", `[{"tenant": "a"}]`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "--demo", "-f", "json", "-o", filepath.Join(dir, "no", "such", "r.json")}, "directory " + filepath.Join(dir, "no", "such") + " does not exist"},
		{[]string{"audit", "--demo", "-f", "json", "-o", dir}, "is a directory; --output wants a file"},
		// Every command that writes a file refuses before its work, not after.
		{[]string{"plan", "--demo", "-o", filepath.Join(dir, "no", "p.json")}, "p.json: cannot write the plan: directory " + filepath.Join(dir, "no") + " does not exist"},
		{[]string{"init", "--demo", "-o", filepath.Join(dir, "no", "b.yaml")}, "b.yaml: cannot write the baseline: directory"},
		{[]string{"hunt", "--demo", "-f", "json", "-o", filepath.Join(dir, "no", "h.json")}, "h.json: cannot write the json report: directory"},
		{[]string{"collect", "--graph-endpoint", "http://127.0.0.1:9", "-o", filepath.Join(dir, "no", "s.json")}, "s.json: cannot write the snapshot: directory"},
		{[]string{"audit", "--snapshot", arr}, "the file holds a JSON array, but a snapshot is one JSON object"},
	} {
		code, _, errOut := run(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errOut)
		}
	}
}

// A comma list of formats goes to an output directory; without one, more
// than one format needs an --output each.
func TestFormatsToOutputDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	code, _, errOut := run(t, "audit", "--demo", "--format", "json,html", "--format", "sarif", "--output-dir", dir)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, name := range []string{"tenantgate-report.json", "tenantgate-report.html", "tenantgate-report.sarif"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "--demo", "--format", "json,html"}, "2 formats and no --output: give --output FILE after each --format, or --output-dir DIR"},
		{[]string{"audit", "--demo", "--format", "json", "--output", "x.json", "--output-dir", dir}, "--output-dir and --output cannot be combined"},
		{[]string{"audit", "--demo", "--output-dir", dir}, "--output-dir needs --format"},
		{[]string{"audit", "--demo", "--format", "json,json", "--output-dir", dir}, "--format json is given twice"},
	} {
		code, _, errOut := run(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d %q", tc.args, code, errOut)
		}
	}
}

// TG.CA.5's Temporary Access Pass advice appears once in a plan: the failed
// control's finding always carries it (controls.md), so the template does
// not repeat it as a warning.
func TestPlanTAPAdviceOnce(t *testing.T) {
	code, out, errOut := run(t, "plan", "--demo", "--baseline", "../demo/baseline.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(strings.Join(strings.Fields(out), " "), "Temporary Access Pass"); n != 1 {
		t.Errorf("the Temporary Access Pass advice appears %d times:\n%s", n, out)
	}
}
