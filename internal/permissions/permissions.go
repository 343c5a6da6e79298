// Package permissions is the catalog of what tenantgate reads and writes: for
// every snapshot source the request that fetches it and the least-privileged
// Graph permission or Azure role it needs, and for every command the union of
// those. The collector, the emulator and `tenantgate permissions` all read this
// one table, so the request a source is collected with, the path the emulator
// serves it on and the permission the docs tell an admin to grant cannot drift
// apart. Derived from ../shared/reference/graph-api.md.
package permissions

import (
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/tenantgate/tenantgate/internal/textcol"
)

// API names which service a source is read from.
const (
	Graph = "graph"
	ARM   = "arm"
)

// Endpoint is how one snapshot source is collected.
type Endpoint struct {
	Source  string `json:"source"`            // snapshot source name (snapshot.Sources)
	API     string `json:"api"`               // Graph or ARM
	Version string `json:"version,omitempty"` // Graph version segment: "v1.0" or "beta"
	Path    string `json:"path"`              // path after the version (Graph) or after the host (ARM)
	Query   string `json:"query,omitempty"`   // query string sent with the first request, without '?'
	// Single marks a Graph collection endpoint whose only element is what the
	// snapshot stores (organization).
	Single bool `json:"-"`
	// Application and Delegated are the least-privileged Graph permissions.
	Application []string `json:"application,omitempty"`
	Delegated   []string `json:"delegated,omitempty"`
	// AzureRole is the Azure RBAC role (and scope) an ARM source needs.
	AzureRole string `json:"azureRole,omitempty"`
	Note      string `json:"note,omitempty"`
	// Derived marks a source read in a second round, for the ids the first
	// round found (the objects Conditional Access policies name, the
	// Global Administrators' sign-in activity); {ids} and {id} in Path and
	// Query are filled at run time. No control needs a derived source: they
	// name objects in findings and feed `tenantgate init`.
	Derived bool `json:"derived,omitempty"`
	// Optional sources never make a control not_assessed; without them
	// findings show ids instead of names and init knows less.
	Optional bool `json:"optional,omitempty"`
}

// GlobalAdministratorTemplateID is the role template id of Global Administrator.
const GlobalAdministratorTemplateID = "62e90394-69f5-4237-9190-012177145e10"

// UserSelect is what tenantgate reads of a user named by a Conditional Access
// policy or holding Global Administrator: enough to name it and, for init,
// to tell a cloud-only account and its age.
const UserSelect = "id,displayName,userPrincipalName,accountEnabled,userType,createdDateTime,onPremisesSyncEnabled"

// Request is the request line recorded in snapshot.Source.Request.
func (e Endpoint) Request() string {
	p := e.Path
	if e.API == Graph {
		p = "/" + e.Version + p
	}
	if e.Query != "" {
		p += "?" + e.Query
	}
	return "GET " + p
}

// Versions of the ARM APIs tenantgate calls.
const (
	DiagnosticSettingsAPIVersion = "2017-04-01"
	WorkspaceAPIVersion          = "2022-10-01"
)

// DiagnosticSettingsPath is the tenant-level Entra diagnostic settings list.
const DiagnosticSettingsPath = "/providers/microsoft.aadiam/diagnosticSettings"

// Endpoints lists every source in collection order. breakGlassAccounts and
// logAnalyticsWorkspaces have per-object paths ({x} is filled at run time).
var Endpoints = []Endpoint{
	{Source: "organization", API: Graph, Version: "v1.0", Path: "/organization", Single: true,
		Application: []string{"Organization.Read.All"}, Delegated: []string{"Organization.Read.All"},
		Note: "tenant id, name and assigned plans; delegated User.Read returns only id and name"},
	{Source: "authorizationPolicy", API: Graph, Version: "v1.0", Path: "/policies/authorizationPolicy",
		Application: []string{"Policy.Read.All"}, Delegated: []string{"Policy.Read.All"}},
	{Source: "adminConsentRequestPolicy", API: Graph, Version: "v1.0", Path: "/policies/adminConsentRequestPolicy",
		Application: []string{"Policy.Read.All"}, Delegated: []string{"Policy.Read.All"}},
	{Source: "conditionalAccessPolicies", API: Graph, Version: "beta", Path: "/identity/conditionalAccess/policies",
		Application: []string{"Policy.Read.All"}, Delegated: []string{"Policy.Read.All"},
		Note: "beta, so sessionControls.continuousAccessEvaluation is visible"},
	{Source: "namedLocations", API: Graph, Version: "v1.0", Path: "/identity/conditionalAccess/namedLocations",
		Application: []string{"Policy.Read.All"}, Delegated: []string{"Policy.Read.All"}},
	{Source: "authenticationStrengthPolicies", API: Graph, Version: "v1.0", Path: "/policies/authenticationStrengthPolicies",
		Application: []string{"Policy.Read.AuthenticationMethod"}, Delegated: []string{"Policy.Read.AuthenticationMethod"}},
	{Source: "authenticationMethodsPolicy", API: Graph, Version: "v1.0", Path: "/policies/authenticationMethodsPolicy",
		Application: []string{"Policy.Read.AuthenticationMethod"}, Delegated: []string{"Policy.Read.AuthenticationMethod"}},
	{Source: "securityDefaults", API: Graph, Version: "v1.0", Path: "/policies/identitySecurityDefaultsEnforcementPolicy",
		Application: []string{"Policy.Read.All"}, Delegated: []string{"Policy.Read.All"}},
	{Source: "deviceRegistrationPolicy", API: Graph, Version: "v1.0", Path: "/policies/deviceRegistrationPolicy",
		Application: []string{"Policy.Read.DeviceConfiguration"}, Delegated: []string{"Policy.Read.DeviceConfiguration"}},
	{Source: "subscribedSkus", API: Graph, Version: "v1.0", Path: "/subscribedSkus",
		Application: []string{"LicenseAssignment.Read.All"}, Delegated: []string{"LicenseAssignment.Read.All"}},
	{Source: "deviceEnrollmentConfigurations", API: Graph, Version: "beta", Path: "/deviceManagement/deviceEnrollmentConfigurations",
		Query:       "$expand=assignments",
		Application: []string{"DeviceManagementServiceConfig.Read.All"}, Delegated: []string{"DeviceManagementServiceConfig.Read.All"},
		Note: "beta, for enrollment notifications; needs an Intune license on the tenant"},
	{Source: "breakGlassAccounts", API: Graph, Version: "v1.0", Path: "/users/{x}",
		Query:       "$select=id,userPrincipalName,displayName,accountEnabled",
		Application: []string{"User.Read.All", "GroupMember.Read.All", "RoleManagement.Read.Directory"},
		Delegated:   []string{"User.Read.All", "GroupMember.Read.All", "RoleManagement.Read.Directory"},
		Note:        "each baseline break-glass account, then /users/{id}/transitiveMemberOf (groups and directory roles)"},
	{Source: "roleDefinitions", API: Graph, Version: "v1.0", Path: "/roleManagement/directory/roleDefinitions",
		Query:       "$select=id,templateId,displayName",
		Application: []string{"RoleManagement.Read.Directory"}, Delegated: []string{"RoleManagement.Read.Directory"},
		Optional: true, Note: "names of the directory roles Conditional Access policies include or exclude"},
	{Source: "globalAdministrators", API: Graph, Version: "v1.0", Path: "/directoryRoles(roleTemplateId='" + GlobalAdministratorTemplateID + "')/members/microsoft.graph.user",
		Query:       "$select=" + UserSelect,
		Application: []string{"RoleManagement.Read.Directory", "User.Read.All"}, Delegated: []string{"RoleManagement.Read.Directory", "User.Read.All"},
		Optional: true, Note: "active Global Administrators, for init's break-glass candidates (PIM-eligible assignments are not listed)"},
	{Source: "directoryUsers", API: Graph, Version: "v1.0", Path: "/users",
		Query:       "$filter=id in ({ids})&$select=" + UserSelect,
		Application: []string{"User.Read.All"}, Delegated: []string{"User.Read.All"},
		Derived: true, Optional: true, Note: "the users Conditional Access policies include or exclude, 15 ids per request, in the second $batch round"},
	{Source: "directoryGroups", API: Graph, Version: "v1.0", Path: "/groups",
		Query:       "$filter=id in ({ids})&$select=id,displayName,securityEnabled,isAssignableToRole,membershipRule",
		Application: []string{"GroupMember.Read.All"}, Delegated: []string{"GroupMember.Read.All"},
		Derived: true, Optional: true, Note: "the groups Conditional Access policies include or exclude"},
	{Source: "groupMembers", API: Graph, Version: "v1.0", Path: "/groups/{id}/transitiveMembers/microsoft.graph.user",
		Query:       "$select=id,userPrincipalName,displayName",
		Application: []string{"GroupMember.Read.All"}, Delegated: []string{"GroupMember.Read.All"},
		Derived: true, Optional: true, Note: "the users of each group Conditional Access policies exclude (init: who is excluded through a group)"},
	{Source: "caServicePrincipals", API: Graph, Version: "v1.0", Path: "/servicePrincipals",
		Query:       "$filter=appId in ({ids})&$select=id,appId,displayName",
		Application: []string{"Application.Read.All"}, Delegated: []string{"Application.Read.All"},
		Derived: true, Optional: true, Note: "names of the applications Conditional Access policies include or exclude"},
	{Source: "signInActivity", API: Graph, Version: "v1.0", Path: "/users",
		Query:       "$filter=id in ({ids})&$select=id,signInActivity",
		Application: []string{"AuditLog.Read.All"}, Delegated: []string{"AuditLog.Read.All"},
		Derived: true, Optional: true, Note: "the Global Administrators' last sign-in, for init; needs Microsoft Entra ID P1 or P2 (without it Graph refuses and init says the last sign-in is unknown)"},
	{Source: "diagnosticSettings", API: ARM, Path: DiagnosticSettingsPath,
		Query:     "api-version=" + DiagnosticSettingsAPIVersion,
		AzureRole: "Reader at scope /providers/Microsoft.aadiam",
		Note:      "delegated: an Entra Security Administrator can read them without the Azure role"},
	{Source: "logAnalyticsWorkspaces", API: ARM, Path: "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}",
		Query:     "api-version=" + WorkspaceAPIVersion,
		AzureRole: "Log Analytics Reader (or Reader) on each workspace the diagnostic settings point to",
		Note:      "each workspace the diagnostic settings send sign-in and audit logs to"},
	{Source: "logAnalyticsTables", API: ARM, Path: "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}/tables/{SigninLogs|AuditLogs}",
		Query:     "api-version=" + WorkspaceAPIVersion,
		AzureRole: "Log Analytics Reader (or Reader) on each workspace the diagnostic settings point to",
		Note:      "per-table retention of SigninLogs and AuditLogs (totalRetentionInDays), which TG.LOG.1 judges"},
}

// LogTables are the Log Analytics tables whose retention TG.LOG.1 judges.
var LogTables = []string{"SigninLogs", "AuditLogs"}

// Lookup returns the endpoint of a source.
func Lookup(source string) (Endpoint, bool) {
	for _, e := range Endpoints {
		if e.Source == source {
			return e, true
		}
	}
	return Endpoint{}, false
}

// Need is what one command needs.
type Need struct {
	Command     string   `json:"command"`
	Summary     string   `json:"summary"`
	Application []string `json:"application,omitempty"`
	Delegated   []string `json:"delegated,omitempty"`
	AzureRoles  []string `json:"azureRoles,omitempty"`
	EntraRoles  []string `json:"entraRoles,omitempty"` // for delegated sign-in
	Notes       []string `json:"notes,omitempty"`
	SameAs      string   `json:"sameAs,omitempty"` // needs exactly what that command needs
}

// Needs returns the needs of every command that talks to a tenant.
func Needs() []Need {
	var app, del, az []string
	for _, e := range Endpoints {
		app = append(app, e.Application...)
		del = append(del, e.Delegated...)
		if e.AzureRole != "" && !slices.Contains(az, e.AzureRole) {
			az = append(az, e.AzureRole)
		}
	}
	read := Need{
		Application: uniq(app), Delegated: uniq(del), AzureRoles: az,
		EntraRoles: []string{"Global Reader (covers every Graph read above)", "Security Administrator (only to read diagnostic settings without the Azure role)"},
		Notes: []string{
			"Read-only: nothing in collect or audit can change the tenant.",
			"A permission you do not grant only makes its source 'denied': the controls that need it become not_assessed, the rest still run.",
			"Organization.Read.All also covers subscribedSkus (LicenseAssignment.Read.All is the narrower choice).",
		},
	}
	collect := read
	collect.Command, collect.Summary = "collect", "read the tenant into a snapshot"
	audit := Need{Command: "audit", Summary: "live audit (without --snapshot/--demo): the same reads as collect", SameAs: "collect"}
	return []Need{collect, audit, {
		Command: "apply", Summary: "re-read Conditional Access policies, then create the missing ones in report-only mode",
		Application: []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Organization.Read.All", "User.Read.All"},
		Delegated:   []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "User.Read", "User.ReadBasic.All"},
		EntraRoles:  []string{"Conditional Access Administrator (or Security Administrator)"},
		Notes: []string{
			"Before creating anything apply reads the organization (to refuse a credential that reaches another tenant than the plan's) and looks up the baseline's break-glass accounts (their ids in that tenant are what every policy must exclude).",
			"Policy.ReadWrite.ConditionalAccess alone is refused with 403 AccessDenied: Graph wants Policy.Read.All too.",
			"The Azure CLI's own client cannot obtain Policy.ReadWrite.ConditionalAccess (AADSTS65002): --auth azure-cli can collect and audit but not apply. Use your own app registration (--auth device-code --client-id ID, client-secret, certificate or workload-identity).",
			"apply never sends PATCH or DELETE; it only POSTs new policies in state enabledForReportingButNotEnforced.",
		},
	}, evidenceNeed(), {
		Command: "plan, controls, diff, emulate, audit --snapshot/--demo, hunt", Summary: "offline: no tenant access, no permissions",
	}}
}

// For returns the needs of one command (as Needs lists it).
func For(command string) (Need, bool) {
	for _, n := range Needs() {
		if n.Command == command {
			return n, true
		}
	}
	return Need{}, false
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// GraphAppID is Microsoft Graph's application id (the --api of az ad app permission add).
const GraphAppID = "00000003-0000-0000-c000-000000000000"

// WriteText prints the needs and how to grant them, wrapped to width
// columns (textcol.DefaultWidth when width is 0).
func WriteText(w io.Writer, width int) error {
	if width <= 0 {
		width = textcol.DefaultWidth
	}
	var b strings.Builder
	para := func(indent int, first, text string) {
		b.WriteString(strings.Repeat(" ", indent) + first + textcol.Indent(text, width-indent-len(first), indent+len(first)) + "\n")
	}
	for _, n := range Needs() {
		para(0, "", n.Command+" — "+n.Summary)
		list := func(title string, v []string) {
			if len(v) > 0 {
				para(2, "", title+":")
				for _, s := range v {
					para(4, "- ", s)
				}
			}
		}
		list("Graph application permissions (app-only: client-secret, certificate, managed/workload identity)", n.Application)
		list("Graph delegated permissions (device-code, azure-cli)", n.Delegated)
		list("Entra role of the signed-in user (delegated)", n.EntraRoles)
		list("Azure roles (Azure Resource Manager)", n.AzureRoles)
		for _, note := range n.Notes {
			para(2, "note: ", note)
		}
		b.WriteString("\n")
	}
	b.WriteString("Per source (what becomes 'denied' without it; not_assessed findings name\nthe source):\n")
	for _, e := range Endpoints {
		need := strings.Join(e.Application, " + ")
		if e.API == ARM {
			need = e.AzureRole
		}
		b.WriteString("  " + e.Source + "\n")
		// The query on a line of its own keeps paths whole at 80 columns.
		path, query, _ := strings.Cut(strings.TrimPrefix(e.Request(), "GET "), "?")
		para(6, "GET ", path)
		if query != "" {
			para(10, "?", query)
		}
		para(6, "needs ", need)
	}
	b.WriteString("\nPer evidence source (what becomes a blind spot in hunt without it):\n")
	for _, e := range EvidenceSources {
		b.WriteString("  " + e.Source + "\n")
		para(6, "needs ", strings.Join(e.Application, " + "))
		for _, l := range e.Licenses {
			para(6, "licence: ", l)
		}
	}
	b.WriteString("\n")
	b.WriteString(grantText)
	_, err := io.WriteString(w, b.String())
	return err
}

// grantText shows how to grant the read-only set to an app registration with
// the Azure CLI. Permission ids are looked up by name so no GUID table can go
// stale. Lines fit 80 columns (shell and PowerShell continuations).
var grantText = `How to grant (Azure CLI, as a Global Administrator or Privileged Role
Administrator):

  # 1. An app registration for tenantgate (skip if you have one)
  APP_ID=$(az ad app create --display-name tenantgate-reader \
    --query appId -o tsv)
  az ad sp create --id "$APP_ID"

  # 2. Graph application permissions, by name (use Scope instead of Role
  #    and oauth2PermissionScopes instead of appRoles for delegated ones)
  GRAPH=` + GraphAppID + `
  for p in \
` + permissionLines(readApp()) + `; do
    id=$(az ad sp show --id $GRAPH \
      --query "appRoles[?value=='$p'].id | [0]" -o tsv)
    az ad app permission add --id "$APP_ID" --api $GRAPH \
      --api-permissions "$id=Role"
  done
  az ad app permission admin-consent --id "$APP_ID"

  # 3. Azure roles for the Entra diagnostic settings and workspace retention.
  #    /providers/Microsoft.aadiam is a tenant-root scope: a Global
  #    Administrator must first elevate access (Entra admin center >
  #    Properties > Access management for Azure resources, or the call
  #    below), then may remove the elevation again.
  ELEVATE=/providers/Microsoft.Authorization/elevateAccess
  az rest --method post --url "$ELEVATE?api-version=2016-07-01"
  az role assignment create --assignee "$APP_ID" --role Reader \
    --scope /providers/Microsoft.aadiam
  az role assignment create --assignee "$APP_ID" --role "Log Analytics Reader" \
    --scope <workspace resource id>

  # apply additionally needs Policy.ReadWrite.ConditionalAccess (same loop,
  # one name); evidence additionally needs (same loop):
` + evidenceExtraLines() + `

Microsoft Graph PowerShell equivalent for a managed identity (no app
registration):
  $graph = Get-MgServicePrincipal ` + "`" + `
    -Filter "appId eq '` + GraphAppID + `'"
  $role  = $graph.AppRoles | Where-Object Value -eq 'Policy.Read.All'
  New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $mi.Id ` + "`" + `
    -PrincipalId $mi.Id -ResourceId $graph.Id -AppRoleId $role.Id
`

// permissionLines lists permissions one per line, continued with a
// backslash, for the grant loop.
func permissionLines(ps []string) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = "    " + p
		if i < len(ps)-1 {
			lines[i] += " \\"
		}
	}
	return strings.Join(lines, "\n")
}

// evidenceExtraLines lists, as comment lines of the grant text, the
// application permissions evidence needs beyond collect's read set.
func evidenceExtraLines() string {
	read := readApp()
	var lines []string
	for _, p := range evidenceNeed().Application {
		if !slices.Contains(read, p) {
			lines = append(lines, "  #   "+p)
		}
	}
	return strings.Join(lines, "\n")
}

func readApp() []string {
	return Needs()[0].Application
}
