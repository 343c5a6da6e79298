package collect

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/emulate"
)

// limitServer serves an emulator and records the most requests it had in
// flight at once, and every bearer token it received.
type limitServer struct {
	srv    *emulate.Server
	url    string
	flight emulate.InFlight
	mu     sync.Mutex
	tokens map[string]int
}

func newLimitServer(t *testing.T, eo emulate.Options) *limitServer {
	t.Helper()
	ls := &limitServer{srv: emulate.New(fixture(t), eo), tokens: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.mu.Lock()
		ls.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]++
		ls.mu.Unlock()
		ls.flight.Wrap(ls.srv).ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	ls.url = ts.URL
	return ls
}

// Two tenants collected at the same time, each behind an emulator accepting
// only its own token, with a third token in the process environment: both
// succeed, each server sees only its tenant's token, and the round-trip
// counter of each run matches what its server saw.
func TestTenantsNeverShareTokens(t *testing.T) {
	t.Setenv(TokenEnv, testToken) // must not be used by either
	tenants := []struct {
		token string
		eo    emulate.Options
	}{
		{"tenant-a-token", emulate.Options{PageSize: 2}},
		{"tenant-b-token", emulate.Options{Throttle: 1}},
	}
	var wg sync.WaitGroup
	servers := make([]*limitServer, len(tenants))
	trips := make([]atomic.Int64, len(tenants))
	errs := make([]error, len(tenants))
	for i, tn := range tenants {
		tn.eo.Token = tn.token
		servers[i] = newLimitServer(t, tn.eo)
		opts := conn.Options{TenantID: fmt.Sprint("tenant-", i), GraphEndpoint: servers[i].url, ARMEndpoint: servers[i].url,
			AccessToken: conn.Secret(tn.token), NoEnvToken: true, RoundTrips: &trips[i]}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = collectWith(context.Background(), opts, breakGlass(t), hooks{sleep: noSleep(nil)})
		}()
	}
	wg.Wait()
	for i, s := range servers {
		if errs[i] != nil {
			t.Fatalf("tenant %d: %v", i, errs[i])
		}
		if len(s.tokens) != 1 || s.tokens[tenants[i].token] == 0 {
			t.Errorf("tenant %d's server received %d distinct tokens, want only its own", i, len(s.tokens))
		}
		if got, want := trips[i].Load(), int64(s.srv.RoundTrips()); got != want || got == 0 {
			t.Errorf("tenant %d: counted %d round trips, the server saw %d", i, got, want)
		}
	}
}

// A tenant never has more than Concurrency requests in flight, Graph and
// ARM together.
func TestConcurrencyBound(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Setenv(TokenEnv, testToken)
			// Pages of one make many requests; latency makes them overlap.
			s := newLimitServer(t, emulate.Options{PageSize: 1, Latency: 5 * time.Millisecond})
			opts := conn.Options{TenantID: "fixture", GraphEndpoint: s.url, ARMEndpoint: s.url, Concurrency: n}
			if _, err := collectWith(context.Background(), opts, breakGlass(t), hooks{sleep: noSleep(nil)}); err != nil {
				t.Fatal(err)
			}
			if m := s.flight.Max(); m > int64(n) || m < 1 {
				t.Fatalf("%d requests in flight, concurrency %d", m, n)
			}
		})
	}
}
