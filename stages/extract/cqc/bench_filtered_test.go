package cqc

// The filtered-scope benchmark of docs/benchmarks.md ("CQC extract, filtered
// scope"): the calls of one night for a one-region scope of a national
// register, over HTTP against the simulator (its rate limit lifted: calls
// are counted, not timed).
//
//	go test -run '^$' -bench BenchmarkFilteredNightly -benchtime 1x -timeout 30m ./stages/extract/cqc/

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"carelake/internal/cqcsim"
)

func BenchmarkFilteredNightly(b *testing.B) {
	for range b.N {
		sim, err := cqcsim.New(cqcsim.Config{Seed: 2, Locations: 120000, Days: 2, RateLimit: -1})
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(sim.Handler())
		_, end := sim.History()
		yesterday := end.AddDate(0, 0, -1)
		var out strings.Builder
		fmt.Fprintf(&out, "\nfiltered scope --region London, 120,000 locations, one night of changes (%d locations, %d providers changed nationally):\n",
			len(sim.ChangedIDs("location", yesterday, end)), len(sim.ChangedIDs("provider", yesterday, end)))
		fmt.Fprintf(&out, "%-9s | %-12s | %-13s | %s\n", "per page", "backfill", "night's check", "night's calls (list pages, changes pages, details, taxonomy)")
		for _, perPage := range []int{1000, 100} {
			sim.SetClock(yesterday)
			opts := Options{Root: b.TempDir(), PerPage: perPage, Filters: Filters{Region: []string{"London"}}, Now: sim.Clock,
				Logger: slog.New(slog.DiscardHandler),
				Client: ClientOptions{BaseURL: srv.URL + "/public/v1", APIKey: cqcsim.DefaultAPIKey, RateLimit: 100000, RateWindow: time.Second}}
			first, err := Run(context.Background(), opts)
			if err != nil || !first.Backfill.Complete {
				b.Fatalf("backfill: %v, %+v", err, first.Backfill)
			}
			sim.SetClock(end)
			before := len(sim.Requests())
			night, err := Run(context.Background(), opts)
			if err != nil {
				b.Fatal(err)
			}
			lists, changes, details, other := 0, 0, 0, 0
			for _, r := range sim.Requests()[before:] {
				switch p := strings.TrimPrefix(r.Path, "/public/v1"); {
				case p == "/locations":
					lists++
				case strings.HasPrefix(p, "/changes/"):
					changes++
				case strings.HasPrefix(p, "/locations/") || strings.HasPrefix(p, "/providers/"):
					details++
				default:
					other++
				}
			}
			fmt.Fprintf(&out, "%-9d | %6d calls | %-13s | %d (%d, %d, %d, %d)\n", perPage, first.Calls.Total, night.Items.FilterCheck,
				night.Calls.Total, lists, changes, details, other)
			b.ReportMetric(float64(night.Calls.Total), fmt.Sprintf("night_calls_perpage%d", perPage))
		}
		srv.Close()
		fmt.Print(out.String())
	}
}
