package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/safefile"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { register(newPlanCmd) }

type planOptions struct {
	demo      bool
	snapshot  string
	baseline  string
	templates string
	format    string
	output    string
	conn      conn.Options
}

func newPlanCmd(app *App) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "List the report-only CA policies apply would create",
		Long: `Audit the tenant and list, for every failed control TG.CA.1-7, TG.CA.10 and
TG.CA.11 the tenant is licensed for, the Conditional Access policy apply would
create: the control it closes, the exact Graph request body, and the warnings
to read first. It also says what will not be created and why, and the manual
steps for failed controls apply never touches (consent, logs, authentication
methods, enrollment notifications, trusted locations to fix).

Every policy is created in report-only mode (enabledForReportingButNotEnforced)
and excludes the baseline's break-glass accounts. Templates are embedded;
--templates DIR adds or replaces them (one JSON file per policy).`,
		Example: `  tenantgate plan --demo
  tenantgate plan --snapshot tenant.json --baseline mine.yaml --output plan.json
  tenantgate plan --tenant contoso.onmicrosoft.com --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutputs([]output{{format: "plan", path: o.output}}); err != nil {
				return err
			}
			p, _, err := buildPlan(cmd.Context(), app, subjectOptions{demo: o.demo, snapshot: o.snapshot, baseline: o.baseline, conn: o.conn}, o.templates)
			if err != nil {
				return err
			}
			write := func(w io.Writer) error {
				switch o.format {
				case "json":
					return apply.WritePlan(w, p)
				default:
					apply.WriteText(w, p, true, app.width())
					return nil
				}
			}
			if o.output != "" {
				// The plan file is JSON whatever the screen shows.
				if err := safefile.WriteOutput(o.output, safefile.Private, func(w io.Writer) error { return apply.WritePlan(w, p) }); err != nil {
					return fmt.Errorf("write plan: %w", err)
				}
				if o.format == "json" {
					return nil
				}
				apply.WriteText(app.Stdout, p, false, app.width())
				fmt.Fprintf(app.Stdout, "\n%s\n%s\n", textcol.Indent("Saved the plan to "+textsafe.Line(o.output)+". Review it, then apply it with:", app.width(), 0),
					shellCommand(applyArgs(cmd, o, p), app.width()))
				return nil
			}
			return write(app.Stdout)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.demo, "demo", false, "plan for the embedded demo tenant")
	f.StringVar(&o.snapshot, "snapshot", "", "plan from a saved snapshot instead of collecting live")
	f.StringVar(&o.baseline, "baseline", "", "baseline YAML (default: the embedded aitm-defense baseline)")
	f.StringVar(&o.templates, "templates", "", "directory of policy templates (JSON) that add to or replace the embedded ones")
	f.StringVarP(&o.format, "format", "f", "text", "output format: text or json")
	f.StringVarP(&o.output, "output", "o", "", "write the plan file (JSON) here, for apply --plan")
	addConnFlags(cmd, &o.conn)
	return withTimeout(cmd)
}

// applyArgs is the apply command that takes the saved plan, with the
// connection flags plan was given, so it runs as printed (against an emulator
// or a national cloud too). A plan made from a snapshot names its tenant;
// apply always needs the baseline's break-glass accounts.
func applyArgs(cmd *cobra.Command, o *planOptions, p *apply.Plan) []string {
	b := o.baseline
	if b == "" {
		b = "BASELINE.yaml" // the embedded baseline names no break-glass account
	}
	args := []string{"tenantgate", "apply"}
	live := false
	for _, name := range []string{"tenant", "cloud", "auth", "client-id", "certificate", "graph-endpoint"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			args = append(args, "--"+name, textsafe.Line(f.Value.String()))
			live = live || name == "tenant" || name == "graph-endpoint"
		}
	}
	if !live && o.snapshot != "" && p.Tenant.ID != "" {
		args = append(args, "--tenant", textsafe.Line(p.Tenant.ID))
	}
	return append(args, "--plan", textsafe.Line(o.output), "--baseline", textsafe.Line(b))
}

// buildPlan audits the subject and plans from it; it also returns the
// baseline, whose break-glass accounts apply resolves live.
func buildPlan(ctx context.Context, app *App, src subjectOptions, templates string) (*apply.Plan, *baseline.Baseline, error) {
	tpls, err := apply.LoadTemplates(templates)
	if err != nil {
		return nil, nil, err
	}
	sub, err := loadSubject(ctx, app, src)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	rep, err := sub.eng.Evaluate(ctx, sub.snap, sub.baseline, now)
	if err != nil {
		return nil, nil, err
	}
	p, err := apply.Build(rep, sub.snap, sub.baseline, tpls, now)
	if err != nil {
		return nil, nil, err
	}
	// A policy relying on a trusted location the policies judge insane
	// cannot close its control: the plan says so rather than promise it.
	locs, err := sub.eng.InsaneTrustedLocations(ctx, sub.snap, sub.baseline)
	if err != nil {
		return nil, nil, err
	}
	p.MarkInsaneLocations(locs)
	return p, sub.baseline, nil
}
