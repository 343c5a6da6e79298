package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/safefile"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { register(newCollectCmd) }

type collectOptions struct {
	conn     conn.Options
	output   string
	baseline string
	// fleet mode (cmd_collect_fleet.go)
	tenants         string
	outputDir       string
	parallelTenants int
	shard           string
	allowIncomplete bool
}

func newCollectCmd(app *App) *cobra.Command {
	o := &collectOptions{}
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Read a tenant (Graph and ARM) into a snapshot file",
		Long: `Read the tenant's Conditional Access policies, authentication and consent
settings, licenses, device registration and enrollment settings, the baseline's
break-glass accounts with their group and role memberships, and the Entra
diagnostic settings with their Log Analytics retention, into one snapshot.

Every read is read-only (see 'tenantgate permissions'). A source the credential
may not read is recorded as denied and the audit reports the controls that
need it as not_assessed; the run fails (exit 4) only when no Microsoft Graph
source could be read (a refused token, an unreachable Graph), whatever Azure
Resource Manager answered.

Credentials, first match wins: TENANTGATE_ACCESS_TOKEN (a bearer token used as
is for Graph and ARM); --auth MODE; else azidentity's chain (environment,
workload identity, managed identity, Azure CLI).

Several tenants: --tenants FILE --output-dir DIR collects every tenant the
YAML file lists, --parallel-tenants at a time, each with its own credential
and its own --concurrency request limit (at most parallel-tenants x
concurrency requests in flight). It writes DIR/<name>.json per tenant and
DIR/collect-summary.json (per tenant: status ok | partial | failed, the
failed sources and why, the error, round trips, duration), and prints one
line per tenant on stderr. One tenant's failure never stops the others.
--shard K/N collects only the tenants of shard K (0 <= K < N): a tenant's
shard depends on its name and N alone, so N machines given 0/N ... N-1/N
collect every tenant exactly once, and adding a tenant moves no other. Every
shard checks the whole file's names and ids; credentials and baselines only
for its own tenants.

  defaults:                        # optional, for every tenant
    auth: client-secret            # a multi-tenant app: one client_id,
    client_id: 11111111-2222-3333-4444-555555555555
    client_secret_env: APP_SECRET  # the NAME of an environment variable
    cloud: global
    baseline: baseline.yaml        # break-glass accounts to resolve
  tenants:
    - id: contoso.onmicrosoft.com  # tenant id or domain (required)
      name: contoso                # snapshot file name (default: id), unique
    - id: 0c7d6e3a-...             # per tenant: any key of defaults, and
      access_token_env: FAB_TOKEN  # a bearer token's variable (never shared)

Every key of the tenants file (unknown keys are errors):
  defaults:            keys every tenant inherits (all below but id, name
                       and access_token_env)
  tenants:             the list of tenants, each with:
    id                 tenant id (GUID) or verified domain; required, unique
    name               snapshot file name without .json (default: the id);
                       letters, digits, '.', '_', '-'; unique
    auth               client-secret, certificate, workload-identity,
                       managed-identity, azure-cli or device-code (default:
                       implied by the secret or certificate given, else the
                       command line's --auth)
    client_id          the app registration's application (client) id
    client_secret_env  NAME of the environment variable holding the secret
    access_token_env   NAME of the variable holding a bearer token for this
                       tenant only (not allowed under defaults)
    certificate        PEM or PFX file, for auth certificate
    cloud              global, usgov, usgov-dod or china
    graph_endpoint     Microsoft Graph base URL (an emulator, a proxy)
    arm_endpoint       Azure Resource Manager base URL
    baseline           baseline whose break-glass accounts to resolve

Secrets are read from the named variables at run time and never written
anywhere; TENANTGATE_ACCESS_TOKEN is ignored with --tenants. A variable that
is not set fails that tenant only (it is not contacted; the others are
collected). Relative paths (baseline, certificate) are relative to the
tenants file. Keys a tenant does not set come from defaults, then from the
command line's flags. A tenant whose organization is not the one its id
names is failed (the credential belongs to another tenant) and its data is
not written.

Exit codes, one tenant: 0 snapshot written (unreadable sources are
warnings), 4 nothing could be read from Microsoft Graph, 2 a bad flag or
baseline. With --tenants: 0 every tenant ok; 3 some tenant partial (a source
denied or failed, its snapshot written) and none failed (0 with
--allow-incomplete); 4 some tenant failed entirely (nothing readable from
Graph, another tenant reached, or its secret not set: no snapshot); 2 a bad
tenants file (named with its line), baseline or flag: nothing is collected.`,
		Example: `  tenantgate collect --tenant contoso.onmicrosoft.com --baseline baseline.yaml \
    -o snapshot.json
  tenantgate collect --auth device-code \
    --client-id 11111111-2222-3333-4444-555555555555 -o snapshot.json
  TENANTGATE_ACCESS_TOKEN=x tenantgate collect -o demo.json \
    --graph-endpoint http://127.0.0.1:8080 --arm-endpoint http://127.0.0.1:8080
  tenantgate collect --tenants tenants.yaml --output-dir snapshots \
    --parallel-tenants 8
  tenantgate collect --tenants tenants.yaml --output-dir snapshots/shard-2 \
    --shard 2/4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.tenants != "" {
				return runCollectFleet(cmd.Context(), app, cmd, o)
			}
			for _, name := range []string{"output-dir", "parallel-tenants", "shard", "allow-incomplete"} {
				if cmd.Flags().Changed(name) {
					return usagef("--%s needs --tenants FILE", name)
				}
			}
			return runCollect(cmd.Context(), app, o)
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the snapshot to this file (default: stdout)")
	cmd.Flags().StringVar(&o.baseline, "baseline", "", "baseline YAML whose break_glass accounts to resolve (default: the embedded baseline)")
	cmd.Flags().StringVar(&o.tenants, "tenants", "", "YAML file listing several tenants to collect (see above); needs --output-dir")
	cmd.Flags().StringVar(&o.outputDir, "output-dir", "", "with --tenants: directory for <name>.json per tenant and "+CollectSummaryName)
	cmd.Flags().IntVar(&o.parallelTenants, "parallel-tenants", 4, "with --tenants: tenants collected at once (each with its own --concurrency)")
	cmd.Flags().BoolVar(&o.allowIncomplete, "allow-incomplete", false, "with --tenants: exit 0, not 3, when some tenants are partial (a source denied); failed tenants still exit 4")
	cmd.Flags().StringVar(&o.shard, "shard", "", "with --tenants: collect only shard K of N (K from 0), a stable split by tenant name shared with audit --shard (docs/kubernetes.md)")
	addConnFlags(cmd, &o.conn)
	return withTimeout(cmd)
}

// addConnFlags defines the connection flags shared by collect, live audit and
// apply (cli.md "Connection").
func addConnFlags(cmd *cobra.Command, o *conn.Options) {
	f := cmd.Flags()
	f.StringVar(&o.TenantID, "tenant", os.Getenv("AZURE_TENANT_ID"), "tenant id or verified domain (default $AZURE_TENANT_ID)")
	f.StringVar(&o.Auth, "auth", "", "credential: "+strings.Join(conn.AuthModes, ", ")+" (default: azidentity's chain; TENANTGATE_ACCESS_TOKEN wins over both)")
	f.StringVar(&o.ClientID, "client-id", "", "application (client) id for --auth device-code, client-secret, certificate, workload-identity or a user-assigned managed identity (default $AZURE_CLIENT_ID)")
	f.StringVar(&o.Certificate, "certificate", "", "PEM or PFX file with the app's certificate and private key, for --auth certificate (password in $AZURE_CLIENT_CERTIFICATE_PASSWORD)")
	f.StringVar(&o.Cloud, "cloud", "global", "national cloud: global, usgov, usgov-dod, china")
	f.StringVar(&o.GraphEndpoint, "graph-endpoint", "", "Microsoft Graph base URL, overriding the cloud's (http only on 127.0.0.1/localhost, e.g. 'tenantgate emulate')")
	f.StringVar(&o.ARMEndpoint, "arm-endpoint", "", "Azure Resource Manager base URL, overriding the cloud's (http only on 127.0.0.1/localhost)")
	f.IntVar(&o.Concurrency, "concurrency", 4, "parallel requests (per tenant with collect --tenants)")
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "log every HTTP request (method, URL, status, time; never tokens) to stderr")
}

// collectLive validates the connection options, wires progress and logs to
// the app's stderr, and reads the tenant. Errors come back with the exit code
// of cli.md: 2 for bad connection flags, 4 when Graph refused the whole run.
func collectLive(ctx context.Context, app *App, o conn.Options, b *baseline.Baseline) (*snapshot.Snapshot, error) {
	if _, _, err := o.Resolve(); err != nil {
		return nil, usageError{err}
	}
	if o.Concurrency < 1 {
		return nil, usagef("--concurrency must be at least 1")
	}
	if app.Live == nil {
		return nil, &ExitError{Code: report.ExitRuntime, Err: errors.New("this build of tenantgate has no live Graph support (built without internal/collect); use --snapshot or --demo")}
	}
	if app.terminal(app.Stderr) {
		o.Progress = app.Stderr
	}
	o.Log = app.Stderr
	var bg []string
	if b != nil {
		bg = b.BreakGlass
	}
	snap, err := app.collect(ctx, o, bg)
	if err != nil {
		return nil, &ExitError{Code: report.ExitRuntime, Err: err}
	}
	// As in fleet mode: a credential for another tenant must not have that
	// tenant's data reported or saved under --tenant's name.
	if err := conn.SameTenant(o.TenantID, snap.Data["organization"]); err != nil {
		return nil, &ExitError{Code: report.ExitRuntime, Err: fmt.Errorf("%w: nothing was written or audited; check --tenant and the credential", err)}
	}
	if o.TenantID != "" && !snap.OK("organization") {
		app.warn("the organization could not be read, so whether the credential reached tenant %s is unchecked", o.TenantID)
	}
	return snap, nil
}

// collect reads one tenant through Live and stamps the snapshot with this
// build's Version: the one place that sets tool.version, since only the CLI
// knows the release (set at link time).
func (app *App) collect(ctx context.Context, o conn.Options, breakGlass []string) (*snapshot.Snapshot, error) {
	snap, err := app.Live.Collect(ctx, o, breakGlass)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		// Interrupted (--timeout, ^C): the sources cut short read as
		// failed, and a partial snapshot is no collection.
		var cut []string
		for _, name := range slices.Sorted(maps.Keys(snap.Sources)) {
			if s := snap.Sources[name]; s.Status == snapshot.StatusError {
				cut = append(cut, name)
			}
		}
		return nil, fmt.Errorf("collection of %s incomplete, sources not read: %s: %w", snap.Tenant.ID, strings.Join(cut, ", "), err)
	}
	snap.Tool.Version = Version
	return snap, nil
}

func runCollect(ctx context.Context, app *App, o *collectOptions) error {
	b, err := loadBaseline(o.baseline, false)
	if err != nil {
		return err
	}
	if err := checkOutputs([]output{{format: "snapshot", path: o.output}}); err != nil {
		return err
	}
	snap, err := collectLive(ctx, app, o.conn, b)
	if err != nil {
		return err
	}
	warnFailedSources(app.Stderr, snap, app.width())
	if o.output == "" {
		return snap.Write(app.Stdout)
	}
	if err := safefile.WriteOutput(o.output, safefile.Private, snap.Write); err != nil {
		return &ExitError{Code: report.ExitRuntime, Err: fmt.Errorf("write snapshot: %w", err)}
	}
	if app.terminal(app.Stderr) {
		fmt.Fprintf(app.Stderr, "wrote %s (tenant %s)\n", o.output, snap.Tenant.ID)
	}
	return nil
}

// warnFailedSources says on stderr which sources could not be read: the
// snapshot is still written, and the audit will report them not_assessed.
func warnFailedSources(w io.Writer, snap *snapshot.Snapshot, width int) {
	var names []string
	for n, s := range snap.Sources {
		if s.Status != snapshot.StatusOK {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	// Sources skipped for one reason (the CA policies they follow were not
	// read) make one warning, not one each.
	var order []string
	skipped := map[string][]string{}
	for _, n := range names {
		s := snap.Sources[n]
		msg := textsafe.Line(s.Error)
		if s.HTTPStatus != 0 {
			msg = fmt.Sprintf("HTTP %d %s: %s", s.HTTPStatus, textsafe.Line(s.Code), msg)
		}
		if s.Status == snapshot.StatusSkipped {
			if _, seen := skipped[msg]; !seen {
				order = append(order, msg)
			}
			skipped[msg] = append(skipped[msg], n)
			continue
		}
		// What to grant, from the permissions catalog, as audit says it.
		if a := engine.MissingSource(n, s.Status, s.Code, s.HTTPStatus).Action; a != "" {
			msg += "; to read it: " + a
		}
		fmt.Fprintln(w, textcol.Indent(fmt.Sprintf("warning: %s %s: %s", n, s.Status, msg), width, len("warning: ")))
	}
	for _, msg := range order {
		fmt.Fprintln(w, textcol.Indent(fmt.Sprintf("warning: %s skipped: %s", strings.Join(skipped[msg], ", "), msg), width, len("warning: ")))
	}
}
