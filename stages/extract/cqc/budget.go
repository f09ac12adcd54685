package cqc

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"carelake/schemas/archive"
)

// budget is the one rate budget every worker of a run shares: no more than
// limit calls in any sliding window, retries included.
//
// It keeps a time for each of the last limit calls (a sliding-window log, not
// a token bucket: a bucket's burst plus its refill can put more than limit
// calls inside one window). Each time is an upper bound of when the server
// counted the call: a granted call is pending (the server will count it
// later, when it reaches the wire) and is never the one that frees a slot;
// once written at t it counts as t plus the margin (the most the server may
// see it later); once answered at t it counts as t if that is earlier (the
// server counted it before answering: a quick answer gives the margin back).
// A new call may start when some settled call's time is a whole window ago;
// it takes that call's place.
//
// So no window of the server's can hold more than limit calls, as long as
// the server sees a call no later than the margin after it was written
// (or answers sooner).
//
// pause stops every worker until a time the server named (a real or soft
// 429). maxCalls, if set, ends the run's calls after that many (--budget N).
//
// A run starts with the calls an earlier run made within the last window
// (seed, from recentCalls), so that a rerun right after a stop or a crash
// does not spend a fresh budget while the server still counts the old calls.
type budget struct {
	limit  int
	window time.Duration
	margin time.Duration

	// now and sleep are the clock; tests replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu          sync.Mutex
	slots       []slot // the last limit calls
	gen         uint64
	pausedUntil time.Time
	maxCalls    int
	calls       int
	first, last time.Time
	recent      []time.Time // grant times of this run's calls in the last window
	busiest     int         // most calls this run granted in one window
}

type slot struct {
	at      time.Time
	gen     uint64
	pending bool // granted, not yet written or answered
}

// reservation is one granted call.
type reservation struct {
	At  time.Time
	i   int
	gen uint64
}

// defaultMargin is how much later than its write the server may count a
// call: 1/60 of the window, at least 1 ms, at most 1 s. Only calls whose
// answer takes longer than the margin hold their slot that long (a quicker
// answer bounds the server's time itself), so at 100 calls a minute the
// budget stays above 98% used even with 2 s answers, while a call may reach
// the server up to a second late (seen: 0.2 s under load) without breaking it.
func defaultMargin(window time.Duration) time.Duration {
	return min(max(window/60, time.Millisecond), time.Second)
}

// pendingPoll is how often a worker looks again when every slot it could
// take belongs to a call not yet on the wire (rare: such calls are new).
const pendingPoll = 5 * time.Millisecond

func newBudget(limit int, window, margin time.Duration, maxCalls int) *budget {
	if margin <= 0 {
		margin = defaultMargin(window)
	}
	return &budget{
		limit:    limit,
		window:   window,
		margin:   margin,
		maxCalls: maxCalls,
		now:      time.Now,
		sleep:    sleepCtx,
		slots:    make([]slot, 0, limit),
	}
}

// sleepCtx waits d or until ctx is done, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// reserve waits until a call may start within the budget and grants it. It
// returns errBudgetSpent once maxCalls calls were granted, and ctx's error if
// ctx ends first (the wait is abandoned, nothing is reserved). Every granted
// call must be reported by sent, answered or unsent.
func (b *budget) reserve(ctx context.Context) (reservation, error) {
	for {
		if err := ctx.Err(); err != nil {
			return reservation{}, err
		}
		b.mu.Lock()
		if b.maxCalls > 0 && b.calls >= b.maxCalls {
			b.mu.Unlock()
			return reservation{}, errBudgetSpent
		}
		now := b.now()
		at, victim := b.earliestLocked(now)
		if !at.After(now) {
			r := b.takeLocked(now, victim)
			b.mu.Unlock()
			return r, nil
		}
		b.mu.Unlock()
		// Others may take the slot first; the loop checks again on waking.
		if err := b.sleep(ctx, at.Sub(now)); err != nil {
			return reservation{}, err
		}
	}
}

// earliestLocked is the first time at or after now a call may start, and the
// slot it would take (-1: a new one).
func (b *budget) earliestLocked(now time.Time) (time.Time, int) {
	at, victim := now, -1
	if len(b.slots) == b.limit {
		victim = -1
		for i := range b.slots {
			if !b.slots[i].pending && (victim < 0 || b.slots[i].at.Before(b.slots[victim].at)) {
				victim = i
			}
		}
		if victim < 0 {
			at = now.Add(pendingPoll)
		} else if free := b.slots[victim].at.Add(b.window); free.After(at) {
			at = free
		}
	}
	if b.pausedUntil.After(at) {
		at = b.pausedUntil
	}
	return at, victim
}

func (b *budget) takeLocked(now time.Time, victim int) reservation {
	b.gen++
	s := slot{at: now.Add(b.margin), gen: b.gen, pending: true}
	i := victim
	if i < 0 {
		i = len(b.slots)
		b.slots = append(b.slots, s)
	} else {
		b.slots[i] = s
	}
	b.calls++
	if b.first.IsZero() {
		b.first = now
	}
	b.last = now
	// Each slot's calls are a window apart (a call takes a slot whose time,
	// never before its own grant, is a window ago), so busiest <= limit.
	b.recent = append(b.recent, now)
	for !b.recent[0].After(now.Add(-b.window)) {
		b.recent = b.recent[1:]
	}
	b.busiest = max(b.busiest, len(b.recent))
	return reservation{At: now, i: i, gen: b.gen}
}

// seed counts calls made before this run, each at the latest time the
// server may have counted it; only the newest limit matter. It must be
// called before the first reserve.
func (b *budget) seed(times []time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	times = slices.SortedFunc(slices.Values(times), time.Time.Compare)
	times = times[max(0, len(times)-b.limit):]
	for _, t := range times {
		b.slots = append(b.slots, slot{at: t}) // gen 0: no reservation has it
	}
}

// recentCalls returns the calls archived under root that the server may
// still count at now in a window, each at the latest time it may have
// counted it, as the budget would hold it: an answered call by the time its
// answer arrived (WallAt), one without an answer by that time plus the
// margin (its request may have reached the server just before it failed).
// It reads segments newest first and stops at the first one that ends
// before the window, by its modification time or its records (or was
// written before records had WallAt). crashed is
// set when a writer left a segment open (a kill -9): the calls it had in
// flight were never archived.
func recentCalls(root string, now time.Time, window, margin time.Duration) (times []time.Time, crashed bool, err error) {
	paths, err := archive.Segments(root)
	if err != nil {
		return nil, false, err
	}
	for _, p := range paths {
		crashed = crashed || strings.HasSuffix(p, ".open")
	}
	since := now.Add(-window)
	for i := len(paths) - 1; i >= 0; i-- {
		// A record is written after its answer arrived, so a segment last
		// written before since-margin holds no call the window still counts
		// (nor do the older ones): its heads need not be read.
		if fi, err := os.Stat(paths[i]); err == nil && fi.ModTime().Before(since.Add(-margin)) {
			break
		}
		var newest time.Time
		old := false
		_, err := archive.ReadHeads(paths[i], func(h *archive.Head) error {
			if h.WallAt.IsZero() {
				old = true
				return nil
			}
			t := h.WallAt
			if t.After(now) { // the wall clock went back: it was no later than now
				t = now
			}
			if h.Status == 0 {
				t = t.Add(margin)
			}
			if t.After(newest) {
				newest = t
			}
			if t.After(since) {
				times = append(times, t)
			}
			return nil
		})
		if err != nil {
			return nil, false, err
		}
		if old || (!newest.IsZero() && !newest.After(since)) {
			break
		}
	}
	return times, crashed, nil
}

// slotOf returns r's slot, or nil if a newer call took it.
func (b *budget) slotOf(r reservation) *slot {
	if s := &b.slots[r.i]; s.gen == r.gen {
		return s
	}
	return nil
}

// sent records that r's request was written at t: the server counts it by t
// plus the margin.
func (b *budget) sent(r reservation, t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.slotOf(r); s != nil {
		s.pending = false
		if at := t.Add(b.margin); at.After(s.at) {
			s.at = at
		}
	}
}

// answered records that r's answer arrived at t: the server counted the
// call before that.
func (b *budget) answered(r reservation, t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.slotOf(r); s != nil {
		s.pending = false
		if t.Before(s.at) {
			s.at = t
		}
	}
}

// unsent records that r's call ended at t with no answer. If it was never
// written, t bounds when the server could have seen any of it.
func (b *budget) unsent(r reservation, t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.slotOf(r); s != nil && s.pending {
		s.pending = false
		if t.After(s.at) {
			s.at = t
		}
	}
}

// pause holds every new call until t (never shortens an earlier pause).
func (b *budget) pause(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t.After(b.pausedUntil) {
		b.pausedUntil = t
	}
}

// spent reports whether the call budget (maxCalls) is used up.
func (b *budget) spent() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.maxCalls > 0 && b.calls >= b.maxCalls
}

// busiestWindow is the most calls this run granted within one window.
func (b *budget) busiestWindow() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.busiest
}

// usage returns the calls granted so far and the time of the first and last.
func (b *budget) usage() (calls int, first, last time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls, b.first, b.last
}

// perSecond is the budget's sustained rate.
func (b *budget) perSecond() float64 {
	return float64(b.limit) / b.window.Seconds()
}
