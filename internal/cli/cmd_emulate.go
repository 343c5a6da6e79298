package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { register(newEmulateCmd) }

type emulateOptions struct {
	addr          string
	tenant        string
	latency       time.Duration
	throttle      int
	throttleItems int
	retryAfter    int
	deny          []string
	denyWrites    bool
	fail          []string
	failStatus    int
	pageSize      int
	verbose       bool
	// fault-injection harness (emulate.Faults)
	createFault string
	redirect    []string
	redirectTo  string
	resetPages  bool
	slowBody    time.Duration
	padBody     int
	echoToken   bool
	// the incident (evidence)
	queryPolls int
	queryFault string
}

func newEmulateCmd(app *App) *cobra.Command {
	o := &emulateOptions{}
	cmd := &cobra.Command{
		Use:   "emulate",
		Short: "Serve the demo tenant over a local Graph/ARM-compatible endpoint",
		Long: `Serve a tenant over Microsoft Graph's and Azure Resource Manager's wire format
on a loopback address, so collect, audit, plan and apply can be tried without a
tenant: versioned paths (/v1.0, /beta), @odata.nextLink paging, JSON $batch
(gzip request bodies), Graph error bodies, and POST of Conditional Access
policies (kept in memory; PATCH and DELETE are refused and logged).

Any non-empty bearer token is accepted. Switches inject latency, throttling
(429 with Retry-After, also per item inside $batch), 403 and 5xx per source,
and the hostile behaviours tenantgate's safety guarantees are tested against
(README "Safety guarantees"): a create that is carried out but answered 504 (or
429, 503, a dropped connection), redirects to another host, pages cut
mid-body, slow and oversized bodies, errors that echo the bearer token.
Source names:
  ` + textcol.Indent(strings.Join(emulate.SourceNames(), ", ")+".", textcol.DefaultWidth, 2) + ``,
		Example: `  tenantgate emulate
  TENANTGATE_ACCESS_TOKEN=emulator tenantgate audit \
    --graph-endpoint http://127.0.0.1:8080 --arm-endpoint http://127.0.0.1:8080
  tenantgate emulate --tenant snapshot.json --latency 100ms --throttle 1 \
    --deny subscribedSkus --fail diagnosticSettings:2
  tenantgate emulate --create-fault after:504:1 --echo-token \
    --redirect conditionalAccessPolicies --redirect-to http://127.0.0.1:9999`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runEmulate(cmd.Context(), app, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "loopback address to listen on (port 0 picks a free one)")
	f.StringVar(&o.tenant, "tenant", "demo", "tenant to serve: demo, or a snapshot file")
	f.DurationVar(&o.latency, "latency", 0, "delay added to every HTTP request, e.g. 100ms")
	f.IntVar(&o.throttle, "throttle", 0, "answer 429 to the first N requests of each distinct URL (alone or inside $batch)")
	f.IntVar(&o.throttleItems, "throttle-items", 0, "answer 429 to the first N $batch items of each distinct URL (the $batch itself succeeds)")
	f.IntVar(&o.retryAfter, "retry-after", 1, "Retry-After seconds sent with injected 429 and 5xx")
	f.StringSliceVar(&o.deny, "deny", nil, "sources answering 403 (comma-separated)")
	f.BoolVar(&o.denyWrites, "deny-writes", false, "answer 403 to Conditional Access policy creation (a token without Policy.ReadWrite.ConditionalAccess)")
	f.StringSliceVar(&o.fail, "fail", nil, "sources answering --fail-status: SOURCE (always) or SOURCE:N (the first N times per URL)")
	f.IntVar(&o.failStatus, "fail-status", http.StatusServiceUnavailable, "HTTP status --fail injects (5xx)")
	f.IntVar(&o.pageSize, "page-size", 100, "elements per collection page")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "log every request to stderr")
	f.StringVar(&o.createFault, "create-fault", "", "answer policy creates badly: WHEN:WHAT[:N], WHEN before|after the policy is stored, WHAT 429, a 5xx status or reset (drop the connection), N the first N creates (default all); e.g. after:504:1")
	f.StringSliceVar(&o.redirect, "redirect", nil, "sources whose requests (alone or in $batch, pages included) are answered 302 to --redirect-to")
	f.StringVar(&o.redirectTo, "redirect-to", "", "base URL --redirect sends clients to (another host)")
	f.BoolVar(&o.resetPages, "reset-pages", false, "cut every page after the first mid-body and drop the connection")
	f.DurationVar(&o.slowBody, "slow-body", 0, "send every response body in ten pieces this far apart, e.g. 200ms")
	f.IntVar(&o.padBody, "pad-body", 0, "add this many bytes of whitespace before every JSON body (oversized answers)")
	f.BoolVar(&o.echoToken, "echo-token", false, "repeat the request's Authorization header in every error message")
	f.IntVar(&o.queryPolls, "audit-query-polls", 3, "with the demo: polls an audit log query takes to succeed (notStarted, then running)")
	f.StringVar(&o.queryFault, "audit-query-fault", "", "with the demo: the audit log query "+strings.Join(emulate.AuditQueryFaults, ", ")+" (never: stays running; lost-create: created but answered 504 once)")
	return cmd
}

func (o *emulateOptions) options() (emulate.Options, error) {
	opts := emulate.Options{PageSize: o.pageSize, Latency: o.latency, Throttle: o.throttle, ThrottleItems: o.throttleItems,
		RetryAfter: o.retryAfter, FailStatus: o.failStatus, Fail: map[string]int{}, DenyWrites: o.denyWrites}
	known := emulate.SourceNames()
	check := func(flag, name string) error {
		if !slices.Contains(known, name) {
			return usagef("--%s %q: unknown source (known: %s)", flag, name, strings.Join(known, ", "))
		}
		return nil
	}
	for _, d := range o.deny {
		if err := check("deny", d); err != nil {
			return opts, err
		}
		opts.Deny = append(opts.Deny, d)
	}
	for _, spec := range o.fail {
		name, n, hasN := strings.Cut(spec, ":")
		if err := check("fail", name); err != nil {
			return opts, err
		}
		times := -1
		if hasN {
			v, err := strconv.Atoi(n)
			if err != nil || v < 1 {
				return opts, usagef("--fail %q: want SOURCE or SOURCE:N with N >= 1", spec)
			}
			times = v
		}
		opts.Fail[name] = times
	}
	if o.createFault != "" {
		cf, err := emulate.ParseCreateFault(o.createFault)
		if err != nil {
			return opts, usagef("--create-fault: %v", err)
		}
		opts.Faults.Create = cf
	}
	for _, r := range o.redirect {
		if err := check("redirect", r); err != nil {
			return opts, err
		}
	}
	if (len(o.redirect) > 0) != (o.redirectTo != "") {
		return opts, usagef("--redirect and --redirect-to go together")
	}
	if o.redirectTo != "" {
		if u, err := url.Parse(o.redirectTo); err != nil || !u.IsAbs() || u.Host == "" {
			return opts, usagef("--redirect-to %q: want an absolute URL such as http://127.0.0.1:9999", o.redirectTo)
		}
	}
	opts.Faults.Redirect, opts.Faults.RedirectTo = o.redirect, o.redirectTo
	opts.Faults.ResetPages, opts.Faults.SlowBody, opts.Faults.PadBody, opts.Faults.EchoToken = o.resetPages, o.slowBody, o.padBody, o.echoToken
	switch {
	case o.slowBody < 0 || o.padBody < 0:
		return opts, usagef("--slow-body and --pad-body cannot be negative")
	case o.failStatus < 500 || o.failStatus > 599:
		return opts, usagef("--fail-status %d: want a 5xx status", o.failStatus)
	case o.pageSize < 1:
		return opts, usagef("--page-size must be at least 1")
	case o.throttle < 0 || o.throttleItems < 0 || o.retryAfter < 0 || o.latency < 0:
		return opts, usagef("--throttle, --throttle-items, --retry-after and --latency cannot be negative")
	case o.queryPolls < 1:
		return opts, usagef("--audit-query-polls must be at least 1")
	case o.queryFault != "" && !slices.Contains(emulate.AuditQueryFaults, o.queryFault):
		return opts, usagef("--audit-query-fault %q: want one of %s", o.queryFault, strings.Join(emulate.AuditQueryFaults, ", "))
	}
	opts.AuditQuery = emulate.AuditQueryOptions{Polls: o.queryPolls, Fault: o.queryFault}
	return opts, nil
}

func runEmulate(ctx context.Context, app *App, o *emulateOptions) error {
	opts, err := o.options()
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return usagef("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", o.addr)
	}
	if !conn.IsLoopback(host) {
		// The emulator accepts any token; on a reachable address it would
		// invite real clients to send it theirs.
		return usagef("--addr %q: the emulator listens on loopback only (127.0.0.1, ::1 or localhost)", o.addr)
	}
	var snap *snapshot.Snapshot
	if o.tenant == "demo" {
		snap, err = demo.Snapshot()
		// The demo tenant's incident: its logs and users, on the service's
		// clock of the day after it (Date headers), when its responders
		// collected them.
		opts.Incident = true
		start := time.Now()
		opts.Date = func() time.Time { return incidentNow.Add(time.Since(start)) }
	} else {
		snap, err = snapshot.Load(o.tenant)
	}
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return &ExitError{Code: report.ExitRuntime, Err: fmt.Errorf("listen on %s: %w", o.addr, err)}
	}
	var h http.Handler = emulate.New(snap, opts)
	if o.verbose {
		h = logRequests(app, h)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + ln.Addr().String()
	name := snap.Tenant.DisplayName
	if name == "" {
		name = snap.Tenant.ID
	}
	baselineFlag := ""
	if o.tenant == "demo" {
		// audit --demo uses the demo's baseline (it names the demo's
		// break-glass accounts); a live audit of the emulated demo needs the
		// same file to reach the same verdicts, so hand it out for the session.
		path, err := writeDemoBaseline()
		if err != nil {
			return &ExitError{Code: report.ExitRuntime, Err: err}
		}
		defer os.Remove(path)
		baselineFlag = " \\\n    --baseline " + path
	}
	// Commands to copy, one flag group per line: they fit 80 columns.
	endpoints := " \\\n    --graph-endpoint " + url + " \\\n    --arm-endpoint " + url
	fmt.Fprintf(app.Stdout, `%s

Use it from another shell (any non-empty token is accepted):
  export TENANTGATE_ACCESS_TOKEN=emulator
  tenantgate collect -o snapshot.json%s%s
  tenantgate audit%s%s
`, textcol.Indent(fmt.Sprintf("Graph emulator serving %s at %s", textsafe.Line(name), url), app.width(), 0)+"\nCtrl-C stops it.",
		endpoints, baselineFlag, endpoints, baselineFlag)
	if opts.Incident {
		fmt.Fprintf(app.Stdout, `  tenantgate evidence --since 2023-12-04 --until 2023-12-13 -o evidence \
    --graph-endpoint %s
  tenantgate hunt evidence/<the directory evidence printed>
`, url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return &ExitError{Code: report.ExitRuntime, Err: err}
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// incidentNow is the emulated service's clock for the demo incident: the
// day after it, when the talk's responders collected the logs.
var incidentNow = time.Date(2023, 12, 14, 1, 0, 0, 0, time.UTC)

// writeDemoBaseline writes the demo baseline's own settings (everything else
// is inherited from the default baseline) to a temporary file.
func writeDemoBaseline() (string, error) {
	b, err := demo.Baseline()
	if err != nil {
		return "", err
	}
	raw, err := yaml.Marshal(map[string]any{"name": b.Name, "version": b.Version, "break_glass": b.BreakGlass})
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "tenantgate-demo-baseline-*.yaml")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(append([]byte("# The emulated demo tenant's baseline; removed when the emulator stops.\n"), raw...)); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// logRequests logs method, path and status (never headers: they carry the token).
func logRequests(app *App, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		h.ServeHTTP(sw, r)
		fmt.Fprintf(app.Stderr, "%s %s -> %d (%s)\n", r.Method, r.URL.RequestURI(), sw.status, time.Since(start).Round(time.Millisecond))
	})
}
