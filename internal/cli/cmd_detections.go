package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/hunt/detect"
)

func init() { register(newDetectionsCmd) }

func newDetectionsCmd(app *App) *cobra.Command {
	var format string
	var long bool
	cmd := &cobra.Command{
		Use:   "detections",
		Short: "List the hunt detections (TG.HUNT.n): id, severity, title, ATT&CK technique",
		Long: `List the detections of tenantgate hunt, read from their Rego METADATA:
id, severity (high when the condition fully holds; some are medium on their
own), title and MITRE ATT&CK technique. --long adds what each looks for, the
talk's slide it comes from and the response step.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := detect.New(cmd.Context())
			if err != nil {
				return fmt.Errorf("load hunt policies: %w", err)
			}
			cat := eng.Catalog()
			switch format {
			case "json":
				enc := json.NewEncoder(app.Stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(cat)
			case "table":
			default:
				return usagef("unknown --format %q (want table or json)", format)
			}
			sev := func(d detect.Detection) string {
				if d.BaseSeverity != "" && d.BaseSeverity != d.Severity {
					return d.BaseSeverity + "/" + d.Severity
				}
				return d.Severity
			}
			if long {
				for _, d := range cat {
					fmt.Fprintf(app.Stdout, "%s  [%s]  %s\n  technique: %s\n  seed: %s\n  what: %s\n  response: %s\n  rego: %s:%d\n\n",
						d.ID, sev(d), d.Title, d.Technique, d.Seed, d.Description, d.Response, d.File, d.Line)
				}
				return nil
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE\tTECHNIQUE")
			for _, d := range cat {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.ID, sev(d), d.Title, d.Technique)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table or json")
	cmd.Flags().BoolVarP(&long, "long", "l", false, "show what each detection looks for, its seed slide and the response step")
	return cmd
}
