// Package read turns exported logs into hunt's event model. A file's kind
// is recognised from its content (header row or JSON shape), never from its
// name. Files are streamed, never read whole: a reader goroutine per file
// cuts records (CSV rows, JSON records) into chunks, and mapping workers on
// every core parse them into events. Bad rows are counted and listed with
// their file and line; duplicates (same record id) are dropped and counted.
package read

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/valyala/fastjson"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
	"github.com/tenantgate/tenantgate/internal/inputerr"
)

// MaxBadShare is the share of bad rows above which a file is refused
// (hunt.md: more than 1%), unless Options.AllowBadRows.
const MaxBadShare = 0.01

// Options tune a read.
type Options struct {
	// SkipUnknown turns an unrecognised file into a warning (File.Skipped)
	// instead of an input error.
	SkipUnknown bool
	// AllowBadRows reads files with more than 1% bad rows.
	AllowBadRows bool
	// Keep says which events are candidates of a detection and keep their
	// Detail (kind, normalised operation, UAL RecordType). nil keeps all.
	Keep func(kind event.Kind, opKey string, recordType int16) bool
	// Workers maps records on this many goroutines (default GOMAXPROCS).
	Workers int
	// Progress, when set, is called with the number of bytes read from the
	// files as reading advances (from several goroutines).
	Progress func(n int64)
	// FS, when set, holds the files (paths are relative to it: the embedded
	// demo set); otherwise they are read from the operating system.
	FS fs.FS
}

// File is what was read from one input file.
type File struct {
	Path       string
	Kind       event.Kind // 0 for a skipped file
	Format     string     // "portal sign-in CSV", "unified audit log JSON (AuditData)", ...
	Encoding   string
	Records    int // records read, duplicates included, bad rows excluded
	Duplicates int // records dropped as repeats of an earlier record
	BadRows    int
	Skipped    string // why the file was not read, when it was not
	Companion  bool   // a companion file (AuthDetails): records feed a side table
	From, To   int64  // time range of its events (Unix ns; 0 when none)
}

// BadRow is a record that could not be read.
type BadRow struct {
	File   string
	Line   int
	Reason string
}

// Logs is everything read.
type Logs struct {
	Strings *event.Strings
	Files   []File
	// Events are deduplicated and sorted by time; records without a time
	// (inbox rule exports) come last, in file order.
	Events  []event.Event
	BadRows []BadRow
	// Auth holds the sign-ins' authentication steps by request id (the
	// portal's AuthDetails companion, Graph's authenticationDetails).
	Auth map[string][]AuthStep
}

const chunkRows = 512

// job is a chunk of one file's records.
type job struct {
	file    int
	seq     int
	csv     csvMapper
	json    jsonMapper
	context string
	lines   []int
	ords    []uint32   // record ordinals in the file
	recOffs []int64    // record byte offsets in the file (-1: not seekable)
	rows    [][]string // CSV
	raw     []byte     // JSON records, back to back
	offs    []int      // JSON record bounds in raw (len(lines)+1)
}

type result struct {
	worker  int
	seq     int
	events  []event.Event
	bad     []BadRow
	records int
}

// Read reads every file. strs interns the events' strings.
func Read(ctx context.Context, paths []string, strs *event.Strings, opts Options) (*Logs, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	seed := maphash.MakeSeed()
	logs := &Logs{Strings: strs, Files: make([]File, len(paths)), Auth: map[string][]AuthStep{}}
	jobs := make(chan *job, 2*workers)
	results := make([][]result, len(paths))
	var mu sync.Mutex
	var wg sync.WaitGroup
	tables := make([]*event.Strings, workers)
	for wi := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(wi, opts.Keep)
			tables[wi] = w.in
			for j := range jobs {
				r := w.run(j, paths[j.file])
				mu.Lock()
				results[j.file] = append(results[j.file], r)
				mu.Unlock()
			}
			mu.Lock()
			for k, v := range w.auth {
				logs.Auth[k] = append(logs.Auth[k], v...)
			}
			mu.Unlock()
		}()
	}
	errs := make([]error, len(paths))
	readerBad := make([][]BadRow, len(paths))
	sem := make(chan struct{}, max(1, min(workers, 2)))
	var rg sync.WaitGroup
	for i, p := range paths {
		sem <- struct{}{}
		if ctx.Err() != nil {
			<-sem
			break
		}
		rg.Add(1)
		go func() {
			defer rg.Done()
			defer func() { <-sem }()
			fr := &fileReader{idx: i, path: p, jobs: jobs, file: &logs.Files[i], opts: &opts, ctx: ctx}
			logs.Files[i].Path = p
			if err := fr.read(); err != nil {
				errs[i] = err
				cancel()
			}
			readerBad[i] = fr.bad
		}()
	}
	rg.Wait()
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	// Assemble in file order, then chunk order: the order every later step
	// (and "a repeat is charged to the file read later") relies on.
	total := 0
	for i := range paths {
		slices.SortFunc(results[i], func(a, b result) int { return cmp.Compare(a.seq, b.seq) })
		for _, r := range results[i] {
			total += len(r.events)
		}
	}
	remap := make([][]event.Sym, workers)
	for wi, t := range tables {
		remap[wi] = strs.Merge(t)
		tables[wi] = nil // its strings are the run's now; its maps can go
	}
	// Copy the chunks into one slice, dropping repeats on the way, and let
	// each chunk go as soon as it is copied: the events exist twice only
	// one chunk at a time.
	events := make([]event.Event, 0, total)
	dd := newDeduper(seed, total)
	for i, p := range paths {
		f := &logs.Files[i]
		bads := readerBad[i]
		for k := range results[i] {
			r := &results[i][k]
			m := remap[r.worker]
			for j := range r.events {
				e := &r.events[j]
				e.Remap(m)
				if dd.repeat(e) {
					f.Duplicates++
					continue
				}
				events = append(events, *e)
			}
			f.Records += r.records
			bads = append(bads, r.bad...)
			r.events = nil
		}
		results[i] = nil
		sort.SliceStable(bads, func(a, b int) bool { return bads[a].Line < bads[b].Line })
		f.BadRows = len(bads)
		logs.BadRows = append(logs.BadRows, bads...)
		if n := f.Records + f.BadRows; f.BadRows > 0 && !opts.AllowBadRows && float64(f.BadRows) > MaxBadShare*float64(n) {
			return nil, inputerr.At(p, bads[0].Line, "%d of %d records cannot be read (more than 1%%); first: %s (--allow-bad-rows reads the rest and lists them)", f.BadRows, n, bads[0].Reason)
		}
	}
	for k, steps := range logs.Auth {
		sort.SliceStable(steps, func(a, b int) bool {
			return steps[a].file < steps[b].file || steps[a].file == steps[b].file && steps[a].line < steps[b].line
		})
		logs.Auth[k] = oneSource(steps)
	}
	logs.Events = events
	sortByTime(logs.Events, strs)
	for i := range logs.Events {
		e := &logs.Events[i]
		f := &logs.Files[e.File]
		if e.Time != 0 {
			if f.From == 0 || e.Time < f.From {
				f.From = e.Time
			}
			if e.Time > f.To {
				f.To = e.Time
			}
		}
	}
	return logs, nil
}

// sortByTime orders events by time, timeless records last. Records of the
// same time are ordered on their content (kind, operation, user, target,
// address, session, user agent, record id), not on where they stand in the
// files: the same records exported in another order or format (newest
// first, grouped by record type, Graph pages) give the same timeline,
// findings and evidence lists. Only identical records keep file order. It
// sorts small indexes and then permutes the events in place: a stable sort
// moving whole events is several times slower on a million of them, and a
// copy would double the memory.
func sortByTime(ev []event.Event, strs *event.Strings) {
	idx := make([]int32, len(ev))
	for i := range idx {
		idx[i] = int32(i)
	}
	key := func(i int32) int64 {
		if t := ev[i].Time; t != 0 {
			return t
		}
		return math.MaxInt64
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := cmp.Compare(key(a), key(b)); c != 0 {
			return c
		}
		if c := sameTime(&ev[a], &ev[b], strs); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	// Apply the permutation: position i receives ev[idx[i]].
	for i := range idx {
		if idx[i] < 0 {
			continue
		}
		tmp := ev[i]
		j := int32(i)
		for {
			k := idx[j]
			idx[j] = -1
			if k == int32(i) {
				ev[j] = tmp
				break
			}
			ev[j] = ev[k]
			j = k
		}
	}
}

// sameTime orders two records of the same time on their content.
func sameTime(x, y *event.Event, strs *event.Strings) int {
	if c := cmp.Compare(x.Kind, y.Kind); c != 0 {
		return c
	}
	for _, p := range [...][2]event.Sym{{x.OpKey, y.OpKey}, {x.User, y.User}, {x.Target, y.Target}, {x.IP, y.IP}, {x.Session, y.Session}, {x.UA, y.UA}} {
		if p[0] != p[1] {
			if c := strings.Compare(strs.Str(p[0]), strs.Str(p[1])); c != 0 {
				return c
			}
		}
	}
	return strings.Compare(x.ID, y.ID)
}

// deduper finds repeats of a record id within a kind; called in file
// order, it keeps the first and each repeat is charged to its own file. A
// sign-in's key is its request id with its time and outcome.
type deduper struct {
	seed, seed2 maphash.Seed
	seen        []map[[2]uint64]struct{}
	hint        int
}

func newDeduper(seed maphash.Seed, hint int) *deduper {
	return &deduper{seed: seed, seed2: maphash.MakeSeed(), seen: make([]map[[2]uint64]struct{}, len(event.Kinds)+1), hint: hint}
}

func (d *deduper) repeat(e *event.Event) bool {
	if e.ID == "" {
		return false
	}
	m := d.seen[e.Kind]
	if m == nil {
		m = make(map[[2]uint64]struct{}, d.hint/2)
		d.seen[e.Kind] = m
	}
	id := e.ID
	if e.Kind == event.SignIns {
		// The portal writes an MFA-interrupted sign-in and its
		// completion under one Request ID: only a row repeated with
		// the same time and outcome is a duplicate.
		id = fmt.Sprintf("%s|%d|%d", e.ID, e.Time, e.ErrorCode)
	}
	k := [2]uint64{maphash.String(d.seed, id), maphash.String(d.seed2, id)}
	if _, dup := m[k]; dup {
		return true
	}
	m[k] = struct{}{}
	return false
}

// run maps one chunk.
func (w *worker) run(j *job, path string) result {
	w.file = uint32(j.file)
	w.out = make([]event.Event, 0, len(j.lines))
	r := result{seq: j.seq, worker: w.id}
	for i, line := range j.lines {
		n := len(w.out)
		err := w.mapOne(j, i, line)
		for k := n; k < len(w.out); k++ {
			w.out[k].Rec, w.out[k].Off = j.ords[i], j.recOffs[i]
		}
		if err != nil {
			r.bad = append(r.bad, BadRow{File: path, Line: line, Reason: err.Error()})
			continue
		}
		r.records++
	}
	r.events = w.out
	w.out = nil
	return r
}

// mapOne maps record i of a chunk.
func (w *worker) mapOne(j *job, i, line int) error {
	if j.rows != nil {
		return j.csv(w, j.rows[i], line)
	}
	v, err := w.p.ParseBytes(j.raw[j.offs[i]:j.offs[i+1]])
	if err != nil {
		return bad("invalid JSON: %v", err)
	}
	return j.json(w, v, line, j.context)
}

// fileReader reads one file: into jobs for the workers (a first read), or,
// given want, only the records at those ordinals, mapped on the spot (a
// second read for their Detail).
type fileReader struct {
	idx  int
	path string
	jobs chan<- *job
	file *File
	opts *Options
	ctx  context.Context
	seq  int
	ord  uint32
	bad  []BadRow
	cur  *job

	want    map[uint32]bool
	w       *worker
	details map[uint32][]byte
	// prefix is the offset of the text in the file (a BOM, a #TYPE line);
	// -1 when text offsets are not file offsets.
	prefix int64
}

// record delivers one record (a CSV row, or JSON bytes valid until the
// next call) with its physical line.
func (fr *fileReader) record(mk func() *job, row []string, raw []byte, line int, off int64) error {
	ord := fr.ord
	fr.ord++
	if fr.prefix < 0 {
		off = -1
	} else {
		off += fr.prefix
	}
	if fr.want != nil {
		if !fr.want[ord] {
			return nil
		}
		j := mk()
		j.ords, j.lines, j.recOffs = []uint32{ord}, []int{line}, []int64{off}
		if row != nil {
			j.rows = [][]string{row}
		} else {
			j.raw, j.offs = raw, []int{0, len(raw)}
		}
		fr.w.out = fr.w.out[:0]
		if err := fr.w.mapOne(j, 0, line); err == nil && len(fr.w.out) > 0 {
			fr.details[ord] = fr.w.out[0].Detail
		}
		return nil
	}
	if fr.cur == nil {
		fr.cur = mk()
	}
	j := fr.cur
	j.lines = append(j.lines, line)
	j.ords = append(j.ords, ord)
	j.recOffs = append(j.recOffs, off)
	if row != nil {
		j.rows = append(j.rows, row)
	} else {
		j.offs = append(j.offs, len(j.raw))
		j.raw = append(j.raw, raw...)
	}
	if len(j.lines) == chunkRows {
		return fr.flush()
	}
	return nil
}

// flush sends the current chunk.
func (fr *fileReader) flush() error {
	j := fr.cur
	fr.cur = nil
	if j == nil || len(j.lines) == 0 {
		return nil
	}
	if j.rows == nil {
		j.offs = append(j.offs, len(j.raw))
	}
	return fr.send(j)
}

// errUnknown is an unrecognised file.
func (fr *fileReader) unknown(why string) error {
	if fr.opts.SkipUnknown {
		fr.file.Skipped = "not recognised: " + why
		return nil
	}
	return inputerr.New(fr.path, "not a log this tool reads: %s (sign-in, directory audit, unified audit log or inbox rule exports; --skip-unknown skips such files)", why)
}

func (fr *fileReader) send(j *job) error {
	j.file, j.seq = fr.idx, fr.seq
	fr.seq++
	select {
	case fr.jobs <- j:
		return nil
	case <-fr.ctx.Done():
		return fr.ctx.Err()
	}
}

func (fr *fileReader) read() error {
	var f io.ReadCloser
	var err error
	if fr.opts.FS != nil {
		f, err = fr.opts.FS.Open(fr.path)
	} else {
		f, err = os.Open(fr.path)
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return inputerr.New(fr.path, "cannot read: %v", err)
	}
	defer f.Close()
	br, enc, prefix, err := decoded(&counter{r: f, on: fr.opts.Progress})
	if err != nil {
		return inputerr.New(fr.path, "cannot decode: %v", err)
	}
	fr.file.Encoding, fr.prefix = enc, prefix
	first, err := firstByte(br)
	if err != nil {
		return inputerr.New(fr.path, "cannot read: %v", err)
	}
	// A compressed export is named as such, not as CSV of binary columns.
	if head, _ := br.Peek(4); bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		return fr.unknown("gzip-compressed: decompress it first (gunzip)")
	} else if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return fr.unknown("a zip archive: extract it first")
	}
	switch first {
	case 0:
		return fr.unknown("the file is empty")
	case '[', '{':
		err = fr.readJSON(br)
	default:
		err = fr.readCSV(br)
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// firstByte is the first non-space byte (0 for an empty file).
func firstByte(br *bufio.Reader) (byte, error) {
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if len(b) < i {
			if err == nil || errors.Is(err, io.EOF) || errors.Is(err, bufio.ErrBufferFull) {
				return 0, nil
			}
			return 0, err
		}
		switch c := b[i-1]; c {
		case ' ', '\t', '\r', '\n':
		default:
			return c, nil
		}
	}
}

func (fr *fileReader) readCSV(br *bufio.Reader) error {
	offset := 0
	if head, _ := br.Peek(5); string(head) == "#TYPE" {
		l, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return inputerr.New(fr.path, "cannot read: %v", err)
		}
		offset = 1
		if fr.prefix >= 0 {
			fr.prefix += int64(len(l))
		}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	hdr, err := cr.Read()
	if err != nil {
		return fr.unknown("no CSV header row")
	}
	h := newHeader(hdr)
	cf, ok := recognizeCSV(h)
	if !ok {
		return fr.unknown(fmt.Sprintf("unknown CSV columns (%s)", headSummary(hdr)))
	}
	if cf.skip != "" {
		fr.file.Skipped = cf.skip
		return nil
	}
	fr.file.Kind, fr.file.Format, fr.file.Companion = cf.kind, cf.name, cf.companion
	mk := func() *job { return &job{csv: cf.mapper} }
	for {
		if fr.ctx.Err() != nil {
			return fr.ctx.Err()
		}
		off := cr.InputOffset()
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		line += offset
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				fr.bad = append(fr.bad, BadRow{File: fr.path, Line: pe.StartLine + offset, Reason: "CSV: " + pe.Err.Error()})
				continue
			}
			return inputerr.New(fr.path, "cannot read: %v", err)
		}
		if len(row) != len(hdr) {
			if len(row) == 1 && row[0] == "" {
				continue
			}
			fr.bad = append(fr.bad, BadRow{File: fr.path, Line: line, Reason: fmt.Sprintf("%d columns where the header has %d", len(row), len(hdr))})
			continue
		}
		if err := fr.record(mk, row, nil, line, off); err != nil {
			return err
		}
	}
	return fr.flush()
}

func headSummary(h []string) string {
	if len(h) > 4 {
		h = append(h[:4:4], "...")
	}
	return fmt.Sprintf("%q", h)
}

func (fr *fileReader) readJSON(br *bufio.Reader) error {
	sc := newJSONScanner(br)
	var jf jsonFormat
	recognised := false
	var p fastjson.Parser
	var context string
	mk := func() *job { return &job{json: jf.mapper, context: context} }
	for {
		if fr.ctx.Err() != nil {
			return fr.ctx.Err()
		}
		rec, line, err := sc.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *syntaxError
			if errors.As(err, &se) {
				return inputerr.At(fr.path, se.line, "%s", se.msg)
			}
			return inputerr.New(fr.path, "cannot read: %v", err)
		}
		if !recognised {
			v, perr := p.ParseBytes(rec)
			if perr != nil {
				return inputerr.At(fr.path, line, "invalid JSON in the first record: %v", perr)
			}
			var ok bool
			if jf, ok = recognizeJSON(v, sc.context); !ok {
				return fr.unknown("unknown JSON record shape")
			}
			recognised = true
			fr.file.Kind, fr.file.Format = jf.kind, jf.name
		}
		if sc.context != context {
			// A page of another mailbox (messageRules): a chunk holds one context.
			if err := fr.flush(); err != nil {
				return err
			}
			context = sc.context
		}
		if err := fr.record(mk, nil, rec, line, sc.last); err != nil {
			return err
		}
	}
	if !recognised {
		if jf, ok := recognizeJSON(nil, sc.context); ok {
			fr.file.Kind, fr.file.Format = jf.kind, jf.name
			return nil
		}
		return fr.unknown("no records")
	}
	return fr.flush()
}

// Record names a record to read again: its ordinal in the file and its
// byte offset (-1: unknown).
type Record struct {
	Ord uint32
	Off int64
}

// Details reads again the records of one file and returns their Detail by
// ordinal (absent when a record has none). The first read keeps Detail only
// for candidates known before correlation; the records correlation later
// attributes to the attacker (mail sent, read, deleted, files downloaded)
// are few, so reading them twice costs less than holding the Detail of
// every mail read in memory. When the file is UTF-8 and seekable, each
// record is read at its offset; otherwise the file is read through again.
func Details(ctx context.Context, fsys fs.FS, path string, recs []Record) (map[uint32][]byte, error) {
	seek := len(recs) > 0
	for _, r := range recs {
		seek = seek && r.Off >= 0
	}
	if seek {
		if got, ok, err := detailsAt(fsys, path, recs); ok || err != nil {
			return got, err
		}
	}
	fr := &fileReader{path: path, file: &File{Path: path}, opts: &Options{FS: fsys}, ctx: ctx,
		want: map[uint32]bool{}, w: newWorker(0, nil), details: map[uint32][]byte{}}
	for _, r := range recs {
		fr.want[r.Ord] = true
	}
	if err := fr.read(); err != nil {
		return nil, err
	}
	return fr.details, nil
}

// detailsAt reads each record at its offset; ok is false when the file
// cannot seek (then the caller reads it through).
func detailsAt(fsys fs.FS, path string, recs []Record) (map[uint32][]byte, bool, error) {
	var f io.ReadCloser
	var err error
	if fsys != nil {
		f, err = fsys.Open(path)
	} else {
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, false, inputerr.New(path, "cannot read: %v", err)
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return nil, false, nil
	}
	// The file's shape, from its start, as the first read saw it.
	br, _, prefix, err := decoded(rs)
	if err != nil || prefix < 0 {
		return nil, false, err
	}
	first, err := firstByte(br)
	if err != nil || first == 0 {
		return nil, false, err
	}
	w := newWorker(0, nil)
	out := map[uint32][]byte{}
	keep := func(ord uint32) {
		if len(w.out) > 0 {
			out[ord] = w.out[0].Detail
		}
		w.out = w.out[:0]
	}
	if first == '[' || first == '{' {
		sc := newJSONScanner(br)
		rec, _, err := sc.Next()
		if err != nil {
			return nil, false, nil
		}
		var p fastjson.Parser
		v, err := p.ParseBytes(rec)
		if err != nil {
			return nil, false, nil
		}
		jf, ok := recognizeJSON(v, sc.context)
		if !ok {
			return nil, false, nil
		}
		for _, r := range recs {
			if _, err := rs.Seek(r.Off, io.SeekStart); err != nil {
				return nil, false, nil
			}
			rec, _, err := newJSONScanner(bufio.NewReader(rs)).Next()
			if err != nil {
				return nil, false, nil
			}
			if v, err := w.p.ParseBytes(rec); err == nil && jf.mapper(w, v, 0, sc.context) == nil {
				keep(r.Ord)
			}
		}
		return out, true, nil
	}
	if head, _ := br.Peek(5); string(head) == "#TYPE" {
		if _, err := br.ReadString('\n'); err != nil {
			return nil, false, nil
		}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord, cr.LazyQuotes = -1, true
	hdr, err := cr.Read()
	if err != nil {
		return nil, false, nil
	}
	cf, ok := recognizeCSV(newHeader(hdr))
	if !ok || cf.mapper == nil {
		return nil, false, nil
	}
	for _, r := range recs {
		if _, err := rs.Seek(r.Off, io.SeekStart); err != nil {
			return nil, false, nil
		}
		cr := csv.NewReader(bufio.NewReader(rs))
		cr.FieldsPerRecord, cr.LazyQuotes = -1, true
		row, err := cr.Read()
		if err != nil {
			return nil, false, nil
		}
		if cf.mapper(w, row, 0) == nil {
			keep(r.Ord)
		}
	}
	return out, true, nil
}
