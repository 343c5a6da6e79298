package read

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// jsonScanner cuts a JSON log file into records without reading it whole.
// It accepts every container Microsoft's exports and tools produce: a JSON
// array of records, one Graph page ({"@odata.context": ..., "value": [...]}),
// several pages one after another (or in an array), and JSON Lines. An
// object at the top level or in an array is a page when its first key is
// "value" or starts with "@odata"; otherwise it is a record.
type jsonScanner struct {
	r     io.Reader
	buf   []byte
	pos   int   // next byte to scan
	end   int   // end of valid data
	base  int64 // offset in the input of buf[0]
	line  int   // line of buf[pos]
	eof   bool
	rerr  error
	stack []state
	// context is the last page's @odata.context (it names the mailbox of
	// a messageRules page).
	context string
	last    int64 // offset of the last record returned
}

type state uint8

const (
	inArray  state = iota + 1 // a top-level (or nested) array of records or pages
	inPage                    // a page object: keys, one of which is value
	inValues                  // a page's value array: records
)

var errScan = errors.New("json scan")

func newJSONScanner(r io.Reader) *jsonScanner {
	return &jsonScanner{r: r, buf: make([]byte, 256<<10), line: 1}
}

// syntaxError is an input error at the scanner's line.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string { return e.msg }

func (s *jsonScanner) fail(format string, args ...any) error {
	return &syntaxError{line: s.line, msg: fmt.Sprintf(format, args...)}
}

// fill reads more data, keeping buf[keep:]; it returns how far the kept
// bytes moved (callers subtract it from offsets they hold) and false at
// the end of input.
func (s *jsonScanner) fill(keep int) (int, bool) {
	if s.eof {
		return 0, false
	}
	moved := keep
	s.base += int64(keep)
	if keep > 0 {
		copy(s.buf, s.buf[keep:s.end])
		s.end -= keep
		s.pos -= keep
	}
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.rerr = err
			}
			return moved, n > 0
		}
		if n > 0 {
			return moved, true
		}
	}
}

// peek returns the next non-space byte (advancing over the space), 0 at
// the end of input.
func (s *jsonScanner) peek() byte {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			switch c {
			case ' ', '\t', '\r':
				s.pos++
			case '\n':
				s.pos++
				s.line++
			default:
				return c
			}
		}
		if _, ok := s.fill(s.pos); !ok {
			return 0
		}
	}
}

// Next returns the next record (valid until the next call) and the line of
// its opening brace; io.EOF at the end. Offset is the record's offset in
// the input after the call.
func (s *jsonScanner) Next() ([]byte, int, error) {
	for {
		c := s.peek()
		if s.rerr != nil {
			return nil, 0, s.rerr
		}
		var top state
		if n := len(s.stack); n > 0 {
			top = s.stack[n-1]
		}
		if c == 0 {
			if top != 0 {
				return nil, 0, s.fail("unexpected end of file inside a JSON %s", map[state]string{inArray: "array", inPage: "object", inValues: "array"}[top])
			}
			return nil, 0, io.EOF
		}
		switch top {
		case 0, inArray, inValues:
			switch {
			case c == '[' && top == 0:
				s.pos++
				s.stack = append(s.stack, inArray)
				continue
			case c == ']' && top != 0:
				s.pos++
				s.stack = s.stack[:len(s.stack)-1]
				continue
			case c == ',' && top != 0:
				s.pos++
				continue
			case c == '{':
				if top != inValues {
					page, err := s.isPage()
					if err != nil {
						return nil, 0, err
					}
					if page {
						s.pos++
						s.stack = append(s.stack, inPage)
						continue
					}
				}
				line := s.line
				start, end, err := s.value()
				if err != nil {
					return nil, 0, err
				}
				s.last = s.base + int64(start)
				return s.buf[start:end], line, nil
			}
			if top == 0 {
				return nil, 0, s.fail("want a JSON object or array of records, found %q", c)
			}
			return nil, 0, s.fail("want a JSON object (a record), found %q", c)
		case inPage:
			switch c {
			case '}':
				s.pos++
				s.stack = s.stack[:len(s.stack)-1]
				continue
			case ',':
				s.pos++
				continue
			case '"':
			default:
				return nil, 0, s.fail("want a key in a Graph page, found %q", c)
			}
			start, end, err := s.value()
			if err != nil {
				return nil, 0, err
			}
			key := string(s.buf[start+1 : end-1])
			if s.peek() != ':' {
				return nil, 0, s.fail("want ':' after key %s", key)
			}
			s.pos++
			v := s.peek()
			switch {
			case equalFold(key, "value") && v == '[':
				s.pos++
				s.stack = append(s.stack, inValues)
			case equalFold(key, "@odata.context") && v == '"':
				vs, ve, err := s.value()
				if err != nil {
					return nil, 0, err
				}
				s.context = unquote(s.buf[vs:ve])
			default:
				if _, _, err := s.value(); err != nil {
					return nil, 0, err
				}
			}
		}
	}
}

// isPage looks at the first key of the object at s.pos.
func (s *jsonScanner) isPage() (bool, error) {
	i := s.pos + 1
	for {
		for i < s.end {
			switch s.buf[i] {
			case ' ', '\t', '\r', '\n':
				i++
				continue
			case '"':
				// Read the key (keys of interest are short and unescaped).
				j := i + 1
				for j < s.end && s.buf[j] != '"' && j-i < 64 {
					j++
				}
				if j < s.end || j-i >= 64 {
					k := s.buf[i+1 : min(j, s.end)]
					return bytes.EqualFold(k, []byte("value")) || (len(k) >= 6 && bytes.EqualFold(k[:6], []byte("@odata"))), nil
				}
			default:
				return false, nil
			}
			break
		}
		moved, ok := s.fill(s.pos)
		i -= moved
		if !ok {
			return false, nil
		}
	}
}

// value scans the JSON value at s.pos (an object, array, string or
// scalar), leaving s.pos after it, and returns its bounds in s.buf.
func (s *jsonScanner) value() (int, int, error) {
	start := s.pos
	depth := 0
	inStr := false
	i := s.pos
	for {
		for i < s.end {
			c := s.buf[i]
			if inStr {
				switch c {
				case '\\':
					if i+1 >= s.end {
						goto more
					}
					i += 2
					continue
				case '"':
					inStr = false
					if depth == 0 {
						s.pos = i + 1
						return start, i + 1, nil
					}
				case '\n':
					s.line++
				}
				i++
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.pos = i + 1
					return start, i + 1, nil
				}
				if depth < 0 {
					s.pos = i
					return 0, 0, s.fail("unbalanced %q", c)
				}
			case '\n':
				s.line++
			case ',', ' ', '\t', '\r':
				if depth == 0 {
					s.pos = i
					return start, i, nil
				}
			}
			i++
		}
	more:
		moved, ok := s.fill(start)
		start -= moved
		i -= moved
		if !ok {
			if depth == 0 && !inStr && i > start {
				s.pos = i
				return start, i, nil
			}
			s.pos = i
			return 0, 0, s.fail("unexpected end of file inside a JSON value (the file is truncated)")
		}
	}
}

func equalFold(a, b string) bool { return len(a) == len(b) && bytes.EqualFold([]byte(a), []byte(b)) }

// unquote decodes a JSON string literal; on error it returns the raw text.
func unquote(b []byte) string {
	var out string
	if err := jsonUnmarshalString(b, &out); err != nil {
		return string(bytes.Trim(b, `"`))
	}
	return out
}
