package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"carelake/internal/careqgen"
	"carelake/internal/cqcsim"
	"carelake/pipeline"
	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/careqlog"
	"carelake/schemas/warehouse"
	"carelake/stages/catalog"
)

// BenchmarkNational is the warehouse analysts and BI tools use at national
// size (docs/benchmarks.md, "National warehouse"): 120,000 CQC locations
// written straight into the raw archive by the simulator, and a year of
// CareQ for 50 clinics mapped to 50 of them (internal/careqgen: 1,000,000
// appointments and their patients, doctors, services, status updates and
// cancellations, written through the real receiver into its log), in a new
// warehouse. It times, each as one process with its peak RSS:
//
//   - the first `carelake run --extract=false`, which also loads the year
//     of CareQ;
//   - the nightly run after it (the same command: a new CQC snapshot, the
//     marts and the catalog rebuilt);
//
// then, on the catalog, `count(*)` of every contract view and two analyst
// queries on each of the four main ones, each side by side with its floor:
// `count(*)` over the Parquet it reads. Every query opens the catalog afresh
// (as `carelake sql` or a BI connection does), is run three times and its
// median kept. CARELAKE_BENCH_DIR keeps the generated inputs (the archive
// and the 2.9 GB CareQ log, about 6 minutes to generate) for later runs;
// CARELAKE_BENCH_WAREHOUSE names a warehouse whose queries alone to time.
func BenchmarkNational(b *testing.B) {
	if root := os.Getenv("CARELAKE_BENCH_WAREHOUSE"); root != "" {
		for i := 0; i < b.N; i++ {
			timeNationalQueries(b, root)
		}
		return
	}
	cache := os.Getenv("CARELAKE_BENCH_DIR")
	if cache == "" {
		cache = b.TempDir()
	}
	inputs := filepath.Join(cache, "national-inputs")
	clinics := nationalInputs(b, inputs)
	for i := 0; i < b.N; i++ {
		root := filepath.Join(b.TempDir(), "warehouse")
		if err := os.MkdirAll(filepath.Join(root, "raw"), 0o755); err != nil {
			b.Fatal(err)
		}
		for _, dir := range []string{"cqc", "careq"} { // hard links: the run only reads them
			if err := linkTree(filepath.Join(inputs, "raw", dir), filepath.Join(root, "raw", dir)); err != nil {
				b.Fatal(err)
			}
		}
		run := []string{"run", "--extract=false", "--out", root, "--clinics", clinics, "--log-level", "warn"}
		first := runProcess(b, benchMainEnv+"=1", run...)
		firstSteps := lastRunSteps(b, root)
		nightly := runProcess(b, benchMainEnv+"=1", run...)
		steps := lastRunSteps(b, root)
		b.ReportMetric(first.wall.Seconds(), "first_run_s")
		b.ReportMetric(first.rssMB, "first_run_peak_rss_MB")
		b.ReportMetric(nightly.wall.Seconds(), "nightly_run_s")
		b.ReportMetric(nightly.rssMB, "nightly_run_peak_rss_MB")
		b.ReportMetric(steps["marts"].Seconds(), "nightly_marts_s")
		b.Logf("first run (the year of CareQ loaded too): %.1fs, peak RSS %.0f MB; steps %s",
			first.wall.Seconds(), first.rssMB, formatSteps(firstSteps))
		b.Logf("nightly run: %.1fs, peak RSS %.0f MB; steps %s", nightly.wall.Seconds(), nightly.rssMB, formatSteps(steps))
		timeNationalQueries(b, root)
	}
}

// timeNationalQueries times every query of nationalQueries and its floor on
// the warehouse at root, reports the slowest and the worst ratio, and prints
// the table (on stdout: the benchmark log would cut it short).
func timeNationalQueries(b *testing.B, root string) {
	var worst, worstRatio float64
	var table strings.Builder
	table.WriteString("| query | rows | time | floor | ratio |\n|---|---|---|---|---|\n")
	for _, q := range nationalQueries(b, root) {
		rows, d := timeQuery(b, root, q.sql)
		_, floor := timeQuery(b, root, q.floor)
		ratio := d.Seconds() / floor.Seconds()
		worst, worstRatio = max(worst, d.Seconds()), max(worstRatio, ratio)
		fmt.Fprintf(&table, "| %s | %d | %s | %s | %.2f |\n", q.name, rows, d.Round(time.Millisecond), floor.Round(time.Millisecond), ratio)
	}
	b.ReportMetric(worst, "slowest_query_s")
	b.ReportMetric(worstRatio, "worst_ratio_to_floor")
	fmt.Printf("queries on %s (median of 3, the catalog opened for each):\n%s", root, table.String())
}

// nationalInputs generates, once, the raw CQC archive and the CareQ log
// under dir and returns the clinic mapping file.
func nationalInputs(b *testing.B, dir string) string {
	b.Helper()
	sim := nationalArchive(b, dir)
	ids := benchClinicLocations(b, sim)
	clinicIDs := make([]string, len(ids))
	var csv strings.Builder
	csv.WriteString("clinic_id,cqc_location_id,name,timezone\n")
	for i, id := range ids {
		clinicIDs[i] = fmt.Sprintf("clinic_%03d", i+1)
		fmt.Fprintf(&csv, "%s,%s,Clinic %d,\n", clinicIDs[i], id, i+1)
	}
	clinics := filepath.Join(dir, "clinics.csv")
	if err := os.WriteFile(clinics, []byte(csv.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	log := careqlog.Dir(dir)
	if segs, _ := filepath.Glob(filepath.Join(log, "careq-*.jsonl")); len(segs) == 0 {
		os.RemoveAll(log)
		st, err := careqgen.Write(context.Background(), log, careqgen.Config{ClinicIDs: clinicIDs, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("a year of CareQ generated in %s: %d calls, %d appointments, %d segments, %.2f GB",
			st.Elapsed.Round(time.Second), st.TotalCalls(), st.Appointments(), st.Segments, float64(st.Bytes)/1e9)
	}
	return clinics
}

// nationalArchive writes, once, the raw CQC archive of the simulator's
// national register (120,000 locations) under dir.
func nationalArchive(b *testing.B, dir string) *cqcsim.Sim {
	b.Helper()
	sim, err := cqcsim.New(cqcsim.Config{Seed: 1, Locations: 120000})
	if err != nil {
		b.Fatal(err)
	}
	if segs, _ := archive.Segments(dir); len(segs) == 0 {
		start := time.Now()
		if _, err := sim.WriteArchive(context.Background(), dir); err != nil {
			b.Fatal(err)
		}
		b.Logf("national archive written in %s", time.Since(start).Round(time.Second))
	}
	return sim
}

// benchClinicLocations picks the 50 clinics' locations: registered and
// rated, 15 of them re-registered (a predecessor), the rest not,
// deterministically from the simulator's register.
func benchClinicLocations(b *testing.B, sim *cqcsim.Sim) []string {
	var withPredecessor, plain []string
	for _, id := range sim.LocationIDs() {
		body, ok := sim.LocationBody(id)
		if !ok {
			continue
		}
		var l schemas.Location
		if err := json.Unmarshal(body, &l); err != nil {
			b.Fatal(err)
		}
		if l.RegistrationStatus == nil || *l.RegistrationStatus != "Registered" || l.CurrentRatings == nil || l.CurrentRatings.Overall == nil {
			continue
		}
		predecessor := slices.ContainsFunc(l.Relationships, func(r schemas.LocationRelationship) bool {
			return strings.Contains(r.Type, "Predecessor")
		})
		switch {
		case predecessor && len(withPredecessor) < 15:
			withPredecessor = append(withPredecessor, id)
		case !predecessor && len(plain) < 35:
			plain = append(plain, id)
		}
		if len(withPredecessor) == 15 && len(plain) == 35 {
			break
		}
	}
	if len(withPredecessor) < 15 || len(plain) < 35 {
		b.Fatalf("found %d re-registered and %d other rated locations", len(withPredecessor), len(plain))
	}
	return append(withPredecessor, plain...)
}

// linkTree hard-links every file under src into the same path under dst,
// but those dst already holds.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if _, err := os.Stat(filepath.Join(dst, rel)); err == nil {
			return nil // linked before: a sealed archive segment never changes
		}
		return os.Link(path, filepath.Join(dst, rel))
	})
}

func lastRunSteps(b *testing.B, root string) map[string]time.Duration {
	runs, err := pipeline.Runs(root)
	if err != nil || len(runs) == 0 || runs[0].Outcome != pipeline.OutcomeSucceeded {
		b.Fatalf("run record: %v %+v", err, runs)
	}
	steps := map[string]time.Duration{}
	for _, st := range runs[0].Steps {
		steps[st.Name] = st.FinishedAt.Sub(st.StartedAt)
	}
	return steps
}

func formatSteps(steps map[string]time.Duration) string {
	var out []string
	for _, s := range []string{"normalise-cqc", "normalise-careq", "resolve", "load", "marts", "catalog"} {
		out = append(out, fmt.Sprintf("%s %.1fs", s, steps[s].Seconds()))
	}
	return strings.Join(out, ", ")
}

// benchQuery is a query and its floor: count(*) over the Parquet it reads.
type benchQuery struct{ name, sql, floor string }

// nationalQueries are count(*) of every contract view, and analyst queries
// (two on each of the four main ones), each with its floor: count(*) over
// the files of every dataset or mart it reads. An analyst asks about a
// place they know: the local authority with most care homes, and the first
// location re-registered twice, looked up once, untimed.
func nationalQueries(b *testing.B, root string) []benchQuery {
	db, err := catalog.Open(root)
	if err != nil {
		b.Fatal(err)
	}
	var authority, location string
	err = db.QueryRow(`SELECT (SELECT local_authority FROM cqc_locations WHERE care_home = 'Y' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
		(SELECT location_id FROM cqc_location_lineage WHERE depth = 2 ORDER BY location_id LIMIT 1)`).Scan(&authority, &location)
	db.Close()
	if err != nil {
		b.Fatal(err)
	}
	// files is the floor of a query reading the datasets or marts named:
	// count(*) over the files of each.
	files := func(datasets ...string) string {
		var counts []string
		for _, dataset := range datasets {
			if t, ok := schemas.TableNamed(dataset); ok { // the files as stored, by change
				s, _ := warehouse.StoredSQL(t, func(t schemas.Table) (string, error) {
					if ok, err := warehouse.HasFiles(root, t); err != nil || !ok {
						return warehouse.EmptySQL(t)
					}
					return warehouse.ReadSQL(warehouse.Pattern(t), t)
				})
				counts = append(counts, "(SELECT count(*) FROM ("+s+"))")
				continue
			}
			m, _ := martNamed(dataset)
			counts = append(counts, fmt.Sprintf("(SELECT count(*) FROM read_parquet(%s))", warehouse.Quote(warehouse.Pattern(m.Table()))))
		}
		return "SELECT " + strings.Join(counts, " + ")
	}
	var qs []benchQuery
	for _, v := range []struct{ view, reads string }{
		{"cqc_locations", "cqc_locations"}, {"cqc_locations_history", "cqc/locations"}, {"cqc_providers", "cqc_providers"},
		{"cqc_location_ratings", "cqc_location_ratings"}, {"cqc_location_rating_history", "cqc_location_rating_history"},
		{"cqc_location_lineage", "cqc_location_lineage"}, {"clinic_locations", "clinic_locations"}, {"cqc_rejects", "cqc_rejects"},
		{"careq_events", "careq/events"}, {"careq_patients", "careq_patients"}, {"careq_doctors", "careq_doctors"},
		{"careq_services", "careq_services"}, {"careq_appointments", "careq_appointments"},
		{"clinic_appointment_ratings", "clinic_appointment_ratings"},
	} {
		qs = append(qs, benchQuery{"count(*) " + v.view, "SELECT count(*) FROM " + v.view, files(v.reads)})
	}
	return append(qs,
		benchQuery{"locations by region and overall rating",
			`SELECT region, overall_rating_category, count(*) FROM cqc_locations WHERE registration_status = 'Registered' GROUP BY ALL ORDER BY ALL`,
			files("cqc_locations")},
		benchQuery{"care homes with most beds in a local authority",
			`SELECT location_id, name, number_of_beds, overall_rating FROM cqc_locations WHERE care_home = 'Y' AND local_authority = ` +
				warehouse.Quote(authority) + ` ORDER BY number_of_beds DESC LIMIT 20`,
			files("cqc_locations")},
		benchQuery{"inherited overall ratings with their source report",
			`SELECT location_id, rating, source_location_id, source_report_date, source_report_uri FROM cqc_location_ratings WHERE name = 'Overall' AND in_effect AND inherited ORDER BY source_report_date DESC LIMIT 100`,
			files("cqc_location_ratings")},
		benchQuery{"key question ratings by category",
			`SELECT name, rating_category, count(*), count(*) FILTER (WHERE inherited) FROM cqc_location_ratings WHERE kind = 'key_question' AND in_effect GROUP BY ALL ORDER BY ALL`,
			files("cqc_location_ratings")},
		benchQuery{"a location's rating timeline across its lineage",
			`SELECT g.depth, h.location_id, h.name, h.rating, h.valid_from, h.valid_to FROM cqc_location_lineage g JOIN cqc_location_rating_history h ON h.location_id = g.ancestor_location_id WHERE g.location_id = ` +
				warehouse.Quote(location) + ` AND h.parent_name IS NULL ORDER BY h.name, h.valid_from`,
			files("cqc_location_lineage", "cqc_location_rating_history")},
		benchQuery{"a provider's locations with their reports",
			`SELECT p.location_id, r.link_id, r.report_date FROM cqc_provider_locations p JOIN cqc_reports r ON r.organisation_id = p.location_id WHERE p.provider_id = (SELECT provider_id FROM cqc_provider_locations WHERE location_id = ` +
				warehouse.Quote(location) + `) ORDER BY ALL`,
			files("cqc_provider_locations", "cqc_reports")},
		benchQuery{"overall rating changes per year",
			`SELECT year(valid_from) AS y, rating_category, count(*) FROM cqc_location_rating_history WHERE name = 'Overall' AND parent_name IS NULL GROUP BY ALL ORDER BY ALL`,
			files("cqc_location_rating_history")},
		benchQuery{"appointments per clinic and local month, rating then and now",
			`SELECT clinic_id, date_trunc('month', appointment_local_date) AS month, overall_rating_at_appointment, current_overall_rating, count(*) FROM clinic_appointment_ratings GROUP BY ALL ORDER BY ALL`,
			files("clinic_appointment_ratings")},
		benchQuery{"completed appointments at places rated below good then",
			`SELECT clinic_id, count(*) FILTER (WHERE overall_rating_category_at_appointment IN ('requires_improvement', 'inadequate')) AS below_good, count(*) AS completed FROM clinic_appointment_ratings WHERE status = 'completed' GROUP BY ALL ORDER BY below_good DESC`,
			files("clinic_appointment_ratings")},
	)
}

func martNamed(name string) (schemas.View, bool) {
	for _, m := range schemas.Marts() {
		if m.Name == name {
			return m, true
		}
	}
	return schemas.View{}, false
}

// timeQuery opens the catalog, runs q to its last row and closes it, three
// times, and returns the rows and the median time.
func timeQuery(b *testing.B, root, q string) (int, time.Duration) {
	b.Helper()
	var times []time.Duration
	rows := 0
	for range 3 {
		start := time.Now()
		db, err := catalog.Open(root)
		if err != nil {
			b.Fatal(err)
		}
		rows = countRows(b, db, q)
		db.Close()
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return rows, times[1]
}

func countRows(b *testing.B, db *sql.DB, q string) int {
	b.Helper()
	rs, err := db.Query(q)
	if err != nil {
		b.Fatalf("%s: %v", q, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rs.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}
