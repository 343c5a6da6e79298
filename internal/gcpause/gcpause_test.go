package gcpause

import (
	"runtime/debug"
	"sync"
	"testing"
)

func TestPausesNestInAnyOrder(t *testing.T) {
	const want = 137
	old := debug.SetGCPercent(want)
	defer debug.SetGCPercent(old)
	percent := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }

	tests := []struct {
		name  string
		order []int // indexes of the three pauses, in release order
	}{
		{"last in, first out", []int{2, 1, 0}},
		{"first in, first out", []int{0, 1, 2}},
		{"interleaved", []int{1, 0, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel := []func(){Start(), Start(), Start()}
			for i, k := range tc.order {
				if got := percent(); got != -1 {
					t.Fatalf("before release %d: collector at %d, want off (-1)", i, got)
				}
				rel[k]()
				rel[k]() // a second call releases nothing
			}
			if got := percent(); got != want {
				t.Errorf("after every release: %d, want %d restored", got, want)
			}
		})
	}
}

func TestConcurrentPausesRestore(t *testing.T) {
	const want = 137
	old := debug.SetGCPercent(want)
	defer debug.SetGCPercent(old)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { During(func() {}) })
	}
	wg.Wait()
	if got := debug.SetGCPercent(want); got != want {
		t.Errorf("after 50 concurrent pauses: %d, want %d restored", got, want)
	}
}

func TestSetPercentDuringAPause(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	release := Start()
	if prev := SetPercent(400); prev != 100 {
		t.Errorf("SetPercent during a pause returned %d, want 100", prev)
	}
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("SetPercent during a pause turned the collector on (%d)", p)
	}
	release()
	if p := debug.SetGCPercent(100); p != 400 {
		t.Errorf("after the release: %d, want 400 (set during the pause)", p)
	}
}
