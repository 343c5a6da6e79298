package incident

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf16"
)

// Encoding of a written file.
type Encoding int

const (
	UTF8       Encoding = iota // no BOM (PowerShell 7 Export-Csv default)
	UTF8BOM                    // Entra portal downloads, Windows PowerShell -Encoding UTF8
	UTF16LEBOM                 // Windows PowerShell Export-Csv -Encoding Unicode
)

// textOut writes text in one of the encodings, buffered. Every writer of this
// package streams through it: nothing is held beyond one record.
type textOut struct {
	w   *bufio.Writer
	enc Encoding
	buf []uint16
	err error
}

func newTextOut(w io.Writer, enc Encoding) *textOut {
	t := &textOut{w: bufio.NewWriterSize(w, 1<<16), enc: enc}
	switch enc {
	case UTF8BOM:
		_, t.err = t.w.WriteString("\uFEFF")
	case UTF16LEBOM:
		_, t.err = t.w.Write([]byte{0xFF, 0xFE})
	}
	return t
}

func (t *textOut) str(s string) {
	if t.err != nil {
		return
	}
	if t.enc != UTF16LEBOM {
		_, t.err = t.w.WriteString(s)
		return
	}
	t.buf = utf16.AppendRune(t.buf[:0], 0)[:0]
	for _, r := range s {
		t.buf = utf16.AppendRune(t.buf, r)
	}
	for _, u := range t.buf {
		if err := t.w.WriteByte(byte(u)); err != nil {
			t.err = err
			return
		}
		if err := t.w.WriteByte(byte(u >> 8)); err != nil {
			t.err = err
			return
		}
	}
}

func (t *textOut) flush() error {
	if t.err != nil {
		return t.err
	}
	return t.w.Flush()
}

// csvRow writes one CSV record. quoteAll quotes every field, as Export-Csv and
// the Entra portal do; otherwise only fields that need it (the Purview export).
func (t *textOut) csvRow(fields []string, quoteAll bool) {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		if quoteAll || strings.ContainsAny(f, ",\"\r\n") || f != strings.TrimSpace(f) {
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(f, `"`, `""`))
			b.WriteByte('"')
		} else {
			b.WriteString(f)
		}
	}
	b.WriteString("\r\n")
	t.str(b.String())
}
