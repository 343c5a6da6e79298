// Package demo embeds the demo tenant (a Japanese trading company, "Sunnyside
// Trading", on Microsoft 365 E3) and its baseline, so audit --demo and the
// Graph emulator work without a tenant. tenant.json keeps every object in the
// exact shape Graph returns: the emulator serves it to the real SDK collector.
package demo

import (
	"embed"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

//go:embed tenant.json baseline.yaml
var files embed.FS

// Snapshot returns the demo tenant's snapshot, parsed and validated.
func Snapshot() (*snapshot.Snapshot, error) {
	return snapshot.Parse("demo tenant", SnapshotJSON())
}

// SnapshotJSON returns the demo snapshot as stored (a fresh copy per call).
func SnapshotJSON() []byte {
	return mustRead("tenant.json")
}

// Baseline returns the demo baseline: the demo tenant's break-glass accounts,
// everything else inherited from the default baseline.
func Baseline() (*baseline.Baseline, error) {
	return baseline.Parse("demo baseline", mustRead("baseline.yaml"))
}

// mustRead panics only if the embed directive and the names drift apart,
// which the package tests catch.
func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("demo: " + err.Error())
	}
	return b
}
