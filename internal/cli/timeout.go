package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/report"
)

// defaultTimeout bounds a collect, audit, plan or apply run: 30 minutes. A
// tenant is collected in seconds (minutes under heavy throttling, each wait
// capped at 60 s), a fleet of 1,000 snapshots audited in a few seconds, so
// only a hung service or a hostile input reaches it, and a CI job then fails
// instead of hanging for its runner's whole allowance. A fleet collection
// of hundreds of tenants may need more: --timeout 2h, or 0 for none.
const defaultTimeout = 30 * time.Minute

// withTimeout gives cmd a --timeout flag and runs it under that deadline
// (its context, so every request, retry wait and evaluation stops with it).
// A run that ran out of time exits 4 saying so and what was incomplete,
// whatever error the interrupted work returned.
func withTimeout(cmd *cobra.Command) *cobra.Command {
	var d time.Duration
	cmd.Flags().DurationVar(&d, "timeout", defaultTimeout, "stop the run after this long (exit 4, saying what was incomplete); 0 = no limit")
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if d < 0 {
			return usagef("--timeout must not be negative")
		}
		if d == 0 {
			return run(c, args)
		}
		ctx, cancel := context.WithTimeout(c.Context(), d)
		defer cancel()
		c.SetContext(ctx)
		err := run(c, args)
		if err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return err
		}
		msg := fmt.Sprintf("timed out after %s (--timeout)", d)
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Err != nil {
			msg += ": " + err.Error()
		}
		return &ExitError{Code: report.ExitRuntime, Err: errors.New(msg)}
	}
	return cmd
}
