package incident

import (
	"io"
	"strconv"
	"strings"
	"time"
)

// The tenant's state at export time (after the responder's containment), as
// Graph and Exchange Online PowerShell show it: what `tenantgate evidence`
// (issue 14) collects and the Graph emulator serves. Shapes from Microsoft
// Learn (documentation-built: no capture of these for a compromised tenant).

// AuthMethods is GET /users/{id}/authentication/methods for u: the password
// and the user's own Authenticator. The attacker's Authenticator was deleted
// by the responder, so it is not listed; the audit log keeps its registration.
func (w *World) AuthMethods(u *User) []obj {
	out := []obj{obj{}.set("@odata.type", "#microsoft.graph.passwordAuthenticationMethod").
		set("id", "28c10230-6103-485e-b985-444c60001490").set("password", nil).set("createdDateTime", "2019-04-02T01:12:44Z")}
	if !strings.HasPrefix(u.UPN, "breakglass") {
		out = append(out, obj{}.set("@odata.type", "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod").
			set("id", "6a1e0f2c-"+u.ID[9:]).set("displayName", "iPhone 13").set("deviceTag", "SoftwareTokenActivated").
			set("phoneAppVersion", "6.7.17").set("createdDateTime", "2022-05-16T00:41:09Z"))
	}
	return out
}

// RegisteredDevices is GET /users/{id}/registeredDevices: the managed laptop,
// and for the victim the attacker's device, still registered (the response
// did not remove it).
func (w *World) RegisteredDevices(u *User) []obj {
	var out []obj
	if u == w.Incident.Victim {
		in := w.Incident
		out = append(out, obj{}.set("@odata.type", "#microsoft.graph.device").set("id", in.Device.ObjectID).
			set("deviceId", in.Device.ID).set("displayName", in.Device.Name).set("operatingSystem", "Windows").
			set("operatingSystemVersion", "10.0.19045.3693").set("trustType", "Workplace").set("accountEnabled", true).
			set("isCompliant", nil).set("isManaged", nil).set("registrationDateTime", in.DeviceTime.UTC().Format(time.RFC3339)).
			set("approximateLastSignInDateTime", in.DeviceTime.UTC().Format(time.RFC3339)))
	}
	return out
}

// ServicePrincipals is the "chatbot" service principal (disabled by the
// responder) and the application behind it, as GET /servicePrincipals and GET
// /applications return them.
func (w *World) ServicePrincipals() (sps, apps []obj) {
	in := w.Incident
	sps = append(sps, obj{}.set("id", in.SPID).set("appId", in.AppID).set("displayName", in.AppName).
		set("accountEnabled", false).set("appOwnerOrganizationId", tenant.ID).set("servicePrincipalType", "Application").
		set("signInAudience", "AzureADandPersonalMicrosoftAccount").set("replyUrls", []string{"http://localhost:7823/access"}).
		set("createdDateTime", at(4, 55, 37).Format(time.RFC3339)))
	apps = append(apps, obj{}.set("id", in.AppObject).set("appId", in.AppID).set("displayName", in.AppName).
		set("signInAudience", "AzureADandPersonalMicrosoftAccount").set("createdDateTime", at(4, 55, 36).Format(time.RFC3339)).
		set("publisherDomain", tenant.Domain).
		set("web", obj{}.set("redirectUris", []string{"http://localhost:7823/access"})).
		set("passwordCredentials", []obj{obj{}.set("displayName", "chatbot").set("keyId", "00000000-0000-0000-0000-000000000000").
			set("startDateTime", at(4, 56, 5).Format(time.RFC3339)).set("endDateTime", "2025-12-12T04:56:05Z").set("hint", "q8V").set("secretText", nil)}).
		set("requiredResourceAccess", []obj{}))
	return sps, apps
}

// OAuth2PermissionGrants is GET /oauth2PermissionGrants: the tenant-wide grant
// the victim gave "chatbot" (not revoked: disabling the service principal
// leaves it).
func (w *World) OAuth2PermissionGrants() []obj {
	in := w.Incident
	return []obj{obj{}.set("id", "3Ag8WzMpnk-ofNvH2hfbNQ5Y4jXvqrpJkVJMIwHZjA4").set("clientId", in.SPID).
		set("consentType", "AllPrincipals").set("principalId", nil).set("resourceId", "b636ca69-c274-4271-8ca7-1649a6ab81ba").
		set("scope", " "+strings.Join(in.Scopes, " "))}
}

// MessageRules is GET /users/{id}/mailFolders/inbox/messageRules for u.
func (w *World) MessageRules(u *User) []obj {
	var out []obj
	for _, r := range w.InboxRules {
		if r.Mailbox != u {
			continue
		}
		cond := obj{}
		if len(r.FromAddressContains) > 0 {
			cond = cond.set("senderContains", r.FromAddressContains)
		}
		if len(r.SubjectOrBodyContains) > 0 {
			cond = cond.set("bodyOrSubjectContains", r.SubjectOrBodyContains)
		}
		act := obj{}.set("moveToFolder", "AAMkAD"+strings.ReplaceAll(r.RuleID, "-", "")+"AAA=").set("stopProcessingRules", r.StopProcessingRules)
		if r.MarkAsRead {
			act = act.set("markAsRead", true)
		}
		out = append(out, obj{}.set("id", "AQAAA"+r.RuleID+"=").set("displayName", r.Name).set("sequence", r.Priority).
			set("isEnabled", r.Enabled).set("hasError", false).set("isReadOnly", false).set("conditions", cond).set("actions", act))
	}
	return out
}

// InboxRulesCSV writes Get-InboxRule -Mailbox <each> | Export-Csv
// -NoTypeInformation (documentation-built: the cmdlet's property names).
func (w *World) InboxRulesCSV(out io.Writer) error {
	t := newTextOut(out, UTF8BOM)
	t.csvRow([]string{"MailboxOwnerId", "Name", "Enabled", "Priority", "RuleIdentity", "Identity", "From", "SubjectOrBodyContainsWords",
		"MoveToFolder", "MarkAsRead", "DeleteMessage", "ForwardTo", "RedirectTo", "StopProcessingRules"}, true)
	for _, r := range w.InboxRules {
		local := r.Mailbox.UPN[:strings.IndexByte(r.Mailbox.UPN, '@')]
		from := ""
		if len(r.FromAddressContains) > 0 {
			from = r.FromAddressContains[0]
		}
		t.csvRow([]string{local, r.Name, pascalBool(r.Enabled), strconv.Itoa(r.Priority), r.RuleID, local + `\` + r.RuleID, from,
			strings.Join(r.SubjectOrBodyContains, " "), local + ":\\" + r.MoveToFolder, pascalBool(r.MarkAsRead), pascalBool(r.Delete),
			"", "", pascalBool(r.StopProcessingRules)}, true)
	}
	return t.flush()
}
