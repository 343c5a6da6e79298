// Package incident is the talk's incident as data: one scenario (Johanna's AiTM
// compromise at Sunnyside Trading, a second victim seen from the attacker's
// address, the responder's containment, and a tenant of ordinary noise) written
// out in every export shape a responder downloads (Entra portal CSVs, Graph JSON
// pages, Search-UnifiedAuditLog and Purview CSVs, Graph audit log query records,
// JSON Lines), deterministically from a seed.
//
// The shapes follow the real exports kept in ../testdata/real (see its
// manifest.json and docs/hunt-inputs.md); where no capture exists the writer
// follows Microsoft's documentation and says so in a comment.
package incident
