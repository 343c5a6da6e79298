// Package synth derives benchmark snapshots from the demo tenant: fleet
// variants (distinct tenant ids, small realistic perturbations so verdicts
// differ across the fleet) and a large tenant (hundreds of Conditional Access
// policies and named locations). Every object keeps a shape copied from the
// demo's Graph objects, so the snapshots pass snapshot.Validate and the
// policies see what Graph would return. Output is deterministic: the same
// index gives the same bytes.
//
// Used by bench/gen (files for bench/run.sh) and by the engine benchmarks
// (built in-process, so no large test data is committed).
package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"
)

type obj = map[string]any

// doc is a snapshot decoded generically (numbers kept as json.Number).
type doc struct {
	root obj
	data obj
}

func parse(raw []byte) (*doc, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var root obj
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("synth: decode snapshot: %w", err)
	}
	data, ok := root["data"].(obj)
	if !ok {
		return nil, fmt.Errorf("synth: snapshot has no data object")
	}
	return &doc{root: root, data: data}, nil
}

func (d *doc) encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d.root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (d *doc) list(name string) []any {
	l, _ := d.data[name].([]any)
	return l
}

// clone deep-copies a decoded JSON value.
func clone(v any) any {
	switch x := v.(type) {
	case obj:
		out := make(obj, len(x))
		for k, e := range x {
			out[k] = clone(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clone(e)
		}
		return out
	}
	return v
}

// path walks nested objects; nil when a step is missing or not an object.
func path(v any, keys ...string) obj {
	for _, k := range keys {
		o, ok := v.(obj)
		if !ok {
			return nil
		}
		v = o[k]
	}
	o, _ := v.(obj)
	return o
}

// UUID returns a deterministic version-4-shaped id for the given parts.
func UUID(parts ...any) string {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	r := rand.New(rand.NewPCG(h.Sum64(), 0x7465_6e61_6e74))
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%x%03x-%012x",
		uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, 8|(b>>62)&3, uint16(b>>48)&0xfff, b&0xffffffffffff)
}

func byName(l []any, key, prefix string) obj {
	for _, e := range l {
		if o, ok := e.(obj); ok {
			if s, _ := o[key].(string); len(s) >= len(prefix) && s[:len(prefix)] == prefix {
				return o
			}
		}
	}
	return nil
}

// setTenant gives the snapshot a new tenant id (also the organization
// object's id, which the collector's wrong-tenant check compares).
func (d *doc) setTenant(id, name string, at time.Time) {
	t := path(d.root, "tenant")
	t["id"], t["displayName"] = id, name
	d.root["collectedAt"] = at.UTC().Format(time.RFC3339)
	if org := path(d.data, "organization"); org != nil {
		org["id"], org["displayName"] = id, name
	}
}

// Perturbation is one realistic change to the demo tenant; Variant applies a
// seeded subset of them.
type Perturbation struct {
	Name  string
	apply func(d *doc)
}

// Perturbations lists the changes variants draw from. Each flips at least one
// control's verdict relative to the demo tenant.
var Perturbations = []Perturbation{
	{"CA005 compliant-device policy enforced", func(d *doc) {
		if p := byName(d.list("conditionalAccessPolicies"), "displayName", "CA005"); p != nil {
			p["state"] = "enabled"
		}
	}},
	{"CA001 MFA policy switched to report-only", func(d *doc) {
		if p := byName(d.list("conditionalAccessPolicies"), "displayName", "CA001"); p != nil {
			p["state"] = "enabledForReportingButNotEnforced"
		}
	}},
	{"CA003 sign-in frequency 1 hour", func(d *doc) {
		p := byName(d.list("conditionalAccessPolicies"), "displayName", "CA003")
		if f := path(p, "sessionControls", "signInFrequency"); f != nil {
			f["value"] = json.Number("1")
		}
	}},
	{"CA006 token protection for all users", func(d *doc) {
		p := byName(d.list("conditionalAccessPolicies"), "displayName", "CA006")
		if u := path(p, "conditions", "users"); u != nil {
			u["includeUsers"], u["includeGroups"] = []any{"All"}, []any{}
		}
	}},
	{"remote-work trusted location narrowed to one /24", func(d *doc) {
		if l := byName(d.list("namedLocations"), "displayName", "Remote work"); l != nil {
			l["ipRanges"] = []any{obj{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "198.51.100.0/24"}}
		}
	}},
	{"users cannot register applications", func(d *doc) {
		if p := path(d.data, "authorizationPolicy", "defaultUserRolePermissions"); p != nil {
			p["allowedToCreateApps"] = false
		}
	}},
	{"user consent limited to low-risk permissions", func(d *doc) {
		if p := path(d.data, "authorizationPolicy", "defaultUserRolePermissions"); p != nil {
			p["permissionGrantPoliciesAssigned"] = []any{"ManagePermissionGrantsForSelf.microsoft-user-default-low"}
		}
	}},
	{"admin consent workflow on", func(d *doc) {
		if p := path(d.data, "adminConsentRequestPolicy"); p != nil {
			p["isEnabled"], p["notifyReviewers"], p["requestDurationInDays"] = true, true, json.Number("30")
			p["reviewers"] = []any{obj{"query": "/users/4f6a2a0e-8b1c-4a52-9d3e-0b7c1e5a9f01", "queryType": "MicrosoftGraph", "queryRoot": nil}}
		}
	}},
	{"MFA required to join devices", func(d *doc) {
		if p := path(d.data, "deviceRegistrationPolicy"); p != nil {
			p["multiFactorAuthConfiguration"] = "required"
		}
	}},
	{"security defaults on", func(d *doc) {
		if p := path(d.data, "securityDefaults"); p != nil {
			p["isEnabled"] = true
		}
	}},
}

// denied replaces a source by a 403, as a tenant whose consent lacks one
// permission returns.
func (d *doc) denied(name string) {
	src := path(d.root, "sources", name)
	if src == nil {
		return
	}
	src["status"], src["httpStatus"] = "denied", json.Number("403")
	src["code"], src["error"] = "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
	delete(d.data, name)
}

// Variant returns fleet tenant i derived from the demo snapshot: its own
// tenant id and name, a collection time i minutes after the demo's, and a
// seeded mix of Perturbations (about a third of them each). One tenant in
// 25 also has a denied source, so the fleet contains incomplete audits.
func Variant(demoJSON []byte, i int) ([]byte, error) {
	d, err := parse(demoJSON)
	if err != nil {
		return nil, err
	}
	at, _ := time.Parse(time.RFC3339, fmt.Sprint(d.root["collectedAt"]))
	d.setTenant(UUID("tenant", i), fmt.Sprintf("Fleet Tenant %04d", i), at.Add(time.Duration(i)*time.Minute))
	r := rand.New(rand.NewPCG(uint64(i), 0x666c656574))
	for _, p := range Perturbations {
		if r.IntN(3) == 0 {
			p.apply(d)
		}
	}
	if i%25 == 24 {
		d.denied("deviceEnrollmentConfigurations")
	}
	return d.encode()
}

// Large returns a large tenant derived from the demo snapshot: nPolicies
// Conditional Access policies (the demo's own first, then copies of them in
// varied shapes: all users or groups, enabled / report-only / disabled,
// narrowed by platform, risk or client apps, extra user/group exclusions,
// location conditions) and nLocations named locations (the demo's, then IP
// and country locations, some trusted, a few with over-broad ranges).
func Large(demoJSON []byte, nPolicies, nLocations int) ([]byte, error) {
	d, err := parse(demoJSON)
	if err != nil {
		return nil, err
	}
	at, _ := time.Parse(time.RFC3339, fmt.Sprint(d.root["collectedAt"]))
	d.setTenant(UUID("large-tenant"), "Large Tenant (synthetic)", at)
	r := rand.New(rand.NewPCG(42, 0x6c61726765))

	locs := d.list("namedLocations")
	ipTmpl := byName(locs, "@odata.type", "#microsoft.graph.ipNamedLocation")
	ctryTmpl := byName(locs, "@odata.type", "#microsoft.graph.countryNamedLocation")
	if ipTmpl == nil || ctryTmpl == nil {
		return nil, fmt.Errorf("synth: demo has no IP and country named location to copy")
	}
	countries := []string{"JP", "US", "GB", "DE", "FR", "SG", "AU", "CA", "IN", "KR", "BR", "NL"}
	var trusted []string
	for k := len(locs); k < nLocations; k++ {
		var l obj
		if k%5 < 3 { // 60% IP locations
			l = clone(ipTmpl).(obj)
			var ranges []any
			for j := 0; j <= r.IntN(3); j++ {
				ranges = append(ranges, obj{"@odata.type": "#microsoft.graph.iPv4CidrRange",
					"cidrAddress": fmt.Sprintf("%d.%d.%d.0/%d", 11+r.IntN(200), r.IntN(256), r.IntN(256), 22+r.IntN(3))})
			}
			if k%31 == 0 { // a VPN range someone widened too far
				ranges = append(ranges, obj{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "10.0.0.0/6"})
			}
			l["ipRanges"] = ranges
			l["isTrusted"] = k%3 == 0
			l["displayName"] = fmt.Sprintf("Office %03d", k)
		} else {
			l = clone(ctryTmpl).(obj)
			var cs []any
			for j := 0; j <= r.IntN(4); j++ {
				cs = append(cs, countries[r.IntN(len(countries))])
			}
			l["countriesAndRegions"] = cs
			l["displayName"] = fmt.Sprintf("Countries %03d", k)
		}
		l["id"] = UUID("location", k)
		if l["isTrusted"] == true {
			trusted = append(trusted, l["id"].(string))
		}
		locs = append(locs, l)
	}
	d.data["namedLocations"] = locs

	pols := d.list("conditionalAccessPolicies")
	tmpls := make([]obj, len(pols))
	for i, p := range pols {
		tmpls[i] = p.(obj)
	}
	states := []string{"enabled", "enabled", "enabledForReportingButNotEnforced", "disabled"}
	for k := len(pols); k < nPolicies; k++ {
		p := clone(tmpls[k%len(tmpls)]).(obj)
		id := UUID("policy", k)
		p["id"] = id
		p["displayName"] = fmt.Sprintf("CA%03d: %s (copy %d)", k+1, p["displayName"], k)
		p["state"] = states[r.IntN(len(states))]
		if gc, ok := p["grantControls"].(obj); ok {
			gc["authenticationStrength@odata.context"] = fmt.Sprintf("https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess/policies('%s')/grantControls/authenticationStrength/$entity", id)
		}
		cond := path(p, "conditions")
		u := path(cond, "users")
		switch r.IntN(3) {
		case 0: // all users
			u["includeUsers"], u["includeGroups"] = []any{"All"}, []any{}
		case 1: // a few groups
			g := []any{}
			for j := 0; j <= r.IntN(3); j++ {
				g = append(g, UUID("group", r.IntN(40)))
			}
			u["includeUsers"], u["includeGroups"] = []any{}, g
		}
		if r.IntN(4) == 0 { // an extra excluded user or group
			ex, _ := u["excludeUsers"].([]any)
			u["excludeUsers"] = append(ex, UUID("user", r.IntN(100)))
			u["excludeGroups"] = []any{UUID("group", r.IntN(40))}
		}
		switch r.IntN(6) { // narrowing
		case 0:
			cond["platforms"] = obj{"includePlatforms": []any{"android", "iOS"}, "excludePlatforms": []any{}}
		case 1:
			cond["signInRiskLevels"] = []any{"high", "medium"}
		case 2:
			cond["clientAppTypes"] = []any{"browser", "mobileAppsAndDesktopClients"}
		}
		if r.IntN(3) == 0 && len(trusted) > 0 { // all locations except some trusted ones
			ex := []any{trusted[r.IntN(len(trusted))]}
			if r.IntN(2) == 0 {
				ex = []any{"AllTrusted"}
			}
			cond["locations"] = obj{"includeLocations": []any{"All"}, "excludeLocations": ex}
		}
		p["createdDateTime"] = at.Add(-time.Duration(400+k) * time.Hour).Format("2006-01-02T15:04:05.0000000Z")
		p["modifiedDateTime"] = at.Add(-time.Duration(k) * time.Hour).Format("2006-01-02T15:04:05.0000000Z")
		pols = append(pols, p)
	}
	d.data["conditionalAccessPolicies"] = pols
	return d.encode()
}
