package hunt

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestTrustedFromLocations: of a bundle's named locations, the trusted IP
// ones are the trusted networks, except one the sanity rule fails (with its
// reason), one created or changed inside the window (maybe the attacker's),
// and one whose range cannot be read; one changed after the window is used
// with that caveat; untrusted and country locations are ignored; a
// lower-upper range is covered by prefixes. Locations that cannot be judged
// give no trusted network.
func TestTrustedFromLocations(t *testing.T) {
	since, until := time.Date(2023, 12, 4, 0, 0, 0, 0, time.UTC), time.Date(2023, 12, 14, 0, 0, 0, 0, time.UTC)
	locs := []json.RawMessage{
		json.RawMessage(`{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"hq","displayName":"Tokyo HQ","isTrusted":true,"createdDateTime":"2022-01-01T00:00:00Z","modifiedDateTime":"2022-02-01T00:00:00Z","ipRanges":[{"@odata.type":"#microsoft.graph.iPv4CidrRange","cidrAddress":"203.0.113.0/24"}]}`),
		json.RawMessage(`{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"vpn","displayName":"VPN","isTrusted":true,"createdDateTime":"2022-01-01T00:00:00Z","modifiedDateTime":"2024-03-11T08:52:19Z","ipRanges":[{"@odata.type":"#microsoft.graph.iPv4Range","lowerAddress":"192.0.2.10","upperAddress":"192.0.2.17"}]}`),
		json.RawMessage(`{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"all","displayName":"Remote work","isTrusted":true,"createdDateTime":"2022-01-01T00:00:00Z","ipRanges":[{"cidrAddress":"0.0.0.0/1"},{"cidrAddress":"128.0.0.0/1"}]}`),
		json.RawMessage(`{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"new","displayName":"Partner","isTrusted":true,"createdDateTime":"2023-12-12T05:30:00Z","modifiedDateTime":"2023-12-12T05:30:00Z","ipRanges":[{"cidrAddress":"198.51.100.0/24"}]}`),
		json.RawMessage(`{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"bad","displayName":"Typo","isTrusted":true,"createdDateTime":"2022-01-01T00:00:00Z","ipRanges":[{"cidrAddress":"203.0.113.300/24"}]}`),
		json.RawMessage(`{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"branch","displayName":"Branch (untrusted)","isTrusted":false,"ipRanges":[{"cidrAddress":"198.18.0.0/15"}]}`),
		json.RawMessage(`{"@odata.type":"#microsoft.graph.countryNamedLocation","id":"jp","displayName":"Japan","countriesAndRegions":["JP"]}`),
	}
	insane := func(_ context.Context, got []json.RawMessage) (map[string]string, error) {
		if len(got) != len(locs) {
			t.Errorf("judged %d locations, want all %d", len(got), len(locs))
		}
		return map[string]string{"all": "trusted location 'Remote work', whose ranges cover 4,294,967,296 IPv4 addresses"}, nil
	}
	tn, prefixes := trustedFromLocations(context.Background(), "bundle b", locs, nil, insane, &since, &until)
	var used, excluded []string
	for _, l := range tn.Used {
		used = append(used, l.ID+" "+l.Code)
	}
	for _, l := range tn.Excluded {
		excluded = append(excluded, l.ID+" "+l.Code)
	}
	if !slices.Equal(used, []string{"hq ", "vpn changed-after-window"}) || !slices.Equal(excluded, []string{"all insane", "new changed-in-window", "bad range"}) {
		t.Errorf("used %q, excluded %q", used, excluded)
	}
	want := []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("192.0.2.10/31"), netip.MustParsePrefix("192.0.2.12/30"), netip.MustParsePrefix("192.0.2.16/31")}
	if !slices.Equal(prefixes, want) {
		t.Errorf("prefixes %v, want %v", prefixes, want)
	}
	if r := tn.Excluded[0].Reason; !strings.Contains(r, "4,294,967,296 IPv4 addresses") {
		t.Errorf("insane reason %q", r)
	}
	if tn.Excluded[1].Time != time.Date(2023, 12, 12, 5, 30, 0, 0, time.UTC) || !strings.Contains(tn.Excluded[1].Reason, "attacker") {
		t.Errorf("changed in the window: %+v", tn.Excluded[1])
	}
	if tn.Unavailable != "" {
		t.Errorf("unavailable %q", tn.Unavailable)
	}

	tn, prefixes = trustedFromLocations(context.Background(), "bundle b", locs, nil, func(context.Context, []json.RawMessage) (map[string]string, error) {
		return nil, errors.New("named location X lacks an ipRanges list")
	}, &since, &until)
	if len(prefixes) != 0 || len(tn.Used) != 0 || !strings.Contains(tn.Unavailable, "lacks an ipRanges list") {
		t.Errorf("unjudgeable: %+v, %v", tn, prefixes)
	}
	tn, prefixes = trustedFromLocations(context.Background(), "bundle b", nil, []string{"b: the named locations were not collected: denied"}, insane, &since, &until)
	if len(prefixes) != 0 || tn.Unavailable != "b: the named locations were not collected: denied" || tn.Used == nil || tn.Excluded == nil {
		t.Errorf("not collected: %+v", tn)
	}
}

// TestRangePrefixes: a lower-upper range is covered exactly, in both
// families, up to the last address of the family.
func TestRangePrefixes(t *testing.T) {
	for _, c := range []struct {
		lo, hi string
		want   []string
	}{
		{"10.0.0.0", "10.0.0.255", []string{"10.0.0.0/24"}},
		{"10.0.0.1", "10.0.0.1", []string{"10.0.0.1/32"}},
		{"10.0.0.255", "10.0.1.0", []string{"10.0.0.255/32", "10.0.1.0/32"}},
		{"255.255.255.254", "255.255.255.255", []string{"255.255.255.254/31"}},
		{"2001:db8::", "2001:db8::ffff", []string{"2001:db8::/112"}},
		{"::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", []string{"::/0"}},
	} {
		got, err := rangePrefixes(c.lo, c.hi)
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if err != nil || !slices.Equal(s, c.want) {
			t.Errorf("%s-%s: %v, %v; want %v", c.lo, c.hi, s, err, c.want)
		}
	}
	for _, bad := range [][2]string{{"10.0.0.2", "10.0.0.1"}, {"10.0.0.1", "2001:db8::1"}, {"x", "10.0.0.1"}} {
		if _, err := rangePrefixes(bad[0], bad[1]); err == nil {
			t.Errorf("%s-%s accepted", bad[0], bad[1])
		}
	}
}
