package incident

import (
	"bytes"
	"io"
	"strings"
)

// Microsoft-Extractor-Suite's Graph collectors (Get-AzureEntraGraphLogs.ps1,
// invictus-ir/Microsoft-Extractor-Suite f62281f) write each Graph page as
// `$responseJson.value | ConvertTo-Json -Depth 100 | Out-File -Append
// -Encoding UTF8` into a file named after the current second: pages fetched in
// the same second land in one file as JSON arrays back to back, and a page of
// one record is written as a bare object (PowerShell unrolls a one-element
// pipeline). PowerShell 7's ConvertTo-Json indents by two spaces; Out-File on
// Windows ends lines with CRLF; PowerShell 7's UTF8 has no BOM.

// psJSON appends v as PowerShell 7's ConvertTo-Json formats it.
func psJSON(b *bytes.Buffer, v any, depth int) {
	ind := func(d int) { b.WriteString("\r\n" + strings.Repeat("  ", d)) }
	switch x := v.(type) {
	case obj:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			ind(depth + 1)
			writeString(b, e.k, false)
			b.WriteString(": ")
			psJSON(b, e.v, depth+1)
		}
		ind(depth)
		b.WriteByte('}')
	case []obj:
		items := make([]any, len(x))
		for i := range x {
			items[i] = x[i]
		}
		psJSON(b, items, depth)
	case []string:
		items := make([]any, len(x))
		for i := range x {
			items[i] = x[i]
		}
		psJSON(b, items, depth)
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			ind(depth + 1)
			psJSON(b, e, depth+1)
		}
		ind(depth)
		b.WriteByte(']')
	default:
		writeValue(b, x, false)
	}
}

// ExtractorSuitePages writes records the way Microsoft-Extractor-Suite saves
// Graph pages: each page a ConvertTo-Json document appended to the file, a
// one-record page a bare object.
type ExtractorSuitePages struct {
	out      *textOut
	pageSize int
	page     []any
}

// NewExtractorSuitePages starts the file.
func NewExtractorSuitePages(w io.Writer, pageSize int) *ExtractorSuitePages {
	return &ExtractorSuitePages{out: newTextOut(w, UTF8), pageSize: pageSize}
}

// Write adds one record.
func (e *ExtractorSuitePages) Write(o obj) {
	e.page = append(e.page, o)
	if len(e.page) == e.pageSize {
		e.flushPage()
	}
}

func (e *ExtractorSuitePages) flushPage() {
	if len(e.page) == 0 {
		return
	}
	var b bytes.Buffer
	if len(e.page) == 1 {
		psJSON(&b, e.page[0], 0)
	} else {
		psJSON(&b, e.page, 0)
	}
	b.WriteString("\r\n")
	e.out.str(b.String())
	e.page = e.page[:0]
}

// Close writes the last page and flushes.
func (e *ExtractorSuitePages) Close() error {
	e.flushPage()
	return e.out.flush()
}
