package collect

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// foreign is another host: it records every request it receives (with its
// Authorization header) and answers as a friendly Graph would, with a policy
// list whose every policy passes, so any answer of its taken as data shows.
type foreign struct {
	mu   sync.Mutex
	reqs []string // "METHOD path auth=<header>"
}

func (f *foreign) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"value": []}`)
}

func (f *foreign) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reqs...)
}

// redirector serves the emulator, but answers the requests match selects
// with status and a Location built by to (from the request).
type redirector struct {
	next   http.Handler
	match  func(*http.Request) bool
	status int
	to     func(*http.Request) string
}

func (d redirector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d.match(r) {
		w.Header().Set("Location", d.to(r))
		w.WriteHeader(d.status)
		return
	}
	d.next.ServeHTTP(w, r)
}

// TestRedirectsStayOnTheEndpoint: a redirect to another scheme, host or port
// is an error for every Graph and ARM request (GET, $batch, paging, the list
// apply reads); the other host receives nothing, so neither the token nor a
// request; a source so redirected is an error, never data. A redirect on the
// endpoint itself is followed for a GET.
func TestRedirectsStayOnTheEndpoint(t *testing.T) {
	other := &foreign{}
	ots := httptest.NewServer(other)
	t.Cleanup(ots.Close)
	elsewhere := func(r *http.Request) string { return ots.URL + r.URL.RequestURI() }
	httpsSameHost := func(r *http.Request) string { return "https://" + r.Host + r.URL.RequestURI() }
	all := func(*http.Request) bool { return true }
	isBatch := func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/$batch") }
	isARM := func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/providers/") }
	isPage := func(r *http.Request) bool { return r.Method == http.MethodGet && r.URL.Query().Has("$skiptoken") }
	isCAList := func(r *http.Request) bool { return r.Method == http.MethodGet && r.URL.Path == caPath }

	tests := []struct {
		name     string
		match    func(*http.Request) bool
		status   int
		to       func(*http.Request) string
		pageSize int
		// want: "fail" the run fails; a source name: that source is an error
		// and the rest ok; "ok": everything read.
		want string
	}{
		{"every request to another port", all, http.StatusFound, elsewhere, 0, "fail"},
		{"every request to another scheme", all, http.StatusTemporaryRedirect, httpsSameHost, 0, "fail"},
		{"$batch POST to another host", isBatch, http.StatusTemporaryRedirect, elsewhere, 0, "fail"},
		{"ARM GET to another host", isARM, http.StatusMovedPermanently, elsewhere, 0, "diagnosticSettings"},
		{"next pages to another host", isPage, http.StatusFound, elsewhere, 2, "pages"},
		{"same-origin GET redirect", isARM, http.StatusFound, func(r *http.Request) string {
			return r.URL.Path + "?" + r.URL.RawQuery + "&moved=1"
		}, 0, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(other.received())
			srv := emulate.New(fixture(t), emulate.Options{PageSize: tt.pageSize})
			match := tt.match
			if tt.want == "ok" {
				match = func(r *http.Request) bool { return tt.match(r) && !r.URL.Query().Has("moved") }
			}
			ts := httptest.NewServer(redirector{next: srv, match: match, status: tt.status, to: tt.to})
			t.Cleanup(ts.Close)
			e := newEnv(t, fixture(t), emulate.Options{})
			e.srv, e.opts.GraphEndpoint, e.opts.ARMEndpoint = srv, ts.URL, ts.URL
			snap, err := e.collect(t, breakGlass(t))
			if got := other.received()[before:]; len(got) != 0 {
				t.Fatalf("the other host received %d requests: %v", len(got), got)
			}
			switch tt.want {
			case "fail":
				if err == nil {
					t.Fatalf("collect succeeded on redirected answers: %+v", snap.Sources)
				}
				return
			case "ok":
				if err != nil {
					t.Fatal(err)
				}
				for name, s := range snap.Sources {
					if s.Status != snapshot.StatusOK && s.Status != snapshot.StatusSkipped {
						t.Errorf("%s: %+v", name, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			redirected := 0
			for name, s := range snap.Sources {
				if s.Status == snapshot.StatusOK || s.Status == snapshot.StatusSkipped {
					continue
				}
				if !strings.Contains(s.Error, "redirect") {
					t.Errorf("%s failed for another reason: %+v", name, s)
				}
				if _, ok := snap.Data[name]; ok {
					t.Errorf("%s failed but has data", name)
				}
				redirected++
			}
			if tt.want != "pages" && snap.Sources[tt.want].Status == snapshot.StatusOK {
				t.Errorf("%s read through a redirect to another host", tt.want)
			}
			if redirected == 0 {
				t.Error("no source failed: the redirect was not exercised")
			}
		})
	}

	// A $batch item answered with a redirect: the source is an error that
	// says so and names where it pointed (not a bare "HTTP 302: Found", which
	// read like a missing permission), and the other host hears nothing.
	t.Run("$batch item to another host", func(t *testing.T) {
		before := len(other.received())
		e := newEnv(t, fixture(t), emulate.Options{Faults: emulate.Faults{Redirect: []string{"conditionalAccessPolicies"}, RedirectTo: ots.URL}})
		snap, err := e.collect(t, breakGlass(t))
		if err != nil {
			t.Fatal(err)
		}
		s := snap.Sources["conditionalAccessPolicies"]
		if s.Status != snapshot.StatusError || s.Code != "redirectRefused" || !strings.Contains(s.Error, "redirect to "+ots.URL) {
			t.Errorf("conditionalAccessPolicies: %+v", s)
		}
		if _, ok := snap.Data["conditionalAccessPolicies"]; ok {
			t.Error("a redirected $batch item has data")
		}
		if got := other.received()[before:]; len(got) != 0 {
			t.Fatalf("the other host received %v", got)
		}
	})

	// apply's policy list: a redirected page fails the list (and apply).
	for _, tt := range []struct {
		name string
		to   func(*http.Request) string
	}{{"another host", elsewhere}, {"another scheme", httpsSameHost}} {
		t.Run("policy list to "+tt.name, func(t *testing.T) {
			before := len(other.received())
			t.Setenv(TokenEnv, testToken)
			srv := emulate.New(fixture(t), emulate.Options{})
			ts := httptest.NewServer(redirector{next: srv, match: isCAList, status: http.StatusFound, to: tt.to})
			t.Cleanup(ts.Close)
			c, err := NewCAClient(conn.Options{TenantID: "fixture", GraphEndpoint: ts.URL, ARMEndpoint: ts.URL})
			if err != nil {
				t.Fatal(err)
			}
			list, err := c.ListPolicies(context.Background())
			if err == nil || !strings.Contains(err.Error(), "redirect") {
				t.Fatalf("listed %d policies through a redirect (error %v)", len(list), err)
			}
			if _, err := apply.Apply(context.Background(), c, &apply.Plan{Create: []apply.Item{{DisplayName: "x"}}}, apply.Options{}); err == nil {
				t.Error("apply went on without the live policy list")
			}
			if got := other.received()[before:]; len(got) != 0 {
				t.Fatalf("the other host received %v", got)
			}
		})
	}
}

// TestSameOrigin: scheme, host and port, with default ports, nothing else.
func TestSameOrigin(t *testing.T) {
	tests := []struct {
		base, u string
		want    bool
	}{
		{"https://graph.microsoft.com", "https://graph.microsoft.com/v1.0/x", true},
		{"https://graph.microsoft.com", "https://GRAPH.microsoft.com:443/v1.0/x", true},
		{"https://graph.microsoft.com", "http://graph.microsoft.com/v1.0/x", false},
		{"https://graph.microsoft.com", "https://graph.microsoft.com:8443/v1.0/x", false},
		{"https://graph.microsoft.com", "https://graph.microsoft.com.evil.example/v1.0/x", false},
		{"https://graph.microsoft.com", "/v1.0/x", false},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/v1.0", true},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8081/v1.0", false},
		{"http://127.0.0.1:8080", "http://localhost:8080/v1.0", false},
		{"http://127.0.0.1", "http://127.0.0.1:80/v1.0", true},
	}
	for _, tt := range tests {
		b, _ := url.Parse(tt.base)
		u, _ := url.Parse(tt.u)
		if got := sameOrigin(b, u); got != tt.want {
			t.Errorf("sameOrigin(%s, %s) = %v, want %v", tt.base, tt.u, got, tt.want)
		}
	}
}
