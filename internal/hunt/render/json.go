package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { Register("json", writeJSON) }

// writeJSON writes the JSON contract of hunt.md "Outputs" (UTC times, text
// in English whatever the language of the other reports). Users are
// encoded one at a time: a million-record investigation's timelines are
// hundreds of megabytes of JSON, never held whole in memory.
func writeJSON(w io.Writer, r *result.Result, _ Options) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := func(v any) error {
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetIndent("  ", "  ")
		e.SetEscapeHTML(false)
		if err := e.Encode(v); err != nil {
			return err
		}
		_, err := bw.Write(textsafe.JSON(bytes.TrimRight(b.Bytes(), "\n")))
		return err
	}
	fields := []struct {
		key string
		v   any
	}{
		{"schemaVersion", r.SchemaVersion}, {"tool", r.Tool}, {"generatedAt", r.GeneratedAt}, {"window", r.Window},
		{"inputs", r.Inputs}, {"coverage", r.Coverage},
	}
	bw.WriteString("{\n")
	for _, f := range fields {
		bw.WriteString(`  "` + f.key + `": `)
		if err := enc(f.v); err != nil {
			return err
		}
		bw.WriteString(",\n")
	}
	bw.WriteString(`  "users": [`)
	for i := range r.Users {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetIndent("    ", "  ")
		e.SetEscapeHTML(false)
		if err := e.Encode(r.Users[i]); err != nil {
			return err
		}
		if _, err := bw.Write(textsafe.JSON(bytes.TrimRight(b.Bytes(), "\n"))); err != nil {
			return err
		}
	}
	if len(r.Users) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("],\n  \"summary\": ")
	if err := enc(r.Summary); err != nil {
		return err
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}
