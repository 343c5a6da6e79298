package emulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MaxBatch is Graph's limit of requests per JSON $batch.
const MaxBatch = 20

type batchRequest struct {
	Requests []batchItem `json:"requests"`
}

type batchItem struct {
	ID        string          `json:"id"`
	Method    string          `json:"method"`
	URL       string          `json:"url"`
	Headers   map[string]any  `json:"headers"`
	Body      json.RawMessage `json:"body"`
	DependsOn []string        `json:"dependsOn"`
}

type batchItemResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// batch implements POST /{version}/$batch: every item is routed like a
// request of its own (auth inherited from the $batch), and may be throttled
// on its own with a 429 inside a 200 response.
func (s *Server) batch(c *call) reply {
	var br batchRequest
	dec := json.NewDecoder(bytes.NewReader(c.body))
	if err := dec.Decode(&br); err != nil {
		return s.graphError(c, http.StatusBadRequest, "BadRequest", "Invalid batch payload format: "+err.Error())
	}
	switch n := len(br.Requests); {
	case n == 0:
		return s.graphError(c, http.StatusBadRequest, "BadRequest", "Invalid batch payload format: no requests.")
	case n > MaxBatch:
		return s.graphError(c, http.StatusBadRequest, "BadRequest", fmt.Sprintf("The batch contains %d requests; the limit is %d.", n, MaxBatch))
	}
	seen := map[string]bool{}
	for _, it := range br.Requests {
		if it.ID == "" || seen[it.ID] {
			return s.graphError(c, http.StatusBadRequest, "BadRequest", "Batch request ids must be present and unique (id '"+it.ID+"').")
		}
		seen[it.ID] = true
		if it.Method == "" || it.URL == "" {
			return s.graphError(c, http.StatusBadRequest, "BadRequest", "Batch request '"+it.ID+"' needs a method and a url.")
		}
	}
	status := map[string]int{}
	out := make([]batchItemResponse, 0, len(br.Requests))
	cut := false
	for _, it := range br.Requests {
		ic, rep := s.batchItem(c, it, status)
		cut = cut || s.opts.Faults.ResetPages && ic.query != nil && ic.later()
		status[it.ID] = rep.status
		s.record(ic, rep.status)
		resp := batchItemResponse{ID: it.ID, Status: rep.status, Headers: map[string]string{}}
		for k, v := range rep.header {
			resp.Headers[k] = strings.Join(v, ", ")
		}
		if rep.body != nil {
			raw, err := marshal(rep.body)
			if err == nil {
				resp.Body = raw
			}
		}
		out = append(out, resp)
	}
	rep := okJSON(http.StatusOK, map[string]any{"responses": out})
	rep.cut = cut
	return rep
}

func (s *Server) batchItem(outer *call, it batchItem, done map[string]int) (*call, reply) {
	ic := &call{method: strings.ToUpper(it.Method), version: outer.version, base: outer.base, inBatch: true, header: http.Header{}, auth: outer.auth}
	for k, v := range it.Headers {
		ic.header.Set(k, fmt.Sprint(v))
	}
	if id := outer.header.Get("client-request-id"); id != "" && ic.header.Get("client-request-id") == "" {
		ic.header.Set("client-request-id", id)
	}
	if body := bytes.TrimSpace(it.Body); len(body) > 0 && string(body) != "null" {
		ic.body = body
	}
	u, err := url.Parse(it.URL)
	if err != nil || u.IsAbs() || u.Host != "" {
		ic.path = it.URL
		return ic, s.graphError(ic, http.StatusBadRequest, "BadRequest", "Batch item urls must be relative to /"+outer.version+": "+it.URL)
	}
	ic.path = "/" + strings.TrimPrefix(u.Path, "/")
	ic.query, ic.rawQ = u.Query(), u.RawQuery
	for _, dep := range it.DependsOn {
		if st, ok := done[dep]; !ok || st >= 400 {
			return ic, s.graphError(ic, http.StatusFailedDependency, "FailedDependency", "Dependency '"+dep+"' failed or did not run.")
		}
	}
	if s.take(s.counts, ic.key(), s.opts.Throttle) || s.take(s.items, ic.key(), s.opts.ThrottleItems) {
		return ic, s.throttled(ic)
	}
	return ic, s.route(ic)
}

// cloneValues copies query values (nextLinks keep the caller's query).
func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
