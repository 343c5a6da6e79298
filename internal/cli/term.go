package cli

import (
	"os"

	"golang.org/x/term"
)

// isTerminal reports whether v is an *os.File attached to a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (a *App) terminal(v any) bool {
	return a.IsTerminal != nil && a.IsTerminal(v)
}
