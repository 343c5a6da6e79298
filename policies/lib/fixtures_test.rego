# Test fixtures shared by every control's tests: a baseline like the default
# one, SKUs, break-glass accounts, and a well-formed all-users policy that
# tests override field by field (object.union merges objects recursively and
# replaces arrays).
package tenantgate.test.fixtures

bg1 := "11111111-1111-1111-1111-111111111111"

bg2 := "22222222-2222-2222-2222-222222222222"

bg_group := "33333333-3333-3333-3333-333333333333"

other_user := "44444444-4444-4444-4444-444444444444"

other_group := "55555555-5555-5555-5555-555555555555"

ga_role := "62e90394-69f5-4237-9190-012177145e10"

exo := "00000002-0000-0ff1-ce00-000000000000"

spo := "00000003-0000-0ff1-ce00-000000000000"

baseline := {
	"name": "test",
	"break_glass": ["bg1@contoso.com", "bg2@contoso.com"],
	"allowed_exclusions": {"users": [], "groups": [], "roles": [], "applications": [], "guests_or_external_users": false},
	"parameters": {
		"max_sign_in_frequency_hours": 1,
		"log_retention_days": 90,
		"ual_retention_days": 180,
		"allowed_user_consent_policies": [],
	},
	"licenses": {
		"AAD_PREMIUM": {"title": "Microsoft Entra ID P1", "service_plans": ["AAD_PREMIUM", "AAD_PREMIUM_P2"], "skus": [], "signin_log_retention_days": 30, "audit_retention_days": 0},
		"AAD_PREMIUM_P2": {"title": "Microsoft Entra ID P2", "service_plans": ["AAD_PREMIUM_P2"], "skus": [], "signin_log_retention_days": 30, "audit_retention_days": 0},
		"INTUNE_A": {"title": "Microsoft Intune Plan 1", "service_plans": ["INTUNE_A", "INTUNE_SMBIZ"], "skus": [], "signin_log_retention_days": 0, "audit_retention_days": 0},
		"AUDIT_STANDARD": {"title": "Microsoft Purview Audit (Standard)", "service_plans": ["EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_STANDARD", "M365_AUDIT_PLATFORM"], "skus": [], "signin_log_retention_days": 0, "audit_retention_days": 180},
		"M365_ADVANCED_AUDITING": {"title": "Microsoft Purview Audit (Premium)", "service_plans": ["M365_ADVANCED_AUDITING"], "skus": [], "signin_log_retention_days": 0, "audit_retention_days": 365},
		"10_ALR_ADDON": {"title": "10-Year Audit Log Retention add-on", "service_plans": [], "skus": ["10_ALR_ADDON"], "signin_log_retention_days": 0, "audit_retention_days": 3650},
	},
	"attestations": {},
}

sku(part, plans) := {
	"skuPartNumber": part,
	"capabilityStatus": "Enabled",
	"servicePlans": [{"servicePlanName": p, "provisioningStatus": "Success"} | some p in plans],
}

# Microsoft 365 E3: P1, Intune, Exchange; no P2, no Audit (Premium).
sku_e3 := sku("SPE_E3", ["AAD_PREMIUM", "MFA_PREMIUM", "INTUNE_A", "EXCHANGE_S_ENTERPRISE", "M365_AUDIT_PLATFORM"])

# Microsoft 365 E5: adds P2 and Audit (Premium).
sku_e5 := sku("SPE_E5", ["AAD_PREMIUM", "AAD_PREMIUM_P2", "INTUNE_A", "EXCHANGE_S_ENTERPRISE", "M365_ADVANCED_AUDITING"])

# Office 365 E3: Exchange only, no Entra ID premium, no Intune.
sku_o365_e3 := sku("ENTERPRISEPACK", ["EXCHANGE_S_ENTERPRISE", "SHAREPOINTENTERPRISE"])

bg_accounts := [
	{
		"requested": "bg1@contoso.com",
		"user": {"id": bg1, "userPrincipalName": "bg1@contoso.com"},
		"transitiveMemberOf": [
			{"@odata.type": "#microsoft.graph.group", "id": bg_group, "displayName": "CA-Exclude-BreakGlass"},
			{"@odata.type": "#microsoft.graph.directoryRole", "id": "r1", "roleTemplateId": ga_role},
		],
	},
	{
		"requested": "bg2@contoso.com",
		"user": {"id": bg2, "userPrincipalName": "bg2@contoso.com"},
		"transitiveMemberOf": [{"@odata.type": "#microsoft.graph.group", "id": bg_group, "displayName": "CA-Exclude-BreakGlass"}],
	},
]

# A well-formed enforced policy for all users and all apps, excluding the
# break-glass accounts, with no grant or session control yet.
base_policy := {
	"id": "p-base",
	"displayName": "Base",
	"state": "enabled",
	"conditions": {
		"users": {
			"includeUsers": ["All"], "excludeUsers": [bg1, bg2],
			"includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": [],
			"includeGuestsOrExternalUsers": null, "excludeGuestsOrExternalUsers": null,
		},
		"applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": [], "applicationFilter": null},
		"clientAppTypes": ["all"],
		"platforms": null,
		"locations": null,
		"devices": null,
		"signInRiskLevels": [],
		"userRiskLevels": [],
		"servicePrincipalRiskLevels": [],
		"insiderRiskLevels": null,
		"authenticationFlows": null,
		"clientApplications": null,
	},
	"grantControls": null,
	"sessionControls": null,
}

policy(over) := object.union(base_policy, over)

grant(op, controls) := {"operator": op, "builtInControls": controls, "authenticationStrength": null, "termsOfUse": [], "customAuthenticationFactors": []}

strength(id, name) := {"operator": "OR", "builtInControls": [], "termsOfUse": [], "customAuthenticationFactors": [], "authenticationStrength": {"id": id, "displayName": name}}

# The built-in authentication strengths as /policies/authenticationStrengthPolicies
# returns them (live capture, graph-api.md §4.2; keys the controls read).
builtin_strengths := [
	{"id": "00000000-0000-0000-0000-000000000002", "displayName": "Multifactor authentication", "policyType": "builtIn", "requirementsSatisfied": "mfa", "allowedCombinations": [
		"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush", "temporaryAccessPassOneTime",
		"temporaryAccessPassMultiUse", "password,microsoftAuthenticatorPush", "password,softwareOath", "password,hardwareOath",
		"password,x509CertificateSingleFactor", "password,x509CertificateMultiFactor", "password,sms", "password,voice",
		"federatedMultiFactor", "microsoftAuthenticatorPush,federatedSingleFactor", "softwareOath,federatedSingleFactor",
		"hardwareOath,federatedSingleFactor", "sms,federatedSingleFactor", "voice,federatedSingleFactor",
	]},
	{"id": "00000000-0000-0000-0000-000000000003", "displayName": "Passwordless MFA", "policyType": "builtIn", "requirementsSatisfied": "mfa", "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"]},
	{"id": "00000000-0000-0000-0000-000000000004", "displayName": "Phishing-resistant MFA", "policyType": "builtIn", "requirementsSatisfied": "mfa", "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"]},
]

# Default tenant data: E3 licenses, break-glass accounts resolved, no
# policies, the built-in strengths.
base_data := {
	"subscribedSkus": [sku_e3],
	"breakGlassAccounts": bg_accounts,
	"conditionalAccessPolicies": [],
	"namedLocations": [],
	"authenticationStrengthPolicies": builtin_strengths,
}

# tenant builds an input whose sources are all ok; CA policies are "read
# from beta" as the collector does.
tenant(d) := {
	"schemaVersion": 1,
	"tenant": {"id": "t1"},
	"sources": {k: {"status": "ok", "request": sprintf("GET /beta/%s", [k])} | some k, _ in d},
	"data": d,
	"baseline": baseline,
}

with_policies(ps) := tenant(object.union(base_data, {"conditionalAccessPolicies": ps}))

with_data(d) := tenant(object.union(base_data, d))

# denied removes a source's data and marks it denied, as the collector does
# on a 403.
denied(inp, src) := object.union(
	object.remove(inp, ["data"]),
	{
		"data": object.remove(inp.data, [src]),
		"sources": {src: {"status": "denied", "error": "Authorization_RequestDenied: Insufficient privileges to complete the operation."}},
	},
)

with_baseline(inp, over) := object.union(inp, {"baseline": over})

# diag_setting builds an ARM Entra diagnostic setting sending the given log
# categories; dest overrides the destinations.
diag_setting(name, dest, cats) := {
	"id": sprintf("providers/Microsoft.Aadiam/diagnosticSettings/%s", [name]),
	"name": name,
	"properties": object.union(
		{
			"workspaceId": null, "storageAccountId": null, "eventHubAuthorizationRuleId": null,
			"eventHubName": null, "serviceBusRuleId": null, "logs": diag_logs(cats), "metrics": [],
		},
		dest,
	),
}

diag_logs(cats) := [{"category": x, "enabled": true, "retentionPolicy": {"enabled": false, "days": 0}} | some x in cats]
