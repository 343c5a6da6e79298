package tenantgate.lib.names_test

import data.tenantgate.test.fixtures as f
import data.tenantgate.lib.names

named := f.with_data({
	"directoryUsers": [{"id": "U1", "displayName": "Taro Sato", "userPrincipalName": "taro@contoso.com"}],
	"directoryGroups": [{"id": "g1", "displayName": "Finance"}],
	"roleDefinitions": [{"id": "r-ga", "templateId": "62e90394-69f5-4237-9190-012177145e10", "displayName": "Global Administrator"}],
	"caServicePrincipals": [{"id": "sp1", "appId": "app-1", "displayName": "Payroll"}],
	"namedLocations": [{"id": "loc-1", "displayName": "Tokyo office", "@odata.type": "#microsoft.graph.ipNamedLocation"}],
})

test_names_from_the_snapshot if {
	names.user("u1") == "user 'Taro Sato' (taro@contoso.com)" with input as named
	names.group("g1") == "group 'Finance' (g1)" with input as named
	names.role("62e90394-69f5-4237-9190-012177145e10") == "role 'Global Administrator' (62e90394-69f5-4237-9190-012177145e10)" with input as named
	names.app("app-1") == "'Payroll' (app-1)" with input as named
	names.location("loc-1") == "'Tokyo office' (loc-1)" with input as named
}

# Break-glass accounts and their memberships name themselves.
test_names_from_break_glass_accounts if {
	names.user(f.bg1) == "user bg1@contoso.com" with input as named
	names.group(f.bg_group) == sprintf("group 'CA-Exclude-BreakGlass' (%s)", [f.bg_group]) with input as named
}

# What the snapshot does not hold stays an id: never a guess.
test_unknown_ids_stay_ids if {
	names.user("nobody") == "user nobody" with input as named
	names.group("g-x") == "group g-x" with input as named
	names.role("r-x") == "role r-x" with input as named
	names.app("app-x") == "app-x" with input as named
	names.location("loc-x") == "loc-x" with input as named
	names.group("u1") == "group u1" with input as named # a user is no group
}

test_named_maps_known_evidence_ids if {
	names.named(["g1", "nope", "loc-1"]) == {
		"g1": {"type": "group", "displayName": "Finance"},
		"loc-1": {"type": "namedLocation", "displayName": "Tokyo office"},
	} with input as named
}
