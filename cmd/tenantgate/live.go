package main

import (
	"context"

	"github.com/tenantgate/tenantgate/internal/cli"
	"github.com/tenantgate/tenantgate/internal/collect"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/evidence"
	"github.com/tenantgate/tenantgate/internal/evidence/bundle"
)

// liveImpl is the Graph-backed implementation of cli.Live (collect, apply)
// and cli.EvidenceLive (evidence).
type liveImpl struct {
	collect.Live
	ev evidence.Live
}

func (l liveImpl) Evidence(ctx context.Context, opts conn.Options, job bundle.Job) (*bundle.Manifest, error) {
	return l.ev.Evidence(ctx, opts, job)
}

// live returns the Graph-backed implementation of cli.Live. Only this package
// and internal/collect (with internal/evidence, which uses its transport)
// link msgraph-sdk-go, so the CLI package and its tests build without it.
func live() cli.Live { return liveImpl{} }
