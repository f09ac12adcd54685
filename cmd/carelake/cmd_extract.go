package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"carelake/pipeline/durable"
	"carelake/stages/extract/cqc"
)

func extractCommand() *cli.Command {
	return &cli.Command{
		Name:  "extract",
		Usage: "pull the CQC register into the raw archive (<out>/raw/cqc) within the API's call budget",
		Description: `extract calls the CQC Syndication API and appends every response, good or bad,
to the raw archive under --out (raw/cqc). No call is made twice: a run resumes
from the archive itself, so an interrupted or killed run loses only the calls
in flight.

  --mode auto      backfill until complete, then read the changes feed (default)
  --mode backfill  list every location and provider, fetch each detail
  --mode changes   fetch what changed since the last run (the watermark)

All workers share one budget of --rate-limit calls in any --rate-window
(retries included); a 429 from CQC pauses them all. --budget ends a run
cleanly after a number of calls (5000) or a duration (2h); the next run goes
on where it stopped. The state is kept in <out>/state/cqc-extract.json.

Examples:
  CQC_API_KEY=... carelake extract --budget 2h
  carelake extract --scope clinics --clinics clinics.csv --summary-json summary.json
  carelake extract --region London --care-home Y`,
		Flags:  append(cqcClientFlags(), extractFlags()...),
		Action: runExtract,
	}
}

// cqcClientFlags are the flags of the CQC API client, shared by every command
// that calls the API (extract, run, demo). Read them with cqcClientOptions.
func cqcClientFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{
			Name: "cqc-base-url", Value: cqc.DefaultBaseURL, EnvVars: envVars("cqc-base-url"),
			Usage: "base URL of the CQC API (cqc-sim's: http://" + cqcSimAddr + "/public/v1)",
		},
		&cli.StringFlag{
			Name: "cqc-api-key", EnvVars: envVars("cqc-api-key", "CQC_API_KEY"),
			Usage: "CQC subscription key, sent as Ocp-Apim-Subscription-Key and never logged (prefer the env var CQC_API_KEY)",
		},
		&cli.IntFlag{
			Name: "rate-limit", Value: cqc.DefaultRateLimit, EnvVars: envVars("rate-limit"),
			Usage: "most calls in any sliding --rate-window, retries included",
		},
		&cli.DurationFlag{
			Name: "rate-window", Value: cqc.DefaultRateWindow, EnvVars: envVars("rate-window"),
			Usage: "length of the sliding window of --rate-limit",
		},
		&cli.IntFlag{
			Name: "concurrency", EnvVars: envVars("concurrency"),
			Usage:       "calls in flight at once",
			DefaultText: "enough for the whole budget with 4 s responses, 7 at 100 per minute",
		},
	}
}

// cqcClientOptions reads the flags of cqcClientFlags. Zero means "default"
// in cqc.ClientOptions, so explicit zeros are refused here; cqc checks the rest.
func cqcClientOptions(c *cli.Context) (cqc.ClientOptions, error) {
	o := cqc.ClientOptions{
		BaseURL:     c.String("cqc-base-url"),
		APIKey:      c.String("cqc-api-key"),
		RateLimit:   c.Int("rate-limit"),
		RateWindow:  c.Duration("rate-window"),
		Concurrency: c.Int("concurrency"),
		UserAgent:   "carelake/" + version,
	}
	switch {
	case o.RateLimit < 1:
		return o, usageError("--rate-limit %d: want at least 1 call per --rate-window", o.RateLimit)
	case o.RateWindow <= 0:
		return o, usageError("--rate-window %v: want a duration like 60s", o.RateWindow)
	case o.Concurrency < 0:
		return o, usageError("--concurrency %d: want at least 1 (or 0 for the default)", o.Concurrency)
	}
	return o, nil
}

func extractFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{
			Name: "mode", Value: string(cqc.ModeAuto), EnvVars: envVars("mode"),
			Usage: "auto (backfill until complete, then changes), backfill or changes",
		},
		&cli.StringFlag{
			Name: "budget", EnvVars: envVars("budget"),
			Usage: "end the run cleanly after a number of calls (5000) or a duration (2h); the next run continues",
		},
		&cli.StringFlag{
			Name: "scope", Value: string(cqc.ScopeAll), EnvVars: envVars("scope"),
			Usage: "all (every location and provider, or those the list filters select) or clinics (needs --clinics)",
		},
		&cli.StringFlag{
			Name: "clinics", EnvVars: envVars("clinics"),
			Usage: "clinic mapping CSV (clinic_id,cqc_location_id,name) for --scope clinics",
		},
		filterFlag("region", "only locations in this CQC region, e.g. London or 'Yorkshire & Humberside' (repeat for several; ';' separates values)"),
		filterFlag("local-authority", "only locations in this local authority, exactly as CQC spells it, e.g. 'Bristol, City of' (repeatable)"),
		filterFlag("care-home", "only care homes (Y) or only other services (N)"),
		filterFlag("inspection-directorate", "only locations of this directorate, e.g. 'Adult social care', Hospitals, 'Primary medical services' (repeatable)"),
		&cli.StringFlag{
			Name: "reports", Value: string(cqc.ReportsNone), EnvVars: envVars("reports"),
			Usage: "also fetch the inspection reports of the scope's locations (--scope clinics: the clinics' locations and their predecessors), each once: text, pdf (kept beside the archive) or none",
		},
		&cli.DurationFlag{
			Name: "lookback", EnvVars: envVars("lookback"),
			Usage: "also re-read this much of the changes feed before the watermark, for safety (e.g. 72h); items archived since are not fetched again",
		},
		&cli.StringFlag{
			Name: "summary-json", EnvVars: envVars("summary-json"),
			Usage: "also write the run summary as JSON to this file ('-': stdout, and the human summary goes to stderr)",
		},
		&cli.StringFlag{
			Name: "progress", Value: "auto", EnvVars: envVars("progress"),
			Usage: "progress bar on stderr: auto (if stderr is a terminal, else a log line a minute), always or never",
		},
	}
}

// multiValue is a repeatable flag whose values may contain commas (CQC names
// such as "Bristol, City of"); ';' separates several values in one setting,
// which is how the environment variable gives more than one.
type multiValue struct{ vals []string }

func (m *multiValue) Set(s string) error {
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			m.vals = append(m.vals, v)
		}
	}
	return nil
}

func (m *multiValue) String() string {
	if m == nil {
		return ""
	}
	return strings.Join(m.vals, ";")
}

func multi(c *cli.Context, name string) []string {
	if m, ok := c.Generic(name).(*multiValue); ok && m != nil {
		return append([]string(nil), m.vals...)
	}
	return nil
}

// extractOptions turns the flags into cqc.Options, refusing bad values
// before any I/O.
func extractOptions(c *cli.Context) (cqc.Options, error) {
	calls, d, err := cqc.ParseBudget(c.String("budget"))
	if err != nil {
		return cqc.Options{}, usageError("--budget: %v", err)
	}
	client, err := cqcClientOptions(c)
	if err != nil {
		return cqc.Options{}, err
	}
	opts := cqc.Options{
		Root:        outDir(c),
		Client:      client,
		Mode:        cqc.Mode(c.String("mode")),
		Scope:       cqc.Scope(c.String("scope")),
		ClinicsFile: c.String("clinics"),
		Filters: cqc.Filters{
			Region:                multi(c, "region"),
			LocalAuthority:        multi(c, "local-authority"),
			CareHome:              multi(c, "care-home"),
			InspectionDirectorate: multi(c, "inspection-directorate"),
		},
		Reports:     cqc.ReportsMode(c.String("reports")),
		MaxCalls:    calls,
		MaxDuration: d,
		Lookback:    c.Duration("lookback"),
	}
	switch p := c.String("progress"); p {
	case "always":
		opts.Progress = c.App.ErrWriter
	case "auto":
		if isTerminal(c.App.ErrWriter) {
			opts.Progress = c.App.ErrWriter
		} else {
			opts.ProgressLogEvery = time.Minute
		}
	case "never":
	default:
		return cqc.Options{}, usageError("--progress %q: use auto, always or never", p)
	}
	return opts, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func runExtract(c *cli.Context) error {
	opts, err := extractOptions(c)
	if err != nil {
		return err
	}
	if err := opts.Validate(); err != nil {
		return usageError("%v", err)
	}
	s, err := openSession(c, "extract", opts.Root)
	if err != nil {
		return err
	}
	defer s.close()

	var sum cqc.Summary
	rec, err := s.run(extractStep(opts, s.log, &sum))
	if errors.Is(err, cqc.ErrOptions) {
		return usageError("%v", err)
	}
	if sum.Outcome != "" {
		sum.WriteText(summaryWriter(c))
		if werr := writeSummaryJSON(c, sum); werr != nil && err == nil {
			err = werr
		}
	}
	if ierr := interrupted(rec, "everything archived so far is kept"); ierr != nil {
		return ierr
	}
	return err // "extract: ..." from the runner
}

// summaryWriter is where the human summary goes: stdout, unless
// --summary-json - puts the JSON there, then stderr.
func summaryWriter(c *cli.Context) io.Writer {
	if c.String("summary-json") == "-" {
		return c.App.ErrWriter
	}
	return c.App.Writer
}

// writeSummaryJSON writes a summary (extract's, or a run record) as JSON to
// the file --summary-json names ("-": stdout), atomically.
func writeSummaryJSON(c *cli.Context, sum any) error {
	path := c.String("summary-json")
	if path == "" {
		return nil
	}
	write := func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	if path == "-" {
		return write(c.App.Writer)
	}
	if err := durable.WriteFileAtomic(path, durable.FilePerm, write); err != nil {
		return fmt.Errorf("--summary-json: %w", err)
	}
	return nil
}

// filterFlag is a repeatable list filter of the CQC API.
func filterFlag(name, usage string) cli.Flag {
	return &cli.GenericFlag{Name: name, Value: &multiValue{}, EnvVars: envVars(name), Usage: usage}
}
