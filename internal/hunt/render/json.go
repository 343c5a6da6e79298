package render

import (
	"encoding/json"
	"io"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

func init() { Register("json", writeJSON) }

// writeJSON writes the JSON contract of hunt.md "Outputs" (UTC times, text
// in English whatever the language of the other reports).
func writeJSON(w io.Writer, r *result.Result, _ Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
