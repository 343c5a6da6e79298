package render

import (
	"encoding/json"
	"io"

	"github.com/tenantgate/tenantgate/internal/report"
)

func init() { Register("json", writeJSON) }

func writeJSON(w io.Writer, r *report.Report, _ Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
