package cqc

// The budget benchmark of docs/benchmarks.md ("## CQC extract"): Extract
// against two baselines, side by side, at the real 100 calls per 60 s.
//
//	go test -run '^$' -bench BenchmarkBudgetUse -benchtime 1x -timeout 20m ./stages/extract/cqc/
//
// (make bench runs it with every other benchmark.) CARELAKE_BENCH_DURATION
// shortens or lengthens the measured span (default 3m).

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"carelake/internal/cqcsim"
)

// benchClient is one contender: it calls the detail endpoint of ids under key
// until ctx ends.
type benchClient struct {
	name string
	run  func(ctx context.Context, base, key string, ids []string)
}

// sequentialClient is the approach of the hand-written script carelake
// replaced: one call at a time, at most one call per second (ratelimit's
// limits(calls=1, period=1) with sleep_and_retry); a 429 fails the call and
// the loop moves on.
func sequentialClient(ctx context.Context, base, key string, ids []string) {
	hc := &http.Client{Timeout: 10 * time.Second}
	var last time.Time
	for _, id := range ids {
		if wait := time.Second - time.Since(last); wait > 0 {
			if sleepCtx(ctx, wait) != nil {
				return
			}
		}
		if ctx.Err() != nil {
			return
		}
		last = time.Now()
		benchGet(ctx, hc, base+"/locations/"+id, key)
	}
}

// unboundedClient fetches every ID at once, one goroutine each, and retries
// a 429 after its Retry-After: no budget of its own.
func unboundedClient(ctx context.Context, base, key string, ids []string) {
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				status, retryAfter := benchGet(ctx, hc, base+"/locations/"+id, key)
				if status != http.StatusTooManyRequests {
					return
				}
				wait := time.Second
				if n, err := strconv.Atoi(retryAfter); err == nil {
					wait = time.Duration(n) * time.Second
				}
				if sleepCtx(ctx, wait) != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
}

func benchGet(ctx context.Context, hc *http.Client, u, key string) (int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, ""
	}
	req.Header.Set("Ocp-Apim-Subscription-Key", key)
	req.Header.Set("User-Agent", "bench")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// benchRow is one contender's result over the measured span.
type benchRow struct {
	latency         time.Duration
	client          string
	calls, admitted int
	throttled       int
	budgetUsed      float64 // admitted calls over limit × span/window
	busiest         int     // most calls (admitted or not) in any window
}

func BenchmarkBudgetUse(b *testing.B) {
	span := 3 * time.Minute
	if v := os.Getenv("CARELAKE_BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("CARELAKE_BENCH_DURATION=%q: %v", v, err)
		}
		span = d
	}
	const limit, window = 100, time.Minute
	for i := 0; i < b.N; i++ {
		var rows []benchRow
		var own []string // the extract's own summaries
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		for _, latency := range []time.Duration{200 * time.Millisecond, 2 * time.Second} {
			keys := []string{"carelake-extract", "sequential-1-per-s", "unbounded-concurrent"}
			sim, err := cqcsim.New(cqcsim.Config{Seed: 1, Locations: 2000, RateLimit: limit, RateWindow: window,
				APIKeys: keys, Faults: cqcsim.Faults{LatencyMin: latency, LatencyMax: latency}})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(sim.Handler())
			defer srv.Close()
			base := srv.URL + "/public/v1"
			ids := sim.LocationIDs()
			ctx, cancel := context.WithDeadline(context.Background(), start.Add(span))
			defer cancel()
			clients := []benchClient{
				{"carelake extract", func(_ context.Context, base, key string, _ []string) {
					// Scope all, default concurrency; the time budget ends it with the span.
					opts := Options{Root: b.TempDir(), MaxDuration: time.Until(start.Add(span)),
						Client: ClientOptions{BaseURL: base, APIKey: key, RateLimit: limit, RateWindow: window}}
					opts.Logger = slog.New(slog.DiscardHandler)
					sum, err := Run(context.Background(), opts)
					if err != nil || sum.Outcome != OutcomeBudgetTime {
						b.Errorf("extract: %v, outcome %s", err, sum.Outcome)
					}
					mu.Lock()
					own = append(own, fmt.Sprintf("at %v: %d calls, busiest window %d, utilisation %.2f%%, %d throttled",
						latency, sum.Calls.Total, sum.Budget.BusiestWindowCalls, 100*sum.Budget.Utilisation, sum.Calls.Throttled))
					mu.Unlock()
				}},
				{"sequential 1/s (hand-written script)", sequentialClient},
				{"unbounded concurrent", unboundedClient},
			}
			for k, c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c.run(ctx, base, keys[k], ids[:1000])
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ctx.Done() // the log stamps each call on arrival
				reqs := sim.Requests()
				for k, c := range clients {
					var mine []cqcsim.Request
					row := benchRow{latency: latency, client: c.name}
					for _, r := range reqs {
						if r.Key != keys[k] || r.Time.Before(start) || !r.Time.Before(start.Add(span)) {
							continue
						}
						mine = append(mine, r)
						row.calls++
						if r.Admitted {
							row.admitted++
						}
						if r.Throttled {
							row.throttled++
						}
					}
					row.busiest = cqcsim.MaxInWindow(mine, window)
					row.budgetUsed = float64(row.admitted) / (float64(limit) * span.Seconds() / window.Seconds())
					mu.Lock()
					rows = append(rows, row)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		var out strings.Builder
		fmt.Fprintf(&out, "\n%d calls per %v, measured over %v:\n\n", limit, window, span)
		fmt.Fprintf(&out, "| latency | client | calls | admitted | 429s | budget used | busiest window |\n|---|---|---|---|---|---|---|\n")
		for _, r := range rows {
			fmt.Fprintf(&out, "| %v | %s | %d | %d | %d | %.1f%% | %d |\n", r.latency, r.client, r.calls, r.admitted,
				r.throttled, 100*r.budgetUsed, r.busiest)
			metric := strings.NewReplacer(" ", "_", "/", "_", "(", "", ")", "").Replace(r.client) + "_" + r.latency.String()
			b.ReportMetric(100*r.budgetUsed, metric+"_budget_%")
			b.ReportMetric(float64(r.throttled), metric+"_429s")
		}
		fmt.Fprintf(&out, "\ncarelake extract's own summary (first call to last):\n")
		for _, o := range own {
			fmt.Fprintf(&out, "  %s\n", o)
		}
		perChanged := nightlyCallsPerChangedID(b)
		fmt.Fprintf(&out, "\nnightly changes run (120,000 locations, one day): %.3f calls per changed item\n", perChanged)
		b.ReportMetric(perChanged, "nightly_calls_per_changed_id")
		fmt.Print(out.String()) // b.Log would cut the table to ten lines
	}
}

// nightlyCallsPerChangedID measures a nightly changes run at national scale:
// the state says the previous night read the feed up to a day ago; the run
// reads one day of changes and fetches each changed item.
func nightlyCallsPerChangedID(b *testing.B) float64 {
	sim, err := cqcsim.New(cqcsim.Config{Seed: 2, Locations: 120000, Days: 2, RateLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	_, end := sim.History()
	root := b.TempDir()
	st, err := LoadState(root)
	if err != nil {
		b.Fatal(err)
	}
	yesterday := end.AddDate(0, 0, -1)
	sc := st.scope("all")
	sc.Backfill.StartedAt, sc.Backfill.CompletedAt = &yesterday, &yesterday
	for _, k := range kinds {
		sc.Kinds[k].Watermark = &yesterday
	}
	if err := saveState(root, st, yesterday); err != nil {
		b.Fatal(err)
	}
	opts := Options{Root: root, Mode: ModeChanges, Now: sim.Clock,
		Client: ClientOptions{BaseURL: srv.URL + "/public/v1", APIKey: cqcsim.DefaultAPIKey, RateLimit: 100000, RateWindow: time.Second}}
	opts.Logger = slog.New(slog.DiscardHandler)
	sum, err := Run(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	changed := len(sim.ChangedIDs("location", yesterday, end)) + len(sim.ChangedIDs("provider", yesterday, end))
	b.Logf("nightly run: %d calls (%d pages) for %d changed items (%d gone)", sum.Calls.Total, sum.Calls.ListPages, changed, sum.Items.Gone)
	return float64(sum.Calls.Total) / float64(changed)
}
