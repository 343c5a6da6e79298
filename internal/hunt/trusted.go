package hunt

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/evidence/bundle"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// InsaneLocations judges named locations (Graph's namedLocation objects)
// with the policies' trusted-location sanity rule: the ids of the trusted
// ones that fail it, with the reason.
type InsaneLocations func(ctx context.Context, namedLocations []json.RawMessage) (map[string]string, error)

// trustedFromBundles takes the bundles' trusted IP named locations as the
// investigation's trusted networks (the responder gave none). Left out: a
// location failing the sanity rule (a "trusted" 0.0.0.0/1 would hide every
// attacker), one created or changed inside the window [since, until] (it
// may be the attacker's doing: a trusted location makes their address look
// like the office), and one with a range that cannot be read. One changed
// after the window is used, with that caveat.
func trustedFromBundles(ctx context.Context, found *bundle.Found, insane InsaneLocations, since, until *time.Time) (*result.TrustedNetworks, []netip.Prefix, error) {
	names := make([]string, len(found.Bundles))
	for i, b := range found.Bundles {
		names[i] = filepath.Base(b.Dir)
	}
	locs, missing, err := found.NamedLocations()
	if err != nil {
		return nil, nil, err
	}
	tn, prefixes := trustedFromLocations(ctx, "the trusted named locations of evidence bundle "+strings.Join(names, ", "), locs, missing, insane, since, until)
	return tn, prefixes, nil
}

// trustedFromLocations is trustedFromBundles on the locations read (missing:
// why some bundle has none).
func trustedFromLocations(ctx context.Context, source string, locs []json.RawMessage, missing []string, insane InsaneLocations, since, until *time.Time) (*result.TrustedNetworks, []netip.Prefix) {
	tn := &result.TrustedNetworks{Source: source, Used: []result.TrustedLocation{}, Excluded: []result.TrustedLocation{}}
	if len(missing) > 0 {
		tn.Unavailable = strings.Join(missing, "; ")
	}
	if len(locs) == 0 {
		if tn.Unavailable == "" {
			tn.Unavailable = "the tenant has no named location"
		}
		return tn, nil
	}
	bad, err := insane(ctx, locs)
	if err != nil {
		tn.Unavailable = strings.TrimPrefix(tn.Unavailable+"; ", "; ") + "the named locations could not be judged by the trusted-location sanity rule (" + err.Error() + "): none is used"
		return tn, nil
	}
	var trusted []netip.Prefix
	for _, raw := range locs {
		var l struct {
			Type             string     `json:"@odata.type"`
			ID               string     `json:"id"`
			DisplayName      string     `json:"displayName"`
			IsTrusted        bool       `json:"isTrusted"`
			CreatedDateTime  *time.Time `json:"createdDateTime"`
			ModifiedDateTime *time.Time `json:"modifiedDateTime"`
			IPRanges         []struct {
				CidrAddress  string `json:"cidrAddress"`
				LowerAddress string `json:"lowerAddress"`
				UpperAddress string `json:"upperAddress"`
			} `json:"ipRanges"`
		}
		if json.Unmarshal(raw, &l) != nil || !strings.EqualFold(l.Type, "#microsoft.graph.ipNamedLocation") || !l.IsTrusted {
			continue
		}
		loc := result.TrustedLocation{ID: l.ID, Name: l.DisplayName, Ranges: []string{}}
		var prefixes []netip.Prefix
		var rangeErr error
		for _, r := range l.IPRanges {
			if r.CidrAddress != "" {
				loc.Ranges = append(loc.Ranges, r.CidrAddress)
				p, err := netip.ParsePrefix(strings.TrimSpace(r.CidrAddress))
				if err != nil {
					rangeErr = fmt.Errorf("range %q: %v", r.CidrAddress, err)
					continue
				}
				prefixes = append(prefixes, p.Masked())
				continue
			}
			loc.Ranges = append(loc.Ranges, r.LowerAddress+"-"+r.UpperAddress)
			ps, err := rangePrefixes(r.LowerAddress, r.UpperAddress)
			if err != nil {
				rangeErr = err
				continue
			}
			prefixes = append(prefixes, ps...)
		}
		var changed time.Time
		for _, t := range []*time.Time{l.CreatedDateTime, l.ModifiedDateTime} {
			if t != nil && t.After(changed) {
				changed = t.UTC()
			}
		}
		switch reason, isInsane := bad[l.ID]; {
		case isInsane:
			loc.Code, loc.Reason = "insane", reason
		case !changed.IsZero() && since != nil && !changed.Before(*since) && (until == nil || !changed.After(*until)):
			loc.Code, loc.Time = "changed-in-window", changed
			loc.Reason = fmt.Sprintf("created or changed %s, inside the investigated window: it may be the attacker's doing (a trusted location makes their address look like the office's)", changed.Format(time.RFC3339))
		case rangeErr != nil:
			loc.Code, loc.Reason = "range", rangeErr.Error()
		}
		if loc.Code != "" {
			tn.Excluded = append(tn.Excluded, loc)
			continue
		}
		if !changed.IsZero() && until != nil && changed.After(*until) {
			loc.Code, loc.Time = "changed-after-window", changed
			loc.Reason = fmt.Sprintf("created or changed %s, after the window: its ranges may not be those in force then", changed.Format(time.RFC3339))
		}
		tn.Used = append(tn.Used, loc)
		trusted = append(trusted, prefixes...)
	}
	return tn, trusted
}

// rangePrefixes covers lower..upper (one address family) with the fewest
// prefixes.
func rangePrefixes(lower, upper string) ([]netip.Prefix, error) {
	lo, err1 := netip.ParseAddr(strings.TrimSpace(lower))
	hi, err2 := netip.ParseAddr(strings.TrimSpace(upper))
	if err1 != nil || err2 != nil || lo.Is4() != hi.Is4() || hi.Less(lo) {
		return nil, fmt.Errorf("range %s-%s is not a range of addresses", lower, upper)
	}
	lo, hi = lo.Unmap(), hi.Unmap()
	var out []netip.Prefix
	for {
		// the widest prefix starting at lo that ends at or before hi
		bits := lo.BitLen()
		for b := 0; b <= lo.BitLen(); b++ {
			p := netip.PrefixFrom(lo, b)
			if p.Masked().Addr() == lo && !hi.Less(lastAddr(p)) {
				bits = b
				break
			}
		}
		p := netip.PrefixFrom(lo, bits)
		out = append(out, p)
		end := lastAddr(p)
		if end == hi || !end.Next().IsValid() {
			return out, nil
		}
		lo = end.Next()
	}
}

// lastAddr is the last address of a prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	b := a.AsSlice()
	for i := range b {
		hostBits := max(0, min(8, (i+1)*8-p.Bits()))
		b[i] |= byte(1<<hostBits - 1)
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}
