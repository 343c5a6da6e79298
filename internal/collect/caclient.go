package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"net/http"
	"net/url"
	"os"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/permissions"
)

// caVersion and caPath are where apply reads and creates policies (v1.0: the
// create body uses only v1.0 fields).
const (
	caVersion = "v1.0"
	caPath    = "/" + caVersion + "/identity/conditionalAccess/policies"
)

// CAClient implements apply.CAClient over Graph. It can list and create
// Conditional Access policies and nothing else: there is no update or delete
// method to call by mistake.
type CAClient struct {
	graph *adapter
}

// CAClient implements cli.Live: an authenticated client for apply.
func (Live) CAClient(_ context.Context, opts conn.Options) (apply.CAClient, error) {
	return NewCAClient(opts)
}

// NewCAClient authenticates like Collect and returns a CA client.
func NewCAClient(opts conn.Options) (*CAClient, error) {
	a, _, _, err := graphAdapter(opts)
	if err != nil {
		return nil, err
	}
	return &CAClient{graph: a}, nil
}

// graphAdapter builds an authenticated Graph adapter for opts (apply's and
// evidence's clients), its observer redacting the run's credentials; it
// returns the credential and its description for a first token.
func graphAdapter(opts conn.Options) (*adapter, azcore.TokenCredential, string, error) {
	graphURL, _, err := opts.Resolve()
	if err != nil {
		return nil, nil, "", err
	}
	if opts.Cloud == "" {
		opts.Cloud = "global"
	}
	cred, desc, err := credential(opts, os.Stderr)
	if err != nil {
		return nil, nil, "", err
	}
	a, err := newAdapter(cred, graphScope(opts), graphURL, newObserver(opts))
	if err != nil {
		return nil, nil, "", fmt.Errorf("graph client: %w", err)
	}
	return a, cred, desc, nil
}

// graphScope is the token audience of Graph in opts' cloud.
func graphScope(opts conn.Options) string {
	c := opts.Cloud
	if c == "" {
		c = "global"
	}
	return conn.Clouds[c].Graph + "/.default"
}

// ListPolicies GETs every policy, following @odata.nextLink.
func (c *CAClient) ListPolicies(ctx context.Context) ([]json.RawMessage, error) {
	var all []json.RawMessage
	next := c.graph.base + caPath
	for page := 0; next != ""; page++ {
		if page >= maxPages {
			return nil, fmt.Errorf("GET %s: more than %d pages", caPath, maxPages)
		}
		r := c.graph.send(ctx, abs.GET, next, nil)
		if !r.ok() {
			return nil, fmt.Errorf("GET %s: %s", caPath, failText(r))
		}
		// The collector's checks: apply must see every policy or fail, since
		// a policy missing from the list is created again.
		values, nextLink, err := decodePage(r.body)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", caPath, err)
		}
		all = append(all, values...)
		next = ""
		if nextLink != "" {
			rel, err := relativeLink(c.graph.base, caVersion, nextLink)
			if err != nil {
				return nil, fmt.Errorf("GET %s: %w", caPath, err)
			}
			next = c.graph.base + "/" + caVersion + rel
		}
	}
	return all, nil
}

// Organization GETs the organization the credential reaches (its only
// element), so apply can refuse to write into another tenant than the plan's.
func (c *CAClient) Organization(ctx context.Context) (json.RawMessage, error) {
	e, _ := permissions.Lookup("organization")
	r := c.graph.send(ctx, abs.GET, c.graph.base+"/"+e.Version+e.Path+"?$select=id,displayName,verifiedDomains", nil)
	if !r.ok() {
		return nil, fmt.Errorf("GET /%s%s: %s", e.Version, e.Path, failText(r))
	}
	values, _, err := decodePage(r.body)
	if err != nil || len(values) != 1 {
		return nil, fmt.Errorf("GET /%s%s: expected exactly one organization", e.Version, e.Path)
	}
	return values[0], nil
}

// User GETs one user by object id or UPN (the break-glass lookup collect
// does); nil without an error when Graph answers 404.
func (c *CAClient) User(ctx context.Context, idOrUPN string) (json.RawMessage, error) {
	e, _ := permissions.Lookup("breakGlassAccounts")
	r := c.graph.send(ctx, abs.GET, c.graph.base+"/"+e.Version+"/users/"+url.PathEscape(strings.TrimSpace(idOrUPN))+"?"+e.Query, nil)
	switch {
	case r.err == nil && r.status == http.StatusNotFound:
		return nil, nil
	case !r.ok():
		return nil, fmt.Errorf("GET /%s/users/{id}: %s", e.Version, failText(r))
	}
	body := bytes.TrimSpace(r.body)
	if len(body) == 0 || body[0] != '{' || !json.Valid(body) {
		return nil, fmt.Errorf("GET /%s/users/{id}: the response is not a JSON object", e.Version)
	}
	return body, nil
}

// CreatePolicy POSTs one policy body, once: the retry handler never resends
// a create (see observer.shouldRetry). A failure is an *apply.WriteError
// carrying the status (0 without an answer), from which apply tells a
// refusal from an outcome it must check.
func (c *CAClient) CreatePolicy(ctx context.Context, body []byte) (json.RawMessage, error) {
	r := c.graph.send(ctx, abs.POST, c.graph.base+caPath, body)
	if !r.ok() {
		status := r.status
		if r.err != nil {
			status = 0
		}
		return nil, &apply.WriteError{Status: status, Code: r.code, Text: "POST " + caPath + ": " + failText(r)}
	}
	return r.body, nil
}
