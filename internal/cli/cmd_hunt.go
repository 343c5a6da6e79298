package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/hunt"
	"github.com/tenantgate/tenantgate/internal/hunt/correlate"
	huntdemo "github.com/tenantgate/tenantgate/internal/hunt/demo"
	"github.com/tenantgate/tenantgate/internal/hunt/detect"
	huntrender "github.com/tenantgate/tenantgate/internal/hunt/render"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/safefile"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/version"
)

func init() { register(newHuntCmd) }

type huntOptions struct {
	demo         bool
	baseline     string
	formats      []string
	outputs      []string
	users        []string
	since, until string
	iocFile      string
	iocIPs       []string
	iocUAs       []string
	trusted      []string
	failOn       string
	skipUnknown  bool
	allowBadRows bool
	now          string
	lang         string
	tz           string
	snapshot     string
}

func newHuntCmd(app *App) *cobra.Command {
	o := &huntOptions{}
	cmd := &cobra.Command{
		Use:   "hunt PATH...",
		Short: "Investigate exported logs for an AiTM / BEC compromise",
		Long: `Investigate exported logs for an Adversary-in-the-Middle / business e-mail
compromise: how the attacker got in, what they changed, read, sent, deleted and
downloaded, who else is affected, and what is still to clean up.

PATH: files, directories (read recursively) and globs, any mix. Each file's
kind is recognised from its content: Entra sign-in logs (portal CSV or JSON,
Graph signIns pages, JSON Lines, with the AuthDetails companion), Entra audit
logs (portal CSV or JSON, Graph directoryAudits), the unified audit log
(Search-UnifiedAuditLog | Export-Csv, the Purview export, Graph audit log
query records, Management Activity API content, JSON Lines), and optionally
inbox rules (Get-InboxRule CSV/JSON, Graph messageRules).

An evidence bundle (tenantgate evidence), or a directory holding bundles, is
recognised by its manifest: its files are verified against their SHA-256
(a change is an input error), its Graph pages are read, its window is the
coverage window unless --since/--until, and its sources that failed are
blind spots naming Graph's error.

Outputs: --format and --output in pairs, in order; a format without an
output goes to stdout (at most one).
Formats: ` + strings.Join(huntrender.Formats(), ", ") + `.
Files are written new, 0600, never through a symbolic link. table, markdown
and html are the incident report in the talk's three parts (what happened,
what was done, what is left to do) in --lang en or ja, times in --tz; csv is
the merged timeline for a spreadsheet; json is the contract (English, UTC).

--ioc FILE: one indicator per line (a line starting with '#' is a comment):
an address or CIDR, "ua:" or "user-agent:" and a user agent fragment,
"session:" or "token:" and an id; a line without a prefix is an address when
it parses as one, else a user agent fragment.

Exit codes: 0 nobody compromised, suspicious or unknown; 1 a user is
compromised or suspicious (--fail-on compromised: compromised only); 2 usage
or input error (file and line named); 3 nobody counts for 1 but a user is
unknown because logs are missing; 4 runtime failure.`,
		Example: `  tenantgate hunt --demo
  tenantgate hunt exports/ --trusted 203.0.113.0/24 \
    --format json --output hunt.json --format table
  tenantgate hunt InteractiveSignIns_*.csv AuditLogs_*.csv UAL.csv \
    --user johanna@contoso.com --since 2023-12-01
  tenantgate hunt evidence/contoso.onmicrosoft.com-20231214T090000Z`,
		RunE: func(cmd *cobra.Command, args []string) error { return runHunt(cmd.Context(), app, o, args) },
	}
	f := cmd.Flags()
	f.BoolVar(&o.demo, "demo", false, "investigate the embedded export set of the talk's incident (Sunnyside Trading)")
	f.StringVar(&o.baseline, "baseline", "", "baseline YAML whose hunt: section sets the parameters (default: the embedded baseline; the demo's own with --demo)")
	f.StringArrayVarP(&o.formats, "format", "f", nil, "output format: "+strings.Join(huntrender.Formats(), ", ")+" (repeatable)")
	f.StringArrayVarP(&o.outputs, "output", "o", nil, "output file for the format at the same position (repeatable)")
	f.StringArrayVar(&o.users, "user", nil, "focus the report and the exit code on this UPN and the other victims of its attackers (repeatable)")
	f.StringVar(&o.since, "since", "", "start of the window (RFC 3339, or a date: its start in UTC)")
	f.StringVar(&o.until, "until", "", "end of the window (RFC 3339, or a date: through its end in UTC)")
	f.StringVar(&o.iocFile, "ioc", "", "file of the responder's indicators (addresses, CIDRs, user agents, session ids)")
	f.StringSliceVar(&o.iocIPs, "ioc-ip", nil, "attacker address or CIDR (repeatable, comma-separated)")
	f.StringArrayVar(&o.iocUAs, "ioc-user-agent", nil, "attacker user agent fragment (repeatable)")
	f.StringSliceVar(&o.trusted, "trusted", nil, "trusted network CIDR, added to the baseline's hunt.trusted_networks (repeatable, comma-separated); with none given, an evidence bundle's trusted named locations are used")
	f.StringVar(&o.failOn, "fail-on", "suspicious", "lowest verdict that fails the run (exit 1): suspicious or compromised")
	f.BoolVar(&o.skipUnknown, "skip-unknown", false, "skip files that are not a recognised log (listed under coverage.skipped) instead of failing")
	f.BoolVar(&o.allowBadRows, "allow-bad-rows", false, "read files with more than 1% unreadable rows (each is listed with its file and line)")
	f.StringVar(&o.lang, "lang", "en", "language of the table, markdown and html reports: "+strings.Join(huntrender.Languages, ", ")+" (json and csv stay English)")
	f.StringVar(&o.tz, "tz", "UTC", "IANA time zone of the times displayed, e.g. Asia/Tokyo (json stays UTC; csv has both)")
	f.StringVar(&o.snapshot, "snapshot", "", "tenantgate snapshot of the same tenant: coverage states the retention it really has (TG.LOG.1-3) and whether the window is older")
	f.StringVar(&o.now, "now", "", "report generation time (RFC 3339), for reproducible reports")
	_ = f.MarkHidden("now")
	return cmd
}

func runHunt(ctx context.Context, app *App, o *huntOptions, args []string) error {
	if o.demo == (len(args) > 0) {
		if o.demo {
			return usagef("--demo investigates the embedded export set; give no PATH with it")
		}
		return usagef("nothing to investigate: give PATH... (exported logs) or --demo")
	}
	outs, err := planOutputs(app, o.formats, o.outputs, huntrender.Has, huntrender.Formats())
	if err != nil {
		return err
	}
	if err := checkOutputs(outs); err != nil {
		return err
	}
	if _, err := huntrender.NewCatalog(o.lang); err != nil {
		return usagef("--lang: %v", err)
	}
	loc, err := time.LoadLocation(o.tz)
	if err != nil || o.tz == "" || o.tz == "Local" {
		return usagef("--tz %q: want an IANA time zone such as Asia/Tokyo or UTC", o.tz)
	}
	failOnCompromised := false
	switch o.failOn {
	case "suspicious":
	case "compromised":
		failOnCompromised = true
	default:
		return usagef("--fail-on %q: want suspicious or compromised", o.failOn)
	}
	co, err := o.correlateOptions()
	if err != nil {
		return err
	}
	b, err := loadBaseline(o.baseline, o.demo)
	if err != nil {
		return err
	}
	if err := applyHuntBaseline(&co, b, o.trusted); err != nil {
		return err
	}
	var snap *snapshot.Snapshot
	if o.snapshot != "" {
		// Read before the logs: a bad snapshot fails in a second, not
		// after a million records.
		if snap, err = snapshot.Load(o.snapshot); err != nil {
			return err
		}
	}
	eng, err := detect.New(ctx)
	if err != nil {
		return fmt.Errorf("load hunt policies: %w", err)
	}
	ho := hunt.Options{Paths: args, SkipUnknown: o.skipUnknown, AllowBadRows: o.allowBadRows, Correlate: co, InsaneLocations: insaneLocations(b)}
	if o.demo {
		if ho.FS, err = huntdemo.FS(); err != nil {
			return fmt.Errorf("demo set: %w", err)
		}
	}
	if app.terminal(app.Stderr) {
		bar := newReadProgress(app.rawStderr())
		ho.ProgressTotal, ho.Progress = bar.start, bar.add
		defer bar.done()
	}
	defer hunt.TuneGC()()
	res, err := hunt.Run(ctx, eng, ho)
	if err != nil {
		return err
	}
	if snap != nil {
		if err := addRetention(ctx, app, res, snap, o.snapshot, b); err != nil {
			return err
		}
	}
	ro := huntrender.Options{Width: app.width(), Location: loc, Lang: o.lang}
	err = writeEach(app, outs, safefile.Private, func(w io.Writer, format string, _ bool) error {
		return huntrender.Write(w, format, res, ro)
	})
	if err != nil {
		return err
	}
	for _, u := range res.Unseen {
		app.warn("--user %s: no record in these logs names this user (check the UPN and its domain); nothing can be said about the account, so the run exits 3 at best", u)
	}
	if code := res.ExitCode(failOnCompromised); code != result.ExitClean {
		return &ExitError{Code: code}
	}
	return nil
}

func (o *huntOptions) correlateOptions() (correlate.Options, error) {
	co := correlate.Options{Version: version.Get().Version, Now: time.Now()}
	if o.now != "" {
		t, err := time.Parse(time.RFC3339, o.now)
		if err != nil {
			return co, usagef("--now: %v", err)
		}
		co.Now = t
	}
	for _, u := range o.users {
		if u = strings.ToLower(strings.TrimSpace(u)); u != "" {
			co.Users = append(co.Users, u)
		}
	}
	var err error
	if co.Since, err = windowBound("--since", o.since, false); err != nil {
		return co, err
	}
	if co.Until, err = windowBound("--until", o.until, true); err != nil {
		return co, err
	}
	if co.Since != nil && co.Until != nil && co.Until.Before(*co.Since) {
		return co, usagef("--until %s is before --since %s", o.until, o.since)
	}
	for _, s := range o.iocIPs {
		p, err := baseline.ParseNetwork(s)
		if err != nil {
			return co, usagef("--ioc-ip %q is not an address or CIDR", s)
		}
		co.IOC.IPs = append(co.IOC.IPs, p)
	}
	for _, s := range o.iocUAs {
		if strings.TrimSpace(s) == "" {
			return co, usagef("--ioc-user-agent: an empty fragment would match every user agent")
		}
		co.IOC.UserAgents = append(co.IOC.UserAgents, s)
	}
	if o.iocFile != "" {
		if err := readIOC(o.iocFile, &co.IOC); err != nil {
			return co, err
		}
	}
	return co, nil
}

// windowBound reads --since / --until: RFC 3339, or a date (its start; for
// --until, through its end).
func windowBound(flag, s string, end bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t = t.UTC()
		return &t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil, usagef("%s %q: want RFC 3339 (2023-12-12T04:50:00Z) or a date (2023-12-12)", flag, s)
	}
	if end {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return &t, nil
}

var iocPrefix = regexp.MustCompile(`^(?i)(ip|cidr|ua|user-agent|useragent|session|token)\s*:\s*(.*)$`)

// readIOC reads the responder's indicators; a line that is none is an
// input error naming the file and line.
func readIOC(path string, ioc *correlate.IOC) error {
	raw, err := inputerr.ReadFile(path, "IOC file", 16<<20)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue // a comment is a whole line: user agents may hold '#'
		}
		kind, value := "", line
		if m := iocPrefix.FindStringSubmatch(line); m != nil {
			kind, value = strings.ToLower(m[1]), strings.TrimSpace(m[2])
		}
		if value == "" {
			return inputerr.At(path, n, "empty indicator")
		}
		switch kind {
		case "ip", "cidr":
			p, err := baseline.ParseNetwork(value)
			if err != nil {
				return inputerr.At(path, n, "%q is not an address or CIDR", value)
			}
			ioc.IPs = append(ioc.IPs, p)
		case "ua", "user-agent", "useragent":
			ioc.UserAgents = append(ioc.UserAgents, value)
		case "session", "token":
			ioc.Sessions = append(ioc.Sessions, value)
		default:
			if p, err := baseline.ParseNetwork(value); err == nil {
				ioc.IPs = append(ioc.IPs, p)
			} else {
				ioc.UserAgents = append(ioc.UserAgents, value)
			}
		}
	}
	return sc.Err()
}

// applyHuntBaseline takes the investigation's parameters from the
// baseline's hunt section (complete: the embedded baseline fills what a
// user's leaves out) and adds --trusted.
func applyHuntBaseline(co *correlate.Options, b *baseline.Baseline, trusted []string) error {
	h := b.Hunt
	if h.ReplayWindow == nil || h.FollowupWindow == nil || h.IPWindow == nil || h.CoverageSlack == nil || h.ToolingUserAgents == nil {
		return fmt.Errorf("baseline %s: incomplete hunt section", b.File)
	}
	co.Params = correlate.Params{
		ReplayWindow: h.ReplayWindow.Duration, FollowupWindow: h.FollowupWindow.Duration, IPWindow: h.IPWindow.Duration,
		CoverageSlack: h.CoverageSlack.Duration, ToolingUserAgents: *h.ToolingUserAgents,
	}
	co.Trusted = h.TrustedPrefixes()
	for _, s := range trusted {
		p, err := baseline.ParseNetwork(s)
		if err != nil {
			return usagef("--trusted %q is not a CIDR or an address", s)
		}
		co.Trusted = append(co.Trusted, p)
	}
	return nil
}
