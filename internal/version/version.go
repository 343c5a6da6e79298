// Package version says which build of tenantgate is running: the release
// stamp GoReleaser (or `make build`) writes with -ldflags, else what the Go
// toolchain recorded in the binary (`go install ...@v1.2.3` records the
// module version; a build from a git checkout records the commit and its
// time). Every place that reports the version (`tenantgate version`,
// `--version`, tool.version in JSON, SARIF, snapshots) reads Get.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Set at build time:
//
//	-ldflags "-X github.com/tenantgate/tenantgate/internal/version.version=v1.2.3
//	          -X github.com/tenantgate/tenantgate/internal/version.commit=<sha>
//	          -X github.com/tenantgate/tenantgate/internal/version.date=<RFC 3339>"
var version, commit, date string

// Info describes the running build.
type Info struct {
	Version   string `json:"version"`             // v1.2.3, or "dev" when nothing says
	Commit    string `json:"commit,omitempty"`    // full git revision, "" when unknown
	Date      string `json:"date,omitempty"`      // build or commit time, RFC 3339, "" when unknown
	Modified  bool   `json:"modified,omitempty"`  // built from a checkout with uncommitted changes
	GoVersion string `json:"goVersion,omitempty"` // go1.26.8
}

// Get returns the build's version information.
func Get() Info { return from(version, commit, date, readBuildInfo) }

var readBuildInfo = debug.ReadBuildInfo

// from merges the stamped values with the build info: a stamped value wins,
// the build info fills what the stamp left empty.
func from(v, c, d string, read func() (*debug.BuildInfo, bool)) Info {
	info := Info{Version: v, Commit: c, Date: d, GoVersion: runtime.Version()}
	if bi, ok := read(); ok {
		info.GoVersion = bi.GoVersion
		// "(devel)" is what a build inside the module's own tree records.
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	return info
}

// String is the one line `tenantgate version` and `--version` print:
// "v1.2.3 (commit 0123abc, built 2026-11-29T10:00:00Z, go1.26.8)".
func (i Info) String() string {
	var parts []string
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if i.Modified {
			c += ", modified"
		}
		parts = append(parts, "commit "+c)
	}
	if i.Date != "" {
		d := i.Date
		if t, err := time.Parse(time.RFC3339, d); err == nil {
			d = t.UTC().Format(time.RFC3339)
		}
		parts = append(parts, "built "+d)
	}
	if i.GoVersion != "" {
		parts = append(parts, i.GoVersion)
	}
	if len(parts) == 0 {
		return i.Version
	}
	return fmt.Sprintf("%s (%s)", i.Version, strings.Join(parts, ", "))
}
