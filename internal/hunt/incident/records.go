package incident

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// ids makes the identifiers of one scenario from its seeded generator, in the
// shapes the services use (see testdata/real/purview-export.csv):
// Exchange record ids end in 08db + a time-derived suffix, Entra request ids
// (= the UAL id of the matching UserLoggedIn) end in 0500/0600/0700.
type ids struct{ r *rand.Rand }

func (g ids) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

// GUID is a random version-4 GUID.
func (g ids) GUID() string {
	return g.hex(8) + "-" + g.hex(4) + "-4" + g.hex(3) + "-" + "89ab"[g.r.IntN(4):][:1] + g.hex(3) + "-" + g.hex(12)
}

// exchangeID is an Exchange audit record id: the last group encodes the time.
func (g ids) exchangeID(t time.Time) string {
	return g.hex(8) + "-" + g.hex(4) + "-4" + g.hex(3) + "-" + g.hex(4) + "-08db" + fmt.Sprintf("%08x", uint32(t.Unix()>>2))
}

// requestID is an Entra request id (sign-in id).
func (g ids) requestID() string {
	return g.hex(8) + "-" + g.hex(4) + "-4" + g.hex(3) + "-" + "89ab"[g.r.IntN(4):][:1] + g.hex(3) + "-" + g.hex(8) + []string{"0500", "0600", "0700"}[g.r.IntN(3)]
}

// ruleID is an inbox rule's RuleIdentity (a 64-bit number, as
// Get-InboxRule's Identity "GradyA\\17097852595923320833" in the talk).
func (g ids) ruleID() string { return strconv.FormatUint(g.r.Uint64(), 10) }

// auditID is a directory audit id as the live records show them:
// Directory_<correlationId>_<5 characters>_<number> (Core Directory); other
// services prefix their own name.
func (g ids) auditID(service, corr string) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 5)
	for i := range b {
		b[i] = a[g.r.IntN(len(a))]
	}
	prefix := map[string]string{"Core Directory": "Directory", "Authentication Methods": "Mysignins", "Device Registration Service": "DRS"}[service]
	if prefix == "" {
		prefix = strings.ReplaceAll(service, " ", "")
	}
	return prefix + "_" + corr + "_" + string(b) + "_" + strconv.Itoa(1000000+g.r.IntN(200000000))
}

// audit gives a directory audit record its id (from its service and
// correlation id) and returns it.
func (g ids) audit(a *DirAudit) *DirAudit {
	a.ID = g.auditID(a.Service, a.CorrelationID)
	return a
}

// tokenID is a uniqueTokenIdentifier (22 characters of base64url).
func (g ids) tokenID() string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, 20)
	for i := range b {
		b[i] = a[g.r.IntN(64)]
	}
	return string(b) + "AA"
}

// internetMessageID is an RFC 5322 message id as Exchange Online mints them.
func (g ids) internetMessageID(t time.Time) string {
	return "<" + strings.ToUpper(g.hex(4)) + "PR01MB" + strconv.Itoa(1000+g.r.IntN(9000)) + strings.ToUpper(g.hex(16)) +
		"@TYCPR01MB" + strconv.Itoa(1000+g.r.IntN(9000)) + ".jpnprd01.prod.outlook.com>"
}

// itemID is an EWS item id (AffectedItems[].Id): a mailbox- and
// folder-specific stem, repeated, and a short unique tail, like the real ones
// ("RgAAAACklF6sEsJgSK/ulVd531/WBwCzgXIUnq3lQqXFeCmxHwmHAAAAAAEMAACzgXIUnq3l...").
func (g ids) itemID(mailbox string) string {
	stem := strings.ReplaceAll(mailbox, "-", "")[:22]
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 6)
	for i := range b {
		b[i] = a[g.r.IntN(64)]
	}
	return "RgAAAAD" + stem + "BwC" + stem + "AAAAAAEMAAC" + stem + "AAA" + string(b) + "AAJ"
}

func ctime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

// common starts an AuditData object with the keys every workload writes first.
func common(t time.Time, id, op, org string, rt int, status, userKey string, userType int, workload string) obj {
	o := obj{}.set("CreationTime", ctime(t)).set("Id", id).set("Operation", op).set("OrganizationId", org).set("RecordType", rt)
	if status != "" {
		o = o.set("ResultStatus", status)
	}
	return o.set("UserKey", userKey).set("UserType", userType).set("Version", 1).set("Workload", workload)
}

// stsLogon is the UAL twin of a sign-in (RecordType 15, UserLoggedIn or
// UserLoginFailed), keyed as testdata/real/purview-export.csv shows it. Its Id
// is the sign-in's request id.
func stsLogon(org string, s *SignIn) *UAL {
	op, status := "UserLoggedIn", "Success"
	if s.ErrorCode != 0 && s.ErrorCode != 50140 {
		op = "UserLoginFailed"
	}
	uid, upn := "", s.upn()
	if s.User != nil {
		uid = s.User.ID
	}
	ext := []obj{{{"Name", "ResultStatusDetail"}, {"Value", "Success"}}}
	if s.ErrorCode == 0 && s.Interactive {
		ext = append(ext, obj{{"Name", "KeepMeSignedIn"}, {"Value", "true"}})
	}
	ext = append(ext, obj{{"Name", "UserAgent"}, {"Value", s.Client.UserAgent}},
		obj{{"Name", "UserAuthenticationMethod"}, {"Value", "1"}},
		obj{{"Name", "RequestType"}, {"Value", "Login:login"}})
	isCM := "False"
	if s.Client.Compliant && s.Client.Managed {
		isCM = "True"
	}
	dev := []obj{}
	if s.Client.DeviceID != "" {
		dev = append(dev, obj{{"Name", "Id"}, {"Value", s.Client.DeviceID}}, obj{{"Name", "DisplayName"}, {"Value", s.Client.DeviceName}})
	}
	dev = append(dev, obj{{"Name", "OS"}, {"Value", s.Client.OS}}, obj{{"Name", "BrowserType"}, {"Value", browserType(s.Client.Browser)}},
		obj{{"Name", "IsCompliantAndManaged"}, {"Value", isCM}})
	if s.SessionID != "" {
		dev = append(dev, obj{{"Name", "SessionId"}, {"Value", s.SessionID}})
	}
	d := common(s.Time, s.ID, op, org, 15, status, uid, 0, "AzureActiveDirectory").
		set("ClientIP", s.Place.IP).set("ObjectId", s.Resource.ID).set("UserId", upn).
		set("AzureActiveDirectoryEventType", 1).set("ExtendedProperties", ext).set("ModifiedProperties", []obj{}).
		set("Actor", []obj{{{"ID", uid}, {"Type", 0}}, {{"ID", upn}, {"Type", 5}}}).set("ActorContextId", org).
		set("ActorIpAddress", s.Place.IP).set("InterSystemsId", s.CorrelationID).set("IntraSystemId", s.ID).
		set("SupportTicketId", "").set("Target", []obj{{{"ID", s.Resource.ID}, {"Type", 0}}}).set("TargetContextId", org).
		set("ApplicationId", s.App.ID).set("DeviceProperties", dev).set("ErrorNumber", strconv.Itoa(s.ErrorCode))
	if op == "UserLoginFailed" {
		d = d.set("LogonError", logonError[s.ErrorCode])
	}
	return &UAL{ID: s.ID, Time: s.Time, RecordType: 15, Operation: op, UserID: upn, Data: d, EscSlash: true}
}

var logonError = map[int]string{50126: "InvalidUserNameOrPassword", 50074: "UserStrongAuthClientAuthNRequiredInterrupt", 50053: "IdsLocked", 50034: "UserAccountNotFound"}

func browserType(b string) string {
	switch {
	case strings.HasPrefix(b, "Edge"):
		return "Edge"
	case strings.HasPrefix(b, "Chrome"):
		return "Chrome"
	case strings.HasPrefix(b, "Firefox"):
		return "Firefox"
	case strings.HasPrefix(b, "Safari"), strings.HasPrefix(b, "Mobile Safari"):
		return "Safari"
	}
	return "Other"
}

// aadAudit is the UAL twin of an Entra audit record (RecordType 8), with the
// UAL's trailing period on the operation ("Add application.").
func aadAudit(org string, a *DirAudit, upnOf func(*User) string) *UAL {
	op := a.Activity + "."
	userID, userKey, userType := "", "", 0
	actor := []obj{}
	switch {
	case a.ByUser != nil:
		userID, userKey = upnOf(a.ByUser), a.ByUser.PUID+"@"+strings.SplitN(a.ByUser.UPN, "@", 2)[1]
		actor = append(actor, obj{{"ID", userID}, {"Type", 5}}, obj{{"ID", a.ByUser.PUID}, {"Type", 3}},
			obj{{"ID", "User_" + a.ByUser.ID}, {"Type", 2}}, obj{{"ID", a.ByUser.ID}, {"Type", 2}}, obj{{"ID", "User"}, {"Type", 2}})
	case a.ByApp != nil:
		userID, userKey, userType = "ServicePrincipal_"+a.ByApp.ID, "Not Available", 4
		actor = append(actor, obj{{"ID", a.ByApp.Name}, {"Type", 1}}, obj{{"ID", "ServicePrincipal_" + a.ByApp.ID}, {"Type", 2}},
			obj{{"ID", a.ByApp.ID}, {"Type", 2}}, obj{{"ID", "ServicePrincipal"}, {"Type", 2}})
	}
	objectID := ""
	targets := []obj{}
	mods := []obj{}
	for i, t := range a.Targets {
		kind := t.Type
		if kind == "ServicePrincipal" || kind == "Application" || kind == "User" || kind == "Device" {
			targets = append(targets, obj{{"ID", kind + "_" + t.ID}, {"Type", 2}}, obj{{"ID", t.ID}, {"Type", 2}}, obj{{"ID", kind}, {"Type", 2}})
		}
		if t.UPN != "" {
			targets = append(targets, obj{{"ID", t.UPN}, {"Type", 5}})
		} else if t.DisplayName != "" {
			targets = append(targets, obj{{"ID", t.DisplayName}, {"Type", 1}})
		}
		if i == 0 {
			objectID = orDefault(t.UPN, t.ID)
			for _, p := range t.Props {
				mods = append(mods, obj{{"Name", p.Name}, {"NewValue", p.New}, {"OldValue", p.Old}})
			}
		}
	}
	details := "{}"
	if len(a.Details) > 0 {
		var parts []string
		for _, d := range a.Details {
			parts = append(parts, jsonString(d[0])+":"+jsonString(d[1]))
		}
		details = "{" + strings.Join(parts, ",") + "}"
	}
	d := common(a.Time, a.ID, op, org, 8, "Success", userKey, userType, "AzureActiveDirectory")
	if a.IP != "" {
		d = d.set("ClientIP", a.IP)
	}
	d = d.set("ObjectId", objectID).set("UserId", userID).set("AzureActiveDirectoryEventType", 1).
		set("ExtendedProperties", []obj{{{"Name", "additionalDetails"}, {"Value", details}},
			{{"Name", "extendedAuditEventCategory"}, {"Value", auditCategory(a)}}}).
		set("ModifiedProperties", mods).set("Actor", actor).set("ActorContextId", org)
	if a.IP != "" {
		d = d.set("ActorIpAddress", a.IP)
	}
	d = d.set("InterSystemsId", a.CorrelationID).set("IntraSystemId", a.ID).set("SupportTicketId", "").
		set("Target", targets).set("TargetContextId", org)
	return &UAL{ID: a.ID, Time: a.Time, RecordType: 8, Operation: op, UserID: userID, Data: d, EscSlash: true}
}

func auditCategory(a *DirAudit) string {
	if len(a.Targets) == 0 {
		return "User"
	}
	return a.Targets[0].Type
}

// exchangeContext is what an Exchange record says about the client.
type exchangeContext struct {
	IP          string // ClientIP as written (may carry a port)
	ClientInfo  string // ClientInfoString
	AppID       string
	ClientAppID string
	SessionID   string
	TokenID     string // AppAccessContext.UniqueTokenId
	IssuedAt    time.Time
	ExternalApp bool
}

func appAccessContext(x exchangeContext) obj {
	o := obj{}
	if !x.IssuedAt.IsZero() {
		o = o.set("IssuedAtTime", ctime(x.IssuedAt))
	}
	o = o.set("UniqueTokenId", x.TokenID)
	if x.SessionID != "" {
		o = o.set("AADSessionId", x.SessionID)
	}
	return o
}

// exchangeAdmin is a RecordType 1 cmdlet record (New-InboxRule, Remove-InboxRule,
// Set-Mailbox…), keyed as the real New-InboxRule records.
func exchangeAdmin(org, orgName, server string, t time.Time, id, op string, u *User, x exchangeContext, objectID string, params [][2]string) *UAL {
	ps := []obj{}
	for _, p := range params {
		ps = append(ps, obj{{"Name", p[0]}, {"Value", p[1]}})
	}
	// Exchange writes UserType 2 (Admin) for a user running a cmdlet on their
	// own mailbox too (the real New-InboxRule records do).
	userType := 2
	d := obj{}.set("AppAccessContext", appAccessContext(x))
	d = append(d, common(t, id, op, org, 1, "True", u.PUID, userType, "Exchange")...)
	d = d.set("ClientIP", x.IP).set("ObjectId", objectID).set("UserId", u.UPN).set("AppId", x.AppID).
		set("ClientAppId", x.ClientAppID).set("ExternalAccess", false).set("OrganizationName", orgName).
		set("OriginatingServer", server).set("Parameters", ps)
	if x.SessionID != "" {
		d = d.set("SessionId", x.SessionID)
	}
	return &UAL{ID: id, Time: t, RecordType: 1, Operation: op, UserID: u.UPN, Data: d, EscSlash: true}
}

// mailItem is one message an Exchange mailbox record names.
type mailItem struct {
	ID, InternetMessageID, Subject, Folder string
	Size                                   int
}

// mailboxRecord is an ExchangeItem / ExchangeItemGroup record (Send, Create,
// SoftDelete, HardDelete, MoveToDeletedItems), after Microsoft Learn's
// mailbox audit schema and the talk's AffectedItems fragment.
func mailboxRecord(org, orgName, server string, t time.Time, id, op string, rt int, u *User, mailboxGUID string, x exchangeContext, items []mailItem, folder string) *UAL {
	d := obj{}.set("AppAccessContext", appAccessContext(x))
	d = append(d, common(t, id, op, org, rt, "Succeeded", u.PUID, 0, "Exchange")...)
	d = d.set("ClientIP", x.IP).set("UserId", u.UPN).set("AppId", x.AppID).set("ClientAppId", x.ClientAppID).
		set("ClientIPAddress", stripPort(x.IP)).set("ClientInfoString", x.ClientInfo).set("ExternalAccess", false).
		set("InternalLogonType", 0).set("LogonType", 0).set("LogonUserSid", "S-1-5-21-"+u.PUID).
		set("MailboxGuid", mailboxGUID).set("MailboxOwnerSid", "S-1-5-21-"+u.PUID).set("MailboxOwnerUPN", u.UPN).
		set("OrganizationName", orgName).set("OriginatingServer", server)
	if x.SessionID != "" {
		d = d.set("SessionId", x.SessionID)
	}
	switch rt {
	case 2: // one item
		it := items[0]
		d = d.set("Item", obj{}.set("Id", it.ID).set("InternetMessageId", it.InternetMessageID).
			set("ParentFolder", obj{}.set("Id", "LgAAAAD"+it.ID[7:40]).set("Path", `\`+it.Folder)).
			set("SizeInBytes", it.Size).set("Subject", it.Subject))
	case 3: // several items
		ai := []obj{}
		for _, it := range items {
			ai = append(ai, obj{}.set("Id", it.ID).set("InternetMessageId", it.InternetMessageID).
				set("ParentFolder", obj{}.set("Id", "LgAAAAD"+it.ID[7:40]).set("Path", `\`+it.Folder)).
				set("Subject", it.Subject))
		}
		d = d.set("AffectedItems", ai).set("CrossMailboxOperation", false).
			set("Folder", obj{}.set("Id", "LgAAAAD"+items[0].ID[7:40]).set("Path", `\`+folder))
	}
	return &UAL{ID: id, Time: t, RecordType: rt, Operation: op, UserID: u.UPN, Data: d, EscSlash: true}
}

// mailItemsAccessed is an aggregated MailItemsAccessed record (RecordType 50).
func mailItemsAccessed(org, orgName, server string, t time.Time, id string, u *User, mailboxGUID string, x exchangeContext, access string, folder string, items []mailItem, throttled bool) *UAL {
	fi := []obj{}
	for _, it := range items {
		fi = append(fi, obj{}.set("InternetMessageId", it.InternetMessageID).set("SizeInBytes", it.Size))
	}
	folders := []obj{obj{}.set("FolderItems", fi).set("Id", "LgAAAAD"+strings.Repeat("A", 8)+"EMAAAB").set("Path", `\`+folder)}
	if access == "Sync" {
		folders = []obj{obj{}.set("Id", "LgAAAAD"+strings.Repeat("A", 8)+"EMAAAB").set("Path", `\`+folder)}
	}
	d := obj{}.set("AppAccessContext", appAccessContext(x))
	d = append(d, common(t, id, "MailItemsAccessed", org, 50, "Succeeded", u.PUID, 0, "Exchange")...)
	d = d.set("ClientIP", x.IP).set("UserId", u.UPN).set("AppId", x.AppID).set("ClientAppId", x.ClientAppID).
		set("ClientIPAddress", stripPort(x.IP)).set("ClientInfoString", x.ClientInfo).set("ExternalAccess", false).
		set("InternalLogonType", 0).set("LogonType", 0).set("LogonUserSid", "S-1-5-21-"+u.PUID).
		set("MailboxGuid", mailboxGUID).set("MailboxOwnerSid", "S-1-5-21-"+u.PUID).set("MailboxOwnerUPN", u.UPN).
		set("OperationProperties", []obj{{{"Name", "MailAccessType"}, {"Value", access}}, {{"Name", "IsThrottled"}, {"Value", pascalBool(throttled)}}}).
		set("OrganizationName", orgName).set("OriginatingServer", server)
	if x.SessionID != "" {
		d = d.set("SessionId", x.SessionID)
	}
	d = d.set("Folders", folders).set("OperationCount", max(1, len(items)))
	return &UAL{ID: id, Time: t, RecordType: 50, Operation: "MailItemsAccessed", UserID: u.UPN, Data: d, EscSlash: true}
}

// sharePointFile is a SharePointFileOperation record (FileAccessed,
// FileDownloaded, FileModified…), keyed as the real FileAccessed record.
func sharePointFile(org string, t time.Time, id, op string, u *User, ip, ua, sessionID, clientAppID, siteURL, folder, file string, site, web, list string, managed bool) *UAL {
	ext := file[strings.LastIndexByte(file, '.')+1:]
	ctx := obj{}.set("ClientAppId", clientAppID).set("CorrelationId", id)
	if sessionID != "" {
		ctx = ctx.set("AADSessionId", sessionID)
	}
	d := obj{}.set("AppAccessContext", ctx)
	d = append(d, common(t, id, op, org, 6, "", "i:0h.f|membership|"+strings.ToLower(u.PUID)+"@live.com", 0, "SharePoint")...)
	d = d.set("ClientIP", ip).set("UserId", strings.ToLower(u.UPN)).set("ApplicationId", clientAppID).
		set("AuthenticationType", "FormsCookieAuth").set("BrowserName", browserType(ua)).set("BrowserVersion", "").
		set("CorrelationId", id).set("EventSource", "SharePoint").set("IsManagedDevice", managed).set("ItemType", "File").
		set("ListId", list).set("ListItemUniqueId", id[:24]+"a1b2c3d4e5f6").set("Platform", "WinDesktop").set("Site", site).
		set("UserAgent", ua).set("WebId", web).set("SourceFileExtension", ext).set("SiteUrl", siteURL).
		set("SourceRelativeUrl", folder).set("SourceFileName", file).set("ObjectId", siteURL+folder+"/"+file)
	return &UAL{ID: id, Time: t, RecordType: 6, Operation: op, UserID: strings.ToLower(u.UPN), Data: d, EscSlash: false}
}

// stripPort removes the port Exchange appends to ClientIP (198.51.100.135:19823,
// [2001:db8::1]:443); ClientIPAddress never carries one.
func stripPort(ip string) string {
	if strings.HasPrefix(ip, "[") {
		if i := strings.Index(ip, "]"); i > 0 {
			return ip[1:i]
		}
	}
	if strings.Count(ip, ":") == 1 {
		return ip[:strings.IndexByte(ip, ':')]
	}
	return ip
}

// withPort writes ip as Exchange writes ClientIP for a proxied connection.
func withPort(ip string, port int) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]:" + strconv.Itoa(port)
	}
	return ip + ":" + strconv.Itoa(port)
}

// pascalBool is a boolean as the services write it inside Name/Value lists.
func pascalBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
