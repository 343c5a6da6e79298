package incident

import (
	"fmt"
	"testing"
)

// TestOneAddressOnePlace: an address is in one country and one network at
// a time. Entra geolocates a sign-in from the address, not from the user,
// so two users signing in from one address the same week are placed alike
// (a home line shared by two colleagues, or two users on one carrier-grade
// NAT address).
func TestOneAddressOnePlace(t *testing.T) {
	files, _, err := Sunnyside().DemoSet()
	if err != nil {
		t.Fatal(err)
	}
	places := map[string]map[string]bool{}
	for _, name := range []string{DemoInteractive, DemoNonInteractive} {
		rows := readCSV(t, name, files[name])
		ip, loc, asn := col(rows[0], "IP address"), col(rows[0], "Location"), col(rows[0], "Autonomous system  number")
		if ip < 0 || loc < 0 || asn < 0 {
			t.Fatalf("%s: columns %v", name, rows[0])
		}
		for _, r := range rows[1:] {
			if places[r[ip]] == nil {
				places[r[ip]] = map[string]bool{}
			}
			places[r[ip]][fmt.Sprintf("%s | AS%s", r[loc], r[asn])] = true
		}
	}
	bad := 0
	for ip, ps := range places {
		if len(ps) > 1 {
			bad++
			if bad <= 5 {
				t.Errorf("%s is placed %d ways: %v", ip, len(ps), ps)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d addresses in all", bad)
	}
}
