// Package textcol lays out text for a terminal: display width (wide and
// combining characters), word wrapping, and tables whose cells wrap so that
// no row is wider than the terminal. Width and wrapping come from
// charmbracelet/x/ansi (grapheme-aware, ANSI-aware); this package only
// decides where columns go.
package textcol

import (
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"
)

// DefaultWidth is the width used when output is not a terminal and COLUMNS
// is not set: what a terminal opens with, and what CI logs and e-mails show
// without wrapping.
const DefaultWidth = 80

// MinWidth is the narrowest layout; narrower requests are widened to it.
const MinWidth = 40

// Width is the display width of s in terminal cells.
func Width(s string) int { return ansi.StringWidth(s) }

// EnvWidth reads COLUMNS; 0 when unset or not a usable number.
func EnvWidth() int {
	n, err := strconv.Atoi(strings.TrimSpace(os.Getenv("COLUMNS")))
	if err != nil || n < 1 {
		return 0
	}
	return max(n, MinWidth)
}

// Wrap breaks s into lines of at most width cells. Runs of whitespace
// (newlines included) count as one space. Lines break at spaces; a word that
// does not fit goes whole to the next line, so ids (GUIDs), UPNs and paths
// stay copyable. Inside a word a line breaks only where the word holds
// Japanese or other wide text (between its characters, by the Unicode line
// breaking rules, which keep 、。」 off a line's start), or where the word alone
// is wider than a line (after '/', '.', '_', '?', '&', '=', ',', ';' or ':'
// if it can, else anywhere). A URL is never broken: a terminal can only open
// it whole, so it may run past the width.
func Wrap(s string, width int) []string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return []string{""}
	}
	if width < 1 || Width(s) <= width {
		return []string{s}
	}
	l := &liner{width: width}
	for _, word := range strings.Split(s, " ") {
		l.word(word)
	}
	l.newline()
	return l.out
}

// liner fills lines greedily.
type liner struct {
	width int
	out   []string
	cur   strings.Builder
	curW  int
}

func (l *liner) word(w string) {
	ww := Width(w)
	gap := 0
	if l.cur.Len() > 0 {
		gap = 1
	}
	switch {
	case l.curW+gap+ww <= l.width:
		l.add(w, ww, gap)
	case strings.Contains(w, "://") || (ww <= l.width && !hasWide(w)):
		l.newline()
		l.add(w, ww, 0)
	default:
		for i, p := range pieces(w, l.width) {
			pw, g := Width(p), 0
			if i == 0 && l.cur.Len() > 0 {
				g = 1
			}
			if l.curW+g+pw > l.width {
				l.newline()
				g = 0
			}
			l.add(p, pw, g)
		}
	}
}

func (l *liner) add(s string, w, gap int) {
	if gap > 0 {
		l.cur.WriteByte(' ')
	}
	l.cur.WriteString(s)
	l.curW += gap + w
}

func (l *liner) newline() {
	if l.cur.Len() > 0 {
		l.out = append(l.out, l.cur.String())
	}
	l.cur.Reset()
	l.curW = 0
}

// hasWide reports whether s holds a character two cells wide (CJK).
func hasWide(s string) bool { return Width(s) > utf8.RuneCountInString(s) }

// pieces cuts a word at its line break opportunities (UAX #14, from
// rivo/uniseg); a piece still wider than a line is cut after punctuation,
// and what is still too wide, anywhere (ansi.Hardwrap, grapheme-aware).
func pieces(w string, width int) []string {
	var out []string
	state := -1
	for rest := w; rest != ""; {
		var seg string
		seg, rest, _, state = uniseg.FirstLineSegmentInString(rest, state)
		if Width(seg) <= width {
			out = append(out, seg)
			continue
		}
		for _, p := range splitAfter(seg, "/._?&=,;:") {
			if Width(p) <= width {
				out = append(out, p)
				continue
			}
			out = append(out, strings.Split(ansi.Hardwrap(p, width, false), "\n")...)
		}
	}
	return out
}

// splitAfter cuts s after each byte of cuts (ASCII), keeping the bytes.
func splitAfter(s, cuts string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(cuts, s[i]) >= 0 && i+1 < len(s) {
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// Indent wraps s to width with every line after the first indented by
// indent spaces (a hanging indent) and the first by first's width already
// used; it returns the lines joined by newlines.
func Indent(s string, width, indent int) string {
	lines := Wrap(s, max(width-indent, 10))
	pad := strings.Repeat(" ", indent)
	for i := 1; i < len(lines); i++ {
		lines[i] = pad + lines[i]
	}
	return strings.Join(lines, "\n")
}

// Pad right-pads s with spaces to n cells.
func Pad(s string, n int) string {
	if w := Width(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// Column describes one column of a Table.
type Column struct {
	Header string
	// Min is the narrowest the column may be squeezed to (default: its
	// header's width, at least 8).
	Min int
}

// Table is rows of cells under column headers.
type Table struct {
	Columns []Column
	Rows    [][]string
	// Gap separates columns (default two spaces).
	Gap string
	// Paint, when set, decorates a cell's text after padding is computed
	// (colour); it must not change the text's width.
	Paint func(row, col int, s string) string
	// HeaderPaint decorates the header line.
	HeaderPaint func(s string) string
}

// Widths chooses each column's width for a total of at most width cells:
// columns keep their natural width (longest cell) while it fits; otherwise
// the widest column is narrowed, one cell at a time, down to its minimum.
func (t *Table) Widths(width int) []int {
	gap := t.gap()
	n := len(t.Columns)
	ws := make([]int, n)
	mins := make([]int, n)
	for i, c := range t.Columns {
		ws[i] = Width(c.Header)
		mins[i] = c.Min
		if mins[i] == 0 {
			mins[i] = max(Width(c.Header), 8)
		}
	}
	for _, r := range t.Rows {
		for i := 0; i < n && i < len(r); i++ {
			ws[i] = max(ws[i], Width(strings.Join(strings.Fields(r[i]), " ")))
		}
	}
	total := func() int {
		s := Width(gap) * (n - 1)
		for _, w := range ws {
			s += w
		}
		return s
	}
	for total() > width {
		widest := -1
		for i := range ws {
			if ws[i] > mins[i] && (widest < 0 || ws[i] > ws[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break // every column at its minimum: the table is wider than asked
		}
		ws[widest]--
	}
	return ws
}

func (t *Table) gap() string {
	if t.Gap == "" {
		return "  "
	}
	return t.Gap
}

// Write renders the table at most width cells wide (see Widths), wrapping
// cells that do not fit their column onto continuation lines.
func (t *Table) Write(w io.Writer, width int) error {
	ws := t.Widths(width)
	var b strings.Builder
	gap := t.gap()
	line := func(cells []string, row int) {
		wrapped := make([][]string, len(ws))
		height := 1
		for i := range ws {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			wrapped[i] = Wrap(cell, ws[i])
			height = max(height, len(wrapped[i]))
		}
		for l := 0; l < height; l++ {
			var sb strings.Builder
			for i := range ws {
				text := ""
				if l < len(wrapped[i]) {
					text = wrapped[i][l]
				}
				last := i == len(ws)-1
				padded := text
				if !last {
					padded = Pad(text, ws[i])
				}
				if t.Paint != nil && row >= 0 && text != "" {
					padded = t.Paint(row, i, text) + padded[len(text):]
				}
				sb.WriteString(padded)
				if !last {
					sb.WriteString(gap)
				}
			}
			b.WriteString(strings.TrimRight(sb.String(), " "))
			b.WriteByte('\n')
		}
	}
	headers := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		headers[i] = c.Header
	}
	if t.HeaderPaint != nil {
		var sb strings.Builder
		for i, h := range headers {
			if i < len(headers)-1 {
				sb.WriteString(Pad(h, ws[i]) + gap)
			} else {
				sb.WriteString(h)
			}
		}
		b.WriteString(t.HeaderPaint(sb.String()) + "\n")
	} else {
		line(headers, -1)
	}
	for i, r := range t.Rows {
		line(r, i)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
