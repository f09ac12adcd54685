package cqcsim

import (
	"fmt"
	"io/fs"
	"log/slog"
	"time"
)

// ThrottleMode chooses how a throttled call is answered.
type ThrottleMode string

const (
	// Throttle429 answers HTTP 429 with a Retry-After header (the default).
	Throttle429 ThrottleMode = "429"
	// Throttle429NoRetryAfter answers HTTP 429 without Retry-After.
	Throttle429NoRetryAfter ThrottleMode = "429-no-retry-after"
	// ThrottleSoft answers HTTP 200 with
	// {"statusCode":429,"message":"Rate limit is exceeded. Try again in N seconds."}.
	ThrottleSoft ThrottleMode = "soft"
)

// ThrottleModes lists the valid modes, for flag help and validation.
var ThrottleModes = []ThrottleMode{Throttle429, Throttle429NoRetryAfter, ThrottleSoft}

// DefaultEnd is the default end of simulated history.
var DefaultEnd = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

const (
	DefaultLocations  = 2000
	DefaultDays       = 30
	DefaultRateLimit  = 100
	DefaultRateWindow = 60 * time.Second
	DefaultAPIKey     = "test-key"
)

// Config describes one simulated API. The zero value serves 2,000 generated
// locations with 30 days of history under the default key and budget.
type Config struct {
	// Seed is the generation seed (0 means 1). The same seed (and the same
	// fixtures) gives the same data, byte for byte.
	Seed int64
	// Locations is how many generated locations a paging walk of /locations
	// returns at the default clock (End), deregistered included; about 0.4
	// providers come with each. 0 means 2000; negative means none (serve
	// fixtures only). Fixture locations come on top.
	Locations int
	// Days of simulated history in the changes feed (0 means 30).
	Days int
	// End of simulated history (zero means 2026-11-21T00:00:00Z); history
	// covers [End-Days, End). Truncated to whole seconds.
	End time.Time
	// FixturesDir optionally holds <dir>/locations/*.json and
	// <dir>/providers/*.json detail bodies, served as written (whitespace
	// compacted) and listed. Fixtures is the same as an fs.FS (for embedded
	// data); set at most one of the two.
	FixturesDir string
	Fixtures    fs.FS
	// APIKeys are the accepted Ocp-Apim-Subscription-Key values
	// (default ["test-key"]).
	APIKeys []string
	// RateLimit is how many calls one key may make in any RateWindow
	// (0 means 100; negative means unlimited). RateWindow defaults to 60 s.
	RateLimit  int
	RateWindow time.Duration
	// Throttle chooses how refused calls are answered (default Throttle429).
	Throttle ThrottleMode
	// UnlistedProviders is the fraction of generated providers that the
	// /providers list omits although /providers/{id} serves them and their
	// locations name them (as the real register does for some; 0 means
	// none). UnlistedProviderIDs lists them.
	UnlistedProviders float64
	// Faults to inject from the start; see Sim.SetFaults to change them.
	Faults Faults
	// Now is the wall clock of the rate limiter and request log
	// (default time.Now). Tests inject a fake clock here. It is called with
	// the simulator's lock held, once per API request, in arrival order: it
	// must not call back into the Sim (Sim.Clock excepted).
	Now func() time.Time
	// Logger receives Info lines for generation and decisions (default: discard).
	Logger *slog.Logger
}

// Faults are injected failures. All fractions are in [0, 1] and decided per
// request from Seed and the request's sequence number since the last
// SetFaults, so a failing test reproduces.
type Faults struct {
	Seed int64
	// Status5xx is the fraction of admitted calls answered 500, 502, 503 or 504 (mixed).
	Status5xx float64
	// Gateway403 is the fraction of calls answered 403 with the Azure
	// Application Gateway's HTML page (an outage in front of the API).
	Gateway403 float64
	// Throttle is the fraction of calls answered as throttled (per
	// Config.Throttle) whatever the budget: 429 storms.
	Throttle float64
	// Truncate is the fraction of 200 JSON bodies cut short; Content-Length
	// matches the cut body.
	Truncate float64
	// Every response waits uniformly in [LatencyMin, LatencyMax].
	LatencyMin time.Duration
	LatencyMax time.Duration
	// Answer 401 to everything (a key revoked mid-run).
	Unauthorized bool //nolint:misspell // the name other packages code against
}

// withDefaults returns cfg with defaults filled in, or an error wrapping
// ErrConfig naming the field at fault.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Locations == 0 {
		cfg.Locations = DefaultLocations
	}
	if cfg.Locations < 0 {
		cfg.Locations = 0
	}
	if cfg.Locations > 5_000_000 {
		return cfg, fmt.Errorf("%w: Locations %d is more than the 5,000,000 the simulator holds in memory", ErrConfig, cfg.Locations)
	}
	switch {
	case cfg.Days == 0:
		cfg.Days = DefaultDays
	case cfg.Days < 0 || cfg.Days > 3650:
		return cfg, fmt.Errorf("%w: Days %d must be between 1 and 3650", ErrConfig, cfg.Days)
	}
	if cfg.End.IsZero() {
		cfg.End = DefaultEnd
	}
	cfg.End = cfg.End.UTC().Truncate(time.Second)
	if earliest := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC); cfg.End.AddDate(0, 0, -cfg.Days).Before(earliest) {
		return cfg, fmt.Errorf("%w: history [End-Days, End) must start after %s: the simulated register begins on 1 October 2010",
			ErrConfig, earliest.Format(time.DateOnly))
	}
	if cfg.UnlistedProviders < 0 || cfg.UnlistedProviders > 1 {
		return cfg, fmt.Errorf("%w: UnlistedProviders %g must be between 0 and 1", ErrConfig, cfg.UnlistedProviders)
	}
	if cfg.FixturesDir != "" && cfg.Fixtures != nil {
		return cfg, fmt.Errorf("%w: set FixturesDir or Fixtures, not both", ErrConfig)
	}
	if len(cfg.APIKeys) == 0 {
		cfg.APIKeys = []string{DefaultAPIKey}
	}
	for _, k := range cfg.APIKeys {
		if k == "" {
			return cfg, fmt.Errorf("%w: an API key must not be empty", ErrConfig)
		}
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	switch {
	case cfg.RateWindow == 0:
		cfg.RateWindow = DefaultRateWindow
	case cfg.RateWindow < 0:
		return cfg, fmt.Errorf("%w: RateWindow %s must be positive", ErrConfig, cfg.RateWindow)
	}
	if cfg.Throttle == "" {
		cfg.Throttle = Throttle429
	}
	if err := cfg.Throttle.validate(); err != nil {
		return cfg, err
	}
	if err := cfg.Faults.validate(); err != nil {
		return cfg, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

func (m ThrottleMode) validate() error {
	for _, v := range ThrottleModes {
		if m == v {
			return nil
		}
	}
	return fmt.Errorf("%w: throttle mode %q: use %q, %q or %q", ErrConfig, string(m),
		Throttle429, Throttle429NoRetryAfter, ThrottleSoft)
}

func (f Faults) validate() error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"Status5xx", f.Status5xx}, {"Gateway403", f.Gateway403}, {"Throttle", f.Throttle}, {"Truncate", f.Truncate}} {
		if !(p.v >= 0 && p.v <= 1) { // also catches NaN
			return fmt.Errorf("%w: fault fraction %s = %v must be between 0 and 1", ErrConfig, p.name, p.v)
		}
	}
	if f.LatencyMin < 0 || f.LatencyMax < 0 {
		return fmt.Errorf("%w: latencies must not be negative", ErrConfig)
	}
	if f.LatencyMax != 0 && f.LatencyMax < f.LatencyMin {
		return fmt.Errorf("%w: LatencyMax %s is below LatencyMin %s", ErrConfig, f.LatencyMax, f.LatencyMin)
	}
	return nil
}
