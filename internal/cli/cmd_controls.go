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
				var entries []longEntry
				for _, c := range list {
					entries = append(entries, longEntry{c.ID + "  [" + c.Severity + "]  " + c.Title, [][2]string{
						{"license", licTitle(c.Requires)},
						{"seed", c.SeedText()},
						{"why", c.Description},
						{"fix", c.Remediation},
						{"rego", fmt.Sprintf("%s:%d", c.File, c.Line)},
					}})
				}
				return writeLong(app.Stdout, width, entries)
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

// longEntry is one catalog entry of a --long listing (controls, detections):
// a heading and named fields.
type longEntry struct {
	head   string
	fields [][2]string
}

// writeLong lays entries out for the terminal: the heading wrapped with a
// hanging indent, each field's text wrapped under itself.
func writeLong(w io.Writer, width int, entries []longEntry) error {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(textcol.Indent(textsafe.Line(e.head), width, 4) + "\n")
		for _, f := range e.fields {
			b.WriteString("  " + f[0] + ": " + textcol.Indent(textsafe.Line(f[1]), width, len(f[0])+4) + "\n")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
