package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/demo"
)

// The progress bar is drawn on stderr only when stderr is a terminal, and
// leaves nothing there when it is not (a pipe, a CI log).
func TestHuntProgressOnlyOnATerminal(t *testing.T) {
	defer func(n int64) { progressMinBytes = n }(progressMinBytes)
	progressMinBytes = 1 // the demo set is small: draw it anyway
	for _, term := range []bool{false, true} {
		var out, errb bytes.Buffer
		app := &App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
			IsTerminal: func(v any) bool { return term && v == io.Writer(&errb) }}
		code := Main(context.Background(), app, []string{"hunt", "--demo", "--format", "json"})
		if code != 1 {
			t.Fatalf("terminal=%v: exit %d: %s", term, code, errb.String())
		}
		switch {
		case !term && errb.Len() != 0:
			t.Errorf("stderr is not a terminal, yet hunt wrote to it: %q", errb.String())
		case term && !strings.Contains(errb.String(), "hunt: reading logs"):
			t.Errorf("stderr is a terminal, but no progress bar: %q", errb.String())
		case term && (!strings.Contains(errb.String(), "\r") || strings.Contains(errb.String(), `\x0d`)):
			// The bar redraws with carriage returns: they reach the
			// terminal as such, not escaped into visible "\x0d".
			t.Errorf("the bar's carriage returns were escaped: %q", errb.String())
		}
		if !json.Valid(out.Bytes()) {
			t.Errorf("terminal=%v: the report on stdout is not JSON (the bar went there?)", term)
		}
	}
}

// hunt --snapshot: the tenant's retention as the audit judges it, and
// whether the window is older than what is kept.
func TestHuntSnapshotRetention(t *testing.T) {
	snap := filepath.Join(t.TempDir(), "sunnyside.json")
	if err := os.WriteFile(snap, demo.SnapshotJSON(), 0o600); err != nil {
		t.Fatal(err)
	}
	type retention struct {
		Known       bool   `json:"known"`
		SignInDays  int    `json:"signInDays"`
		UALDays     int    `json:"ualDays"`
		Tenant      string `json:"tenant"`
		WindowOlder []string
		Controls    []struct{ ID, Status, Finding string }
	}
	for _, tc := range []struct {
		now   string
		older []string
	}{
		{"2023-12-14T09:00:00Z", nil},                                                       // the day after: everything still kept
		{"2024-03-01T00:00:00Z", []string{"signIns", "directoryAudits"}},                    // past Entra's 30 days
		{"2024-09-01T00:00:00Z", []string{"signIns", "directoryAudits", "unifiedAuditLog"}}, // past the UAL's 180
	} {
		code, out, errs := run(t, "hunt", "--demo", "--snapshot", snap, "--format", "json", "--now", tc.now)
		if code != 1 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var doc struct {
			Coverage struct {
				Retention *struct {
					retention
					WindowOlder []string `json:"windowOlder"`
				} `json:"retention"`
			} `json:"coverage"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		rt := doc.Coverage.Retention
		if rt == nil {
			t.Fatal("no coverage.retention with --snapshot")
		}
		if !rt.Known || rt.SignInDays != 30 || rt.UALDays != 180 || rt.Tenant == "" {
			t.Errorf("retention %+v: want 30 days of sign-ins (P1 in E3), 180 of UAL (Audit Standard)", rt.retention)
		}
		var ids []string
		for _, c := range rt.Controls {
			ids = append(ids, c.ID+"="+c.Status)
			if c.Finding == "" {
				t.Errorf("%s without its finding", c.ID)
			}
		}
		if len(ids) != 3 || !strings.HasPrefix(ids[0], "TG.LOG.1=") || !strings.HasPrefix(ids[2], "TG.LOG.3=") {
			t.Errorf("controls %v, want TG.LOG.1-3 as the audit judges them", ids)
		}
		if strings.Join(rt.WindowOlder, ",") != strings.Join(tc.older, ",") {
			t.Errorf("now %s: windowOlder %v, want %v", tc.now, rt.WindowOlder, tc.older)
		}
	}
	// every human format states it
	_, md, _ := run(t, "hunt", "--demo", "--snapshot", snap, "--format", "markdown", "--now", "2024-03-01T00:00:00Z")
	for _, want := range []string{"Retention of the tenant's logs", "30 days", "180 days", "TG.LOG.1", "before what the tenant keeps"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// without --snapshot the JSON has no retention key
	if _, out, _ := run(t, "hunt", "--demo", "--format", "json"); strings.Contains(out, `"retention"`) {
		t.Error("coverage.retention without --snapshot")
	}
	// a snapshot that cannot be read is an input error, before any log is read
	if code, _, errs := run(t, "hunt", "--demo", "--snapshot", write(t, "bad.json", "{"), "--format", "json"); code != 2 || !strings.Contains(errs, "bad.json") {
		t.Errorf("bad snapshot: exit %d %s", code, errs)
	}
}

func TestHuntLangAndZoneFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--lang", "fr"}, "--lang"},
		{[]string{"--tz", "Mars/Olympus"}, "--tz"},
		{[]string{"--tz", "Local"}, "--tz"},
	} {
		code, _, errs := run(t, append([]string{"hunt", "--demo", "--format", "json"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d %q", tc.args, code, errs)
		}
	}
	// JSON stays English and UTC whatever --lang and --tz say.
	_, en, _ := run(t, "hunt", "--demo", "--format", "json", "--now", "2023-12-14T09:00:00Z")
	_, ja, _ := run(t, "hunt", "--demo", "--format", "json", "--now", "2023-12-14T09:00:00Z", "--lang", "ja", "--tz", "Asia/Tokyo")
	if en != ja {
		t.Error("--lang ja / --tz changed the JSON")
	}
}
