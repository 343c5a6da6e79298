package render

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

// Parsed independently of the writer's types, the way a CI system reads it.
type parsedSuites struct {
	XMLName  xml.Name      `xml:"testsuites"`
	Tests    int           `xml:"tests,attr"`
	Failures int           `xml:"failures,attr"`
	Errors   int           `xml:"errors,attr"`
	Skipped  int           `xml:"skipped,attr"`
	Suites   []parsedSuite `xml:"testsuite"`
}

type parsedSuite struct {
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Cases    []parsedCase `xml:"testcase"`
}

type parsedCase struct {
	Classname string      `xml:"classname,attr"`
	Name      string      `xml:"name,attr"`
	Time      string      `xml:"time,attr"`
	Failure   *parsedElem `xml:"failure"`
	Error     *parsedElem `xml:"error"`
	Skipped   *parsedElem `xml:"skipped"`
}

type parsedElem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func TestJUnitParsesBack(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			r := loadFixture(t, name)
			out := renderString(t, "junit", r, Options{})
			if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) {
				t.Error("missing XML declaration")
			}
			var doc parsedSuites
			if err := xml.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("JUnit does not parse: %v", err)
			}
			s := r.Summary
			if doc.Tests != 18 || doc.Failures != s.Fail || doc.Errors != s.NotAssessed || doc.Skipped != s.Waived+s.NotLicensed {
				t.Errorf("testsuites counts tests=%d failures=%d errors=%d skipped=%d, summary %+v", doc.Tests, doc.Failures, doc.Errors, doc.Skipped, s)
			}
			if len(doc.Suites) != 1 {
				t.Fatalf("%d testsuites, want one per tenant", len(doc.Suites))
			}
			suite := doc.Suites[0]
			if suite.Tests != doc.Tests || suite.Failures != doc.Failures || suite.Errors != doc.Errors || suite.Skipped != doc.Skipped {
				t.Errorf("testsuite counts differ from testsuites")
			}
			if !strings.Contains(suite.Name, r.Tenant.ID) {
				t.Errorf("suite name %q does not name the tenant", suite.Name)
			}
			if len(suite.Cases) != len(r.Results) {
				t.Fatalf("%d testcases, want %d", len(suite.Cases), len(r.Results))
			}
			var fails, errs, skips int
			names := map[string]bool{}
			for i, tc := range suite.Cases {
				res := r.Results[i]
				if names[tc.Classname+"/"+tc.Name] {
					t.Errorf("duplicate case %s %s (GitLab keeps only the first)", tc.Classname, tc.Name)
				}
				names[tc.Classname+"/"+tc.Name] = true
				if want := controlFamily(res.ID); tc.Classname != want {
					t.Errorf("%s: classname %q, want %q", res.ID, tc.Classname, want)
				}
				if !strings.HasPrefix(tc.Name, res.ID+" ") || !strings.Contains(tc.Name, textsafe.Line(res.Title)) {
					t.Errorf("%s: name %q", res.ID, tc.Name)
				}
				elems := 0
				for _, e := range []*parsedElem{tc.Failure, tc.Error, tc.Skipped} {
					if e != nil {
						elems++
					}
				}
				switch res.Status {
				case report.Fail:
					fails++
					if tc.Failure == nil || tc.Failure.Type != res.Severity || tc.Failure.Message != textsafe.Line(res.Finding) {
						t.Errorf("%s: failure %+v", res.ID, tc.Failure)
					} else if res.Remediation != "" && !strings.Contains(tc.Failure.Body, "Remediation:") {
						t.Errorf("%s: failure body lacks the remediation", res.ID)
					}
				case report.NotAssessed:
					errs++
					if tc.Error == nil || tc.Error.Message == "" {
						t.Errorf("%s: error %+v", res.ID, tc.Error)
					}
				case report.Waived:
					skips++
					wv := res.Waiver
					if tc.Skipped == nil || !strings.Contains(tc.Skipped.Message, wv.Reason) ||
						!strings.Contains(tc.Skipped.Message, wv.ApprovedBy) || !strings.Contains(tc.Skipped.Message, wv.Expires) {
						t.Errorf("%s: skipped must carry reason, approver and expiry: %+v", res.ID, tc.Skipped)
					}
				case report.NotLicensed:
					skips++
					if tc.Skipped == nil || !strings.Contains(tc.Skipped.Message, "not licensed") {
						t.Errorf("%s: skipped %+v", res.ID, tc.Skipped)
					}
				case report.Pass:
					if elems != 0 {
						t.Errorf("%s: passing case has a failure/error/skipped element", res.ID)
					}
				}
				if elems > 1 {
					t.Errorf("%s: %d result elements, want at most one", res.ID, elems)
				}
			}
			if fails != doc.Failures || errs != doc.Errors || skips != doc.Skipped {
				t.Errorf("elements (%d failures, %d errors, %d skipped) disagree with the count attributes", fails, errs, skips)
			}
		})
	}
}
