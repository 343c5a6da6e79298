package incident

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// microsoftServicesTenant owns the first-party applications; the portal CSV
// names it in "App owner tenant ID" / "Resource owner tenant ID".
const microsoftServicesTenant = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

// SignInHeader is the portal's sign-in download header from 2025-01 on, the
// third of the variants in testdata/real (57 columns; "Incoming token type"
// twice, trailing spaces in "Application ID " and "Resource ID ", two spaces
// in "Autonomous system  number").
var SignInHeader = []string{"Date (UTC)", "Request ID", "User agent", "Correlation ID", "User ID", "User", "Username", "User type", "Cross tenant access type", "Incoming token type", "Authentication Protocol", "Unique token identifier", "Original transfer method", "Client credential type", "Token Protection - Sign In Session", "Token Protection - Sign In Session StatusCode", "Application", "Application ID ", "App owner tenant ID", "Resource", "Resource ID ", "Resource tenant ID", "Resource owner tenant ID", "Home tenant ID", "Home tenant name", "IP address", "Location", "Status", "Sign-in error code", "Failure reason", "Client app", "Device ID", "Browser", "Operating System", "Compliant", "Managed", "Join Type", "Multifactor authentication result", "Multifactor authentication auth method", "Multifactor authentication auth detail", "Authentication requirement", "Sign-in identifier", "Session ID", "IP address (seen by resource)", "Through Global Secure Access", "Global Secure Access IP address", "Autonomous system  number", "Flagged for review", "Token issuer type", "Incoming token type", "Token issuer name", "Latency", "Conditional Access", "Managed Identity type", "Associated Resource Id", "Federated Token Id", "Federated Token Issuer"}

// AuthDetailsHeader is the InteractiveSignIns_AuthDetails companion file.
// Documentation-built: the column names are those public analysis scripts read
// from it; their order is assumed (no capture found).
var AuthDetailsHeader = []string{"Request ID", "Date", "Authentication method", "Authentication method detail", "Succeeded", "Result detail", "Requirement"}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

var tokenTypeDisplay = map[string]string{"none": "None", "primaryRefreshToken": "Primary Refresh Token", "refreshToken": "Refresh token"}

func caDisplay(s string) string {
	switch s {
	case "success":
		return "Success"
	case "failure":
		return "Failure"
	}
	return "Not Applied"
}

func (s *SignIn) upn() string {
	if s.User != nil {
		return s.User.UPN
	}
	return s.UsernameAsTyped
}

func (s *SignIn) location() string {
	if s.Place.City == "" {
		return s.Place.Country
	}
	return s.Place.City + ", " + s.Place.State + ", " + s.Place.Country
}

func (s *SignIn) authRequirement() string {
	if s.MFARequired {
		return "Multifactor authentication"
	}
	return "Single-factor authentication"
}

// SignInCSV streams the portal's sign-in download (interactive and
// non-interactive files share the header).
type SignInCSV struct {
	out    *textOut
	tenant Tenant
}

// NewSignInCSV starts a portal sign-in CSV: UTF-8 with BOM, every field quoted, CRLF.
func NewSignInCSV(w io.Writer, t Tenant) *SignInCSV {
	c := &SignInCSV{out: newTextOut(w, UTF8BOM), tenant: t}
	c.out.csvRow(SignInHeader, true)
	return c
}

// Write adds one sign-in.
func (c *SignInCSV) Write(s *SignIn) {
	var uid, name string
	if s.User != nil {
		uid, name = s.User.ID, s.User.DisplayName
	}
	tt := tokenTypeDisplay[s.IncomingTokenType]
	asn := ""
	if s.Place.ASN != 0 {
		asn = strconv.Itoa(s.Place.ASN)
	}
	mfaResult, mfaMethod := s.MFAResult, s.MFAMethod
	c.out.csvRow([]string{
		s.Time.UTC().Format(time.RFC3339), s.ID, s.Client.UserAgent, s.CorrelationID, uid, name, s.upn(), "Member", "None", tt, "None",
		s.TokenID, "None", "None", "", "", s.App.Name, s.App.ID, microsoftServicesTenant, s.Resource.Name, s.Resource.ID,
		c.tenant.ID, microsoftServicesTenant, c.tenant.ID, c.tenant.Name, s.Place.IP, s.location(), s.Status(), strconv.Itoa(s.ErrorCode),
		s.FailureReason, s.ClientApp, s.Client.DeviceID, s.Client.Browser, s.Client.OS, yesNo(s.Client.Compliant), yesNo(s.Client.Managed),
		s.Client.JoinType, mfaResult, mfaMethod, "", s.authRequirement(), s.upn(), s.SessionID, s.Place.IP, "No", "", asn, "No", "AzureAD",
		tt, "", strconv.Itoa(s.Latency), caDisplay(s.CAStatus), "", "", "", "",
	}, true)
}

// Close flushes the file.
func (c *SignInCSV) Close() error { return c.out.flush() }

// AuthDetailsCSV streams the InteractiveSignIns_AuthDetails companion file.
type AuthDetailsCSV struct{ out *textOut }

// NewAuthDetailsCSV starts the companion file (same encoding as the sign-ins).
func NewAuthDetailsCSV(w io.Writer) *AuthDetailsCSV {
	c := &AuthDetailsCSV{out: newTextOut(w, UTF8BOM)}
	c.out.csvRow(AuthDetailsHeader, true)
	return c
}

// Write adds the authentication steps of one sign-in.
func (c *AuthDetailsCSV) Write(s *SignIn) {
	for _, st := range s.Steps {
		c.out.csvRow([]string{s.ID, st.Time.UTC().Format(time.RFC3339), st.Method, st.MethodDetail,
			strconv.FormatBool(st.Succeeded), st.ResultDetail, st.Requirement}, true)
	}
}

// Close flushes the file.
func (c *AuthDetailsCSV) Close() error { return c.out.flush() }

// GraphVersion selects the fields of a Graph record.
type GraphVersion string

const (
	V1   GraphVersion = "v1.0"
	Beta GraphVersion = "beta"
)

// SignInJSON is one sign-in as Graph /auditLogs/signIns returns it. v1.0
// carries no userAgent, sessionId, uniqueTokenIdentifier,
// autonomousSystemNumber or incomingTokenType: only beta does.
func (s *SignIn) JSON(v GraphVersion, t Tenant) obj {
	var uid, name string
	if s.User != nil {
		uid, name = s.User.ID, s.User.DisplayName
	}
	client := s.ClientApp
	status := obj{}.set("errorCode", s.ErrorCode)
	if s.ErrorCode == 0 {
		status = status.set("failureReason", "Other.").set("additionalDetails", nil)
	} else {
		status = status.set("failureReason", s.FailureReason).set("additionalDetails", nil)
	}
	if s.ErrorCode == 0 && s.MFAResult != "" {
		status[2].v = "MFA requirement satisfied by claim in the token"
	}
	trust := any(nil)
	switch s.Client.JoinType {
	case "Microsoft Entra joined":
		trust = "Azure AD joined"
	case "Microsoft Entra registered":
		trust = "Azure AD registered"
	}
	device := obj{}.set("deviceId", s.Client.DeviceID).set("displayName", s.Client.DeviceName).
		set("operatingSystem", s.Client.OS).set("browser", s.Client.Browser).
		set("isCompliant", s.Client.Compliant).set("isManaged", s.Client.Managed).set("trustType", trust)
	loc := obj{}.set("city", s.Place.City).set("state", s.Place.State).set("countryOrRegion", s.Place.Country).
		set("geoCoordinates", obj{}.set("altitude", nil).set("latitude", nil).set("longitude", nil))
	ca := []obj{}
	o := obj{}.set("id", s.ID).set("createdDateTime", s.Time.UTC().Format(time.RFC3339)).
		set("userDisplayName", name).set("userPrincipalName", s.upn()).set("userId", uid).
		set("appId", s.App.ID).set("appDisplayName", s.App.Name).set("ipAddress", s.Place.IP)
	if v == V1 {
		return o.set("clientAppUsed", client).set("correlationId", s.CorrelationID).
			set("conditionalAccessStatus", orDefault(s.CAStatus, "notApplied")).set("isInteractive", s.Interactive).
			set("riskDetail", "none").set("riskLevelAggregated", "none").set("riskLevelDuringSignIn", "none").
			set("riskState", "none").set("riskEventTypes", []string{}).set("riskEventTypes_v2", []string{}).
			set("resourceDisplayName", s.Resource.Name).set("resourceId", s.Resource.ID).
			set("status", status).set("deviceDetail", device).set("location", loc).
			set("appliedConditionalAccessPolicies", ca)
	}
	steps := []obj{}
	for i, st := range s.Steps {
		steps = append(steps, obj{}.set("authenticationStepDateTime", st.Time.UTC().Format(time.RFC3339)).
			set("authenticationMethod", st.Method).set("authenticationMethodDetail", st.MethodDetail).
			set("succeeded", st.Succeeded).set("authenticationStepResultDetail", st.ResultDetail).
			set("authenticationStepRequirement", st.Requirement).set("authenticationStepIndex", i))
	}
	events := []string{"nonInteractiveUser"}
	if s.Interactive {
		events = []string{"interactiveUser"}
	}
	var mfa any
	if s.MFAMethod != "" {
		mfa = obj{}.set("authMethod", s.MFAMethod).set("authDetail", nil)
	}
	var asn any
	if s.Place.ASN != 0 {
		asn = s.Place.ASN
	}
	return o.set("ipAddressFromResourceProvider", nil).set("clientAppUsed", client).set("userAgent", s.Client.UserAgent).
		set("correlationId", s.CorrelationID).set("conditionalAccessStatus", orDefault(s.CAStatus, "notApplied")).
		set("originalRequestId", orDefault(s.OriginalRequestID, s.ID)).set("isInteractive", s.Interactive).set("tokenIssuerName", "").
		set("tokenIssuerType", "AzureAD").set("clientCredentialType", "none").set("processingTimeInMilliseconds", s.Latency).
		set("riskDetail", "none").set("riskLevelAggregated", "none").set("riskLevelDuringSignIn", "none").set("riskState", "none").
		set("riskEventTypes_v2", []string{}).set("resourceDisplayName", s.Resource.Name).set("resourceId", s.Resource.ID).
		set("resourceTenantId", t.ID).set("homeTenantId", t.ID).set("homeTenantName", t.Name).
		set("authenticationMethodsUsed", []string{}).set("authenticationRequirement", lowerFirst(strings.ReplaceAll(s.authRequirement(), " ", ""))).
		set("signInIdentifier", s.upn()).set("signInIdentifierType", nil).set("servicePrincipalName", nil).
		set("signInEventTypes", events).set("servicePrincipalId", "").set("federatedCredentialId", "").
		set("userType", "member").set("flaggedForReview", false).set("isTenantRestricted", false).
		set("autonomousSystemNumber", asn).set("crossTenantAccessType", "none").set("servicePrincipalCredentialKeyId", "").
		set("servicePrincipalCredentialThumbprint", "").set("uniqueTokenIdentifier", s.TokenID).
		set("incomingTokenType", orDefault(s.IncomingTokenType, "none")).set("authenticationProtocol", "none").
		set("resourceServicePrincipalId", "").set("signInTokenProtectionStatus", "none").set("originalTransferMethod", "none").
		set("isThroughGlobalSecureAccess", false).set("globalSecureAccessIpAddress", nil).set("sessionId", s.SessionID).
		set("appOwnerTenantId", microsoftServicesTenant).set("resourceOwnerTenantId", microsoftServicesTenant).
		set("mfaDetail", mfa).set("status", status).set("deviceDetail", device).set("location", loc).
		set("appliedConditionalAccessPolicies", ca).set("authenticationContextClassReferences", []obj{}).
		set("authenticationProcessingDetails", []obj{}).set("networkLocationDetails", []obj{}).
		set("authenticationDetails", steps).set("authenticationRequirementPolicies", []obj{}).
		set("sessionLifetimePolicies", []obj{})
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// GraphPages streams Graph collection pages ({"@odata.context",
// "@odata.nextLink", "value": [...]}), several pages back to back in one file,
// as a responder saves them from a paging loop; the last page has no nextLink.
// One page is held at a time (pageSize records), never the whole collection.
type GraphPages struct {
	out           *textOut
	context, next string
	pageSize, n   int
	page          int
	cur           bytes.Buffer
}

// NewGraphPages starts a page stream for a collection at path (e.g.
// "auditLogs/signIns") of version v.
func NewGraphPages(w io.Writer, v GraphVersion, path string, pageSize int) *GraphPages {
	return &GraphPages{out: newTextOut(w, UTF8), pageSize: pageSize,
		context: fmt.Sprintf("https://graph.microsoft.com/%s/$metadata#%s", v, path),
		next:    fmt.Sprintf("https://graph.microsoft.com/%s/%s?$top=%d&$skiptoken=", v, path, pageSize)}
}

// Write adds one record; a full page is written out (with a nextLink) when the
// next record arrives.
func (g *GraphPages) Write(o obj) {
	if g.n == g.pageSize {
		g.emit(true)
	}
	if g.n > 0 {
		g.cur.WriteString(",\n")
	}
	o.encode(&g.cur, false)
	g.n++
}

func (g *GraphPages) emit(more bool) {
	g.page++
	g.out.str(`{"@odata.context":` + jsonString(g.context) + `,`)
	if more {
		g.out.str(`"@odata.nextLink":` + jsonString(g.next+strconv.Itoa(g.page)) + `,`)
	}
	g.out.str(`"value":[` + "\n")
	g.out.str(g.cur.String())
	g.out.str("\n]}\n")
	g.cur.Reset()
	g.n = 0
}

// Close writes the last page (possibly empty) and flushes.
func (g *GraphPages) Close() error {
	g.emit(false)
	return g.out.flush()
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// JSONArray streams records as one JSON array, one record per line: the
// Entra portal's "Download JSON" (documentation-built: an array of the same
// objects Graph beta returns) and `ConvertTo-Json` output of collectors.
type JSONArray struct {
	out *textOut
	n   int
}

// NewJSONArray starts the array.
func NewJSONArray(w io.Writer, enc Encoding) *JSONArray {
	a := &JSONArray{out: newTextOut(w, enc)}
	a.out.str("[")
	return a
}

// Write adds one record.
func (a *JSONArray) Write(o obj) {
	var b bytes.Buffer
	if a.n > 0 {
		b.WriteString(",")
	}
	b.WriteString("\n")
	o.encode(&b, false)
	a.out.str(b.String())
	a.n++
}

// Close ends the array and flushes.
func (a *JSONArray) Close() error {
	a.out.str("\n]\n")
	return a.out.flush()
}

// JSONLines streams records one per line.
type JSONLines struct{ out *textOut }

// NewJSONLines starts the stream.
func NewJSONLines(w io.Writer) *JSONLines { return &JSONLines{out: newTextOut(w, UTF8)} }

// Write adds one record.
func (j *JSONLines) Write(o obj) {
	var b bytes.Buffer
	o.encode(&b, false)
	b.WriteByte('\n')
	j.out.str(b.String())
}

// Close flushes the stream.
func (j *JSONLines) Close() error { return j.out.flush() }
