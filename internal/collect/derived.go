package collect

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/tenantgate/tenantgate/internal/permissions"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// The derived sources name what the first round found: the users, groups
// and applications Conditional Access policies include or exclude, the
// members of excluded groups, and the Global Administrators' last sign-in.
// They are read in one more $batch round, 15 ids per filter (Graph's limit
// for an `in` list), and no control depends on them: a failure leaves ids
// in findings and less for `tenantgate init`, never a verdict.

// maxIn is the number of values Graph accepts in one `in (...)` filter.
const maxIn = 15

var guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// caRefs are the object ids Conditional Access policies name.
type caRefs struct {
	users, groups, excludedGroups, apps []string
}

// referencesOf collects the GUIDs of users, groups and applications the
// policies include or exclude (keywords such as All, None, Office365 and
// GuestsOrExternalUsers are not objects), sorted and distinct.
func referencesOf(policies []json.RawMessage) caRefs {
	sets := map[string]map[string]bool{"u": {}, "g": {}, "xg": {}, "a": {}}
	for _, raw := range policies {
		var p struct {
			Conditions struct {
				Users struct {
					IncludeUsers, ExcludeUsers, IncludeGroups, ExcludeGroups []string
				} `json:"users"`
				Applications struct {
					IncludeApplications, ExcludeApplications []string
				} `json:"applications"`
			} `json:"conditions"`
		}
		if json.Unmarshal(raw, &p) != nil {
			continue
		}
		u, a := p.Conditions.Users, p.Conditions.Applications
		add := func(set string, ids ...[]string) {
			for _, list := range ids {
				for _, id := range list {
					if guidRe.MatchString(id) {
						sets[set][strings.ToLower(id)] = true
					}
				}
			}
		}
		add("u", u.IncludeUsers, u.ExcludeUsers)
		add("g", u.IncludeGroups, u.ExcludeGroups)
		add("xg", u.ExcludeGroups)
		add("a", a.IncludeApplications, a.ExcludeApplications)
	}
	sorted := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	return caRefs{users: sorted(sets["u"]), groups: sorted(sets["g"]), excludedGroups: sorted(sets["xg"]), apps: sorted(sets["a"])}
}

// inFilter builds "$filter=<field> in ('a','b')&<rest>" for a chunk of ids.
func inFilter(field string, ids []string, rest string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = "'" + id + "'"
	}
	f := strings.ReplaceAll(url.QueryEscape(field+" in ("+strings.Join(quoted, ",")+")"), "+", "%20")
	return "$filter=" + f + "&" + rest
}

// derivedSource is one derived source's reads and how to assemble them.
type derivedSource struct {
	e     permissions.Endpoint
	reads []*read
	skip  string   // why it was not read ("" = read)
	group []string // groupMembers: the group of each read
}

// collectDerived reads the derived sources in one round and records them.
func (c *collector) collectDerived(ctx context.Context, first map[string]*read, set func(string, outcome)) {
	ca, ga := first["conditionalAccessPolicies"], first["globalAdministrators"]
	var refs caRefs
	caOK := ca != nil && !ca.failed
	if caOK {
		refs = referencesOf(ca.values)
	}
	var gaIDs []string
	gaOK := ga != nil && !ga.failed
	if gaOK {
		for _, v := range ga.values {
			var u struct{ ID string }
			if json.Unmarshal(v, &u) == nil && guidRe.MatchString(u.ID) {
				gaIDs = append(gaIDs, strings.ToLower(u.ID))
			}
		}
		sort.Strings(gaIDs)
	}
	var sources []*derivedSource
	var all []*read
	chunked := func(name, field string, ids []string, ok bool, why string) {
		e, _ := permissions.Lookup(name)
		d := &derivedSource{e: e}
		if !ok {
			d.skip = why
		}
		_, rest, _ := strings.Cut(e.Query, "&")
		for i := 0; ok && i < len(ids); i += maxIn {
			chunk := ids[i:min(i+maxIn, len(ids))]
			d.reads = append(d.reads, &read{name: name, version: e.Version, url: e.Path + "?" + inFilter(field, chunk, rest), collection: true})
		}
		sources = append(sources, d)
		all = append(all, d.reads...)
	}
	const noCA = "the Conditional Access policies could not be read, so the objects they name are unknown"
	chunked("directoryUsers", "id", refs.users, caOK, noCA)
	chunked("directoryGroups", "id", refs.groups, caOK, noCA)
	chunked("caServicePrincipals", "appId", refs.apps, caOK, noCA)
	chunked("signInActivity", "id", gaIDs, gaOK, "the Global Administrators could not be read")
	me, _ := permissions.Lookup("groupMembers")
	members := &derivedSource{e: me}
	if !caOK {
		members.skip = noCA
	}
	for _, g := range refs.excludedGroups {
		r := &read{name: "groupMembers (" + g + ")", version: me.Version, url: strings.Replace(me.Path, "{id}", g, 1) + "?" + me.Query, collection: true}
		members.reads = append(members.reads, r)
		members.group = append(members.group, g)
		all = append(all, r)
	}
	sources = append(sources, members)

	if len(all) > 0 {
		c.runGraph(ctx, all)
	}
	for _, d := range sources {
		o := outcome{source: snapshot.Source{Request: d.e.Request()}}
		switch {
		case d.skip != "":
			o.source.Status, o.source.Error = snapshot.StatusSkipped, d.skip
		default:
			o = assemble(d, o)
		}
		set(d.e.Source, o)
	}
}

// assemble joins a derived source's reads: any failure fails the source
// (a partial list would name some objects and silently not others).
func assemble(d *derivedSource, o outcome) outcome {
	for _, r := range d.reads {
		if r.failed {
			o.fail = r.fail
			return o
		}
	}
	if d.e.Source == "groupMembers" {
		list := make([]snapshot.GroupMembers, len(d.reads))
		for i, r := range d.reads {
			list[i] = snapshot.GroupMembers{Group: d.group[i], Members: append([]json.RawMessage{}, r.values...)}
		}
		return marshalOutcome(o, list)
	}
	var values []json.RawMessage
	for _, r := range d.reads {
		values = append(values, r.values...)
	}
	// Ordered by id, whatever order Graph answered the chunks in.
	sort.SliceStable(values, func(i, j int) bool { return idOf(values[i]) < idOf(values[j]) })
	o.data = marshalList(values)
	return o
}

func idOf(raw json.RawMessage) string {
	var v struct{ ID string }
	_ = json.Unmarshal(raw, &v)
	return strings.ToLower(v.ID)
}

// marshalOutcome sets o's data to v as JSON (a failure to encode fails it).
func marshalOutcome(o outcome, v any) outcome {
	raw, err := json.Marshal(v)
	if err != nil {
		o.fail = response{err: err}
		return o
	}
	o.data = raw
	return o
}
