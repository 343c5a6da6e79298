package emulate

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantgate/tenantgate/internal/permissions"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// route answers one Graph or ARM request (already authenticated, not throttled).
func (s *Server) route(c *call) reply {
	if c.method == http.MethodPatch || c.method == http.MethodDelete || c.method == http.MethodPut {
		// tenantgate never changes or deletes anything; apply's tests assert no
		// such request arrives, so answer and record them without acting.
		return s.graphError(c, http.StatusMethodNotAllowed, "MethodNotAllowed", "The emulator does not accept "+c.method+".")
	}
	if c.version == "" {
		return s.arm(c)
	}
	p := strings.TrimRight(c.path, "/")
	if s.opts.Incident {
		if rep, ok := s.evidenceRoute(c); ok {
			return rep
		}
	}
	if rep, ok := s.directory(c, p); ok {
		return rep
	}
	if rest, ok := cutPrefixFold(p, "/users/"); ok {
		return s.user(c, rest)
	}
	for _, e := range permissions.Endpoints {
		if e.API != permissions.Graph || e.Source == "breakGlassAccounts" {
			continue
		}
		if strings.EqualFold(p, e.Path) {
			return s.source(c, e, "")
		}
		if id, ok := cutPrefixFold(p, e.Path+"/"); ok && !strings.Contains(id, "/") {
			return s.source(c, e, id)
		}
	}
	return s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment '"+lastSegment(p)+"'.")
}

// source answers a request for one snapshot source; id selects an element.
func (s *Server) source(c *call, e permissions.Endpoint, id string) reply {
	if rep, ok := s.inject(c, e.Source); !ok {
		return rep
	}
	if rep, ok := s.redirect(c, e.Source); !ok {
		return rep
	}
	if rep, ok := s.state(c, e.Source); !ok {
		return rep
	}
	// Intune answers a tenant without a usable Intune licence with 400, not
	// 403 (a real body: internal/conformance/testdata/corpus/issues).
	// (Only when the served tenant's licences are known.)
	if strings.HasPrefix(strings.ToLower(e.Path), "/devicemanagement/") && s.sources["subscribedSkus"].Status == snapshot.StatusOK && !s.hasServicePlan("INTUNE_A", "INTUNE_SMBIZ") {
		return s.graphError(c, http.StatusBadRequest, "BadRequest", "Request not applicable to target tenant.")
	}
	if c.method == http.MethodPost && id == "" && e.Source == "conditionalAccessPolicies" {
		return s.createPolicy(c)
	}
	if c.method != http.MethodGet {
		return s.graphError(c, http.StatusMethodNotAllowed, "MethodNotAllowed", "The emulator does not accept "+c.method+" here.")
	}
	ctx := strings.TrimPrefix(e.Path, "/")
	s.mu.Lock()
	obj, isObj := s.objects[e.Source]
	list := append([]json.RawMessage(nil), s.lists[e.Source]...)
	s.mu.Unlock()
	if e.Source == "conditionalAccessPolicies" {
		for i, el := range list {
			list[i] = shapedPolicy(el, c.version, !strings.HasPrefix(s.sources[e.Source].Request, "GET /v1.0/"))
		}
	}
	switch {
	case e.Single && id == "":
		return s.page(c, []json.RawMessage{obj}, ctx)
	case e.Single || !isObj && id != "":
		if e.Single {
			list = []json.RawMessage{obj}
		}
		for _, el := range list {
			if strings.EqualFold(field(el, "id"), id) {
				return okJSON(http.StatusOK, el)
			}
		}
		return s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
	case isObj:
		if id != "" {
			return s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment '"+id+"'.")
		}
		return okJSON(http.StatusOK, obj)
	default:
		return s.page(c, list, ctx)
	}
}

// inject applies the Deny and Fail switches; ok is false when it answered.
func (s *Server) inject(c *call, source string) (reply, bool) {
	if slices.Contains(s.opts.Deny, source) {
		return s.denied(c, source, "", ""), false
	}
	if n, ok := s.opts.Fail[source]; ok && (n < 0 || s.take(s.failures, c.key(), n)) {
		rep := s.graphError(c, s.opts.FailStatus, "serviceNotAvailable", "The service is temporarily unavailable (injected).")
		rep.header.Set("Retry-After", strconv.Itoa(s.opts.RetryAfter))
		return rep, false
	}
	return reply{}, true
}

// state answers for sources the snapshot itself records as failed, with the
// status and Graph error the collector saw; ok is false when it answered.
func (s *Server) state(c *call, source string) (reply, bool) {
	s.mu.Lock()
	src, known := s.sources[source]
	bad := s.bad[source]
	s.mu.Unlock()
	switch {
	case !known:
		return s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound", "The emulated tenant has no data for "+source+"."), false
	case bad != "":
		return s.graphError(c, http.StatusInternalServerError, "generalException", "The emulated tenant's "+source+" data is invalid: "+bad), false
	}
	switch src.Status {
	case snapshot.StatusOK:
		return reply{}, true
	case snapshot.StatusDenied:
		return s.denied(c, source, src.Code, src.Error), false
	case snapshot.StatusError:
		status, code, msg := src.HTTPStatus, src.Code, src.Error
		if status < 400 {
			status = http.StatusInternalServerError
		}
		if code == "" {
			code = "generalException"
		}
		if msg == "" {
			msg = "An error occurred while processing the request."
		}
		return s.graphError(c, status, code, msg), false
	default:
		return s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound", "The emulated tenant has no data for "+source+" ("+src.Status+")."), false
	}
}

// denied answers 403 with the code the real service uses for that endpoint.
func (s *Server) denied(c *call, source, code, msg string) reply {
	if code == "" {
		switch {
		case c.version == "":
			code = "AuthorizationFailed"
			msg = "The client does not have authorization to perform action 'read' over scope '" + c.path + "' or the scope is invalid."
		case strings.HasPrefix(strings.ToLower(c.path), "/identity/conditionalaccess"),
			strings.HasPrefix(strings.ToLower(c.path), "/policies/authentication"):
			code, msg = "AccessDenied", "You cannot perform the requested operation, required scopes are missing in the token."
		default:
			code, msg = "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
		}
	}
	if msg == "" {
		msg = "Insufficient privileges to complete the operation."
	}
	return s.graphError(c, http.StatusForbidden, code, msg)
}

// collectionPage is a Graph collection response. Field order matches Graph's.
type collectionPage struct {
	Context  string            `json:"@odata.context,omitempty"`
	NextLink string            `json:"@odata.nextLink,omitempty"`
	Value    []json.RawMessage `json:"value"`
}

// page serves one page of list; the nextLink is absolute, on the host the
// client called, as Graph's are (the SDK's page iterator follows it as is).
func (s *Server) page(c *call, list []json.RawMessage, ctxPath string) reply {
	size := s.opts.PageSize
	if top, err := strconv.Atoi(c.query.Get("$top")); err == nil && top > 0 && top < size {
		size = top
	}
	skip, _ := strconv.Atoi(c.query.Get("$skiptoken"))
	skip = max(0, min(skip, len(list)))
	end := min(skip+size, len(list))
	pg := collectionPage{Value: list[skip:end]}
	if pg.Value == nil {
		pg.Value = []json.RawMessage{}
	}
	if c.version != "" {
		pg.Context = c.base + "/" + c.version + "/$metadata#" + ctxPath
	}
	if end < len(list) {
		q := cloneValues(c.query)
		q.Set("$skiptoken", strconv.Itoa(end))
		pg.NextLink = c.base + c.fullPath() + "?" + q.Encode()
	}
	rep := okJSON(http.StatusOK, pg)
	rep.cut = s.opts.Faults.ResetPages && c.later() && !c.inBatch
	return rep
}

// user serves /users/{id|upn} and /users/{id|upn}/transitiveMemberOf from the
// snapshot's break-glass accounts (the only users a snapshot carries).
func (s *Server) user(c *call, rest string) reply {
	key, sub, _ := strings.Cut(rest, "/")
	if rep, ok := s.inject(c, "breakGlassAccounts"); !ok {
		return rep
	}
	if rep, ok := s.redirect(c, "breakGlassAccounts"); !ok {
		return rep
	}
	if c.method != http.MethodGet {
		return s.graphError(c, http.StatusMethodNotAllowed, "MethodNotAllowed", "The emulator does not accept "+c.method+" here.")
	}
	s.mu.Lock()
	src, known := s.sources["breakGlassAccounts"]
	s.mu.Unlock()
	if known && src.Status != snapshot.StatusOK && src.Status != snapshot.StatusSkipped {
		rep, _ := s.state(c, "breakGlassAccounts")
		return rep
	}
	notFound := s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+key+"' does not exist or one of its queried reference-property objects are not present.")
	for _, a := range s.users {
		if isNull(a.User) {
			continue
		}
		if !strings.EqualFold(field(a.User, "id"), key) && !strings.EqualFold(field(a.User, "userPrincipalName"), key) {
			continue
		}
		switch {
		case sub == "":
			return okJSON(http.StatusOK, a.User)
		case strings.EqualFold(sub, "transitiveMemberOf"):
			return s.page(c, a.TransitiveMemberOf, "directoryObjects")
		}
		return s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment '"+sub+"'.")
	}
	return notFound
}

// arm serves the Entra diagnostic settings and Log Analytics workspaces.
func (s *Server) arm(c *call) reply {
	if c.query.Get("api-version") == "" {
		return armError(http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
	}
	p := strings.TrimRight(c.path, "/")
	lower := strings.ToLower(p)
	var source, name string
	switch {
	case lower == strings.ToLower(permissions.DiagnosticSettingsPath):
		source = "diagnosticSettings"
	case strings.HasPrefix(lower, strings.ToLower(permissions.DiagnosticSettingsPath)+"/"):
		source, name = "diagnosticSettings", p[len(permissions.DiagnosticSettingsPath)+1:]
	case strings.Contains(lower, "/providers/microsoft.operationalinsights/workspaces/") && strings.Contains(lower, "/tables/"):
		source, name = "logAnalyticsTables", p
	case strings.Contains(lower, "/providers/microsoft.operationalinsights/workspaces/"):
		source, name = "logAnalyticsWorkspaces", p
	default:
		return armError(http.StatusNotFound, "NotFound", "The resource '"+p+"' is not served by the emulator.")
	}
	if rep, ok := s.inject(c, source); !ok {
		return rep
	}
	if rep, ok := s.redirect(c, source); !ok {
		return rep
	}
	if rep, ok := s.state(c, source); !ok {
		return rep
	}
	if c.method != http.MethodGet {
		return armError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The emulator does not accept "+c.method+".")
	}
	s.mu.Lock()
	list := s.lists[source]
	s.mu.Unlock()
	if source == "diagnosticSettings" && name == "" {
		if list == nil {
			list = []json.RawMessage{}
		}
		return reply{status: http.StatusOK, header: jsonHeader(), body: map[string]any{"value": list}}
	}
	for _, el := range list {
		if source == "diagnosticSettings" && strings.EqualFold(field(el, "name"), name) ||
			source != "diagnosticSettings" && strings.EqualFold(strings.TrimRight(field(el, "id"), "/"), name) {
			return reply{status: http.StatusOK, header: jsonHeader(), body: el}
		}
	}
	return armError(http.StatusNotFound, "ResourceNotFound", "The Resource '"+name+"' was not found.")
}

// createPolicy implements POST /identity/conditionalAccess/policies: 201 and
// the stored object with a new id, like Graph; later GETs list it.
func (s *Server) createPolicy(c *call) reply {
	var obj map[string]any
	if err := json.Unmarshal(c.body, &obj); err != nil || obj == nil {
		return s.schemaError(c)
	}
	if s.opts.DenyWrites {
		return s.graphError(c, http.StatusForbidden, "AccessDenied", "You cannot perform the requested operation, required scopes are missing in the token.")
	}
	fault, store, faulty := s.createFault(c)
	if faulty && !store {
		return fault
	}
	stripODataType(obj)
	if f := betaOnlyField(obj); f != "" && c.version == "v1.0" {
		// OData's wording for a property the v1.0 type does not define.
		return s.graphError(c, http.StatusBadRequest, "BadRequest", "The property '"+f+"' does not exist on type 'microsoft.graph.conditionalAccessSessionControls'. Make sure to only use property names that are defined by the type or mark the type as open type.")
	}
	if usesRisk(obj) && !s.hasServicePlan("AAD_PREMIUM_P2") {
		return s.graphError(c, http.StatusBadRequest, "BadRequest", "1039: Cannot create or update policies with premium P2 features. Upgrade to a premium P2 license and try again.")
	}
	name, _ := obj["displayName"].(string)
	state, _ := obj["state"].(string)
	_, hasConditions := obj["conditions"].(map[string]any)
	_, hasGrant := obj["grantControls"].(map[string]any)
	_, hasSession := obj["sessionControls"].(map[string]any)
	if strings.TrimSpace(name) == "" || !hasConditions || !hasGrant && !hasSession ||
		!slices.Contains([]string{"enabled", "disabled", "enabledForReportingButNotEnforced"}, state) {
		return s.schemaError(c)
	}
	obj["id"] = newID()
	obj["createdDateTime"] = s.opts.Now().UTC().Format("2006-01-02T15:04:05.0000000Z")
	obj["modifiedDateTime"] = nil
	CompletePolicy(obj)
	ShapePolicy(obj, c.version, true)
	raw, err := marshal(obj)
	if err != nil {
		return s.schemaError(c)
	}
	s.mu.Lock()
	s.lists["conditionalAccessPolicies"] = append(s.lists["conditionalAccessPolicies"], raw)
	s.mu.Unlock()
	if faulty {
		return fault
	}
	obj["@odata.context"] = c.base + "/" + c.version + "/$metadata#identity/conditionalAccess/policies/$entity"
	rep := okJSON(http.StatusCreated, obj)
	rep.header.Set("Location", c.base+"/"+c.version+"/identity/conditionalAccess/policies/"+obj["id"].(string))
	return rep
}

func (s *Server) schemaError(c *call) reply {
	return s.graphError(c, http.StatusBadRequest, "BadRequest",
		"1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type. For more information, see https://aka.ms/CAPolicyFormat.")
}

// stripODataType drops @odata.type annotations anywhere: the SDK's typed
// models send them on nested complex types and Graph ignores them.
func stripODataType(v any) {
	switch t := v.(type) {
	case map[string]any:
		delete(t, "@odata.type")
		for _, x := range t {
			stripODataType(x)
		}
	case []any:
		for _, x := range t {
			stripODataType(x)
		}
	}
}

// field returns a top-level string field of a JSON object ("" if absent).
func field(raw json.RawMessage, name string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	var s string
	_ = json.Unmarshal(m[name], &s)
	return s
}

func isNull(raw json.RawMessage) bool {
	v := strings.TrimSpace(string(raw))
	return v == "" || v == "null"
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

func lastSegment(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

// usesRisk reports whether a policy body uses P2-only risk conditions.
func usesRisk(obj map[string]any) bool {
	cond, _ := obj["conditions"].(map[string]any)
	for _, k := range []string{"signInRiskLevels", "userRiskLevels"} {
		if xs, ok := cond[k].([]any); ok && len(xs) > 0 {
			return true
		}
	}
	return false
}

// hasServicePlan reports whether a usable (Enabled, or Warning: grace
// period) SKU of the served tenant carries one of the plans, as Graph checks
// before accepting P2 features or serving Intune.
func (s *Server) hasServicePlan(names ...string) bool {
	s.mu.Lock()
	skus := s.lists["subscribedSkus"]
	s.mu.Unlock()
	for _, raw := range skus {
		var sku struct {
			CapabilityStatus string `json:"capabilityStatus"`
			ServicePlans     []struct {
				ServicePlanName    string `json:"servicePlanName"`
				ProvisioningStatus string `json:"provisioningStatus"`
			} `json:"servicePlans"`
		}
		if json.Unmarshal(raw, &sku) != nil || sku.CapabilityStatus != "Enabled" && sku.CapabilityStatus != "Warning" {
			continue
		}
		for _, p := range sku.ServicePlans {
			if slices.Contains(names, p.ServicePlanName) && p.ProvisioningStatus != "Disabled" {
				return true
			}
		}
	}
	return false
}

// inFilterRe parses the one $filter shape the collector sends for named
// objects: "<field> in ('a','b',...)".
var inFilterRe = regexp.MustCompile(`^\s*(\w+)\s+in\s*\((.*)\)\s*$`)

// directory serves the derived reads: users, groups and service principals
// filtered by id (or appId), a group's transitive user members, and users'
// sign-in activity. ok is false for any other path.
func (s *Server) directory(c *call, p string) (reply, bool) {
	var source, key string
	switch {
	case strings.EqualFold(p, "/users") && strings.Contains(c.query.Get("$select"), "signInActivity"):
		source, key = "signInActivity", "id"
	case strings.EqualFold(p, "/users"):
		source, key = "directoryUsers", "id"
	case strings.EqualFold(p, "/groups"):
		source, key = "directoryGroups", "id"
	case strings.EqualFold(p, "/servicePrincipals"):
		source, key = "caServicePrincipals", "appId"
	default:
		rest, ok := cutPrefixFold(p, "/groups/")
		group, sub, _ := strings.Cut(rest, "/")
		if !ok || !strings.EqualFold(sub, "transitiveMembers/microsoft.graph.user") {
			return reply{}, false
		}
		return s.groupMembers(c, group), true
	}
	if rep, ok := s.inject(c, source); !ok {
		return rep, true
	}
	if rep, ok := s.state(c, source); !ok {
		return rep, true
	}
	m := inFilterRe.FindStringSubmatch(c.query.Get("$filter"))
	if m == nil || !strings.EqualFold(m[1], key) {
		return s.graphError(c, http.StatusBadRequest, "BadRequest", "The emulator serves "+p+" only with $filter="+key+" in (...)."), true
	}
	want := map[string]bool{}
	for _, v := range strings.Split(m[2], ",") {
		want[strings.ToLower(strings.Trim(strings.TrimSpace(v), "'"))] = true
	}
	if len(want) > 15 {
		return s.graphError(c, http.StatusBadRequest, "BadRequest", "Too many values in the 'in' operator (at most 15)."), true
	}
	s.mu.Lock()
	stored := s.lists[source]
	s.mu.Unlock()
	var out []json.RawMessage
	for _, el := range stored {
		if want[strings.ToLower(field(el, key))] {
			out = append(out, el)
		}
	}
	return s.page(c, out, strings.TrimPrefix(p, "/")), true
}

// groupMembers serves /groups/{id}/transitiveMembers/microsoft.graph.user
// from data.groupMembers.
func (s *Server) groupMembers(c *call, group string) reply {
	if rep, ok := s.inject(c, "groupMembers"); !ok {
		return rep
	}
	if rep, ok := s.state(c, "groupMembers"); !ok {
		return rep
	}
	s.mu.Lock()
	list := s.lists["groupMembers"]
	s.mu.Unlock()
	for _, el := range list {
		var gm snapshot.GroupMembers
		if json.Unmarshal(el, &gm) == nil && strings.EqualFold(gm.Group, group) {
			return s.page(c, gm.Members, "users")
		}
	}
	return s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+group+"' does not exist or one of its queried reference-property objects are not present.")
}
