package cqc

import (
	"bytes"
	"carelake/internal/testkit"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testkit.Golden(t, filepath.Join("testdata", name), got)
}

// The --summary-json format and the printed summary are contracts: the
// runner and operators' scripts read them.
func TestSummaryGolden(t *testing.T) {
	started := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	s0 := started.Add(-26 * time.Hour)
	s := Summary{
		Scope: "all", Mode: "auto", Phases: []string{"backfill"}, Outcome: OutcomeBudgetTime,
		StartedAt: started, FinishedAt: started.Add(2 * time.Hour), Seconds: 7200,
		Calls: Calls{Total: 11950, ByStatus: map[string]int{"200": 11890, "404": 12, "429": 3, "503": 40, "no_response": 5},
			Throttled: 4, SoftThrottled: 1, Retries: 48, ListPages: 0},
		Items:    Items{New: 11840, Changed: 50, Gone: 12, Failed: 2, Pending: 7, Skipped: 61000, UnlistedProviders: 3, LeftScope: 1, FilterCheck: "bodies", FailedIDs: []string{"location/1-101", "provider/1-9"}},
		Budget:   BudgetUse{RateLimit: 100, WindowSeconds: 60, MaxSeconds: 7200, Utilisation: 0.9958, BusiestWindowCalls: 100},
		Backfill: BackfillStatus{StartedAt: &s0, RemainingCalls: 97000, RemainingSeconds: 58200},
		Taxonomy: TaxonomyFetched,
	}
	j, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.golden.json", append(j, '\n'))
	var text bytes.Buffer
	s.WriteText(&text)
	golden(t, "summary.golden.txt", text.Bytes())
}

// The printed summary says how the run ended in words, and claims no
// estimate or watermark it does not have.
func TestSummaryText(t *testing.T) {
	wm := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	s0 := wm.Add(-48 * time.Hour)
	tests := []struct {
		name      string
		sum       Summary
		want, not []string
	}{
		{"failed before any list page",
			Summary{Outcome: OutcomeFailed, Seconds: 3, Error: "the CQC API answered 404 Not Found for /locations (every list call): check --cqc-base-url; it should end in /public/v1",
				Backfill: BackfillStatus{StartedAt: &s0}},
			[]string{": failed after 3s\n", "  backfill: not complete; run again to continue\n", "error: the CQC API answered 404"},
			[]string{"calls to go", "archived up to", "calls/min"}},
		{"time budget", Summary{Outcome: OutcomeBudgetTime, Seconds: 90, Backfill: BackfillStatus{StartedAt: &s0, RemainingCalls: 10, RemainingSeconds: 6}},
			[]string{": stopped at the --budget time limit after 1m30s; the next run continues\n", "backfill: about 10 calls to go, 6s"}, []string{"budget_time"}},
		{"call budget", Summary{Outcome: OutcomeBudgetCalls, Seconds: 2},
			[]string{": stopped at the --budget call limit after 2s"}, []string{"budget_calls"}},
		{"cancelled", Summary{Outcome: OutcomeCancelled, Seconds: 2}, []string{": interrupted after 2s; progress saved"}, nil},
		{"partial", Summary{Outcome: OutcomePartial, Seconds: 2}, []string{"some items failed every try"}, nil},
		{"complete changes",
			Summary{Outcome: OutcomeComplete, Seconds: 4, Budget: BudgetUse{RateLimit: 100, WindowSeconds: 60, Utilisation: 0.03, BusiestWindowCalls: 3},
				Backfill: BackfillStatus{StartedAt: &s0, CompletedAt: &s0, Complete: true}, Watermarks: map[string]time.Time{"location": wm, "provider": wm}},
			[]string{": complete in 4s\n", "3.0% used; busiest 1m0s: 3 calls\n", "backfill: complete", "changes of locations archived up to 2026-11-21T02:00:00Z"}, nil},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		tt.sum.WriteText(&b)
		for _, w := range tt.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: no %q in\n%s", tt.name, w, b.String())
			}
		}
		for _, n := range tt.not {
			if strings.Contains(b.String(), n) {
				t.Errorf("%s: %q in\n%s", tt.name, n, b.String())
			}
		}
	}
}

func TestUtilisation(t *testing.T) {
	first := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		calls int
		span  time.Duration
		want  float64
	}{
		{0, 0, 0},
		{100, 0, 1},                 // one burst: the whole first window
		{300, 2 * time.Minute, 1},   // three full windows
		{150, 2 * time.Minute, 0.5}, // half
	}
	for _, tt := range tests {
		got := utilisation(tt.calls, 100, time.Minute, first, first.Add(tt.span))
		if got != tt.want {
			t.Errorf("utilisation(%d calls over %v) = %v, want %v", tt.calls, tt.span, got, tt.want)
		}
	}
}

func TestProgressBar(t *testing.T) {
	snap := progressSnap{phase: "backfill", calls: 1234, maxCalls: 5000, done: 1200, total: 120345, remainingCalls: 119145, perSecond: 100.0 / 60}
	if got, want := snap.line(), "cqc backfill calls 1234/5000  items 1200/120345   1%  ETA 19h51m27s"; got != want {
		t.Fatalf("line %q\nwant %q", got, want)
	}
	var bar bytes.Buffer
	p := startProgress(&bar, 0, slog.New(slog.DiscardHandler), func() progressSnap { return snap })
	time.Sleep(300 * time.Millisecond)
	p.end()
	out := bar.String()
	if !strings.HasPrefix(out, "\r"+snap.line()+"\x1b[K") || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("bar output %q", out)
	}
	// Not a terminal: a log line now and then instead.
	var logs bytes.Buffer
	p = startProgress(nil, 20*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)), func() progressSnap { return snap })
	time.Sleep(70 * time.Millisecond)
	p.end()
	if !strings.Contains(logs.String(), "cqc extract progress") || !strings.Contains(logs.String(), "items_total=120345") {
		t.Fatalf("progress logs %q", logs.String())
	}
}
