package main

import "github.com/tenantgate/tenantgate/internal/cli"

// live returns the Graph-backed implementation of cli.Live. Until the
// collector lands it is nil and live commands say so.
func live() cli.Live { return nil }
