// Package starter writes the starter baseline `tenantgate init` proposes,
// from the proposal the Rego (policies/starter) computes: break-glass
// candidates, the groups Conditional Access policies exclude, the licences.
//
// Every candidate is written commented out. An attacker's backdoor account
// looks exactly like a break-glass account (a cloud-only Global
// Administrator excluded from every policy), so a person must choose: the
// comments give the facts to choose with (creation date, last sign-in, the
// policies that exclude it). The file loads with the strict baseline loader
// as written and after any candidate is uncommented.
package starter

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

// Account is a Global Administrator the proposal looked at.
type Account struct {
	ID                string   `json:"id"`
	UserPrincipalName string   `json:"userPrincipalName"`
	DisplayName       string   `json:"displayName"`
	AccountEnabled    *bool    `json:"accountEnabled"`
	CreatedDateTime   *string  `json:"createdDateTime"`
	LastSignIn        *string  `json:"lastSignIn"`
	CloudOnly         bool     `json:"cloudOnly"`
	ExcludedBy        []string `json:"excludedBy"`
	NotExcludedBy     []string `json:"notExcludedBy"`
}

// Group is a group Conditional Access policies exclude.
type Group struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	ExcludedBy  []string `json:"excludedBy"`
	Members     *int     `json:"members"`
}

// Proposal is data.tenantgate.starter.proposal.
type Proposal struct {
	Candidates     []Account       `json:"candidates"`
	Partial        []Account       `json:"partial"`
	ExcludedGroups []Group         `json:"excludedGroups"`
	Policies       int             `json:"policies"`
	Licenses       map[string]bool `json:"licenses"`
	Gaps           []string        `json:"gaps"`
}

// Meta says what the proposal was made from, for the file's header.
type Meta struct {
	TenantID, TenantName string
	From                 string    // "snapshot contoso.json", "the demo tenant", "a live collection"
	At                   time.Time // when the tenant was read
	// LicenseTitles names license capabilities (the baseline's map).
	LicenseTitles map[string]string
}

// width of the written file: comments wrap here.
const width = 80

// Write writes the starter baseline.
func Write(w io.Writer, p *Proposal, m Meta) error {
	var b strings.Builder
	// comment writes text wrapped after prefix ("# ", "  # ", ...). Names
	// come from the tenant: neutralised and on one line, so none can end
	// the comment and become YAML.
	comment := func(prefix, text string) {
		for _, l := range textcol.Wrap(textsafe.Line(text), width-len(prefix)) {
			b.WriteString(strings.TrimRight(prefix+l, " ") + "\n")
		}
	}
	tenant := m.TenantName
	if tenant == "" {
		tenant = m.TenantID
	}
	comment("# ", fmt.Sprintf("tenantgate starter baseline for %s (%s), proposed by tenantgate init from %s, read on %s.", tenant, m.TenantID, m.From, m.At.UTC().Format("2006-01-02")))
	comment("# ", "Review every line before you use it: nothing below is active until you uncomment it. Reference: `tenantgate controls --long`; every key a baseline takes is in the README.")
	for _, g := range p.Gaps {
		comment("# ", "Not seen: "+g+".")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "name: %s\nversion: \"1\"\n\n", slug(tenant))

	comment("# ", "Break-glass (emergency access) accounts. Every Conditional Access policy must exclude them (TG.CA.8), and apply always excludes them.")
	comment("# ", "WARNING: an attacker's backdoor account looks exactly like a break-glass account: a cloud-only Global Administrator excluded from every policy. Uncomment only accounts you know, and investigate any you do not.")
	b.WriteString("break_glass:\n")
	if len(p.Candidates) == 0 {
		comment("  # ", fmt.Sprintf("No candidate: no cloud-only Global Administrator is excluded from every policy that applies to it (%d policies are not disabled). Name your emergency access accounts here (UPN or object id).", p.Policies))
	} else {
		comment("  # ", "Candidates: cloud-only Global Administrators excluded from every policy that applies to them.")
	}
	for _, a := range p.Candidates {
		account(&b, comment, a, false)
	}
	if len(p.Partial) > 0 {
		comment("  # ", "Also cloud-only Global Administrators excluded from some policies but not all (a break-glass account a policy forgot looks like this):")
		for _, a := range p.Partial {
			account(&b, comment, a, true)
		}
	}
	b.WriteString("\n")

	if len(p.ExcludedGroups) > 0 {
		comment("# ", "Groups Conditional Access policies exclude today. A group counts as an allowed exclusion only when listed here; list one only if it holds nothing but the break-glass accounts (anyone added to it later escapes every policy).")
		b.WriteString("allowed_exclusions:\n  groups:\n")
		for _, g := range p.ExcludedGroups {
			fmt.Fprintf(&b, "    # - %s\n", yamlScalar(g.ID))
			facts := fmt.Sprintf("'%s'", nonEmpty(g.DisplayName, "name unknown"))
			if g.Members != nil {
				facts += fmt.Sprintf(", %d member", *g.Members)
				if *g.Members != 1 {
					facts += "s"
				}
			}
			comment("    #     ", facts+"; excluded by "+quoted(g.ExcludedBy))
		}
		b.WriteString("\n")
	}

	comment("# ", "Licences found (they decide which controls apply; detection is the default baseline's licenses map):")
	if p.Licenses == nil {
		comment("#   ", "unknown: the subscribed SKUs could not be read (licensed controls will be not_assessed).")
	} else {
		var have, lack []string
		for k, v := range p.Licenses {
			t := k
			if m.LicenseTitles[k] != "" {
				t = m.LicenseTitles[k] + " (" + k + ")"
			}
			if v {
				have = append(have, t)
			} else {
				lack = append(lack, t)
			}
		}
		sort.Strings(have)
		sort.Strings(lack)
		comment("#   ", "present: "+nonEmpty(strings.Join(have, ", "), "none"))
		comment("#   ", "absent: "+nonEmpty(strings.Join(lack, ", "), "none")+" (the controls that need them are not_licensed)")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// account writes one commented-out break_glass entry and its facts.
func account(b *strings.Builder, comment func(indent, text string), a Account, partial bool) {
	fmt.Fprintf(b, "  # - %s\n", yamlScalar(nonEmpty(a.UserPrincipalName, a.ID)))
	facts := fmt.Sprintf("%s (object id %s)", nonEmpty(a.DisplayName, "no display name"), a.ID)
	if a.AccountEnabled != nil && !*a.AccountEnabled {
		facts += ", account disabled"
	}
	comment("  #     ", facts)
	comment("  #     ", "created "+date(a.CreatedDateTime, "unknown")+", last sign-in "+date(a.LastSignIn, "unknown or never"))
	comment("  #     ", "excluded by "+quoted(a.ExcludedBy))
	if partial {
		comment("  #     ", "NOT excluded by "+quoted(a.NotExcludedBy))
	}
}

func date(s *string, unknown string) string {
	if s == nil || *s == "" {
		return unknown
	}
	if t, err := time.Parse(time.RFC3339, *s); err == nil {
		return t.UTC().Format("2006-01-02")
	}
	return *s
}

func quoted(names []string) string {
	if len(names) == 0 {
		return "no policy"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}

func nonEmpty(s, fallback string) string {
	if strings.TrimSpace(s) == "" {
		return fallback
	}
	return s
}

var plainScalar = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]*$`)

// yamlScalar writes a value that stays itself when its line is uncommented:
// as is when plain, else double-quoted (JSON quoting is valid YAML).
func yamlScalar(s string) string {
	if plainScalar.MatchString(s) {
		return s
	}
	q, _ := json.Marshal(textsafe.Line(s))
	return string(q)
}

var unsafe = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes the baseline's name from the tenant's.
func slug(s string) string {
	n := strings.Trim(unsafe.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if n == "" {
		return "starter"
	}
	return n
}
