package cqc

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// progress reports a run as it goes: a one-line bar rewritten in place on a
// terminal, or a log line every so often otherwise.
type progress struct {
	bar      io.Writer
	logEvery time.Duration
	log      *slog.Logger
	snap     func() progressSnap

	stop chan struct{}
	done sync.WaitGroup
}

// progressSnap is one reading of the run's counters.
type progressSnap struct {
	phase          string
	calls          int
	maxCalls       int
	done, total    int
	remainingCalls int
	perSecond      float64 // the budget's rate
}

func (s progressSnap) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cqc %-8s calls %d", s.phase, s.calls)
	if s.maxCalls > 0 {
		fmt.Fprintf(&b, "/%d", s.maxCalls)
	}
	fmt.Fprintf(&b, "  items %d/%d", s.done, s.total)
	if s.total > 0 {
		fmt.Fprintf(&b, " %3.0f%%", 100*float64(s.done)/float64(s.total))
	}
	if s.perSecond > 0 {
		eta := time.Duration(float64(s.remainingCalls) / s.perSecond * float64(time.Second))
		fmt.Fprintf(&b, "  ETA %s", eta.Round(time.Second))
	}
	return b.String()
}

func startProgress(bar io.Writer, logEvery time.Duration, log *slog.Logger, snap func() progressSnap) *progress {
	p := &progress{bar: bar, logEvery: logEvery, log: log, snap: snap, stop: make(chan struct{})}
	if bar == nil && logEvery <= 0 {
		return p
	}
	every := logEvery
	if bar != nil {
		every = 250 * time.Millisecond
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.render()
			}
		}
	}()
	return p
}

func (p *progress) render() {
	s := p.snap()
	if p.bar != nil {
		// \r and clear-to-end-of-line: the bar rewrites itself.
		fmt.Fprintf(p.bar, "\r%s\x1b[K", s.line())
		return
	}
	p.log.Info("cqc extract progress", "phase", s.phase, "calls", s.calls, "items_done", s.done,
		"items_total", s.total, "eta", time.Duration(float64(s.remainingCalls)/s.perSecond*float64(time.Second)).Round(time.Second).String())
}

// end stops the reports; a bar gets its final state and a newline.
func (p *progress) end() {
	close(p.stop)
	p.done.Wait()
	if p.bar != nil {
		fmt.Fprintf(p.bar, "\r%s\x1b[K\n", p.snap().line())
	}
}
