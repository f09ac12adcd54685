package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"carelake/data"
	"carelake/internal/careqreplay"
	"carelake/internal/cqcsim"
	"carelake/pipeline/durable"
	"carelake/schemas"
	"carelake/schemas/careqlog"
	"carelake/stages/catalog"
	"carelake/stages/extract/cqc"
	"carelake/stages/extract/receiver"
)

// The demo's fixed setup: the bundled data set (data/), a simulated CQC API
// and a CareQ receiver on loopback, and a budget compressed 60 times so the
// whole pipeline runs in seconds.
const (
	demoOut        = "./carelake-demo"
	demoMarker     = ".carelake-demo"
	demoSeed       = 1
	demoLocations  = 300
	demoDays       = 30
	demoAPIKey     = "carelake-demo-key" //nolint:gosec // the simulator's key, public on purpose
	demoRateLimit  = 100
	demoRateWindow = time.Second
	demoWorkers    = 8
	// demoPIIKey pseudonymises the sample patients when CARELAKE_PII_KEY is
	// not set. It is public: real deployments set their own secret.
	demoPIIKey = "carelake-demo-pii-key: public, never use it for real data" //nolint:gosec // public on purpose
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "run the whole pipeline on the embedded data set, no API key or network needed",
		Description: `demo starts, in this process and on loopback only:

  - the CQC API simulator with the bundled data set (seed 1, 300 generated
    locations plus hand-pinned hard cases: inherited ratings, a predecessor
    chain of depth 3, assessment-only, deregistered, dental, NHS sites);
  - the CareQ receiver with the example configuration, replaying the sample
    deliveries (the specification's own examples among them), signed;

then runs extract, normalise, resolve, load, the marts and the catalog exactly as
'carelake run' does, with the clinic mapping of data/clinics.csv, and prints
row counts, ratings showing inheritance and lineage, a report's text next to the
rating it explains (the demo fetches report texts: --reports text), appointments
next to the rating in effect on their date, and the command to query the result.

The demo's CQC budget is 100 calls a second against the simulator, so it
finishes in seconds. The real CQC API allows about 100 calls a minute:
'carelake run' keeps to that by default.

The demo replaces its --out directory on every run; it refuses to touch a
directory it did not create. Its story is on stdout, so its log shows only
warnings and errors unless --log-level says otherwise.`,
		// The global flags with the demo's own defaults.
		Flags:  globalFlags(demoOut, "warn"),
		Action: runDemo,
	}
}

func runDemo(c *cli.Context) error {
	root := outDir(c)
	if err := prepareDemoDir(root); err != nil {
		return err
	}
	s, err := openSession(c, "demo", root)
	if err != nil {
		return err
	}
	defer s.close()
	log := s.log
	out := c.App.Writer
	ctx := c.Context

	sim, simURL, stopSim, err := startDemoSimulator(log)
	if err != nil {
		return err
	}
	defer stopSim()
	fmt.Fprintf(out, "CQC API simulator on %s: %d locations, %d providers (budget %d calls per %s; the real API allows ~100 a minute)\n",
		simURL, len(sim.LocationIDs()), len(sim.ProviderIDs()), demoRateLimit, demoRateWindow)

	if err := receiveDemoDeliveries(ctx, out, root, log); err != nil {
		return err
	}

	clinics, err := schemas.ReadClinics(bytes.NewReader(data.ClinicsCSV))
	if err != nil {
		return fmt.Errorf("demo: data/clinics.csv: %w", err)
	}
	plan := runPlan{root: root, apiBase: simURL, clinics: clinics, extract: &cqc.Options{
		Root: root,
		Client: cqc.ClientOptions{BaseURL: simURL, APIKey: demoAPIKey, RateLimit: demoRateLimit,
			RateWindow: demoRateWindow, Concurrency: demoWorkers, UserAgent: "carelake/" + version + " (demo)"},
		Reports: cqc.ReportsText,
		Now:     sim.Clock,
	}}
	rec, err := s.run(runSteps(plan, log)...)
	writeRunSummary(out, root, rec)
	if ierr := interrupted(rec, "the next demo starts afresh"); ierr != nil {
		return ierr
	}
	if err != nil {
		return fmt.Errorf("demo %s failed at %w", rec.RunID, err)
	}
	return showDemo(ctx, out, root)
}

// prepareDemoDir empties a directory an earlier demo made (or creates it)
// and marks it as the demo's; any other non-empty directory is refused.
func prepareDemoDir(root string) error {
	entries, err := os.ReadDir(root)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("demo: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(root, demoMarker)); err != nil {
			return usageError("demo: %s is not empty and was not made by 'carelake demo': give an empty or new directory with --out", root)
		}
		for _, e := range entries {
			if err := os.RemoveAll(filepath.Join(root, e.Name())); err != nil {
				return fmt.Errorf("demo: clear the previous demo: %w", err)
			}
		}
	}
	if err := os.MkdirAll(root, durable.DirPerm); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return os.WriteFile(filepath.Join(root, demoMarker), []byte("made by carelake demo; the next demo replaces this directory\n"), durable.FilePerm)
}

// startDemoSimulator serves the bundled data set on a loopback port.
func startDemoSimulator(log *slog.Logger) (*cqcsim.Sim, string, func(), error) {
	fixtures, err := fs.Sub(data.CQCFixtures, "cqc/fixtures")
	if err != nil {
		return nil, "", nil, fmt.Errorf("demo: %w", err)
	}
	sim, err := cqcsim.New(cqcsim.Config{Seed: demoSeed, Locations: demoLocations, Days: demoDays, Fixtures: fixtures,
		APIKeys: []string{demoAPIKey}, RateLimit: demoRateLimit, RateWindow: demoRateWindow, Logger: log})
	if err != nil {
		return nil, "", nil, fmt.Errorf("demo: simulator: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, fmt.Errorf("demo: simulator: %w", err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }() // ends with ErrServerClosed when stopped
	stop := func() { _ = srv.Close() }
	return sim, "http://" + ln.Addr().String() + "/public/v1", stop, nil
}

// receiveDemoDeliveries runs the CareQ receiver with the example
// configuration on a loopback port, replays the sample deliveries through
// it (each answer checked against the expected one) and stops it, which
// seals its log under <root>/raw/careq.
func receiveDemoDeliveries(ctx context.Context, out io.Writer, root string, log *slog.Logger) error {
	raw, err := fs.ReadFile(data.CareQ, "careq/serve.example.yaml")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	cfg, err := receiver.ParseConfig(raw)
	if err != nil {
		return fmt.Errorf("demo: example configuration: %w", err)
	}
	sub, err := fs.Sub(data.CareQ, "careq/deliveries")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	deliveries, err := careqreplay.LoadDeliveries(sub)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	key := os.Getenv(receiver.PIIKeyEnv)
	if len(key) < receiver.MinPIIKeyLen {
		key = demoPIIKey
	}
	logDir := careqlog.Dir(root)
	lock, err := lockLogDir(logDir)
	if err != nil {
		return fmt.Errorf("demo: CareQ receiver: %w", err)
	}
	defer func() { _ = lock.Release() }() // closing the lock file cannot lose data
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		_, err := receiver.Run(rctx, receiver.Options{
			ServerOptions: receiver.ServerOptions{Config: cfg, PIIKey: []byte(key), LogDir: logDir, Logger: log},
			Addr:          "127.0.0.1:0",
			OnListen:      func(a net.Addr) { addr <- a },
		})
		done <- err
	}()
	var url string
	select {
	case a := <-addr:
		url = "http://" + a.String()
	case err := <-done:
		return fmt.Errorf("demo: CareQ receiver: %w", err)
	}
	results, rerr := careqreplay.Replay(ctx, receiver.ClinicClients(url, cfg), deliveries)
	stop()
	if err := <-done; err != nil {
		return fmt.Errorf("demo: CareQ receiver: %w", err)
	}
	if rerr != nil {
		return fmt.Errorf("demo: %w", rerr)
	}
	fmt.Fprintf(out, "CareQ receiver on %s: %d signed sample deliveries replayed, every answer as expected; log sealed in %s\n",
		url, len(results), logDir)
	return nil
}

// demoQueries show what the warehouse holds, through the catalog's views.
var demoQueries = []struct{ title, query string }{
	{"Rows per view", `SELECT 'cqc_locations' AS view, count(*) AS rows FROM cqc_locations
UNION ALL SELECT 'cqc_providers', count(*) FROM cqc_providers
UNION ALL SELECT 'cqc_location_ratings', count(*) FROM cqc_location_ratings
UNION ALL SELECT 'cqc_location_rating_history', count(*) FROM cqc_location_rating_history
UNION ALL SELECT 'cqc_location_lineage', count(*) FROM cqc_location_lineage
UNION ALL SELECT 'cqc_rejects', count(*) FROM cqc_rejects
UNION ALL SELECT 'careq_events', count(*) FROM careq_events
UNION ALL SELECT 'careq_patients', count(*) FROM careq_patients
UNION ALL SELECT 'careq_appointments', count(*) FROM careq_appointments
UNION ALL SELECT 'clinic_appointment_ratings', count(*) FROM clinic_appointment_ratings`},
	{"Lineage: a location re-registered three times", `SELECT location_id, ancestor_location_id, depth, current_location_id
FROM cqc_location_lineage WHERE location_id = '1-1500001003' ORDER BY depth`},
	{"Inherited ratings and the predecessor's report they come from", `SELECT location_id, name, rating, source_location_id, source_report_date
FROM cqc_location_ratings WHERE inherited AND location_id IN ('1-1500000101', '1-1500001003') AND kind IN ('overall', 'key_question')
ORDER BY location_id, name`},
	{"An inspection report's text next to the rating it explains (extract --reports text)", `WITH rep AS (
    SELECT r.location_id, r.rating AS overall_rating, r.inherited, t.location_id AS report_of, t.report_date,
           string_split(substr(t.text, strpos(t.text, 'Overall rating')), chr(10)) AS lines
    FROM cqc_location_ratings r
    JOIN cqc_report_texts t ON t.link_id = r.report_link_id AND t.location_id = r.source_location_id
    WHERE r.kind = 'overall' AND r.location_id = '1-1500000101'
), numbered AS (SELECT *, unnest(generate_series(1, len(lines))) AS n FROM rep)
SELECT location_id, overall_rating, inherited, report_of, report_date, lines[n] AS report_text
FROM numbered WHERE lines[n] <> '' ORDER BY n`},
	{"Clinics and their current CQC location", `SELECT clinic_id, cqc_location_id, current_location_id, mapping_status, overall_rating
FROM clinic_locations ORDER BY clinic_id`},
	{"Appointments next to the rating in effect on their date", `SELECT clinic_id, careq_id, appointment_date, status, rated_location_id,
       overall_rating_at_appointment AS overall_then, overall_rating_at_appointment_inherited AS inherited,
       safe_rating_at_appointment AS safe_then, current_overall_rating AS overall_now
FROM clinic_appointment_ratings
QUALIFY row_number() OVER (PARTITION BY clinic_id ORDER BY appointment_date) <= 3
ORDER BY clinic_id, appointment_date`},
}

func showDemo(ctx context.Context, out io.Writer, root string) error {
	for _, q := range demoQueries {
		fmt.Fprintf(out, "\n%s:\n", q.title)
		if _, err := catalog.Query(ctx, root, q.query, catalog.FormatTable, out); err != nil {
			return fmt.Errorf("demo: %s: %w", q.title, err)
		}
	}
	abs, _ := filepath.Abs(root)
	fmt.Fprintf(out, `
Query the result yourself:
  carelake sql --out %s "SELECT * FROM clinic_appointment_ratings LIMIT 10"
  cd %s && duckdb -readonly %s    (then: SHOW TABLES;)
BI tools: point them at %s (one folder of Parquet per answer)
Real use: CQC_API_KEY=... carelake run --scope clinics --clinics clinics.csv (see README.md)
`, root, abs, catalog.FileName, filepath.Join(abs, "marts"))
	return nil
}
