package incident

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"
)

// RecordTypeNames are the AuditLogRecordType enum names
// (Office 365 Management Activity API schema) of the types this package writes.
var RecordTypeNames = map[int]string{
	1: "ExchangeAdmin", 2: "ExchangeItem", 3: "ExchangeItemGroup", 4: "SharePoint", 6: "SharePointFileOperation",
	7: "OneDrive", 8: "AzureActiveDirectory", 9: "AzureActiveDirectoryAccountLogon", 14: "SharePointSharingOperation",
	15: "AzureActiveDirectoryStsLogon", 25: "MicrosoftTeams", 50: "ExchangeItemAggregated",
}

// Locale formats CreationDate the way Export-Csv writes a DateTime in the
// exporting machine's culture. hunt must never read it when
// AuditData.CreationTime exists; the demo and bench files vary it so a reader
// that does is caught.
type Locale func(time.Time) string

func ampm(t time.Time, am, pm string) string {
	if t.Hour() < 12 {
		return am
	}
	return pm
}

func hour12(t time.Time) int {
	if h := t.Hour() % 12; h != 0 {
		return h
	}
	return 12
}

var (
	// EnUS: 12/12/2023 4:50:17 AM (Windows en-US, the Purview portal of 2023).
	EnUS Locale = func(t time.Time) string {
		return fmt.Sprintf("%d/%d/%d %d:%02d:%02d %s", t.Month(), t.Day(), t.Year(), hour12(t), t.Minute(), t.Second(), ampm(t, "AM", "PM"))
	}
	// JaJP: 2023/12/12 4:50:17 (the talk's exports; Excel shows 2023/12/12 4:50).
	JaJP Locale = func(t time.Time) string {
		return fmt.Sprintf("%d/%02d/%02d %d:%02d:%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second())
	}
	// EnAU: 12/12/2023 4:50:17 am (day first, lower-case am/pm).
	EnAU Locale = func(t time.Time) string {
		return fmt.Sprintf("%d/%02d/%d %d:%02d:%02d %s", t.Day(), t.Month(), t.Year(), hour12(t), t.Minute(), t.Second(), ampm(t, "am", "pm"))
	}
	// PurviewISO: the Purview export since 2025 (2026-01-24T06:54:24.0000000Z
	// with a trailing space, as a Japanese write-up of a 2026 export shows).
	PurviewISO Locale = func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") + " " }
)

// AuditDataText is the record's AuditData as the service writes it.
func (u *UAL) AuditDataText() string { return string(u.Data.compact(u.EscSlash)) }

// UALSearchCSV streams `Search-UnifiedAuditLog | Export-Csv`.
type UALSearchCSV struct {
	out    *textOut
	opt    UALSearchOptions
	index  int
	header []string
}

// UALSearchOptions choose the variant of the export.
type UALSearchOptions struct {
	Locale Locale
	// TypeLine writes Windows PowerShell 5.1's "#TYPE ..." first line
	// (Export-Csv without -NoTypeInformation).
	TypeLine bool
	Encoding Encoding
	// Selected writes only the columns the talk's script selects
	// (Select-Object CreationDate,UserIds,RecordType,Operations,AuditData);
	// otherwise all ten of the result object, RecordType first.
	Selected bool
	// ResultCount is the total the search reported (ResultIndex runs 1..).
	ResultCount int
}

// NewUALSearchCSV starts the file.
func NewUALSearchCSV(w io.Writer, opt UALSearchOptions) *UALSearchCSV {
	if opt.Locale == nil {
		opt.Locale = EnUS
	}
	c := &UALSearchCSV{out: newTextOut(w, opt.Encoding), opt: opt}
	if opt.TypeLine {
		c.out.str("#TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.UnifiedAuditLogResult\r\n")
	}
	if opt.Selected {
		c.header = []string{"CreationDate", "UserIds", "RecordType", "Operations", "AuditData"}
	} else {
		c.header = []string{"RecordType", "CreationDate", "UserIds", "Operations", "AuditData", "ResultIndex", "ResultCount", "Identity", "IsValid", "ObjectState"}
	}
	c.out.csvRow(c.header, true)
	return c
}

// Write adds one record.
func (c *UALSearchCSV) Write(u *UAL) {
	c.index++
	rt := RecordTypeNames[u.RecordType]
	if rt == "" {
		rt = strconv.Itoa(u.RecordType)
	}
	date := c.opt.Locale(u.Time.UTC())
	if c.opt.Selected {
		c.out.csvRow([]string{date, u.UserID, rt, u.Operation, u.AuditDataText()}, true)
		return
	}
	c.out.csvRow([]string{rt, date, u.UserID, u.Operation, u.AuditDataText(), strconv.Itoa(c.index),
		strconv.Itoa(c.opt.ResultCount), u.ID, "True", "Unchanged"}, true)
}

// Close flushes the file.
func (c *UALSearchCSV) Close() error { return c.out.flush() }

// PurviewCSV streams the Purview portal's audit search export.
type PurviewCSV struct {
	out    *textOut
	locale Locale
}

// NewPurviewCSV starts the export (UTF-8 without BOM, CRLF, fields quoted only
// when needed, as testdata/real/purview-export.csv). locale: EnUS for the 2023
// portal, PurviewISO for the current one.
func NewPurviewCSV(w io.Writer, locale Locale) *PurviewCSV {
	c := &PurviewCSV{out: newTextOut(w, UTF8), locale: locale}
	c.out.csvRow([]string{"RecordId", "CreationDate", "RecordType", "Operation", "UserId", "AuditData", "AssociatedAdminUnits", "AssociatedAdminUnitsNames"}, false)
	return c
}

// Write adds one record.
func (c *PurviewCSV) Write(u *UAL) {
	c.out.csvRow([]string{u.ID, c.locale(u.Time.UTC()), strconv.Itoa(u.RecordType), u.Operation, u.UserID, u.AuditDataText(), "", ""}, false)
}

// Close flushes the file.
func (c *PurviewCSV) Close() error { return c.out.flush() }

var graphUserType = map[int]string{0: "regular", 1: "reserved", 2: "admin", 3: "dcAdmin", 4: "system", 5: "application", 6: "servicePrincipal", 7: "customPolicy", 8: "systemPolicy"}

// QueryRecord is the record as Graph's audit log query returns it
// (/security/auditLog/queries/{id}/records); auditData is the AuditData
// object, or its text when asString.
func (u *UAL) QueryRecord(asString bool) obj {
	get := func(k string) any {
		for _, e := range u.Data {
			if e.k == k {
				return e.v
			}
		}
		return nil
	}
	ut, _ := get("UserType").(int)
	rt := RecordTypeNames[u.RecordType]
	if rt == "" {
		rt = "unknownFutureValue"
	}
	var data any = u.Data
	if asString {
		data = u.AuditDataText()
	}
	return obj{}.set("id", u.ID).set("createdDateTime", u.Time.UTC().Format("2006-01-02T15:04:05Z")).
		set("auditLogRecordType", lowerFirst(rt)).set("operation", u.Operation).set("organizationId", get("OrganizationId")).
		set("userType", graphUserType[ut]).set("userId", u.UserID).set("service", get("Workload")).
		set("objectId", get("ObjectId")).set("userPrincipalName", u.UserID).set("clientIp", get("ClientIP")).
		set("administrativeUnits", []string{}).set("auditData", data)
}

// UALJSONLines streams AuditData objects one per line (Management Activity API
// content flattened, the usual SIEM export).
type UALJSONLines struct{ out *textOut }

// NewUALJSONLines starts the stream.
func NewUALJSONLines(w io.Writer) *UALJSONLines { return &UALJSONLines{out: newTextOut(w, UTF8)} }

// Write adds one record.
func (j *UALJSONLines) Write(u *UAL) {
	var b bytes.Buffer
	u.Data.encode(&b, u.EscSlash)
	b.WriteByte('\n')
	j.out.str(b.String())
}

// Close flushes the stream.
func (j *UALJSONLines) Close() error { return j.out.flush() }
