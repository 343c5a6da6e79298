// Package release holds the tests of how tenantgate is distributed: the
// GoReleaser configuration (.goreleaser.yaml), a binary stamped the way
// releases stamp it, and `go install github.com/tenantgate/tenantgate/cmd/tenantgate@vX.Y.Z`
// through a module proxy built from a tagged copy of the repository. The
// package has no code of its own; docs/releasing.md describes the release.
package release
