// Package conn holds how to reach a tenant: tenant id, credential mode, cloud
// and endpoint overrides. It is a plain data package so that the CLI can parse
// connection flags without linking msgraph-sdk-go; internal/collect and
// internal/apply turn it into authenticated clients.
package conn

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync/atomic"
)

// Auth modes accepted by --auth. "" means azidentity's default chain
// (environment, workload identity, managed identity, Azure CLI).
var AuthModes = []string{"device-code", "client-secret", "certificate", "managed-identity", "workload-identity", "azure-cli"}

// Cloud endpoints.
type Cloud struct {
	Name      string
	Graph     string // e.g. https://graph.microsoft.com
	ARM       string // e.g. https://management.azure.com
	Authority string // e.g. https://login.microsoftonline.com/
}

// Clouds are the national clouds --cloud selects.
var Clouds = map[string]Cloud{
	"global":    {"global", "https://graph.microsoft.com", "https://management.azure.com", "https://login.microsoftonline.com/"},
	"usgov":     {"usgov", "https://graph.microsoft.us", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us/"},
	"usgov-dod": {"usgov-dod", "https://dod-graph.microsoft.us", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us/"},
	"china":     {"china", "https://microsoftgraph.chinacloudapi.cn", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn/"},
}

// Options describe one connection.
type Options struct {
	TenantID      string
	Auth          string // one of AuthModes, or "" for the default chain
	ClientID      string // app registration for device-code / client-secret / certificate / workload-identity
	Certificate   string // PEM/PFX path for --auth certificate
	Cloud         string // key of Clouds; default global
	GraphEndpoint string // overrides the cloud's Graph host (no /v1.0 suffix)
	ARMEndpoint   string // overrides the cloud's ARM host
	Concurrency   int    // parallel requests; 0 = default
	Verbose       bool   // request-level logs (never tokens) to Log
	Progress      io.Writer
	Log           io.Writer

	// Per-tenant credentials held in memory (fleet collection reads them
	// from the environment variables its tenants file names). When set they
	// win over the process environment, so tenants never share a credential.
	// They are never serialized or printed: Secret redacts itself.
	AccessToken  Secret `json:"-" yaml:"-"` // bearer token used as is, like TENANTGATE_ACCESS_TOKEN
	ClientSecret Secret `json:"-" yaml:"-"` // for Auth client-secret, instead of AZURE_CLIENT_SECRET
	// NoEnvToken ignores TENANTGATE_ACCESS_TOKEN: a bearer token belongs to
	// one tenant, so a fleet run must not hand it to every tenant.
	NoEnvToken bool
	// RoundTrips, when set, receives the number of HTTP requests the
	// collection sent (retries included).
	RoundTrips *atomic.Int64 `json:"-" yaml:"-"`
}

// Secret is a credential kept in memory. Its String, GoString, JSON and text
// forms are redacted so that logging or encoding the Options never leaks it;
// only string(s) reads it.
type Secret string

const redacted = "[redacted]"

func (s Secret) String() string   { return s.mark() }
func (s Secret) GoString() string { return s.mark() }

// MarshalText also covers JSON and YAML encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.mark()), nil }

func (s Secret) mark() string {
	if s == "" {
		return ""
	}
	return redacted
}

// Resolve fills defaults and validates; it returns the effective endpoints.
func (o Options) Resolve() (graph, arm string, err error) {
	name := o.Cloud
	if name == "" {
		name = "global"
	}
	c, ok := Clouds[name]
	if !ok {
		return "", "", fmt.Errorf("unknown --cloud %q: want global, usgov, usgov-dod or china", o.Cloud)
	}
	if o.Auth != "" && !contains(AuthModes, o.Auth) {
		return "", "", fmt.Errorf("unknown --auth %q: want one of %s", o.Auth, strings.Join(AuthModes, ", "))
	}
	graph, arm = c.Graph, c.ARM
	if o.GraphEndpoint != "" {
		if graph, err = endpoint("--graph-endpoint", o.GraphEndpoint); err != nil {
			return "", "", err
		}
	}
	if o.ARMEndpoint != "" {
		if arm, err = endpoint("--arm-endpoint", o.ARMEndpoint); err != nil {
			return "", "", err
		}
	}
	return graph, arm, nil
}

// Authority returns the login authority of the selected cloud.
func (o Options) Authority() string {
	if c, ok := Clouds[o.Cloud]; ok {
		return c.Authority
	}
	return Clouds["global"].Authority
}

// endpoint validates an override: https anywhere, http only on loopback, so a
// typo can never send a bearer token in clear text over the network.
func endpoint(flag, raw string) (string, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%s %q is not an absolute URL", flag, raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return "", fmt.Errorf("%s %q: plain http is allowed only for 127.0.0.1, ::1 or localhost", flag, raw)
		}
	default:
		return "", fmt.Errorf("%s %q: scheme must be https (or http on loopback)", flag, raw)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/v1.0"), "/beta")
	return u.String(), nil
}

// IsLoopback reports whether host is a loopback name or address.
func IsLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TenantMismatch is the error of SameTenant: the credential reached another
// organization than the one asked for.
type TenantMismatch struct {
	Want, ID, DisplayName string
}

func (e *TenantMismatch) Error() string {
	return fmt.Sprintf("the credential reached tenant %s (%s), not %s", e.ID, e.DisplayName, e.Want)
}

// SameTenant checks that organization (the object GET /organization returned)
// is the tenant want names, by tenant id or by one of its verified domain
// names (case-insensitively). A token or app secret issued for another tenant
// would otherwise have that tenant's data reported, or changed, under want's
// name. collect, audit (single and fleet) and apply call it. With want empty,
// or without a readable organization id, there is nothing to compare and it
// returns nil: the caller then has no organization source, which makes its
// run partial anyway.
func SameTenant(want string, organization []byte) error {
	want = strings.TrimSpace(want)
	if want == "" || len(organization) == 0 {
		return nil
	}
	var org struct {
		ID              string `json:"id"`
		DisplayName     string `json:"displayName"`
		VerifiedDomains []struct {
			Name string `json:"name"`
		} `json:"verifiedDomains"`
	}
	if json.Unmarshal(organization, &org) != nil || org.ID == "" {
		return nil
	}
	if strings.EqualFold(org.ID, want) {
		return nil
	}
	for _, d := range org.VerifiedDomains {
		if strings.EqualFold(d.Name, want) {
			return nil
		}
	}
	return &TenantMismatch{Want: want, ID: org.ID, DisplayName: org.DisplayName}
}
