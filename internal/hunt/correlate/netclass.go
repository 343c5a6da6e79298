package correlate

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
)

// Address classes: an address in a trusted network or a Microsoft 365
// service range can never be an attacker indicator.
const (
	ClassTrusted   = "trusted"
	ClassMicrosoft = "microsoft"
)

//go:embed m365ranges.json
var m365Ranges []byte

// ServiceRanges are the Microsoft 365 front-end ranges shipped with the
// tool (m365ranges.json: Entra ID and Exchange Online, with their source
// and capture date).
type ServiceRanges struct {
	Source string `json:"source"`
	Date   string `json:"date"`
	Ranges []struct {
		Service string   `json:"service"`
		CIDRs   []string `json:"cidrs"`
	} `json:"ranges"`
}

// LoadServiceRanges parses the embedded ranges.
func LoadServiceRanges() (*ServiceRanges, []netip.Prefix, error) {
	var sr ServiceRanges
	if err := json.Unmarshal(m365Ranges, &sr); err != nil {
		return nil, nil, fmt.Errorf("m365ranges.json: %w", err)
	}
	var out []netip.Prefix
	for _, r := range sr.Ranges {
		for _, c := range r.CIDRs {
			p, err := netip.ParsePrefix(c)
			if err != nil {
				return nil, nil, fmt.Errorf("m365ranges.json: %s: %w", r.Service, err)
			}
			out = append(out, p.Masked())
		}
	}
	return &sr, out, nil
}

// classifier tells an address's class; prefixes are few, addresses are
// classified once each.
type classifier struct {
	trusted, microsoft []netip.Prefix
}

func newClassifier(trusted, microsoft []netip.Prefix) *classifier {
	sortPrefixes(trusted)
	sortPrefixes(microsoft)
	return &classifier{trusted: trusted, microsoft: microsoft}
}

func sortPrefixes(ps []netip.Prefix) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Bits() < ps[j].Bits() })
}

func (c *classifier) class(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	for _, p := range c.trusted {
		if p.Contains(a) {
			return ClassTrusted
		}
	}
	for _, p := range c.microsoft {
		if p.Contains(a) {
			return ClassMicrosoft
		}
	}
	return ""
}

// InPrefixes reports whether ip lies in one of ps.
func InPrefixes(ip string, ps []netip.Prefix) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
