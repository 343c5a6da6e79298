package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/inputerr"
)

// Bundle is an evidence bundle opened for reading.
type Bundle struct {
	Dir      string
	Manifest Manifest
}

// IsBundle reports whether dir is an evidence bundle: a directory holding a
// manifest.json of this format. hunt recognises bundles this way among the
// paths it is given, never by name.
func IsBundle(dir string) bool {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return false
	}
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return false
	}
	var head struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(raw, &head) == nil && head.Format == Format
}

// Open reads a bundle's manifest. Problems are input errors naming the file.
func Open(dir string) (*Bundle, error) {
	mp := filepath.Join(dir, ManifestName)
	raw, err := os.ReadFile(mp)
	if err != nil {
		return nil, inputerr.New(dir, "not an evidence bundle: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := inputerr.SyntaxPos(raw, se.Offset)
			return nil, &inputerr.Error{File: mp, Line: line, Col: col, Msg: se.Error()}
		}
		return nil, inputerr.New(mp, "invalid manifest: %v", err)
	}
	switch {
	case m.Format != Format:
		return nil, inputerr.New(mp, "not a tenantgate evidence manifest (format %q)", m.Format)
	case m.FormatVersion != FormatVersion:
		return nil, inputerr.New(mp, "evidence format version %d; this tenantgate reads version %d", m.FormatVersion, FormatVersion)
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		if err := checkPath(f.Path); err != nil {
			return nil, inputerr.New(mp, "%v", err)
		}
		if seen[f.Path] {
			return nil, inputerr.New(mp, "file %s listed twice", f.Path)
		}
		seen[f.Path] = true
	}
	return &Bundle{Dir: dir, Manifest: m}, nil
}

// Verify checks every file the manifest lists (a regular file, not a link,
// with the recorded size and SHA-256) and that the bundle holds nothing else
// but the manifest and the journal. A mismatch is an input error naming the
// file (exit 2): evidence that changed is not read as if it had not.
func (b *Bundle) Verify() error {
	for _, f := range b.Manifest.Files {
		p := b.Path(f)
		if err := VerifyFile(p, f.Bytes, f.SHA256); err != nil {
			return inputerr.New(p, "evidence file does not match the bundle's manifest: %v", err)
		}
	}
	listed := map[string]bool{ManifestName: true, JournalName: true}
	for _, f := range b.Manifest.Files {
		listed[f.Path] = true
	}
	return filepath.WalkDir(b.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(b.Dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			return inputerr.New(p, "a symbolic link inside an evidence bundle")
		case d.IsDir():
			return nil
		case !listed[rel]:
			return inputerr.New(p, "not listed in the bundle's manifest (added after collection, or the manifest is not this bundle's)")
		}
		return nil
	})
}

// Path is the file's path on disk.
func (b *Bundle) Path(f File) string { return filepath.Join(b.Dir, filepath.FromSlash(f.Path)) }

// Logs returns the files hunt reads (log pages with a hunt kind), in path
// order.
func (b *Bundle) Logs() []File {
	var out []File
	for _, f := range b.Manifest.Files {
		if f.Kind != "" && f.Role == RolePage {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// BlindSpot is a log kind the bundle could not (fully) collect: From and To
// bound the time the failed source was asked for (zero: not bounded).
type BlindSpot struct {
	Kind     string
	Message  string
	From, To time.Time
}

// BlindSpots lists every log source that failed or did not finish, naming
// the source, its time slice and Graph's error, so hunt reports it.
func (b *Bundle) BlindSpots() []BlindSpot {
	var out []BlindSpot
	for _, s := range b.Manifest.Sources {
		if s.Kind == "" || !s.Failed() {
			continue
		}
		bs := BlindSpot{Kind: s.Kind, Message: fmt.Sprintf("evidence bundle %s: %s", filepath.Base(b.Dir), s.Describe())}
		if s.From != nil && s.To != nil {
			bs.From, bs.To = *s.From, *s.To
		}
		out = append(out, bs)
	}
	return out
}

// Describe says in one line how a source ended.
func (s Source) Describe() string {
	what := s.Title
	if s.From != nil && s.To != nil {
		what += fmt.Sprintf(" (%s to %s)", s.From.UTC().Format("2006-01-02T15:04Z"), s.To.UTC().Format("2006-01-02T15:04Z"))
	}
	switch s.Status {
	case SourceOK:
		return fmt.Sprintf("%s: %d records in %d pages", what, s.Records, s.Pages)
	case SourceSkipped:
		return fmt.Sprintf("%s: skipped: %s", what, s.Note)
	case StatusIncomplete:
		msg := fmt.Sprintf("%s: not finished (%d records in %d pages so far)", what, s.Records, s.Pages)
		if s.Error != "" {
			msg += ": " + s.Error
		}
		return msg + "; continue with tenantgate evidence --resume"
	}
	msg := what + ": " + s.Status
	if s.HTTPStatus != 0 {
		msg += fmt.Sprintf(" (HTTP %d", s.HTTPStatus)
		if s.Code != "" {
			msg += " " + s.Code
		}
		msg += ")"
	}
	if s.Error != "" {
		msg += ": " + s.Error
	}
	if s.Records > 0 {
		msg += fmt.Sprintf(" after %d records", s.Records)
	}
	if s.Status == SourceDenied && len(s.Permission) > 0 {
		// what to grant (tenantgate permissions explains it)
		sep := "; it needs "
		if strings.HasSuffix(msg, ".") {
			sep = " It needs "
		}
		msg += sep + strings.Join(s.Permission, " and ")
		if len(s.Licenses) > 0 {
			msg += " (licence: " + strings.Join(s.Licenses, "; ") + ")"
		}
	}
	return msg
}

// NamedLocationsID is the source of the tenant's named locations.
const NamedLocationsID = "directory/namedLocations"

// NamedLocations returns the named locations the bundle holds (every
// page's values, as Graph returned them); when the source failed, was not
// collected or is missing, why instead.
func (b *Bundle) NamedLocations() ([]json.RawMessage, string, error) {
	var src *Source
	for i := range b.Manifest.Sources {
		if b.Manifest.Sources[i].ID == NamedLocationsID {
			src = &b.Manifest.Sources[i]
		}
	}
	switch {
	case src == nil:
		return nil, "the bundle holds no named locations (collected by an older tenantgate)", nil
	case src.Status != SourceOK:
		return nil, "the named locations were not collected: " + src.Describe(), nil
	}
	var out []json.RawMessage
	for _, f := range b.Manifest.Files {
		if f.Source != src.Source || f.Role != RolePage {
			continue
		}
		raw, err := os.ReadFile(b.Path(f))
		if err != nil {
			return nil, "", err
		}
		var page struct {
			Value []json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, "", inputerr.New(b.Path(f), "not a Graph page: %v", err)
		}
		out = append(out, page.Value...)
	}
	return out, "", nil
}
