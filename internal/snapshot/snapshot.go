// Package snapshot defines the tenant snapshot file (cli.md "Snapshot file"):
// a versioned envelope around Graph and ARM objects kept exactly as the
// services returned them. The data part stays raw JSON on purpose: typed SDK
// models drop beta fields and mangle unknown enum values, and the Rego policies
// must see what Graph said.
package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/inputerr"
)

// SchemaVersion is the snapshot format version this build reads and writes.
const SchemaVersion = 1

// Limits of a snapshot file, checked by the loader and kept by the collector
// (EnforceLimits), so that every snapshot written can be read and evaluated.
//
// MaxFileBytes is the largest snapshot read: 64 MiB. The largest realistic
// tenant we could build (200 Conditional Access policies each excluding 250
// users and groups, 200 named locations of which 20 hold 2,000 IP ranges,
// two break-glass accounts in 1,000 groups each, 60 SKUs of 100 plans) is a
// 13 MB snapshot; evaluation needs about 25 bytes of memory per byte of
// snapshot, so the limit also bounds an audit's memory near 1.5 GB.
//
// MaxDepth is the deepest nesting of arrays and objects: 100 levels. Graph
// objects nest about 10 deep; the policy engine's JSON parser stops at 300,
// and a file the loader accepted must never fail there.
const (
	MaxFileBytes = 64 << 20
	MaxDepth     = 100
)

// CollectSummaryName is the file `collect --tenants` writes next to the
// snapshots (kind CollectSummaryKind); readers of a snapshot directory skip it.
const (
	CollectSummaryName = "collect-summary.json"
	CollectSummaryKind = "tenantgate-collect-summary"
)

// Source statuses.
const (
	StatusOK      = "ok"
	StatusDenied  = "denied"
	StatusError   = "error"
	StatusSkipped = "skipped"
)

// Shape says whether a source's data is one object or a collection.
type Shape int

const (
	Object Shape = iota
	Collection
)

// Sources lists every source a snapshot may carry and the JSON shape of its
// data. The names are the contract shared by the collector, the emulator and
// the Rego policies (input.data.<name>).
var Sources = map[string]Shape{
	"organization":                   Object,
	"authorizationPolicy":            Object,
	"adminConsentRequestPolicy":      Object,
	"conditionalAccessPolicies":      Collection,
	"namedLocations":                 Collection,
	"authenticationStrengthPolicies": Collection,
	"authenticationMethodsPolicy":    Object,
	"securityDefaults":               Object,
	"deviceRegistrationPolicy":       Object,
	"subscribedSkus":                 Collection,
	"deviceEnrollmentConfigurations": Collection,
	"breakGlassAccounts":             Collection,
	"roleDefinitions":                Collection,
	"globalAdministrators":           Collection,
	"directoryUsers":                 Collection,
	"directoryGroups":                Collection,
	"groupMembers":                   Collection,
	"caServicePrincipals":            Collection,
	"signInActivity":                 Collection,
	"diagnosticSettings":             Collection,
	"logAnalyticsWorkspaces":         Collection,
	"logAnalyticsTables":             Collection,
}

// SourceNames returns the source names in a stable order.
func SourceNames() []string {
	names := make([]string, 0, len(Sources))
	for n := range Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Tool identifies the program that wrote a file.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Tenant identifies the tenant a snapshot was read from.
type Tenant struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName,omitempty"`
	Cloud       string `json:"cloud,omitempty"`
}

// Source records how one source was collected. Error carries Graph's error
// code and message (never a token); HTTPStatus is the final HTTP status.
type Source struct {
	Status     string `json:"status"`
	Request    string `json:"request,omitempty"`
	HTTPStatus int    `json:"httpStatus,omitempty"`
	Code       string `json:"code,omitempty"`
	Error      string `json:"error,omitempty"`
}

// GroupMembers is the element type of data.groupMembers: a group a
// Conditional Access policy excludes and its transitive user members as
// /groups/{id}/transitiveMembers/microsoft.graph.user returned them.
type GroupMembers struct {
	Group   string            `json:"group"`
	Members []json.RawMessage `json:"members"`
}

// Snapshot is one tenant's collected state.
type Snapshot struct {
	SchemaVersion int                        `json:"schemaVersion"`
	CollectedAt   time.Time                  `json:"collectedAt"`
	Tool          Tool                       `json:"tool"`
	Tenant        Tenant                     `json:"tenant"`
	Sources       map[string]Source          `json:"sources"`
	Data          map[string]json.RawMessage `json:"data"`
}

// BreakGlassAccount is the element type of data.breakGlassAccounts: the
// baseline entry as written, the Graph user it resolved to (nil when the
// tenant has no such user) and the user's transitive memberships (groups and
// directory roles) exactly as /users/{id}/transitiveMemberOf returned them.
type BreakGlassAccount struct {
	Requested          string            `json:"requested"`
	User               json.RawMessage   `json:"user"`
	TransitiveMemberOf []json.RawMessage `json:"transitiveMemberOf"`
	Error              string            `json:"error,omitempty"`
}

// Load reads and validates a snapshot file. Problems are *inputerr.Error
// naming the file (and line for syntax errors).
func Load(path string) (*Snapshot, error) {
	raw, err := inputerr.ReadFile(path, "snapshot", MaxFileBytes)
	if err != nil {
		return nil, err
	}
	return Parse(path, raw)
}

// Parse decodes and validates snapshot JSON; name is used in messages.
func Parse(name string, raw []byte) (*Snapshot, error) {
	if err := CheckLimits(name, raw); err != nil {
		return nil, err
	}
	var s Snapshot
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&s); err != nil {
		return nil, inputerr.JSON(name, raw, err, "a snapshot")
	}
	if dec.More() {
		line, _ := inputerr.LineCol(raw, dec.InputOffset())
		return nil, inputerr.At(name, line, "unexpected data after the snapshot document")
	}
	if err := s.Validate(); err != nil {
		return nil, inputerr.New(name, "invalid snapshot: %v", err)
	}
	return &s, nil
}

// CheckLimits is the input error for snapshot bytes beyond MaxFileBytes or
// MaxDepth, or nil. Every reader of snapshot files checks it (Parse, and the
// fleet's single-parse path), so a file is judged alike everywhere.
func CheckLimits(name string, raw []byte) error {
	if int64(len(raw)) > MaxFileBytes {
		return inputerr.New(name, "snapshot is larger than %s, the most tenantgate reads", inputerr.Size(MaxFileBytes))
	}
	return inputerr.JSONDepth(name, raw, MaxDepth)
}

// Validate checks the envelope and that sources and data agree: an ok source
// has data of the right shape, a failed one has none.
func (s *Snapshot) Validate() error {
	shapes := make(map[string]byte, len(s.Data))
	for k, v := range s.Data {
		v = bytes.TrimSpace(v)
		var c byte
		if len(v) > 0 {
			c = v[0]
		}
		shapes[k] = c
	}
	return ValidateEnvelope(s.SchemaVersion, s.CollectedAt, s.Tenant, s.Sources, shapes)
}

// ValidateEnvelope is Validate for decoders that do not keep the data as
// bytes: shapes maps each data key to the first byte of its JSON value
// ('{' object, '[' array).
func ValidateEnvelope(version int, collectedAt time.Time, tenant Tenant, sources map[string]Source, shapes map[string]byte) error {
	if version != SchemaVersion {
		if version == 0 {
			return errors.New("missing schemaVersion (is this a tenantgate snapshot?)")
		}
		return fmt.Errorf("schemaVersion %d is not supported (this build reads %d)", version, SchemaVersion)
	}
	if collectedAt.IsZero() {
		return errors.New("missing collectedAt")
	}
	if strings.TrimSpace(tenant.ID) == "" {
		return errors.New("missing tenant.id")
	}
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		src := sources[name]
		if _, ok := Sources[name]; !ok {
			return fmt.Errorf("sources.%s: unknown source (known: %s)", name, strings.Join(SourceNames(), ", "))
		}
		_, has := shapes[name]
		switch src.Status {
		case StatusOK:
			if !has {
				return fmt.Errorf("sources.%s: status ok but data.%s is missing", name, name)
			}
		case StatusDenied, StatusError, StatusSkipped:
			if has {
				return fmt.Errorf("sources.%s: status %s but data.%s is present; a failed source must have no data", name, src.Status, name)
			}
		default:
			return fmt.Errorf("sources.%s.status: %q is not one of ok, denied, error, skipped", name, src.Status)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(shapes)) {
		shape, ok := Sources[name]
		if !ok {
			return fmt.Errorf("data.%s: unknown source (known: %s)", name, strings.Join(SourceNames(), ", "))
		}
		if _, ok := sources[name]; !ok {
			return fmt.Errorf("data.%s has no sources.%s entry saying how it was collected", name, name)
		}
		switch c := shapes[name]; {
		case shape == Object && c != '{':
			return fmt.Errorf("data.%s: want a JSON object", name)
		case shape == Collection && c != '[':
			return fmt.Errorf("data.%s: want a JSON array", name)
		}
	}
	return nil
}

// Codes of the sources EnforceLimits turns into errors.
const (
	CodeTooDeep  = "tooDeep"
	CodeTooLarge = "tooLarge"
)

// EnforceLimits makes s a snapshot the loader accepts, for the collector,
// which must never write one the auditor cannot read: a source whose data
// nests deeper than MaxDepth allows becomes an error source (CodeTooDeep),
// then, while the written file would exceed MaxFileBytes, so does the
// largest remaining source (CodeTooLarge). The controls that read those
// sources are then not_assessed, as for any source that failed. It returns
// the names of the sources it dropped.
func (s *Snapshot) EnforceLimits() []string {
	var dropped []string
	drop := func(name, code, msg string) {
		src := s.Sources[name]
		src.Status, src.Code, src.Error = StatusError, code, msg
		s.Sources[name] = src
		delete(s.Data, name)
		dropped = append(dropped, name)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Data)) {
		// data.<name> sits two levels down in the file.
		if inputerr.DepthExceeded(s.Data[name], MaxDepth-2) >= 0 {
			drop(name, CodeTooDeep, fmt.Sprintf("the data nests deeper than %d levels, more than a snapshot may hold; not recorded", MaxDepth-2))
		}
	}
	for {
		var n countWriter
		if s.Write(&n) != nil || int64(n) <= MaxFileBytes || len(s.Data) == 0 {
			return dropped
		}
		largest := ""
		for _, name := range slices.Sorted(maps.Keys(s.Data)) {
			if largest == "" || len(s.Data[name]) > len(s.Data[largest]) {
				largest = name
			}
		}
		drop(largest, CodeTooLarge, fmt.Sprintf("%s of data, too much for a snapshot of at most %s; not recorded", inputerr.Size(int64(len(s.Data[largest]))), inputerr.Size(MaxFileBytes)))
	}
}

// countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// OK reports whether a source was collected.
func (s *Snapshot) OK(name string) bool {
	src, ok := s.Sources[name]
	return ok && src.Status == StatusOK
}

// Write encodes the snapshot as indented JSON.
func (s *Snapshot) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}
