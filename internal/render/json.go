package render

import (
	"encoding/json"
	"io"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { Register("json", writeJSON) }

func writeJSON(w io.Writer, r *report.Report, _ Options) error {
	// Exact data, but nothing that acts on a terminal it is printed to.
	enc := json.NewEncoder(textsafe.JSONWriter(w))
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
