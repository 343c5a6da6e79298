package release

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

// TestWorkflowsLint runs actionlint (as a library: nothing to install) on
// every workflow of the repository; the action test workflow uses the action
// through `uses: ./`, so actionlint also checks action.yml's metadata and the
// inputs the workflow passes. shellcheck checks the run: scripts when it is
// installed (.ci/run installs it).
func TestWorkflowsLint(t *testing.T) {
	root := repoRoot(t)
	var out bytes.Buffer
	opts := &actionlint.LinterOptions{WorkingDir: root, Oneline: true}
	if sc, err := lookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	} else {
		t.Log("shellcheck not installed: run: scripts are not checked")
	}
	l, err := actionlint.NewLinter(&out, opts)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if len(files) < 2 {
		t.Fatalf("workflows: %v", files)
	}
	errs, err := l.LintFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}

	// The same linter does catch a broken workflow and a wrong input to a
	// local action (so the pass above means something).
	bad := t.TempDir()
	os.MkdirAll(filepath.Join(bad, ".git"), 0o755)
	os.MkdirAll(filepath.Join(bad, ".github", "workflows"), 0o755)
	os.WriteFile(filepath.Join(bad, "action.yml"), []byte("name: x\ndescription: x\ninputs:\n  tenant:\n    description: t\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n"), 0o644)
	wf := filepath.Join(bad, ".github", "workflows", "bad.yml")
	os.WriteFile(wf, []byte("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        with:\n          tenant-id: x\n      - run: echo ${{ steps.nope.outputs.x }}\n"), 0o644)
	l2, _ := actionlint.NewLinter(&out, &actionlint.LinterOptions{WorkingDir: bad})
	errs, err = l2.LintFiles([]string{wf}, nil)
	if err != nil || len(errs) < 2 {
		t.Errorf("actionlint found %d problems in a broken workflow (%v), want the unknown input and the unknown step", len(errs), err)
	}
}

// actionMeta is action.yml as the checks read it.
type actionMeta struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Author      string            `yaml:"author"`
	Branding    map[string]string `yaml:"branding"`
	Inputs      map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
}

// TestActionMetadata checks what actionlint does not: the inputs the issue
// asks for exist, every input is used, every output is set, every run step
// declares bash, and no input is expanded inside a script (script
// injection: inputs reach scripts through env only).
func TestActionMetadata(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionMeta
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" || a.Name == "" || a.Description == "" {
		t.Fatalf("runs.using %q, name %q", a.Runs.Using, a.Name)
	}
	for _, in := range []string{"tenant", "client-id", "baseline", "fail-on", "formats", "version"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("no input %q", in)
		}
	}
	for _, out := range []string{"exit-code", "pass", "fail", "not-assessed"} {
		if _, ok := a.Outputs[out]; !ok {
			t.Errorf("no output %q", out)
		}
	}
	var everything strings.Builder
	setOutputs := map[string]bool{}
	uses := map[string]bool{}
	for _, s := range a.Runs.Steps {
		if s.Run != "" && s.Shell != "bash" {
			t.Errorf("step %q: shell %q, want bash", s.Name, s.Shell)
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q expands an expression inside its script; pass it through env", s.Name)
		}
		everything.WriteString(s.If + "\n")
		for _, v := range s.Env {
			everything.WriteString(v + "\n")
		}
		for _, v := range s.With {
			everything.WriteString(v + "\n")
		}
		if s.Uses != "" {
			uses[strings.SplitN(s.Uses, "@", 2)[0]] = true
		}
		for _, m := range regexp.MustCompile(`(?m)^\s*echo "([a-z-]+)=`).FindAllStringSubmatch(s.Run, -1) {
			setOutputs[m[1]] = true
		}
		for _, m := range regexp.MustCompile(`(?:"|\\n)([a-z-]+)=\\\(`).FindAllStringSubmatch(s.Run, -1) {
			setOutputs[m[1]] = true
		}
	}
	for in := range a.Inputs {
		if !strings.Contains(everything.String(), "inputs."+in) {
			t.Errorf("input %q is never used", in)
		}
	}
	for name, o := range a.Outputs {
		m := regexp.MustCompile(`^\$\{\{ steps\.audit\.outputs\.([a-z-]+) \}\}$`).FindStringSubmatch(o.Value)
		if m == nil || !setOutputs[m[1]] {
			t.Errorf("output %q (%s) is never set by the audit step", name, o.Value)
		}
	}
	for _, want := range []string{"github/codeql-action/upload-sarif", "actions/upload-artifact"} {
		if !uses[want] {
			t.Errorf("the action does not use %s", want)
		}
	}
	if !slices.ContainsFunc(a.Runs.Steps, func(s actionStep) bool {
		return strings.Contains(s.Run, "AZURE_FEDERATED_TOKEN_FILE") && strings.Contains(s.Run, "api://AzureADTokenExchange")
	}) {
		t.Error("no workload identity sign-in step")
	}
}

// TestDriftSnippetFails: the documented drift comparison fails the step when
// tenantgate diff reports a regression and passes when it does not (a pipe
// into tee would swallow the exit code). The snippet is run as GitHub runs a
// step without a shell key (bash -e), with stand-ins for gh (a previous run
// and its artifact) and tenantgate diff (the exit code under test).
func TestDriftSnippetFails(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "github-actions.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, "tenantgate diff previous/result.json")
	if i < 0 {
		t.Fatal("drift snippet not found")
	}
	start := strings.LastIndex(doc[:i], "```yaml\n")
	end := strings.Index(doc[i:], "\n```\n") + 1
	if start < 0 || end < 1 {
		t.Fatal("the drift snippet is not a yaml block")
	}
	var steps []struct {
		Run   string `yaml:"run"`
		Shell string `yaml:"shell"`
	}
	if err := yaml.Unmarshal([]byte(doc[start+len("```yaml\n"):i+end]), &steps); err != nil || len(steps) != 1 || steps[0].Run == "" {
		t.Fatalf("the drift snippet is not one step with a script (%v): %+v", err, steps)
	}
	if steps[0].Shell != "" {
		t.Fatalf("shell %q: the test runs the step as GitHub's default bash -e", steps[0].Shell)
	}
	bash, err := lookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	for _, tc := range []struct {
		name     string
		diffExit int
	}{{"regression", 1}, {"no regression", 0}, {"unreadable input", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "bin")
			stub := func(name, script string) {
				if err := os.MkdirAll(bin, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(bin, name), []byte("#!"+bash+"\n"+script), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			stub("gh", `case "$1 $2" in
"run list") echo 4242 ;;
"run download") mkdir -p previous && echo '{}' > previous/result.json ;;
*) exit 9 ;;
esac
`)
			stub("tenantgate", fmt.Sprintf("echo \"drift: $*\"\nexit %d\n", tc.diffExit))
			summary := filepath.Join(dir, "summary.md")
			cmd := exec.Command(bash, "-e", "-c", steps[0].Run)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"GITHUB_STEP_SUMMARY="+summary, "REPORTS="+dir, "AZURE_TENANT_ID=contoso.onmicrosoft.com", "GH_TOKEN=x")
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.diffExit {
				t.Errorf("the step exits %d when tenantgate diff exits %d\n%s", code, tc.diffExit, out)
			}
			if got, _ := os.ReadFile(summary); !strings.Contains(string(got), "drift: diff previous/result.json "+dir+"/result.json") {
				t.Errorf("the diff is not in the run summary: %q", got)
			}
		})
	}
}

// TestActionRunsTheDemo runs the action's own scripts as a runner would
// (bash --noprofile --norc -eo pipefail, the step's env, RUNNER_TEMP,
// GITHUB_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), with no GitHub runner:
// Install builds the checkout (version: source), Audit audits the demo
// tenant with every format, Gate fails with the audit's exit code. The
// uploads are GitHub's own actions and are not run here.
func TestActionRunsTheDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bash, err := lookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	if _, err := lookPath("jq"); err != nil {
		t.Skip("jq is not installed (GitHub's runners have it; the audit step reads the JSON result with it)")
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionMeta
	if err := yaml.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	step := func(name string) actionStep {
		for _, s := range a.Runs.Steps {
			if s.Name == name {
				return s
			}
		}
		t.Fatalf("action.yml has no step %q", name)
		return actionStep{}
	}
	tmp := t.TempDir()
	files := map[string]string{}
	for _, f := range []string{"GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV"} {
		files[f] = filepath.Join(tmp, strings.ToLower(f))
		if err := os.WriteFile(files[f], nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	work := filepath.Join(tmp, "workspace")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	path := os.Getenv("PATH")
	runStep := func(s actionStep, env map[string]string) (int, string) {
		t.Helper()
		if s.Shell != "bash" {
			t.Fatalf("step %q: shell %q", s.Name, s.Shell)
		}
		cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PATH="+path, "RUNNER_TEMP="+tmp, "RUNNER_OS=Linux", "RUNNER_ARCH=X64")
		for k, v := range files {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}

	code, out := runStep(step("Install tenantgate"), map[string]string{"TG_VERSION": "", "TG_ACTION_REF": "main", "TG_ACTION_PATH": repoRoot(t)})
	if code != 0 || !strings.Contains(out, "tenantgate ") {
		t.Fatalf("install: exit %d\n%s", code, out)
	}
	added, _ := os.ReadFile(files["GITHUB_PATH"])
	path = strings.TrimSpace(string(added)) + string(os.PathListSeparator) + path

	code, out = runStep(step("Audit"), map[string]string{"TG_DEMO": "true", "TG_FAIL_ON": "high", "TG_ALLOW_INCOMPLETE": "false",
		"TG_FORMATS": "sarif,html,json,markdown,junit", "TG_TENANT": "", "TG_CLIENT_ID": "", "TG_AUTH": "", "TG_SUBSCRIPTION": "", "TG_BASELINE": ""})
	if code != 0 {
		t.Fatalf("the audit step must not fail the job itself (the gate does, after the uploads): exit %d\n%s", code, out)
	}
	outputs := map[string]string{}
	rawOut, _ := os.ReadFile(files["GITHUB_OUTPUT"])
	for _, l := range strings.Split(strings.TrimSpace(string(rawOut)), "\n") {
		k, v, _ := strings.Cut(l, "=")
		outputs[k] = v
	}
	dir := filepath.Join(tmp, "tenantgate-reports")
	for k, want := range map[string]string{"exit-code": "1", "pass": "4", "fail": "15", "not-assessed": "0", "not-licensed": "1", "waived": "0",
		"score": "22.4", "sarif": filepath.Join(dir, "tenantgate.sarif"), "report-dir": dir} {
		if outputs[k] != want {
			t.Errorf("output %s = %q, want %q (all: %v)", k, outputs[k], want, outputs)
		}
	}
	for _, f := range []string{"tenantgate.sarif", "report.html", "result.json", "tenantgate.xml", "summary.md"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("report %s: %v", f, err)
		}
	}
	if summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"]); !strings.Contains(string(summary), "TG.CA.1") {
		t.Errorf("the run summary lacks the Markdown report:\n%s", summary)
	}

	if code, out = runStep(step("Gate"), map[string]string{"TG_CODE": outputs["exit-code"]}); code != 1 || !strings.Contains(out, "::error::tenantgate exited 1") {
		t.Errorf("gate: exit %d, want 1\n%s", code, out)
	}
	if code, _ = runStep(step("Gate"), map[string]string{"TG_CODE": ""}); code != 4 {
		t.Errorf("gate without an audit: exit %d, want 4", code)
	}
}
