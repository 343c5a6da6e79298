package cli

import (
	"io"
	"os"

	"golang.org/x/term"

	"github.com/tenantgate/tenantgate/internal/textcol"
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
