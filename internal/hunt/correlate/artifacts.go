package correlate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// artifact: the attacker's (attributed) or high-severity on its own.
func artifact(f *userFinding) bool { return f.Attributed || f.Severity == "high" }

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// artifacts gathers what the attacker created, consented, sent, deleted,
// read and downloaded, from the findings' facts.
func (r *run) artifacts(fs []*userFinding) result.Artifacts {
	a := result.Artifacts{RulesCreated: []result.Rule{}, AppsConsented: []result.App{}, MethodsRegistered: []result.Method{},
		DevicesRegistered: []result.Device{}, MailSent: []result.Sent{}, MailDeleted: []result.Deleted{}, MailRead: []result.ReadMail{},
		FilesAccessed: []result.File{}}
	apps := map[string]*result.App{}
	var appOrder []string
	devices := map[string]int{}
	sent := map[string]int{}
	var sentOrder []string
	seenMsg := map[string]bool{}
	seenFile := map[string]bool{}
	var methods []result.Method
	var methodCorr []event.Sym
	var methodGeneric []bool
	completed := false
	for _, f := range fs {
		if !artifact(f) {
			continue
		}
		for k, facts := range f.facts {
			e := &r.ev[f.firsts[k]]
			switch f.ID {
			case "TG.HUNT.8":
				if st, _ := facts["state"].(bool); st {
					continue // an export of the rule as it is, not a creation
				}
				params := map[string]string{}
				if p, ok := facts["parameters"].(map[string]any); ok {
					for k, v := range p {
						params[k] = fmt.Sprint(v)
					}
				}
				a.RulesCreated = append(a.RulesCreated, result.Rule{Name: str(facts, "rule"), Parameters: params})
			case "TG.HUNT.7":
				name, id := str(facts, "app"), str(facts, "appId")
				key := strings.ToLower(name)
				app, ok := apps[key]
				if !ok {
					app = &result.App{Name: name, Scopes: []string{}}
					apps[key] = app
					appOrder = append(appOrder, key)
				}
				if app.AppID == "" {
					app.AppID = id
				}
				for _, s := range anyStrings(facts["scopes"]) {
					app.Scopes = appendUnique(app.Scopes, s)
				}
				if ct := str(facts, "consentType"); ct == "AllPrincipals" || app.ConsentType == "" {
					app.ConsentType = ct
				}
			case "TG.HUNT.4":
				m := result.Method{Method: str(facts, "method"), Time: tp(e.Time)}
				generic, _ := facts["generic"].(bool)
				if r.str(e.OpKey) == "user registered security info" {
					if !completed {
						methods, methodCorr, methodGeneric = nil, nil, nil
					}
					completed = true
					methods = append(methods, m)
				} else if !completed {
					// One registration writes several "Update user."
					// records under one correlation id (the phone app's
					// details, then the method list): one method, under
					// the name that says which.
					if j := slices.Index(methodCorr, e.Corr); e.Corr != 0 && j >= 0 {
						if methodGeneric[j] && !generic {
							methods[j].Method, methodGeneric[j] = m.Method, false
						}
						if m.Time != nil && (methods[j].Time == nil || m.Time.Before(*methods[j].Time)) {
							methods[j].Time = m.Time
						}
						continue
					}
					methods = append(methods, m)
					methodCorr = append(methodCorr, e.Corr)
					methodGeneric = append(methodGeneric, generic)
				}
			case "TG.HUNT.5":
				name := str(facts, "device")
				j, ok := devices[name]
				if !ok {
					devices[name] = len(a.DevicesRegistered)
					a.DevicesRegistered = append(a.DevicesRegistered, result.Device{Name: name, Time: tp(e.Time)})
				} else if r.str(e.OpKey) == "register device" {
					a.DevicesRegistered[j].Time = tp(e.Time) // the registration itself, not its owner record
				}
			case "TG.HUNT.10":
				s := str(facts, "subject")
				if _, ok := sent[s]; !ok {
					sentOrder = append(sentOrder, s)
				}
				sent[s]++
			case "TG.HUNT.11":
				for _, it := range anyMaps(facts["items"]) {
					id := str(it, "internetMessageId")
					if id != "" && seenMsg["d"+id] {
						continue
					}
					seenMsg["d"+id] = true
					a.MailDeleted = append(a.MailDeleted, result.Deleted{Subject: str(it, "subject"), InternetMessageID: id})
				}
			case "TG.HUNT.12":
				for _, it := range anyMaps(facts["items"]) {
					id := str(it, "internetMessageId")
					if id != "" && seenMsg["r"+id] {
						continue
					}
					seenMsg["r"+id] = true
					a.MailRead = append(a.MailRead, result.ReadMail{InternetMessageID: id, Folder: str(it, "folder")})
				}
			case "TG.HUNT.13":
				k := str(facts, "name") + "\x00" + str(facts, "site")
				if !seenFile[k] {
					seenFile[k] = true
					a.FilesAccessed = append(a.FilesAccessed, result.File{Name: str(facts, "name"), Site: str(facts, "site")})
				}
			}
		}
	}
	for _, k := range appOrder {
		app := apps[k]
		if app.AppID == "" {
			app.AppID = r.appIDs()[k]
		}
		sort.Strings(app.Scopes)
		a.AppsConsented = append(a.AppsConsented, *app)
	}
	if methods != nil {
		a.MethodsRegistered = methods
	}
	for _, s := range sentOrder {
		a.MailSent = append(a.MailSent, result.Sent{Subject: s, Count: sent[s]})
	}
	return a
}

func anyMaps(v any) []map[string]any {
	xs, _ := v.([]any)
	var out []map[string]any
	for _, x := range xs {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// appIDs maps application names to their ids, from every app-management
// and consent record: a consent names the service principal, the records
// that created it name the application id.
func (r *run) appIDs() map[string]string {
	if r.appIDMap != nil {
		return r.appIDMap
	}
	r.appIDMap = map[string]string{}
	for _, id := range []string{"TG.HUNT.6", "TG.HUNT.7"} {
		for _, f := range r.final[id] {
			name, appID := strings.ToLower(str(f.Facts, "app")), str(f.Facts, "appId")
			if name != "" && appID != "" {
				if _, ok := r.appIDMap[name]; !ok {
					r.appIDMap[name] = appID
				}
			}
		}
	}
	return r.appIDMap
}

// opName is an operation as reports show it: the UAL's trailing period
// dropped.
func (r *run) opName(i int) string {
	return strings.TrimSuffix(strings.TrimSpace(r.str(r.ev[i].Op)), ".")
}

// responses are the containment actions that concern a user (hunt.md
// "Correlation" 5): done to the user, to a device registered for the user,
// or to an application the user registered or consented to; never the
// attacker's own actions.
func (r *run) responses(u event.Sym, arts result.Artifacts, fs []*userFinding) []result.Response {
	name := r.str(u)
	devices := map[string]bool{}
	for _, d := range arts.DevicesRegistered {
		devices[strings.ToLower(d.Name)] = true
	}
	apps := map[string]bool{}
	for _, f := range fs {
		if f.ID != "TG.HUNT.6" && f.ID != "TG.HUNT.7" {
			continue
		}
		for _, facts := range f.facts {
			for _, k := range []string{"app", "appId"} {
				if v := strings.ToLower(str(facts, k)); v != "" && v != "unknown application" {
					apps[v] = true
				}
			}
		}
	}
	out := []result.Response{}
	for _, a := range r.actions {
		if r.attacker[a.Event] {
			continue
		}
		concerns := a.Target == name
		switch {
		case strings.Contains(a.Action, "device") && devices[strings.ToLower(a.Object)]:
			concerns = true
		case a.App != nil:
			for _, k := range []string{"name", "id"} {
				if v, _ := a.App[k].(string); v != "" && apps[strings.ToLower(v)] {
					concerns = true
				}
			}
		}
		if !concerns {
			continue
		}
		resp := result.Response{Action: r.opName(a.Event), By: a.By, Time: tp(r.ev[a.Event].Time), Kind: a.Action}
		// The same action in the directory audit log and in the UAL's
		// copy (which keeps whole seconds): listed once, at the more
		// precise time.
		if n := len(out); n > 0 && out[n-1].Action == resp.Action && out[n-1].By == resp.By &&
			out[n-1].Time != nil && resp.Time != nil && resp.Time.Sub(*out[n-1].Time).Abs() < 2*time.Second {
			if resp.Time.Nanosecond() != 0 {
				out[n-1].Time = resp.Time
			}
			continue
		}
		out = append(out, resp)
	}
	return out
}

// remaining are the actions still to take, each naming its object.
func (r *run) remaining(u event.Sym, ru result.User, fs []*userFinding) []result.Action {
	if ru.Verdict != result.Compromised && ru.Verdict != result.Suspicious {
		return []result.Action{}
	}
	name := r.str(u)
	done := map[string][]string{} // action -> objects (lower case)
	for _, a := range r.actions {
		if r.attacker[a.Event] {
			continue
		}
		if a.Target == name || a.App != nil || strings.Contains(a.Action, "device") {
			done[a.Action] = append(done[a.Action], strings.ToLower(a.Object))
		}
	}
	has := func(action, object string) bool {
		objs, ok := done[action]
		if !ok {
			return false
		}
		if object == "" {
			return true
		}
		for _, o := range objs {
			if o != "" && (strings.Contains(o, strings.ToLower(object)) || strings.Contains(strings.ToLower(object), o)) {
				return true
			}
		}
		return false
	}
	out := []result.Action{}
	add := func(kind string, obj map[string]string, format string, args ...any) {
		out = append(out, result.Action{Kind: kind, Object: obj, Text: fmt.Sprintf(format, args...)})
	}
	reset, revoked := has("password reset", ""), has("sessions revoked (refresh tokens invalidated)", "")
	if !reset || !revoked {
		var ips []string
		for _, ind := range ru.Indicators {
			if ind.Kind == "ip" {
				ips = append(ips, ind.Value)
			}
		}
		what, state := "revoke the sessions of %s and reset the password", ""
		switch {
		case reset:
			what, state = "revoke the sessions of %s (the password was reset, but sessions were not revoked)", "reset"
		case revoked:
			what, state = "reset the password of %s (sessions were revoked, the password was not reset)", "revoked"
		}
		text := fmt.Sprintf(what, name)
		if len(ips) > 0 {
			text += fmt.Sprintf(" (signed in from %s)", strings.Join(ips, ", "))
		}
		out = append(out, result.Action{Kind: "revoke-sessions", Object: map[string]string{"user": name, "addresses": strings.Join(ips, ","), "state": state}, Text: text})
	}
	if ru.Verdict == result.Suspicious {
		add("check-account", map[string]string{"user": name}, "check the authentication methods, devices and app consents of %s", name)
	}
	a := ru.Artifacts
	apps := map[string]result.App{}
	var appOrder []string
	for _, app := range a.AppsConsented {
		apps[strings.ToLower(app.Name)] = app
		appOrder = append(appOrder, strings.ToLower(app.Name))
	}
	for _, f := range fs {
		if f.ID == "TG.HUNT.6" && artifact(f) {
			for _, facts := range f.facts {
				k := strings.ToLower(str(facts, "app"))
				if _, ok := apps[k]; !ok {
					id := str(facts, "appId")
					if id == "" {
						id = r.appIDs()[k]
					}
					apps[k] = result.App{Name: str(facts, "app"), AppID: id}
					appOrder = append(appOrder, k)
				}
			}
		}
	}
	for _, k := range appOrder {
		app := apps[k]
		id := ""
		if app.AppID != "" {
			id = " (" + app.AppID + ")"
		}
		obj := map[string]string{"app": app.Name, "appId": app.AppID, "scopes": strings.Join(app.Scopes, " ")}
		if has("service principal disabled", app.Name) || has("service principal disabled", app.AppID) {
			obj["state"] = "disabled"
			add("delete-app", obj, "delete the application %s%s, disabled but not deleted", app.Name, id)
		} else {
			scopes := ""
			if len(app.Scopes) > 0 {
				scopes = " (" + strings.Join(app.Scopes, " ") + ")"
			}
			add("delete-app", obj, "disable the application %s%s, remove its permission grants%s, then delete it", app.Name, id, scopes)
		}
	}
	for _, m := range a.MethodsRegistered {
		if !has("security info deleted by an admin", "") {
			add("remove-method", map[string]string{"method": m.Method, "time": fmtPtr(m.Time)}, "remove the authentication method %q registered at %s: no deletion seen", m.Method, fmtPtr(m.Time))
		}
	}
	for _, d := range a.DevicesRegistered {
		if !has("device deleted", d.Name) && !has("registered device deleted", d.Name) {
			add("remove-device", map[string]string{"device": d.Name, "time": fmtPtr(d.Time)}, "remove the device %s registered at %s: no deletion seen", d.Name, fmtPtr(d.Time))
		}
	}
	// A rule counts as removed when Remove-/Disable-InboxRule named its
	// identity (the record's ObjectId: "Johanna\<rule id>") or its name.
	removed := func(facts map[string]any) bool {
		for _, action := range []string{"inbox rule removed", "inbox rule disabled"} {
			for _, obj := range []string{str(facts, "identity"), str(facts, "rule")} {
				if obj != "" && has(action, obj) {
					return true
				}
			}
		}
		return false
	}
	for _, f := range fs {
		switch {
		case f.ID == "TG.HUNT.8" && artifact(f):
			for _, facts := range f.facts {
				st, _ := facts["state"].(bool)
				switch {
				case removed(facts):
				case st:
					add("remove-rule", map[string]string{"rule": str(facts, "rule"), "state": "present"}, "remove the inbox rule %q still present in the mailbox export", str(facts, "rule"))
				default:
					add("remove-rule", map[string]string{"rule": str(facts, "rule"), "identity": str(facts, "identity"), "user": name}, "remove the inbox rule %q (Remove-InboxRule -Mailbox %s -Identity %q): no removal seen", str(facts, "rule"), name, str(facts, "identity"))
				}
			}
		case f.ID == "TG.HUNT.9" && artifact(f):
			for _, facts := range f.facts {
				add("remove-forwarding", map[string]string{"forwarding": strings.Join(anyStrings(facts["forwarding"]), "; ")}, "remove the mail forwarding (%s)", strings.Join(anyStrings(facts["forwarding"]), "; "))
			}
		case f.ID == "TG.HUNT.15" && artifact(f):
			for _, facts := range f.facts {
				add("enable-audit", map[string]string{"changes": strings.Join(anyStrings(facts["changes"]), "; ")}, "turn audit logging back on (%s) and treat the gap as a blind spot", strings.Join(anyStrings(facts["changes"]), "; "))
			}
		}
	}
	for _, s := range a.MailSent {
		add("warn-recipients", map[string]string{"subject": s.Subject, "count": fmt.Sprint(s.Count)}, "warn the recipients of the %d %q messages sent by the attacker", s.Count, s.Subject)
	}
	if n := len(a.MailDeleted); n > 0 {
		subjects := map[string]int{}
		var order []string
		for _, d := range a.MailDeleted {
			if _, ok := subjects[d.Subject]; !ok {
				order = append(order, d.Subject)
			}
			subjects[d.Subject]++
		}
		for _, s := range order {
			add("restore-mail", map[string]string{"subject": s, "count": fmt.Sprint(subjects[s])}, "restore and read the %d deleted messages %q (Recoverable Items)", subjects[s], s)
		}
	}
	if n := len(a.MailRead); n > 0 {
		add("review-mail-read", map[string]string{"count": fmt.Sprint(n)}, "review what the %d messages the attacker read expose (their InternetMessageIds are listed)", n)
	}
	if len(a.FilesAccessed) > 0 {
		var names []string
		for _, f := range a.FilesAccessed {
			names = append(names, f.Name)
		}
		add("review-files", map[string]string{"files": strings.Join(names, ", ")}, "review the downloaded documents %s and warn those they concern", strings.Join(names, ", "))
	}
	return out
}

func fmtPtr(t *time.Time) string {
	if t == nil {
		return "an unknown time"
	}
	return t.UTC().Format(time.RFC3339Nano)
}
