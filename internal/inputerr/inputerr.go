// Package inputerr carries errors about user-supplied files (snapshots, baselines,
// plans). The CLI maps them to exit code 2 and prints them as "file:line: msg",
// which is why they are a type of their own rather than wrapped strings.
package inputerr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
)

// Error is a problem with an input file. Line is 0 when the problem has no line
// (a missing file, a semantic problem found after decoding).
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

// MaxMessage bounds the message of an input error (bytes): a message may
// quote the file (a key, a value), and an error must stay one readable line.
const MaxMessage = 300

func (e *Error) Error() string {
	msg := e.Msg
	if len(msg) > MaxMessage {
		cut := MaxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	switch {
	case e.File == "":
		return msg
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	default:
		return fmt.Sprintf("%s: %s", e.File, msg)
	}
}

// New returns an input error without a position.
func New(file, format string, args ...any) *Error {
	return &Error{File: file, Msg: fmt.Sprintf(format, args...)}
}

// At returns an input error at a line.
func At(file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Is reports whether err is (or wraps) an input error.
func Is(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// LineCol converts a byte offset in data to a 1-based line and column, for
// decoders (encoding/json) that only report offsets.
//
// encoding/json's SyntaxError.Offset counts the offending byte as read; use
// SyntaxPos for those.
func LineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// SyntaxPos is the line and column of the byte a json.SyntaxError blames.
func SyntaxPos(data []byte, offset int64) (line, col int) {
	if offset > 0 {
		offset--
	}
	return LineCol(data, offset)
}

// JSON turns an encoding/json decoding error of file name (content raw) into
// an input error with the line and column it blames; what names the expected
// document in messages ("a snapshot", "a plan").
func JSON(name string, raw []byte, err error, what string) *Error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case len(raw) == 0 || errors.Is(err, io.EOF):
		return New(name, "empty file, want %s (JSON)", what)
	case errors.As(err, &syn):
		line, col := SyntaxPos(raw, syn.Offset)
		return &Error{File: name, Line: line, Col: col, Msg: "invalid JSON: " + syn.Error()}
	case errors.As(err, &typ) && typ.Field == "":
		// The document itself has the wrong type (e.g. an array of
		// snapshots, or a list exported by another tool).
		return New(name, "the file holds a JSON %s, but %s is one JSON object ({...}); is this the right file?", typ.Value, what)
	case errors.As(err, &typ):
		line, col := LineCol(raw, typ.Offset)
		return &Error{File: name, Line: line, Col: col, Msg: fmt.Sprintf("%s: cannot use a JSON %s here, want %s", typ.Field, typ.Value, typ.Type)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, _ := LineCol(raw, int64(len(raw)))
		return At(name, line, "invalid JSON: unexpected end of file (want %s)", what)
	default:
		return New(name, "invalid %s: %v", strings.TrimPrefix(strings.TrimPrefix(what, "a "), "an "), err)
	}
}

// ReadFile reads a user's file of at most max bytes; a failure is an input
// error naming the file once ("x.json: cannot read snapshot: no such file or
// directory"), not twice as *os.PathError would. A larger file, or one that
// never ends (/dev/zero, a pipe), is refused after max+1 bytes, so no input
// can grow memory without limit: every reader of a user's file names its
// limit (README "Safety" lists them).
func ReadFile(path, what string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, New(path, "cannot read %s: %v", what, pathErr(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, New(path, "cannot read %s: is a directory", what)
	}
	raw, err := ReadAll(path, what, f, max)
	if err != nil {
		return nil, err
	}
	return raw, nil
}

// ReadAll is ReadFile for an opened file (name is used in messages).
func ReadAll(name, what string, r io.Reader, max int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, New(name, "cannot read %s: %v", what, pathErr(err))
	}
	if int64(len(raw)) > max {
		return nil, New(name, "%s is larger than %s, the most tenantgate reads", what, Size(max))
	}
	return raw, nil
}

func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Size formats a byte count for messages: "64 MiB", "70.3 MiB", "512 KiB",
// "100 bytes".
func Size(n int64) string {
	unit := func(u int64, name string) string {
		if n%u == 0 {
			return fmt.Sprintf("%d %s", n/u, name)
		}
		return fmt.Sprintf("%.1f %s", float64(n)/float64(u), name)
	}
	switch {
	case n >= 1<<20:
		return unit(1<<20, "MiB")
	case n >= 1<<10:
		return unit(1<<10, "KiB")
	}
	return fmt.Sprintf("%d bytes", n)
}

// JSONDepth returns an input error at the line where raw's JSON nests
// deeper than max arrays and objects, or nil. It scans bytes (strings
// skipped) without decoding, so it is cheap enough to run before a decoder
// and catches what a decoder with a lower limit than encoding/json's would
// fail on later (the policy engine's JSON parser stops at 300 levels).
func JSONDepth(name string, raw []byte, max int) error {
	if off := DepthExceeded(raw, max); off >= 0 {
		line, col := LineCol(raw, int64(off))
		return &Error{File: name, Line: line, Col: col, Msg: fmt.Sprintf("JSON nested deeper than %d levels, the most tenantgate reads", max)}
	}
	return nil
}

// DepthExceeded returns the offset of the bracket that opens the
// (max+1)-th nested level of raw's JSON, or -1 when it nests at most max
// levels.
func DepthExceeded(raw []byte, max int) int {
	depth, inString, escaped := 0, false, false
	for i, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > max {
				return i
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return -1
}

// DuplicateKeys returns an error at the line of the first object key that
// appears twice in one JSON object of raw, comparing keys with Unicode case
// folding: encoding/json keeps the last of repeated keys and matches struct
// fields case-insensitively, so a file could show one value to a reader
// and hand another to the program (a plan body with two "state" keys).
// Syntax errors are left to the decoder that reads raw afterwards.
func DuplicateKeys(name string, raw []byte) error {
	type frame struct {
		keys      map[string]bool // nil for an array
		expectKey bool
	}
	fold := cases.Fold()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // EOF, or a syntax error the real decoder reports
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && top.keys != nil && top.expectKey {
			key, _ := tok.(string)
			k := fold.String(key)
			if top.keys[k] {
				line, col := LineCol(raw, dec.InputOffset())
				return &Error{File: name, Line: line, Col: col, Msg: fmt.Sprintf("key %q appears twice in one object (keys are compared ignoring case): remove one", key)}
			}
			top.keys[k], top.expectKey = true, false
			continue
		}
		if top != nil && top.keys != nil {
			top.expectKey = true // this value ends the member
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, expectKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		}
	}
}
