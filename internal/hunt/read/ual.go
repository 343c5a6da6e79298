package read

import (
	"strings"

	"github.com/valyala/fastjson"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

var ualKeys = newKeySet("CreationTime", "Id", "Operation", "RecordType", "UserId", "UserType", "ClientIP",
	"ClientIPAddress", "ActorIpAddress", "UserAgent", "ExtendedProperties", "DeviceProperties", "SessionId",
	"AppAccessContext", "ApplicationId", "AppId", "ObjectId", "ClientInfoString", "ErrorNumber", "Workload",
	"ResultStatus", "Parameters", "ModifiedProperties", "Target", "Item", "AffectedItems", "Folders", "Folder",
	"DestFolder", "OperationProperties", "SourceFileName", "SiteUrl", "MailboxOwnerUPN", "CorrelationId",
	"InterSystemsId")

const (
	uCreation = iota
	uID
	uOp
	uRecordType
	uUserID
	uUserType
	uClientIP
	uClientIPAddress
	uActorIP
	uUA
	uExtended
	uDevice
	uSession
	uAppAccess
	uApplicationID
	uAppID
	uObjectID
	uClientInfo
	uErrorNumber
	uWorkload
	uResult
	uParams
	uModified
	uTarget
	uItem
	uAffected
	uFolders
	uFolder
	uDestFolder
	uOpProps
	uSourceFile
	uSiteURL
	uMailboxOwner
	uCorr
	uInterSystems
)

// recordTypes maps the names some exports write for RecordType
// (Search-UnifiedAuditLog's CSV, Graph's auditLogRecordType) to the numbers
// AuditData carries (Office 365 Management Activity API schema).
var recordTypes = map[string]int16{
	"exchangeadmin": 1, "exchangeitem": 2, "exchangeitemgroup": 3, "sharepoint": 4,
	"sharepointfileoperation": 6, "onedrive": 7, "azureactivedirectory": 8,
	"azureactivedirectoryaccountlogon": 9, "sharepointsharingoperation": 14,
	"azureactivedirectorystslogon": 15, "exchangeitemaggregated": 50,
}

var userTypes = map[string]int8{
	"regular": 0, "reserved": 1, "admin": 2, "dcadmin": 3, "system": 4, "application": 5,
	"serviceprincipal": 6, "custompolicy": 7, "systempolicy": 8,
}

// ualFallback carries what a wrapper around AuditData says (Purview's
// RecordId column, Graph's record id), used when AuditData lacks it.
type ualFallback struct {
	id, op string
}

// ualJSON maps a unified audit log record in JSON: an AuditData object
// (Management Activity API content, JSON Lines), or a wrapper holding
// AuditData as an object or a string (Graph audit log query records,
// Search-UnifiedAuditLog results converted to JSON).
func ualJSON(w *worker, v *fastjson.Value, line int) error {
	if v.Type() != fastjson.TypeObject {
		return bad("a unified audit log record must be a JSON object")
	}
	ad := get(v, "auditData")
	if ad == nil {
		return w.emitUAL(v, ualFallback{}, line)
	}
	fb := ualFallback{id: str(get(v, "id")), op: str(get(v, "operation"))}
	if fb.id == "" {
		fb.id = str(get(v, "Identity"))
	}
	if fb.id == "" {
		fb.id = str(get(v, "RecordId"))
	}
	if fb.op == "" {
		fb.op = str(get(v, "Operations"))
	}
	switch ad.Type() {
	case fastjson.TypeObject:
		return w.emitUAL(ad, fb, line)
	case fastjson.TypeString:
		b, _ := ad.StringBytes()
		inner, err := w.inner.ParseBytes(b)
		if err != nil {
			return bad("AuditData is not valid JSON: %v", err)
		}
		return w.emitUAL(inner, fb, line)
	}
	return bad("AuditData is neither an object nor a JSON string")
}

// ualCSV maps Search-UnifiedAuditLog | Export-Csv (RecordType, CreationDate,
// UserIds, Operations, AuditData, ..., Identity) and the Purview portal's
// export (RecordId, CreationDate, RecordType, Operation, UserId, AuditData,
// ...). Time, user and operation come from AuditData: CreationDate is
// written in the exporting machine's locale and is never read.
func ualCSV(h header) csvMapper {
	ad, id, op := h.col("auditdata"), h.col("recordid", "identity"), h.col("operation", "operations")
	return func(w *worker, row []string, line int) error {
		if ad >= len(row) || strings.TrimSpace(row[ad]) == "" {
			return bad("empty AuditData")
		}
		v, err := w.p.Parse(row[ad])
		if err != nil {
			return bad("AuditData is not valid JSON: %v", err)
		}
		fb := ualFallback{}
		if id >= 0 && id < len(row) {
			fb.id = row[id]
		}
		if op >= 0 && op < len(row) {
			fb.op = row[op]
		}
		return w.emitUAL(v, fb, line)
	}
}

// nameValues visits a [{Name, Value}] list (ExtendedProperties,
// DeviceProperties, Parameters, OperationProperties).
func nameValues(v *fastjson.Value, f func(name string, value *fastjson.Value)) {
	for _, x := range array(v) {
		f(str(get(x, "Name")), get(x, "Value"))
	}
}

func (w *worker) emitUAL(v *fastjson.Value, fb ualFallback, line int) error {
	o, err := v.Object()
	if err != nil {
		return bad("AuditData must be a JSON object")
	}
	s := w.slots2[:ualKeys.n]
	ualKeys.collect(o, s)
	when := str(s[uCreation])
	if when == "" {
		return bad("AuditData has no CreationTime")
	}
	t, ok := parseTime(when)
	if !ok {
		return bad("CreationTime %q does not parse", when)
	}
	e := event.Event{Time: t.UnixNano(), Line: uint32(line), File: w.file, Kind: event.UnifiedAuditLog, UserType: -1}
	e.ID = str(s[uID])
	if e.ID == "" {
		e.ID = strings.Clone(fb.id) // a CSV column: not a slice of the whole row
	}
	op := str(s[uOp])
	if op == "" {
		op = fb.op
	}
	if op == "" {
		return bad("AuditData has no Operation")
	}
	w.op(&e, op)
	if n, ok := integer(s[uRecordType]); ok {
		e.RecordType = int16(n)
	} else if rt, ok := recordTypes[strings.ToLower(str(s[uRecordType]))]; ok {
		e.RecordType = rt
	}
	if n, ok := integer(s[uUserType]); ok {
		e.UserType = int8(n)
	} else if ut, ok := userTypes[strings.ToLower(str(s[uUserType]))]; ok {
		e.UserType = ut
	}
	switch e.UserType {
	case 0, 2:
		e.Flags |= event.ByUser
	case 4, 5, 6, 7, 8:
		e.Flags |= event.ByApp
	}
	for _, k := range []int{uClientIP, uActorIP, uClientIPAddress} {
		if e.IP = w.ip(str(s[k])); e.IP != 0 {
			break
		}
	}
	e.UA = w.in.InternBytes(sbytes(s[uUA]))
	var devSession, devID, browser string
	if e.RecordType == 15 || s[uDevice] != nil {
		nameValues(s[uDevice], func(n string, x *fastjson.Value) {
			switch strings.ToLower(n) {
			case "sessionid":
				devSession = str(x)
			case "id":
				devID = str(x)
			case "browsertype":
				browser = str(x)
			}
		})
	}
	if e.UA == 0 && s[uExtended] != nil {
		nameValues(s[uExtended], func(n string, x *fastjson.Value) {
			if e.UA == 0 && strings.EqualFold(n, "UserAgent") {
				e.UA = w.in.InternBytes(sbytes(x))
			}
		})
	}
	// Session keys: AppAccessContext.AADSessionId is the Entra session (the
	// sign-in log's sessionId); Exchange's SessionId and RecordType 15's
	// DeviceProperties SessionId carry the same key in practice. The first
	// present is the event's key, a different second one is kept too.
	var aad, tok, ctxApp, ctxCorr string
	if ac := s[uAppAccess]; ac != nil {
		aad, tok = str(get(ac, "AADSessionId")), str(get(ac, "UniqueTokenId"))
		ctxApp, ctxCorr = str(get(ac, "ClientAppId")), str(get(ac, "CorrelationId"))
	}
	for _, k := range []string{aad, str(s[uSession]), devSession} {
		switch sym := w.in.Intern(strings.TrimSpace(k)); {
		case sym == 0:
		case e.Session == 0:
			e.Session = sym
		case e.Session2 == 0 && sym != e.Session:
			e.Session2 = sym
		}
	}
	e.Token = w.in.Intern(tok)
	corr := str(s[uCorr])
	if corr == "" {
		corr = ctxCorr
	}
	if corr == "" && e.RecordType == 8 {
		// Entra ID records: "the GUID that tracks the actions across
		// components" (Management Activity API schema), shared by the
		// records one request writes (a security info registration's
		// "Update user." pair).
		corr = str(s[uInterSystems])
	}
	e.Corr = w.in.Intern(corr)
	app := str(s[uApplicationID])
	if app == "" {
		app = str(s[uAppID])
	}
	if app == "" {
		app = ctxApp
	}
	e.App = w.lower(app)
	e.ClientInfo = w.in.InternBytes(sbytes(s[uClientInfo]))
	e.DeviceID = w.in.Intern(strings.TrimSpace(devID))
	objectID := str(s[uObjectID])
	if e.RecordType == 15 {
		e.Resource = w.lower(objectID)
		// DeviceProperties' BrowserType names the browser (Edge, Chrome,
		// ...); "Other" is also what PowerShell and desktop clients get,
		// so it says nothing and the user agent decides.
		if browser != "" && !strings.EqualFold(browser, "other") {
			e.ClientApp = w.in.Intern("Browser")
		}
		// The outcome is the sign-in log's: successful only with error
		// 0. The UAL writes interrupts as UserLoggedIn with their code
		// (50140, "keep me signed in"; the sign-in log's Interrupted), and
		// a UserLoginFailed without a number is a failure all the same
		// (-1: never an accepted code).
		n, hasNumber := integer(s[uErrorNumber])
		switch strings.ToLower(op) {
		case "userloggedin":
			e.Flags |= event.SignIn
			if n == 0 {
				e.Flags |= event.Success
			}
		case "userloginfailed":
			e.Flags |= event.SignIn
			if !hasNumber || n == 0 {
				n = -1
			}
		}
		e.ErrorCode = int32(n)
	}
	// Who: the UserId when it is a user; otherwise (a service acting) the
	// user the record targets.
	userID := str(s[uUserID])
	var target string
	for _, tv := range array(s[uTarget]) {
		if id := str(get(tv, "ID")); upn(id) {
			target = id
			break
		}
	}
	if target == "" && e.RecordType == 8 && upn(objectID) {
		target = objectID
	}
	e.Target = w.lower(target)
	if upn(userID) {
		e.User = w.lower(userID)
	} else {
		e.User = e.Target
	}
	if w.wants(&e) {
		w.ualDetail(s, objectID)
		e.Detail = w.j.Done()
	}
	w.out = append(w.out, e)
	return nil
}

// ualDetail writes the normalised Detail of a UAL record into w.j.
func (w *worker) ualDetail(s []*fastjson.Value, objectID string) {
	j := &w.j
	j.Reset()
	j.Open('{')
	j.KeyStr(event.DService, str(s[uWorkload]))
	j.KeyStr(event.DResult, str(s[uResult]))
	j.KeyStr(event.DObjectID, objectID)
	j.KeyStr(event.DMailbox, strings.ToLower(str(s[uMailboxOwner])))
	if s[uParams] != nil || s[uOpProps] != nil {
		j.Key(event.DParams)
		j.Open('{')
		nameValues(s[uParams], func(n string, x *fastjson.Value) { j.Key(n); j.Str(str(x)) })
		var access, throttled string
		// OperationProperties: MailItemsAccessed's access type and
		// throttling have keys of their own; the rest (UpdateInboxRules'
		// RuleName, RuleActions, ...) are parameters.
		nameValues(s[uOpProps], func(n string, x *fastjson.Value) {
			switch strings.ToLower(n) {
			case "mailaccesstype":
				access = str(x)
			case "isthrottled":
				throttled = str(x)
			default:
				j.Key(n)
				j.Str(str(x))
			}
		})
		j.Close('}')
		j.KeyStr(event.DMailAccess, access)
		if b, ok := parseBool(throttled); ok {
			j.Key(event.DThrottled)
			j.Bool(b)
		}
	}
	if mods := array(s[uModified]); len(mods) > 0 {
		j.Key(event.DModified)
		j.Open('[')
		for _, m := range mods {
			j.Open('{')
			j.Key("name")
			j.Str(str(get(m, "Name")))
			j.Key("old")
			j.Str(str(get(m, "OldValue")))
			j.Key("new")
			j.Str(str(get(m, "NewValue")))
			j.Close('}')
		}
		j.Close(']')
	}
	if tgs := ualTargets(array(s[uTarget])); len(tgs) > 0 {
		j.Key(event.DTargets)
		j.Open('[')
		for _, tg := range tgs {
			j.Open('{')
			j.KeyStr("type", tg.typ)
			j.KeyStr("id", tg.id)
			j.KeyStr("name", tg.name)
			j.KeyStr("upn", strings.ToLower(tg.upn))
			j.Close('}')
		}
		j.Close(']')
	}
	if s[uExtended] != nil {
		j.Key(event.DAdditional)
		j.Open('{')
		nameValues(s[uExtended], func(n string, x *fastjson.Value) { j.Key(n); j.Str(str(x)) })
		j.Close('}')
	}
	item := func(x *fastjson.Value, folder string) {
		j.Open('{')
		j.KeyStr("subject", str(get(x, "Subject")))
		j.KeyStr("internetMessageId", str(get(x, "InternetMessageId")))
		if pf := get(x, "ParentFolder"); pf != nil {
			folder = str(get(pf, "Path"))
		}
		j.KeyStr("folder", folder)
		j.Close('}')
	}
	if s[uItem] != nil || s[uAffected] != nil || s[uFolders] != nil {
		j.Key(event.DItems)
		j.Open('[')
		if it := s[uItem]; it != nil && it.Type() == fastjson.TypeObject {
			item(it, "")
		}
		for _, x := range array(s[uAffected]) {
			item(x, "")
		}
		for _, f := range array(s[uFolders]) {
			path := str(get(f, "Path"))
			for _, x := range array(get(f, "FolderItems")) {
				item(x, path)
			}
		}
		j.Close(']')
	}
	var folders []string
	if f := s[uFolder]; f != nil {
		if p := str(get(f, "Path")); p != "" {
			folders = append(folders, p)
		}
	}
	for _, f := range array(s[uFolders]) {
		if p := str(get(f, "Path")); p != "" {
			folders = append(folders, p)
		}
	}
	if len(folders) > 0 {
		j.Key(event.DFolders)
		j.Open('[')
		for _, p := range folders {
			j.Str(p)
		}
		j.Close(']')
	}
	if d := s[uDestFolder]; d != nil {
		j.KeyStr(event.DDestFolder, str(get(d, "Path")))
	}
	if name, site := str(s[uSourceFile]), str(s[uSiteURL]); name != "" || site != "" {
		j.Key(event.DFile)
		j.Open('{')
		j.KeyStr("name", name)
		j.KeyStr("site", site)
		j.KeyStr("url", objectID)
		j.Close('}')
	}
	j.Close('}')
}

// ualTargets groups the UAL's flat Target list into objects, as the
// directory audit log's targetResources are: an object starts at an id
// written "<Type>_<guid>" (ServicePrincipal_80cf2cdc-...), and its entries
// are its object id (Type 2, a GUID), its type (Type 2, a word: Device,
// User, ServicePrincipal), its display name (Type 1) and its UPN (Type 5).
// Entries before any such start form one object of their own.
func ualTargets(list []*fastjson.Value) []auditTarget {
	var out []auditTarget
	cur := -1
	for _, tv := range list {
		id, typ := str(get(tv, "ID")), str(get(tv, "Type"))
		if i := strings.IndexByte(id, '_'); typ == "2" && i > 0 && isGUID(id[i+1:]) {
			out = append(out, auditTarget{typ: id[:i]})
			cur = len(out) - 1
			continue
		}
		if cur < 0 {
			out = append(out, auditTarget{})
			cur = 0
		}
		t := &out[cur]
		switch {
		case typ == "2" && isGUID(id):
			if t.id == "" {
				t.id = id
			}
		case typ == "2":
			if t.typ == "" {
				t.typ = id
			}
		case typ == "1":
			if t.name == "" {
				t.name = id
			}
		case typ == "5":
			if t.upn == "" {
				t.upn = id
			}
		default:
			if t.id == "" {
				t.id = id
			}
		}
	}
	return out
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
