package render

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { Register("junit", writeJUnit) }

// JUnit XML for GitLab (artifacts:reports:junit) and Azure DevOps
// (PublishTestResults@2): one testsuite per tenant, one testcase per control.
// fail -> <failure type=severity>, not_assessed -> <error>, not_licensed and
// waived -> <skipped message=why>, pass -> empty testcase. GitLab uses only
// the first of two cases with the same classname+name, so the control id is
// part of the name. Neither system lets the report decide the job's status;
// the exit code does.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, r *report.Report, _ Options) error {
	doc := buildJUnit(r)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func buildJUnit(r *report.Report) junitSuites {
	suite := junitSuite{
		Name: "tenantgate " + r.TenantLabel(),
		Time: "0",
		Properties: []junitProperty{
			{Name: "tenant.id", Value: r.Tenant.ID},
			{Name: "tenant.displayName", Value: r.Tenant.DisplayName},
			{Name: "baseline", Value: baselineText(r)},
			{Name: "score", Value: formatScore(r.Summary.Score)},
			{Name: "assessed", Value: fmt.Sprint(r.Summary.Assessed)},
			{Name: "applicable", Value: fmt.Sprint(r.Summary.Applicable)},
			{Name: "coverage", Value: formatScore(r.Summary.Coverage)},
			{Name: "tool.version", Value: r.Tool.Version},
		},
	}
	if !r.GeneratedAt.IsZero() {
		suite.Timestamp = r.GeneratedAt.UTC().Format("2006-01-02T15:04:05")
	}
	for _, warn := range r.Warnings {
		suite.Properties = append(suite.Properties, junitProperty{Name: "warning", Value: textsafe.Line(warn)})
	}
	for _, res := range r.Results {
		tc := junitCase{
			Classname: controlFamily(res.ID),
			Name:      strings.TrimSpace(res.ID + " " + textsafe.Line(res.Title)),
			File:      policyLocation(res).File,
			Time:      "0",
		}
		switch res.Status {
		case report.Fail:
			tc.Failure = &junitProblem{Message: textsafe.Line(res.Finding), Type: res.Severity, Body: caseBody(res)}
			suite.Failures++
		case report.NotAssessed:
			tc.Error = &junitProblem{Message: textsafe.Line(res.Finding), Type: "not_assessed", Body: caseBody(res)}
			suite.Errors++
		case report.Waived:
			tc.Skipped = &junitProblem{Message: waiverText(res.Waiver), Body: caseBody(res)}
			suite.Skipped++
		case report.NotLicensed:
			tc.Skipped = &junitProblem{Message: "not licensed: " + textsafe.Line(res.Finding)}
			suite.Skipped++
		default:
			tc.SystemOut = passBody(res)
		}
		suite.Tests++
		suite.Cases = append(suite.Cases, tc)
	}
	return junitSuites{
		Name: "tenantgate", Tests: suite.Tests, Failures: suite.Failures,
		Errors: suite.Errors, Skipped: suite.Skipped, Time: "0",
		Suites: []junitSuite{suite},
	}
}

// caseBody is the text CI shows when a case is expanded.
func caseBody(res report.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s severity)\n", res.ID, res.Severity)
	if res.Waiver != nil {
		fmt.Fprintf(&b, "Waiver: %s\n", waiverText(res.Waiver))
	}
	fmt.Fprintf(&b, "Finding: %s\n", textsafe.Line(res.Finding))
	if t := res.MissingText(); t != "" {
		fmt.Fprintf(&b, "To assess it: %s\n", textsafe.Line(t))
	}
	if len(res.Evidence) > 0 {
		fmt.Fprintf(&b, "Evidence: %s\n", strings.Join(res.Evidence, ", "))
	}
	if res.Remediation != "" {
		fmt.Fprintf(&b, "Remediation: %s\n", textsafe.Line(res.Remediation))
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "Note: %s\n", textsafe.Line(n))
	}
	return b.String()
}

// passBody keeps the evidence and notes of passing controls visible (GitLab
// shows system-out per case); empty when there is nothing to add.
func passBody(res report.Result) string {
	if res.Finding == "" && len(res.Notes) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", textsafe.Line(res.Finding))
	if len(res.Evidence) > 0 {
		fmt.Fprintf(&b, "Evidence: %s\n", strings.Join(res.Evidence, ", "))
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "Note: %s\n", textsafe.Line(n))
	}
	return b.String()
}
