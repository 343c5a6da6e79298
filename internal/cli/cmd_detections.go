package cli

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/hunt/detect"
	"github.com/tenantgate/tenantgate/internal/textcol"
)

func init() { register(newDetectionsCmd) }

// techniqueID finds the MITRE ATT&CK ids in a technique text
// ("T1557 Adversary-in-the-Middle; T1539 Steal Web Session Cookie").
var techniqueID = regexp.MustCompile(`\bT\d{4}(?:\.\d{3})?\b`)

func newDetectionsCmd(app *App) *cobra.Command {
	var format string
	var long bool
	cmd := &cobra.Command{
		Use:   "detections",
		Short: "List the hunt detections: id, severity, title, ATT&CK technique",
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
				var entries []longEntry
				for _, d := range cat {
					entries = append(entries, longEntry{d.ID + "  [" + sev(d) + "]  " + d.Title, [][2]string{
						{"technique", d.Technique},
						{"seed", d.Seed},
						{"what", d.Description},
						{"response", d.Response},
						{"rego", fmt.Sprintf("%s:%d", d.File, d.Line)},
					}})
				}
				return writeLong(app.Stdout, app.width(), entries)
			}
			// The table names techniques by id (their names are in --long
			// and the JSON), so a title keeps its line at 80 columns.
			t := textcol.Table{Columns: []textcol.Column{{Header: "ID", Min: 10}, {Header: "SEVERITY", Min: 11}, {Header: "TITLE", Min: 20}, {Header: "ATT&CK", Min: 9}}}
			for _, d := range cat {
				t.Rows = append(t.Rows, []string{d.ID, sev(d), d.Title, strings.Join(techniqueID.FindAllString(d.Technique, -1), " ")})
			}
			return t.Write(app.Stdout, app.width())
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table or json")
	cmd.Flags().BoolVarP(&long, "long", "l", false, "show what each detection looks for, its seed slide and the response step")
	return cmd
}
