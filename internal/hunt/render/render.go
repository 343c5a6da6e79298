// Package render writes hunt's result model (internal/hunt/result) in the
// output formats. Each format registers itself from its own file, so the
// hunt command and the tests share one list of formats.
package render

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// Options tune rendering that is not part of the result.
type Options struct {
	// Width is the terminal width for the table; 0 = 100.
	Width int
	// Location displays times (nil: UTC). JSON and the CSV's UTC column
	// are always UTC.
	Location *time.Location
	// Lang is the language of the table, Markdown and HTML reports (en,
	// ja; "" = en). JSON and CSV are English whatever it says.
	Lang string
}

// Renderer writes one result in one format.
type Renderer func(w io.Writer, r *result.Result, opts Options) error

var renderers = map[string]Renderer{}

// Register adds a format; called from init functions of this package.
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

// Has reports whether a format is registered.
func Has(format string) bool { _, ok := renderers[format]; return ok }

// Write renders r in format to w.
func Write(w io.Writer, format string, r *result.Result, opts Options) error {
	f, ok := renderers[format]
	if !ok {
		return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats(), ", "))
	}
	return f(w, r, opts)
}
