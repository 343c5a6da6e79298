package emulate

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Faults are the emulator's hostile or broken behaviours, beyond the
// throttling and errors of Options: the fault-injection harness behind the
// safety guarantees in README.md. Each is what a misbehaving service, gateway
// or proxy really does.
type Faults struct {
	// Create answers POST /identity/conditionalAccess/policies badly.
	Create CreateFault
	// Redirect answers requests for these sources (alone or as $batch items,
	// pages included) with 302 to RedirectTo + the same path and query.
	Redirect   []string
	RedirectTo string
	// ResetPages cuts every page after the first mid-body and drops the
	// connection (for a $batch: when it carries such a page).
	ResetPages bool
	// SlowBody sends every response body in ten pieces, SlowBody apart.
	SlowBody time.Duration
	// PadBody adds that many bytes of JSON whitespace before every JSON
	// response body (an oversized answer that still parses).
	PadBody int
	// EchoToken makes every error message repeat the request's
	// Authorization header, as careless services and proxies do.
	EchoToken bool
}

// CreateFault is what answers a policy create.
type CreateFault struct {
	// Status is the HTTP status sent instead of 201 (429, 5xx); 0 with
	// Reset false means no fault.
	Status int
	// Reset drops the connection without an answer.
	Reset bool
	// Before makes the fault happen before the policy is stored (nothing is
	// created); otherwise it is stored and then the answer is lost.
	Before bool
	// Times is how many creates get the fault (the first ones); 0 = all.
	Times int
}

func (f CreateFault) active() bool { return f.Status != 0 || f.Reset }

// String is the flag syntax ParseCreateFault reads.
func (f CreateFault) String() string {
	if !f.active() {
		return ""
	}
	when, what := "after", strconv.Itoa(f.Status)
	if f.Before {
		when = "before"
	}
	if f.Reset {
		what = "reset"
	}
	s := when + ":" + what
	if f.Times > 0 {
		s += ":" + strconv.Itoa(f.Times)
	}
	return s
}

// ParseCreateFault reads WHEN:WHAT[:N]: WHEN is before or after (the policy
// is stored), WHAT an HTTP status (429 or 5xx) or reset (the connection is
// dropped), N how many creates get it (default all).
func ParseCreateFault(spec string) (CreateFault, error) {
	parts := strings.Split(spec, ":")
	bad := fmt.Errorf("create fault %q: want WHEN:WHAT[:N], WHEN before or after, WHAT 429, a 5xx status or reset, e.g. after:504:1", spec)
	if len(parts) < 2 || len(parts) > 3 {
		return CreateFault{}, bad
	}
	var f CreateFault
	switch parts[0] {
	case "before":
		f.Before = true
	case "after":
	default:
		return CreateFault{}, bad
	}
	if parts[1] == "reset" {
		f.Reset = true
	} else {
		st, err := strconv.Atoi(parts[1])
		if err != nil || st != http.StatusTooManyRequests && (st < 500 || st > 599) {
			return CreateFault{}, bad
		}
		f.Status = st
	}
	if len(parts) == 3 {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 1 {
			return CreateFault{}, bad
		}
		f.Times = n
	}
	return f, nil
}

// createFault returns the faulty answer for this create, if it gets one;
// stored says whether the policy is then stored first.
func (s *Server) createFault(c *call) (rep reply, stored, ok bool) {
	f := s.opts.Faults.Create
	if !f.active() || c.inBatch {
		return reply{}, false, false
	}
	if f.Times > 0 && !s.take(s.creates, "create", f.Times) {
		return reply{}, false, false
	}
	if f.Reset {
		return reply{reset: true}, !f.Before, true
	}
	rep = s.graphError(c, f.Status, "GatewayTimeout", "The gateway did not receive a timely response (injected).")
	if f.Status == http.StatusTooManyRequests {
		rep = s.throttled(c)
	}
	return rep, !f.Before, true
}

// redirect answers a redirected source; ok is false when it answered.
func (s *Server) redirect(c *call, source string) (reply, bool) {
	f := s.opts.Faults
	if f.RedirectTo == "" || !slices.Contains(f.Redirect, source) {
		return reply{}, true
	}
	loc := strings.TrimRight(f.RedirectTo, "/") + c.fullPath()
	if c.rawQ != "" {
		loc += "?" + c.rawQ
	}
	return reply{status: http.StatusFound, header: http.Header{"Location": {loc}}}, false
}

// later reports whether c asks for a page after the first.
func (c *call) later() bool { return c.query.Get("$skiptoken") != "" }

// echo appends the request's credential to an error message (EchoToken).
func (s *Server) echo(c *call, msg string) string {
	if !s.opts.Faults.EchoToken || c.auth == "" {
		return msg
	}
	return msg + " (request header Authorization: " + c.auth + ")"
}

// writeFaulty writes raw as the answer, with the body faults applied: a
// dropped connection, a body cut mid-way, slow pieces.
func (s *Server) writeFaulty(w http.ResponseWriter, status int, raw []byte, cut bool) {
	w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(status)
	if cut {
		_, _ = w.Write(raw[:len(raw)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		// net/http drops the connection without finishing the response.
		panic(http.ErrAbortHandler)
	}
	d := s.opts.Faults.SlowBody
	if d <= 0 {
		_, _ = w.Write(raw)
		return
	}
	step := max(1, (len(raw)+9)/10)
	for i := 0; i < len(raw); i += step {
		_, _ = w.Write(raw[i:min(i+step, len(raw))])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		time.Sleep(d)
	}
}
