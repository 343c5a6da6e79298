package image

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"debug/elf"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

var created = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// staticBinary builds tenantgate for linux on this machine's architecture,
// as the release does (CGO_ENABLED=0, -trimpath).
func staticBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tenantgate")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/tenantgate")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// entry is one file of the image's flattened filesystem.
type entry struct {
	hdr  *tar.Header
	data []byte
}

func filesystem(t *testing.T, img v1.Image) map[string]entry {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	out := map[string]entry{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out["/"+strings.TrimSuffix(h.Name, "/")] = entry{h, data}
	}
	return out
}

// TestImageContents builds the image into an OCI layout, reads it back and
// checks what a user relies on: the static binary as entry point, the CA
// roots, a non-root user, nothing else (no shell), reproducible digests.
func TestImageContents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := staticBinary(t)
	plat := "linux/" + runtime.GOARCH
	opts := Options{Binaries: map[string]string{plat: bin}, Version: "v9.9.9", Revision: "0123abc", Created: created, Source: "https://github.com/tenantgate/tenantgate"}
	idx, err := Build(opts)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "oci")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendIndex(idx); err != nil {
		t.Fatal(err)
	}

	// Read back what was written, as a registry or runtime would.
	outer, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	om, _ := outer.IndexManifest()
	if len(om.Manifests) != 1 {
		t.Fatalf("layout holds %d manifests", len(om.Manifests))
	}
	read, err := outer.ImageIndex(om.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := read.MediaType(); mt != types.OCIImageIndex {
		t.Errorf("index media type %s", mt)
	}
	im, _ := read.IndexManifest()
	if len(im.Manifests) != 1 || im.Manifests[0].Platform == nil || im.Manifests[0].Platform.String() != plat {
		t.Fatalf("index manifests %+v", im.Manifests)
	}
	img, err := read.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}

	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if !slices.Equal(c.Entrypoint, []string{BinaryPath}) || c.User != "65532:65532" || c.WorkingDir != WorkDir {
		t.Errorf("config entrypoint %v user %q workdir %q", c.Entrypoint, c.User, c.WorkingDir)
	}
	if !slices.Contains(c.Env, "SSL_CERT_FILE="+CAPath) || cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("config env %v, %s/%s", c.Env, cf.OS, cf.Architecture)
	}
	if c.Labels["org.opencontainers.image.version"] != "v9.9.9" || c.Labels["org.opencontainers.image.licenses"] != "Apache-2.0" {
		t.Errorf("labels %v", c.Labels)
	}

	fs := filesystem(t, img)
	b, ok := fs[BinaryPath]
	if !ok || b.hdr.Mode&0o111 == 0 || b.hdr.Uid != 0 {
		t.Fatalf("binary %s missing, not executable or not root-owned: %+v", BinaryPath, b.hdr)
	}
	want, _ := os.ReadFile(bin)
	if !bytes.Equal(b.data, want) {
		t.Error("the image's binary is not the one built")
	}
	checkStatic(t, b.data)

	ca, ok := fs[CAPath]
	pool := x509.NewCertPool()
	if !ok || !pool.AppendCertsFromPEM(ca.data) {
		t.Fatalf("no CA bundle at %s", CAPath)
	}
	n := bytes.Count(ca.data, []byte("BEGIN CERTIFICATE"))
	if n < 100 {
		t.Errorf("CA bundle holds %d roots", n)
	}
	// Microsoft Graph, Entra ID and Azure Resource Manager chain to DigiCert
	// Global Root G2 (Mozilla distrusts the older Global Root CA for TLS
	// certificates issued after April 2026, so it is left out).
	for _, cn := range []string{"DigiCert Global Root G2", "Microsoft RSA Root Certificate Authority 2017"} {
		if !hasRoot(t, ca.data, cn) {
			t.Errorf("CA bundle lacks %s", cn)
		}
	}

	if pw := string(fs["/etc/passwd"].data); !strings.Contains(pw, "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd: %q", pw)
	}
	if w := fs[WorkDir]; w.hdr == nil || w.hdr.Uid != UID || w.hdr.Typeflag != tar.TypeDir {
		t.Errorf("%s is not a directory owned by %d", WorkDir, UID)
	}
	if tmp := fs["/tmp"]; tmp.hdr == nil || tmp.hdr.Mode&0o1777 != 0o1777 {
		t.Error("/tmp is not world-writable with the sticky bit")
	}
	for name, e := range fs {
		if e.hdr.Typeflag == tar.TypeReg && name != BinaryPath && e.hdr.Mode&0o111 != 0 {
			t.Errorf("unexpected executable %s", name)
		}
		if e.hdr.ModTime.Unix() != created.Unix() {
			t.Errorf("%s has time %s, not the build's", name, e.hdr.ModTime)
		}
	}
	for _, shell := range []string{"/bin/sh", "/bin/bash", "/bin/busybox"} {
		if _, ok := fs[shell]; ok {
			t.Errorf("the image has %s", shell)
		}
	}

	// Same inputs, same digest.
	again, err := Build(opts)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := idx.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("two builds of the same binary: %s and %s", d1, d2)
	}

	// The image's own binary runs with the image's trust store and user
	// database layout (outside a container: the closest this test can get
	// without a runtime).
	root := t.TempDir()
	for _, p := range []string{BinaryPath, CAPath} {
		dst := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.WriteFile(dst, fs[p].data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(filepath.Join(root, BinaryPath), "audit", "--demo", "--format", "json")
	cmd.Env = []string{"SSL_CERT_FILE=" + filepath.Join(root, CAPath), "HOME=" + root}
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("the image's binary: audit --demo: %v (the demo tenant fails controls: want exit 1)", err)
	}
	var rep struct{ Results []json.RawMessage }
	if err := json.Unmarshal(out, &rep); err != nil || len(rep.Results) == 0 {
		t.Errorf("audit --demo output: %v", err)
	}

	runInContainer(t, img)
}

// runInContainer loads the image into a container runtime and runs the
// demo audit in it, where a runtime is running.
func runInContainer(t *testing.T, img v1.Image) {
	t.Run("container", func(t *testing.T) {
		if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
			t.Skipf("no container runtime to run the image in (docker info: %v: %s)", err, lastLine(string(out)))
		}
		tag := "tenantgate-image-test:" + time.Now().Format("20060102150405")
		tb := filepath.Join(t.TempDir(), "image.tar")
		ref, _ := name.NewTag(tag)
		if err := tarball.WriteToFile(tb, ref, img); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("docker", "load", "-i", tb).CombinedOutput(); err != nil {
			t.Fatalf("docker load: %v\n%s", err, out)
		}
		defer exec.Command("docker", "rmi", tag).Run()
		out, err := exec.Command("docker", "run", "--rm", tag, "audit", "--demo", "--format", "json").Output()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !bytes.Contains(out, []byte(`"results"`)) {
			t.Fatalf("docker run audit --demo: %v\n%s", err, out)
		}
		id, err := exec.Command("docker", "run", "--rm", "--entrypoint", BinaryPath, tag, "version").Output()
		if err != nil || !strings.Contains(string(id), "v9.9.9") && !strings.Contains(string(id), "tenantgate") {
			t.Errorf("version in the container: %q %v", id, err)
		}
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// checkStatic: an ELF executable without an interpreter or shared libraries.
func checkStatic(t *testing.T, data []byte) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("binary is not ELF: %v", err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("binary is dynamically linked (has an interpreter)")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("binary needs %v", libs)
	}
}

func hasRoot(t *testing.T, pemData []byte, cn string) bool {
	t.Helper()
	rest := pemData
	for {
		var block *pemBlock
		block, rest = decode(rest)
		if block == nil {
			return false
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil && c.Subject.CommonName == cn {
			return true
		}
	}
}

// TestBuildRejects: no binaries, or a platform that is not linux.
func TestBuildRejects(t *testing.T) {
	if _, err := Build(Options{}); err == nil {
		t.Error("no binaries: no error")
	}
	if _, err := Build(Options{Binaries: map[string]string{"windows/amd64": "x"}}); err == nil {
		t.Error("windows image: no error")
	}
}

// TestCABundle: every root parses; constrained roots are left out.
func TestCABundle(t *testing.T) {
	pemData, err := CABundle()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rest := pemData; ; {
		var b *pemBlock
		if b, rest = decode(rest); b == nil {
			break
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 100 {
		t.Errorf("%d roots", n)
	}
}

type pemBlock = pem.Block

func decode(b []byte) (*pem.Block, []byte) { return pem.Decode(b) }

// TestDockerfileMatches: the Dockerfile builds the same image as Build: a
// static, stamped binary at BinaryPath as entry point, user 65532, WorkDir,
// on a base with CA certificates and no shell.
func TestDockerfileMatches(t *testing.T) {
	raw, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	for _, want := range []string{
		"CGO_ENABLED=0 go build -trimpath",
		"-X github.com/tenantgate/tenantgate/internal/version.version=${VERSION}",
		"-X github.com/tenantgate/tenantgate/internal/version.commit=${COMMIT}",
		"-X github.com/tenantgate/tenantgate/internal/version.date=${DATE}",
		"FROM gcr.io/distroless/static-debian12:nonroot",
		"COPY --from=build /out/tenantgate " + BinaryPath,
		"USER " + User,
		"WORKDIR " + WorkDir,
		"ENV SSL_CERT_FILE=" + CAPath,
		`ENTRYPOINT ["` + BinaryPath + `"]`,
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	gomod, _ := os.ReadFile("../../go.mod")
	for _, l := range strings.Split(string(gomod), "\n") {
		if v, ok := strings.CutPrefix(l, "go "); ok && !strings.Contains(df, "ARG GO_VERSION="+v) {
			t.Errorf("Dockerfile's GO_VERSION is not go.mod's %s", v)
		}
	}
}
