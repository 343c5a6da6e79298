// Package baselines embeds the YAML baselines shipped with tenantgate.
package baselines

import "embed"

// FS holds the shipped baselines.
//
//go:embed *.yaml
var FS embed.FS
