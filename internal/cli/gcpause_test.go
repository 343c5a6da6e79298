package cli

import (
	"runtime/metrics"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/gcpause"
)

// The one-shot audit pauses the garbage collector from the policies' parse
// to the end of the evaluation (runAudit). The pause must end on every path,
// or a later evaluation in the same process (tests, a library user) runs
// with the collector off: each case audits, then checks the setting it
// started with is back.
func TestAuditRestoresTheCollector(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"demo", []string{"audit", "--demo", "--format", "json"}, 1},
		{"snapshot", []string{"audit", "--snapshot", "SNAP", "--format", "json"}, 1},
		{"unreadable snapshot", []string{"audit", "--snapshot", "/nonexistent/x.json"}, 2},
		{"bad baseline", []string{"audit", "--demo", "--baseline", "BAD"}, 2},
	}
	snap := demoWith(t, "")
	bad := write(t, "bad.yaml", "name: [\n")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const want = 137 // any setting that is not the default
			waitIdle(t)      // an earlier case's background compile
			old := gcpause.SetPercent(want)
			defer gcpause.SetPercent(old)
			for i, a := range tc.args {
				switch a {
				case "SNAP":
					tc.args[i] = snap
				case "BAD":
					tc.args[i] = bad
				}
			}
			if code, _, errOut := run(t, tc.args...); code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, errOut)
			}
			// A failed audit may leave the policies compiling in the
			// background (Warm), under their own pause: it ends when the
			// compile does.
			waitIdle(t)
			if got := gogc(); got != want {
				t.Errorf("GC percent after the audit = %d, want %d restored", got, want)
			}
		})
	}
}

// waitIdle waits for the pauses to end: a failed audit may leave the
// policies compiling in the background (Warm), under their own pause.
func waitIdle(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); gcpause.Holding(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a garbage-collector pause still holds 30 s after the audit")
		}
	}
}

// gogc reads the collector's setting without changing it (-1: off).
func gogc() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	if v := int(s[0].Value.Uint64()); v != 0 {
		return v
	}
	return -1 // GOGC=off reads as 0
}
