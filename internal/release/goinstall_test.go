package release

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// TestGoInstallFromProxy: `go install github.com/tenantgate/tenantgate/cmd/tenantgate@vX.Y.Z`
// works, and the binary it builds reports that version. The module is served
// from a file:// proxy built the way a module proxy serves a tagged release:
// a clone of the repository is tagged, and its tag is laid out as
// <module>/@v/list, .info, .mod and .zip (golang.org/x/mod/zip, the format
// the go command verifies). The dependencies come from the local module
// cache, served as a second file:// proxy: no network.
//
// Only the committed tree is installed (as a release would be): uncommitted
// changes are not part of it. The version is unique per run and removed from
// the module cache afterwards.
func TestGoInstallFromProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("installs tenantgate through a module proxy")
	}
	root := repoRoot(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Run(); err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	start := time.Now()
	tmp := t.TempDir()
	version := fmt.Sprintf("v0.0.1-installtest.%d", time.Now().UnixNano())

	// A tagged clone, as the release is a tag.
	clone := filepath.Join(tmp, "clone")
	git(t, "", "clone", "--quiet", "--no-checkout", root, clone)
	git(t, clone, "-c", "user.name=test", "-c", "user.email=test@example.invalid", "tag", "-a", "-m", "release test", version, "HEAD")

	// The proxy layout.
	dir := filepath.Join(tmp, "proxy", modulePath, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mv := module.Version{Path: modulePath, Version: version}
	zf, err := os.Create(filepath.Join(dir, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	if err := zip.CreateFromVCS(zf, mv, clone, version, ""); err != nil {
		t.Fatalf("module zip: %v", err)
	}
	if err := zf.Close(); err != nil {
		t.Fatal(err)
	}
	gomod := git(t, clone, "show", version+":go.mod")
	commitTime := strings.TrimSpace(git(t, clone, "log", "-1", "--format=%cI", version))
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": commitTime})
	for name, data := range map[string]string{"list": version + "\n", version + ".info": string(info), version + ".mod": gomod} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("proxy built in %s", time.Since(start).Round(time.Millisecond))

	modcache := strings.TrimSpace(goEnv(t, "GOMODCACHE"))
	t.Cleanup(func() { removeFromModCache(t, modcache, version) })
	gobin := filepath.Join(tmp, "bin")
	install := exec.Command("go", "install", modulePath+"/cmd/tenantgate@"+version)
	install.Dir = tmp // outside any module
	install.Env = append(os.Environ(),
		"GOBIN="+gobin,
		// Ours first, then the module cache's downloads; nothing else, so
		// the install cannot reach the network.
		"GOPROXY=file://"+filepath.ToSlash(filepath.Join(tmp, "proxy"))+",file://"+filepath.ToSlash(filepath.Join(modcache, "cache", "download")),
		// A local tag is in no checksum database, and `go install pkg@v`
		// asks the database about every dependency it has not looked up
		// before: off here. The dependencies come from the module cache,
		// whose downloads were checked against go.sum when first fetched.
		"GOSUMDB=off",
		"GOFLAGS=-modcacherw", // so the extracted copy can be removed afterwards
		"GOTOOLCHAIN=local",
		"GOWORK=off",
	)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install %s@%s: %v\n%s", modulePath+"/cmd/tenantgate", version, err, out)
	}
	t.Logf("go install took %s in all", time.Since(start).Round(time.Millisecond))
	checkBinary(t, filepath.Join(gobin, "tenantgate"), version, "", "")
}

// removeFromModCache deletes the test version from the module cache.
func removeFromModCache(t *testing.T, modcache, version string) {
	t.Helper()
	esc, err := module.EscapePath(modulePath)
	if err != nil {
		t.Error(err)
		return
	}
	os.RemoveAll(filepath.Join(modcache, esc+"@"+version))
	vdir := filepath.Join(modcache, "cache", "download", esc, "@v")
	matches, _ := filepath.Glob(filepath.Join(vdir, version+".*"))
	for _, m := range matches {
		os.Remove(m)
	}
	// The go command's list of versions it has seen: drop the file when it
	// names only test versions (there is no real download of this module
	// on a machine that builds it from source).
	if raw, err := os.ReadFile(filepath.Join(vdir, "list")); err == nil {
		only := true
		for _, v := range strings.Fields(string(raw)) {
			only = only && strings.Contains(v, "-installtest.")
		}
		if only {
			os.Remove(filepath.Join(vdir, "list"))
		}
	}
	for d := vdir; d != modcache && strings.HasPrefix(d, modcache); d = filepath.Dir(d) {
		if os.Remove(d) != nil { // stops at the first directory that is not empty
			break
		}
	}
	os.Remove(filepath.Join(modcache, filepath.Dir(esc))) // github.com/tenantgate, if empty
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("git %v: %v\n%s", args, err, msg)
	}
	return string(out)
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
