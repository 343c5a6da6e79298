// Package emulate serves a tenant snapshot over Microsoft Graph's and Azure
// Resource Manager's wire format, so collect / audit / apply can run end to
// end without a tenant, and so their tests run over real HTTP. It reproduces
// what trips real clients: versioned paths, absolute @odata.nextLink paging,
// JSON $batch with gzip request bodies and per-item statuses, Graph's error
// bodies (innerError.date without a zone, which the SDK needs), 401 without a
// bearer token, and injectable latency, 429 with Retry-After, 403 and 5xx.
//
// It deliberately does not import msgraph-sdk-go: the emulator must stay an
// independent implementation of the wire format, not the SDK talking to itself.
package emulate

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tenantgate/tenantgate/internal/permissions"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Options switch the emulator's fault injection and paging.
type Options struct {
	// PageSize is the number of elements per collection page (default 100).
	PageSize int
	// Latency is added to every HTTP request (not to each $batch item).
	Latency time.Duration
	// Throttle answers 429 to the first Throttle requests of each distinct
	// request (method, path and query), whether sent alone or inside a $batch.
	Throttle int
	// ThrottleItems answers 429 to the first ThrottleItems $batch items of
	// each distinct request, while the $batch itself succeeds: the case the
	// SDK's retry handler never sees.
	ThrottleItems int
	// RetryAfter is the Retry-After (seconds) sent with 429 and injected 5xx.
	RetryAfter int
	// Deny answers 403 for these sources.
	Deny []string
	// Fail answers FailStatus for these sources: the first N times for each
	// distinct request, or always when N < 0.
	Fail map[string]int
	// FailStatus is the status Fail injects (default 503).
	FailStatus int
	// DenyWrites answers POST of Conditional Access policies with Graph's 403
	// for a token without Policy.ReadWrite.ConditionalAccess.
	DenyWrites bool
	// Token, when set, is the only bearer token accepted (others get 401).
	Token string
	// ARMToken, when set, is the only bearer token ARM accepts instead of
	// Token; Graph still wants Token. A token ARM accepts and Graph refuses
	// is a token minted for ARM (the wrong audience for Graph).
	ARMToken string
	// Now stamps created policies and error dates (default time.Now).
	Now func() time.Time
	// Faults are the hostile behaviours of the fault-injection harness.
	Faults Faults
	// Incident also serves the demo incident's logs and users (the
	// endpoints `tenantgate evidence` reads: EvidenceSources).
	Incident bool
	// AuditQuery drives the audit log query's life cycle.
	AuditQuery AuditQueryOptions
	// Date is the service's clock, sent as every answer's Date header
	// (default Now). The incident's emulator sets it to the day after the
	// incident, so retention is measured as the responders then saw it.
	Date func() time.Time
}

// Request is one recorded request. $batch items are recorded too, with
// InBatch set, as they are served (so just before their $batch).
type Request struct {
	Method  string
	Path    string // with the version segment, e.g. /beta/identity/conditionalAccess/policies
	Query   string
	Status  int
	InBatch bool
}

// Server is an http.Handler serving one snapshot.
type Server struct {
	opts   Options
	tenant snapshot.Tenant

	mu       sync.Mutex
	sources  map[string]snapshot.Source
	objects  map[string]json.RawMessage   // object sources
	lists    map[string][]json.RawMessage // collection sources
	bad      map[string]string            // sources whose data could not be decoded
	users    []snapshot.BreakGlassAccount
	counts   map[string]int // per request key, for Throttle
	items    map[string]int // per request key, for ThrottleItems
	failures map[string]int // per request key, for Fail
	creates  map[string]int // for Faults.Create.Times
	log      []Request
	// audit log queries created (Incident)
	queries    map[string]*auditQuery
	queryOrder []string
	lostCreate bool
	filtered   map[string][]json.RawMessage // filtered log lists, by version, path and $filter
}

// New returns an emulator serving snap. The snapshot is not modified; policies
// created with POST live in the server only.
func New(snap *snapshot.Snapshot, opts Options) *Server {
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.FailStatus == 0 {
		opts.FailStatus = http.StatusServiceUnavailable
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts: opts, tenant: snap.Tenant,
		sources: map[string]snapshot.Source{}, objects: map[string]json.RawMessage{},
		lists: map[string][]json.RawMessage{}, bad: map[string]string{},
		counts: map[string]int{}, items: map[string]int{}, failures: map[string]int{}, creates: map[string]int{},
	}
	for name, src := range snap.Sources {
		s.sources[name] = src
	}
	for name, raw := range snap.Data {
		switch {
		case name == "breakGlassAccounts":
			if err := json.Unmarshal(raw, &s.users); err != nil {
				s.bad[name] = err.Error()
			}
		case snapshot.Sources[name] == snapshot.Collection:
			var list []json.RawMessage
			if err := json.Unmarshal(raw, &list); err != nil {
				s.bad[name] = err.Error()
			}
			s.lists[name] = list
		default:
			s.objects[name] = raw
		}
	}
	return s
}

// Requests returns every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// RoundTrips counts HTTP requests (a $batch counts once).
func (s *Server) RoundTrips() int {
	n := 0
	for _, r := range s.Requests() {
		if !r.InBatch {
			n++
		}
	}
	return n
}

// ConditionalAccessPolicies returns the CA policies as served now, including
// the ones created by POST.
func (s *Server) ConditionalAccessPolicies() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.lists["conditionalAccessPolicies"]...)
}

// call is one request to route, from HTTP or from a $batch item.
type call struct {
	method  string
	version string // "v1.0", "beta", or "" for ARM
	path    string // after the version
	query   url.Values
	rawQ    string
	body    []byte
	header  http.Header
	auth    string // the Authorization header (a $batch item: its $batch's)
	base    string // scheme://host, for nextLinks
	inBatch bool
}

func (c *call) key() string {
	k := c.method + " " + c.fullPath()
	if c.rawQ != "" {
		k += "?" + c.rawQ
	}
	return k
}

func (c *call) fullPath() string {
	if c.version == "" {
		return c.path
	}
	return "/" + c.version + c.path
}

// reply is a response before it is written (or embedded in a $batch).
type reply struct {
	status int
	header http.Header
	body   any  // json.RawMessage or a value to marshal
	reset  bool // drop the connection without an answer (Faults)
	cut    bool // send half the body, then drop the connection (Faults)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{method: r.Method, header: r.Header, auth: r.Header.Get("Authorization"), query: r.URL.Query(), rawQ: r.URL.RawQuery, base: baseURL(r)}
	c.version, c.path = splitVersion(r.URL.Path)
	rep := s.serve(r.Context(), c, r)
	s.record(c, rep.status)
	s.writeReply(w, rep)
}

func (s *Server) serve(ctx context.Context, c *call, r *http.Request) reply {
	if s.opts.Latency > 0 {
		t := time.NewTimer(s.opts.Latency)
		select {
		case <-ctx.Done():
			t.Stop()
			return s.graphError(c, http.StatusServiceUnavailable, "serviceNotAvailable", "request cancelled")
		case <-t.C:
		}
	}
	if rep, ok := s.checkAuth(c); !ok {
		return rep
	}
	body, err := readBody(r)
	if err != nil {
		if err == errEncoding {
			return s.graphError(c, http.StatusUnsupportedMediaType, "BadRequest", "unsupported Content-Encoding "+r.Header.Get("Content-Encoding"))
		}
		return s.graphError(c, http.StatusBadRequest, "BadRequest", "cannot read request body: "+err.Error())
	}
	c.body = body
	if s.take(s.counts, c.key(), s.opts.Throttle) {
		return s.throttled(c)
	}
	if c.version != "" && c.path == "/$batch" {
		if c.method != http.MethodPost {
			return s.graphError(c, http.StatusMethodNotAllowed, "BadRequest", "$batch accepts POST only")
		}
		return s.batch(c)
	}
	return s.route(c)
}

// take counts one more request for key and reports whether it is among the
// first n.
func (s *Server) take(m map[string]int, key string, n int) bool {
	if n <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m[key]++
	return m[key] <= n
}

func (s *Server) record(c *call, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, Request{Method: c.method, Path: c.fullPath(), Query: c.rawQ, Status: status, InBatch: c.inBatch})
}

func (s *Server) checkAuth(c *call) (reply, bool) {
	h := c.header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	tok = strings.TrimSpace(tok)
	want := s.opts.Token
	if c.version == "" && s.opts.ARMToken != "" {
		want = s.opts.ARMToken
	}
	switch {
	case !ok || tok == "":
		if c.version == "" {
			return armError(http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."), false
		}
		return s.graphError(c, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty."), false
	case want != "" && tok != want:
		if c.version == "" {
			return armError(http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid."), false
		}
		return s.graphError(c, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience."), false
	}
	return reply{}, true
}

var errEncoding = fmt.Errorf("unsupported content encoding")

// readBody returns the request body, gunzipped when the client compressed it
// (kiota's CompressionHandler always does for POST and PATCH).
func readBody(r *http.Request) ([]byte, error) {
	if r == nil || r.Body == nil {
		return nil, nil
	}
	var rd io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, err
		}
		defer gz.Close()
		rd = gz
	default:
		return nil, errEncoding
	}
	return io.ReadAll(io.LimitReader(rd, 16<<20))
}

func splitVersion(p string) (version, rest string) {
	for _, v := range []string{"v1.0", "beta"} {
		if p == "/"+v {
			return v, "/"
		}
		if strings.HasPrefix(p, "/"+v+"/") {
			return v, p[len(v)+1:]
		}
	}
	return "", p
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) writeReply(w http.ResponseWriter, rep reply) {
	if rep.reset {
		// net/http drops the connection: the client gets no answer at all.
		panic(http.ErrAbortHandler)
	}
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if s.opts.Date != nil {
		w.Header().Set("Date", s.opts.Date().UTC().Format(http.TimeFormat))
	}
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	raw, err := marshal(rep.body)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	if n := s.opts.Faults.PadBody; n > 0 {
		raw = append(bytes.Repeat([]byte(" "), n), raw...)
	}
	s.writeFaulty(w, rep.status, raw, rep.cut)
}

func marshal(v any) ([]byte, error) {
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// graphError builds Graph's error body. innerError.date is exactly
// YYYY-MM-DDTHH:MM:SS: msgraph-sdk-go fails to decode any other zone-less form.
func (s *Server) graphError(c *call, status int, code, msg string) reply {
	msg = s.echo(c, msg)
	if c.version == "" {
		return armError(status, code, msg)
	}
	inner := map[string]any{
		"date":       s.opts.Now().UTC().Format("2006-01-02T15:04:05"),
		"request-id": newID(),
	}
	if id := c.header.Get("client-request-id"); id != "" {
		inner["client-request-id"] = id
	}
	return reply{status: status, header: jsonHeader(), body: map[string]any{
		"error": map[string]any{"code": code, "message": msg, "innerError": inner},
	}}
}

func armError(status int, code, msg string) reply {
	return reply{status: status, header: jsonHeader(), body: map[string]any{
		"error": map[string]any{"code": code, "message": msg},
	}}
}

func (s *Server) throttled(c *call) reply {
	rep := s.graphError(c, http.StatusTooManyRequests, "TooManyRequests", "Please retry again later.")
	if c.version != "" {
		e := rep.body.(map[string]any)["error"].(map[string]any)
		inner := e["innerError"].(map[string]any)
		inner["code"], inner["status"], inner["message"] = "429", "429", "Please retry after"
	}
	rep.header.Set("Retry-After", strconv.Itoa(s.opts.RetryAfter))
	return rep
}

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json"}}
}

func okJSON(status int, body any) reply {
	h := jsonHeader()
	h.Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	h.Set("OData-Version", "4.0")
	return reply{status: status, header: h, body: body}
}

// newID returns a random GUID-shaped id.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// SourceNames lists the source names the injection switches accept.
func SourceNames() []string {
	names := make([]string, 0, len(permissions.Endpoints)+len(EvidenceSources))
	for _, e := range permissions.Endpoints {
		names = append(names, e.Source)
	}
	names = append(names, EvidenceSources...)
	sort.Strings(names)
	return names
}
