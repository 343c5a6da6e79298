// Package policies embeds the Rego that implements every control. The control
// catalog (id, title, severity, licenses, sources, remediation) lives only in
// each control's package METADATA; Go, reports and docs read it from there.
package policies

import "embed"

// FS holds the policies and their tests.
//
//go:embed lib ca app auth id log dev
var FS embed.FS
