package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/safefile"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/starter"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
	"github.com/tenantgate/tenantgate/internal/version"
)

func init() { register(newInitCmd) }

type initOptions struct {
	snapshot, output string
	demo, force      bool
	conn             conn.Options
}

func newInitCmd(app *App) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Propose a starter baseline: break-glass candidates, licences",
		Long: `Propose a starter baseline from a tenant (--tenant, collected live), a snapshot
(--snapshot) or the demo tenant (--demo), and write it for review.

Break-glass candidates are the cloud-only Global Administrators excluded from
every Conditional Access policy that applies to them; accounts excluded from
only some policies are listed too. Every candidate is written COMMENTED OUT,
with its creation date, last sign-in and the policies that exclude it: an
attacker's backdoor account looks exactly like a break-glass account, so a
person must choose. The groups policies already exclude are proposed (also
commented out) under allowed_exclusions.groups, and the licences found are
noted.

Reading the last sign-in needs AuditLog.Read.All and Microsoft Entra ID P1
or P2; without it the file says the last sign-in is unknown. See
'tenantgate permissions' for everything collect reads.

The file is never overwritten unless --force is given.`,
		Example: `  tenantgate init --demo -o demo-baseline.yaml
  tenantgate init --tenant contoso.onmicrosoft.com -o baseline.yaml
  tenantgate init --snapshot contoso.json -o baseline.yaml --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runInit(cmd.Context(), app, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.snapshot, "snapshot", "", "propose from a saved snapshot")
	f.BoolVar(&o.demo, "demo", false, "propose for the embedded demo tenant")
	f.StringVarP(&o.output, "output", "o", "baseline.yaml", "write the baseline here ('-' for stdout)")
	f.BoolVar(&o.force, "force", false, "overwrite the output file if it exists")
	addConnFlags(cmd, &o.conn)
	return cmd
}

func runInit(ctx context.Context, app *App, o *initOptions) error {
	live := !o.demo && o.snapshot == ""
	if live && o.conn.TenantID == "" && o.conn.GraphEndpoint == "" {
		return usagef("nothing to read: give --tenant ID (live), --snapshot FILE or --demo")
	}
	if o.output != "-" {
		if err := checkOutputs([]output{{format: "baseline", path: o.output}}); err != nil {
			return err
		}
	}
	eng, err := engine.NewWith(ctx, version.Get().Version, engine.StarterQuery)
	if err != nil {
		return fmt.Errorf("load policies: %w", err)
	}
	def, err := baseline.Default()
	if err != nil {
		return err
	}
	var snap *snapshot.Snapshot
	from := ""
	switch {
	case o.demo:
		snap, err = demo.Snapshot()
		from = "the demo tenant"
	case o.snapshot != "":
		snap, err = snapshot.Load(o.snapshot)
		from = "snapshot " + o.snapshot
	default:
		// Nothing is named yet: collect reads no break-glass account.
		snap, err = collectLive(ctx, app, o.conn, def)
		from = "the live tenant"
	}
	if err != nil {
		return err
	}
	var p starter.Proposal
	if _, err := eng.EvalQuery(ctx, engine.StarterQuery, snap, def, &p); err != nil {
		return err
	}
	titles := map[string]string{}
	for k, l := range def.Licenses {
		titles[k] = l.Title
	}
	meta := starter.Meta{TenantID: snap.Tenant.ID, TenantName: snap.Tenant.DisplayName, From: from, At: snap.CollectedAt, LicenseTitles: titles}
	write := func(w io.Writer) error { return starter.Write(w, &p, meta) }
	switch {
	case o.output == "-":
		err = write(app.Stdout)
	case o.force:
		err = safefile.WriteOutput(o.output, safefile.Shared, write)
	default:
		err = safefile.CreateNew(o.output, safefile.Shared, write)
		if errors.Is(err, safefile.ErrExists) {
			return inputerr.New(o.output, "already exists; init never overwrites a baseline without --force")
		}
	}
	if err != nil {
		return outputError(o.output, "baseline", err)
	}
	if o.output != "-" {
		n := func(k int, one, many string) string {
			if k == 1 {
				return "1 " + one
			}
			return fmt.Sprintf("%d %s", k, many)
		}
		msg := fmt.Sprintf("wrote %s: %s, %s, %s, all commented out. Uncomment the accounts you know are your break-glass accounts, then give the file to collect, audit and plan as --baseline %s",
			o.output, n(len(p.Candidates), "break-glass candidate", "break-glass candidates"),
			n(len(p.Partial), "admin excluded from some policies only", "admins excluded from some policies only"),
			n(len(p.ExcludedGroups), "excluded group", "excluded groups"), o.output)
		fmt.Fprintln(app.Stderr, textcol.Indent(textsafe.Line(msg), app.width(), 0))
	}
	return nil
}
