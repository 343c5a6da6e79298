// Package policies embeds the Rego that implements every control and every
// hunt detection. The control catalog (id, title, severity, licenses,
// sources, remediation) and the detection catalog (id, title, severity,
// ATT&CK technique, prefilter, response) live only in each package's
// METADATA; Go, reports and docs read them from there. Each command compiles
// only what its entry points reach (engine.Modules).
package policies

import "embed"

// FS holds the policies and their tests.
//
//go:embed lib ca app auth id log dev hunt starter
var FS embed.FS
