package collect

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
)

// maxBatch is Graph's limit of requests per JSON $batch.
const maxBatch = 20

// maxPages stops a collection whose nextLinks never end.
const maxPages = 1000

// read is one Graph read: a single object, or a collection whose pages are
// concatenated. The engine moves it along (next page, retry) until done.
type read struct {
	name       string // for messages
	version    string // "v1.0" or "beta"
	url        string // relative to the version: /path?query (the current page)
	collection bool

	// results
	done   bool
	object json.RawMessage
	values []json.RawMessage
	fail   response // set when it failed for good
	failed bool

	pages    int
	bytes    int64 // of the answers accepted so far
	attempts int
	wait     time.Duration // Retry-After of the last retryable answer
}

// runGraph performs reads in rounds: each round sends every pending read at
// once, in $batch requests of up to 20 per version (a lone read goes as a
// plain GET), in parallel; next pages and throttled items form the next round.
func (c *collector) runGraph(ctx context.Context, reads []*read) {
	for round := 0; ; round++ {
		var pending []*read
		for _, r := range reads {
			if !r.done {
				pending = append(pending, r)
			}
		}
		if len(pending) == 0 {
			return
		}
		if err := ctx.Err(); err != nil {
			for _, r := range pending {
				r.finish(response{err: err})
			}
			return
		}
		var wait time.Duration
		waiting := 0
		for _, r := range pending {
			if r.attempts > 0 && r.wait > 0 {
				wait = max(wait, r.wait)
				waiting++
			}
			r.wait = 0
		}
		if wait > 0 {
			noun := "requests"
			if waiting == 1 {
				noun = "request"
			}
			c.obs.note("throttled: %d Graph %s waiting %s before retrying\n", waiting, noun, wait)
			if err := c.sleep(ctx, wait); err != nil {
				continue // the next round fails the pending reads with ctx's error
			}
		}
		var wg sync.WaitGroup
		for _, chunk := range chunks(pending) {
			wg.Add(1)
			c.sem <- struct{}{}
			go func() {
				defer func() { <-c.sem; wg.Done() }()
				if len(chunk) == 1 {
					r := chunk[0]
					r.settle(c, c.graph.send(ctx, abs.GET, c.graph.base+"/"+r.version+r.url, nil), true)
					return
				}
				c.batch(ctx, chunk)
			}()
		}
		wg.Wait()
	}
}

// chunks groups reads by version into batches of at most maxBatch.
func chunks(reads []*read) [][]*read {
	var out [][]*read
	by := map[string][]*read{}
	var order []string
	for _, r := range reads {
		if _, ok := by[r.version]; !ok {
			order = append(order, r.version)
		}
		by[r.version] = append(by[r.version], r)
	}
	for _, v := range order {
		list := by[v]
		// Even chunks: 21 reads go as 11+10, not 20+1.
		n := (len(list) + maxBatch - 1) / maxBatch
		size := (len(list) + n - 1) / n
		for len(list) > 0 {
			k := min(size, len(list))
			out = append(out, list[:k])
			list = list[k:]
		}
	}
	return out
}

type batchItem struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
}

type batchResponse struct {
	Responses []struct {
		ID      string            `json:"id"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"responses"`
}

// batch sends reads (same version) as one JSON $batch and settles each from
// its item. The SDK retries the $batch itself on 429/503/504; item-level
// 429/503/504 inside the 200 are retried by the engine's next round.
func (c *collector) batch(ctx context.Context, reads []*read) {
	req := struct {
		Requests []batchItem `json:"requests"`
	}{}
	for i, r := range reads {
		req.Requests = append(req.Requests, batchItem{ID: strconv.Itoa(i + 1), Method: "GET", URL: r.url})
	}
	body, _ := json.Marshal(req)
	if c.obs.verbose != nil {
		names := make([]string, len(reads))
		for i, r := range reads {
			names[i] = r.name
		}
		c.obs.printf(c.obs.verbose, "http: $batch /%s: %s\n", reads[0].version, strings.Join(names, ", "))
	}
	resp := c.graph.send(readOnly(ctx), abs.POST, c.graph.base+"/"+reads[0].version+"/$batch", body)
	if !resp.ok() {
		for _, r := range reads {
			r.settle(c, resp, true)
		}
		return
	}
	var br batchResponse
	if err := json.Unmarshal(resp.body, &br); err != nil {
		for _, r := range reads {
			r.settle(c, response{status: resp.status, msg: "invalid $batch response: " + err.Error()}, true)
		}
		return
	}
	got := map[string]bool{}
	for _, item := range br.Responses {
		i, err := strconv.Atoi(item.ID)
		if err != nil || i < 1 || i > len(reads) || got[item.ID] {
			continue
		}
		got[item.ID] = true
		ir := response{status: item.Status, body: itemBody(item.Body), retryAfter: header(item.Headers, "Retry-After")}
		switch {
		case item.Status >= 400:
			ir.code, ir.msg = graphError(ir.body)
		case item.Status >= 300:
			// Graph never moves a $batch item; whatever the redirect says,
			// its body is no answer from the tenant, and the source is an
			// error that names it (not a bare "Found" that reads like a
			// permission problem).
			ir.body, ir.code = nil, "redirectRefused"
			ir.msg = "the service answered this $batch item with a redirect"
			if loc := header(item.Headers, "Location"); loc != "" {
				ir.msg += " to " + loc
			}
			ir.msg += "; tenantgate never follows a redirect inside $batch"
		}
		reads[i-1].settle(c, c.obs.redactResponse(ir), false)
	}
	for i, r := range reads {
		if !got[strconv.Itoa(i+1)] {
			r.settle(c, response{status: http.StatusBadGateway, msg: "the $batch response has no answer for this request"}, true)
		}
	}
}

// itemBody returns a $batch item's body; Graph base64-encodes non-JSON ones.
func itemBody(raw json.RawMessage) []byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				return b
			}
			return []byte(s)
		}
	}
	return raw
}

func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// graphError extracts code and message from Graph's (or ARM's) error body.
func graphError(body []byte) (code, msg string) {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	return e.Error.Code, e.Error.Message
}

// settle applies one answer to r. retried says the SDK already retried it
// (a plain request), so a 429/503/504 is final.
func (r *read) settle(c *collector, resp response, retried bool) {
	wait, waitOK := retryDelay(resp.retryAfter, r.attempts+1)
	switch {
	case resp.ok():
		r.accept(c, resp)
	case retryable(resp.status) && !waitOK:
		// Waiting as asked could hold the run for many minutes: the source
		// is recorded as throttled (its controls not_assessed), not retried.
		resp.msg = strings.TrimSpace(fmt.Sprintf("throttled: the service's Retry-After (%s) asks for a longer wait than the %s tenantgate allows; collect again later. %s",
			strings.TrimSpace(resp.retryAfter), maxRetryWait, resp.msg))
		if resp.code == "" {
			resp.code = "throttled"
		}
		r.finish(resp)
	case !retried && retryable(resp.status) && r.attempts < maxRetries:
		r.attempts++
		r.wait = wait
		c.obs.note("%s: HTTP %d inside $batch, retry %d/%d in %s\n", r.name, resp.status, r.attempts, maxRetries, r.wait)
	default:
		r.finish(resp)
	}
}

func (r *read) accept(c *collector, resp response) {
	body := bytes.TrimSpace(resp.body)
	if r.bytes += int64(len(body)); !c.budget(r.bytes, len(body)) {
		r.finish(tooMuch(resp.status))
		return
	}
	if !r.collection {
		if len(body) == 0 || body[0] != '{' || !json.Valid(body) {
			r.finish(response{status: resp.status, code: "invalidResponse", msg: "the response is not a JSON object"})
			return
		}
		r.object = json.RawMessage(body)
		r.done = true
		return
	}
	values, nextLink, err := decodePage(body)
	if err != nil {
		r.finish(response{status: resp.status, code: "invalidResponse", msg: err.Error()})
		return
	}
	r.values = append(r.values, values...)
	r.pages++
	if nextLink == "" {
		r.done = true
		return
	}
	if r.pages >= maxPages {
		r.finish(response{status: resp.status, code: "tooManyPages", msg: fmt.Sprintf("more than %d pages; stopped following @odata.nextLink", maxPages)})
		return
	}
	rel, err := relativeLink(c.graph.base, r.version, nextLink)
	if err != nil {
		r.finish(response{status: resp.status, code: "invalidNextLink", msg: err.Error()})
		return
	}
	r.url, r.attempts = rel, 0
}

// decodePage reads one page of a Graph collection, for the collector and for
// apply's policy list alike. A page without a value array (absent, null or
// not an array) is an error, never an empty page: read as empty it would
// silently cut the list short, and apply would then create again a policy
// that exists on a later page.
func decodePage(body []byte) (values []json.RawMessage, nextLink string, err error) {
	var page struct {
		NextLink string             `json:"@odata.nextLink"`
		Value    *[]json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(body, &page); err != nil || page.Value == nil {
		return nil, "", errors.New("the response is not a JSON collection (no value array)")
	}
	return *page.Value, page.NextLink, nil
}

func (r *read) finish(resp response) {
	r.done, r.failed, r.fail = true, true, resp
	r.object, r.values = nil, nil
}

// relativeLink turns an absolute nextLink on the Graph endpoint graphBase
// into a path relative to the version, usable alone or inside a $batch. A
// link elsewhere (another scheme, host or API version) is an error: a token
// is only ever sent to the configured endpoint, and a page of another version
// has another shape.
func relativeLink(graphBase, version, link string) (string, error) {
	outside := fmt.Errorf("@odata.nextLink points outside the Graph endpoint: %s", link)
	u, err := url.Parse(link)
	if err != nil {
		return "", outside
	}
	base, _ := url.Parse(graphBase)
	if !sameOrigin(base, u) {
		return "", outside
	}
	prefix := strings.TrimRight(base.Path, "/") + "/" + version + "/"
	if !strings.HasPrefix(u.Path, prefix) {
		return "", outside
	}
	rel := "/" + strings.TrimPrefix(u.EscapedPath(), prefix)
	if u.RawQuery != "" {
		rel += "?" + u.RawQuery
	}
	return rel, nil
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// retryDelay reads Retry-After (seconds, possibly fractional, or an HTTP
// date) and falls back to exponential backoff: 1s, 2s, 4s, ... ok is false
// when the service asks for more than maxRetryWait: such a read is not
// retried but recorded as throttled.
func retryDelay(h string, attempt int) (d time.Duration, ok bool) {
	if h = strings.TrimSpace(h); h != "" {
		if s, err := strconv.ParseFloat(h, 64); err == nil && s >= 0 && !math.IsInf(s, 0) && !math.IsNaN(s) {
			if s > maxRetryWait.Seconds() {
				return maxRetryWait, false
			}
			return time.Duration(s * float64(time.Second)), true
		}
		if t, err := http.ParseTime(h); err == nil {
			d = max(time.Until(t), 0)
			return min(d, maxRetryWait), d <= maxRetryWait
		}
	}
	return min(time.Duration(1<<(attempt-1))*time.Second, maxRetryWait), true
}
