package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/safefile"
	"github.com/tenantgate/tenantgate/internal/shard"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
	"github.com/tenantgate/tenantgate/internal/yamldoc"
)

// Fleet collection: `collect --tenants FILE --output-dir DIR`.

// The summary file a fleet collection writes next to the snapshots; the
// names live in internal/snapshot so the fleet audit can skip the file.
const (
	CollectSummaryName = snapshot.CollectSummaryName
	CollectSummaryKind = snapshot.CollectSummaryKind
)

// Tenant outcomes in collect-summary.json.
const (
	TenantOK      = "ok"      // every source read (skipped ones aside)
	TenantPartial = "partial" // snapshot written, some source denied or failed
	TenantFailed  = "failed"  // no snapshot: nothing readable, wrong tenant, or not writable
)

// fleetConn are the connection keys a tenant entry and defaults share.
type fleetConn struct {
	Auth            string `yaml:"auth"`
	ClientID        string `yaml:"client_id"`
	ClientSecretEnv string `yaml:"client_secret_env"`
	AccessTokenEnv  string `yaml:"access_token_env"`
	Certificate     string `yaml:"certificate"`
	Cloud           string `yaml:"cloud"`
	GraphEndpoint   string `yaml:"graph_endpoint"`
	ARMEndpoint     string `yaml:"arm_endpoint"`
	Baseline        string `yaml:"baseline"`
}

type fleetEntry struct {
	ID        string `yaml:"id"`
	Name      string `yaml:"name"`
	fleetConn `yaml:",inline"`
}

type fleetFile struct {
	Defaults fleetConn    `yaml:"defaults"`
	Tenants  []fleetEntry `yaml:"tenants"`
}

// fleetTarget is one tenant, validated and ready to collect.
type fleetTarget struct {
	name, id   string
	missing    string       // why it cannot be collected in this run (a secret not set)
	opts       conn.Options // with the tenant's own secret, if any
	breakGlass []string
}

var (
	fleetNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	tenantIDRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$`)
	envNameRe   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,254}$`)
)

// maxTenantsFileBytes is the largest tenants file read: 4 MiB (20,000
// tenants of 200 bytes each).
const maxTenantsFileBytes = 4 << 20

// fleetYAMLTypes names the tenants file's Go types in messages.
var fleetYAMLTypes = map[string]string{
	"cli.fleetFile":    "the tenants file",
	"cli.fleetEntry":   "a tenant entry",
	"[]cli.fleetEntry": "the tenants list",
	"cli.fleetConn":    "defaults",
}

// loadFleet reads and checks a tenants file, reads each tenant's secret from
// the environment variable it names and loads the baselines. Every problem is
// an input error (exit 2) naming the file and line, found before any tenant
// is contacted. base holds the command line's connection flags, which fill
// what the file leaves unset; baselineFlag likewise.
//
// With a shard, the names and ids of every entry are checked (so all shards
// agree on the file), but credentials and baselines only for the entries of
// that shard: a shard's machine needs only its own tenants' secrets.
func loadFleet(path string, base conn.Options, baselineFlag string, sh shard.Spec) ([]fleetTarget, error) {
	raw, err := inputerr.ReadFile(path, "the tenants file", maxTenantsFileBytes)
	if err != nil {
		return nil, err
	}
	return parseFleet(path, raw, base, baselineFlag, sh)
}

// parseFleet is loadFleet on the file's bytes (path names it in messages and
// anchors its relative paths).
func parseFleet(path string, raw []byte, base conn.Options, baselineFlag string, sh shard.Spec) ([]fleetTarget, error) {
	var f fleetFile
	root, err := yamldoc.Decode(path, raw, &f, "a tenants file", fleetYAMLTypes)
	if err != nil {
		return nil, err
	}
	defLines := yamldoc.KeyLines(yamldoc.Value(root, "defaults"))
	tenantsNode := yamldoc.Value(root, "tenants")
	if len(f.Tenants) == 0 {
		line := 0
		if tenantsNode != nil {
			line = tenantsNode.Line
		}
		return nil, inputerr.At(path, line, "no tenants: want a tenants: list with an id per tenant")
	}
	// Decoding succeeded, so tenants is a sequence of as many mappings
	// (unless written with an alias, which only costs the line numbers).
	itemAt := func(i int) *yaml.Node {
		if tenantsNode.Kind == yaml.SequenceNode && i < len(tenantsNode.Content) {
			return tenantsNode.Content[i]
		}
		return &yaml.Node{Line: tenantsNode.Line}
	}
	if f.Defaults.AccessTokenEnv != "" {
		return nil, inputerr.At(path, defLines["access_token_env"], "access_token_env is not allowed under defaults: a bearer token belongs to one tenant")
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	baselines := map[string]*baseline.Baseline{}
	names := map[string]int{} // lower-case name -> line
	ids := map[string]int{}
	var out []fleetTarget
	for i, e := range f.Tenants {
		item := itemAt(i)
		lines := yamldoc.KeyLines(item)
		// at is the line of key in this entry, else in defaults, else the entry's.
		at := func(key string) int {
			if l, ok := lines[key]; ok {
				return l
			}
			if l, ok := defLines[key]; ok {
				return l
			}
			return item.Line
		}
		id := strings.TrimSpace(e.ID)
		label := fmt.Sprintf("tenant %d", i+1)
		if id == "" {
			return nil, inputerr.At(path, item.Line, "%s has no id: want the tenant id (GUID) or its domain", label)
		}
		label = fmt.Sprintf("tenant %q", id)
		if !tenantIDRe.MatchString(id) {
			return nil, inputerr.At(path, at("id"), "%s: the id must be a tenant id (GUID) or a domain name", label)
		}
		name := e.Name
		if name == "" {
			name = id
		}
		if !fleetNameRe.MatchString(name) || strings.EqualFold(name+".json", CollectSummaryName) {
			return nil, inputerr.At(path, at("name"), "%s: name %q cannot be a file name: use letters, digits, '.', '_' and '-' (and not %q)", label, name, strings.TrimSuffix(CollectSummaryName, ".json"))
		}
		// Case-insensitive: on macOS and Windows the two files would be one.
		if prev, dup := names[strings.ToLower(name)]; dup {
			return nil, inputerr.At(path, at("name"), "%s: name %q is already used on line %d; names must be unique (they are the snapshot file names)", label, name, prev)
		}
		names[strings.ToLower(name)] = item.Line
		if prev, dup := ids[strings.ToLower(id)]; dup {
			return nil, inputerr.At(path, at("id"), "%s is listed twice (lines %d and %d)", label, prev, item.Line)
		}
		ids[strings.ToLower(id)] = item.Line
		if !sh.Has(name) {
			continue
		}
		label = fmt.Sprintf("tenant %q", name)

		missing := "" // a secret this run's environment lacks
		c := mergeConn(e.fleetConn, f.Defaults)
		o := base
		o.TenantID = id
		o.NoEnvToken = true
		o.AccessToken, o.ClientSecret = "", ""
		if c.Auth != "" {
			o.Auth = c.Auth
		}
		if c.ClientID != "" {
			o.ClientID = c.ClientID
		}
		if c.Certificate != "" {
			o.Certificate = rel(c.Certificate)
		}
		if c.Cloud != "" {
			o.Cloud = c.Cloud
		}
		if c.GraphEndpoint != "" {
			o.GraphEndpoint = c.GraphEndpoint
		}
		if c.ARMEndpoint != "" {
			o.ARMEndpoint = c.ARMEndpoint
		}
		// A secret or certificate in the file implies its auth mode.
		if o.Auth == "" && c.AccessTokenEnv == "" {
			switch {
			case c.ClientSecretEnv != "":
				o.Auth = "client-secret"
			case c.Certificate != "":
				o.Auth = "certificate"
			}
		}
		if c.ClientSecretEnv != "" && c.AccessTokenEnv == "" && o.Auth != "client-secret" {
			return nil, inputerr.At(path, at("client_secret_env"), "%s: client_secret_env is set but auth is %q; use auth: client-secret", label, o.Auth)
		}
		for _, k := range []struct {
			key, env string
			dst      *conn.Secret
		}{{"access_token_env", c.AccessTokenEnv, &o.AccessToken}, {"client_secret_env", c.ClientSecretEnv, &o.ClientSecret}} {
			if k.env == "" {
				continue
			}
			// Never echo the value: a secret pasted here by mistake must
			// not land in a CI log.
			if !envNameRe.MatchString(k.env) {
				return nil, inputerr.At(path, at(k.key), "%s: %s must be the name of an environment variable (letters, digits, '_'), never the secret itself", label, k.key)
			}
			v := strings.TrimSpace(os.Getenv(k.env))
			if v == "" {
				// The file is right; this run's environment lacks the
				// secret. That fails this tenant only (never contacted),
				// as the others may well be collected.
				missing = fmt.Sprintf("%s (%s:%d) names the environment variable %s, which is not set or empty; nothing was collected", k.key, path, at(k.key), k.env)
				continue
			}
			*k.dst = conn.Secret(v)
		}
		if _, _, err := o.Resolve(); err != nil {
			return nil, inputerr.At(path, item.Line, "%s: %s", label, fleetKeyNames(err.Error()))
		}
		// What an app credential lacks is found now, not tenant by tenant
		// after the others have been collected.
		if missing == "" && o.AccessToken == "" && (o.Auth == "client-secret" || o.Auth == "certificate") {
			switch {
			case o.ClientID == "" && os.Getenv("AZURE_CLIENT_ID") == "":
				return nil, inputerr.At(path, at("auth"), "%s: auth %s needs client_id (or AZURE_CLIENT_ID)", label, o.Auth)
			case o.Auth == "client-secret" && o.ClientSecret == "" && os.Getenv("AZURE_CLIENT_SECRET") == "":
				return nil, inputerr.At(path, at("auth"), "%s: auth client-secret needs client_secret_env (or AZURE_CLIENT_SECRET)", label)
			case o.Auth == "certificate" && o.Certificate == "" && os.Getenv("AZURE_CLIENT_CERTIFICATE_PATH") == "":
				return nil, inputerr.At(path, at("auth"), "%s: auth certificate needs certificate: FILE (or AZURE_CLIENT_CERTIFICATE_PATH)", label)
			}
		}
		bpath := rel(c.Baseline)
		if bpath == "" {
			bpath = baselineFlag
		}
		b, ok := baselines[bpath]
		if !ok {
			if b, err = loadBaseline(bpath, false); err != nil {
				if c.Baseline != "" { // say which entry named it
					return nil, fmt.Errorf("%s:%d: %s: baseline: %w", path, at("baseline"), label, err)
				}
				return nil, err
			}
			baselines[bpath] = b
		}
		out = append(out, fleetTarget{name: name, id: id, opts: o, breakGlass: b.BreakGlass, missing: missing})
	}
	return out, nil
}

// mergeConn fills e's unset keys from d.
func mergeConn(e, d fleetConn) fleetConn {
	pick := func(a, b string) string {
		if strings.TrimSpace(a) != "" {
			return strings.TrimSpace(a)
		}
		return strings.TrimSpace(b)
	}
	return fleetConn{
		Auth: pick(e.Auth, d.Auth), ClientID: pick(e.ClientID, d.ClientID),
		ClientSecretEnv: pick(e.ClientSecretEnv, d.ClientSecretEnv), AccessTokenEnv: e.AccessTokenEnv,
		Certificate: pick(e.Certificate, d.Certificate), Cloud: pick(e.Cloud, d.Cloud),
		GraphEndpoint: pick(e.GraphEndpoint, d.GraphEndpoint), ARMEndpoint: pick(e.ARMEndpoint, d.ARMEndpoint),
		Baseline: pick(e.Baseline, d.Baseline),
	}
}

// fleetKeyNames rewrites conn's flag names into the file's keys.
func fleetKeyNames(msg string) string {
	return strings.NewReplacer("--cloud", "cloud", "--auth", "auth", "--graph-endpoint", "graph_endpoint", "--arm-endpoint", "arm_endpoint").Replace(msg)
}

// collectSummary is DIR/collect-summary.json.
type collectSummary struct {
	SchemaVersion   int             `json:"schemaVersion"`
	Kind            string          `json:"kind"`
	Tool            snapshot.Tool   `json:"tool"`
	Shard           string          `json:"shard,omitempty"` // K/N when collecting one shard of the tenants file
	StartedAt       time.Time       `json:"startedAt"`
	DurationMs      int64           `json:"durationMs"`
	ParallelTenants int             `json:"parallelTenants"`
	Concurrency     int             `json:"concurrency"` // per tenant
	RoundTrips      int64           `json:"roundTrips"`
	Counts          map[string]int  `json:"counts"` // ok, partial, failed
	Exit            int             `json:"exit"`
	Tenants         []tenantOutcome `json:"tenants"` // in the tenants file's order
}

type tenantOutcome struct {
	Name          string            `json:"name"`
	ID            string            `json:"id"`
	File          string            `json:"file,omitempty"` // relative to the summary's directory
	Status        string            `json:"status"`
	FailedSources map[string]string `json:"failedSources,omitempty"`
	Error         string            `json:"error,omitempty"`
	RoundTrips    int64             `json:"roundTrips"`
	DurationMs    int64             `json:"durationMs"`
}

func runCollectFleet(ctx context.Context, app *App, cmd *cobra.Command, o *collectOptions) error {
	f := cmd.Flags()
	switch {
	case o.outputDir == "":
		return usagef("--tenants needs --output-dir DIR (one snapshot per tenant, plus %s)", CollectSummaryName)
	case f.Changed("output"):
		return usagef("--output is for one tenant; with --tenants the snapshots go to --output-dir")
	case f.Changed("tenant"):
		return usagef("--tenant and --tenants cannot be combined: list every tenant in the tenants file")
	case o.parallelTenants < 1:
		return usagef("--parallel-tenants must be at least 1")
	case o.conn.Concurrency < 1:
		return usagef("--concurrency must be at least 1")
	}
	var err error
	var sh shard.Spec
	if o.shard != "" {
		if sh, err = shard.Parse(o.shard); err != nil {
			return usageError{err}
		}
	}
	targets, err := loadFleet(o.tenants, o.conn, o.baseline, sh)
	if err != nil {
		return err
	}
	if app.Live == nil {
		return &ExitError{Code: report.ExitRuntime, Err: errors.New("this build of tenantgate has no live Graph support (built without internal/collect)")}
	}
	if err := os.MkdirAll(o.outputDir, 0o755); err != nil {
		return &ExitError{Code: report.ExitRuntime, Err: fmt.Errorf("output directory: %w", err)}
	}
	if os.Getenv("TENANTGATE_ACCESS_TOKEN") != "" {
		fmt.Fprintln(app.Stderr, "note: TENANTGATE_ACCESS_TOKEN is ignored with --tenants (a token belongs to one tenant); use access_token_env per tenant")
	}

	start := time.Now()
	results := make([]tenantOutcome, len(targets))
	var logMu sync.Mutex // one line at a time on stderr, across tenants
	var done atomic.Int64
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(o.parallelTenants, len(targets)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = collectTenant(ctx, app, o.outputDir, targets[i], &logMu)
				if app.terminal(app.Stderr) {
					logMu.Lock()
					fmt.Fprintf(app.Stderr, "collect: [%d/%d] %s %s\n", done.Add(1), len(targets), results[i].Name, results[i].Status)
					logMu.Unlock()
				}
			}
		}()
	}
	for i := range targets {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	sum := collectSummary{
		SchemaVersion: 1, Kind: CollectSummaryKind, Tool: snapshot.Tool{Name: "tenantgate", Version: Version}, Shard: sh.String(),
		StartedAt: start.UTC().Truncate(time.Second), DurationMs: time.Since(start).Milliseconds(),
		ParallelTenants: o.parallelTenants, Concurrency: o.conn.Concurrency,
		Counts: map[string]int{TenantOK: 0, TenantPartial: 0, TenantFailed: 0}, Tenants: results,
	}
	for _, r := range results {
		sum.Counts[r.Status]++
		sum.RoundTrips += r.RoundTrips
	}
	switch {
	case sum.Counts[TenantFailed] > 0:
		sum.Exit = report.ExitRuntime
	case sum.Counts[TenantPartial] > 0 && !o.allowIncomplete:
		sum.Exit = report.ExitIncomplete
	}
	printFleet(app.Stderr, &sum, filepath.Join(o.outputDir, CollectSummaryName), app.width())
	err = safefile.Write(filepath.Join(o.outputDir, CollectSummaryName), safefile.Private, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(&sum)
	})
	if err != nil {
		return &ExitError{Code: report.ExitRuntime, Err: fmt.Errorf("write %s: %w", CollectSummaryName, err)}
	}
	if sum.Exit != report.ExitOK {
		return &ExitError{Code: sum.Exit} // already reported, tenant by tenant
	}
	return nil
}

// collectTenant reads one tenant and writes its snapshot. Nothing it does
// can stop the other tenants: errors, and even a panic, become its outcome.
func collectTenant(ctx context.Context, app *App, dir string, t fleetTarget, logMu *sync.Mutex) (res tenantOutcome) {
	res = tenantOutcome{Name: t.name, ID: t.id, Status: TenantFailed}
	var trips atomic.Int64
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			res.Status, res.File, res.FailedSources = TenantFailed, "", nil
			res.Error = fmt.Sprintf("internal error: %v", p)
		}
		res.RoundTrips, res.DurationMs = trips.Load(), time.Since(start).Milliseconds()
		// Defence in depth: no message may carry this tenant's credential.
		res.Error = redact(res.Error, t.opts.AccessToken, t.opts.ClientSecret)
		for k, v := range res.FailedSources {
			res.FailedSources[k] = redact(v, t.opts.AccessToken, t.opts.ClientSecret)
		}
	}()
	if t.missing != "" {
		res.Error = t.missing
		return res
	}
	opts := t.opts
	opts.RoundTrips = &trips
	opts.Progress = nil // per-request progress of many tenants would be noise
	opts.Log = &prefixWriter{w: app.Stderr, mu: logMu, prefix: "[" + t.name + "] ", secrets: []conn.Secret{t.opts.AccessToken, t.opts.ClientSecret}}
	snap, err := app.collect(ctx, opts, t.breakGlass)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	if err := sameTenant(t.id, snap); err != nil {
		res.Error = err.Error()
		return res
	}
	for name, s := range snap.Sources {
		if s.Status == snapshot.StatusDenied || s.Status == snapshot.StatusError {
			if res.FailedSources == nil {
				res.FailedSources = map[string]string{}
			}
			msg := s.Status + ": " + s.Error
			if s.HTTPStatus != 0 {
				msg = fmt.Sprintf("%s: HTTP %d %s: %s", s.Status, s.HTTPStatus, s.Code, s.Error)
			}
			res.FailedSources[name] = msg
		}
	}
	file := t.name + ".json"
	if err := safefile.Write(filepath.Join(dir, file), safefile.Private, snap.Write); err != nil {
		res.FailedSources = nil
		res.Error = "write snapshot: " + err.Error()
		return res
	}
	res.File, res.Status = file, TenantOK
	if len(res.FailedSources) > 0 {
		res.Status = TenantPartial
	}
	return res
}

// sameTenant is conn.SameTenant on a snapshot's organization.
func sameTenant(want string, snap *snapshot.Snapshot) error {
	if err := conn.SameTenant(want, snap.Data["organization"]); err != nil {
		return fmt.Errorf("%w: the snapshot was not written; check this tenant's credential", err)
	}
	return nil
}

// printFleet writes a table of the tenants, in the file's order, wrapped to
// width, and a total.
func printFleet(w io.Writer, s *collectSummary, summaryPath string, width int) {
	t := textcol.Table{Columns: []textcol.Column{{Header: "TENANT"}, {Header: "STATUS"}, {Header: "REQUESTS"}, {Header: "TIME", Min: 6}, {Header: "DETAIL", Min: 20}}}
	for _, tn := range s.Tenants {
		detail := tn.File
		switch tn.Status {
		case TenantFailed:
			detail = tn.Error
		case TenantPartial:
			var parts []string
			for _, name := range slices.Sorted(maps.Keys(tn.FailedSources)) {
				parts = append(parts, name+" "+strings.SplitN(tn.FailedSources[name], ":", 2)[0])
			}
			detail = tn.File + " (" + strings.Join(parts, ", ") + ")"
		}
		t.Rows = append(t.Rows, []string{textsafe.Line(tn.Name), tn.Status, strconv.FormatInt(tn.RoundTrips, 10), fmt.Sprintf("%.1fs", float64(tn.DurationMs)/1000), textsafe.Line(detail)})
	}
	t.Write(w, width)
	tenants := fmt.Sprintf("%d tenants", len(s.Tenants))
	if len(s.Tenants) == 1 {
		tenants = "1 tenant"
	}
	total := fmt.Sprintf("%s: %d ok, %d partial, %d failed, %d requests in %.1fs; summary in %s",
		tenants, s.Counts[TenantOK], s.Counts[TenantPartial], s.Counts[TenantFailed], s.RoundTrips, float64(s.DurationMs)/1000, summaryPath)
	if s.Shard != "" {
		total = "shard " + s.Shard + ": " + total
	}
	fmt.Fprintln(w, textcol.Indent(total, width, 0))
}

// redact is conn.Redact with a tenant's own credentials.
func redact(s string, secrets ...conn.Secret) string {
	vals := make([]string, len(secrets))
	for i, sec := range secrets {
		vals[i] = string(sec)
	}
	return conn.Redact(s, vals...)
}

// prefixWriter tags each line of one tenant's verbose log with its name, so
// the logs of tenants collected in parallel stay readable.
type prefixWriter struct {
	w       io.Writer
	mu      *sync.Mutex
	prefix  string
	secrets []conn.Secret
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var buf bytes.Buffer
	for line := range strings.SplitAfterSeq(string(b), "\n") {
		if line != "" {
			buf.WriteString(p.prefix)
			buf.WriteString(redact(line, p.secrets...))
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.w.Write(buf.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}
