// Command mkimage builds tenantgate's container image from static binaries,
// without a Docker daemon (internal/image), and writes it as an OCI layout,
// a `docker load` tarball, and/or pushes it to a registry.
//
//	go run ./tools/mkimage -binary linux/amd64=bin/linux_amd64/tenantgate \
//	    -binary linux/arm64=bin/linux_arm64/tenantgate \
//	    -version v1.2.3 -revision $(git rev-parse HEAD) -created 2026-11-29T10:00:00Z \
//	    -layout out/image -tarball out/tenantgate-image.tar [-push ghcr.io/tenantgate/tenantgate:v1.2.3]
//
// `make image` runs it on freshly built binaries (docs/releasing.md).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/tenantgate/tenantgate/internal/image"
)

type binaries map[string]string

func (b binaries) String() string { return fmt.Sprint(map[string]string(b)) }
func (b binaries) Set(s string) error {
	plat, path, ok := strings.Cut(s, "=")
	if !ok || plat == "" || path == "" {
		return fmt.Errorf("want PLATFORM=PATH, e.g. linux/amd64=bin/tenantgate")
	}
	b[plat] = path
	return nil
}

func main() {
	bins := binaries{}
	flag.Var(bins, "binary", "PLATFORM=PATH of a static linux binary (repeatable)")
	version := flag.String("version", "dev", "image version label")
	revision := flag.String("revision", "", "git commit label")
	created := flag.String("created", "", "RFC 3339 creation time (default: now); use the commit date for reproducible digests")
	source := flag.String("source", "https://github.com/tenantgate/tenantgate", "source repository label")
	layoutDir := flag.String("layout", "", "write the multi-platform image as an OCI layout here")
	tarPath := flag.String("tarball", "", "write the image of -tarball-platform as a `docker load` tarball here")
	tarPlat := flag.String("tarball-platform", "linux/"+runtime.GOARCH, "platform of the -tarball image")
	tag := flag.String("tag", "tenantgate:dev", "reference recorded in the tarball")
	push := flag.String("push", "", "push the multi-platform image to this reference (uses the docker credential helpers)")
	flag.Parse()
	if err := run(bins, *version, *revision, *created, *source, *layoutDir, *tarPath, *tarPlat, *tag, *push); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run(bins binaries, version, revision, created, source, layoutDir, tarPath, tarPlat, tag, push string) error {
	t := time.Now().UTC().Truncate(time.Second)
	if created != "" {
		var err error
		if t, err = time.Parse(time.RFC3339, created); err != nil {
			return fmt.Errorf("-created: %w", err)
		}
	}
	idx, err := image.Build(image.Options{Binaries: bins, Version: version, Revision: revision, Created: t, Source: source})
	if err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	fmt.Printf("image index %s (%d platforms)\n", digest, len(bins))
	if layoutDir != "" {
		p, err := layout.Write(layoutDir, empty.Index)
		if err != nil {
			return err
		}
		if err := p.AppendIndex(idx); err != nil {
			return err
		}
		fmt.Println("OCI layout:", layoutDir)
	}
	if tarPath != "" {
		img, err := imageFor(idx, tarPlat)
		if err != nil {
			return err
		}
		ref, err := name.NewTag(tag)
		if err != nil {
			return err
		}
		if err := tarball.WriteToFile(tarPath, ref, img); err != nil {
			return err
		}
		fmt.Printf("docker load -i %s   # %s, %s\n", tarPath, tag, tarPlat)
	}
	if push != "" {
		ref, err := name.ParseReference(push)
		if err != nil {
			return err
		}
		if err := remote.WriteIndex(ref, idx, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
			return err
		}
		fmt.Println("pushed", ref)
	}
	return nil
}

// imageFor picks one platform's image from the index.
func imageFor(idx v1.ImageIndex, platform string) (v1.Image, error) {
	want, err := v1.ParsePlatform(platform)
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.OS == want.OS && d.Platform.Architecture == want.Architecture {
			return idx.Image(d.Digest)
		}
	}
	return nil, fmt.Errorf("no %s image in the index", platform)
}
