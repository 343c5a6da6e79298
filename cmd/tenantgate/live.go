package main

import (
	"github.com/tenantgate/tenantgate/internal/cli"
	"github.com/tenantgate/tenantgate/internal/collect"
)

// live returns the Graph-backed implementation of cli.Live. Only this package
// and internal/collect (later internal/apply) link msgraph-sdk-go, so the CLI
// package and its tests build without it.
func live() cli.Live { return collect.Live{} }
