package cqc

import (
	"context"
	"sync"

	"github.com/sourcegraph/conc/pool"
)

// task is one unit of work: a list or changes page, or a detail fetch. It
// returns an error only when the whole run must stop (401, broken archive);
// an item that fails or is left for later is recorded, not returned.
type task func(ctx context.Context) error

// sched runs tasks on a bounded conc pool. Tasks may queue more tasks while
// they run (a page queues the next page and its details). Pages go before
// details, so the work ahead is discovered early. run returns when no task
// is queued or running, or once stop says so (the queued rest is left).
type sched struct {
	mu      sync.Mutex
	pages   []task
	details []task
	running int
	wake    chan struct{}
}

func newSched() *sched { return &sched{wake: make(chan struct{}, 1)} }

func (s *sched) pushPage(t task)   { s.push(&s.pages, t) }
func (s *sched) pushDetail(t task) { s.push(&s.details, t) }

func (s *sched) push(lane *[]task, t task) {
	s.mu.Lock()
	*lane = append(*lane, t)
	s.mu.Unlock()
	s.signal()
}

func (s *sched) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// next pops the next task; idle is true when nothing is queued or running.
func (s *sched) next() (t task, idle bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, lane := range []*[]task{&s.pages, &s.details} {
		if len(*lane) > 0 {
			t = (*lane)[0]
			(*lane)[0] = nil
			*lane = (*lane)[1:]
			s.running++
			return t, false
		}
	}
	return nil, s.running == 0
}

func (s *sched) finished() {
	s.mu.Lock()
	s.running--
	s.mu.Unlock()
	s.signal()
}

// run executes queued tasks with at most workers at once until all are done,
// ctx ends or stop() is true. onFatal is called with the first fatal error,
// before the other tasks are cancelled; run returns that error (what the
// other tasks return once cancelled does not count).
func (s *sched) run(ctx context.Context, workers int, stop func() bool, onFatal func(error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := pool.New().WithMaxGoroutines(workers).WithContext(ctx)
	var (
		once  sync.Once
		fatal error
	)
	for ctx.Err() == nil && !stop() {
		t, idle := s.next()
		if idle {
			break
		}
		if t == nil {
			select {
			case <-s.wake:
			case <-ctx.Done():
			}
			continue
		}
		p.Go(func(ctx context.Context) error {
			defer s.finished()
			if err := t(ctx); err != nil {
				once.Do(func() { fatal = err; onFatal(err); cancel() })
			}
			return nil
		})
	}
	_ = p.Wait() // tasks report through fatal
	return fatal
}
