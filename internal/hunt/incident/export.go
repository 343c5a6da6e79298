package incident

import (
	"bytes"
	"fmt"
	"io"
	"slices"
)

// Sink receives a run's days and writes one export file.
type Sink interface {
	Day(*Day)
	Close() error
}

// sinkFuncs adapts the per-record writers of this package to a Sink.
type sinkFuncs struct {
	day   func(*Day)
	close func() error
}

func (s sinkFuncs) Day(d *Day)   { s.day(d) }
func (s sinkFuncs) Close() error { return s.close() }

// SignInCSVSink writes the portal sign-in CSV of interactive (or
// non-interactive) sign-ins; auth, when not nil, receives the AuthDetails
// companion of the interactive ones.
func SignInCSVSink(w io.Writer, interactive bool, auth io.Writer) Sink {
	c := NewSignInCSV(w, tenant)
	var a *AuthDetailsCSV
	if auth != nil {
		a = NewAuthDetailsCSV(auth)
	}
	return sinkFuncs{func(d *Day) {
		for _, s := range d.SignIns {
			if s.Interactive == interactive {
				c.Write(s)
				if a != nil {
					a.Write(s)
				}
			}
		}
	}, func() error {
		if a != nil {
			if err := a.Close(); err != nil {
				return err
			}
		}
		return c.Close()
	}}
}

// SignInGraphSink writes Graph /auditLogs/signIns pages.
func SignInGraphSink(w io.Writer, v GraphVersion, interactive bool, pageSize int) Sink {
	g := NewGraphPages(w, v, "auditLogs/signIns", pageSize)
	return sinkFuncs{func(d *Day) {
		for _, s := range d.SignIns {
			if s.Interactive == interactive {
				g.Write(s.JSON(v, tenant))
			}
		}
	}, g.Close}
}

// AuditCSVSink writes the portal audit log CSV.
func AuditCSVSink(w io.Writer) Sink {
	c := NewAuditCSV(w, tenant)
	return sinkFuncs{func(d *Day) {
		for _, a := range d.Audits {
			c.Write(a)
		}
	}, c.Close}
}

// AuditGraphSink writes Graph /auditLogs/directoryAudits pages.
func AuditGraphSink(w io.Writer, pageSize int) Sink {
	g := NewGraphPages(w, V1, "auditLogs/directoryAudits", pageSize)
	return sinkFuncs{func(d *Day) {
		for _, a := range d.Audits {
			g.Write(a.JSON(tenant))
		}
	}, g.Close}
}

// UALSearchSink writes Search-UnifiedAuditLog | Export-Csv.
func UALSearchSink(w io.Writer, opt UALSearchOptions) Sink {
	c := NewUALSearchCSV(w, opt)
	return sinkFuncs{func(d *Day) {
		for _, u := range d.UAL {
			c.Write(u)
		}
	}, c.Close}
}

// PurviewSink writes the Purview portal export.
func PurviewSink(w io.Writer, locale Locale) Sink {
	c := NewPurviewCSV(w, locale)
	return sinkFuncs{func(d *Day) {
		for _, u := range d.UAL {
			c.Write(u)
		}
	}, c.Close}
}

// QueryRecordsSink writes Graph audit log query records pages.
func QueryRecordsSink(w io.Writer, asString bool, pageSize int) Sink {
	g := NewGraphPages(w, V1, "security/auditLog/queries('7e1c4a52-3b8d-4f60-9a2e-5d1b0c9f8e7a')/records", pageSize)
	return sinkFuncs{func(d *Day) {
		for _, u := range d.UAL {
			g.Write(u.QueryRecord(asString))
		}
	}, g.Close}
}

// UALJSONLinesSink writes AuditData as JSON Lines.
func UALJSONLinesSink(w io.Writer) Sink {
	j := NewUALJSONLines(w)
	return sinkFuncs{func(d *Day) {
		for _, u := range d.UAL {
			j.Write(u)
		}
	}, j.Close}
}

// Stream runs the scenario once and feeds every day to every sink: oldest
// first when desc is false. It holds one day at a time.
func (sc Scenario) Stream(desc bool, sinks ...Sink) (*World, error) {
	w, err := sc.Run(desc, func(d *Day) error {
		for _, s := range sinks {
			s.Day(d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, s := range sinks {
		if err := s.Close(); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// talkRecordTypes is the order of the talk's collection script
// (Foreach $recordType ... Export-Csv -Append), with ExchangeItemAggregated
// added: without it MailItemsAccessed, the record of mail read, is not exported.
var talkRecordTypes = []int{1, 2, 3, 50, 8, 15, 4, 6, 7}

// The demo export set's file names: what the responder of the talk downloaded.
const (
	DemoInteractive    = "InteractiveSignIns_2023-12-04_2023-12-14.csv"
	DemoNonInteractive = "NonInteractiveSignIns_2023-12-04_2023-12-14.csv"
	DemoAuthDetails    = "InteractiveSignIns_AuthDetails_2023-12-04_2023-12-14.csv"
	DemoAudit          = "AuditLogs_2023-12-14.csv"
	DemoUAL            = "UAL_2023-12-04_2023-12-14.csv"
)

// DemoSet is the export set of `tenantgate hunt --demo`: the Entra portal's
// sign-in download (interactive, non-interactive, auth details), its audit log
// download, and the Unified Audit Log collected with the talk's script
// (Search-UnifiedAuditLog per record type, Select-Object
// CreationDate,UserIds,RecordType,Operations,AuditData, Export-Csv -Append
// -NoTypeInformation from PowerShell 7 in a ja-JP session: UTF-8 without BOM,
// dates as 2023/12/12 4:50:17, newest first within each record type).
func (sc Scenario) DemoSet() (map[string][]byte, *World, error) {
	var in, non, auth, aud bytes.Buffer
	var ual []*UAL
	w, err := sc.Stream(true, SignInCSVSink(&in, true, &auth), SignInCSVSink(&non, false, nil), AuditCSVSink(&aud),
		sinkFuncs{func(d *Day) { ual = append(ual, d.UAL...) }, func() error { return nil }})
	if err != nil {
		return nil, nil, err
	}
	var u bytes.Buffer
	c := NewUALSearchCSV(&u, UALSearchOptions{Locale: JaJP, Selected: true, Encoding: UTF8})
	for _, rt := range talkRecordTypes {
		for _, r := range ual {
			if r.RecordType == rt {
				c.Write(r)
			}
		}
	}
	for _, r := range ual {
		if !slices.Contains(talkRecordTypes, r.RecordType) {
			return nil, nil, fmt.Errorf("record type %d of %s is not collected by the demo's script", r.RecordType, r.Operation)
		}
	}
	if err := c.Close(); err != nil {
		return nil, nil, err
	}
	return map[string][]byte{DemoInteractive: in.Bytes(), DemoNonInteractive: non.Bytes(), DemoAuthDetails: auth.Bytes(),
		DemoAudit: aud.Bytes(), DemoUAL: u.Bytes()}, w, nil
}

// OtherShapes writes the same incident in every other shape hunt reads, for
// the tests that check one incident gives one result whatever the export:
// Graph sign-in pages (beta interactive and non-interactive, v1.0), Graph
// directoryAudits pages, the Purview export, the full Search-UnifiedAuditLog
// CSV (#TYPE, en-AU dates, UTF-16), Graph audit log query records and AuditData
// JSON Lines, the portal's JSON downloads (documentation-built), Graph
// sign-ins as JSON Lines and as Microsoft-Extractor-Suite saves them (pages
// appended as ConvertTo-Json documents), and the inbox rules in place at export time (Get-InboxRule CSV,
// Graph messageRules per mailbox).
func (sc Scenario) OtherShapes() (map[string][]byte, *World, error) {
	var b [13]bytes.Buffer
	portalIn, portalAud, jl := NewJSONArray(&b[9], UTF8BOM), NewJSONArray(&b[10], UTF8BOM), NewJSONLines(&b[11])
	// Extractor-Suite: pages of 1,000 with a last page of one record
	nIn := 0
	if _, err := sc.Stream(true, sinkFuncs{func(d *Day) {
		for _, s := range d.SignIns {
			if s.Interactive {
				nIn++
			}
		}
	}, func() error { return nil }}); err != nil {
		return nil, nil, err
	}
	// pages as large as possible (at most 1,000) with a last page of exactly
	// one record, written as a bare object
	size := 1000
	for size > 2 && (nIn-1)%size != 0 {
		size--
	}
	mes := NewExtractorSuitePages(&b[12], size)
	w, err := sc.Stream(true,
		SignInGraphSink(&b[0], Beta, true, 500), SignInGraphSink(&b[1], Beta, false, 1000), SignInGraphSink(&b[2], V1, true, 500),
		AuditGraphSink(&b[3], 500), QueryRecordsSink(&b[5], false, 1000), QueryRecordsSink(&b[6], true, 1000),
		sinkFuncs{func(d *Day) {
			for _, s := range d.SignIns {
				if s.Interactive {
					portalIn.Write(s.JSON(Beta, tenant))
					jl.Write(s.JSON(Beta, tenant))
					mes.Write(s.JSON(Beta, tenant))
				}
			}
			for _, a := range d.Audits {
				portalAud.Write(a.JSON(tenant))
			}
		}, func() error {
			for _, c := range []func() error{portalIn.Close, portalAud.Close, jl.Close, mes.Close} {
				if err := c(); err != nil {
					return err
				}
			}
			return nil
		}})
	if err != nil {
		return nil, nil, err
	}
	if _, err := sc.Stream(false, PurviewSink(&b[4], EnUS), UALJSONLinesSink(&b[7])); err != nil {
		return nil, nil, err
	}
	n := 0
	if _, err := sc.Stream(true, sinkFuncs{func(d *Day) { n += len(d.UAL) }, func() error { return nil }}); err != nil {
		return nil, nil, err
	}
	if _, err := sc.Stream(true, UALSearchSink(&b[8], UALSearchOptions{Locale: EnAU, TypeLine: true, Encoding: UTF16LEBOM, ResultCount: n})); err != nil {
		return nil, nil, err
	}
	var rules bytes.Buffer
	if err := w.InboxRulesCSV(&rules); err != nil {
		return nil, nil, err
	}
	out := map[string][]byte{"exchange/Get-InboxRule.csv": rules.Bytes()}
	for _, u := range w.Users {
		if mr := w.MessageRules(u); len(mr) > 0 {
			var b bytes.Buffer
			g := NewGraphPages(&b, V1, "users('"+u.ID+"')/mailFolders('inbox')/messageRules", 100)
			for _, r := range mr {
				g.Write(r)
			}
			if err := g.Close(); err != nil {
				return nil, nil, err
			}
			out["graph/messageRules/"+u.UPN+".json"] = b.Bytes()
		}
	}
	for k, v := range map[string][]byte{
		"graph/signIns_beta_interactive.json":                               b[0].Bytes(),
		"graph/signIns_beta_noninteractive.json":                            b[1].Bytes(),
		"graph/signIns_v1.0_interactive.json":                               b[2].Bytes(),
		"graph/directoryAudits.json":                                        b[3].Bytes(),
		"purview/AuditLog_Purview_en-US.csv":                                b[4].Bytes(),
		"graph/auditLogQuery_records.json":                                  b[5].Bytes(),
		"graph/auditLogQuery_records_string.json":                           b[6].Bytes(),
		"ual/AuditData.jsonl":                                               b[7].Bytes(),
		"ual/Search-UnifiedAuditLog_en-AU_utf16.csv":                        b[8].Bytes(),
		"portal/InteractiveSignIns_2023-12-04_2023-12-14.json":              b[9].Bytes(),
		"portal/AuditLogs_2023-12-14.json":                                  b[10].Bytes(),
		"graph/signIns_beta_interactive.jsonl":                              b[11].Bytes(),
		"extractor-suite/20231214093012-InteractiveSignIns-SignInLogs.json": b[12].Bytes(),
	} {
		out[k] = v
	}
	return out, w, nil
}
