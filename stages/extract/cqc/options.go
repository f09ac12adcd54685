package cqc

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Mode chooses what a run does.
type Mode string

const (
	// ModeAuto backfills until the backfill is complete, then reads changes.
	ModeAuto Mode = "auto"
	// ModeBackfill walks the list pages and fetches every detail. A complete
	// backfill is started afresh (a full refresh); an incomplete one resumes.
	ModeBackfill Mode = "backfill"
	// ModeChanges reads the changes feed from the watermark to now.
	ModeChanges Mode = "changes"
)

// Scope chooses which organisations a run covers.
type Scope string

const (
	// ScopeAll is every location and provider (narrowed by Filters if set).
	ScopeAll Scope = "all"
	// ScopeClinics is the clinics' mapped locations, the closure of their
	// predecessor and successor chains, and their providers.
	ScopeClinics Scope = "clinics"
)

// Filters narrow ScopeAll with the API's list filters; several values of one
// filter mean any of them. With filters, the scope is the locations the
// /locations list returns for them, plus the providers of those locations.
type Filters struct {
	Region                []string // e.g. "London", "Yorkshire & Humberside"
	LocalAuthority        []string // e.g. "Merton" (case-sensitive)
	CareHome              []string // "Y" or "N"
	InspectionDirectorate []string // e.g. "Adult social care"
}

// filterParams are the list query parameters of the filters, in the order
// of Filters.lists and of facets.
var filterParams = [4]string{"region", "localAuthority", "careHome", "inspectionDirectorate"}

// lists are the filters' values, in filterParams order.
func (f *Filters) lists() [4]*[]string {
	return [4]*[]string{&f.Region, &f.LocalAuthority, &f.CareHome, &f.InspectionDirectorate}
}

// match says whether a location with these facets is in the filtered scope.
func (f Filters) match(v facets) bool {
	for i, vals := range f.lists() {
		if len(*vals) > 0 && !slices.Contains(*vals, v[i]) {
			return false
		}
	}
	return true
}

func (f Filters) empty() bool {
	return len(f.Region)+len(f.LocalAuthority)+len(f.CareHome)+len(f.InspectionDirectorate) == 0
}

// values are the list query parameters of the filters.
func (f Filters) values() url.Values {
	v := url.Values{}
	for i, vals := range f.lists() {
		for _, s := range *vals {
			v.Add(filterParams[i], s)
		}
	}
	return v
}

// filtersOfScope reads the filters back from a scope key (ScopeKey); ok is
// false for a scope without filters.
func filtersOfScope(key string) (f Filters, ok bool) {
	q, ok := strings.CutPrefix(key, string(ScopeAll)+"?")
	if !ok {
		return Filters{}, false
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		return Filters{}, false
	}
	for i, vals := range f.lists() {
		*vals = v[filterParams[i]]
	}
	return f, !f.empty()
}

// DefaultPerPage is the list and changes page size (the largest known to work).
const DefaultPerPage = 1000

// Options configure one extract run; the command's flags mirror them.
type Options struct {
	// Root is the warehouse root (--out): the archive goes to <Root>/raw/cqc,
	// the state to <Root>/state/cqc-extract.json.
	Root   string
	Client ClientOptions

	Mode        Mode  // default ModeAuto
	Scope       Scope // default ScopeAll
	ClinicsFile string
	Filters     Filters
	// Reports fetches the inspection reports of the scope's locations
	// (--reports text|pdf|none; default none).
	Reports ReportsMode

	// MaxCalls ends the run cleanly after this many calls (--budget 5000);
	// MaxDuration after this long (--budget 2h). Zero: no limit.
	MaxCalls    int
	MaxDuration time.Duration

	// Lookback re-reads this much of the changes feed before the watermark
	// (--lookback); IDs archived after that window are not fetched again.
	Lookback time.Duration

	// PerPage is the page size of list and changes calls (default 1000).
	PerPage int

	// Progress, if set, receives a one-line progress bar (a terminal).
	Progress io.Writer
	// ProgressLogEvery, if set, logs a progress line at Info this often
	// (for logs that are not a terminal).
	ProgressLogEvery time.Duration

	// Now is the data clock: it stamps archive records, starts backfills and
	// ends changes windows (default time.Now; tests and the demo drive it
	// from the simulator). The rate budget always runs on the wall clock.
	Now func() time.Time

	// DrainTimeout is how long calls in flight may finish after ctx ends or
	// the time budget runs out (default 10 s); they are then cut.
	DrainTimeout time.Duration

	// Logger receives progress; default: discarded.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Client = o.Client.withDefaults()
	if o.Mode == "" {
		o.Mode = ModeAuto
	}
	if o.Scope == "" {
		o.Scope = ScopeAll
	}
	if o.Reports == "" {
		o.Reports = ReportsNone
	}
	if o.PerPage == 0 {
		o.PerPage = DefaultPerPage
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DrainTimeout == 0 {
		o.DrainTimeout = 10 * time.Second
	}
	return o
}

// Validate reports what is wrong with the options (with defaults applied),
// naming the flag, without any I/O. Extract validates too; a command calls
// Validate first to refuse a bad command line before taking the run lock.
func (o Options) Validate() error {
	return o.withDefaults().validate()
}

func (o Options) validate() error {
	var errs []string
	if err := o.Client.validate(); err != nil {
		errs = append(errs, err.Error())
	}
	if o.Root == "" {
		errs = append(errs, "--out: no warehouse root")
	}
	switch o.Mode {
	case ModeAuto, ModeBackfill, ModeChanges:
	default:
		errs = append(errs, fmt.Sprintf("--mode %q: use auto, backfill or changes", o.Mode))
	}
	switch o.Scope {
	case ScopeAll:
		if o.ClinicsFile != "" {
			errs = append(errs, "--clinics is only used with --scope clinics")
		}
	case ScopeClinics:
		if o.ClinicsFile == "" {
			errs = append(errs, "--scope clinics needs --clinics FILE (CSV clinic_id,cqc_location_id,name)")
		}
		if !o.Filters.empty() {
			errs = append(errs, "list filters (--region, --local-authority, --care-home, --inspection-directorate) only apply to --scope all")
		}
	default:
		errs = append(errs, fmt.Sprintf("--scope %q: use all or clinics", o.Scope))
	}
	switch o.Reports {
	case ReportsNone, ReportsText, ReportsPDF:
	default:
		errs = append(errs, fmt.Sprintf("--reports %q: use text, pdf or none", o.Reports))
	}
	for _, v := range o.Filters.CareHome {
		if v != "Y" && v != "N" {
			errs = append(errs, fmt.Sprintf("--care-home %q: use Y or N", v))
		}
	}
	if o.MaxCalls < 0 || o.MaxDuration < 0 {
		errs = append(errs, "--budget must be positive")
	}
	if o.Lookback < 0 {
		errs = append(errs, "--lookback must be positive")
	}
	if o.PerPage < 1 || o.PerPage > 10000 {
		errs = append(errs, fmt.Sprintf("page size %d: want 1 to 10000", o.PerPage))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", ErrOptions, strings.Join(errs, "; "))
	}
	return nil
}

// ScopeKey names the scope of the options in the state file: "all",
// "all?<filters>" or "clinics".
func (o *Options) ScopeKey() string {
	if o.Scope == ScopeClinics {
		return string(ScopeClinics)
	}
	if o.Filters.empty() {
		return string(ScopeAll)
	}
	return string(ScopeAll) + "?" + o.Filters.values().Encode()
}

// ParseBudget reads --budget: a duration ("90m", "2h") or a number of calls
// ("5000"). An empty string is no budget.
func ParseBudget(s string) (calls int, d time.Duration, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, 0, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 {
			return 0, 0, errors.New("a call budget must be at least 1")
		}
		return n, 0, nil
	}
	d, err = time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, 0, fmt.Errorf("%q is neither a number of calls (5000) nor a duration (2h, 90m)", s)
	}
	return 0, d, nil
}
