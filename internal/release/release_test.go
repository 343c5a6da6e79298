package release

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	modulePath = "github.com/tenantgate/tenantgate"
	versionPkg = modulePath + "/internal/version"
)

// repoRoot is the repository's top directory (this package is two below).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return root
}

// goreleaserConfig is the part of .goreleaser.yaml the checks read.
type goreleaserConfig struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Flags   []string `yaml:"flags"`
		Ldflags []string `yaml:"ldflags"`
	} `yaml:"builds"`
	Archives []struct {
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		Files []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
	Sboms []struct {
		Artifacts string   `yaml:"artifacts"`
		Cmd       string   `yaml:"cmd"`
		Documents []string `yaml:"documents"`
		Args      []string `yaml:"args"`
	} `yaml:"sboms"`
}

func loadConfig(t *testing.T) goreleaserConfig {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c goreleaserConfig
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	return c
}

// TestGoReleaserConfig checks the essentials of the release on every CI run
// (`goreleaser check` validates the whole schema: make release-check).
func TestGoReleaserConfig(t *testing.T) {
	c := loadConfig(t)
	if c.Version != 2 || c.ProjectName != "tenantgate" || len(c.Builds) != 1 {
		t.Fatalf("version %d, project %q, %d builds", c.Version, c.ProjectName, len(c.Builds))
	}
	b := c.Builds[0]
	if b.Main != "./cmd/tenantgate" || b.Binary != "tenantgate" {
		t.Errorf("build main %q binary %q", b.Main, b.Binary)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("builds are not static: env %v", b.Env)
	}
	for _, want := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, want) {
			t.Errorf("no %s build", want)
		}
	}
	for _, want := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, want) {
			t.Errorf("no %s build", want)
		}
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Error("builds without -trimpath embed the builder's paths")
	}
	ld := strings.Join(b.Ldflags, " ")
	for v, tmpl := range map[string]string{"version": "v{{ .Version }}", "commit": "{{ .FullCommit }}", "date": "{{ .CommitDate }}"} {
		if !strings.Contains(ld, "-X "+versionPkg+"."+v+"="+tmpl) {
			t.Errorf("ldflags do not stamp %s.%s with %s: %s", versionPkg, v, tmpl, ld)
		}
	}
	if len(c.Archives) != 1 || !slices.Contains(c.Archives[0].Formats, "tar.gz") {
		t.Fatalf("archives: %+v", c.Archives)
	}
	zip := false
	for _, o := range c.Archives[0].FormatOverrides {
		zip = zip || (o.Goos == "windows" && slices.Contains(o.Formats, "zip"))
	}
	if !zip {
		t.Error("Windows archives are not zip")
	}
	for _, f := range c.Archives[0].Files {
		if _, err := os.Stat(filepath.Join(repoRoot(t), f)); err != nil {
			t.Errorf("archive file %s: %v", f, err)
		}
	}
	// Apache-2.0 section 4(d): a distribution carries the NOTICE file.
	for _, f := range []string{"LICENSE", "NOTICE"} {
		if !slices.Contains(c.Archives[0].Files, f) {
			t.Errorf("archives lack the %s", f)
		}
	}
	if c.Checksum.NameTemplate == "" || c.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum %+v", c.Checksum)
	}
	if len(c.Sboms) == 0 || c.Sboms[0].Cmd == "" || len(c.Sboms[0].Documents) == 0 {
		t.Errorf("no SBOM: %+v", c.Sboms)
	}
}

// TestMakefileStampsLikeGoReleaser: `make build` writes the same variables.
func TestMakefileStampsLikeGoReleaser(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	mk := string(raw)
	for _, v := range []string{"version", "commit", "date"} {
		if !regexp.MustCompile(`-X \$\(VPKG\)\.` + v + `=`).MatchString(mk) {
			t.Errorf("Makefile does not stamp %s", v)
		}
	}
	if !strings.Contains(mk, "VPKG    := "+versionPkg) {
		t.Error("Makefile's VPKG is not internal/version")
	}
}

// TestStampedBinary builds tenantgate with the release's ldflags (template
// values filled in) and checks `version`, `--version` and the JSON report's
// tool.version carry the stamp.
func TestStampedBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	c := loadConfig(t)
	// GoReleaser's .Version has no "v"; the config adds it, as go install has it.
	ld := strings.NewReplacer("{{ .Version }}", "1.2.3", "{{ .FullCommit }}", "0123456789abcdef0123456789abcdef01234567",
		"{{ .CommitDate }}", "2026-11-29T10:00:00Z").Replace(strings.Join(c.Builds[0].Ldflags, " "))
	bin := filepath.Join(t.TempDir(), "tenantgate")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", ld, "-o", bin, "./cmd/tenantgate")
	build.Dir = repoRoot(t)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	checkBinary(t, bin, "v1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-11-29T10:00:00Z")
}

// checkBinary runs a built tenantgate: version --json, --version and the
// demo audit's tool.version must all say want (and commit/date when given).
func checkBinary(t *testing.T, bin, want, commit, date string) {
	t.Helper()
	out, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatalf("version --json: %v", err)
	}
	var info struct{ Version, Commit, Date string }
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatal(err)
	}
	if info.Version != want || (commit != "" && info.Commit != commit) || (date != "" && info.Date != date) {
		t.Errorf("version --json = %+v, want %s %s %s", info, want, commit, date)
	}
	flag, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(flag), "tenantgate "+want+" (") {
		t.Errorf("--version = %q (%v)", flag, err)
	}
	cmd := exec.Command(bin, "audit", "--demo", "--format", "json")
	var rep bytes.Buffer
	cmd.Stdout = &rep
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 { // the demo fails controls
			t.Fatalf("audit --demo: %v", err)
		}
	}
	var r struct{ Tool struct{ Version string } }
	if err := json.Unmarshal(rep.Bytes(), &r); err != nil || r.Tool.Version != want {
		t.Errorf("audit --demo tool.version = %q (%v), want %q", r.Tool.Version, err, want)
	}
}
