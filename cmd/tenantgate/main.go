// Command tenantgate audits a Microsoft 365 / Entra ID tenant against the
// defenses that stop AiTM phishing and business e-mail compromise.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tenantgate/tenantgate/internal/cli"
)

func main() {
	// SIGTERM (a service manager, a CI runner, kill) ends a run like Ctrl-C:
	// commands return through their cleanup (the emulator removes its
	// temporary baseline, collection stops cleanly).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, cli.DefaultApp(live()), os.Args[1:])
	stop()
	os.Exit(code)
}
