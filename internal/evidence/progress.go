package evidence

import (
	"fmt"
	"io"
	"sync"

	"github.com/schollz/progressbar/v3"
)

// progress shows pages and records collected on a terminal's stderr (nil
// writer: nothing). The total is unknown until the last page, so it counts.
type progress struct {
	mu      sync.Mutex
	bar     *progressbar.ProgressBar
	records int64
}

func newProgress(w io.Writer) *progress {
	if w == nil {
		return &progress{}
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
	if p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.records += int64(records)
	p.bar.Describe(fmt.Sprintf("evidence: %d records", p.records))
	_ = p.bar.Add(1)
}

func (p *progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
