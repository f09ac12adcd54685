package cqc

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"carelake/schemas/archive"
)

var t0 = time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)

// fakeClock is a single-goroutine clock: sleeping advances it (and calls
// onSleep, if set, as other goroutines would act meanwhile).
type fakeClock struct {
	cur     time.Time
	onSleep func()
}

func (c *fakeClock) now() time.Time { return c.cur }
func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.cur = c.cur.Add(d)
	if c.onSleep != nil {
		c.onSleep()
	}
	return nil
}

func fakeBudget(limit int, window, margin time.Duration, maxCalls int) (*budget, *fakeClock) {
	c := &fakeClock{cur: t0}
	b := newBudget(limit, window, margin, maxCalls)
	b.now, b.sleep = c.now, c.sleep
	return b, c
}

// maxInClosedWindow is the most calls inside any closed interval [t, t+w]:
// stricter than any server's reading of "per window".
func maxInClosedWindow(times []time.Time, w time.Duration) int {
	s := append([]time.Time(nil), times...)
	sort.Slice(s, func(i, j int) bool { return s[i].Before(s[j]) })
	best, j := 0, 0
	for i := range s {
		for j < len(s) && !s[j].After(s[i].Add(w)) {
			j++
		}
		best = max(best, j-i)
	}
	return best
}

func TestBudgetExactEdges(t *testing.T) {
	ms := time.Millisecond
	type step struct {
		advance  time.Duration // move the clock before reserving
		pause    time.Duration // pause until t0+pause before reserving (0: none)
		sentAt   time.Duration // after granting, mark sent at t0+sentAt (0: not)
		answered time.Duration // after granting, mark answered at t0+answered (0: not)
		want     time.Duration // grant time, from t0
	}
	tests := []struct {
		name  string
		limit int
		steps []step
	}{
		{"burst then one window plus margin", 3, []step{
			{want: 0}, {want: 0}, {want: 0},
			{want: 10*time.Second + ms}, // oldest leaves the window only after window+margin
			{want: 10*time.Second + ms},
			{want: 10*time.Second + ms},
			{want: 20*time.Second + 2*ms},
		}},
		{"spread calls free up one by one", 2, []step{
			{want: 0},
			{advance: 4 * time.Second, want: 4 * time.Second},
			{want: 10*time.Second + ms},
			{want: 14*time.Second + ms},
		}},
		{"sent moves a slot later", 2, []step{
			{want: 0, sentAt: 3 * time.Second}, // its request reached the wire 3 s late
			{want: 0},
			{want: 10*time.Second + ms}, // the other slot frees first
			{want: 13*time.Second + ms}, // then the moved one
		}},
		{"a quick answer gives the margin back", 2, []step{
			{want: 0, answered: ms / 4},
			{want: 0},
			{want: 10*time.Second + ms/4}, // the answered call's slot frees first
			{want: 10*time.Second + ms},
		}},
		{"a late answer does not hold the slot longer", 1, []step{
			{want: 0, answered: 5 * time.Second}, // the server counted it by write+margin anyway
			{want: 10*time.Second + ms},
		}},
		{"pause holds everyone", 5, []step{
			{want: 0},
			{pause: 7 * time.Second, want: 7 * time.Second},
			{want: 7 * time.Second},
		}},
		{"pause shorter than the window changes nothing", 1, []step{
			{want: 0},
			{pause: 2 * time.Second, want: 10*time.Second + ms},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, c := fakeBudget(tt.limit, 10*time.Second, ms, 0)
			for i, s := range tt.steps {
				c.cur = c.cur.Add(s.advance)
				if s.pause > 0 {
					b.pause(t0.Add(s.pause))
				}
				r, err := b.reserve(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if got := r.At.Sub(t0); got != s.want {
					t.Fatalf("step %d granted at %v, want %v", i, got, s.want)
				}
				switch {
				case s.sentAt > 0:
					b.sent(r, t0.Add(s.sentAt))
				case s.answered > 0:
					b.answered(r, t0.Add(s.answered))
				default:
					b.sent(r, r.At) // written at once
				}
			}
		})
	}
}

// Whatever the pattern of arrivals, no closed window of the budget's length
// ever holds more than limit calls.
func TestBudgetNeverExceedsAnyWindow(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		limit := 1 + rng.IntN(20)
		window := time.Duration(1+rng.IntN(5000)) * time.Millisecond
		b, c := fakeBudget(limit, window, 0, 0)
		var times []time.Time
		for i := 0; i < 500; i++ {
			if rng.IntN(3) == 0 {
				c.cur = c.cur.Add(time.Duration(rng.Int64N(int64(window))))
			}
			r, err := b.reserve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			b.sent(r, r.At)
			times = append(times, r.At)
		}
		if got := maxInClosedWindow(times, window); got > limit {
			t.Fatalf("seed %d: %d calls in one %v window, limit %d", seed, got, window, limit)
		}
		if got := b.busiestWindow(); got < 1 || got > limit {
			t.Fatalf("seed %d: busiest window %d, limit %d", seed, got, limit)
		}
	}
}

// Calls of an earlier run still inside the window hold their slots: the
// new run's first calls wait for them to leave it.
func TestBudgetSeed(t *testing.T) {
	b, c := fakeBudget(3, 10*time.Second, time.Millisecond, 0)
	// Four earlier calls: only the newest three (limit) matter.
	b.seed([]time.Time{t0.Add(-time.Second), t0.Add(-9 * time.Second), t0.Add(-20 * time.Second), t0.Add(-5 * time.Second)})
	for i, want := range []time.Duration{time.Second, 5 * time.Second, 9 * time.Second, 11*time.Second + time.Millisecond} {
		r, err := b.reserve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := r.At.Sub(t0); got != want {
			t.Fatalf("call %d granted at %v, want %v", i, got, want)
		}
		b.sent(r, r.At)
	}
	if calls, first, _ := b.usage(); calls != 4 || !first.Equal(t0.Add(time.Second)) || c.cur.Sub(t0) != 11*time.Second+time.Millisecond {
		t.Fatalf("usage %d calls from %v: the seed counts as this run's calls", calls, first.Sub(t0))
	}
}

// The busiest window counts this run's calls in any window.
func TestBudgetBusiestWindow(t *testing.T) {
	b, c := fakeBudget(5, 10*time.Second, time.Millisecond, 0)
	for _, advance := range []time.Duration{0, 4 * time.Second, 4 * time.Second, 4 * time.Second, 9 * time.Second} {
		c.cur = c.cur.Add(advance)
		r, err := b.reserve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b.sent(r, r.At)
	}
	if got := b.busiestWindow(); got != 3 { // 0, 4 s, 8 s; then 4, 8, 12 s; then 12, 21 s
		t.Fatalf("busiest window %d, want 3", got)
	}
}

func TestBudgetCallLimit(t *testing.T) {
	b, _ := fakeBudget(100, time.Minute, 0, 3)
	for i := 0; i < 3; i++ {
		if _, err := b.reserve(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.reserve(context.Background()); !errors.Is(err, errBudgetSpent) {
		t.Fatalf("4th call: %v, want errBudgetSpent", err)
	}
	if !b.spent() {
		t.Fatal("spent() = false")
	}
}

// A call granted but not yet on the wire never frees its slot, however
// old: the server has not counted it yet.
func TestBudgetPendingCallHoldsItsSlot(t *testing.T) {
	b, c := fakeBudget(1, 10*time.Second, time.Millisecond, 0)
	r1, err := b.reserve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.onSleep = func() {
		if c.cur.Sub(t0) >= 30*time.Second {
			b.sent(r1, t0.Add(30*time.Second)) // reached the wire 30 s late
			c.onSleep = nil
		}
	}
	r2, err := b.reserve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(40*time.Second + time.Millisecond); !r2.At.Equal(want) {
		t.Fatalf("second call at %v, want %v", r2.At.Sub(t0), want.Sub(t0))
	}
	// A call that never reached the wire frees its slot a window after it gave up.
	b.unsent(r2, r2.At.Add(time.Second))
	r3, _ := b.reserve(context.Background())
	if want := r2.At.Add(11 * time.Second); !r3.At.Equal(want) {
		t.Fatalf("third call at %v, want %v", r3.At.Sub(t0), want.Sub(t0))
	}
}

func TestBudgetWaitEndsWithContext(t *testing.T) {
	b := newBudget(1, time.Hour, 0, 0)
	r, err := b.reserve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b.sent(r, r.At)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// The budget frees its one call only in an hour: returning at all, with
	// the context's error, is the wait ending with the context.
	if _, err := b.reserve(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if calls, _, _ := b.usage(); calls != 1 {
		t.Fatalf("abandoned wait reserved a call: %d", calls)
	}
}

// Many workers on the real clock: never more than limit per window, and the
// budget is used (not starved by contention).
func TestBudgetConcurrentWorkers(t *testing.T) {
	const limit, window, workers = 20, 300 * time.Millisecond, 12
	b := newBudget(limit, window, 0, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 4*window+window/2)
	defer cancel()
	var (
		mu    sync.Mutex
		times []time.Time
		wg    sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				r, err := b.reserve(ctx)
				if err != nil {
					return
				}
				sent := time.Now()
				b.sent(r, sent)
				mu.Lock()
				times = append(times, sent)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if got := maxInClosedWindow(times, window); got > limit {
		t.Fatalf("%d calls in one window, limit %d", got, limit)
	}
	// Five bursts fit in 4.5 windows; demand at least four.
	if len(times) < 4*limit {
		t.Fatalf("only %d calls in 4.5 windows of %d: budget left unused", len(times), limit)
	}
}

func BenchmarkBudgetReserve(b *testing.B) {
	bud := newBudget(100, time.Nanosecond, time.Nanosecond, 0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := bud.reserve(ctx)
		if err != nil {
			b.Fatal(err)
		}
		bud.answered(r, r.At)
	}
}

// recentCalls reads the calls of the last window from the newest segments,
// each at the latest time the server may have counted it, and sees a
// segment a crash left open.
func TestRecentCalls(t *testing.T) {
	root := t.TempDir()
	now := time.Now()
	const window, margin = time.Minute, time.Second
	write := func(session time.Time, recs ...*archive.Record) string {
		t.Helper()
		w, err := archive.Open(root, archive.Options{Now: func() time.Time { return session }})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Append(recs...); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		segs, _ := archive.Segments(root)
		return segs[len(segs)-1]
	}
	call := func(wall time.Duration, status int) *archive.Record {
		// FetchedAt is the data clock: a simulator's, far from the wall clock.
		return &archive.Record{URL: "/locations/1-1", Endpoint: archive.EndpointLocation, ID: "1-1",
			Status: status, FetchedAt: t0, WallAt: now.Add(wall)}
	}
	// A session written before records had WallAt, and an old one.
	write(now.Add(-time.Hour), &archive.Record{URL: "/locations", Endpoint: archive.EndpointLocations, Status: 200, FetchedAt: now})
	write(now.Add(-50*time.Minute), call(-50*time.Minute, 200))
	last := write(now.Add(-2*time.Minute),
		call(-90*time.Second, 200),       // out of the window
		call(-30*time.Second, 200),       // answered: counted by its answer
		call(-59500*time.Millisecond, 0), // no answer: may have reached the server a margin later
		call(-61500*time.Millisecond, 0), // out, even a margin later
		call(10*time.Second, 429))        // the wall clock went back: no later than now
	got, crashed, err := recentCalls(root, now, window, margin)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{now.Add(-30 * time.Second), now.Add(-58500 * time.Millisecond), now}
	if crashed || !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Fatalf("recentCalls = %v (crashed %v), want %v", got, crashed, want)
	}
	// The same segment left open by a kill -9.
	if err := os.Rename(last, last+".open"); err != nil {
		t.Fatal(err)
	}
	if got, crashed, err = recentCalls(root, now, window, margin); err != nil || !crashed || len(got) != 3 {
		t.Fatalf("open segment: %d calls, crashed %v, err %v", len(got), crashed, err)
	}
	// Reading stops at the first segment that ends before the window.
	write(now.Add(-time.Minute), call(-61*time.Second, 200))
	if got, _, err = recentCalls(root, now, window, margin); err != nil || len(got) != 0 {
		t.Fatalf("read past a segment that ends before the window: %v, %v", got, err)
	}
	// A segment last written before the window (and a margin) is not read:
	// none of its records can be in it (this one's claim is made up to
	// tell).
	recent := write(now, call(-10*time.Second, 200))
	if got, _, err = recentCalls(root, now, window, margin); err != nil || len(got) != 1 {
		t.Fatalf("the newest segment: %v, %v", got, err)
	}
	old := now.Add(-window - 2*margin)
	if err := os.Chtimes(recent, old, old); err != nil {
		t.Fatal(err)
	}
	if got, _, err = recentCalls(root, now, window, margin); err != nil || len(got) != 0 {
		t.Fatalf("read a segment last written before the window: %v, %v", got, err)
	}
}
