package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/diff"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/render"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { register(newExplainCmd) }

type explainOptions struct {
	snapshot, result, baseline, format string
	demo                               bool
	conn                               conn.Options
}

func newExplainCmd(app *App) *cobra.Command {
	o := &explainOptions{}
	cmd := &cobra.Command{
		Use:   "explain ID",
		Short: "One control in full: finding, policies, evidence, remediation",
		Long: `Explain one control's verdict: the full finding (never cut), every Conditional
Access policy the control considered and why it does or does not count, the
evidence with names and Microsoft Entra admin center links, what to grant when
it was not assessed, the remediation, and where the rule lives.

The verdict comes from a saved audit result (--result, written by audit
--format json), a snapshot (--snapshot, evaluated now), the demo tenant
(--demo) or a live tenant (--tenant, collected first).`,
		Example: `  tenantgate explain TG.CA.2 --demo
  tenantgate audit --snapshot contoso.json -f json -o result.json
  tenantgate explain TG.CA.8 --result result.json
  tenantgate explain tg.ca.5 --snapshot contoso.json --baseline mine.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("explain needs one control id, e.g. tenantgate explain TG.CA.2 --demo (see tenantgate controls)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runExplain(cmd.Context(), app, cmd, o, args[0]) },
	}
	f := cmd.Flags()
	f.StringVar(&o.result, "result", "", "audit result to explain from (audit --format json)")
	f.StringVar(&o.snapshot, "snapshot", "", "snapshot to evaluate")
	f.BoolVar(&o.demo, "demo", false, "explain a control of the embedded demo tenant")
	f.StringVar(&o.baseline, "baseline", "", "baseline YAML (with --snapshot, --demo or --tenant)")
	f.StringVarP(&o.format, "format", "f", "text", "text, or json (the result object)")
	addConnFlags(cmd, &o.conn)
	return cmd
}

func runExplain(ctx context.Context, app *App, cmd *cobra.Command, o *explainOptions, id string) error {
	if o.format != "text" && o.format != "json" {
		return usagef("--format %q: want text or json", o.format)
	}
	var rep *report.Report
	var eng *engine.Engine
	if o.result != "" {
		if cmd.Flags().Changed("baseline") {
			return usagef("--baseline applies when explain evaluates (--snapshot, --demo, --tenant); a saved --result already holds its verdicts")
		}
		in, err := diff.Load(o.result)
		if err != nil {
			return err
		}
		if in.Kind != diff.KindReport {
			return inputerr.New(o.result, "is a snapshot, not an audit result: use --snapshot %s", o.result)
		}
		rep = in.Report
		if eng, err = engine.New(ctx, Version); err != nil {
			return fmt.Errorf("load policies: %w", err)
		}
	} else {
		sub, err := loadSubject(ctx, app, subjectOptions{demo: o.demo, snapshot: o.snapshot, baseline: o.baseline, conn: o.conn})
		if err != nil {
			return err
		}
		if rep, err = sub.eng.Evaluate(ctx, sub.snap, sub.baseline, time.Now()); err != nil {
			return err
		}
		eng = sub.eng
	}
	var res *report.Result
	for i := range rep.Results {
		if strings.EqualFold(rep.Results[i].ID, id) {
			res = &rep.Results[i]
		}
	}
	if res == nil {
		var ids []string
		for _, r := range rep.Results {
			ids = append(ids, r.ID)
		}
		return usagef("no control %q in this audit (controls: %s)", id, strings.Join(ids, ", "))
	}
	if o.format == "json" {
		enc := json.NewEncoder(textsafe.JSONWriter(app.Stdout))
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	var info render.ControlInfo
	for _, c := range eng.Catalog() {
		if c.ID == res.ID {
			info = render.ControlInfo{Description: c.Description, Seed: c.SeedText(), File: c.File, Line: c.Line}
		}
	}
	return render.Explain(app.Stdout, rep, *res, info, render.Options{Width: app.width()})
}
