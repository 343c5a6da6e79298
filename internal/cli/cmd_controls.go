package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
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
			width := app.width()
			if long {
				var b strings.Builder
				field := func(name, text string) {
					b.WriteString("  " + name + ": " + textcol.Indent(textsafe.Line(text), width-2, len(name)+4) + "\n")
				}
				for _, c := range list {
					b.WriteString(textcol.Indent(c.ID+"  ["+c.Severity+"]  "+c.Title, width, 4) + "\n")
					field("license", licTitle(c.Requires))
					field("seed", c.SeedText())
					field("why", c.Description)
					field("fix", c.Remediation)
					field("rego", fmt.Sprintf("%s:%d", c.File, c.Line))
					b.WriteString("\n")
				}
				_, err := io.WriteString(app.Stdout, b.String())
				return err
			}
			t := textcol.Table{Columns: []textcol.Column{{Header: "ID", Min: 9}, {Header: "SEVERITY"}, {Header: "LICENSE", Min: 12}, {Header: "TITLE", Min: 20}}}
			for _, c := range list {
				t.Rows = append(t.Rows, []string{c.ID, c.Severity, licTitle(c.Requires), c.Title})
			}
			return t.Write(app.Stdout, width)
		},
	}
	cmd.Flags().StringVar(&baselinePath, "baseline", "", "baseline YAML (default: the embedded aitm-defense baseline)")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table or json")
	cmd.Flags().BoolVarP(&long, "long", "l", false, "show why each control matters, its license and the fix")
	return cmd
}
