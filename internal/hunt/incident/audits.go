package incident

import (
	"io"
	"strconv"
	"time"
)

// AuditHeader is the portal's audit log download header (real: see
// testdata/real/entra-audit-portal.csv): Target1..3 x ModifiedProperty1..5 and
// AdditionalDetail1..6, 86 columns.
var AuditHeader = func() []string {
	h := []string{"Date (UTC)", "CorrelationId", "Service", "Category", "Activity", "Result", "ResultReason", "User Agent", "ActorType", "ActorDisplayName", "ActorObjectId", "ActorUserPrincipalName", "IPAddress", "ActorHomeTenantId", "ActorHomeTenantName", "ActorServicePrincipalId", "ActorServicePrincipalName"}
	for t := 1; t <= 3; t++ {
		p := "Target" + strconv.Itoa(t)
		h = append(h, p+"Type", p+"DisplayName", p+"ObjectId", p+"UserPrincipalName")
		for m := 1; m <= 5; m++ {
			q := p + "ModifiedProperty" + strconv.Itoa(m)
			h = append(h, q+"Name", q+"OldValue", q+"NewValue")
		}
	}
	for d := 1; d <= 6; d++ {
		h = append(h, "AdditionalDetail"+strconv.Itoa(d)+"Key", "AdditionalDetail"+strconv.Itoa(d)+"Value")
	}
	return h
}()

// auditTime is the portal's audit date: 7 fractional digits (trailing zeros
// dropped, as .NET's "o" round-trip format does not drop them but the portal
// does: the talk shows both 2023-06-23T16:19:52.496551+00:00 and
// ...7843714+00:00) and +00:00.
func auditTime(t time.Time) string {
	s := t.UTC().Format("2006-01-02T15:04:05.9999999")
	return s + "+00:00"
}

// AuditCSV streams the portal's audit log download. Targets beyond three,
// properties beyond five and details beyond six are cut, as the portal does.
type AuditCSV struct {
	out    *textOut
	tenant Tenant
}

// NewAuditCSV starts a portal audit CSV (UTF-8 BOM, all quoted, CRLF).
func NewAuditCSV(w io.Writer, t Tenant) *AuditCSV {
	c := &AuditCSV{out: newTextOut(w, UTF8BOM), tenant: t}
	c.out.csvRow(AuditHeader, true)
	return c
}

// Write adds one audit record.
func (c *AuditCSV) Write(a *DirAudit) {
	row := make([]string, 0, len(AuditHeader))
	actorType, name, oid, upn, tid, tname, spid, spname := "", "", "", "", "", "", "", ""
	switch {
	case a.ByUser != nil:
		actorType, name, oid, upn, tid, tname = "User", a.ByUser.DisplayName, a.ByUser.ID, a.ByUser.UPN, c.tenant.ID, c.tenant.Name
	case a.ByApp != nil:
		actorType, name, spid, spname = "Application", a.ByApp.Name, a.ByApp.ID, a.ByApp.Name
	}
	result := "Success"
	if a.Result == "failure" {
		result = "Failure"
	}
	row = append(row, auditTime(a.Time), a.CorrelationID, a.Service, a.Category, a.Activity, result, a.ResultReason,
		a.UserAgent, actorType, name, oid, upn, a.IP, tid, tname, spid, spname)
	for t := 0; t < 3; t++ {
		if t >= len(a.Targets) {
			row = append(row, make([]string, 4+15)...)
			continue
		}
		tg := a.Targets[t]
		row = append(row, tg.Type, tg.DisplayName, tg.ID, tg.UPN)
		for m := 0; m < 5; m++ {
			if m < len(tg.Props) {
				row = append(row, tg.Props[m].Name, tg.Props[m].Old, tg.Props[m].New)
			} else {
				row = append(row, "", "", "")
			}
		}
	}
	for d := 0; d < 6; d++ {
		if d < len(a.Details) {
			row = append(row, a.Details[d][0], a.Details[d][1])
		} else {
			row = append(row, "", "")
		}
	}
	c.out.csvRow(row, true)
}

// Close flushes the file.
func (c *AuditCSV) Close() error { return c.out.flush() }

// JSON is the record as Graph /auditLogs/directoryAudits returns it, in the
// key order of the live records in testdata/real/graph-directoryaudits-live.json:
// initiatedBy lists user before app, an app initiator has a null appId, an
// added value's oldValue is null, and the client's user agent is an
// additionalDetails entry ("User-Agent"), not a field of its own.
func (a *DirAudit) JSON(t Tenant) obj {
	var user, app any
	if a.ByUser != nil {
		user = obj{}.set("id", a.ByUser.ID).set("displayName", nil).set("userPrincipalName", a.ByUser.UPN).
			set("ipAddress", a.IP).set("userType", nil).set("homeTenantId", t.ID).set("homeTenantName", nil)
	}
	if a.ByApp != nil {
		app = obj{}.set("appId", nil).set("displayName", a.ByApp.Name).set("servicePrincipalId", a.ByApp.ID).
			set("servicePrincipalName", nil)
	}
	targets := []obj{}
	for _, tg := range a.Targets {
		props := []obj{}
		for _, p := range tg.Props {
			var old any
			if p.Old != "" {
				old = p.Old
			}
			props = append(props, obj{}.set("displayName", p.Name).set("oldValue", old).set("newValue", p.New))
		}
		var upn, dn any
		if tg.UPN != "" {
			upn = tg.UPN
		}
		if tg.DisplayName != "" {
			dn = tg.DisplayName
		}
		targets = append(targets, obj{}.set("id", tg.ID).set("displayName", dn).set("type", tg.Type).
			set("userPrincipalName", upn).set("groupType", nil).set("modifiedProperties", props))
	}
	details := []obj{}
	for _, d := range a.Details {
		details = append(details, obj{}.set("key", d[0]).set("value", d[1]))
	}
	if a.UserAgent != "" {
		details = append(details, obj{}.set("key", "User-Agent").set("value", a.UserAgent))
	}
	return obj{}.set("id", a.ID).set("category", a.Category).set("correlationId", a.CorrelationID).
		set("result", orDefault(a.Result, "success")).set("resultReason", a.ResultReason).
		set("activityDisplayName", a.Activity).set("activityDateTime", a.Time.UTC().Format("2006-01-02T15:04:05.9999999Z")).
		set("loggedByService", a.Service).set("operationType", a.OperationType).
		set("initiatedBy", obj{}.set("user", user).set("app", app)).
		set("targetResources", targets).set("additionalDetails", details)
}
