package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { register(newApplyCmd) }

type applyOptions struct {
	plan      string
	snapshot  string
	baseline  string
	templates string
	yes       bool
	format    string
	conn      conn.Options
}

func newApplyCmd(app *App) *cobra.Command {
	o := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Create the planned Conditional Access policies, in report-only mode only",
		Long: `Create the Conditional Access policies of the plan (see 'tenantgate plan'), each
in report-only mode (enabledForReportingButNotEnforced) and excluding every
break-glass account. apply re-reads the tenant's policies right before creating
anything, never creates a policy whose name already exists, and never updates or
deletes anything.

Without --plan it audits first (live, or --snapshot for the audit while the
policies are still re-read live). With --plan it applies a saved plan and refuses
when the tenant's policies changed since the plan was made.

It creates only with --yes, or after you type "yes" at the prompt on a terminal.

Each policy is sent at most once: a create is never retried. When its answer is
lost or an error that leaves the outcome open (a gateway 504, 503 or 429, a
dropped connection), apply re-reads the policies and reports by the policy's
display name whether it was created ("created ... confirmed after HTTP 504"),
not created, or unknown (check the portal). After a 403 it stops and names the
missing permission.

Exit codes: 0 every policy created or already there; 2 refused (no or unknown
break-glass accounts, stale or invalid plan, no confirmation); 4 a policy was not
created or its outcome is unknown, or Graph could not be reached.`,
		Example: `  tenantgate plan --tenant contoso.onmicrosoft.com --output plan.json
  tenantgate apply --tenant contoso.onmicrosoft.com --plan plan.json --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runApply(cmd, app, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.plan, "plan", "", "apply this saved plan (from plan --output)")
	f.StringVar(&o.snapshot, "snapshot", "", "take the audit from a saved snapshot (policies are still re-read live)")
	f.StringVar(&o.baseline, "baseline", "", "baseline YAML (default: the embedded aitm-defense baseline)")
	f.StringVar(&o.templates, "templates", "", "directory of policy templates that add to or replace the embedded ones")
	f.BoolVarP(&o.yes, "yes", "y", false, "create without asking")
	f.StringVarP(&o.format, "format", "f", "text", "output format of the outcome: text or json")
	addConnFlags(cmd, &o.conn)
	return cmd
}

func runApply(cmd *cobra.Command, app *App, o *applyOptions) error {
	ctx := cmd.Context()
	if o.plan != "" && (o.snapshot != "" || o.templates != "" || o.baseline != "") {
		return usagef("--plan is exclusive with --snapshot, --baseline and --templates: the plan already holds their result")
	}
	if o.conn.TenantID == "" && o.conn.GraphEndpoint == "" {
		return usagef("apply needs a tenant: --tenant ID (or $AZURE_TENANT_ID)")
	}
	if _, _, err := o.conn.Resolve(); err != nil {
		return usageError{err}
	}
	var p *apply.Plan
	var err error
	checkState := false
	if o.plan != "" {
		if p, err = apply.LoadPlan(o.plan); err != nil {
			return err
		}
		checkState = true
	} else if p, err = buildPlan(ctx, app, subjectOptions{snapshot: o.snapshot, baseline: o.baseline, conn: o.conn}, o.templates); err != nil {
		return err
	}
	apply.WriteText(app.Stderr, p, false)
	if p.Blocked != "" {
		return &ExitError{Code: report.ExitInput, Err: &apply.BlockedError{Reason: p.Blocked}}
	}
	if len(p.Create) == 0 {
		fmt.Fprintln(app.Stderr, "\nNothing to create.")
		return nil
	}
	if !o.yes {
		ok, err := confirm(app, len(p.Create), p)
		if err != nil {
			return err
		}
		if !ok {
			return &ExitError{Code: report.ExitInput, Err: errors.New("not applied: nothing was created")}
		}
	}
	if app.Live == nil {
		return &ExitError{Code: report.ExitRuntime, Err: errors.New("this build of tenantgate has no live Graph support")}
	}
	o.conn.Log = app.Stderr
	client, err := app.Live.CAClient(ctx, o.conn)
	if err != nil {
		return &ExitError{Code: report.ExitRuntime, Err: err}
	}
	out, err := apply.Apply(ctx, client, p, apply.Options{CheckState: checkState})
	var stale *apply.StaleError
	var blocked *apply.BlockedError
	switch {
	case errors.As(err, &stale), errors.As(err, &blocked):
		return &ExitError{Code: report.ExitInput, Err: err}
	case err != nil:
		return &ExitError{Code: report.ExitRuntime, Err: err}
	}
	failed := 0
	for _, r := range out {
		if !r.OK() {
			failed++
		}
	}
	if o.format == "json" {
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"tenant": p.Tenant, "outcomes": out}); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(app.Stdout)
		line := textsafe.Line // names and Graph's messages, on one inert line
		for _, r := range out {
			switch r.Status {
			case apply.Created:
				note := ""
				if r.Note != "" {
					note = "; " + r.Note
				}
				fmt.Fprintf(app.Stdout, "created  %s  %s  (id %s, report-only%s)\n", r.Control, line(r.DisplayName), line(r.ID), line(note))
			case apply.Exists:
				fmt.Fprintf(app.Stdout, "exists   %s  %s  (already existed; not created again)\n", r.Control, line(r.DisplayName))
			case apply.Unknown:
				fmt.Fprintf(app.Stdout, "UNKNOWN  %s  %s: %s\n", r.Control, line(r.DisplayName), line(r.Error))
			case apply.NotAttempted:
				fmt.Fprintf(app.Stdout, "SKIPPED  %s  %s: %s\n", r.Control, line(r.DisplayName), line(r.Error))
			default:
				fmt.Fprintf(app.Stdout, "FAILED   %s  %s: %s\n", r.Control, line(r.DisplayName), line(r.Error))
			}
		}
		if failed == 0 {
			fmt.Fprintln(app.Stdout, "\nNext: watch the report-only results in the sign-in logs (Conditional Access > report-only tab) for a week or two, fix what would break, then switch each policy to On yourself.")
		}
	}
	if failed > 0 {
		return &ExitError{Code: report.ExitRuntime, Err: fmt.Errorf("%d of %d policies were not created (or not confirmed); see above", failed, len(out))}
	}
	return nil
}

// confirm asks on a terminal; elsewhere --yes is required.
func confirm(app *App, n int, p *apply.Plan) (bool, error) {
	if !app.terminal(app.Stdin) {
		return false, usagef("apply creates policies only with --yes when not run on a terminal")
	}
	fmt.Fprintf(app.Stderr, "\nCreate %d report-only Conditional Access policies in %s? Type yes to continue: ", n, p.Tenant.ID)
	line, err := bufio.NewReader(app.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	return strings.TrimSpace(strings.ToLower(line)) == "yes", nil
}
