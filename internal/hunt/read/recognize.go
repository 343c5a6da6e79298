package read

import (
	"strings"

	"github.com/valyala/fastjson"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// jsonMapper maps one JSON record; context is its page's @odata.context.
type jsonMapper func(w *worker, v *fastjson.Value, line int, context string) error

func noContext(f func(*worker, *fastjson.Value, int) error) jsonMapper {
	return func(w *worker, v *fastjson.Value, line int, _ string) error { return f(w, v, line) }
}

// jsonFormat is a recognised JSON shape.
type jsonFormat struct {
	kind   event.Kind
	name   string
	mapper jsonMapper
}

// recognizeJSON tells a JSON file's kind from its first record's keys
// (any case), or from the page's @odata.context when the page is empty.
func recognizeJSON(v *fastjson.Value, context string) (jsonFormat, bool) {
	if v != nil && v.Type() == fastjson.TypeObject {
		has := func(k string) bool { return get(v, k) != nil }
		switch {
		case has("activityDisplayName") && has("activityDateTime"):
			return jsonFormat{event.DirectoryAudits, "directory audit JSON", noContext(auditJSON)}, true
		case has("auditData") || has("auditLogRecordType"):
			return jsonFormat{event.UnifiedAuditLog, "unified audit log JSON (wrapped AuditData)", noContext(ualJSON)}, true
		case has("CreationTime") && has("Operation") && (has("RecordType") || has("Workload")):
			return jsonFormat{event.UnifiedAuditLog, "unified audit log JSON (AuditData)", noContext(ualJSON)}, true
		case has("createdDateTime") && (has("userPrincipalName") || has("appId")) && (has("ipAddress") || has("status") || has("clientAppUsed")):
			return jsonFormat{event.SignIns, "sign-in JSON", noContext(signInJSON)}, true
		case has("displayName") && has("sequence") && (has("actions") || has("conditions")):
			return jsonFormat{event.InboxRules, "Graph messageRules JSON", inboxRuleJSON}, true
		case has("MailboxOwnerId") || (has("RuleIdentity") && has("Name")) || (has("Name") && has("MoveToFolder") && has("Priority")):
			return jsonFormat{event.InboxRules, "Get-InboxRule JSON", inboxRuleJSON}, true
		}
		return jsonFormat{}, false
	}
	c := strings.ToLower(context)
	switch {
	case strings.Contains(c, "auditlogs/signins"):
		return jsonFormat{event.SignIns, "sign-in JSON", noContext(signInJSON)}, true
	case strings.Contains(c, "auditlogs/directoryaudits"):
		return jsonFormat{event.DirectoryAudits, "directory audit JSON", noContext(auditJSON)}, true
	case strings.Contains(c, "auditlog/queries"):
		return jsonFormat{event.UnifiedAuditLog, "unified audit log JSON (wrapped AuditData)", noContext(ualJSON)}, true
	case strings.Contains(c, "messagerules"):
		return jsonFormat{event.InboxRules, "Graph messageRules JSON", inboxRuleJSON}, true
	}
	return jsonFormat{}, false
}

// csvFormat is a recognised CSV shape. companion formats feed a side
// table (AuthDetails); skip names a known file that is not read.
type csvFormat struct {
	kind      event.Kind
	name      string
	mapper    csvMapper
	companion bool
	skip      string
}

// recognizeCSV tells a CSV file's kind from its header row.
func recognizeCSV(h header) (csvFormat, bool) {
	switch {
	case h.has("auditdata"):
		return csvFormat{kind: event.UnifiedAuditLog, name: ualCSVName(h), mapper: ualCSV(h)}, true
	case h.has("request id", "ip address") && h.col("username", "user principal name") >= 0:
		return csvFormat{kind: event.SignIns, name: "portal sign-in CSV", mapper: signInCSV(h)}, true
	case h.has("request id", "authentication method"):
		return csvFormat{kind: event.SignIns, name: "portal sign-in AuthDetails CSV", mapper: authDetailsCSV(h), companion: true}, true
	case h.has("activity") && h.col("date (utc)", "date") >= 0 && h.col("actortype", "category", "service") >= 0:
		return csvFormat{kind: event.DirectoryAudits, name: "portal audit log CSV", mapper: auditCSV(h)}, true
	case h.has("name") && (h.col("mailboxownerid", "ruleidentity") >= 0 || h.has("movetofolder", "priority")):
		return csvFormat{kind: event.InboxRules, name: "Get-InboxRule CSV", mapper: inboxRuleCSV(h)}, true
	case h.has("request id") || h.has("service principal id"):
		return csvFormat{skip: "a companion or service-principal file of the portal's sign-in download (only user sign-ins and AuthDetails are read)"}, true
	}
	return csvFormat{}, false
}

func ualCSVName(h header) string {
	if h.has("recordid") {
		return "Purview audit export CSV"
	}
	return "Search-UnifiedAuditLog CSV"
}
