package cli

import (
	"io"
	"os"

	"golang.org/x/term"
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

// width is the terminal width of stdout, 0 when stdout is no terminal (the
// renderers then use their default).
func (a *App) width() int {
	f, ok := a.Stdout.(*os.File)
	if !ok || !a.terminal(a.Stdout) {
		return 0
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil || w < 60 {
		return 0
	}
	return w
}
