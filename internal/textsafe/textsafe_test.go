package textsafe

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"one line", "one line"},
		{"  two\n\tlines  \r\n", "two lines"},
		{"a \u00a0 b", "a b"}, // Unicode spaces count too
		{"\n\n", ""},
		{"Contoso\x1b[2J\x1b]0;pwned\x07", `Contoso\x1b[2J\x1b]0;pwned\x07`}, // clear screen, window title
		{"a\x00b\x7fc\bd", `a\x00b\x7fc\x08d`},
		{"over\rwrite", "over write"},                                  // CR is whitespace on one line
		{"csi\u009b31m", `csi\u009b31m`},                               // C1 CSI
		{"Block \u202eliated\u202c ok", `Block \u202eliated\u202c ok`}, // RLO ... PDF
		{"\u2066isolate\u2069 \u200emark\u200f \u061c", `\u2066isolate\u2069 \u200emark\u200f \u061c`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"keep é 日本 \ufffd 😀", "keep é 日本 \ufffd 😀"}, // printable Unicode and a real U+FFFD stay
		{"sep\u2028arator", "sep arator"},            // U+2028 is a space to strings.Fields
	}
	for _, tt := range tests {
		if got := Line(tt.in); got != tt.want {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"two\n\tlines", "two\n\tlines"},
		{"x\x1b[31mred\r\n", `x\x1b[31mred\x0d` + "\n"},
		{"\u202e\u0085", `\u202e\u0085`},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNoUnsafeOutput: whatever the input, Line, Text and Markdown emit no
// control character, bidi control or invalid UTF-8 (Line and Markdown not
// even a newline).
func TestNoUnsafeOutput(t *testing.T) {
	var in strings.Builder
	for r := rune(0); r < 0x3000; r++ {
		in.WriteRune(r)
	}
	in.WriteString("\xff\xc3")
	all := in.String()
	check := func(name, out string, newlines bool) {
		for _, r := range out {
			if unsafeRune(r) && !(newlines && (r == '\n' || r == '\t')) {
				t.Errorf("%s left %U", name, r)
			}
		}
		if !utf8Valid(out) {
			t.Errorf("%s left invalid UTF-8", name)
		}
	}
	check("Line", Line(all), false)
	check("Markdown", Markdown(all), false)
	check("MarkdownCode", MarkdownCode(all), false)
	check("Text", Text(all), true)
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }

func TestMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Contoso\n## Injected heading\n| a | b |", `Contoso ## Injected heading \| a \| b \|`},
		{"<img src=x onerror=alert(1)> *x* [l](u) _y_", `&lt;img src=x onerror=alert(1)&gt; \*x\* \[l\](u) \_y\_`},
		{"run `GET /a|b` now", "run `GET /a\\|b` now"}, // balanced code span kept, cell break escaped
		{"odd ` tick", "odd \\` tick"},
		{"esc\x1b[2J", `esc\\x1b\[2J`}, // escapes stay literal in Markdown
	}
	for _, tt := range tests {
		if got := Markdown(tt.in); got != tt.want {
			t.Errorf("Markdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := MarkdownCode("a`b\nc"), "`a'b c`"; got != want {
		t.Errorf("MarkdownCode = %q, want %q", got, want)
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := Writer(&buf)
	n, err := w.Write([]byte("warning: \x1b]0;title\x07 denied\n"))
	if err != nil || n != 27 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if got, want := buf.String(), `warning: \x1b]0;title\x07 denied`+"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if u, ok := w.(interface{ Unwrap() io.Writer }); !ok || u.Unwrap() != &buf {
		t.Error("Writer does not unwrap to the underlying writer")
	}
}

// TestJSON: encoded JSON passed through JSON holds no unsafe character
// (what encoding/json leaves raw is escaped) and decodes to exactly the
// same value.
func TestJSON(t *testing.T) {
	var in strings.Builder
	for r := rune(0); r < 0x3000; r++ {
		in.WriteRune(r)
	}
	in.WriteString("\xff")
	want := map[string]any{"name": in.String(), "list": []any{"Evil\u202eCorp\x1b]0;t\a", "\u0085\u009b"}}
	raw, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.ContainsRune(string(raw), 0x202e) || !strings.ContainsRune(string(raw), 0x9b) {
		t.Fatal("encoding/json escaped them itself: the test proves nothing")
	}
	out := JSON(raw)
	for _, r := range string(out) {
		if unsafeRune(r) {
			t.Errorf("JSON left %U", r)
		}
	}
	var got any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	var orig any
	_ = json.Unmarshal(raw, &orig)
	if !reflect.DeepEqual(got, orig) {
		t.Error("the escaped JSON decodes to another value")
	}
	if clean := []byte(`{"a":"plain"}`); &JSON(clean)[0] != &clean[0] {
		t.Error("clean JSON was copied")
	}
	var b strings.Builder
	if n, err := JSONWriter(&b).Write(raw); err != nil || n != len(raw) || b.String() != string(out) {
		t.Errorf("JSONWriter wrote %d, %v", n, err)
	}
}
