package collect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	abs "github.com/microsoft/kiota-abstractions-go"

	"github.com/tenantgate/tenantgate/internal/conn"
)

// GraphClient is the collector's Microsoft Graph transport for readers
// outside this package (internal/evidence): the same adapter and middleware
// as collect (auth, retries of GETs honouring Retry-After, a POST never
// resent, redirects and nextLinks held to the configured endpoint, request
// logs without headers), with every body kept as received.
type GraphClient struct {
	a         *adapter
	principal Principal
}

// Principal is who a token was issued to, from its claims (never the token).
type Principal struct {
	Type                                    string // user | application | "" (the token is not a JWT)
	UserPrincipalName, DisplayName          string
	ObjectID, AppID, AppDisplayName, Tenant string
}

// Response is one Graph answer after the SDK's retries.
type Response struct {
	Status     int
	Body       []byte // exactly as received
	RetryAfter string
	Date       time.Time // the service's clock (zero when absent)
	Code       string    // Graph's error code
	Message    string    // Graph's error message, with the token redacted
	Err        error     // no answer at all (network, credential, context)
}

// OK reports a 2xx answer.
func (r Response) OK() bool { return r.Err == nil && r.Status >= 200 && r.Status < 300 }

// Describe renders a failure in one line: "HTTP 403 Authorization_RequestDenied: ...".
func (r Response) Describe() string {
	if r.Err != nil {
		return r.Err.Error()
	}
	s := fmt.Sprintf("HTTP %d", r.Status)
	if r.Code != "" {
		s += " " + r.Code
	}
	if r.Message != "" {
		s += ": " + r.Message
	}
	return s
}

// NewGraphClient authenticates as opts says and returns a Graph client. One
// token is requested up front, so a credential problem stops the run before
// anything is written; it is added to the secrets every answer is redacted
// of.
func NewGraphClient(ctx context.Context, opts conn.Options) (*GraphClient, error) {
	a, cred, desc, err := graphAdapter(opts)
	if err != nil {
		return nil, err
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphScope(opts)}})
	if err != nil {
		return nil, tokenError(opts, desc, err, a.obs)
	}
	a.obs.addSecret(tok.Token)
	return &GraphClient{a: a, principal: claims(tok.Token)}, nil
}

// Principal is who the token belongs to (Type "" when its claims cannot be
// read: a token that is not a JWT, e.g. the emulator's).
func (g *GraphClient) Principal() Principal { return g.principal }

// Host is the Graph endpoint's host (for the manifest).
func (g *GraphClient) Host() string { return g.a.origin.Host }

// Requests counts the HTTP requests sent (retries included).
func (g *GraphClient) Requests() int64 { return g.a.obs.requests.Load() }

// Note writes a progress line when stderr is a terminal, else a verbose one.
func (g *GraphClient) Note(format string, args ...any) { g.a.obs.note(format, args...) }

// Get sends GET rel ("/beta/auditLogs/signIns?$filter=..."), retried on
// 429/503/504 as Retry-After says.
func (g *GraphClient) Get(ctx context.Context, rel string) Response {
	return g.do(ctx, abs.GET, rel, nil)
}

// Post sends POST rel with a JSON body once: never resent, whatever the
// answer (a create answered 504 may well have been carried out).
func (g *GraphClient) Post(ctx context.Context, rel string, body []byte) Response {
	return g.do(ctx, abs.POST, rel, body)
}

func (g *GraphClient) do(ctx context.Context, m abs.HttpMethod, rel string, body []byte) Response {
	r := g.a.send(ctx, m, g.a.base+rel, body) // redacted of the run's secrets
	out := Response{Status: r.status, Body: r.body, RetryAfter: r.retryAfter, Code: r.code, Message: r.msg, Err: r.err}
	if r.status >= 400 {
		out.Body = nil // an error body is not evidence; its code and message are kept
	}
	if t, err := http.ParseTime(r.date); err == nil {
		out.Date = t.UTC()
	}
	return out
}

// RetryRefused reports whether the answer's Retry-After asked for a longer
// wait than tenantgate allows (MaxRetryWait), so it was not retried.
func (r Response) RetryRefused() bool {
	if strings.TrimSpace(r.RetryAfter) == "" || !retryable(r.Status) {
		return false
	}
	_, ok := retryDelay(r.RetryAfter, 1)
	return !ok
}

// MaxRetryWait is the longest wait before a retry tenantgate accepts.
const MaxRetryWait = maxRetryWait

// NextLink checks a @odata.nextLink (live, or read back from a bundle) the
// way the collector checks every nextLink: same scheme, host and port as the
// endpoint and the same API version. It returns the link as a path from the
// endpoint ("/beta/...") for Get.
func (g *GraphClient) NextLink(version, link string) (string, error) {
	rel, err := relativeLink(g.a.base, version, link)
	if err != nil {
		return "", err
	}
	return "/" + version + rel, nil
}

// claims reads the identity claims of a JWT access token without verifying
// it (Graph did that; this only names who ran the collection).
func claims(token string) Principal {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Principal{}
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Principal{}
	}
	var c struct {
		IDType         string `json:"idtyp"`
		UPN            string `json:"upn"`
		UniqueName     string `json:"unique_name"`
		Preferred      string `json:"preferred_username"`
		Name           string `json:"name"`
		OID            string `json:"oid"`
		AppID          string `json:"appid"`
		AZP            string `json:"azp"`
		AppDisplayName string `json:"app_displayname"`
		TID            string `json:"tid"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return Principal{}
	}
	p := Principal{ObjectID: c.OID, AppID: first(c.AppID, c.AZP), AppDisplayName: c.AppDisplayName, Tenant: c.TID, DisplayName: c.Name}
	p.UserPrincipalName = first(c.UPN, c.UniqueName, c.Preferred)
	switch {
	case c.IDType == "app" || p.UserPrincipalName == "" && p.AppID != "":
		p.Type, p.UserPrincipalName, p.DisplayName = "application", "", ""
	case p.UserPrincipalName != "" || c.IDType == "user":
		p.Type = "user"
	}
	return p
}

func first(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// DecodePage reads one page of a Graph collection: its value array and
// @odata.nextLink (a page without a value array is an error, never empty).
func DecodePage(body []byte) ([]json.RawMessage, string, error) { return decodePage(body) }
