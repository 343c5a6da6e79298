package bundle

import (
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Found is what Expand found among hunt's paths: the bundles (verified),
// their log files to read, and the paths that are no bundle.
type Found struct {
	Bundles []*Bundle
	// Files are the bundles' log pages, in bundle then path order.
	Files []string
	// Others are the arguments that are no bundle, unchanged (hunt reads
	// them as any export).
	Others []string
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
			f.Files = append(f.Files, b.Path(l))
		}
		return nil
	}
	for _, a := range args {
		if IsBundle(a) {
			if err := add(a); err != nil {
				return nil, err
			}
			continue
		}
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			f.Others = append(f.Others, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			f.Others = append(f.Others, a)
			continue
		}
		var bundles, others []string
		for _, e := range entries {
			p := filepath.Join(a, e.Name())
			if e.IsDir() && IsBundle(p) {
				bundles = append(bundles, p)
			} else {
				others = append(others, p)
			}
		}
		if len(bundles) == 0 {
			f.Others = append(f.Others, a)
			continue
		}
		slices.Sort(bundles)
		for _, b := range bundles {
			if err := add(b); err != nil {
				return nil, err
			}
		}
		f.Others = append(f.Others, others...)
	}
	return f, nil
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

// BlindSpots are every bundle's failed or unfinished log sources.
func (f *Found) BlindSpots() []BlindSpot {
	var out []BlindSpot
	for _, b := range f.Bundles {
		out = append(out, b.BlindSpots()...)
	}
	return out
}
