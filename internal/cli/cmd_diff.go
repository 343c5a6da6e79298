package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/diff"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

func init() { register(newDiffCmd) }

// diffAuditor is the HOOK that gives a diff of two snapshots its control
// verdicts: it returns the function that audits one snapshot with the
// baseline at baselinePath ("" = the default baseline). Set it to nil and a
// snapshot diff compares settings only; tests replace it with a fake.
var diffAuditor = engineAuditor

// engineAuditor audits with the embedded Rego policies, once per snapshot,
// as of the snapshot's collection time so that waiver expiry is judged the
// way an audit on that day judged it and the diff is reproducible.
func engineAuditor(ctx context.Context, baselinePath string) (func(*snapshot.Snapshot) (*report.Report, error), error) {
	b, eng, err := loadPolicies(ctx, baselinePath, false)
	if err != nil {
		return nil, err
	}
	return func(s *snapshot.Snapshot) (*report.Report, error) {
		return eng.Evaluate(ctx, s, b, s.CollectedAt)
	}, nil
}

func newDiffCmd(app *App) *cobra.Command {
	var format, baselinePath string
	var settingsOnly bool
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "Compare two snapshots or audit results: changes, regressions",
		Long: `Compare two snapshots (tenantgate collect) or two audit results (audit --format
json) of a tenant, for periodic posture checks.

For audit results: the controls whose status changed, as regressed, improved
or changed. A control regresses when it moves to fail or not_assessed, or
leaves pass (pass -> not_licensed means a lost license turned a defense off;
pass -> waived means it now fails); it improves when it moves to pass; other
moves (fail -> waived, fail -> not_licensed) are neutral changes.

For snapshots: both are audited with the baseline (--baseline, default the
embedded one) and compared as above, and the Conditional Access policies,
named locations and tenant settings are compared by id: added, removed, state
changed and field-level changes (JSON paths, old -> new). A source collected
in one snapshot but not the other is reported as such, its data not compared.

Exit codes: 0 no regression; 1 at least one control regressed; 2 an input is
unreadable, invalid, or the two are not of the same kind.`,
		Example: `  tenantgate diff last-week.json today.json
  tenantgate diff --format json result-2026-04.json result-2026-05.json
  tenantgate diff --baseline contoso.yaml snapshot-old.json snapshot-new.json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usagef("unknown --format %q (want text or json)", format)
			}
			oldIn, err := diff.Load(args[0])
			if err != nil {
				return err
			}
			newIn, err := diff.Load(args[1])
			if err != nil {
				return err
			}
			var opts diff.Options
			if oldIn.Kind == diff.KindSnapshot && newIn.Kind == diff.KindSnapshot && diffAuditor != nil && !settingsOnly {
				if opts.Audit, err = diffAuditor(cmd.Context(), baselinePath); err != nil {
					return err
				}
			} else if baselinePath != "" && oldIn.Kind == diff.KindReport {
				return usagef("--baseline applies to snapshots; audit results already carry their verdicts")
			}
			res, err := diff.Compare(oldIn, newIn, opts)
			if err != nil {
				return err
			}
			if format == "json" {
				err = res.WriteJSON(app.Stdout)
			} else {
				err = res.WriteText(app.Stdout)
			}
			if err != nil {
				return err
			}
			if res.Regressed() {
				return &ExitError{Code: report.ExitGate}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "output format: text or json")
	f.StringVar(&baselinePath, "baseline", "", "baseline YAML to audit snapshots with (default: the embedded aitm-defense baseline)")
	f.BoolVar(&settingsOnly, "settings-only", false, "for snapshots: compare settings only, not control verdicts")
	return cmd
}
