// Package gcpause pauses the garbage collector for bounded bursts of
// allocation whose garbage a short process never needs back (parsing and
// compiling the policies, one start-up evaluation; docs/performance.md,
// "Start-up").
//
// Pauses nest and may overlap across goroutines (the policies compile in
// the background while the command reads its input): the collector is off
// while any pause holds and the setting found by the first is restored by
// the last release, whatever the order. A save-and-restore of
// debug.SetGCPercent in each caller instead lets a background release put
// back "off" after the foreground one restored the collector.
package gcpause

import (
	"runtime/debug"
	"sync"
)

var (
	mu    sync.Mutex
	held  int
	saved int
)

// Start pauses the collector until the returned function is called; calling
// that function more than once releases once.
func Start() (release func()) {
	mu.Lock()
	if held == 0 {
		saved = debug.SetGCPercent(-1)
	}
	held++
	mu.Unlock()
	return sync.OnceFunc(func() {
		mu.Lock()
		defer mu.Unlock()
		if held--; held == 0 {
			debug.SetGCPercent(saved)
		}
	})
}

// SetPercent is debug.SetGCPercent that respects the pauses: while one
// holds, p becomes the setting the last release restores (setting it now
// would turn the collector on in the middle of a pause, and the release
// would then put back the older setting). It returns the previous setting.
func SetPercent(p int) (prev int) {
	mu.Lock()
	defer mu.Unlock()
	if held > 0 {
		prev, saved = saved, p
		return prev
	}
	return debug.SetGCPercent(p)
}

// Holding reports whether a pause holds (for tests that must wait out a
// background compile).
func Holding() bool {
	mu.Lock()
	defer mu.Unlock()
	return held > 0
}

// During runs f with the collector paused.
func During(f func()) {
	defer Start()()
	f()
}
