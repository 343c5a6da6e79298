package emulate

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// InFlight counts requests that overlap and passes the response through
// unchanged; sequential requests count as one in flight.
func TestInFlight(t *testing.T) {
	tests := []struct {
		name     string
		parallel int
	}{{"sequential", 1}, {"three overlapping", 3}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f InFlight
			// Each handler waits until `parallel` requests have arrived, so
			// overlapping ones are certainly in flight together.
			var arrived sync.WaitGroup
			arrived.Add(tt.parallel)
			ts := httptest.NewServer(f.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived.Done()
				arrived.Wait()
				w.Header().Set("X-Test", "yes")
				w.WriteHeader(http.StatusTeapot)
				io.WriteString(w, "body")
			})))
			defer ts.Close()
			var wg sync.WaitGroup
			for range tt.parallel {
				wg.Go(func() {
					resp, err := http.Get(ts.URL)
					if err != nil {
						t.Error(err)
						return
					}
					defer resp.Body.Close()
					b, _ := io.ReadAll(resp.Body)
					if resp.StatusCode != http.StatusTeapot || resp.Header.Get("X-Test") != "yes" || string(b) != "body" {
						t.Errorf("response changed: %d %q %q", resp.StatusCode, resp.Header.Get("X-Test"), b)
					}
				})
			}
			wg.Wait()
			if got := f.Max(); got != int64(tt.parallel) {
				t.Errorf("Max() = %d, want %d", got, tt.parallel)
			}
		})
	}
}
