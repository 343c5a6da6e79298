package render

import (
	"bytes"
	"context"
	"flag"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt"
	"github.com/tenantgate/tenantgate/internal/hunt/correlate"
	"github.com/tenantgate/tenantgate/internal/hunt/demo"
	"github.com/tenantgate/tenantgate/internal/hunt/detect"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

var (
	demoOnce sync.Once
	demoRes  *result.Result
	demoEng  *detect.Engine
	demoErr  error
)

// demoResult investigates the embedded demo set once (the parameters of
// the demo's baseline: the office network trusted), at a fixed time.
func demoResult(t *testing.T) *result.Result {
	t.Helper()
	demoOnce.Do(func() {
		ctx := context.Background()
		if demoEng, demoErr = detect.New(ctx); demoErr != nil {
			return
		}
		fsys, err := demo.FS()
		if err != nil {
			demoErr = err
			return
		}
		now := time.Date(2023, 12, 14, 9, 0, 0, 0, time.UTC)
		demoRes, demoErr = hunt.Run(ctx, demoEng, hunt.Options{FS: fsys, Correlate: correlate.Options{
			Params: correlate.Params{ReplayWindow: 12 * time.Hour, FollowupWindow: time.Hour, IPWindow: 168 * time.Hour, CoverageSlack: 24 * time.Hour,
				ToolingUserAgents: []string{"python-requests", "axios/", "PostmanRuntime/", "AADInternals", "azurehound", "BAV2ROPC", "fasthttp", "Go-http-client"}},
			Trusted: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")},
			Version: "test", Now: now,
		}})
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoRes
}

func tokyo(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func render(t *testing.T, format string, r *result.Result, o Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, format, r, o); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return b.String()
}

// TestGolden renders the demo investigation in every human format and
// language (times in Asia/Tokyo, as the talk shows them) and compares with
// testdata/*.golden; go test -update rewrites them (read the diff).
func TestGolden(t *testing.T) {
	r := demoResult(t)
	loc := tokyo(t)
	for _, tc := range []struct{ name, format, lang string }{
		{"demo.en.md", "markdown", "en"},
		{"demo.ja.md", "markdown", "ja"},
		{"demo.en.txt", "table", "en"},
		{"demo.ja.txt", "table", "ja"},
		{"demo.ja.html", "html", "ja"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.format, r, Options{Location: loc, Lang: tc.lang, Width: 80})
			testutil.Golden(t, filepath.Join("testdata", tc.name+".golden"), []byte(got), *update, "./internal/hunt/render/")
		})
	}
}

// TestNobodyIsNoAllClearFromMissingLogs: with no user to report, the table,
// Markdown and HTML say "no user is compromised, suspicious or unknown" only
// when the logs cover the window and every --user was found; otherwise they
// say it is no all-clear, in both languages.
func TestNobodyIsNoAllClearFromMissingLogs(t *testing.T) {
	t0 := time.Date(2023, 12, 12, 0, 0, 0, 0, time.UTC)
	base := func() *result.Result {
		return &result.Result{SchemaVersion: 1, Tool: result.Tool{Name: "tenantgate", Version: "test"}, GeneratedAt: t0,
			Window: result.Window{From: &t0, To: &t0}, Users: []result.User{}, Complete: true,
			Coverage: result.Coverage{SignIns: result.KindCoverage{Files: []string{}}, DirectoryAudits: result.KindCoverage{Files: []string{}},
				UnifiedAuditLog: result.KindCoverage{Files: []string{}}, InboxRules: result.KindCoverage{Files: []string{}},
				BadRows: []result.BadRow{}, Skipped: []result.Skipped{}, BlindSpots: []result.BlindSpot{}}}
	}
	complete := base()
	uncovered := base()
	uncovered.Complete = false
	unseen := base()
	unseen.Unseen = []string{"bob@contoso.com"}
	for _, lang := range []string{"en", "ja"} {
		c, err := NewCatalog(lang)
		if err != nil {
			t.Fatal(err)
		}
		allClear, notClear := c.T("report.nobody"), c.T("report.nobody.incomplete")
		if allClear == notClear || notClear == "report.nobody.incomplete" {
			t.Fatalf("%s: %q / %q", lang, allClear, notClear)
		}
		for _, format := range []string{"table", "markdown", "html"} {
			o := Options{Lang: lang, Width: 200}
			if out := render(t, format, complete, o); !strings.Contains(out, allClear) || strings.Contains(out, notClear) {
				t.Errorf("%s %s, logs cover the window: want the all-clear\n%s", lang, format, out)
			}
			for name, r := range map[string]*result.Result{"logs missing": uncovered, "--user not found": unseen} {
				if out := render(t, format, r, o); strings.Contains(out, allClear) || !strings.Contains(out, notClear) {
					t.Errorf("%s %s, %s: want no all-clear\n%s", lang, format, name, out)
				}
			}
		}
	}
}
