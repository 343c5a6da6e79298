// Command tenantgate audits a Microsoft 365 / Entra ID tenant against the
// defenses that stop AiTM phishing and business e-mail compromise.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/tenantgate/tenantgate/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, cli.DefaultApp(live()), os.Args[1:])
	stop()
	os.Exit(code)
}
