package read

import (
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// OpInboxRule is the operation of an inbox rule read from an export: a
// state ("this rule exists"), without a time.
const OpInboxRule = "InboxRule"

// inboxRule is one rule of a Get-InboxRule export or a Graph messageRules
// list. Its properties become Detail.params under the names New-InboxRule
// uses (MoveToFolder, DeleteMessage, ForwardTo, ...), so TG.HUNT.8 reads
// exports and cmdlet records alike.
type inboxRule struct {
	owner  string
	id     string
	params [][2]string
}

func (w *worker) emitRule(r *inboxRule, line int) error {
	e := event.Event{Line: uint32(line), File: w.file, Kind: event.InboxRules, UserType: -1, ID: r.id}
	w.op(&e, OpInboxRule)
	e.User = w.lower(r.owner)
	if w.wants(&e) {
		j := &w.j
		j.Reset()
		j.Open('{')
		j.KeyStr(event.DMailbox, strings.ToLower(r.owner))
		j.Key(event.DParams)
		j.Open('{')
		for _, p := range r.params {
			j.Key(p[0])
			j.Str(p[1])
		}
		j.Close('}')
		j.Close('}')
		e.Detail = j.Done()
	}
	w.out = append(w.out, e)
	return nil
}

// ruleOwner names a Get-InboxRule row's mailbox: a UPN column when the
// export has one, else MailboxOwnerId (which may be a display name).
func ruleOwner(get func(string) string) string {
	for _, k := range []string{"userprincipalname", "mailbox", "mailboxownerid", "mailboxowner"} {
		if v := strings.TrimSpace(get(k)); v != "" {
			return v
		}
	}
	return ""
}

// inboxRuleCSV maps Get-InboxRule | Export-Csv: every non-empty column is
// a rule property.
func inboxRuleCSV(h header) csvMapper {
	idc := h.col("ruleidentity", "identity")
	return func(w *worker, row []string, line int) error {
		r := inboxRule{}
		get := func(n string) string {
			if i := h.col(n); i >= 0 && i < len(row) {
				return row[i]
			}
			return ""
		}
		r.owner = ruleOwner(get)
		for i, n := range h.names {
			if i < len(row) && strings.TrimSpace(row[i]) != "" {
				r.params = append(r.params, [2]string{psName(n), row[i]})
			}
		}
		if idc >= 0 && idc < len(row) {
			r.id = "rule:" + row[idc] // a new string
		} else {
			r.id = rowID(h, row)
		}
		return w.emitRule(&r, line)
	}
}

// psName restores the PowerShell property casing the rules compare
// (headers are normalised to lower case).
func psName(n string) string {
	if p, ok := ruleProps[n]; ok {
		return p
	}
	return n
}

var ruleProps = func() map[string]string {
	m := map[string]string{}
	for _, p := range []string{"Name", "Enabled", "Identity", "MoveToFolder", "CopyToFolder", "MarkAsRead", "DeleteMessage",
		"ForwardTo", "RedirectTo", "ForwardAsAttachmentTo", "SubjectContainsWords", "SubjectOrBodyContainsWords",
		"BodyContainsWords", "FromAddressContainsWords", "From", "StopProcessingRules", "Description", "MailboxOwnerId",
		"Priority", "SoftDeleteMessage", "RuleIdentity", "SentTo", "MyNameInToOrCcBox", "HeaderContainsWords",
		"RecipientAddressContainsWords", "MarkImportance", "ApplyCategory"} {
		m[strings.ToLower(p)] = p
	}
	return m
}()

// inboxRuleJSON maps Get-InboxRule | ConvertTo-Json objects and Graph
// messageRules (/users/{id}/mailFolders/inbox/messageRules).
func inboxRuleJSON(w *worker, v *fastjson.Value, line int, context string) error {
	o, err := v.Object()
	if err != nil {
		return bad("an inbox rule must be a JSON object")
	}
	r := inboxRule{}
	if get(v, "displayName") != nil && (get(v, "actions") != nil || get(v, "conditions") != nil) {
		graphRule(&r, v, context)
	} else {
		o.Visit(func(k []byte, x *fastjson.Value) {
			switch x.Type() {
			case fastjson.TypeObject, fastjson.TypeNull:
			case fastjson.TypeArray:
				var parts []string
				for _, y := range array(x) {
					parts = append(parts, str(y))
				}
				if len(parts) > 0 {
					r.params = append(r.params, [2]string{psName(strings.ToLower(string(k))), strings.Join(parts, ";")})
				}
			default:
				if s := str(x); s != "" {
					r.params = append(r.params, [2]string{psName(strings.ToLower(string(k))), s})
				}
			}
		})
		r.owner = ruleOwner(func(k string) string { return str(get(v, k)) })
		if id := str(get(v, "RuleIdentity")); id != "" {
			r.id = "rule:" + id
		} else if id := str(get(v, "Identity")); id != "" {
			r.id = "rule:" + id
		}
	}
	return w.emitRule(&r, line)
}

var contextUser = regexp.MustCompile(`users\('([^']+)'\)`)

// graphRule translates a Graph messageRule into New-InboxRule's names.
func graphRule(r *inboxRule, v *fastjson.Value, context string) {
	add := func(k, val string) {
		if val != "" {
			r.params = append(r.params, [2]string{k, val})
		}
	}
	add("Name", str(get(v, "displayName")))
	add("Enabled", str(get(v, "isEnabled")))
	r.id = "messageRule:" + str(get(v, "id"))
	addrs := func(x *fastjson.Value) string {
		var out []string
		for _, a := range array(x) {
			out = append(out, str(get(get(a, "emailAddress"), "address")))
		}
		return strings.Join(out, ";")
	}
	words := func(x *fastjson.Value) string {
		var out []string
		for _, a := range array(x) {
			out = append(out, str(a))
		}
		return strings.Join(out, ";")
	}
	if a := get(v, "actions"); a != nil {
		add("MoveToFolder", str(get(a, "moveToFolder")))
		add("CopyToFolder", str(get(a, "copyToFolder")))
		add("DeleteMessage", str(get(a, "delete")))
		add("PermanentDelete", str(get(a, "permanentDelete")))
		add("MarkAsRead", str(get(a, "markAsRead")))
		add("ForwardTo", addrs(get(a, "forwardTo")))
		add("RedirectTo", addrs(get(a, "redirectTo")))
		add("ForwardAsAttachmentTo", addrs(get(a, "forwardAsAttachmentTo")))
		add("StopProcessingRules", str(get(a, "stopProcessingRules")))
	}
	if c := get(v, "conditions"); c != nil {
		add("SubjectContainsWords", words(get(c, "subjectContains")))
		add("SubjectOrBodyContainsWords", words(get(c, "bodyOrSubjectContains")))
		add("BodyContainsWords", words(get(c, "bodyContains")))
		add("FromAddressContainsWords", words(get(c, "senderContains")))
		add("From", addrs(get(c, "fromAddresses")))
	}
	sort.SliceStable(r.params, func(i, j int) bool { return r.params[i][0] == "Name" && r.params[j][0] != "Name" })
	if m := contextUser.FindStringSubmatch(context); m != nil {
		if u, err := url.PathUnescape(m[1]); err == nil {
			r.owner = u
		}
	}
}
