// Package cli is tenantgate's command line. It never imports msgraph-sdk-go:
// live collection and apply are reached through the Live interface, which
// cmd/tenantgate fills from internal/collect and internal/apply. That keeps
// this package's tests (and every package it imports) fast to build.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
	"github.com/tenantgate/tenantgate/internal/version"
)

// Version is the tool version every report and snapshot records
// (tool.version): internal/version's, stamped at release or read from the
// module's build info.
var Version = version.Get().Version

// Live reaches a real (or emulated) tenant. Implemented outside this package.
type Live interface {
	// Collect reads the tenant into a snapshot; breakGlass are the baseline's
	// break-glass UPNs or ids to resolve.
	Collect(ctx context.Context, opts conn.Options, breakGlass []string) (*snapshot.Snapshot, error)
	// CAClient returns a client that can list and create Conditional Access
	// policies (and nothing else), for apply.
	CAClient(ctx context.Context, opts conn.Options) (apply.CAClient, error)
}

// App carries what commands share: streams and the live implementation.
type App struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Live   Live
	// IsTerminal reports whether a stream is a terminal (colour, progress, prompts).
	IsTerminal func(any) bool
}

// commands are added by the files of this package that define them, so a
// command lives in one file and root.go needs no edit to gain one.
var commands []func(*App) *cobra.Command

func register(f func(*App) *cobra.Command) { commands = append(commands, f) }

// ExitError carries an exit code chosen by a command (e.g. the audit gate).
type ExitError struct {
	Code int
	Err  error // nil when the command already reported everything
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks a bad flag or argument (exit 2).
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// NewRoot builds the command tree.
func NewRoot(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "tenantgate",
		Short: "Audit a Microsoft 365 / Entra ID tenant against AiTM phishing and BEC defenses",
		Long: `tenantgate audits a Microsoft 365 / Entra ID tenant against the defenses
that stop Adversary-in-the-Middle phishing and business e-mail compromise,
explains every verdict, and creates the missing Conditional Access policies
in report-only mode.

Start with:  tenantgate audit --demo
Then:        tenantgate init --tenant ID, collect, audit, explain
Incident:    tenantgate hunt --demo, then tenantgate hunt YOUR-EXPORTS/`,
		Version:       version.Get().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("tenantgate {{.Version}}\n")
	root.SetIn(app.Stdin)
	root.SetOut(app.Stdout)
	root.SetErr(app.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return oneSubject(cmd) }
	// Flag help wraps to the terminal like every other text (cobra's
	// default prints each flag on one line, 150 columns and more).
	// So do the command list (a command's summary continues under itself)
	// and cobra's closing hint.
	cobra.AddTemplateFunc("wrappedFlags", func(f *pflag.FlagSet) string { return f.FlagUsagesWrapped(app.width()) })
	cobra.AddTemplateFunc("wrappedShort", func(c *cobra.Command) string {
		pad := c.NamePadding()
		return textcol.Pad(c.Name(), pad) + " " + textcol.Indent(c.Short, app.width(), 2+pad+1)
	})
	cobra.AddTemplateFunc("moreHelp", func(c *cobra.Command) string {
		return textcol.Indent(`Use "`+c.CommandPath()+` [command] --help" for more information about a command.`, app.width(), 0)
	})
	root.SetUsageTemplate(strings.NewReplacer(
		"{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}", "{{wrappedFlags .LocalFlags | trimTrailingWhitespaces}}",
		"{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}", "{{wrappedFlags .InheritedFlags | trimTrailingWhitespaces}}",
		"{{rpad .Name .NamePadding }} {{.Short}}", "{{wrappedShort .}}",
		`Use "{{.CommandPath}} [command] --help" for more information about a command.`, "{{moreHelp .}}",
	).Replace(root.UsageTemplate()))
	for _, f := range commands {
		root.AddCommand(f(app))
	}
	return root
}

// Main runs the CLI and returns the process exit code.
//
// Everything written to stderr (warnings, errors, logs, progress) passes
// textsafe.Text: it quotes tenant data and server messages, and a terminal
// must not act on the escape sequences they may hold.
func Main(ctx context.Context, app *App, args []string) int {
	safe := *app
	safe.Stderr = textsafe.Writer(app.Stderr)
	app = &safe
	root := NewRoot(app)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	code := ExitCode(err)
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return code
	}
	// One line: an error may quote a server or a file (newlines included).
	// Defence in depth: whatever a service said, no credential is printed.
	fmt.Fprintf(app.Stderr, "tenantgate: %s\n", textsafe.Line(conn.Redact(err.Error())))
	if code == report.ExitInput && isUsage(err) {
		// Point to the help of the command that was run, not the root's.
		path := "tenantgate"
		if cmd, _, ferr := root.Find(args); ferr == nil && cmd != nil {
			path = cmd.CommandPath()
		}
		fmt.Fprintf(app.Stderr, "Run '%s --help' for usage.\n", path)
	}
	return code
}

// subjects are the flag groups that each name what a command reads: the
// demo tenant, a snapshot, a saved result, or a live tenant (any connection
// target). A command given two of them would have to silently prefer one.
var subjects = [][]string{{"demo"}, {"snapshot"}, {"result"}, {"tenant", "graph-endpoint", "arm-endpoint"}}

// oneSubject refuses contradictory subject flags, e.g. --demo --tenant X.
// apply is an exception: it takes the audit from --snapshot and re-reads
// the live tenant's policies (--tenant) before creating anything; so is
// hunt, whose --demo is an export set of logs and --snapshot the tenant's
// configuration (its log retention) beside them.
func oneSubject(cmd *cobra.Command) error {
	if cmd.Name() == "apply" || cmd.Name() == "hunt" {
		return nil
	}
	var given []string
	for _, group := range subjects {
		for _, name := range group {
			if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
				given = append(given, "--"+name)
				break
			}
		}
	}
	if len(given) > 1 {
		return usagef("%s cannot be combined: each names what to read (the demo tenant, a snapshot, a saved result or a live tenant); give one", strings.Join(given, " and "))
	}
	return nil
}

// ExitCode maps an error to the exit codes of cli.md.
func ExitCode(err error) int {
	var ee *ExitError
	switch {
	case err == nil:
		return report.ExitOK
	case errors.As(err, &ee):
		return ee.Code
	case inputerr.Is(err), isUsage(err):
		return report.ExitInput
	default:
		return report.ExitRuntime
	}
}

func isUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	// cobra's own argument and unknown-command errors.
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// DefaultApp is the App for a real process.
func DefaultApp(live Live) *App {
	return &App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Live: live, IsTerminal: isTerminal}
}
