// Package conformance holds the conformance corpus: real Microsoft Graph and
// Azure Resource Manager payloads from public sources (testdata/corpus), and
// the manifest (testdata/manifest.yaml) that names each file's provenance,
// licence and shape, and the verdicts a careful reader of controls.md
// concludes for the tenants the files make up. Its tests feed every case
// through `audit --snapshot` and through `collect` against the emulator, and
// check lib/shapes.rego (which keys Graph leaves out per API version)
// against every file. README.md "Conformance corpus" says how to add a file.
package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"

	"gopkg.in/yaml.v3"

	"github.com/tenantgate/tenantgate/internal/permissions"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Forms of a corpus file.
const (
	FormPage   = "page"   // a collection response: {"value": [...]}
	FormEntity = "entity" // one object (a GET of one entity, or an export of one)
	FormError  = "error"  // an error response body; Status is its HTTP status
)

// File is one corpus file as the manifest describes it.
type File struct {
	Path       string     `yaml:"path"`
	Source     string     `yaml:"source"`  // snapshot source it supplies
	Version    string     `yaml:"version"` // v1.0, beta, or an ARM api-version
	Form       string     `yaml:"form"`
	Status     int        `yaml:"status,omitempty"` // HTTP status of an error body
	Origin     string     `yaml:"origin"`           // real | documented
	Provenance Provenance `yaml:"provenance"`
	Licence    string     `yaml:"licence"`
	Encoding   string     `yaml:"encoding"` // utf-8 | utf-8-bom | utf-16le-bom
	Metadata   string     `yaml:"metadata,omitempty"`
	Pseudonym  string     `yaml:"pseudonymised"`
	Notes      string     `yaml:"notes,omitempty"`
}

// Provenance says where a file comes from.
type Provenance struct {
	Repository string `yaml:"repository,omitempty"`
	Path       string `yaml:"path,omitempty"`
	Commit     string `yaml:"commit,omitempty"`
	URL        string `yaml:"url,omitempty"`
}

// Case is a tenant made of corpus files, with the verdicts it must give.
type Case struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Files       []string          `yaml:"files"` // paths, or directories (every file in them, sorted)
	Baseline    string            `yaml:"baseline"`
	Verdicts    map[string]string `yaml:"verdicts"`
	// CollectVerdicts override Verdicts through collect against the
	// emulator, where reading a source from another API version than the
	// file's changes what can be judged (each with the reason in Why).
	CollectVerdicts map[string]string `yaml:"collect_verdicts,omitempty"`
	Why             string            `yaml:"collect_why,omitempty"`
}

// Manifest is testdata/manifest.yaml.
type Manifest struct {
	Files   []File   `yaml:"files"`
	Cases   []Case   `yaml:"cases"`
	Lacking []string `yaml:"lacking"`
	dir     string
}

// Load reads the manifest in dir (testdata).
func Load(dir string) (*Manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.yaml"))
	if err != nil {
		return nil, err
	}
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest.yaml: %w", err)
	}
	m.dir = dir
	return &m, nil
}

// File returns the manifest entry of path.
func (m *Manifest) File(path string) (File, bool) {
	for _, f := range m.Files {
		if f.Path == path {
			return f, true
		}
	}
	return File{}, false
}

// Raw returns a corpus file's bytes as stored.
func (m *Manifest) Raw(f File) ([]byte, error) {
	return os.ReadFile(filepath.Join(m.dir, "corpus", filepath.FromSlash(f.Path)))
}

// JSON returns a corpus file as UTF-8 JSON: exports are often UTF-16 with a
// byte order mark (Windows PowerShell's default), or UTF-8 with one.
func (m *Manifest) JSON(f File) ([]byte, error) {
	raw, err := m.Raw(f)
	if err != nil {
		return nil, err
	}
	out, enc, err := Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	if enc != f.Encoding {
		return nil, fmt.Errorf("%s: encoded %s, the manifest says %s", f.Path, enc, f.Encoding)
	}
	if !json.Valid(out) {
		return nil, fmt.Errorf("%s: not JSON", f.Path)
	}
	return out, nil
}

// Decode turns raw bytes into UTF-8 and names their encoding.
func Decode(raw []byte) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}):
		b := raw[2:]
		if len(b)%2 != 0 {
			return nil, "", fmt.Errorf("odd length for UTF-16")
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return []byte(string(utf16.Decode(u))), "utf-16le-bom", nil
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		return raw[3:], "utf-8-bom", nil
	default:
		return raw, "utf-8", nil
	}
}

// Objects returns the objects a file holds: the value array of a page, or
// the entity.
func (m *Manifest) Objects(f File) ([]json.RawMessage, error) {
	raw, err := m.JSON(f)
	if err != nil {
		return nil, err
	}
	switch f.Form {
	case FormPage:
		var pg struct {
			Value *[]json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(raw, &pg); err != nil || pg.Value == nil {
			return nil, fmt.Errorf("%s: a page without a value array", f.Path)
		}
		return *pg.Value, nil
	case FormEntity:
		return []json.RawMessage{raw}, nil
	}
	return nil, fmt.Errorf("%s: form %q holds no objects", f.Path, f.Form)
}

// CaseFiles expands a case's file list (directories to their files).
func (m *Manifest) CaseFiles(c Case) ([]File, error) {
	var out []File
	for _, p := range c.Files {
		if f, ok := m.File(p); ok {
			out = append(out, f)
			continue
		}
		n := 0
		for _, f := range m.Files {
			if strings.HasPrefix(f.Path, strings.TrimSuffix(p, "/")+"/") {
				out = append(out, f)
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("case %s: %s is no file or directory of the manifest", c.Name, p)
		}
	}
	return out, nil
}

// Snapshot assembles a case into a snapshot as collect would write it: each
// file supplies its source (entities of one source in file order), the
// request line names the API version the file was read from, an error body
// becomes a failed source with Graph's status, code and message, and every
// source the case lacks is skipped ("not in the conformance corpus").
func (m *Manifest) Snapshot(c Case) (*snapshot.Snapshot, error) {
	files, err := m.CaseFiles(c)
	if err != nil {
		return nil, err
	}
	s := &snapshot.Snapshot{
		SchemaVersion: snapshot.SchemaVersion,
		CollectedAt:   time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		Tool:          snapshot.Tool{Name: "tenantgate", Version: "conformance"},
		Tenant:        snapshot.Tenant{ID: "conformance-" + c.Name, Cloud: "global"},
		Sources:       map[string]snapshot.Source{},
		Data:          map[string]json.RawMessage{},
	}
	lists := map[string][]json.RawMessage{}
	for _, f := range files {
		shape, ok := snapshot.Sources[f.Source]
		if !ok {
			return nil, fmt.Errorf("%s: unknown source %q", f.Path, f.Source)
		}
		src := snapshot.Source{Status: snapshot.StatusOK, Request: request(f)}
		if f.Form == FormError {
			raw, err := m.JSON(f)
			if err != nil {
				return nil, err
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(raw, &e); err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
			src.Status, src.HTTPStatus, src.Code, src.Error = snapshot.StatusError, f.Status, e.Error.Code, e.Error.Message
			if f.Status == 403 {
				src.Status = snapshot.StatusDenied
			}
			s.Sources[f.Source] = src
			continue
		}
		objs, err := m.Objects(f)
		if err != nil {
			return nil, err
		}
		s.Sources[f.Source] = src
		if shape == snapshot.Object {
			if len(objs) != 1 {
				return nil, fmt.Errorf("%s: %s needs exactly one object, the file holds %d", f.Path, f.Source, len(objs))
			}
			s.Data[f.Source] = objs[0]
			continue
		}
		lists[f.Source] = append(lists[f.Source], objs...)
	}
	for name, l := range lists {
		raw, err := json.Marshal(l)
		if err != nil {
			return nil, err
		}
		s.Data[name] = raw
	}
	for _, name := range snapshot.SourceNames() {
		if _, ok := s.Sources[name]; !ok {
			s.Sources[name] = snapshot.Source{Status: snapshot.StatusSkipped, Error: "not in the conformance corpus"}
		}
	}
	if raw, ok := s.Data["organization"]; ok {
		var o struct{ ID, DisplayName string }
		if json.Unmarshal(raw, &o) == nil && o.ID != "" {
			s.Tenant.ID, s.Tenant.DisplayName = o.ID, o.DisplayName
		}
	}
	return s, s.Validate()
}

// request is the request line collect records for a file's source, with
// the file's API version.
func request(f File) string {
	e, ok := permissions.Lookup(f.Source)
	if !ok {
		return ""
	}
	if e.API == permissions.Graph {
		e.Version = f.Version
	}
	return e.Request()
}
