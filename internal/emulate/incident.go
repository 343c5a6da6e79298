package emulate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/incident"
)

// EvidenceSources are the sources of the incident's logs and users that
// --deny and --fail accept besides the snapshot's (what `tenantgate
// evidence` reads).
var EvidenceSources = []string{"signIns", "directoryAudits", "auditLogQueries", "messageRules", "authenticationMethods",
	"registeredDevices", "oauth2PermissionGrants", "appRoleAssignments", "servicePrincipals", "applications", "me"}

// AuditQueryOptions drive the audit log query's asynchronous life cycle.
type AuditQueryOptions struct {
	// Polls is how many GETs of a query it takes to succeed: the first
	// answers notStarted, the next ones running (default 3).
	Polls int
	// Fault: "" (none), "never" (stays running), "failed" or "cancelled"
	// (ends so instead of succeeding), "lost-create" (the create is carried
	// out but answered 504, once).
	Fault string
}

// AuditQueryFaults are the values AuditQueryOptions.Fault accepts.
var AuditQueryFaults = []string{"never", "failed", "cancelled", "lost-create"}

// record is one log record served with $filter: its JSON as the service
// writes it and the same decoded for the filter.
type record struct {
	raw json.RawMessage
	m   map[string]any
	t   time.Time
}

// incidentData is the demo incident (internal/hunt/incident's Sunnyside
// scenario, the same events `hunt --demo` reads in their export shapes),
// served as Graph does.
type incidentData struct {
	world   *incident.World
	signIns map[string][]record // by version
	audits  []record
	ual     []auditRecord
	users   map[string]*incident.User // by lower-case UPN and by id
	rules   map[string][]json.RawMessage
	sps     []json.RawMessage
	spIDs   map[string]bool // lower-case
	apps    []record
	grants  []record // GET /oauth2PermissionGrants, filterable
}

type auditRecord struct {
	raw      json.RawMessage
	t        time.Time
	typeName string // auditLogRecordType
	user     string // lower-case
}

// auditQuery is a created audit log query.
type auditQuery struct {
	obj         map[string]any
	polls       int
	start, end  time.Time
	types, upns []string
}

var (
	incidentOnce sync.Once
	incidentVal  *incidentData
	incidentErr  error
)

// loadIncident generates the scenario once per process (it is fixed by its seed).
func loadIncident() (*incidentData, error) {
	incidentOnce.Do(func() { incidentVal, incidentErr = buildIncident() })
	return incidentVal, incidentErr
}

func buildIncident() (*incidentData, error) {
	w, days, err := incident.Sunnyside().Generate(true) // newest first, as Graph lists logs
	if err != nil {
		return nil, err
	}
	d := &incidentData{world: w, signIns: map[string][]record{}, users: map[string]*incident.User{}, rules: map[string][]json.RawMessage{}}
	rec := func(v any, t time.Time) (record, error) {
		raw, err := json.Marshal(v)
		if err != nil {
			return record{}, err
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return record{}, err
		}
		return record{raw: raw, m: m, t: t}, nil
	}
	for _, day := range days {
		for _, s := range day.SignIns {
			for _, v := range []incident.GraphVersion{incident.V1, incident.Beta} {
				r, err := rec(s.JSON(v, w.Tenant), s.Time)
				if err != nil {
					return nil, err
				}
				d.signIns[string(v)] = append(d.signIns[string(v)], r)
			}
		}
		for _, a := range day.Audits {
			r, err := rec(a.JSON(w.Tenant), a.Time)
			if err != nil {
				return nil, err
			}
			d.audits = append(d.audits, r)
		}
		for _, u := range day.UAL {
			raw, err := json.Marshal(u.QueryRecord(false))
			if err != nil {
				return nil, err
			}
			name := incident.RecordTypeNames[u.RecordType]
			d.ual = append(d.ual, auditRecord{raw: raw, t: u.Time, typeName: strings.ToLower(name[:1]) + name[1:], user: strings.ToLower(u.UserID)})
		}
	}
	slices.Reverse(d.ual) // the query returns oldest first
	for _, u := range w.Users {
		d.users[strings.ToLower(u.UPN)] = u
		d.users[strings.ToLower(u.ID)] = u
	}
	for _, r := range w.InboxRules {
		d.rules[strings.ToLower(r.Mailbox.UPN)] = append(d.rules[strings.ToLower(r.Mailbox.UPN)], messageRule(r))
	}
	if err := d.directory(); err != nil {
		return nil, err
	}
	// The tenant's delegated grants are the World's: the chatbot's, for all
	// users.
	for _, g := range w.OAuth2PermissionGrants() {
		r, err := rec(g, time.Time{})
		if err != nil {
			return nil, err
		}
		d.grants = append(d.grants, r)
	}
	return d, nil
}

// messageRule is an inbox rule as Graph's messageRules list shows it
// (microsoft.graph.messageRule; moveToFolder is the folder's id).
func messageRule(r *incident.InboxRule) json.RawMessage {
	cond := map[string]any{}
	if len(r.FromAddressContains) > 0 {
		cond["senderContains"] = r.FromAddressContains
	}
	if len(r.SubjectOrBodyContains) > 0 {
		cond["bodyOrSubjectContains"] = r.SubjectOrBodyContains
	}
	act := map[string]any{"stopProcessingRules": r.StopProcessingRules}
	if r.MoveToFolder != "" {
		act["moveToFolder"] = folderID(r.Mailbox.ID, r.MoveToFolder)
	}
	if r.MarkAsRead {
		act["markAsRead"] = true
	}
	if r.Delete {
		act["delete"] = true
	}
	raw, _ := json.Marshal(map[string]any{"id": "AQAAA" + r.RuleID[:8] + "=", "displayName": r.Name, "sequence": r.Priority,
		"isEnabled": r.Enabled, "hasError": false, "isReadOnly": false, "conditions": cond, "actions": act})
	return raw
}

// folderID is a stable Exchange-looking folder id for a mailbox's folder.
func folderID(mailbox, folder string) string {
	sum := sha256.Sum256([]byte(mailbox + "/" + folder))
	return "AAMkAD" + hex.EncodeToString(sum[:18]) + "AAA="
}

// directory builds the service principals and applications: the attacker's
// app ("chatbot", registered, consented and later disabled, from the audit
// records) beside Microsoft's own.
func (d *incidentData) directory() error {
	in := d.world.Incident
	var appTime, spTime time.Time
	for _, a := range d.audits {
		act, _ := a.m["activityDisplayName"].(string)
		switch act {
		case "Add application":
			appTime = a.t
		case "Add service principal":
			spTime = a.t
		}
	}
	tid := d.world.Tenant.ID
	first := []struct{ id, appID, name string }{
		{"b636ca69-c274-4271-8ca7-1649a6ab81ba", "00000003-0000-0000-c000-000000000000", "Microsoft Graph"},
		{"5f1b4bba-2c11-4a70-8a54-0d8b3a2bd3b1", incident.AppExchange.ID, incident.AppExchange.Name},
		{"0e4f7fdc-51d3-4a8c-9d5b-7b0a50d3e8a1", incident.AppSharePoint.ID, incident.AppSharePoint.Name},
	}
	const msTenant = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
	for _, f := range first {
		raw, _ := json.Marshal(map[string]any{"id": f.id, "appId": f.appID, "displayName": f.name, "appDisplayName": f.name,
			"accountEnabled": true, "servicePrincipalType": "Application", "appOwnerOrganizationId": msTenant,
			"createdDateTime": "2019-04-02T08:11:43Z", "replyUrls": []string{}, "tags": []string{}})
		d.sps = append(d.sps, raw)
	}
	reply := []string{"http://localhost:7823/access"}
	d.spIDs = map[string]bool{strings.ToLower(in.SPID): true}
	for _, f := range first {
		d.spIDs[f.id] = true
	}
	raw, _ := json.Marshal(map[string]any{"id": in.SPID, "appId": in.AppID, "displayName": in.AppName, "appDisplayName": in.AppName,
		"accountEnabled": false, "servicePrincipalType": "Application", "appOwnerOrganizationId": tid,
		"createdDateTime": spTime.UTC().Format(time.RFC3339), "replyUrls": reply, "tags": []string{"WindowsAzureActiveDirectoryIntegratedApp"}})
	d.sps = append(d.sps, raw)
	app := map[string]any{"id": in.AppObject, "appId": in.AppID, "displayName": in.AppName,
		"createdDateTime": appTime.UTC().Format(time.RFC3339), "signInAudience": "AzureADMultipleOrgs",
		"web": map[string]any{"redirectUris": reply},
		"passwordCredentials": []map[string]any{{"displayName": in.AppName, "keyId": "6b3c9e2a-0d54-4f1e-9a7c-2e8b5d4f1a03",
			"startDateTime": appTime.Add(29 * time.Second).UTC().Format(time.RFC3339), "endDateTime": appTime.AddDate(2, 0, 0).UTC().Format(time.RFC3339), "hint": "Qx~"}},
		"requiredResourceAccess": []map[string]any{{"resourceAppId": "00000003-0000-0000-c000-000000000000", "resourceAccess": []map[string]any{
			{"id": "e383f46e-2787-4529-855e-0e479a3ffac0", "type": "Scope"}, {"id": "818c620a-27a9-40bd-a6a5-d96f7d610b4b", "type": "Scope"}}}}}
	raw, _ = json.Marshal(app)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	d.apps = append(d.apps, record{raw: raw, m: m, t: appTime})
	return nil
}

// userData answers the per-user lists for the user key names (UPN or id).
func (d *incidentData) userData(key, list string) ([]json.RawMessage, bool) {
	u, ok := d.users[strings.ToLower(key)]
	if !ok {
		return nil, false
	}
	in := d.world.Incident
	upn := strings.ToLower(u.UPN)
	victim := in.Victim != nil && strings.EqualFold(u.UPN, in.Victim.UPN)
	seed := sha256.Sum256([]byte(u.ID))
	guid := func(i byte) string {
		b := sha256.Sum256(append(seed[:], i))
		h := hex.EncodeToString(b[:16])
		return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
	}
	enc := func(v any) json.RawMessage { raw, _ := json.Marshal(v); return raw }
	switch list {
	case "messageRules":
		return append([]json.RawMessage{}, d.rules[upn]...), true
	case "authenticationMethods":
		out := []json.RawMessage{
			enc(map[string]any{"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490",
				"password": nil, "createdDateTime": "2022-04-01T00:12:09Z"}),
			enc(map[string]any{"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": guid(1),
				"displayName": "iPhone 13", "deviceTag": "SoftwareTokenActivated", "phoneAppVersion": "6.7.16", "createdDateTime": "2022-04-01T00:20:41Z"}),
		}
		return out, true
	case "registeredDevices", "ownedDevices":
		out := []json.RawMessage{enc(map[string]any{"@odata.type": "#microsoft.graph.device", "id": guid(2), "deviceId": guid(3),
			"displayName": "SST-" + strings.ToUpper(hex.EncodeToString(seed[:3])), "operatingSystem": "Windows", "operatingSystemVersion": "10.0.22631.2861",
			"trustType": "AzureAd", "isCompliant": true, "isManaged": true, "accountEnabled": true, "registrationDateTime": "2022-04-01T01:02:03Z"})}
		if victim {
			out = append(out, enc(map[string]any{"@odata.type": "#microsoft.graph.device", "id": in.Device.ObjectID, "deviceId": in.Device.ID,
				"displayName": in.Device.Name, "operatingSystem": "Windows", "operatingSystemVersion": "10.0.19045",
				"trustType": "Workplace", "isCompliant": false, "isManaged": false, "accountEnabled": true,
				"registrationDateTime": in.DeviceTime.UTC().Format("2006-01-02T15:04:05Z")}))
		}
		return out, true
	case "oauth2PermissionGrants":
		// The attacker's consent was for all principals (AllPrincipals): it is
		// no grant of this user's.
		return []json.RawMessage{}, true
	case "appRoleAssignments":
		if !victim {
			return []json.RawMessage{}, true
		}
		return []json.RawMessage{d.consentAssignment()}, true
	}
	return nil, false
}

// consentAssignment is the app role assignment the victim's consent gave
// herself on "chatbot" (the audit's "Add app role assignment grant to
// user"): listed under the user's appRoleAssignments and the service
// principal's appRoleAssignedTo.
func (d *incidentData) consentAssignment() json.RawMessage {
	in := d.world.Incident
	u := in.Victim
	seed := sha256.Sum256([]byte(u.ID))
	raw, _ := json.Marshal(map[string]any{"id": "yx8pxZcbV0ypHZ4tKJGCJ" + hex.EncodeToString(seed[:4]), "appRoleId": "00000000-0000-0000-0000-000000000000",
		"createdDateTime": in.ConsentTime.UTC().Format("2006-01-02T15:04:05.0000000Z"), "principalDisplayName": u.DisplayName,
		"principalId": u.ID, "principalType": "User", "resourceDisplayName": in.AppName, "resourceId": in.SPID, "deletedDateTime": nil})
	return raw
}

// servicePrincipalData answers a service principal's appRoleAssignments
// (the application permissions granted to it: none, the chatbot asked for
// delegated ones) and appRoleAssignedTo (who is assigned to it: the victim,
// by her consent). ok is false for an unknown service principal.
func (d *incidentData) servicePrincipalData(id, list string) ([]json.RawMessage, bool) {
	if !d.spIDs[strings.ToLower(id)] {
		return nil, false
	}
	if strings.EqualFold(list, "appRoleAssignedTo") && strings.EqualFold(id, d.world.Incident.SPID) {
		return []json.RawMessage{d.consentAssignment()}, true
	}
	return []json.RawMessage{}, true
}

// me is the signed-in user of a delegated token: the responder.
func (d *incidentData) me() json.RawMessage {
	r := d.world.Incident.Responder
	raw, _ := json.Marshal(map[string]any{"id": r.ID, "userPrincipalName": r.UPN, "displayName": r.DisplayName})
	return raw
}

// evidenceRoute answers the incident's endpoints; ok is false when c is not one.
func (s *Server) evidenceRoute(c *call) (reply, bool) {
	p := strings.TrimRight(c.path, "/")
	lower := strings.ToLower(p)
	source := ""
	switch {
	case lower == "/auditlogs/signins":
		source = "signIns"
	case lower == "/auditlogs/directoryaudits":
		source = "directoryAudits"
	case strings.HasPrefix(lower, "/security/auditlog/queries"):
		source = "auditLogQueries"
	case lower == "/serviceprincipals":
		source = "servicePrincipals"
	case lower == "/oauth2permissiongrants":
		source = "oauth2PermissionGrants"
	case strings.HasPrefix(lower, "/serviceprincipals/") && (strings.HasSuffix(lower, "/approleassignments") || strings.HasSuffix(lower, "/approleassignedto")):
		source = "appRoleAssignments"
	case lower == "/applications":
		source = "applications"
	case lower == "/me":
		source = "me"
	case strings.HasPrefix(lower, "/users/"):
		_, sub, _ := strings.Cut(p[len("/users/"):], "/")
		switch strings.ToLower(sub) {
		case "mailfolders/inbox/messagerules":
			source = "messageRules"
		case "authentication/methods":
			source = "authenticationMethods"
		case "registereddevices", "owneddevices":
			source = "registeredDevices"
		case "oauth2permissiongrants":
			source = "oauth2PermissionGrants"
		case "approleassignments":
			source = "appRoleAssignments"
		default:
			return reply{}, false
		}
	default:
		return reply{}, false
	}
	if rep, ok := s.inject(c, source); !ok {
		return rep, true
	}
	if rep, ok := s.redirect(c, source); !ok {
		return rep, true
	}
	d, err := loadIncident()
	if err != nil {
		return s.graphError(c, http.StatusInternalServerError, "generalException", "the emulated incident could not be generated: "+err.Error()), true
	}
	if source == "auditLogQueries" {
		return s.auditQueries(c, d, p[len("/security/auditLog/queries"):]), true
	}
	if c.method != http.MethodGet {
		return s.graphError(c, http.StatusMethodNotAllowed, "MethodNotAllowed", "The emulator does not accept "+c.method+" here."), true
	}
	switch source {
	case "signIns":
		return s.logPage(c, d.signIns[c.version], "auditLogs/signIns"), true
	case "directoryAudits":
		return s.logPage(c, d.audits, "auditLogs/directoryAudits"), true
	case "servicePrincipals":
		return s.page(c, d.sps, "servicePrincipals"), true
	case "applications":
		return s.logPage(c, d.apps, "applications"), true
	case "me":
		return okJSON(http.StatusOK, d.me()), true
	}
	if source == "oauth2PermissionGrants" && !strings.HasPrefix(lower, "/users/") {
		return s.logPage(c, d.grants, "oauth2PermissionGrants"), true
	}
	if strings.HasPrefix(lower, "/serviceprincipals/") {
		id, list, _ := strings.Cut(p[len("/servicePrincipals/"):], "/")
		values, ok := d.servicePrincipalData(id, list)
		if !ok {
			return s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present."), true
		}
		return s.page(c, values, "servicePrincipals('"+id+"')/"+list), true
	}
	key, sub, _ := strings.Cut(p[len("/users/"):], "/")
	list := source
	if strings.EqualFold(sub, "ownedDevices") {
		list = "ownedDevices"
	}
	values, ok := d.userData(key, list)
	if !ok {
		return s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+key+"' does not exist or one of its queried reference-property objects are not present."), true
	}
	// Graph names the user as addressed in the context, percent-encoded:
	// users('johanna%40contoso.com')/...
	who := strings.ReplaceAll(url.PathEscape(key), "@", "%40")
	ctx := "users('" + who + "')/" + strings.ToLower(sub[:1]) + sub[1:]
	if source == "messageRules" {
		ctx = "users('" + who + "')/mailFolders('inbox')/messageRules"
	}
	return s.page(c, values, ctx), true
}

// logPage serves a filtered list: $filter is parsed and applied as Graph
// does (a filter it cannot read is a 400).
func (s *Server) logPage(c *call, recs []record, ctxPath string) reply {
	key := c.version + " " + ctxPath + " " + c.query.Get("$filter")
	s.mu.Lock()
	list, ok := s.filtered[key]
	s.mu.Unlock()
	if ok {
		return s.page(c, list, ctxPath)
	}
	list = make([]json.RawMessage, 0, len(recs))
	if f := c.query.Get("$filter"); f != "" {
		flt, err := parseFilter(f)
		if err != nil {
			return s.graphError(c, http.StatusBadRequest, "BadRequest", err.Error())
		}
		for _, r := range recs {
			if flt.eval(r.m, nil) {
				list = append(list, r.raw)
			}
		}
	} else {
		for _, r := range recs {
			list = append(list, r.raw)
		}
	}
	s.mu.Lock()
	if s.filtered == nil {
		s.filtered = map[string][]json.RawMessage{}
	}
	s.filtered[key] = list
	s.mu.Unlock()
	return s.page(c, list, ctxPath)
}

// SetAuditQueryFault changes the audit log query fault while serving (a
// query that never completed may complete later, for --resume).
func (s *Server) SetAuditQueryFault(fault string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.AuditQuery.Fault = fault
}

// auditQueries is the audit log query API: POST creates a query, GET lists
// them or returns one (its status advancing with each poll), and
// /{id}/records pages the matching unified audit log records once it
// succeeded.
func (s *Server) auditQueries(c *call, d *incidentData, rest string) reply {
	id, sub, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	id = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(id, "('"), "("), "')")
	ctxBase := "security/auditLog/queries"
	switch {
	case id == "" && c.method == http.MethodPost:
		return s.createAuditQuery(c)
	case id == "" && c.method == http.MethodGet:
		s.mu.Lock()
		list := make([]json.RawMessage, 0, len(s.queryOrder))
		for _, qid := range s.queryOrder {
			raw, _ := json.Marshal(s.queries[qid].obj)
			list = append(list, raw)
		}
		s.mu.Unlock()
		return s.page(c, list, ctxBase)
	case c.method != http.MethodGet:
		return s.graphError(c, http.StatusMethodNotAllowed, "MethodNotAllowed", "The emulator does not accept "+c.method+" here.")
	}
	s.mu.Lock()
	q, ok := s.queries[id]
	if !ok {
		s.mu.Unlock()
		return s.graphError(c, http.StatusNotFound, "NotFound", "The audit log query '"+id+"' was not found.")
	}
	if sub == "" {
		q.polls++
		q.obj["status"] = s.queryStatus(q.polls)
		obj := map[string]any{"@odata.context": c.base + "/" + c.version + "/$metadata#" + ctxBase + "/$entity"}
		for k, v := range q.obj {
			obj[k] = v
		}
		s.mu.Unlock()
		return okJSON(http.StatusOK, obj)
	}
	status := q.obj["status"]
	s.mu.Unlock()
	if !strings.EqualFold(sub, "records") {
		return s.graphError(c, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment '"+sub+"'.")
	}
	if status != "succeeded" {
		return s.graphError(c, http.StatusBadRequest, "BadRequest", fmt.Sprintf("The audit log query is %v; its records can be read once it succeeded.", status))
	}
	var list []json.RawMessage
	for _, r := range d.ual {
		if r.t.Before(q.start) || !r.t.Before(q.end) {
			continue
		}
		if len(q.types) > 0 && !slices.ContainsFunc(q.types, func(t string) bool { return strings.EqualFold(t, r.typeName) }) {
			continue
		}
		if len(q.upns) > 0 && !slices.ContainsFunc(q.upns, func(u string) bool { return strings.EqualFold(u, r.user) }) {
			continue
		}
		list = append(list, r.raw)
	}
	return s.page(c, list, ctxBase+"('"+id+"')/records")
}

// queryStatus is a query's status at its n-th poll.
func (s *Server) queryStatus(n int) string { // s.mu held
	polls := s.opts.AuditQuery.Polls
	if polls <= 0 {
		polls = 3
	}
	switch {
	case n <= 1 && polls > 1:
		return "notStarted"
	case n < polls || s.opts.AuditQuery.Fault == "never":
		return "running"
	case s.opts.AuditQuery.Fault == "failed":
		return "failed"
	case s.opts.AuditQuery.Fault == "cancelled":
		return "cancelled"
	}
	return "succeeded"
}

func (s *Server) createAuditQuery(c *call) reply {
	var body struct {
		DisplayName              string    `json:"displayName"`
		FilterStartDateTime      time.Time `json:"filterStartDateTime"`
		FilterEndDateTime        time.Time `json:"filterEndDateTime"`
		RecordTypeFilters        []string  `json:"recordTypeFilters"`
		UserPrincipalNameFilters []string  `json:"userPrincipalNameFilters"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		return s.graphError(c, http.StatusBadRequest, "BadRequest", "Invalid request body: "+err.Error())
	}
	if body.FilterStartDateTime.IsZero() || body.FilterEndDateTime.IsZero() || !body.FilterStartDateTime.Before(body.FilterEndDateTime) {
		return s.graphError(c, http.StatusBadRequest, "BadRequest", "filterStartDateTime and filterEndDateTime must be given, start before end.")
	}
	id := newID()
	obj := map[string]any{"@odata.type": "#microsoft.graph.security.auditLogQuery", "id": id, "displayName": body.DisplayName,
		"filterStartDateTime": body.FilterStartDateTime.UTC().Format(time.RFC3339), "filterEndDateTime": body.FilterEndDateTime.UTC().Format(time.RFC3339),
		"recordTypeFilters": orEmpty(body.RecordTypeFilters), "keywordFilter": nil, "serviceFilters": []string{}, "operationFilters": []string{},
		"userPrincipalNameFilters": orEmpty(body.UserPrincipalNameFilters), "ipAddressFilters": []string{}, "objectIdFilters": []string{},
		"administrativeUnitIdFilters": []string{}, "status": "notStarted"}
	s.mu.Lock()
	if s.queries == nil {
		s.queries = map[string]*auditQuery{}
	}
	s.queries[id] = &auditQuery{obj: obj, start: body.FilterStartDateTime, end: body.FilterEndDateTime,
		types: body.RecordTypeFilters, upns: body.UserPrincipalNameFilters}
	s.queryOrder = append(s.queryOrder, id)
	lost := s.opts.AuditQuery.Fault == "lost-create" && !s.lostCreate
	s.lostCreate = s.lostCreate || lost
	s.mu.Unlock()
	if lost {
		return s.graphError(c, http.StatusGatewayTimeout, "GatewayTimeout", "The gateway did not receive a timely response (injected).")
	}
	out := map[string]any{"@odata.context": c.base + "/" + c.version + "/$metadata#security/auditLog/queries/$entity"}
	for k, v := range obj {
		out[k] = v
	}
	return okJSON(http.StatusCreated, out)
}

func orEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// IncidentQueries returns how many audit log queries were created (tests: a
// create is never sent twice).
func (s *Server) IncidentQueries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queryOrder)
}
