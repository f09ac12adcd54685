package cqc

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// Outcome says how a run ended.
const (
	OutcomeComplete    = "complete"     // nothing left to do in the asked mode
	OutcomePartial     = "partial"      // done, but some pages or items failed every try; the next run retries them
	OutcomeBudgetCalls = "budget_calls" // --budget N calls used; progress saved
	OutcomeBudgetTime  = "budget_time"  // --budget duration elapsed; progress saved
	OutcomeCancelled   = "cancelled"    // interrupted; progress saved
	OutcomeFailed      = "failed"       // stopped by an error (see Error)
)

// Summary describes one run; it marshals to the --summary-json file.
type Summary struct {
	Scope      string    `json:"scope"`
	Mode       string    `json:"mode"`   // as asked: auto, backfill or changes
	Phases     []string  `json:"phases"` // what ran: backfill, changes
	Outcome    string    `json:"outcome"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Seconds    float64   `json:"duration_seconds"`

	Calls  Calls     `json:"calls"`
	Items  Items     `json:"items"`
	Budget BudgetUse `json:"budget"`

	// Taxonomy says what became of the inspection-area taxonomy:
	// TaxonomyFetched, TaxonomyRecent, TaxonomyFailed or TaxonomyPending.
	Taxonomy string `json:"taxonomy"`
	// Reports counts the report documents, when the run fetches them.
	Reports Reports `json:"reports,omitzero"`

	Backfill BackfillStatus `json:"backfill"`
	// Watermarks are the changes watermarks by kind, set once the backfill
	// is complete and the run did not fail: the changes feed is archived up
	// to them.
	Watermarks map[string]time.Time `json:"watermarks,omitempty"`
}

// Calls counts the API calls of a run.
type Calls struct {
	Total int `json:"total"`
	// ByStatus counts calls by HTTP status ("200", "404", "429", ...);
	// "no_response" counts transport failures.
	ByStatus map[string]int `json:"by_status"`
	// Throttled counts 429s, real and soft (HTTP 200 with a statusCode 429
	// body; those also count as "200" in ByStatus); SoftThrottled the soft ones.
	Throttled     int `json:"throttled"`
	SoftThrottled int `json:"soft_throttled"`
	// Retries counts calls that repeated an earlier one for the same item.
	Retries int `json:"retries"`
	// ListPages counts list and changes pages fetched.
	ListPages int `json:"list_pages"`
}

// Items counts organisations (locations and providers) by what happened.
type Items struct {
	New     int `json:"new"`     // first good body archived
	Changed int `json:"changed"` // a newer body of one already archived
	Gone    int `json:"gone"`    // 404: recorded as gone
	Failed  int `json:"failed"`  // every try failed: retried by the next run
	Pending int `json:"pending"` // left for the next run (budget or interruption)
	// Skipped counts items in scope already archived recently enough.
	Skipped int `json:"skipped"`
	// UnlistedProviders counts the providers fetched in this run because
	// a location names them while /providers did not list them (so far).
	// They are also counted in New (or Gone).
	UnlistedProviders int `json:"unlisted_providers"`
	// LeftScope counts the locations of a filtered scope whose body, fetched
	// for a change, no longer matches the filters (State: ScopeState.Left).
	LeftScope int `json:"left_scope"`
	// FilterCheck says how a filtered scope's changes run learned which
	// changed locations are in the filters: "bodies" (each fetched and
	// checked) or "list" (the filtered list read, cheaper this time).
	FilterCheck string `json:"filter_check,omitempty"`
	// FailedIDs lists the failed items as "location/1-101" (at most 100).
	FailedIDs []string `json:"failed_ids,omitempty"`
}

// BudgetUse is how much of the rate budget the run used.
type BudgetUse struct {
	RateLimit     int     `json:"rate_limit"`
	WindowSeconds float64 `json:"window_seconds"`
	MaxCalls      int     `json:"max_calls,omitempty"`
	MaxSeconds    float64 `json:"max_seconds,omitempty"`
	// Utilisation is calls made over the most the budget allows from the
	// first call to the last (1.0 = every slot used; see docs/benchmarks.md).
	Utilisation float64 `json:"utilisation"`
	// BusiestWindowCalls is the most calls the run started within one
	// window: never more than RateLimit (a rate over a run shorter than a
	// few windows would mislead: a sliding window admits RateLimit calls at
	// once, and as many again a window later).
	BusiestWindowCalls int `json:"busiest_window_calls"`
}

// BackfillStatus is the backfill of the run's scope after the run.
type BackfillStatus struct {
	StartedAt   *time.Time `json:"started_at,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	Complete    bool       `json:"complete"`
	// RemainingCalls estimates the calls still needed (details not yet
	// archived, list pages not yet walked, items the lists announce but that
	// were not listed yet); RemainingSeconds is that at the budget's rate.
	// Both are 0 when the run cannot know (it failed, or read no list page).
	RemainingCalls   int     `json:"remaining_calls"`
	RemainingSeconds float64 `json:"remaining_seconds"`
}

// utilisation is calls over the most the budget allows between the first
// call and the last: limit for the window the first call opens and for each
// whole window after it (a sliding window admits no more than that).
func utilisation(calls, limit int, window time.Duration, first, last time.Time) float64 {
	if calls == 0 || limit == 0 {
		return 0
	}
	windows := 1 + math.Floor(last.Sub(first).Seconds()/window.Seconds())
	return float64(calls) / (float64(limit) * windows)
}

// outcomeText says how a run of d ended, in words.
func outcomeText(outcome string, d time.Duration) string {
	switch outcome {
	case OutcomeComplete:
		return fmt.Sprintf("complete in %s", d)
	case OutcomePartial:
		return fmt.Sprintf("finished in %s, but some items failed every try (the next run retries them)", d)
	case OutcomeBudgetCalls:
		return fmt.Sprintf("stopped at the --budget call limit after %s; the next run continues", d)
	case OutcomeBudgetTime:
		return fmt.Sprintf("stopped at the --budget time limit after %s; the next run continues", d)
	case OutcomeCancelled:
		return fmt.Sprintf("interrupted after %s; progress saved", d)
	case OutcomeFailed:
		return fmt.Sprintf("failed after %s", d)
	}
	return fmt.Sprintf("%s after %s", outcome, d)
}

// WriteText prints the summary for a person.
func (s Summary) WriteText(w io.Writer) {
	fmt.Fprintf(w, "CQC extract (%s, scope %s, ran %s): %s\n", s.Mode, s.Scope, strings.Join(s.Phases, "+"),
		outcomeText(s.Outcome, time.Duration(s.Seconds*float64(time.Second)).Round(time.Second)))
	if s.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", s.Error)
	}
	codes := make([]string, 0, len(s.Calls.ByStatus))
	for c := range s.Calls.ByStatus {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	parts := make([]string, 0, len(codes))
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%s: %d", c, s.Calls.ByStatus[c]))
	}
	fmt.Fprintf(w, "  calls: %d (%s); 429s: %d (soft %d); retries: %d; pages: %d\n", s.Calls.Total,
		strings.Join(parts, ", "), s.Calls.Throttled, s.Calls.SoftThrottled, s.Calls.Retries, s.Calls.ListPages)
	fmt.Fprintf(w, "  items: %d new, %d changed, %d gone, %d failed, %d pending, %d already archived\n",
		s.Items.New, s.Items.Changed, s.Items.Gone, s.Items.Failed, s.Items.Pending, s.Items.Skipped)
	if s.Items.UnlistedProviders > 0 {
		fmt.Fprintf(w, "  providers named by locations but not listed by /providers: %d fetched\n", s.Items.UnlistedProviders)
	}
	if s.Items.FilterCheck != "" {
		fmt.Fprintf(w, "  filtered scope: changed locations checked by their %s; %d left the filters\n", s.Items.FilterCheck, s.Items.LeftScope)
	}
	if rp := s.Reports; rp.Mode != "" {
		fmt.Fprintf(w, "  reports (%s): %d fetched, %d gone, %d failed, %d pending, %d already archived\n",
			rp.Mode, rp.Fetched, rp.Gone, rp.Failed, rp.Pending, rp.Archived)
	}
	if s.Taxonomy != "" {
		fmt.Fprintf(w, "  inspection-area taxonomy: %s\n", s.Taxonomy)
	}
	window := time.Duration(s.Budget.WindowSeconds * float64(time.Second))
	fmt.Fprintf(w, "  budget: %d calls per %s, %.1f%% used; busiest %s: %d calls\n", s.Budget.RateLimit,
		window, 100*s.Budget.Utilisation, window, s.Budget.BusiestWindowCalls)
	switch {
	case s.Backfill.Complete:
		fmt.Fprintf(w, "  backfill: complete\n")
	case s.Backfill.StartedAt != nil && s.Backfill.RemainingCalls > 0:
		fmt.Fprintf(w, "  backfill: about %d calls to go, %s at the budget's rate\n", s.Backfill.RemainingCalls,
			time.Duration(s.Backfill.RemainingSeconds*float64(time.Second)).Round(time.Second))
	case s.Backfill.StartedAt != nil:
		fmt.Fprintf(w, "  backfill: not complete; run again to continue\n")
	}
	for _, k := range kinds {
		if wm, ok := s.Watermarks[k]; ok {
			fmt.Fprintf(w, "  changes of %ss archived up to %s\n", k, wm.Format(time.RFC3339))
		}
	}
}
