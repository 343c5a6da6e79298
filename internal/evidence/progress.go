package evidence

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows pages and records collected: a bar on a terminal's
// stderr, else (lines set) a line at most every so often; nil writers:
// nothing. The total is unknown until the last page, so it counts.
type progress struct {
	mu      sync.Mutex
	bar     *progressbar.ProgressBar
	records int64
	pages   int64
	lines   io.Writer
	every   time.Duration
	last    time.Time
}

func newProgress(w, lines io.Writer, every time.Duration) *progress {
	if w == nil {
		return &progress{lines: lines, every: every, last: time.Now()}
	}
	return &progress{bar: progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("evidence: collecting"),
		progressbar.OptionSetItsString("pages"),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progress) page(records int) {
	if p.bar == nil && p.lines == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.records += int64(records)
	p.pages++
	if p.bar == nil {
		if now := time.Now(); now.Sub(p.last) >= p.every {
			p.last = now
			fmt.Fprintf(p.lines, "evidence: %d records in %d pages so far\n", p.records, p.pages)
		}
		return
	}
	p.bar.Describe(fmt.Sprintf("evidence: %d records", p.records))
	_ = p.bar.Add(1)
}

// note writes a line of news (the audit log query's state) with the
// progress lines; a terminal's bar leaves it to the verbose log.
func (p *progress) note(format string, args ...any) {
	if p.lines == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.lines, "evidence: "+format, args...)
}

func (p *progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
