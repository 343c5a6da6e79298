// Package testutil holds helpers shared by the tests of several packages:
// golden files and the audited demo tenant. It is imported by tests only.
package testutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Golden compares got with the golden file at path, or rewrites the file
// when update is set (each package's -update flag). pkg names the package
// for the hint printed on a mismatch.
func Golden(t testing.TB, path string, got []byte, update bool, pkg string) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test %s -update to create it)", err, pkg)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test %s -update to accept):\n%s", path, pkg, FirstDiff(string(want), string(got)))
	}
}

// FirstDiff shows the first differing line.
func FirstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want: %q\n  got:  %q", i+1, w, g)
		}
	}
	return "(same lines, different bytes)"
}

var (
	engOnce sync.Once
	eng     *engine.Engine
	engErr  error
)

// Engine returns the policies compiled once per test process.
func Engine(t testing.TB) *engine.Engine {
	t.Helper()
	engOnce.Do(func() { eng, engErr = engine.New(context.Background(), "test") })
	if engErr != nil {
		t.Fatal(engErr)
	}
	return eng
}

// Now is the fixed evaluation time of demo reports.
var Now = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// DemoReport audits the embedded demo tenant under b (nil: the demo's own
// baseline) at Now.
func DemoReport(t testing.TB, b *baseline.Baseline) *report.Report {
	t.Helper()
	s, demoBaseline := Demo(t)
	if b == nil {
		b = demoBaseline
	}
	r, err := Engine(t).Evaluate(context.Background(), s, b, Now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Result is control id's result in r; the test fails when r has none, so a
// check on that result cannot pass by never running.
func Result(t testing.TB, r *report.Report, id string) report.Result {
	t.Helper()
	for _, res := range r.Results {
		if res.ID == id {
			return res
		}
	}
	t.Fatalf("the report has no result for %s", id)
	return report.Result{}
}

// Demo returns the demo tenant's snapshot and its own baseline.
func Demo(t testing.TB) (*snapshot.Snapshot, *baseline.Baseline) {
	t.Helper()
	s, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := demo.Baseline()
	if err != nil {
		t.Fatal(err)
	}
	return s, b
}

// Hostile is text a tenant's admins or a server control: terminal escapes
// (clear screen, window title), a carriage return, DEL, a C1 CSI, a bidi
// override, invalid UTF-8, and newlines followed by a Markdown heading, a
// table row and HTML. Tests put it in names and messages and check that no
// text output passes it on raw (UnsafeText).
const Hostile = "Evil\x1b[2J\x1b]0;pwned\x07\r\x7f\u009b31m\u202eTXE.exe\xff\n## Injected\n| x | y |\n<script>alert(1)</script>"

// UnsafeText describes the first character of s that a terminal or a
// bidi-aware viewer would act on: a control character other than newline,
// DEL, a C1 control, a bidi formatting character or invalid UTF-8; "" when
// there is none. allow lists further characters the format may hold (tabs
// and CRs in XML or JSON whitespace).
func UnsafeText(s string, allow ...rune) string {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return fmt.Sprintf("invalid UTF-8 at byte %d", i)
			}
		case r == '\n', slices.Contains(allow, r):
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
			return fmt.Sprintf("%U at byte %d: %q", r, i, s[max(0, i-20):min(len(s), i+20)])
		}
	}
	return ""
}

// InjectedHeading returns the first line of Markdown out that starts a
// heading made of Hostile's injected text, or "".
func InjectedHeading(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " >-*"), "#") && strings.Contains(line, "Injected") &&
			!strings.Contains(line, "Evil") {
			return line
		}
	}
	return ""
}

// CheckInputError fails unless err is an input error naming file with a
// message short enough for one line (inputerr.MaxMessage): what every
// loader's fuzz target asks of a refusal.
func CheckInputError(t testing.TB, err error, file string) {
	t.Helper()
	var ie *inputerr.Error
	if !errors.As(err, &ie) || ie.File != file {
		t.Fatalf("want an input error naming %s, got %T %v", file, err, err)
	}
	if n := len(err.Error()) - len(file); n > inputerr.MaxMessage+40 {
		t.Fatalf("a %d-byte error message: %.200s", n, err)
	}
}
