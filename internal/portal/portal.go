// Package portal builds Microsoft Entra admin center links: for an object
// (a Conditional Access policy, a user, a group, an enterprise app) and for
// the blade where a snapshot source is managed. The URL patterns are the
// admin center's own deep links as public tools use them (checked against
// several, 2026); they are for the global cloud, whose admin center is
// entra.microsoft.com.
package portal

import "net/url"

// Base is the Microsoft Entra admin center.
const Base = "https://entra.microsoft.com/"

// Object kinds.
const (
	Policy           = "conditionalAccessPolicy"
	User             = "user"
	Group            = "group"
	ServicePrincipal = "servicePrincipal"
	NamedLocation    = "namedLocation"
	Role             = "role"
	Strength         = "authenticationStrength"
)

// Object is the admin center link of one object, "" when the kind has no
// page of its own (it then links to its list, see Source).
func Object(kind, id string) string {
	if id == "" {
		return ""
	}
	e := url.PathEscape(id)
	switch kind {
	case Policy:
		return Base + "#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/" + e
	case User:
		return Base + "#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/" + e
	case Group:
		return Base + "#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/" + e
	case ServicePrincipal:
		return Base + "#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/objectId/" + e
	case NamedLocation:
		return sources["namedLocations"]
	case Strength:
		return sources["authenticationStrengthPolicies"]
	}
	return ""
}

// sources are the blades where each snapshot source is managed.
var sources = map[string]string{
	"conditionalAccessPolicies":      Base + "#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
	"namedLocations":                 Base + "#view/Microsoft_AAD_ConditionalAccess/NamedLocationsBlade",
	"authorizationPolicy":            Base + "#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings/menuId/UserSettings",
	"adminConsentRequestPolicy":      Base + "#view/Microsoft_AAD_IAM/ConsentPoliciesMenuBlade/~/UserSettings",
	"authenticationMethodsPolicy":    Base + "#view/Microsoft_AAD_IAM/AuthenticationMethodsMenuBlade/~/AdminAuthMethods",
	"authenticationStrengthPolicies": Base + "#view/Microsoft_AAD_IAM/AuthenticationMethodsMenuBlade/~/AdminAuthMethods",
	"deviceRegistrationPolicy":       Base + "#view/Microsoft_AAD_Devices/DevicesMenuBlade/~/DeviceSettings/menuId/Devices",
	"diagnosticSettings":             Base + "#view/Microsoft_AAD_IAM/DiagnosticSettingsMenuBlade/~/General",
}

// Source is the blade where a snapshot source is managed, "" when it is
// not managed in the Entra admin center (licenses, Intune, Azure).
func Source(name string) string { return sources[name] }
