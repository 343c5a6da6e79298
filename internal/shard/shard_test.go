package shard

import (
	"fmt"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Spec
		ok   bool
	}{
		{"0/4", Spec{0, 4}, true},
		{"3/4", Spec{3, 4}, true},
		{" 0/1 ", Spec{0, 1}, true},
		{"4/4", Spec{}, false},
		{"-1/4", Spec{}, false},
		{"1/0", Spec{}, false},
		{"1", Spec{}, false},
		{"a/b", Spec{}, false},
		{"1/4/2", Spec{}, false},
	} {
		got, err := Parse(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v", tc.in, got, err)
		}
		if err == nil && got.String() != fmt.Sprintf("%d/%d", tc.want.K, tc.want.N) {
			t.Errorf("String() = %q", got.String())
		}
	}
}

// TestPartition: for every N, each tenant is in exactly one shard, the
// shards are roughly even, and adding tenants moves none of the others.
func TestPartition(t *testing.T) {
	keys := make([]string, 2000)
	for i := range keys {
		keys[i] = fmt.Sprintf("tenant-%04d", i)
	}
	for n := 1; n <= 9; n++ {
		count := make([]int, n)
		for _, k := range keys {
			in := 0
			for s := range n {
				if (Spec{s, n}).Has(k) {
					in++
					count[s]++
				}
			}
			if in != 1 {
				t.Fatalf("N=%d: %s is in %d shards", n, k, in)
			}
		}
		for s, c := range count {
			if even := len(keys) / n; c < even*3/4 || c > even*5/4 {
				t.Errorf("N=%d: shard %d holds %d of %d tenants", n, s, c, len(keys))
			}
		}
	}
	// The shard of a key depends on the key and N only: a tenant's shard is
	// the same whichever others are listed.
	before := map[string]int{}
	for _, k := range keys[:1000] {
		before[k] = Of(k, 5)
	}
	for _, k := range keys {
		if s, ok := before[k]; ok && Of(k, 5) != s {
			t.Fatalf("%s moved", k)
		}
	}
	if Of("Contoso", 7) != Of("contoso", 7) {
		t.Error("keys must compare case-insensitively")
	}
	if !(Spec{}).Has("anything") || (Spec{}).Enabled() {
		t.Error("the zero Spec must select everything")
	}
}

// TestGrowMovesFew: from N to N+1 shards, only tenants that land in the new
// shard move (jump hashing), about 1/(N+1) of them.
func TestGrowMovesFew(t *testing.T) {
	moved := 0
	const total = 5000
	for i := range total {
		k := fmt.Sprintf("t%d", i)
		a, b := Of(k, 4), Of(k, 5)
		if a != b {
			moved++
			if b != 4 {
				t.Fatalf("%s moved from %d to %d, not to the new shard", k, a, b)
			}
		}
	}
	if moved < total/5*3/4 || moved > total/5*5/4 {
		t.Errorf("%d of %d moved from 4 to 5 shards, want about %d", moved, total, total/5)
	}
}

func TestFileKey(t *testing.T) {
	if got := FileKey("/data/snapshots/shard-1/Contoso.json"); got != "Contoso" {
		t.Errorf("FileKey = %q", got)
	}
}
