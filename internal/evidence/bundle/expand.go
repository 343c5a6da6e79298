package bundle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/inputerr"
)

// Found is what Expand found among hunt's paths.
type Found struct {
	Bundles []*Bundle // verified
	// Paths are the arguments in their order, each bundle replaced by its
	// log pages (in path order) and every other argument unchanged (hunt
	// reads it as any export).
	Paths []string
	// Others counts the arguments (or entries beside bundles) that are not
	// bundles.
	Others int
}

// FilteredUsers returns the users every bundle's logs were filtered to
// (evidence --user without --tenant-wide-logs), when all of them were: the
// logs then hold those users' activity alone, and nobody else can be judged
// from them. nil when there is no bundle or some bundle's logs are
// tenant-wide.
func (f *Found) FilteredUsers() []string {
	var users []string
	for _, b := range f.Bundles {
		r := b.Manifest.Request
		if r.TenantWideLogs || len(r.Users) == 0 {
			return nil
		}
		for _, u := range r.Users {
			if !slices.Contains(users, u) {
				users = append(users, u)
			}
		}
	}
	return users
}

// Expand recognises evidence bundles among hunt's arguments by their
// manifest: a bundle directory, or a directory whose entries include bundle
// directories (e.g. the -o DIR of several evidence runs; its other entries
// are passed on as arguments). Every bundle is verified (Verify: a file
// that does not match its manifest is an input error naming it) and
// replaced by its log pages; the manifest and journal are never read as
// logs.
func Expand(args []string) (*Found, error) {
	f := &Found{}
	add := func(dir string) error {
		b, err := Open(dir)
		if err != nil {
			return err
		}
		if err := b.Verify(); err != nil {
			return err
		}
		f.Bundles = append(f.Bundles, b)
		for _, l := range b.Logs() {
			f.Paths = append(f.Paths, b.Path(l))
		}
		return nil
	}
	for _, a := range args {
		if err := unfinished(a); err != nil {
			return nil, err
		}
		if IsBundle(a) {
			if err := add(a); err != nil {
				return nil, err
			}
			continue
		}
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			f.Paths = append(f.Paths, a)
			f.Others++
			continue
		}
		entries, err := os.ReadDir(a) // sorted by name
		for _, e := range entries {
			if e.IsDir() {
				if err := unfinished(filepath.Join(a, e.Name())); err != nil {
					return nil, err
				}
			}
		}
		if err != nil || !slices.ContainsFunc(entries, func(e os.DirEntry) bool { return e.IsDir() && IsBundle(filepath.Join(a, e.Name())) }) {
			f.Paths = append(f.Paths, a)
			f.Others++
			continue
		}
		for _, e := range entries {
			p := filepath.Join(a, e.Name())
			switch {
			case e.IsDir() && IsBundle(p):
				if err := add(p); err != nil {
					return nil, err
				}
			case !strings.HasPrefix(e.Name(), "."):
				f.Paths = append(f.Paths, p)
				f.Others++
			}
		}
	}
	return f, nil
}

// unfinished refuses a bundle directory whose run stopped before it wrote
// manifest.json (the process was killed: only the journal says what it
// holds). Read as plain exports its pages would be taken for a complete
// window and its tenant context for logs; --resume finishes it.
func unfinished(dir string) error {
	if _, err := os.Lstat(filepath.Join(dir, ManifestName)); err == nil {
		return nil
	}
	f, err := os.Open(filepath.Join(dir, JournalName))
	if err != nil {
		return nil
	}
	defer f.Close()
	line, _ := bufio.NewReader(io.LimitReader(f, 1<<20)).ReadBytes('\n')
	var e struct {
		Header *struct {
			Format string `json:"format"`
		} `json:"header"`
	}
	if json.Unmarshal(line, &e) != nil || e.Header == nil || e.Header.Format != Format {
		return nil
	}
	return inputerr.New(dir, "an evidence bundle whose collection stopped before it wrote %s (the process was killed): its files cannot be verified or placed in time without it; finish it with tenantgate evidence --resume %s", ManifestName, dir)
}

// Window is the span the bundles' logs were asked for (the earliest since to
// the latest until): hunt's coverage window when no --since/--until is
// given. ok is false without bundles.
func (f *Found) Window() (from, to time.Time, ok bool) {
	for i, b := range f.Bundles {
		r := b.Manifest.Request
		if i == 0 || r.Since.Before(from) {
			from = r.Since
		}
		if i == 0 || r.Until.After(to) {
			to = r.Until
		}
	}
	return from, to, len(f.Bundles) > 0
}

// Collected are the time slices every bundle's log sources read whole
// (ended ok): a log kind covers them whatever its records' times. Kind,
// From and To are set; Message is empty.
func (f *Found) Collected() []BlindSpot {
	var out []BlindSpot
	for _, b := range f.Bundles {
		for _, s := range b.Manifest.Sources {
			if s.Kind == "" || s.Kind == KindInboxRules || s.Status != SourceOK || s.From == nil || s.To == nil {
				continue
			}
			out = append(out, BlindSpot{Kind: s.Kind, From: *s.From, To: *s.To})
		}
	}
	return out
}

// BlindSpots are every bundle's failed or unfinished log sources.
func (f *Found) BlindSpots() []BlindSpot {
	var out []BlindSpot
	for _, b := range f.Bundles {
		out = append(out, b.BlindSpots()...)
	}
	return out
}

// NamedLocations are the named locations of every bundle found, each once
// (bundles of one tenant, such as a re-run beside the first, hold the same
// ones; a location that differs between them is kept in every version), and
// for each bundle without them why (its source failed, or it predates them).
func (f *Found) NamedLocations() (locs []json.RawMessage, missing []string, err error) {
	seen := map[string]bool{}
	for _, b := range f.Bundles {
		l, why, err := b.NamedLocations()
		if err != nil {
			return nil, nil, err
		}
		if why != "" {
			missing = append(missing, filepath.Base(b.Dir)+": "+why)
		}
		for _, raw := range l {
			var c bytes.Buffer
			if json.Compact(&c, raw) == nil {
				if seen[c.String()] {
					continue
				}
				seen[c.String()] = true
			}
			locs = append(locs, raw)
		}
	}
	return locs, missing, nil
}
