package baseline

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/yamldoc"
)

// Hunt is the baseline's hunt section (cli.md "Baseline YAML", hunt.md):
// the investigation's parameters. Unset keys inherit the embedded
// baseline's.
type Hunt struct {
	// TrustedNetworks are CIDRs (or addresses) of the organisation's own
	// networks: never attacker indicators.
	TrustedNetworks *[]string `yaml:"trusted_networks"`
	// ReplayWindow: TG.HUNT.2 compares a session's uses within it.
	ReplayWindow *Duration `yaml:"replay_window"`
	// FollowupWindow: TG.HUNT.4/5 are high within it after an entry
	// indicator.
	FollowupWindow *Duration `yaml:"followup_window"`
	// IPWindow: events from an attacker address within it of t0 are the
	// attacker's.
	IPWindow *Duration `yaml:"ip_window"`
	// CoverageSlack: a log covers the window when it starts and ends
	// within it of the window's ends.
	CoverageSlack *Duration `yaml:"coverage_slack"`
	// ToolingUserAgents: TG.HUNT.3's attack and scripting tools (matched
	// case-insensitively as substrings).
	ToolingUserAgents *[]string `yaml:"tooling_user_agents"`
}

// Duration is a YAML duration: Go's form ("12h", "60m", "90s") or days
// ("7d").
type Duration struct {
	time.Duration
	Line int
}

// UnmarshalYAML reads a duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	d.Line = n.Line
	v, err := ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return &yaml.TypeError{Errors: []string{"line " + strconv.Itoa(n.Line) + ": " + strconv.Quote(n.Value) + " is not a duration (e.g. 12h, 60m, 7d)"}}
	}
	d.Duration = v
	return nil
}

// ParseDuration reads Go's durations and a whole number of days ("7d").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err == nil {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	}
	return time.ParseDuration(s)
}

// ParseNetwork reads a CIDR or a single address (as its /32 or /128).
func ParseNetwork(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// TrustedPrefixes are the trusted networks, parsed (checked when loaded).
func (h Hunt) TrustedPrefixes() []netip.Prefix {
	var out []netip.Prefix
	if h.TrustedNetworks != nil {
		for _, s := range *h.TrustedNetworks {
			if p, err := ParseNetwork(s); err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

func (h *Hunt) inherit(d Hunt) {
	if h.TrustedNetworks == nil {
		h.TrustedNetworks = d.TrustedNetworks
	}
	if h.ReplayWindow == nil {
		h.ReplayWindow = d.ReplayWindow
	}
	if h.FollowupWindow == nil {
		h.FollowupWindow = d.FollowupWindow
	}
	if h.IPWindow == nil {
		h.IPWindow = d.IPWindow
	}
	if h.CoverageSlack == nil {
		h.CoverageSlack = d.CoverageSlack
	}
	if h.ToolingUserAgents == nil {
		h.ToolingUserAgents = d.ToolingUserAgents
	}
}

// check validates the hunt section: networks parse, windows are positive,
// tooling agents are not empty strings (which would match every agent).
func (h Hunt) check(name string, root *yaml.Node) error {
	section := yamldoc.Value(root, "hunt")
	lines := yamldoc.KeyLines(section)
	at := func(key string) int {
		if l, ok := lines[key]; ok {
			return l
		}
		if k := yamldoc.Key(root, "hunt"); k != nil {
			return k.Line
		}
		return 0
	}
	items := func(key string) []*yaml.Node {
		if n := yamldoc.Value(section, key); n != nil && n.Kind == yaml.SequenceNode {
			return n.Content
		}
		return nil
	}
	if h.TrustedNetworks != nil {
		nodes := items("trusted_networks")
		for i, s := range *h.TrustedNetworks {
			if _, err := ParseNetwork(s); err != nil {
				l := at("trusted_networks")
				if i < len(nodes) {
					l = nodes[i].Line
				}
				return inputerr.At(name, l, "hunt.trusted_networks: %q is not a CIDR or an address", s)
			}
		}
	}
	for _, w := range []struct {
		key string
		d   *Duration
	}{{"replay_window", h.ReplayWindow}, {"followup_window", h.FollowupWindow}, {"ip_window", h.IPWindow}, {"coverage_slack", h.CoverageSlack}} {
		if w.d != nil && w.d.Duration <= 0 {
			return inputerr.At(name, at(w.key), "hunt.%s must be positive, not %s", w.key, w.d.Duration)
		}
	}
	if h.ToolingUserAgents != nil {
		nodes := items("tooling_user_agents")
		for i, s := range *h.ToolingUserAgents {
			if strings.TrimSpace(s) == "" {
				l := at("tooling_user_agents")
				if i < len(nodes) {
					l = nodes[i].Line
				}
				return inputerr.At(name, l, "hunt.tooling_user_agents: an empty entry would match every user agent")
			}
		}
	}
	return nil
}
