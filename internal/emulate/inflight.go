package emulate

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
)

// InFlight wraps handlers (one or many servers) and records the most
// requests they had in flight at once, so tests can check a client's
// concurrency bound at the server side.
type InFlight struct{ cur, max atomic.Int64 }

// Max is the most requests that were in flight at once.
func (f *InFlight) Max() int64 { return f.max.Load() }

// Wrap counts h's requests. The response is buffered and the request counted
// as finished before any byte of it reaches the client: otherwise a client
// can read a whole response and send its next request while the handler is
// still returning, and the count would show two in flight where the client
// never had more than one. The counted window thus lies inside the client's,
// so the measured maximum never exceeds the client's real one.
func (f *InFlight) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.cur.Add(1)
		for m := f.max.Load(); n > m && !f.max.CompareAndSwap(m, n); m = f.max.Load() {
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		f.cur.Add(-1)
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}
