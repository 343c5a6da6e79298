package collect

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/permissions"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// endless is a body that never ends (spaces: still valid JSON whitespace
// as far as it goes), counting what was read from it.
type endless struct{ sent *atomic.Int64 }

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.sent.Add(int64(len(p)))
	return len(p), nil
}

// TestResponseBodyLimit: a service answering one request with a body that
// never ends (1 GB and more) fails that source with a clear error after
// reading at most the limit; the rest of the tenant is collected.
func TestResponseBodyLimit(t *testing.T) {
	t.Setenv(TokenEnv, testToken)
	srv := emulate.New(fixture(t), emulate.Options{})
	var sent atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.URL.Path, permissions.DiagnosticSettingsPath) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			io.Copy(w, io.LimitReader(endless{&sent}, 1<<30)) // stops when the client hangs up
			return
		}
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	opts := newEnv(t, fixture(t), emulate.Options{}).opts
	opts.GraphEndpoint, opts.ARMEndpoint = ts.URL, ts.URL
	start := time.Now()
	snap, err := collectWith(context.Background(), opts, breakGlass(t), hooks{sleep: noSleep(nil)})
	if err != nil {
		t.Fatal(err)
	}
	src := snap.Sources["diagnosticSettings"]
	if src.Status != snapshot.StatusError || !strings.Contains(src.Error, "larger than 64 MiB") {
		t.Errorf("diagnosticSettings = %+v, want an error naming the limit", src)
	}
	if got := sent.Load(); got > maxResponseBytes+32<<20 {
		t.Errorf("the server sent %d MiB before the client stopped: the body was not bounded", got>>20)
	}
	if !snap.OK("conditionalAccessPolicies") || !snap.OK("organization") {
		t.Error("the other sources were not collected")
	}
	t.Logf("stopped after %d MiB sent, %s", sent.Load()>>20, time.Since(start).Round(time.Millisecond))
}

// TestRetryAfterCap: per-item 429s inside $batch and whole-request 429s
// with Retry-After: 600 do not hold the run: no wait beyond maxRetryWait,
// the throttled sources are recorded as failed (never passed), and the run
// ends in seconds. Before, a run waited up to 4 x 3 minutes per read.
func TestRetryAfterCap(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts emulate.Options
	}{
		{"per item inside $batch", emulate.Options{ThrottleItems: 100, RetryAfter: 600}},
		{"whole requests", emulate.Options{Throttle: 100, RetryAfter: 600}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, fixture(t), tc.opts)
			var waits []time.Duration
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			start := time.Now()
			snap, err := collectWith(ctx, e.opts, breakGlass(t), hooks{sleep: noSleep(&waits)})
			e.checkNoLeak(t, snap, err)
			if took := time.Since(start); took > 20*time.Second {
				t.Fatalf("the run took %s", took)
			}
			for _, w := range waits {
				if w > maxRetryWait {
					t.Errorf("waited %s, more than the cap %s", w, maxRetryWait)
				}
			}
			if err != nil {
				// Every Graph source throttled: nothing to audit (exit 4).
				if !strings.Contains(err.Error(), "429") {
					t.Fatalf("error %v does not say the run was throttled", err)
				}
				return
			}
			throttled := 0
			for name, src := range snap.Sources {
				if src.HTTPStatus == http.StatusTooManyRequests {
					throttled++
					if src.Status != snapshot.StatusError || snap.OK(name) {
						t.Errorf("%s = %+v: a throttled source must be an error", name, src)
					}
				}
			}
			if throttled == 0 {
				t.Fatalf("no source recorded as throttled: %+v", snap.Sources)
			}
		})
	}
}

// TestCollectorNeverWritesUnreadable: Graph data nested deeper than a
// snapshot may hold is recorded as an error source (its controls
// not_assessed) instead of making a snapshot the loader would refuse.
func TestCollectorNeverWritesUnreadable(t *testing.T) {
	deep := fixture(t)
	var pols []map[string]any
	if err := json.Unmarshal(deep.Data["conditionalAccessPolicies"], &pols); err != nil {
		t.Fatal(err)
	}
	var v any = "bottom"
	for range snapshot.MaxDepth + 20 {
		v = []any{v}
	}
	pols[0]["futureProperty"] = v
	deep.Data["conditionalAccessPolicies"], _ = json.Marshal(pols)
	e := newEnv(t, deep, emulate.Options{})
	snap, err := e.collect(t, breakGlass(t))
	if err != nil {
		t.Fatal(err)
	}
	if src := snap.Sources["conditionalAccessPolicies"]; src.Status != snapshot.StatusError || src.Code != snapshot.CodeTooDeep {
		t.Errorf("conditionalAccessPolicies = %+v, want an error %s", src, snapshot.CodeTooDeep)
	}
	var buf strings.Builder
	if err := snap.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.Parse("collected.json", []byte(buf.String())); err != nil {
		t.Errorf("the collected snapshot does not load: %v", err)
	}
}
