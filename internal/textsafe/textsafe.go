// Package textsafe neutralises untrusted text (tenant, policy and group names
// from Graph, server error messages, file contents) before it reaches a
// terminal or a Markdown document. It is the one sanitiser of tenantgate's
// text outputs: the table, plan and diff texts, warnings and errors on
// stderr, and Markdown (single and fleet) call it at the point where they
// render; the structured formats (JSON, SARIF, JUnit, HTML) escape through
// their encoders instead and keep the data exact (JSON passes JSON too, for
// what encoding/json leaves raw).
//
// Neutralised means made visible and inert, not dropped: a character that a
// terminal or a bidi-aware viewer would act on is replaced by its escape
// (ESC becomes `\x1b`, U+202E becomes `\u202e`, an invalid UTF-8 byte `\xff`),
// so the reader sees that the name holds it and nothing is executed or
// reordered. The characters are
//
//   - C0 controls (U+0000–U+001F) and DEL (U+007F): ESC starts terminal
//     escape sequences (clear screen, window title, hyperlinks); CR and BS
//     overwrite what was printed; NL starts a new line, which in Markdown
//     injects headings and breaks table rows;
//   - C1 controls (U+0080–U+009F): U+009B is a one-character CSI for some
//     terminals, U+0085 a newline;
//   - the bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069,
//     U+200E, U+200F, U+061C): they reorder the text displayed after them
//     ("Trojan Source"), so a policy name could display as another;
//   - U+2028 and U+2029, line and paragraph separators;
//   - bytes that are not UTF-8.
package textsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// unsafeRune reports whether r must be neutralised (see the package comment).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// escape is the visible form of an unsafe rune.
func escape(b *strings.Builder, r rune) {
	if r < 0x80 {
		fmt.Fprintf(b, `\x%02x`, r)
		return
	}
	fmt.Fprintf(b, `\u%04x`, r)
}

// neutralise escapes every unsafe rune and invalid byte of s except the
// runes keep allows.
func neutralise(s string, keep func(rune) bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (unsafeRune(r) && !keep(r)) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r) && !keep(r):
			escape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func keepNone(rune) bool { return false }

func keepLines(r rune) bool { return r == '\n' || r == '\t' }

// Line is s as one safe line: runs of whitespace (newlines included) become
// one space, leading and trailing space is trimmed, and every other unsafe
// character is escaped. For table cells, list items, one-line findings and
// messages.
func Line(s string) string {
	return neutralise(strings.Join(strings.Fields(s), " "), keepNone)
}

// Text is s with newlines and tabs kept and every other unsafe character
// escaped: for multi-line messages (errors on stderr, the plan's request
// bodies) whose line structure is the writer's, not the data's.
func Text(s string) string { return neutralise(s, keepLines) }

// Writer returns a writer that passes each write through Text: for streams
// whose every line may quote server or file text (stderr). A multi-byte
// character split across two writes is escaped byte by byte; fmt's printing
// functions write whole strings, so that does not happen in practice.
func Writer(w io.Writer) io.Writer { return &writer{w: w} }

type writer struct{ w io.Writer }

func (s *writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, Text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Unwrap returns the underlying writer (terminal detection looks through it).
func (s *writer) Unwrap() io.Writer { return s.w }

// mdReplacer escapes what would turn text into Markdown markup: HTML tags
// and entities, emphasis, links, code spans and table-cell breaks.
var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`,
)

// Markdown is s as inline Markdown text: one safe Line, with markup
// characters escaped. Balanced `code spans` (findings quote Graph calls
// that way) stay code: their content is literal in Markdown and only the
// table-cell break is escaped in them. Being one line, it can start no
// heading, list or block quote, and it never ends a table row.
func Markdown(s string) string {
	s = Line(s)
	if n := strings.Count(s, "`"); n == 0 || n%2 != 0 {
		return mdReplacer.Replace(s)
	}
	parts := strings.Split(s, "`")
	for i := range parts {
		if i%2 == 0 {
			parts[i] = mdReplacer.Replace(parts[i])
		} else {
			parts[i] = strings.ReplaceAll(parts[i], "|", `\|`) // still a table-cell break
		}
	}
	return strings.Join(parts, "`")
}

// MarkdownCode is s as one inline code span (outside tables): one safe
// Line, with backticks, which would close the span, replaced by "'".
func MarkdownCode(s string) string {
	return "`" + strings.ReplaceAll(Line(s), "`", "'") + "`"
}

// JSON returns encoded JSON with every unsafe character that encoding/json
// leaves raw (DEL, C1 controls, the bidi formatting characters) written as
// its \u escape instead. The JSON means exactly the same (the data stays
// exact for the programs that read it) but no longer acts on a terminal or
// viewer it is printed to: `audit --format json` on a terminal, a report
// opened in a pager. Those characters can only occur inside strings (JSON's
// structure is ASCII), and the encoder already escapes C0 controls and
// U+2028/U+2029; encoding/json never emits invalid UTF-8.
func JSON(b []byte) []byte {
	clean := true
	for _, r := range string(b) {
		if r >= 0x7f && unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r >= 0x7f && unsafeRune(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// JSONWriter returns a writer that passes each write through JSON: for a
// json.Encoder, which writes each encoded value in one call.
func JSONWriter(w io.Writer) io.Writer { return &jsonWriter{w: w} }

type jsonWriter struct{ w io.Writer }

func (s *jsonWriter) Write(p []byte) (int, error) {
	if _, err := s.w.Write(JSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
