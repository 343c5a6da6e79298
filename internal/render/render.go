// Package render turns the canonical report (internal/report) into the output
// formats. Each format registers itself here from its own file, so the audit
// command, the fleet summary and tests share one list of formats.
package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

// Options tune rendering that is not part of the report itself.
type Options struct {
	// Color enables ANSI colour (table only; set only for terminals).
	Color bool
	// Width is the terminal width for the table; 0 = textcol.DefaultWidth.
	Width int
	// LinkBase is the directory an HTML fleet summary is written to: its
	// links to the tenants' reports are relative to it, so they work where
	// the file is opened. "" = the current directory (stdout).
	LinkBase string
}

func (o Options) width() int {
	if o.Width <= 0 {
		return textcol.DefaultWidth
	}
	return max(o.Width, textcol.MinWidth)
}

// Renderer writes one report in one format.
type Renderer func(w io.Writer, r *report.Report, opts Options) error

var renderers = map[string]Renderer{}

// Register adds a format. Called from init functions of this package.
func Register(name string, f Renderer) { renderers[name] = f }

// Formats lists the registered formats, sorted.
func Formats() []string {
	out := make([]string, 0, len(renderers))
	for k := range renderers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// exactFormats render the report's data exactly (JSON: the contract other
// tools read, whose encoder escapes what must be). Every other format is for
// people or their viewers (a terminal, GitHub, a CI test view, a browser)
// and renders a copy of the report whose every text passed textsafe.Text, so
// a tenant name or a server message can hold no terminal escape, control or
// bidi character there; renderers further put one-line texts through
// textsafe.Line and Markdown through textsafe.Markdown.
var exactFormats = map[string]bool{"json": true}

// Write renders r in format to w.
func Write(w io.Writer, format string, r *report.Report, opts Options) error {
	f, ok := renderers[format]
	if !ok {
		return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats(), ", "))
	}
	if !exactFormats[format] {
		r = r.MapText(textsafe.Text)
	}
	return f(w, r, opts)
}

// Has reports whether a format is registered.
func Has(format string) bool { _, ok := renderers[format]; return ok }

// Extension is the file extension of a format's files: xml for junit, md
// for markdown, txt for the table, the format's name otherwise.
func Extension(format string) string {
	switch format {
	case "junit":
		return "xml"
	case "markdown":
		return "md"
	case "table":
		return "txt"
	}
	return format
}
