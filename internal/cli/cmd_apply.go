package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textcol"
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
		Short: "Create the planned policies, in report-only mode only",
		Long: `Create the Conditional Access policies of the plan (see 'tenantgate plan'), each
in report-only mode (enabledForReportingButNotEnforced) and excluding every
break-glass account. apply re-reads the tenant's policies right before creating
anything, never creates a policy whose name already exists, and never updates or
deletes anything.

Without --plan it audits first (live, or --snapshot for the audit while the
policies are still re-read live). With --plan it applies a saved plan and
refuses when the tenant's policies changed since the plan was made; --baseline
must then name the baseline the plan was made with.

Before showing the plan it checks, and refuses otherwise: the credential reaches
the tenant the plan or snapshot was made for (read from GET /organization); the
baseline's break-glass accounts exist in that tenant; every body is report-only
and excludes each of them by its id there (a plan file's own break-glass list
and item names are never trusted; a file with a key given twice is invalid).

It creates only with --yes, or after you type "yes" at the prompt on a terminal.

Each policy is sent at most once: a create is never retried. When its answer is
lost or an error that leaves the outcome open (a gateway 504, 503 or 429, a
dropped connection), apply re-reads the policies and reports by the policy's
display name whether it was created ("created ... confirmed after HTTP 504"),
not created, or unknown (check the portal). After a 403 it stops and names the
missing permission.

Exit codes: 0 every policy created or already there; 2 refused (no or unknown
break-glass accounts, another tenant, stale or invalid plan, no confirmation);
4 a policy was not created or its outcome is unknown, or Graph could not be
reached (the organization included).`,
		Example: `  tenantgate plan --tenant contoso.onmicrosoft.com --output plan.json
  tenantgate apply --tenant contoso.onmicrosoft.com --plan plan.json \
    --baseline mine.yaml --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runApply(cmd, app, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.plan, "plan", "", "apply this saved plan (from plan --output)")
	f.StringVar(&o.snapshot, "snapshot", "", "take the audit from a saved snapshot (policies are still re-read live)")
	f.StringVar(&o.baseline, "baseline", "", "baseline YAML (default: the embedded aitm-defense baseline; with --plan: required, the plan's baseline)")
	f.StringVar(&o.templates, "templates", "", "directory of policy templates that add to or replace the embedded ones")
	f.BoolVarP(&o.yes, "yes", "y", false, "create without asking")
	f.StringVarP(&o.format, "format", "f", "text", "output format of the outcome: text or json")
	addConnFlags(cmd, &o.conn)
	return withTimeout(cmd)
}

func runApply(cmd *cobra.Command, app *App, o *applyOptions) error {
	ctx := cmd.Context()
	if o.plan != "" && (o.snapshot != "" || o.templates != "") {
		return usagef("--plan is exclusive with --snapshot and --templates: the plan already holds their result")
	}
	if o.plan != "" && o.baseline == "" {
		return usagef("apply --plan needs --baseline FILE, the baseline the plan was made with: apply resolves its break-glass accounts in the tenant, never from the plan file")
	}
	if o.conn.TenantID == "" && o.conn.GraphEndpoint == "" {
		return usagef("apply needs a tenant: --tenant ID (or $AZURE_TENANT_ID)")
	}
	if _, _, err := o.conn.Resolve(); err != nil {
		return usageError{err}
	}
	var p *apply.Plan
	var b *baseline.Baseline
	var err error
	checkState := false
	if o.plan != "" {
		if p, err = apply.LoadPlan(o.plan); err != nil {
			return err
		}
		if b, err = loadBaseline(o.baseline, false); err != nil {
			return err
		}
		if p.Baseline.Name != b.Name || p.Baseline.Version != b.Version {
			return inputerr.New(o.baseline, "baseline %s %s, but the plan %s was made with baseline %s %s", b.Name, b.Version, o.plan, p.Baseline.Name, p.Baseline.Version)
		}
		checkState = true
	} else if p, b, err = buildPlan(ctx, app, subjectOptions{snapshot: o.snapshot, baseline: o.baseline, conn: o.conn}, o.templates); err != nil {
		return err
	}
	// refuse states why nothing is created, before the plan it concerns.
	refuse := func(code int, err error) error {
		fmt.Fprintf(app.Stderr, "tenantgate: %s\n\n", textsafe.Line(err.Error()))
		apply.WriteText(app.Stderr, p, false, app.width())
		return &ExitError{Code: code}
	}
	if p.Blocked != "" {
		return refuse(report.ExitInput, &apply.BlockedError{Reason: p.Blocked})
	}
	if len(p.Create) == 0 {
		apply.WriteText(app.Stderr, p, false, app.width())
		return nil
	}
	if app.Live == nil {
		return &ExitError{Code: report.ExitRuntime, Err: errors.New("this build of tenantgate has no live Graph support")}
	}
	o.conn.Log = app.Stderr
	client, err := app.Live.CAClient(ctx, o.conn)
	if err != nil {
		return &ExitError{Code: report.ExitRuntime, Err: err}
	}
	opts := apply.Options{CheckState: checkState, BreakGlass: b.BreakGlass}
	// Every check before the plan is shown and confirmed: a plan apply
	// would refuse is not offered for confirmation.
	pending, err := apply.Check(ctx, client, p, opts)
	switch {
	case refusal(err):
		return refuse(report.ExitInput, err)
	case err != nil:
		return &ExitError{Code: report.ExitRuntime, Err: err}
	case len(pending) == 0:
		fmt.Fprintln(app.Stderr, textcol.Indent(fmt.Sprintf("Already applied: the %d policies of the plan exist in %s; nothing to create.", len(p.Create), textsafe.Line(p.TenantLabel())), app.width(), 0))
		return nil
	}
	apply.WriteText(app.Stderr, p, false, app.width())
	if !o.yes {
		ok, err := confirm(ctx, app, len(pending), p)
		if err != nil {
			return err
		}
		if !ok {
			return &ExitError{Code: report.ExitInput, Err: errors.New("not applied: nothing was created")}
		}
	}
	out, err := apply.Apply(ctx, client, p, opts)
	switch {
	case refusal(err):
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
		enc := json.NewEncoder(textsafe.JSONWriter(app.Stdout))
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"tenant": p.Tenant, "outcomes": out}); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(app.Stdout)
		line := textsafe.Line // names and Graph's messages, on one inert line
		width := app.width()
		// Each outcome: its status and control, then the policy's name and
		// what happened, continued under the name.
		say := func(status, control, text string) {
			prefix := fmt.Sprintf("%-8s %-9s", status, control)
			fmt.Fprintf(app.Stdout, "%s%s\n", prefix, textcol.Indent(text, width, len(prefix)))
		}
		for _, r := range out {
			switch r.Status {
			case apply.Created:
				note := ""
				if r.Note != "" {
					note = "; " + r.Note
				}
				say("created", r.Control, fmt.Sprintf("%s (id %s, report-only%s)", line(r.DisplayName), line(r.ID), line(note)))
			case apply.Exists:
				say("exists", r.Control, line(r.DisplayName)+" (already existed; not created again)")
			case apply.Unknown:
				say("UNKNOWN", r.Control, line(r.DisplayName)+": "+line(r.Error))
			case apply.NotAttempted:
				say("SKIPPED", r.Control, line(r.DisplayName)+": "+line(r.Error))
			default:
				say("FAILED", r.Control, line(r.DisplayName)+": "+line(r.Error))
			}
		}
		if failed == 0 {
			fmt.Fprintf(app.Stdout, "\n%s\n", textcol.Indent("Next: watch the report-only results in the sign-in logs (Conditional Access > report-only tab) for a week or two, fix what would break, then switch each policy to On yourself.", width, 0))
		}
	}
	if failed > 0 {
		verb := "were"
		if failed == 1 {
			verb = "was"
		}
		return &ExitError{Code: report.ExitRuntime, Err: fmt.Errorf("%d of %d policies %s not created (or not confirmed); see above", failed, len(out), verb)}
	}
	return nil
}

// refusal reports whether err is apply refusing the plan (exit 2), rather
// than failing to reach the tenant (exit 4).
func refusal(err error) bool {
	var stale *apply.StaleError
	var blocked *apply.BlockedError
	var wrong *apply.WrongTenantError
	return errors.As(err, &stale) || errors.As(err, &blocked) || errors.As(err, &wrong)
}

// confirm asks on a terminal; elsewhere --yes is required.
func confirm(ctx context.Context, app *App, n int, p *apply.Plan) (bool, error) {
	if !app.terminal(app.Stdin) {
		return false, usagef("apply creates policies only with --yes when not run on a terminal")
	}
	fmt.Fprintf(app.Stderr, "\nCreate %d report-only Conditional Access policies in %s? Type yes to continue: ", n, p.Tenant.ID)
	// The answer is awaited within --timeout like the rest of the run.
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(app.Stdin).ReadString('\n')
		answer <- line
	}()
	select {
	case line := <-answer:
		return strings.TrimSpace(strings.ToLower(line)) == "yes", nil
	case <-ctx.Done():
		return false, fmt.Errorf("no answer before the deadline; nothing was created: %w", ctx.Err())
	}
}
