package permissions

// EvidenceSource is one kind of read `tenantgate evidence` makes: its
// request, the least-privileged Graph permissions, the Entra role a delegated
// user needs, and the licences without which Graph has no data to give.
// The collector copies Permission and Licenses into the bundle's manifest, so
// a denied source says what to grant.
type EvidenceSource struct {
	Source      string   `json:"source"`
	Request     string   `json:"request"`
	Application []string `json:"application"`
	Delegated   []string `json:"delegated"`
	EntraRoles  []string `json:"entraRoles,omitempty"`
	Licenses    []string `json:"licenses,omitempty"`
	Note        string   `json:"note,omitempty"`
}

// EvidenceSources lists them in collection order (Microsoft Graph permission
// reference; graph-api.md §5 for the audit log query and retention).
var EvidenceSources = []EvidenceSource{
	{Source: "organization", Request: "GET /v1.0/organization; GET /v1.0/subscribedSkus",
		Application: []string{"Organization.Read.All"}, Delegated: []string{"Organization.Read.All"},
		Note: "the tenant the credential reaches (checked against --tenant) and its licences (retention)"},
	{Source: "signIns", Request: "GET /beta/auditLogs/signIns?$filter=createdDateTime ge … and signInEventTypes/any(t: t eq 'interactiveUser'|'nonInteractiveUser')",
		Application: []string{"AuditLog.Read.All"}, Delegated: []string{"AuditLog.Read.All"},
		EntraRoles: []string{"Reports Reader, Security Reader or Global Reader"},
		Licenses:   []string{"Microsoft Entra ID P1 or P2; kept 30 days"},
		Note:       "beta: the only version with non-interactive sign-ins, sessionId and uniqueTokenIdentifier; without P1/P2 Graph answers 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant"},
	{Source: "directoryAudits", Request: "GET /v1.0/auditLogs/directoryAudits?$filter=activityDateTime ge … [and initiatedBy/user/userPrincipalName eq … | targetResources/any(t: t/userPrincipalName eq …)]",
		Application: []string{"AuditLog.Read.All"}, Delegated: []string{"AuditLog.Read.All"},
		EntraRoles: []string{"Reports Reader, Security Reader or Global Reader"},
		Licenses:   []string{"any (kept 7 days on Free, 30 with Entra ID P1/P2)"}},
	{Source: "unifiedAuditLog", Request: "POST /beta/security/auditLog/queries; GET …/queries/{id}; GET …/queries/{id}/records",
		Application: []string{"AuditLogsQuery.Read.All"}, Delegated: []string{"AuditLogsQuery.Read.All"},
		EntraRoles: []string{"Purview Audit Reader (View-Only Audit Logs) or Compliance Administrator"},
		Licenses:   []string{"Purview Audit (Standard): Exchange Online or Microsoft 365 E3/Business; kept 180 days, 365 with Audit (Premium)"},
		Note:       "the POST creates a search (a query object), not tenant configuration; it is sent at most once per run and found again by its displayName when its answer is lost. Per-workload alternatives: AuditLogsQuery-Exchange.Read.All, -SharePoint, -OneDrive, -Entra"},
	{Source: "messageRules", Request: "GET /v1.0/users/{upn}/mailFolders/inbox/messageRules",
		Application: []string{"MailboxSettings.Read"}, Delegated: []string{"MailboxSettings.Read"},
		Licenses: []string{"Exchange Online mailbox"},
		Note:     "delegated MailboxSettings.Read reads only the signed-in user's own mailbox: use application permissions for the victims'"},
	{Source: "authenticationMethods", Request: "GET /v1.0/users/{upn}/authentication/methods",
		Application: []string{"UserAuthenticationMethod.Read.All"}, Delegated: []string{"UserAuthenticationMethod.Read.All"},
		EntraRoles: []string{"Authentication Administrator, Privileged Authentication Administrator or Global Reader"}},
	{Source: "registeredDevices", Request: "GET /v1.0/users/{upn}/registeredDevices; GET /v1.0/users/{upn}/ownedDevices",
		Application: []string{"User.Read.All"}, Delegated: []string{"User.Read.All"}},
	{Source: "oauth2PermissionGrants", Request: "GET /v1.0/users/{upn}/oauth2PermissionGrants",
		Application: []string{"Directory.Read.All"}, Delegated: []string{"Directory.Read.All"},
		Note: "the delegated grants the user consented to for themselves; grants for all users (AllPrincipals) are not per user"},
	{Source: "appRoleAssignments", Request: "GET /v1.0/users/{upn}/appRoleAssignments",
		Application: []string{"Directory.Read.All"}, Delegated: []string{"Directory.Read.All"}},
	{Source: "servicePrincipals", Request: "GET /v1.0/servicePrincipals?$top=999",
		Application: []string{"Application.Read.All"}, Delegated: []string{"Application.Read.All"},
		Note: "createdDateTime is returned but not documented as filterable: the whole list is kept and the ones created in the window are counted in the manifest"},
	{Source: "applications", Request: "GET /v1.0/applications?$filter=createdDateTime ge … and createdDateTime le …",
		Application: []string{"Application.Read.All"}, Delegated: []string{"Application.Read.All"}},
	{Source: "namedLocations", Request: "GET /v1.0/identity/conditionalAccess/namedLocations",
		Application: []string{"Policy.Read.All"}, Delegated: []string{"Policy.Read.All"},
		EntraRoles: []string{"Security Reader or Global Reader"},
		Note:       "the tenant's trusted IP locations: hunt takes them as trusted networks when neither the baseline nor --trusted gives any (those passing the trusted-location sanity rule and unchanged in the window)"},
	{Source: "tenantWideGrants", Request: "GET /v1.0/oauth2PermissionGrants?$filter=consentType eq 'AllPrincipals'",
		Application: []string{"Directory.Read.All"}, Delegated: []string{"Directory.Read.All"},
		Note: "the delegated grants for all users (admin consent, or a user consenting for the organization as in the talk's 'chatbot'): they belong to no user, so the per-user list never shows them"},
	{Source: "servicePrincipalGrants", Request: "GET /v1.0/oauth2PermissionGrants?$filter=clientId eq '{id}'; GET /v1.0/servicePrincipals/{id}/appRoleAssignments; GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo",
		Application: []string{"Directory.Read.All", "Application.Read.All"}, Delegated: []string{"Directory.Read.All", "Application.Read.All"},
		Note: "for each service principal created in the window: every delegated grant to it (any user, any consent type), the application permissions granted to it (app role assignments) and the users and groups assigned to it"},
}

// LookupEvidence returns an evidence source by name.
func LookupEvidence(source string) (EvidenceSource, bool) {
	for _, e := range EvidenceSources {
		if e.Source == source {
			return e, true
		}
	}
	return EvidenceSource{}, false
}

func evidenceNeed() Need {
	var app, del, roles []string
	for _, e := range EvidenceSources {
		app = append(app, e.Application...)
		del = append(del, e.Delegated...)
		roles = append(roles, e.EntraRoles...)
	}
	return Need{
		Command: "evidence", Summary: "collect an incident's logs (sign-ins, directory audits, the unified audit log) and the users' rules, methods, devices and grants into a bundle",
		Application: uniq(app), Delegated: uniq(del), EntraRoles: uniq(roles),
		Notes: []string{
			"Read-only but for one POST: the audit log query (a search object the UAL API needs), never tenant configuration.",
			"A permission or licence the tenant lacks makes that source 'denied' or 'error' in the bundle's manifest with Graph's error; hunt then reports it as a blind spot, and evidence exits 3.",
			"Per source: tenantgate permissions --format json (evidenceSources) lists each request with its permission and licence.",
		},
	}
}
