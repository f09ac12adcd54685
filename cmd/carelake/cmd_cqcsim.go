package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"carelake/data"
	"carelake/internal/cqcsim"
	"carelake/pipeline"
)

// cqcSimAddr is where cqc-sim listens by default.
const cqcSimAddr = "127.0.0.1:8081"

func cqcSimCommand() *cli.Command {
	return &cli.Command{
		Name:  "cqc-sim",
		Usage: "serve an offline fake of the CQC Syndication API (for tests, the demo and benchmarks)",
		Description: `cqc-sim serves a faithful fake of https://api.service.cqc.org.uk/public/v1 under
http://--addr/public/v1: /locations, /locations/{id}[/inspection-areas],
/providers, /providers/{id}[/locations|/inspection-areas], /changes/{location|provider},
/inspection-areas and /reports/{id} (PDF, or text with Accept: text/plain).

The register is generated from --seed (same seed, same bytes): --locations are
listed (deregistered included, about 0.4 providers each) with the real
vocabularies and hard cases (re-registration chains, inherited ratings,
assessment-only, dental, NHS trusts like RL4, non-ASCII names). --days of
history feed /changes; the data clock starts at --end (all history visible),
or at --clock. --fixtures DIR adds hand-pinned bodies (DIR/locations/*.json,
DIR/providers/*.json); --embedded-fixtures adds the bundled hard cases
(data/cqc). --locations 0 serves fixtures only.

Like the real gateway it requires the header Ocp-Apim-Subscription-Key (one
of --api-key; 401 otherwise) and a User-Agent (403 otherwise), and refuses the
call after --rate-limit admitted calls in any --rate-window per key, answering
per --throttle: 429 with Retry-After, 429 without, or "soft" (HTTP 200 with
{"statusCode":429,"message":"Rate limit is exceeded. Try again in N seconds."}).
The --fault-* and --latency-* flags inject seeded failures (--fault-seed).

Control endpoints (no key, never rate limited, not logged):
  GET  /_sim/requests           every API request (time, key, path, status)
  GET  /_sim/stats              counts by status and key, busiest window per key
  GET  /_sim/clock              the data clock
  POST /_sim/clock?t=RFC3339    move the data clock (e.g. to see the state before history)

--write-archive does not serve: it writes every location and provider body at
the data clock into the raw archive under --out (raw/cqc), as a complete
backfill would, for the transform benchmark:
  carelake cqc-sim --write-archive --out ./warehouse --locations 120000

Stop with Ctrl-C (SIGINT) or SIGTERM: in-flight calls finish, then it exits.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: cqcSimAddr, EnvVars: envVars("cqc-sim-addr"),
				Usage: "HOST:PORT to listen on (port 0 picks a free one)"},
			&cli.IntFlag{Name: "locations", Value: cqcsim.DefaultLocations, EnvVars: envVars("locations"),
				Usage: "generated locations listed at the end of history, deregistered included (0: fixtures only)"},
			&cli.IntFlag{Name: "days", Value: cqcsim.DefaultDays, EnvVars: envVars("days"),
				Usage: "days of simulated history in the changes feed, ending at --end"},
			&cli.Int64Flag{Name: "seed", Value: 1, EnvVars: envVars("seed"),
				Usage: "generation seed: the same seed gives the same data, byte for byte"},
			&cli.StringFlag{Name: "end", Value: cqcsim.DefaultEnd.Format(time.RFC3339), EnvVars: envVars("end"),
				Usage: "end of simulated history, RFC3339 (UTC)"},
			&cli.StringFlag{Name: "clock", EnvVars: envVars("clock"), DefaultText: "--end",
				Usage: "initial data clock, RFC3339: the API shows the events before it (POST /_sim/clock moves it)"},
			&cli.IntFlag{Name: "rate-limit", Value: cqcsim.DefaultRateLimit, EnvVars: envVars("rate-limit"),
				Usage: "admitted calls per key in any --rate-window (negative: unlimited)"},
			&cli.DurationFlag{Name: "rate-window", Value: cqcsim.DefaultRateWindow, EnvVars: envVars("rate-window"),
				Usage: "length of the sliding rate-limit window"},
			&cli.StringFlag{Name: "throttle", Value: string(cqcsim.Throttle429), EnvVars: envVars("throttle"),
				Usage: "answer to a refused call: 429 (with Retry-After), 429-no-retry-after, or soft (HTTP 200 with a 429 JSON body)"},
			&cli.StringSliceFlag{Name: "api-key", Value: cli.NewStringSlice(cqcsim.DefaultAPIKey), EnvVars: envVars("api-key"),
				Usage: "accepted Ocp-Apim-Subscription-Key value; repeat for several keys (each has its own budget)"},
			&cli.StringFlag{Name: "fixtures", EnvVars: envVars("fixtures"),
				Usage: "directory of fixture bodies to serve as well: DIR/locations/*.json and DIR/providers/*.json"},
			&cli.BoolFlag{Name: "embedded-fixtures", EnvVars: envVars("embedded-fixtures"),
				Usage: "serve the bundled hard-case fixtures (data/cqc) as well"},
			&cli.Float64Flag{Name: "fault-5xx", EnvVars: envVars("fault-5xx"),
				Usage: "fraction (0-1) of admitted calls answered 500, 502, 503 or 504"},
			&cli.Float64Flag{Name: "fault-gateway-403", EnvVars: envVars("fault-gateway-403"),
				Usage: "fraction (0-1) of calls answered 403 with the Azure Application Gateway's HTML page"},
			&cli.Float64Flag{Name: "fault-throttle", EnvVars: envVars("fault-throttle"),
				Usage: "fraction (0-1) of calls answered as throttled (per --throttle) whatever the budget"},
			&cli.Float64Flag{Name: "fault-truncate", EnvVars: envVars("fault-truncate"),
				Usage: "fraction (0-1) of 200 JSON bodies cut short (Content-Length matches the cut body)"},
			&cli.BoolFlag{Name: "fault-401", EnvVars: envVars("fault-401"),
				Usage: "answer 401 to every call, as if the key were revoked"},
			&cli.DurationFlag{Name: "latency-min", EnvVars: envVars("latency-min"),
				Usage: "each response waits at least this long (uniform up to --latency-max)"},
			&cli.DurationFlag{Name: "latency-max", EnvVars: envVars("latency-max"),
				Usage: "each response waits at most this long"},
			&cli.Int64Flag{Name: "fault-seed", EnvVars: envVars("fault-seed"),
				Usage: "seed of the fault decisions, so a failing run reproduces"},
			&cli.BoolFlag{Name: "write-archive", EnvVars: envVars("write-archive"),
				Usage: "do not serve: write every body into the raw archive under --out and exit"},
		},
		Action: runCQCSim,
	}
}

// cqcSimConfig validates the flags (before any I/O) into a simulator Config.
func cqcSimConfig(c *cli.Context) (cqcsim.Config, error) {
	cfg := cqcsim.Config{
		Seed:       c.Int64("seed"),
		Days:       c.Int("days"),
		RateLimit:  c.Int("rate-limit"),
		RateWindow: c.Duration("rate-window"),
		Throttle:   cqcsim.ThrottleMode(c.String("throttle")),
		APIKeys:    c.StringSlice("api-key"),
		Faults: cqcsim.Faults{
			Seed:         c.Int64("fault-seed"),
			Status5xx:    c.Float64("fault-5xx"),
			Gateway403:   c.Float64("fault-gateway-403"),
			Throttle:     c.Float64("fault-throttle"),
			Truncate:     c.Float64("fault-truncate"),
			LatencyMin:   c.Duration("latency-min"),
			LatencyMax:   c.Duration("latency-max"),
			Unauthorized: c.Bool("fault-401"), //nolint:misspell // the simulator's field name
		},
	}
	switch n := c.Int("locations"); {
	case n < 0:
		return cfg, usageError("--locations %d: give 0 or more", n)
	case n == 0:
		cfg.Locations = -1 // fixtures only
	default:
		cfg.Locations = n
	}
	if cfg.Seed == 0 {
		return cfg, usageError("--seed 0: use a non-zero seed")
	}
	if cfg.Days < 1 {
		return cfg, usageError("--days %d: give at least 1", cfg.Days)
	}
	if cfg.RateLimit == 0 {
		return cfg, usageError("--rate-limit 0 would refuse every call: give a positive budget, or a negative one for unlimited")
	}
	if cfg.RateWindow <= 0 {
		return cfg, usageError("--rate-window %s: give a positive duration, like 60s", cfg.RateWindow)
	}
	switch cfg.Throttle {
	case cqcsim.Throttle429, cqcsim.Throttle429NoRetryAfter, cqcsim.ThrottleSoft:
	default:
		return cfg, usageError("--throttle %q: use 429, 429-no-retry-after or soft", string(cfg.Throttle))
	}
	for _, k := range cfg.APIKeys {
		if strings.TrimSpace(k) == "" {
			return cfg, usageError("--api-key must not be empty")
		}
	}
	for _, f := range []string{"fault-5xx", "fault-gateway-403", "fault-throttle", "fault-truncate"} {
		if v := c.Float64(f); !(v >= 0 && v <= 1) {
			return cfg, usageError("--%s %v: give a fraction between 0 and 1", f, v)
		}
	}
	if cfg.Faults.LatencyMin < 0 || cfg.Faults.LatencyMax < 0 {
		return cfg, usageError("--latency-min and --latency-max must not be negative")
	}
	if cfg.Faults.LatencyMax == 0 {
		cfg.Faults.LatencyMax = cfg.Faults.LatencyMin
	}
	if cfg.Faults.LatencyMax < cfg.Faults.LatencyMin {
		return cfg, usageError("--latency-max %s is below --latency-min %s", cfg.Faults.LatencyMax, cfg.Faults.LatencyMin)
	}
	end, err := time.Parse(time.RFC3339, c.String("end"))
	if err != nil {
		return cfg, usageError("--end %q: give an RFC3339 time, like 2026-11-21T00:00:00Z", c.String("end"))
	}
	cfg.End = end
	if dir := c.String("fixtures"); dir != "" {
		if c.Bool("embedded-fixtures") {
			return cfg, usageError("--fixtures and --embedded-fixtures: choose one")
		}
		cfg.FixturesDir = dir
	}
	if c.Bool("embedded-fixtures") {
		sub, err := fs.Sub(data.CQCFixtures, "cqc/fixtures")
		if err != nil {
			return cfg, fmt.Errorf("embedded fixtures: %w", err)
		}
		cfg.Fixtures = sub
	}
	if cfg.Locations < 0 && cfg.FixturesDir == "" && cfg.Fixtures == nil {
		return cfg, usageError("--locations 0 serves fixtures only: add --fixtures DIR or --embedded-fixtures")
	}
	return cfg, nil
}

func runCQCSim(c *cli.Context) error {
	cfg, err := cqcSimConfig(c)
	if err != nil {
		return err
	}
	var clock time.Time
	if s := c.String("clock"); s != "" {
		if clock, err = time.Parse(time.RFC3339, s); err != nil {
			return usageError("--clock %q: give an RFC3339 time, like 2026-11-01T00:00:00Z", s)
		}
	}
	addr := c.String("addr")
	if !c.Bool("write-archive") {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return usageError("--addr %q: use HOST:PORT, like %s", addr, cqcSimAddr)
		}
	}
	logger, err := newLogger(c)
	if err != nil {
		return err
	}
	cfg.Logger = logger
	sim, err := cqcsim.New(cfg)
	if err != nil {
		if errors.Is(err, cqcsim.ErrConfig) || errors.Is(err, cqcsim.ErrFixture) {
			return usageError("%v", err)
		}
		return err
	}
	if !clock.IsZero() {
		sim.SetClock(clock)
	}
	if c.Bool("write-archive") {
		return cqcSimWriteArchive(c, sim)
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cqc-sim: listen on --addr %s: %w (is another server on that port? pick another)", addr, err)
	}
	srv := &http.Server{
		Handler:           sim.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      time.Minute + cfg.Faults.LatencyMax,
		IdleTimeout:       2 * time.Minute,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	key := "<one of --api-key>"
	if keys := c.StringSlice("api-key"); len(keys) == 1 && keys[0] == cqcsim.DefaultAPIKey {
		key = cqcsim.DefaultAPIKey // the simulator's public test key, not a secret
	}
	logger.Info("cqc-sim serving", "base_url", base+"/public/v1", "clock", sim.Clock().Format(time.RFC3339),
		"rate_limit", cfg.RateLimit, "rate_window", cfg.RateWindow, "throttle", string(cfg.Throttle),
		"try", fmt.Sprintf("curl -H 'Ocp-Apim-Subscription-Key: %s' '%s/public/v1/locations?perPage=5'", key, base),
		"stats", base+"/_sim/stats")
	select {
	case err := <-served:
		return fmt.Errorf("cqc-sim: serve: %w", err)
	case <-c.Done():
	}
	logger.Info("cqc-sim stopping: finishing in-flight calls")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second+cfg.Faults.LatencyMax)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("cqc-sim: shutdown: %w", err)
	}
	st := sim.Stats()
	logger.Info("cqc-sim stopped", "requests", st.Requests, "admitted", st.Admitted, "throttled", st.Throttled)
	return nil
}

func cqcSimWriteArchive(c *cli.Context, sim *cqcsim.Sim) (err error) {
	out := outDir(c)
	lock, err := pipeline.AcquireLock(out, "cqc-sim --write-archive")
	if err != nil {
		return err
	}
	defer func() {
		if rerr := lock.Release(); err == nil && rerr != nil {
			err = fmt.Errorf("release the run lock: %w", rerr)
		}
	}()
	began := time.Now()
	st, err := sim.WriteArchive(c.Context, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %d location and %d provider bodies (%d MB of JSON, data clock %s) to the raw archive under %s in %s\n",
		st.Locations, st.Providers, st.BodyBytes>>20, sim.Clock().Format(time.RFC3339), out, time.Since(began).Round(time.Millisecond))
	return nil
}
