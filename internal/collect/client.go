package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	abs "github.com/microsoft/kiota-abstractions-go"
	kauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/inputerr"
)

// sdkVersion is the msgraph-sdk-go release whose middleware tenantgate runs
// (reported in Graph's SdkVersion telemetry header).
const sdkVersion = "1.89.0"

// maxRetries bounds retries of 429/503/504, in the SDK's handler for whole
// requests and in the collector for $batch items.
const maxRetries = 4

// maxRetryWait caps one wait before a retry: 60 s. A 429 or 503 whose
// Retry-After asks for longer is not retried (the SDK's handler would
// otherwise sleep whatever the service says, 10 minutes for 600); the source
// is recorded as failed with the service's status, so the controls that
// read it are not_assessed, never pass. With maxRetries, one read waits at
// most 4 minutes in all; --timeout bounds the whole run.
const maxRetryWait = 60 * time.Second

// maxResponseBytes bounds one HTTP response body as read (after gzip is
// undone): 64 MiB, the size of the largest snapshot. A $batch answer of 20
// full pages is a few MiB; a larger answer fails its request with
// errBodyTooLarge instead of being read whole.
const maxResponseBytes = 64 << 20

// errBodyTooLarge is the error of a response body beyond the limit.
var errBodyTooLarge = errors.New("the response body is larger than " + inputerr.Size(maxResponseBytes) + ", the most tenantgate reads from one response")

// errorMappings make the SDK decode every 4xx/5xx body as Graph's error.
var errorMappings = abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// adapter is one authenticated Graph or ARM client.
//
// The msgraph-sdk-go root package (typed request builders and models) is
// deliberately not linked: every body is read raw, so only the core adapter,
// its middleware (auth, retry, gzip, telemetry) and the OData error model are
// needed, which keeps a cold build in seconds instead of minutes.
type adapter struct {
	obs    *observer // its redaction applies to every answer
	ra     *core.GraphRequestAdapterBase
	base   string   // scheme://host[/prefix], no trailing slash
	origin *url.URL // base, parsed: every request must stay on its origin
}

func newAdapter(cred azcore.TokenCredential, scope, base string, obs *observer) (*adapter, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	// The token provider silently sends no Authorization header to hosts not
	// listed here (graph-api.md §0), so the endpoint's own host is listed,
	// which also covers --graph-endpoint / --arm-endpoint overrides.
	auth, err := kauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{scope}, []string{u.Hostname()})
	if err != nil {
		return nil, err
	}
	opts := core.GraphClientOptions{GraphServiceLibraryVersion: sdkVersion}
	// Request compression is off: kiota's CompressionHandler gzips a copy of
	// the request but sets Content-Encoding on the header map it shares with
	// the original, so when the RetryHandler resends a POST (a throttled
	// $batch) the plain body goes out labelled gzip and the service answers
	// 400. Found by the emulator's throttling test; batch bodies are small.
	mw, err := khttp.GetDefaultMiddlewaresWithOptions(
		&khttp.RetryHandlerOptions{MaxRetries: maxRetries, ShouldRetry: obs.shouldRetry},
		&khttp.RedirectHandlerOptions{MaxRedirects: maxRedirects, ShouldRedirect: followRedirect},
		khttp.NewCompressionOptionsReference(false))
	if err != nil {
		return nil, err
	}
	chain := append([]khttp.Middleware{core.NewGraphTelemetryHandler(&opts)}, mw...)
	// innermost: the observer sees every attempt (retries and redirects
	// included), then the guard refuses any request off the endpoint.
	chain = append(chain, obs, originGuard{u})
	ra, err := core.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, opts, jsonser.NewJsonParseNodeFactory(), nil, khttp.GetDefaultClient(chain...))
	if err != nil {
		return nil, err
	}
	// Set before any request is built from it (graph-api.md §0).
	ra.SetBaseUrl(base)
	return &adapter{obs: obs, ra: ra, base: strings.TrimRight(base, "/"), origin: u}, nil
}

// maxRedirects bounds the same-origin redirects one request may follow.
const maxRedirects = 5

// sameOrigin reports whether u has base's scheme, host and port. It is the
// one rule for every URL a service hands back to be called (@odata.nextLink,
// ARM's nextLink, a redirect's Location): anything else is an error, so the
// token only ever goes to the configured endpoint and no other host's answer
// is ever taken as the tenant's data.
func sameOrigin(base, u *url.URL) bool {
	return u.IsAbs() && strings.EqualFold(u.Scheme, base.Scheme) &&
		strings.EqualFold(u.Hostname(), base.Hostname()) && port(u) == port(base)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// redirectTarget resolves a response's Location against the request URL; ok
// is false when there is none or it does not parse.
func redirectTarget(req *http.Request, resp *http.Response) (*url.URL, bool) {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, false
	}
	u, err := url.Parse(loc)
	if err != nil {
		return nil, false
	}
	return req.URL.ResolveReference(u), true
}

// followRedirect is the SDK redirect handler's hook. A redirect is followed
// only for a GET, to the same origin, with a Location kiota resolves as we do
// (absolute, or a path from the root). A POST is never redirected: a create
// is not resent to a URL the service chose, and a $batch has no reason to
// move. A refused redirect comes back to send as a 3xx, which is an error.
func followRedirect(req *http.Request, resp *http.Response) bool {
	target, ok := redirectTarget(req, resp)
	loc := resp.Header.Get("Location")
	return ok && req.Method == http.MethodGet && sameOrigin(req.URL, target) &&
		(strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") || strings.Contains(loc, "://"))
}

// originGuard is the innermost middleware: whatever the layers above decide,
// no request leaves for another scheme, host or port than the endpoint's.
type originGuard struct{ origin *url.URL }

func (g originGuard) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	if !sameOrigin(g.origin, req.URL) {
		return nil, fmt.Errorf("refused to send a request to %s: not the configured endpoint %s", redactURL(req.URL), g.origin.Host)
	}
	return p.Next(req, i)
}

// response is the outcome of one request after the SDK's retries.
type response struct {
	status     int
	body       []byte
	retryAfter string
	date       string // the service's Date header
	code, msg  string // Graph/ARM error code and message
	err        error  // no HTTP answer at all (network, credential, context)
}

func (r response) ok() bool { return r.err == nil && r.status >= 200 && r.status < 300 }

// describe renders a failure for sources[...].error and messages.
func (r response) describe() string {
	switch {
	case r.err != nil:
		return r.err.Error()
	case r.msg != "":
		return r.msg
	default:
		return http.StatusText(r.status)
	}
}

// attempt is filled by the observer middleware for the request whose context
// carries it: the last HTTP status and Retry-After seen, which the SDK's error
// types do not always keep (e.g. an error body that is not JSON).
type attempt struct {
	status     int
	retryAfter string
	date       string
	location   string // Location of a redirect that was not followed
}

type attemptKey struct{}

// send issues one request through the SDK pipeline and keeps the body raw.
func (a *adapter) send(ctx context.Context, method abs.HttpMethod, rawURL string, body []byte) response {
	u, err := url.Parse(rawURL)
	if err != nil {
		return response{err: fmt.Errorf("bad URL %q: %w", rawURL, err)}
	}
	ri := abs.NewRequestInformation()
	ri.Method = method
	ri.SetUri(*u)
	ri.Headers.TryAdd("Accept", "application/json")
	if body != nil {
		ri.SetStreamContentAndContentType(body, "application/json")
	}
	at := &attempt{}
	raw, err := a.ra.SendPrimitive(context.WithValue(ctx, attemptKey{}, at), ri, "[]byte", errorMappings)
	r := response{status: at.status, retryAfter: at.retryAfter, date: at.date}
	if err == nil {
		r.body, _ = raw.([]byte)
		if r.status == 0 {
			r.status = http.StatusOK
		}
		if r.status >= 300 && r.status < 400 {
			// A redirect followRedirect refused (or too many): its body is
			// no answer from the tenant.
			r.body, r.code = nil, "redirectRefused"
			r.msg = "the service redirected to " + at.location + "; tenantgate follows a redirect only for a GET on the configured endpoint (same scheme, host and port)"
			if at.location == "" {
				r.msg = "the service answered with a redirect and no usable Location"
			}
		}
		return r
	}
	var oe *odataerrors.ODataError
	var ae *abs.ApiError
	switch {
	case errors.Is(err, errBodyTooLarge):
		r.err = errBodyTooLarge // whatever the status: the answer was not read
	case errors.As(err, &oe):
		r.status = oe.ResponseStatusCode
		if me := oe.GetErrorEscaped(); me != nil {
			r.code, r.msg = deref(me.GetCode()), deref(me.GetMessage())
		}
	case errors.As(err, &ae):
		r.status, r.msg = ae.ResponseStatusCode, ae.Message
	case at.status >= 400:
		// The service answered but its error body could not be decoded.
		r.msg = "undecodable error response: " + err.Error()
	default:
		r.err = err
	}
	if r.status == 0 && r.err == nil {
		r.err = err
	}
	return a.obs.redactResponse(r)
}

// redactResponse is where the service's text enters tenantgate's data: the
// error code, message and transport error of every answer lose any
// credential before they reach a snapshot, a finding, a log or apply's
// output (conn.Redact, with the secrets this run sent).
func (o *observer) redactResponse(r response) response {
	r.code, r.msg = o.redact(r.code), o.redact(r.msg)
	if r.err != nil {
		if msg := o.redact(r.err.Error()); msg != r.err.Error() {
			r.err = redactedError{r.err, msg}
		}
	}
	return r
}

// redactedError is an error whose text was redacted; errors.Is still sees
// the original (a cancelled context stays one).
type redactedError struct {
	err error
	msg string
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// observer is the innermost middleware: it counts round trips, records each
// attempt's status for send, and writes request-level logs (method, URL,
// status, duration: never headers, so never a token) when verbose.
type observer struct {
	verbose  io.Writer // nil unless --verbose
	progress io.Writer // nil unless stderr is a terminal
	maxBody  int64     // response body limit; 0 = maxResponseBytes (tests lower it)
	mu       sync.Mutex
	requests atomic.Int64
	// secrets are the credentials this run holds or sent (bearer tokens seen
	// on the wire included): what redact removes from the service's text.
	secrets sync.Map
}

// addSecret records a credential to redact.
func (o *observer) addSecret(s string) {
	if s = strings.TrimSpace(s); s != "" {
		o.secrets.Store(s, true)
	}
}

// redact is conn.Redact with this run's credentials.
func (o *observer) redact(s string) string {
	if s == "" {
		return s
	}
	var list []string
	o.secrets.Range(func(k, _ any) bool {
		list = append(list, k.(string))
		return true
	})
	return conn.Redact(s, list...)
}

func (o *observer) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	o.requests.Add(1)
	if h := req.Header.Get("Authorization"); h != "" {
		_, tok, _ := strings.Cut(h, " ")
		o.addSecret(tok) // a token azidentity fetched is a secret too
	}
	start := time.Now()
	resp, err := p.Next(req, i)
	if resp != nil && resp.Body != nil {
		limit := o.maxBody
		if limit <= 0 {
			limit = maxResponseBytes
		}
		resp.Body = &limitedBody{rc: resp.Body, left: limit}
	}
	if at, ok := req.Context().Value(attemptKey{}).(*attempt); ok && resp != nil {
		at.status, at.retryAfter, at.date, at.location = resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Date"), ""
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			if u, ok := redirectTarget(req, resp); ok {
				at.location = redactURL(u)
			}
		}
	}
	if o.verbose != nil {
		status := "error: " + fmt.Sprint(err)
		if resp != nil {
			status = strconv.Itoa(resp.StatusCode)
		}
		o.printf(o.verbose, "http: %s %s -> %s (%s)\n", req.Method, redactURL(req.URL), status, time.Since(start).Round(time.Millisecond))
	}
	return resp, err
}

// readOnlyKey marks a POST that only reads (a $batch of GETs).
type readOnlyKey struct{}

// readOnly marks ctx's requests as reads even when they are POSTs: resending
// one changes nothing in the tenant, so the retry handler may.
func readOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, readOnlyKey{}, true)
}

// limitedBody is a response body that fails with errBodyTooLarge once more
// than its limit was read, and keeps failing: nothing past the limit is read.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if b.left -= int64(n); b.left < 0 {
		return 0, errBodyTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// shouldRetry is the SDK retry handler's hook. A GET (or a POST marked
// readOnly) is retried on 429/503/504 honouring Retry-After; any other POST
// never is: a create answered 504 (or 429, 503) may well have been carried
// out, and sending it again would create the policy twice. apply decides
// what happened by re-reading the policies instead.
func (o *observer) shouldRetry(_ time.Duration, n int, req *http.Request, resp *http.Response) bool {
	if req.Method != http.MethodGet && req.Context().Value(readOnlyKey{}) == nil {
		return false
	}
	what := "throttled (429)"
	if resp.StatusCode != http.StatusTooManyRequests {
		what = "HTTP " + strconv.Itoa(resp.StatusCode)
	}
	if _, ok := retryDelay(resp.Header.Get("Retry-After"), n+1); !ok {
		o.note("%s on %s %s with Retry-After %ss, more than the %s tenantgate waits: not retried\n", what, req.Method, redactURL(req.URL), resp.Header.Get("Retry-After"), maxRetryWait)
		return false
	}
	wait := "backing off"
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		wait = "Retry-After " + ra + "s"
	}
	o.note("%s on %s %s, retry %d/%d (%s)\n", what, req.Method, redactURL(req.URL), n+1, maxRetries, wait)
	return true
}

// note writes a progress line (terminal) or, failing that, a verbose line.
func (o *observer) note(format string, args ...any) {
	switch {
	case o.progress != nil:
		o.printf(o.progress, "collect: "+format, args...)
	case o.verbose != nil:
		o.printf(o.verbose, "collect: "+format, args...)
	}
}

// newObserver is the observer of one run of opts: progress and verbose
// logs where opts sends them, and the run's own credentials redacted.
func newObserver(opts conn.Options) *observer {
	obs := &observer{progress: opts.Progress}
	obs.addSecret(string(opts.AccessToken))
	obs.addSecret(string(opts.ClientSecret))
	if opts.Verbose {
		obs.verbose = opts.Log
	}
	return obs
}

// log writes a line only with --verbose.
func (o *observer) log(format string, args ...any) {
	if o.verbose != nil {
		o.printf(o.verbose, "collect: "+format, args...)
	}
}

func (o *observer) printf(w io.Writer, format string, args ...any) {
	line := o.redact(fmt.Sprintf(format, args...))
	o.mu.Lock()
	defer o.mu.Unlock()
	io.WriteString(w, line)
}

// redactURL drops userinfo and fragments; query strings of the requests
// tenantgate sends carry only OData options and paging tokens.
func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.Fragment = ""
	return c.String()
}
