package bundle

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/safefile"
)

// DirPerm and FilePerm are the permissions of a bundle's directories and
// files: evidence of an incident is its responders' alone.
const (
	DirPerm  fs.FileMode = 0o700
	FilePerm fs.FileMode = safefile.Private
)

// Writer writes one bundle. Every change is appended to the journal before
// the manifest is (re)written at Close, so an interrupted run can be resumed
// (Resume) without fetching again what is already on disk. Safe for
// concurrent use.
type Writer struct {
	dir     string
	mu      sync.Mutex
	journal *os.File
	header  Manifest // everything but Status, Sources, Files
	sources map[string]*Source
	order   []string // source ids in the order planned
	files   map[string]*File
	next    map[string]string   // source id -> @odata.nextLink of its last page
	pages   map[string][]string // source id -> its page files, in order
	nextOf  map[string]string   // page file -> its @odata.nextLink
	dirs    map[string]bool
	resumed bool
	started time.Time
}

// entry is one journal line.
type entry struct {
	T      string      `json:"t"` // header | source | page | query | end | run
	ID     string      `json:"id,omitempty"`
	Header *Manifest   `json:"header,omitempty"`
	Source *Source     `json:"source,omitempty"`
	File   *File       `json:"file,omitempty"`
	Next   string      `json:"next,omitempty"`
	Query  *AuditQuery `json:"query,omitempty"`
	End    *Source     `json:"end,omitempty"` // Status, HTTPStatus, Code, Error, Note
	Run    *Run        `json:"run,omitempty"`
}

// Create makes a new bundle directory named name under parent (parent is
// created 0700 when absent and must not be a link) and starts its journal.
// When name is taken, "-2", "-3", ... are appended: a bundle is never
// written into an existing directory.
func Create(parent, name string, header Manifest, now time.Time) (*Writer, error) {
	if st, err := os.Lstat(parent); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(parent, DirPerm); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	} else if st.Mode()&fs.ModeSymlink != 0 || !st.IsDir() {
		if err := safefile.RealDir(parent); err != nil {
			return nil, err
		}
	}
	var dir string
	for i := 1; ; i++ {
		dir = filepath.Join(parent, name)
		if i > 1 {
			dir += "-" + strconv.Itoa(i)
		}
		err := safefile.MkdirNew(dir, DirPerm)
		if err == nil {
			break
		}
		if !errors.Is(err, safefile.ErrExists) || i > 100 {
			return nil, err
		}
	}
	j, err := safefile.OpenAppend(filepath.Join(dir, JournalName), FilePerm)
	if err != nil {
		return nil, err
	}
	w := newWriter(dir, j, now)
	header.Format, header.FormatVersion = Format, FormatVersion
	if err := w.SetHeader(func(m *Manifest) { *m = header }); err != nil {
		j.Close()
		return nil, err
	}
	return w, nil
}

func newWriter(dir string, j *os.File, now time.Time) *Writer {
	return &Writer{dir: dir, journal: j, sources: map[string]*Source{}, files: map[string]*File{},
		next: map[string]string{}, pages: map[string][]string{}, nextOf: map[string]string{}, dirs: map[string]bool{".": true}, started: now}
}

// Dir is the bundle's directory.
func (w *Writer) Dir() string { return w.dir }

// Resumed reports whether the writer continues an earlier run.
func (w *Writer) Resumed() bool { return w.resumed }

// Header returns the bundle's header (tenant, request, runs...).
func (w *Writer) Header() Manifest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.header
}

// SetHeader changes the header and journals it.
func (w *Writer) SetHeader(f func(*Manifest)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(&w.header)
	h := w.header
	h.Sources, h.Files, h.Runs = nil, nil, nil
	return w.append(entry{T: "header", Header: &h})
}

// Plan declares a source. A source the journal already holds keeps its
// pages; one that did not end ok is reopened (status incomplete), so a resumed
// run continues it after its last page.
func (w *Writer) Plan(s Source) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if old, ok := w.sources[s.ID]; ok {
		if old.Status == SourceOK || old.Status == SourceSkipped && s.Status == SourceSkipped {
			return nil
		}
		s.Pages, s.Records, s.Query = old.Pages, old.Records, old.Query
	} else {
		w.order = append(w.order, s.ID)
	}
	if s.Status == "" {
		s.Status = StatusIncomplete
	}
	s.HTTPStatus, s.Code, s.Error = 0, "", ""
	c := s
	w.sources[s.ID] = &c
	return w.append(entry{T: "source", Source: &c})
}

// Progress says where a source stands: its status, pages written and the
// @odata.nextLink of its last page (to continue from, after checking it
// against the endpoint as any live nextLink).
func (w *Writer) Progress(id string) (status string, pages int, next string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.sources[id]
	if !ok {
		return "", 0, ""
	}
	return s.Status, s.Pages, w.next[id]
}

// Pages returns the paths of a source's pages, in order (relative to the
// bundle: join them with Dir).
func (w *Writer) Pages(id string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.pages[id]...)
}

// Query returns the audit log query a source recorded.
func (w *Writer) Query(id string) *AuditQuery {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s, ok := w.sources[id]; ok && s.Query != nil {
		q := *s.Query
		return &q
	}
	return nil
}

// SetQuery records a source's audit log query (before its creation is sent:
// the display name; then its id and status).
func (w *Writer) SetQuery(id string, q AuditQuery) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.sources[id]
	if !ok {
		return fmt.Errorf("bundle: unknown source %s", id)
	}
	s.Query = &q
	return w.append(entry{T: "query", ID: id, Query: &q})
}

// WritePage stores one response body as the next page of a source, exactly
// as received: f names the request and the record count; its path is the
// source's file prefix and the page number. next is the page's
// @odata.nextLink ("" on the last page).
func (w *Writer) WritePage(id string, f File, body []byte, next string) (File, error) {
	w.mu.Lock()
	s, ok := w.sources[id]
	if !ok || s.Files == "" {
		w.mu.Unlock()
		return File{}, fmt.Errorf("bundle: unknown source %s or no file prefix", id)
	}
	f.Page = s.Pages + 1
	f.Path = pagePath(s.Files, f.Page)
	w.mu.Unlock()
	if err := w.writeFile(&f, body); err != nil {
		return File{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.addPage(id, s, &f, next)
	return f, w.append(entry{T: "page", ID: id, File: &f, Next: next})
}

func pagePath(prefix string, n int) string { return fmt.Sprintf("%s-%04d.json", prefix, n) }

// addPage records page f of source s (a page fetched again after an
// interruption replaces its earlier record).
func (w *Writer) addPage(id string, s *Source, f *File, next string) {
	list := w.pages[id]
	if n := len(list); n > 0 && list[n-1] == f.Path {
		old := w.files[f.Path]
		s.Records -= old.Records
		list = list[:n-1]
	}
	w.pages[id] = append(list, f.Path)
	s.Pages = f.Page
	s.Records += f.Records
	w.files[f.Path] = f
	w.next[id] = next
	w.nextOf[f.Path] = next
}

// WriteFile stores a file that is not a page of a source (the audit log
// query object, tenant context). Its path is taken as given.
func (w *Writer) WriteFile(f File, body []byte) (File, error) {
	if err := w.writeFile(&f, body); err != nil {
		return File{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.files[f.Path] = &f
	return f, w.append(entry{T: "page", File: &f})
}

func (w *Writer) writeFile(f *File, body []byte) error {
	if err := checkPath(f.Path); err != nil {
		return err
	}
	if err := w.ensureDir(path.Dir(f.Path)); err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	f.SHA256, f.Bytes = hex.EncodeToString(sum[:]), int64(len(body))
	if f.CollectedAt.IsZero() {
		f.CollectedAt = time.Now().UTC()
	}
	return safefile.CreateNew(filepath.Join(w.dir, filepath.FromSlash(f.Path)), FilePerm, func(out io.Writer) error {
		_, err := out.Write(body)
		return err
	})
}

// ensureDir makes the bundle's subdirectory rel (one level at a time, each
// new 0700 or an existing real directory, never a link).
func (w *Writer) ensureDir(rel string) error {
	w.mu.Lock()
	done := w.dirs[rel]
	w.mu.Unlock()
	if done {
		return nil
	}
	parts := strings.Split(rel, "/")
	for i := range parts {
		sub := strings.Join(parts[:i+1], "/")
		p := filepath.Join(w.dir, filepath.FromSlash(sub))
		err := safefile.MkdirNew(p, DirPerm)
		if errors.Is(err, safefile.ErrExists) {
			err = safefile.RealDir(p)
		}
		if err != nil {
			return err
		}
	}
	w.mu.Lock()
	w.dirs[rel] = true
	w.mu.Unlock()
	return nil
}

// checkPath accepts only the relative, clean, slash-separated names the
// collector makes (no "..", no absolute path, no hidden component).
func checkPath(p string) error {
	if p == "" || path.IsAbs(p) || path.Clean(p) != p || strings.HasPrefix(p, "../") || p == ".." ||
		strings.Contains(p, "\\") || p == ManifestName || p == JournalName {
		return fmt.Errorf("bundle: bad file name %q", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || strings.HasPrefix(part, ".") {
			return fmt.Errorf("bundle: bad file name %q", p)
		}
	}
	return nil
}

// End records how a source ended: SourceOK, or a failure with Graph's status,
// code and (redacted) message.
func (w *Writer) End(id string, end Source) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.sources[id]
	if !ok {
		return fmt.Errorf("bundle: unknown source %s", id)
	}
	s.Status, s.HTTPStatus, s.Code, s.Error = end.Status, end.HTTPStatus, end.Code, end.Error
	if end.Note != "" {
		s.Note = end.Note
	}
	e := Source{Status: end.Status, HTTPStatus: end.HTTPStatus, Code: end.Code, Error: end.Error, Note: end.Note}
	return w.append(entry{T: "end", ID: id, End: &e})
}

func (w *Writer) append(e entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := w.journal.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", JournalName, err)
	}
	return nil
}

// Manifest assembles the manifest as it stands: the bundle's status follows
// from its sources (complete, partial, failed when nothing was read) unless
// interrupted.
func (w *Writer) Manifest(run Run) Manifest {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.header
	m.Dir = w.dir
	m.Runs = append([]Run(nil), w.header.Runs...)
	m.Sources = make([]Source, 0, len(w.order))
	okN, failed, incomplete := 0, 0, 0
	for _, id := range w.order {
		s := *w.sources[id]
		m.Sources = append(m.Sources, s)
		switch s.Status {
		case SourceOK:
			okN++
		case SourceSkipped:
		case StatusIncomplete:
			incomplete++
		default:
			failed++
		}
	}
	m.Files = make([]File, 0, len(w.files))
	for _, f := range w.files {
		m.Files = append(m.Files, *f)
	}
	slices.SortFunc(m.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	switch {
	case okN == 0 && incomplete == 0:
		m.Status = StatusFailed
	case incomplete > 0:
		m.Status = StatusIncomplete
	case failed > 0:
		m.Status = StatusPartial
	default:
		m.Status = StatusComplete
	}
	run.Outcome = m.Status
	m.Runs = append(m.Runs, run)
	return m
}

// Close writes manifest.json for this run (replacing the previous run's, in
// this bundle only) and closes the journal.
func (w *Writer) Close(run Run) (*Manifest, error) {
	m := w.Manifest(run)
	w.mu.Lock()
	err := w.append(entry{T: "run", Run: &m.Runs[len(m.Runs)-1]})
	w.header.Runs = m.Runs
	w.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := w.journal.Sync(); err != nil {
		return nil, err
	}
	if err := w.journal.Close(); err != nil {
		return nil, err
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	err = safefile.Write(filepath.Join(w.dir, ManifestName), FilePerm, func(out io.Writer) error {
		_, err := out.Write(append(raw, '\n'))
		return err
	})
	return &m, err
}

// Abort closes a resumed bundle's journal without recording a run: the
// resume stopped before it read anything (no credential, another tenant),
// so the bundle stays as the last run left it.
func (w *Writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.journal.Close()
}

// Resume reopens the bundle at dir to continue it: it replays the journal,
// checks every file the journal names (a regular file of the recorded size
// and SHA-256; a changed file is an input error naming it), drops a last page
// an interrupted run recorded but never put in place, and removes files the
// interrupted run put in place but never recorded, so they are fetched again.
// removed lists those.
func Resume(dir string, now time.Time) (w *Writer, removed []string, err error) {
	if err := safefile.RealDir(dir); err != nil {
		return nil, nil, inputerr.New(dir, "not an evidence bundle directory: %v", err)
	}
	jp := filepath.Join(dir, JournalName)
	raw, err := os.ReadFile(jp)
	if err != nil {
		return nil, nil, inputerr.New(dir, "not an evidence bundle (no %s): %v", JournalName, err)
	}
	w = newWriter(dir, nil, now)
	w.resumed = true
	if err := w.replay(jp, raw); err != nil {
		return nil, nil, err
	}
	if w.header.Format != Format {
		return nil, nil, inputerr.New(jp, "not a tenantgate evidence journal")
	}
	if err := w.checkFiles(); err != nil {
		return nil, nil, err
	}
	if removed, err = w.removeStrays(); err != nil {
		return nil, nil, err
	}
	j, err := safefile.OpenAppend(jp, FilePerm)
	if err != nil {
		return nil, nil, err
	}
	w.journal = j
	return w, removed, nil
}

func (w *Writer) replay(jp string, raw []byte) error {
	lines := bytes.Split(raw, []byte("\n"))
	for i, line := range lines {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e entry
		if err := json.Unmarshal(line, &e); err != nil {
			if i == len(lines)-1 {
				break // a line cut by the interruption: never acted on
			}
			return inputerr.At(jp, i+1, "damaged journal line: %v", err)
		}
		if err := w.apply(e); err != nil {
			return inputerr.At(jp, i+1, "%v", err)
		}
	}
	return nil
}

func (w *Writer) apply(e entry) error {
	switch e.T {
	case "header":
		if e.Header == nil {
			return errors.New("header entry without a header")
		}
		runs := w.header.Runs
		w.header = *e.Header
		w.header.Runs = runs
	case "source":
		if e.Source == nil || e.Source.ID == "" {
			return errors.New("source entry without a source")
		}
		if _, ok := w.sources[e.Source.ID]; !ok {
			w.order = append(w.order, e.Source.ID)
		}
		s := *e.Source
		w.sources[s.ID] = &s
	case "page":
		if e.File == nil {
			return errors.New("page entry without a file")
		}
		if err := checkPath(e.File.Path); err != nil {
			return err
		}
		f := *e.File
		if e.ID == "" {
			w.files[f.Path] = &f
			break
		}
		s, ok := w.sources[e.ID]
		if !ok || s.Files == "" || f.Path != pagePath(s.Files, f.Page) || f.Page > s.Pages+1 {
			return fmt.Errorf("page %s does not follow source %s", f.Path, e.ID)
		}
		w.addPage(e.ID, s, &f, e.Next)
	case "query":
		s, ok := w.sources[e.ID]
		if !ok || e.Query == nil {
			return fmt.Errorf("query of unknown source %s", e.ID)
		}
		q := *e.Query
		s.Query = &q
	case "end":
		s, ok := w.sources[e.ID]
		if !ok || e.End == nil {
			return fmt.Errorf("end of unknown source %s", e.ID)
		}
		s.Status, s.HTTPStatus, s.Code, s.Error = e.End.Status, e.End.HTTPStatus, e.End.Code, e.End.Error
		if e.End.Note != "" {
			s.Note = e.End.Note
		}
	case "run":
		if e.Run != nil {
			w.header.Runs = append(w.header.Runs, *e.Run)
		}
	default:
		return fmt.Errorf("unknown journal entry %q", e.T)
	}
	return nil
}

// checkFiles verifies every journaled file. Only the last page of a source
// not yet ended may be missing (recorded, then interrupted before it was put
// in place): it is forgotten and fetched again.
func (w *Writer) checkFiles() error {
	last := map[string]string{} // last page of each unfinished source -> source id
	for id, list := range w.pages {
		if s := w.sources[id]; s.Status != SourceOK && len(list) > 0 {
			last[list[len(list)-1]] = id
		}
	}
	paths := make([]string, 0, len(w.files))
	for p := range w.files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		f := w.files[p]
		full := filepath.Join(w.dir, filepath.FromSlash(p))
		err := VerifyFile(full, f.Bytes, f.SHA256)
		if id, ok := last[p]; ok && errors.Is(err, fs.ErrNotExist) {
			s, list := w.sources[id], w.pages[id]
			s.Pages--
			s.Records -= f.Records
			delete(w.files, p)
			delete(w.nextOf, p)
			w.pages[id] = list[:len(list)-1]
			w.next[id] = ""
			if n := len(list) - 1; n > 0 {
				w.next[id] = w.nextOf[list[n-1]]
			}
			continue
		}
		if err != nil {
			return inputerr.New(full, "%v: the bundle was changed since it was written; it cannot be resumed", err)
		}
	}
	return nil
}

// removeStrays deletes what an interrupted run left behind without recording
// it: temporary files, and page files no journal line names (put in place
// just before the interruption, never part of the bundle).
func (w *Writer) removeStrays() ([]string, error) {
	var removed []string
	err := filepath.WalkDir(w.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(w.dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if d.Type()&fs.ModeSymlink != 0 {
				return fmt.Errorf("%s is a symbolic link inside the bundle", p)
			}
			return nil
		}
		if rel == ManifestName || rel == JournalName {
			return nil
		}
		if _, ok := w.files[rel]; ok {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".tenantgate-") && strings.HasSuffix(d.Name(), ".tmp") || d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".json") {
			if err := os.Remove(p); err != nil {
				return err
			}
			removed = append(removed, rel)
			return nil
		}
		return inputerr.New(p, "not part of the evidence bundle (no journal entry names it)")
	})
	return removed, err
}

// VerifyFile checks that path is a regular file (not a link) of size bytes
// and SHA-256 sum.
func VerifyFile(p string, size int64, sum string) error {
	st, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("not a regular file")
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, bufio.NewReader(f))
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != size || got != sum {
		return fmt.Errorf("SHA-256 %s (%d bytes) differs from the recorded %s (%d bytes)", got, n, sum, size)
	}
	return nil
}
