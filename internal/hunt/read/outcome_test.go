package read

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// TestUALSignInOutcome: a UAL sign-in is successful as its sign-in log
// record is: UserLoggedIn with ErrorNumber 0 (or none). The UAL writes the
// "keep me signed in" interrupt as UserLoggedIn with ErrorNumber 50140 (the
// real Purview capture has two), which the sign-in log calls Interrupted:
// it is accepted (TG.HUNT.1, 3) but not a successful sign-in (an address is
// not the user's own from it, nor does it make another victim). A
// UserLoginFailed without an ErrorNumber is a failure, never accepted.
func TestUALSignInOutcome(t *testing.T) {
	rec := func(id, op, errNum string) string {
		s := `{"CreationTime":"2023-12-12T04:50:17","Id":"` + id + `","Operation":"` + op + `","RecordType":15,"UserType":0,"Workload":"AzureActiveDirectory",` +
			`"ClientIP":"198.51.100.7","ObjectId":"4765445b-32c6-49b0-83e6-1d93765276ca","UserId":"johanna@sunnyside08.onmicrosoft.com"`
		if errNum != "" {
			s += `,"ErrorNumber":"` + errNum + `"`
		}
		return s + "}\n"
	}
	p := filepath.Join(t.TempDir(), "ual.jsonl")
	body := rec("ok", "UserLoggedIn", "0") + rec("ok-no-number", "UserLoggedIn", "") + rec("kmsi", "UserLoggedIn", "50140") +
		rec("failed", "UserLoginFailed", "50126") + rec("failed-no-number", "UserLoginFailed", "")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		success bool
		code    int32
	}
	got := map[string]outcome{}
	for _, e := range readFiles(t, Options{}, p).Events {
		if !e.Has(event.SignIn) {
			t.Errorf("%s: not a sign-in", e.ID)
		}
		got[e.ID] = outcome{e.Has(event.Success), e.ErrorCode}
	}
	want := map[string]outcome{"ok": {true, 0}, "ok-no-number": {true, 0}, "kmsi": {false, 50140}, "failed": {false, 50126}}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %+v, want %+v", id, got[id], w)
		}
	}
	if o := got["failed-no-number"]; o.success || o.code == 0 {
		t.Errorf("UserLoginFailed without an ErrorNumber: %+v (error code 0 is accepted)", o)
	}
}

// TestPowerShellDates: Microsoft-Extractor-Suite before 2024 wrote Graph's
// dates through Windows PowerShell's ConvertTo-Json, as "\/Date(ms)\/"
// (docs/hunt-inputs.md; its issues #76 and #96 show createdDateTime and
// auditData.CreationTime so). Milliseconds since the epoch, UTC: machine-
// written and unambiguous, read as such.
func TestPowerShellDates(t *testing.T) {
	dir := t.TempDir()
	si := filepath.Join(dir, "signins.json")
	ual := filepath.Join(dir, "ual.json")
	if err := os.WriteFile(si, []byte(`[{"id":"r1","createdDateTime":"\/Date(1702356617000)\/","userPrincipalName":"johanna@sunnyside08.onmicrosoft.com","appId":"4765445b-32c6-49b0-83e6-1d93765276ca","ipAddress":"198.51.100.7","status":{"errorCode":0}}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ual, []byte(`[{"CreationTime":"/Date(1702356644000+0000)/","Id":"u1","Operation":"UserLoggedIn","RecordType":15,"UserType":0,"Workload":"AzureActiveDirectory","UserId":"johanna@sunnyside08.onmicrosoft.com","ClientIP":"198.51.100.7"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	l := readFiles(t, Options{}, si, ual)
	got := map[string]string{}
	for _, v := range views(l) {
		got[v.ID] = v.Time
	}
	if got["r1"] != "2023-12-12T04:50:17Z" || got["u1"] != "2023-12-12T04:50:44Z" || len(l.BadRows) != 0 {
		t.Errorf("times %v, bad rows %+v", got, l.BadRows)
	}
}
