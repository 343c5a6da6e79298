package version

import (
	"runtime/debug"
	"testing"
)

func TestFrom(t *testing.T) {
	installed := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/tenantgate/tenantgate", Version: "v0.3.1"}}
	checkout := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-29T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	for _, tc := range []struct {
		name       string
		v, c, d    string
		bi         *debug.BuildInfo
		want       Info
		wantString string
	}{
		{"release stamp wins", "v1.2.3", "abc", "2026-11-01T00:00:00Z", installed,
			Info{Version: "v1.2.3", Commit: "abc", Date: "2026-11-01T00:00:00Z", GoVersion: "go1.26.8"},
			"v1.2.3 (commit abc, built 2026-11-01T00:00:00Z, go1.26.8)"},
		{"go install: module version", "", "", "", installed,
			Info{Version: "v0.3.1", GoVersion: "go1.26.8"}, "v0.3.1 (go1.26.8)"},
		{"checkout: vcs stamp", "", "", "", checkout,
			Info{Version: "dev", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-11-29T10:00:00Z", Modified: true, GoVersion: "go1.26.8"},
			"dev (commit 0123456789ab, modified, built 2026-11-29T10:00:00Z, go1.26.8)"},
		{"stamp fills what build info lacks", "v1.0.0", "", "", checkout,
			Info{Version: "v1.0.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-11-29T10:00:00Z", Modified: true, GoVersion: "go1.26.8"},
			"v1.0.0 (commit 0123456789ab, modified, built 2026-11-29T10:00:00Z, go1.26.8)"},
		{"nothing known", "", "", "", nil, Info{Version: "dev"}, "dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := from(tc.v, tc.c, tc.d, func() (*debug.BuildInfo, bool) { return tc.bi, tc.bi != nil })
			if tc.bi == nil {
				got.GoVersion = "" // runtime.Version() of the test binary
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if s := got.String(); s != tc.wantString {
				t.Errorf("String() = %q, want %q", s, tc.wantString)
			}
		})
	}
}
