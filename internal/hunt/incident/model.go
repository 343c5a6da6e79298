package incident

import "time"

// Tenant is the organisation the events belong to.
type Tenant struct {
	ID, Name, Domain string
	// Office is the trusted office egress (the demo tenant's trusted named
	// location, 203.0.113.0/24).
	Office string
}

// User is a directory user.
type User struct {
	ID, UPN, DisplayName string
	PUID                 string // Exchange/SharePoint passport id, 16 hex digits
	Admin                bool
}

// Place is where an address sits, as the sign-in logs geolocate it.
type Place struct {
	IP, City, State, Country string // Country: ISO 3166 alpha-2
	ASN                      int
}

// Client is what a sign-in or a mailbox operation came from.
type Client struct {
	UserAgent, Browser, OS string
	DeviceID, DeviceName   string // empty for a browser on an unmanaged machine
	Compliant, Managed     bool
	JoinType               string // "Microsoft Entra joined", "Microsoft Entra registered" or ""
}

// App is an Entra application as sign-ins and audits name it.
type App struct{ ID, Name string }

// AuthStep is one row of the portal's AuthDetails companion file and one entry
// of Graph's authenticationDetails.
type AuthStep struct {
	Time                 time.Time
	Method, MethodDetail string
	Succeeded            bool
	ResultDetail         string
	Requirement          string // "Primary authentication" / "MFA"
}

// SignIn is one Entra sign-in record (interactive or not).
type SignIn struct {
	ID, CorrelationID    string // ID = Request ID, unique per record (Graph id)
	OriginalRequestID    string // the first request of the sequence (the interrupted one); "" = ID
	Time                 time.Time
	User                 *User
	UsernameAsTyped      string // sign-in identifier; set for spray attempts on unknown users
	App, Resource        App
	Place                Place
	Client               Client
	ClientApp            string // "Browser", "Mobile Apps and Desktop clients"
	Interactive          bool
	ErrorCode            int
	FailureReason        string
	MFARequired          bool
	MFAMethod, MFAResult string
	IncomingTokenType    string // "none", "primaryRefreshToken", "refreshToken"
	SessionID, TokenID   string // Graph sessionId / uniqueTokenIdentifier
	CAStatus             string // "success", "failure", "notApplied"
	Latency              int
	Steps                []AuthStep
}

// Status is the portal's three-way status of a sign-in.
func (s *SignIn) Status() string {
	switch {
	case s.ErrorCode == 0:
		return "Success"
	case s.ErrorCode == 50074 || s.ErrorCode == 50140 || s.ErrorCode == 50125 || s.ErrorCode == 50072:
		return "Interrupted"
	default:
		return "Failure"
	}
}

// Prop is one modified property of an audit target.
type Prop struct{ Name, Old, New string }

// Target is one target resource of a directory audit.
type Target struct {
	Type, ID, DisplayName, UPN string
	Props                      []Prop
}

// DirAudit is one Entra audit log record.
type DirAudit struct {
	ID, CorrelationID string
	Time              time.Time
	Service, Category string
	Activity          string // activityDisplayName
	OperationType     string // Add, Update, Delete, Assign, Unassign, Other
	Result            string // "success" / "failure"
	ResultReason      string
	ByUser            *User // initiatedBy.user
	ByApp             *App  // initiatedBy.app (service principal id in App.ID)
	IP, UserAgent     string
	Targets           []Target
	Details           [][2]string // additionalDetails key/value
}

// UAL is one Unified Audit Log record: the header fields every export shows
// and the AuditData object in the service's key order.
type UAL struct {
	ID         string
	Time       time.Time
	RecordType int
	Operation  string
	UserID     string // as the workload writes it (case varies)
	Data       obj
	EscSlash   bool // how this workload escapes "/" in AuditData
}

// InboxRule is a mailbox rule as Get-InboxRule and Graph messageRules show it.
type InboxRule struct {
	Mailbox               *User
	RuleID                string // Get-InboxRule Identity suffix
	Name                  string
	Enabled               bool
	Priority              int
	SubjectOrBodyContains []string
	FromAddressContains   []string
	MoveToFolder          string
	MarkAsRead, Delete    bool
	StopProcessingRules   bool
}

// Events is everything a scenario produced, each stream in time order.
type Events struct {
	Tenant     Tenant
	Users      []*User
	SignIns    []*SignIn
	Audits     []*DirAudit
	UAL        []*UAL
	InboxRules []*InboxRule // rules in place at export time
	From, To   time.Time    // the export window
}

// Well-known applications (first-party ids are the same in every tenant).
var (
	AppOfficeHome   = App{"4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome"}
	AppOffice365    = App{"72782ba9-4490-4f03-8d82-562370ea3566", "Office 365"}
	AppExchange     = App{"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"}
	AppSharePoint   = App{"00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"}
	AppGraph        = App{"00000003-0000-0000-c000-000000000000", "Microsoft Graph"}
	AppTeams        = App{"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"}
	AppOutlook      = App{"d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office"}
	AppMySignins    = App{"19db86c3-b2b9-44cc-b339-36da233a3be2", "My Signins"}
	AppDRS          = App{"01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", "Device Registration Client"}
	AppAzurePortal  = App{"c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"}
	AppAzureCLI     = App{"04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI"}
	AppAzureMgmt    = App{"797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API"}
	AppAADPowerShel = App{"1b730954-1685-4b74-9bfd-dac224a7b894", "Azure Active Directory PowerShell"}
	AppEXOPowerShel = App{"fb78d390-0c51-40cd-8e17-fdbfab77341b", "Microsoft Exchange REST API Based Powershell"}
)
