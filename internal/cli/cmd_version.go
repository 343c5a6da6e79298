package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/version"
)

func init() { register(newVersionCmd) }

func newVersionCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date (also --version)",
		Long: `Print tenantgate's version, the commit it was built from and the build date.

Release binaries and container images carry the values stamped at release;
a binary from 'go install ...@vX.Y.Z' reports that module version, and the
commit and date Go recorded when building from a git checkout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := version.Get()
			if asJSON {
				enc := json.NewEncoder(app.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			_, err := fmt.Fprintf(app.Stdout, "tenantgate %s\n", info)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the version information as JSON")
	return cmd
}
