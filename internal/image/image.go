// Package image builds tenantgate's container image without a Docker daemon:
// from an empty image, with go-containerregistry, one image per platform in
// a multi-platform index. The image holds only what the static binary needs:
//
//	/usr/local/bin/tenantgate            the binary (entrypoint)
//	/etc/ssl/certs/ca-certificates.crt   Mozilla's root CAs, from golang.org/x/crypto/x509roots/fallback
//	/etc/passwd, /etc/group              root and nonroot (65532), as distroless has them
//	/work                                working directory, owned by nonroot
//	/tmp                                 world-writable, sticky
//
// It runs as nonroot (65532:65532), has no shell and no package manager, and
// its layers carry fixed timestamps (the commit date), so the same binary
// gives the same digest. The Dockerfile at the repository root builds an
// equivalent image on distroless/static for those who use Docker.
package image

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// Paths and identity inside the image.
const (
	BinaryPath = "/usr/local/bin/tenantgate"
	CAPath     = "/etc/ssl/certs/ca-certificates.crt"
	WorkDir    = "/work"
	UID        = 65532
	User       = "65532:65532"
)

// Options describe one build.
type Options struct {
	// Binaries maps a platform ("linux/amd64", "linux/arm64") to the static
	// tenantgate binary built for it.
	Binaries map[string]string
	Version  string    // org.opencontainers.image.version
	Revision string    // org.opencontainers.image.revision (commit)
	Created  time.Time // layer and config time; the commit date for reproducible digests
	Source   string    // org.opencontainers.image.source
}

// Build returns the multi-platform index.
func Build(o Options) (v1.ImageIndex, error) {
	if len(o.Binaries) == 0 {
		return nil, fmt.Errorf("no binaries")
	}
	base, err := baseLayer(o.Created)
	if err != nil {
		return nil, err
	}
	platforms := make([]string, 0, len(o.Binaries))
	for p := range o.Binaries {
		platforms = append(platforms, p)
	}
	sort.Strings(platforms)
	var adds []mutate.IndexAddendum
	for _, p := range platforms {
		plat, err := v1.ParsePlatform(p)
		if err != nil || plat.OS != "linux" {
			return nil, fmt.Errorf("platform %q: want linux/<arch>", p)
		}
		img, err := Image(o, base, *plat, o.Binaries[p])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: plat}})
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	return mutate.AppendManifests(idx, adds...), nil
}

// Image builds the image of one platform on the shared base layer.
func Image(o Options, base v1.Layer, plat v1.Platform, binary string) (v1.Image, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return nil, fmt.Errorf("read binary: %w", err)
	}
	binLayer, err := layer(o.Created, []file{{name: BinaryPath, mode: 0o755, data: bin}})
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	if img, err = mutate.AppendLayers(img, base, binLayer); err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = plat.OS, plat.Architecture, plat.Variant
	cf.Created = v1.Time{Time: o.Created}
	cf.Author = "tenantgate"
	cf.Config = v1.Config{
		Entrypoint: []string{BinaryPath},
		Cmd:        []string{"--help"},
		User:       User,
		WorkingDir: WorkDir,
		Env: []string{
			"PATH=/usr/local/bin",
			"SSL_CERT_FILE=" + CAPath,
			"HOME=/home/nonroot",
		},
		Labels: labels(o),
	}
	return mutate.ConfigFile(img, cf)
}

// labels are the OCI annotations, also set on the config so `docker inspect` shows them.
func labels(o Options) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":       "tenantgate",
		"org.opencontainers.image.description": "Audits a Microsoft 365 / Entra ID tenant against the defenses that stop AiTM phishing and business e-mail compromise",
		"org.opencontainers.image.licenses":    "Apache-2.0",
		"org.opencontainers.image.version":     o.Version,
		"org.opencontainers.image.revision":    o.Revision,
		"org.opencontainers.image.source":      o.Source,
		"org.opencontainers.image.created":     o.Created.UTC().Format(time.RFC3339),
	}
	for k, v := range l {
		if v == "" {
			delete(l, k)
		}
	}
	return l
}

// BaseLayer is the layer every platform shares: users, CA roots, directories.
func baseLayer(created time.Time) (v1.Layer, error) {
	ca, err := CABundle()
	if err != nil {
		return nil, err
	}
	return layer(created, []file{
		{name: "/etc/", mode: 0o755, dir: true},
		{name: "/etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "/etc/group", mode: 0o644, data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{name: "/etc/ssl/", mode: 0o755, dir: true},
		{name: "/etc/ssl/certs/", mode: 0o755, dir: true},
		{name: CAPath, mode: 0o644, data: ca},
		{name: "/home/", mode: 0o755, dir: true},
		{name: "/home/nonroot/", mode: 0o700, dir: true, uid: UID},
		{name: "/tmp/", mode: 0o1777, dir: true},
		{name: "/usr/", mode: 0o755, dir: true},
		{name: "/usr/local/", mode: 0o755, dir: true},
		{name: "/usr/local/bin/", mode: 0o755, dir: true},
		{name: WorkDir + "/", mode: 0o755, dir: true, uid: UID},
	})
}

// CABundle is the PEM file of the trusted roots: Mozilla's program as
// golang.org/x/crypto/x509roots/fallback ships it (pinned in go.mod, so the
// image's trust store changes only with a reviewed dependency update). Roots
// that bundle marks with extra constraints (a distrust-after date) are left
// out: a PEM file cannot carry the constraint, and trusting them without it
// would be wider than Mozilla's decision.
func CABundle() ([]byte, error) {
	var buf bytes.Buffer
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		if err := pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate}); err != nil {
			return nil, err
		}
	}
	if buf.Len() == 0 {
		return nil, fmt.Errorf("no CA roots")
	}
	return buf.Bytes(), nil
}

type file struct {
	name string
	mode int64
	data []byte
	dir  bool
	uid  int
}

// layer writes files into an uncompressed tar (owner root unless uid is
// set, mtime created) and wraps it as a gzip layer.
func layer(created time.Time, files []file) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{
			Name: strings.TrimPrefix(f.name, "/"), Mode: f.mode, ModTime: created,
			Uid: f.uid, Gid: f.uid, Format: tar.FormatPAX,
		}
		if f.dir {
			h.Typeflag = tar.TypeDir
			h.Name = path.Clean(h.Name) + "/"
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
