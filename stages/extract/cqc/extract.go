package cqc

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/leftscope"
	"carelake/schemas/wanted"
)

// Run runs the CQC extract stage once: it pulls what opts ask for into
// the raw archive under opts.Root within the rate budget, and saves its
// state. The caller holds the warehouse run lock.
//
// Once the run has begun it returns its Summary (Outcome set) whatever
// happens, also with an error; errors before that (options, state, archive)
// come with an empty Summary. The error is nil when the run
// ended normally, including when the --budget ran out (Summary.Outcome says
// so; the next run continues) and when some items failed every try (Outcome
// "partial"; they are retried next run). It wraps ErrOptions for bad options
// (before any I/O), is ErrUnauthorized on a 401, ErrNoWatermark for --mode
// changes before any backfill, wraps ErrUnreachable when calls were made and
// none got an HTTP answer, is an ErrRefused when answers came and none was
// of use, and is ctx's error when ctx ended first: calls in
// flight then get opts.DrainTimeout to finish and be archived, and progress
// is saved. Run holds no global state: runs on different warehouses may
// go on at once.
func Run(ctx context.Context, opts Options) (sum Summary, err error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return Summary{}, err
	}
	log := opts.Logger
	var clinics []schemas.Clinic
	if opts.Scope == ScopeClinics {
		if clinics, err = schemas.ReadClinicsFile(opts.ClinicsFile); err != nil {
			return Summary{}, fmt.Errorf("%w: --clinics: %w", ErrOptions, err)
		}
	}
	st, err := LoadState(opts.Root)
	if err != nil {
		return Summary{}, err
	}
	want, err := wanted.Read(opts.Root)
	if err != nil {
		return Summary{}, err
	}
	left, err := leftscope.Read(opts.Root)
	if err != nil {
		return Summary{}, err
	}
	// Before Open repairs them: an open segment is a crashed run's.
	prior, crashed, err := recentCalls(opts.Root, time.Now(), opts.Client.RateWindow, opts.Client.RateMargin)
	if err != nil {
		return Summary{}, fmt.Errorf("read the raw archive for the calls of the last %s: %w", opts.Client.RateWindow, err)
	}
	arch, err := archive.Open(opts.Root, archive.Options{})
	if err != nil {
		return Summary{}, fmt.Errorf("open the raw archive: %w", err)
	}
	defer func() {
		if cerr := arch.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close the raw archive: %w", cerr)
			sum.Outcome, sum.Error = OutcomeFailed, err.Error()
		}
	}()

	r := &run{
		opts:      opts,
		log:       log,
		st:        st,
		scopeKey:  opts.ScopeKey(),
		clinics:   clinics,
		wanted:    want,
		leftSaved: left.Locations,
		entries:   map[key]*entry{},
		started:   time.Now(),
	}
	r.sc = st.scope(r.scopeKey)
	began := time.Now()
	if r.idx, err = buildIndex(opts.Root); err != nil {
		return Summary{}, err
	}
	log.Debug("archive read", "segments_read", r.idx.read, "records", r.idx.torn.Records,
		"items", len(r.idx.last), "took", time.Since(began).Round(time.Millisecond).String())
	if r.idx.torn.Torn {
		log.Info("the raw archive ends in a record cut by a crash; it is skipped", "bytes", r.idx.torn.TornBytes)
	}
	r.budget = newBudget(opts.Client.RateLimit, opts.Client.RateWindow, opts.Client.RateMargin, opts.MaxCalls)
	if crashed {
		// Its calls in flight were never archived: count as many as this run
		// may have in flight, at the latest the server may have seen them.
		at := time.Now().Add(opts.Client.RateMargin)
		for range opts.Client.Concurrency {
			prior = append(prior, at)
		}
	}
	if len(prior) > 0 {
		r.budget.seed(prior)
		log.Info("an earlier run's calls are still inside the rate window; the budget counts them",
			"calls", len(prior), "crashed_run", crashed, "rate_window", opts.Client.RateWindow.String())
	}
	r.c = newClient(opts.Client, r.budget, arch, opts.Now, log)
	defer r.c.close()
	return r.execute(ctx)
}

// run is one Extract call.
type run struct {
	opts     Options
	log      *slog.Logger
	c        *client
	budget   *budget
	idx      *index
	st       *State
	sc       *ScopeState
	scopeKey string
	clinics  []schemas.Clinic
	wanted   wanted.List
	started  time.Time
	// leftSaved is what state/cqc-left-scope.json lists (saveLocked).
	leftSaved map[string]time.Time

	// reqCtx carries the HTTP exchanges: it outlives ctx by DrainTimeout
	// so calls in flight can finish; abort cuts them at once.
	reqCtx context.Context
	abort  context.CancelFunc

	mu         sync.Mutex // guards everything below, and st/sc/idx
	s0         time.Time  // the scope's backfill start
	phase      string
	phases     []string
	sched      *sched
	entries    map[key]*entry
	allMembers bool // changes of every ID count (scope all without filters)
	walks      []*walk
	seeded     bool // wanted and failed items queued
	queued     int
	finished   int
	pages      int
	items      Items
	allDone    bool // every phase ran to its natural end
	taxonomy   string
	reports    Reports
	// filterCheck: how a filtered changes run learned its changed
	// locations' membership (filter.go).
	filterCheck string
}

func (r *run) execute(ctx context.Context) (Summary, error) {
	dctx := ctx
	if r.opts.MaxDuration > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, r.opts.MaxDuration)
		defer cancel()
	}
	r.reqCtx, r.abort = context.WithCancel(context.WithoutCancel(ctx))
	defer r.abort()
	var drain *time.Timer
	stopDrain := context.AfterFunc(dctx, func() {
		r.mu.Lock()
		drain = time.AfterFunc(r.opts.DrainTimeout, r.abort)
		r.mu.Unlock()
	})
	defer func() {
		stopDrain()
		r.mu.Lock()
		if drain != nil {
			drain.Stop()
		}
		r.mu.Unlock()
	}()

	r.log.Info("cqc extract starts", "scope", r.scopeKey, "mode", r.opts.Mode,
		"rate_limit", r.opts.Client.RateLimit, "rate_window", r.opts.Client.RateWindow.String(),
		"concurrency", r.opts.Client.Concurrency, "max_calls", r.opts.MaxCalls,
		"max_duration", r.opts.MaxDuration.String(), "base_url", r.opts.Client.BaseURL)
	prog := startProgress(r.opts.Progress, r.opts.ProgressLogEvery, r.log, r.snapshot)
	err := r.runPhases(dctx)
	prog.end()
	r.abort()
	if err == nil && ctx.Err() == nil {
		err = r.c.stats.failure()
	}

	sum := r.summary(ctx, dctx, err)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	level := slog.LevelInfo
	switch {
	case ctx.Err() != nil:
		level = slog.LevelWarn // interrupted: progress is saved, a rerun continues
	case err != nil:
		level = slog.LevelError
	}
	r.log.Log(context.WithoutCancel(ctx), level, "cqc extract ends", "outcome", sum.Outcome, "calls", sum.Calls.Total,
		"throttled", sum.Calls.Throttled, "new", sum.Items.New, "changed", sum.Items.Changed, "gone", sum.Items.Gone,
		"failed", sum.Items.Failed, "pending", sum.Items.Pending, "utilisation", fmt.Sprintf("%.3f", sum.Budget.Utilisation))
	return sum, err
}

// stopped says whether the run must stop handing out work.
func (r *run) stopped(ctx context.Context) bool { return ctx.Err() != nil || r.budget.spent() }

func (r *run) runPhases(ctx context.Context) error {
	bf := &r.sc.Backfill
	switch r.opts.Mode {
	case ModeChanges:
		if r.sc.Kinds[kindLocation].Watermark == nil || r.sc.Kinds[kindProvider].Watermark == nil {
			return ErrNoWatermark
		}
		if err := r.changes(ctx); err != nil {
			return err
		}
	case ModeBackfill:
		if bf.CompletedAt != nil {
			r.log.Info("the last backfill is complete: starting a new one (a full refresh)", "scope", r.scopeKey)
			r.sc.Backfill = Backfill{Lists: map[string]*ListProgress{}}
		}
		if err := r.backfill(ctx); err != nil {
			return err
		}
	default:
		if bf.CompletedAt == nil {
			if err := r.backfill(ctx); err != nil {
				return err
			}
			if r.sc.Backfill.CompletedAt == nil || r.stopped(ctx) {
				return nil
			}
		}
		if err := r.changes(ctx); err != nil {
			return err
		}
	}
	if r.opts.Reports != ReportsNone && !r.stopped(ctx) {
		if err := r.fetchReports(ctx); err != nil {
			return err
		}
	}
	if !r.stopped(ctx) {
		r.mu.Lock()
		r.allDone = r.pendingLocked() == 0
		r.mu.Unlock()
	}
	return nil
}

// backfill walks the scope's lists (or, for clinics, its closure) and
// fetches every item not archived since the backfill began.
func (r *run) backfill(ctx context.Context) error {
	r.mu.Lock()
	bf := &r.sc.Backfill
	if bf.StartedAt == nil {
		s0 := r.opts.Now().UTC().Truncate(time.Second)
		bf.StartedAt = &s0
		for _, k := range kinds {
			if ks := r.sc.Kinds[k]; ks.Watermark == nil {
				ks.Watermark = &s0
			}
		}
		r.log.Info("backfill begins; changes will be read from its start", "scope", r.scopeKey, "started_at", s0)
		if err := r.saveLocked(); err != nil {
			r.mu.Unlock()
			return err
		}
	} else {
		r.log.Info("backfill resumes", "scope", r.scopeKey, "started_at", *bf.StartedAt)
	}
	r.s0 = *bf.StartedAt
	r.beginPhaseLocked("backfill")
	switch {
	case r.opts.Scope == ScopeClinics:
		for _, c := range r.clinics {
			r.wantLocked(key{kindLocation, c.CQCLocationID}, r.s0, true, classFresh)
		}
	case !r.opts.Filters.empty():
		r.addListWalkLocked(archive.EndpointLocations, r.opts.Filters.values(), true, classFresh)
	default:
		r.addListWalkLocked(archive.EndpointLocations, nil, true, classNone)
		r.addListWalkLocked(archive.EndpointProviders, nil, true, classNone)
	}
	r.mu.Unlock()

	err := r.runSched(ctx)

	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil && r.backfillDoneLocked() {
		done := r.opts.Now().UTC()
		bf.CompletedAt = &done
		for _, k := range kinds {
			ks := r.sc.Kinds[k]
			if ks.Watermark == nil || ks.Watermark.Before(r.s0) {
				s0 := r.s0
				ks.Watermark = &s0
				ks.PendingEnds = endsAfter(ks.PendingEnds, s0)
			}
			// Every item was fetched after the backfill began.
			ks.addRecentEnd(r.s0)
		}
		r.log.Info("backfill complete", "scope", r.scopeKey, "started_at", r.s0)
	}
	if serr := r.saveLocked(); err == nil {
		err = serr
	}
	return err
}

// changes reads the changes feed of each kind from its watermark to now and
// fetches every changed item in scope not archived after its window.
func (r *run) changes(ctx context.Context) error {
	now := r.opts.Now().UTC().Truncate(time.Second)
	r.mu.Lock()
	if s := r.sc.Backfill.StartedAt; s != nil {
		r.s0 = *s
	}
	r.beginPhaseLocked("changes")
	switch {
	case r.opts.Scope == ScopeClinics:
		for _, c := range r.clinics {
			r.wantLocked(key{kindLocation, c.CQCLocationID}, r.s0, true, classFresh)
		}
	case !r.opts.Filters.empty():
		// Which changed locations are in the filtered scope: the archived
		// bodies say for those it holds; checkChangedLocked decides how to
		// learn it for the others (filter.go).
		r.filterMembersLocked()
	default:
		r.allMembers = true
	}
	var slices []*slice
	for _, kind := range kinds {
		if r.sc.Kinds[kind].Watermark == nil {
			r.mu.Unlock()
			return ErrNoWatermark
		}
		for _, s := range makeSlices(kind, r.sc.Kinds[kind], now, r.opts.Lookback) {
			r.addChangesWalkLocked(s)
			slices = append(slices, s)
		}
	}
	r.mu.Unlock()

	err := r.runSched(ctx)
	if err == nil && !r.opts.Filters.empty() && r.opts.Scope == ScopeAll && !r.stopped(ctx) {
		r.mu.Lock()
		r.checkChangedLocked(slices)
		r.mu.Unlock()
		err = r.runSched(ctx)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		for _, kind := range kinds {
			r.advanceLocked(kind, slices)
		}
	}
	if serr := r.saveLocked(); err == nil {
		err = serr
	}
	return err
}

func (r *run) backfillDoneLocked() bool {
	for _, w := range r.walks {
		if !w.complete {
			return false
		}
	}
	for _, e := range r.entries {
		if e.member && (e.state == stQueued || e.state == stUnfinished) {
			return false
		}
	}
	return true
}

func (r *run) pendingLocked() int {
	n := 0
	if r.taxonomy == TaxonomyPending {
		n++
	}
	n += r.reports.Pending
	for _, e := range r.entries {
		if e.state == stQueued || e.state == stUnfinished {
			n++
		}
	}
	for _, w := range r.walks {
		if !w.complete && !w.failed {
			n++
		}
	}
	return n
}

// beginPhaseLocked starts a phase: a new scheduler, and (once per run) the
// items resolve asked for and the items that failed last time.
func (r *run) beginPhaseLocked(name string) {
	r.phase = name
	r.phases = append(r.phases, name)
	r.sched = newSched()
	r.walks = nil
	if r.seeded {
		return
	}
	r.seeded = true
	r.queueTaxonomyLocked()
	for _, kind := range kinds {
		ks := r.sc.Kinds[kind]
		ids := make([]string, 0, len(ks.Failed))
		for id := range ks.Failed {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			r.wantLocked(key{kind, id}, ks.Failed[id].LastAt, false, classNone)
		}
	}
	if n := r.wanted.Len(); n > 0 {
		r.log.Info("fetching what resolve asked for, unless archived", "file", wanted.Path(r.opts.Root), "ids", n)
	}
	for _, id := range r.wanted.Locations {
		r.wantLocked(key{kindLocation, id}, time.Time{}, false, classNone)
	}
	for _, id := range r.wanted.Providers {
		r.wantLocked(key{kindProvider, id}, time.Time{}, false, classNone)
	}
}

func (r *run) runSched(ctx context.Context) error {
	r.mu.Lock()
	s := r.sched
	r.mu.Unlock()
	return s.run(ctx, r.opts.Client.Concurrency, r.budget.spent, func(error) { r.abort() })
}

// snapshot reads the run for the progress reports.
func (r *run) snapshot() progressSnap {
	calls, _, _ := r.budget.usage()
	r.mu.Lock()
	defer r.mu.Unlock()
	remaining := r.queued - r.finished + r.unlistedLocked()
	return progressSnap{
		phase: r.phase, calls: calls, maxCalls: r.opts.MaxCalls,
		done: r.finished, total: r.queued + r.unlistedLocked(),
		remainingCalls: remaining, perSecond: r.budget.perSecond(),
	}
}

// listsSizedLocked says whether every unfinished list walk of the backfill
// has read a page, so that unlistedLocked knows what the lists hold.
func (r *run) listsSizedLocked() bool {
	for _, w := range r.walks {
		if w.progress != nil && !w.complete && w.pagesDone == 0 {
			return false
		}
	}
	return true
}

// unlistedLocked estimates the calls the backfill's list walks still hold:
// pages not read yet and the items on them.
func (r *run) unlistedLocked() int {
	n := 0
	for _, w := range r.walks {
		if w.progress == nil || w.complete {
			continue
		}
		n += max(0, w.totalPages-w.pagesDone)
		if w.pagesDone == 0 {
			n++ // not even the first page yet
		}
		n += max(0, w.total-w.listed)
	}
	return n
}

func (r *run) summary(ctx, dctx context.Context, err error) Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls, first, last := r.budget.usage()
	util := utilisation(calls, r.opts.Client.RateLimit, r.opts.Client.RateWindow, first, last)
	s := Summary{
		Scope: r.scopeKey, Mode: string(r.opts.Mode), Phases: append([]string{}, r.phases...),
		StartedAt: r.started.UTC(), FinishedAt: time.Now().UTC(),
		Calls: r.c.stats.snapshot(), Items: r.items,
		Budget: BudgetUse{
			RateLimit: r.opts.Client.RateLimit, WindowSeconds: r.opts.Client.RateWindow.Seconds(),
			MaxCalls: r.opts.MaxCalls, MaxSeconds: r.opts.MaxDuration.Seconds(),
			Utilisation: util, BusiestWindowCalls: r.budget.busiestWindow(),
		},
	}
	s.Seconds = s.FinishedAt.Sub(s.StartedAt).Seconds()
	s.Calls.ListPages = r.pages
	s.Taxonomy = r.taxonomy
	s.Items.FilterCheck = r.filterCheck
	if r.opts.Reports != ReportsNone {
		s.Reports = r.reports
		s.Reports.Mode = string(r.opts.Reports)
	}
	for _, e := range r.entries {
		switch {
		case e.state == stQueued || e.state == stUnfinished:
			s.Items.Pending++
		case e.state == stIdle && e.need && (e.member || !e.named):
			s.Items.Skipped++
		}
		if e.named && !e.member && (e.state == stDone || e.state == stGone) {
			s.Items.UnlistedProviders++
		}
	}
	sort.Strings(s.Items.FailedIDs)
	switch {
	case err != nil:
		s.Outcome, s.Error = OutcomeFailed, r.c.redact.Replace(err.Error())
	case ctx.Err() != nil:
		s.Outcome = OutcomeCancelled
	case dctx.Err() != nil:
		s.Outcome = OutcomeBudgetTime
	case !r.allDone && r.budget.spent():
		s.Outcome = OutcomeBudgetCalls
	case s.Items.Failed > 0 || r.failedWalksLocked() > 0:
		s.Outcome = OutcomePartial
	default:
		s.Outcome = OutcomeComplete
	}
	// Only what is known: an estimate once every list walk has read its
	// first page (a failed run's is not), watermarks once the backfill is
	// complete (before that they only say where changes will start).
	bf := r.sc.Backfill
	s.Backfill = BackfillStatus{StartedAt: bf.StartedAt, CompletedAt: bf.CompletedAt, Complete: bf.CompletedAt != nil}
	if !s.Backfill.Complete && r.phase == "backfill" && s.Outcome != OutcomeFailed && r.listsSizedLocked() {
		s.Backfill.RemainingCalls = s.Items.Pending + r.unlistedLocked()
		s.Backfill.RemainingSeconds = float64(s.Backfill.RemainingCalls) / r.budget.perSecond()
	}
	if s.Backfill.Complete && s.Outcome != OutcomeFailed {
		s.Watermarks = map[string]time.Time{}
		for _, k := range kinds {
			if wm := r.sc.Kinds[k].Watermark; wm != nil {
				s.Watermarks[k] = *wm
			}
		}
	}
	if s.Outcome != OutcomeComplete && s.Outcome != OutcomeFailed && !s.Backfill.Complete && r.phase == "backfill" {
		var left []any
		if s.Backfill.RemainingCalls > 0 {
			left = []any{"remaining_calls", s.Backfill.RemainingCalls,
				"remaining", time.Duration(s.Backfill.RemainingSeconds * float64(time.Second)).Round(time.Second).String()}
		}
		r.log.Info("backfill paused with progress saved; run again to continue", left...)
	}
	if s.Items.Failed > 0 {
		r.log.Warn("some items failed every try; the next run retries them", "failed", s.Items.Failed, "first", s.Items.FailedIDs[0])
	}
	return s
}
