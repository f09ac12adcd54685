package receiver

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"
)

// loadResult is what a constant-arrival-rate run measured.
type loadResult struct {
	Scheduled, OK, Failed int
	// Dropped counts calls not yet started when the run's time was up (an
	// overloaded server): the run stays bounded; they count as failures.
	Dropped int
	// Latencies run from each call's scheduled send time (not the moment a
	// worker got to it) to its answer, sorted: a stalled server shows up as
	// latency instead of silently lowering the rate (no coordinated omission).
	Latencies []time.Duration
	Elapsed   time.Duration
}

func (r loadResult) quantile(q float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(r.Latencies))+0.5) - 1
	i = max(0, min(i, len(r.Latencies)-1))
	return r.Latencies[i]
}

// rate is answered calls per second over the whole run.
func (r loadResult) rate() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

// runLoad calls send(i) for i = 0, 1, ... at rate calls a second for dur,
// from a pool of workers; it stops early when ctx ends. send reports
// whether the call succeeded. Calls still waiting for a worker one second
// after dur are dropped, so an overloaded server cannot stretch the run.
func runLoad(ctx context.Context, rate float64, dur time.Duration, workers int, send func(i int) bool) loadResult {
	type job struct {
		i  int
		at time.Time
	}
	n := int(rate * dur.Seconds())
	jobs := make(chan job, n)
	interval := time.Duration(float64(time.Second) / rate)
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	res.Latencies = make([]time.Duration, 0, n)
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if time.Since(start) > dur+time.Second {
					mu.Lock()
					res.Dropped++
					mu.Unlock()
					continue
				}
				ok := send(j.i)
				lat := time.Since(j.at)
				mu.Lock()
				if ok {
					res.OK++
					res.Latencies = append(res.Latencies, lat)
				} else {
					res.Failed++
				}
				mu.Unlock()
			}
		}()
	}
	i := 0
	for i < n && ctx.Err() == nil {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		// Release every call that is due by now (the sleep may overshoot).
		for now := time.Now(); i < n && !start.Add(time.Duration(i)*interval).After(now); i++ {
			jobs <- job{i, start.Add(time.Duration(i) * interval)}
		}
	}
	res.Scheduled = i
	close(jobs)
	wg.Wait()
	res.Elapsed = time.Since(start)
	sort.Slice(res.Latencies, func(a, b int) bool { return res.Latencies[a] < res.Latencies[b] })
	return res
}

// loadClient is an HTTP client with enough idle connections for workers.
func loadClient(workers int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = workers, workers
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}
