package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/engine"
)

func init() { register(newControlsCmd) }

func newControlsCmd(app *App) *cobra.Command {
	var baselinePath, format string
	var long bool
	cmd := &cobra.Command{
		Use:   "controls",
		Short: "List the controls of a baseline: id, severity, license, title",
		Long: `List the controls of the baseline in catalog order. The catalog is read from
the Rego policies' METADATA; --baseline applies its re-grades and disabled
controls. --long adds why each control matters and what to change.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, eng, err := loadPolicies(cmd.Context(), baselinePath, false)
			if err != nil {
				return err
			}
			var list []engine.Control
			for _, c := range eng.Catalog() {
				if b.Enabled(c.ID) {
					c.Severity = b.Severity(c.ID, c.Severity)
					list = append(list, c)
				}
			}
			switch format {
			case "json":
				enc := json.NewEncoder(app.Stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(list)
			case "table":
			default:
				return usagef("unknown --format %q (want table or json)", format)
			}
			licTitle := func(caps []string) string {
				if len(caps) == 0 {
					return "Free"
				}
				out := make([]string, 0, len(caps))
				for _, c := range caps {
					if l, ok := b.Licenses[c]; ok && l.Title != "" {
						out = append(out, l.Title)
					} else {
						out = append(out, c)
					}
				}
				return strings.Join(out, " + ")
			}
			if long {
				for _, c := range list {
					fmt.Fprintf(app.Stdout, "%s  [%s]  %s\n  license: %s\n  seed: %s\n  why: %s\n  fix: %s\n  rego: %s:%d\n\n",
						c.ID, c.Severity, c.Title, licTitle(c.Requires), c.Seed, c.Description, c.Remediation, c.File, c.Line)
				}
				return nil
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tLICENSE\tTITLE")
			for _, c := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Severity, licTitle(c.Requires), c.Title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&baselinePath, "baseline", "", "baseline YAML (default: the embedded aitm-defense baseline)")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table or json")
	cmd.Flags().BoolVarP(&long, "long", "l", false, "show why each control matters, its license and the fix")
	return cmd
}
