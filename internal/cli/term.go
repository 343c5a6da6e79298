package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

// isTerminal reports whether v is an *os.File attached to a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminal reports whether v is a terminal, looking through the textsafe
// writer Main puts around stderr.
func (a *App) terminal(v any) bool {
	if u, ok := v.(interface{ Unwrap() io.Writer }); ok {
		v = u.Unwrap()
	}
	return a.IsTerminal != nil && a.IsTerminal(v)
}

// rawStderr is stderr without the textsafe writer Main puts around it, for
// a progress bar: it draws with carriage returns and escape sequences of its
// own making, which the textsafe writer would show as text. Tenant text never
// goes through it.
func (a *App) rawStderr() io.Writer {
	if u, ok := a.Stderr.(interface{ Unwrap() io.Writer }); ok {
		return u.Unwrap()
	}
	return a.Stderr
}

// width is the width text output is laid out for: $COLUMNS when set (so a
// user or a script can ask for any width, also in a pipe), else the
// terminal's width when stdout is one, else textcol.DefaultWidth (80: files,
// pipes and CI logs). Never below textcol.MinWidth.
func (a *App) width() int {
	if w := textcol.EnvWidth(); w > 0 {
		return w
	}
	if f, ok := a.Stdout.(*os.File); ok && a.terminal(a.Stdout) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return max(w, textcol.MinWidth)
		}
	}
	return textcol.DefaultWidth
}

// warn prints one warning on stderr, wrapped to the width with its
// continuation lines under the text, as collect's and hunt's warnings are.
// The message may quote the service or the tenant: textsafe.Line keeps it
// one line of printable text before it is wrapped.
func (a *App) warn(format string, args ...any) {
	const prefix = "warning: "
	fmt.Fprintln(a.Stderr, textcol.Indent(prefix+textsafe.Line(fmt.Sprintf(format, args...)), a.width(), len(prefix)))
}

// shellCommand lays out a command to copy and run: indented by two, a flag
// kept with its value, continued with " \" before width is reached. Values a
// shell would split or expand are single-quoted.
func shellCommand(args []string, width int) string {
	var words []string
	for i := 0; i < len(args); i++ {
		w := shellQuote(args[i])
		if strings.HasPrefix(args[i], "--") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			i++
			w += " " + shellQuote(args[i])
		}
		words = append(words, w)
	}
	var b strings.Builder
	b.WriteString("  ")
	col := 2
	for i, w := range words {
		if i > 0 {
			if col+1+textcol.Width(w)+2 > width {
				b.WriteString(" \\\n    ")
				col = 4
			} else {
				b.WriteString(" ")
				col++
			}
		}
		b.WriteString(w)
		col += textcol.Width(w)
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/@=+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
