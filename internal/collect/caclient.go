package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/conn"
)

// caPath is where apply reads and creates policies (v1.0: the create body
// uses only v1.0 fields).
const caPath = "/v1.0/identity/conditionalAccess/policies"

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
	graphURL, _, err := opts.Resolve()
	if err != nil {
		return nil, err
	}
	if opts.Cloud == "" {
		opts.Cloud = "global"
	}
	cred, _, err := credential(opts, os.Stderr)
	if err != nil {
		return nil, err
	}
	obs := &observer{progress: opts.Progress}
	if opts.Verbose {
		obs.verbose = opts.Log
	}
	a, err := newAdapter(cred, conn.Clouds[opts.Cloud].Graph+"/.default", graphURL, obs)
	if err != nil {
		return nil, fmt.Errorf("graph client: %w", err)
	}
	return &CAClient{graph: a}, nil
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
		var doc struct {
			Value    []json.RawMessage `json:"value"`
			NextLink string            `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(r.body, &doc); err != nil {
			return nil, fmt.Errorf("GET %s: bad JSON: %w", caPath, err)
		}
		all = append(all, doc.Value...)
		next = doc.NextLink
		if next != "" && !sameHost(next, c.graph.base) {
			return nil, fmt.Errorf("GET %s: nextLink points outside the Graph endpoint", caPath)
		}
	}
	return all, nil
}

// CreatePolicy POSTs one policy body.
func (c *CAClient) CreatePolicy(ctx context.Context, body []byte) (json.RawMessage, error) {
	r := c.graph.send(ctx, abs.POST, c.graph.base+caPath, body)
	if !r.ok() {
		return nil, fmt.Errorf("POST %s: %s", caPath, failText(r))
	}
	return r.body, nil
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Host, ub.Host)
}
