package cli

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/permissions"
)

func init() { register(newPermissionsCmd) }

func newPermissionsCmd(app *App) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "permissions",
		Short: "Print the least-privileged permissions each command needs",
		Long: `Print the least-privileged Microsoft Graph permissions (application and
delegated) and Azure roles each command needs, the Entra roles a signed-in
user needs, what each source becomes without its permission (denied: the
controls that read it are not_assessed), and how to grant them (Azure CLI,
Microsoft Graph PowerShell). --format json gives the same per command and per
source (evidence's sources under evidenceSources).`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			switch format {
			case "text":
				return permissions.WriteText(app.Stdout, app.width())
			case "json":
				enc := json.NewEncoder(app.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"commands": permissions.Needs(), "sources": permissions.Endpoints, "evidenceSources": permissions.EvidenceSources})
			default:
				return usagef("--format %q: want text or json", format)
			}
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "text or json")
	return cmd
}
