package read

import (
	"strings"
)

// csvMapper maps one CSV row (its physical start line given) to events.
type csvMapper func(w *worker, row []string, line int) error

// header is a CSV header row with normalised names: lower case, trimmed,
// inner whitespace collapsed ("Application ID " and "Autonomous system
// number" as the portal writes them both match).
type header struct {
	names []string
	idx   map[string]int
}

func newHeader(row []string) header {
	h := header{names: make([]string, len(row)), idx: map[string]int{}}
	for i, n := range row {
		n = strings.Join(strings.Fields(strings.ToLower(strings.Trim(n, "\"\ufeff "))), " ")
		h.names[i] = n
		if _, dup := h.idx[n]; !dup { // repeated columns: the first wins
			h.idx[n] = i
		}
	}
	return h
}

// col is the index of the first of names present, -1 when none is.
func (h header) col(names ...string) int {
	for _, n := range names {
		if i, ok := h.idx[n]; ok {
			return i
		}
	}
	return -1
}

func (h header) has(names ...string) bool {
	for _, n := range names {
		if _, ok := h.idx[n]; !ok {
			return false
		}
	}
	return true
}

// prefixed lists the columns whose names start with p, in order.
func (h header) prefixed(p string) []int {
	var out []int
	for i, n := range h.names {
		if strings.HasPrefix(n, p) {
			out = append(out, i)
		}
	}
	return out
}
