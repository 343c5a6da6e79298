package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tenantgate/tenantgate/internal/permissions"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// The permissions catalog (internal/permissions) says what every source
// needs; here it turns a source that could not be read into what to grant,
// for each not_assessed result (Result.Missing) and once per run (a
// warning), so a user never has to map a Graph error to a permission.

// missingFor lists the sources a not_assessed result lacks: the sources of
// its METADATA and subscribedSkus when it needs a license (the gate's), and
// any other source its finding reports unread in lib.source_problem's
// words (TG.ID.1 reads security defaults or CA policies, TG.CA.5 named
// locations, ...; the gate does not list those).
func missingFor(ctl Control, s *snapshot.Snapshot, finding string) []report.Missing {
	needs := slices.Clone(ctl.Sources)
	if len(ctl.Requires) > 0 {
		needs = append(needs, "subscribedSkus")
	}
	for _, name := range snapshot.SourceNames() {
		if strings.Contains(finding, name+" was not collected") || strings.Contains(finding, name+" is missing from the snapshot") {
			needs = append(needs, name)
		}
	}
	var out []report.Missing
	seen := map[string]bool{}
	for _, name := range needs {
		src, ok := s.Sources[name]
		if seen[name] || ok && src.Status == snapshot.StatusOK {
			continue
		}
		seen[name] = true
		status := src.Status
		if !ok {
			status = "absent"
		}
		out = append(out, MissingSource(name, status, src.Code, src.HTTPStatus))
	}
	return out
}

// MissingSource says what to do about one source that was not read; code and
// httpStatus are what the collector recorded. collect's warnings say the
// same.
func MissingSource(name, status, code string, httpStatus int) report.Missing {
	m := report.Missing{Source: name, Status: status}
	e, known := permissions.Lookup(name)
	switch {
	case !known:
		m.Action = "collect again with this version of tenantgate (" + name + " is missing)"
	case status == snapshot.StatusDenied || status == "absent":
		m.Permissions, m.AzureRole = e.Application, e.AzureRole
		m.Action = "grant " + grantText(e) + " (`tenantgate permissions`: " + name + ") and collect again"
	case status == snapshot.StatusSkipped && name == "breakGlassAccounts":
		m.Action = "name your break-glass accounts under break_glass in the baseline (`tenantgate init` proposes them), then collect again"
	case status == snapshot.StatusSkipped:
		m.Action = "collect again once the sources " + name + " depends on can be read"
	case code == "throttled" || httpStatus == 429 || httpStatus == 503 || httpStatus == 504:
		// Throttled or unavailable past tenantgate's retries: no
		// permission would help.
		m.Action = "collect again later: the service was throttling or unavailable when " + name + " was read"
	case code == "redirectRefused":
		// Not a permission: something between tenantgate and the service
		// (a proxy, a wrong endpoint) sent the read elsewhere.
		m.Action = "check the endpoint and any proxy in between: the read of " + name + " was redirected, which tenantgate never follows off the endpoint; then collect again"
	default:
		m.Action = "collect again: reading " + name + " failed (a service error); if it persists, check that " + grantText(e) + " is granted"
	}
	return m
}

// grantText is "the Graph permission Policy.Read.All" or the Azure role.
func grantText(e permissions.Endpoint) string {
	if e.API == permissions.ARM {
		return "the Azure role " + e.AzureRole
	}
	p := "permission"
	if len(e.Application) > 1 {
		p = "permissions"
	}
	return "the Graph " + p + " " + strings.Join(e.Application, " + ")
}

// sourceWarnings are the run's warnings about sources that failed (denied
// or error), each naming what to grant and the controls left not assessed.
func sourceWarnings(s *snapshot.Snapshot, r *report.Report) []string {
	var out []string
	names := make([]string, 0, len(s.Sources))
	for n := range s.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		src := s.Sources[name]
		if src.Status != snapshot.StatusDenied && src.Status != snapshot.StatusError {
			continue
		}
		var affected []string
		for _, res := range r.Results {
			if res.Status != report.NotAssessed {
				continue
			}
			for _, m := range res.Missing {
				if m.Source == name {
					affected = append(affected, res.ID)
				}
			}
		}
		why := src.Status
		if src.HTTPStatus != 0 {
			why += fmt.Sprintf(", HTTP %d", src.HTTPStatus)
		}
		if src.Code != "" {
			why += " " + src.Code
		}
		msg := fmt.Sprintf("%s could not be read (%s)", name, why)
		if e := strings.TrimRight(strings.TrimSpace(src.Error), "."); e != "" {
			msg += ": " + e
		}
		msg += "; " + MissingSource(name, src.Status, src.Code, src.HTTPStatus).Action
		if e, ok := permissions.Lookup(name); ok && e.Optional {
			msg += "; no verdict depends on it (it gives " + e.Note + ")"
		}
		if len(affected) > 0 {
			msg += "; not assessed because of it: " + strings.Join(affected, ", ")
		}
		out = append(out, msg)
	}
	return out
}
