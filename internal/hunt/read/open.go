package read

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/tenantgate/tenantgate/internal/inputerr"
)

// Expand turns the command line's paths into files: files as given,
// directories read recursively (entries sorted, hidden entries skipped),
// globs expanded (sorted). A path that matches nothing is an input error.
func Expand(args []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, a := range args {
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			var files []string
			werr := filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if p != a && strings.HasPrefix(d.Name(), ".") {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if d.Type().IsRegular() {
					files = append(files, p)
				}
				return nil
			})
			if werr != nil {
				return nil, inputerr.New(a, "cannot read directory: %v", werr)
			}
			sort.Strings(files)
			for _, f := range files {
				add(f)
			}
		case err == nil:
			add(a)
		case strings.ContainsAny(a, "*?["):
			m, gerr := filepath.Glob(a)
			if gerr != nil {
				return nil, inputerr.New(a, "bad pattern: %v", gerr)
			}
			if len(m) == 0 {
				return nil, inputerr.New(a, "no file matches this pattern")
			}
			sort.Strings(m)
			for _, f := range m {
				// Like a shell, a pattern matches hidden files only when it says so.
				if strings.HasPrefix(filepath.Base(f), ".") && !strings.HasPrefix(filepath.Base(a), ".") {
					continue
				}
				if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
					add(f)
				}
			}
		default:
			var pe *os.PathError
			msg := err.Error()
			if errors.As(err, &pe) {
				msg = pe.Err.Error()
			}
			return nil, inputerr.New(a, "cannot read: %s", msg)
		}
	}
	if len(out) == 0 {
		return nil, inputerr.New(strings.Join(args, " "), "no input files")
	}
	return out, nil
}

// counter counts the bytes read from a file (progress).
type counter struct {
	r  io.Reader
	on func(int64)
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 && c.on != nil {
		c.on(int64(n))
	}
	return n, err
}

// decoded returns the file's text as UTF-8: a UTF-8 BOM is dropped, and
// UTF-16 with a BOM (PowerShell 5.1's Export-Csv -Encoding Unicode) is
// decoded. Line breaks are kept as they are (CRLF or LF), so line numbers
// are the file's.
//
// prefix is the number of bytes before the text (a UTF-8 BOM), or -1 when
// text offsets are not file offsets (UTF-16).
func decoded(r io.Reader) (*bufio.Reader, string, int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		return br, "UTF-8 with BOM", 3, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		return bufio.NewReaderSize(transform.NewReader(br, dec), 1<<20), "UTF-16 LE", -1, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		return bufio.NewReaderSize(transform.NewReader(br, dec), 1<<20), "UTF-16 BE", -1, nil
	}
	return br, "UTF-8", 0, nil
}
