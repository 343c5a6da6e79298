package engine

import (
	"context"
	"errors"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Retention is what the tenant keeps, as TG.LOG.1 and TG.LOG.3 compute it
// from its licences and the baseline's licence map.
type Retention struct {
	SignInDays    int    `json:"signInDays"` // Entra sign-in and audit logs (built in)
	SignInLicense string `json:"signInLicense"`
	UALDays       int    `json:"ualDays"` // unified audit log; 0 without an Audit licence
	UALLicense    string `json:"ualLicense"`
	Known         bool   `json:"known"` // false when subscribedSkus is unread
}

// Retention evaluates the policies' retention rule (lib/logs.rego): one rule
// set for the controls and for evidence's warning.
func (e *Engine) Retention(ctx context.Context, s *snapshot.Snapshot, b *baseline.Baseline) (Retention, error) {
	var r Retention
	ok, err := e.evalJSON(ctx, "retention", "data.tenantgate.lib.logs.retention", s, b, &r)
	if err == nil && !ok {
		err = errors.New("lib.logs.retention is undefined")
	}
	return r, err
}
