package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"carelake/internal/cqcsim"
	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
	"carelake/stages/catalog"
	"carelake/stages/load"
	"carelake/stages/normalise"
)

// yearNightsEnv shortens BenchmarkCQCYear (default 365 nights).
const yearNightsEnv = "CARELAKE_BENCH_NIGHTS"

// BenchmarkCQCYear is a year of nightly CQC snapshots of the national
// register (120,000 locations) stored by change (docs/benchmarks.md, "CQC
// history by change"). Nights 1 to 3 are `carelake run --extract=false`
// processes: night 2 finds nothing changed (its transform time is the
// nightly job's floor); before night 3 the archive gains what a changes run
// fetches at the simulator's change rate (changedNight: 125 locations
// and 54 providers with a changed body, 2 of them answering 404), so night 3
// is a night with ~180 changes. Nights 4 to 365 are written by a faster method that
// writes the same files: each night stages, as a partial snapshot
// (warehouse.MetaPartialSnapshot), the rows of the simulator's change rate
// of organisations (~125 locations and ~54 providers) with their body
// changed (every such organisation's main row, and a quarter of them in
// every table), and loads it with the real load. Load stores a night from
// its change set alone; a whole snapshot in which only those organisations
// differ gives the same change set (TestPartialSnapshot holds that), so the
// same files. After nights 1, 30 and the last it reports the CQC Parquet's
// bytes and files against one whole snapshot, and times a latest-snapshot
// view, an as-of query for a random past date and one location's history.
func BenchmarkCQCYear(b *testing.B) {
	nights := 365
	if s := os.Getenv(yearNightsEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 3 {
			b.Fatalf("%s=%q: a number of nights, at least 3", yearNightsEnv, s)
		}
		nights = n
	}
	cache := os.Getenv("CARELAKE_BENCH_DIR")
	if cache == "" {
		cache = b.TempDir()
	}
	inputs := filepath.Join(cache, "national-inputs")
	sim := nationalArchive(b, inputs)
	day := func(n int) string {
		return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n-1).Format(time.DateOnly)
	}
	for range b.N {
		// Under CARELAKE_BENCH_DIR the year's warehouse stays for a look
		// afterwards (year-warehouse, replaced by the next run).
		root := filepath.Join(b.TempDir(), "warehouse")
		if os.Getenv("CARELAKE_BENCH_DIR") != "" {
			root = filepath.Join(cache, "year-warehouse")
			if err := os.RemoveAll(root); err != nil {
				b.Fatal(err)
			}
		}
		if err := os.MkdirAll(filepath.Join(root, "raw"), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := linkTree(filepath.Join(inputs, "raw", "cqc"), filepath.Join(root, "raw", "cqc")); err != nil {
			b.Fatal(err)
		}
		run := func(n int) process {
			return runProcess(b, benchMainEnv+"=1", "run", "--extract=false", "--out", root, "--log-level", "warn", "--snapshot-date", day(n))
		}
		first := run(1)
		snapshot, _ := cqcBytes(b, root, day(1))
		report := func(n int) {
			bytes, files := cqcBytes(b, root, "")
			fmt.Printf("night %d: CQC Parquet %.1f MB in %d files, %.2f x one whole snapshot (%.1f MB)\n",
				n, float64(bytes)/1e6, files, float64(bytes)/float64(snapshot), float64(snapshot)/1e6)
			b.ReportMetric(float64(bytes)/float64(snapshot), fmt.Sprintf("night%d_x_snapshot", n))
		}
		report(1)
		fmt.Printf("night 1 (%s, the first run): %.1fs, peak RSS %.0f MB; steps %s\n",
			day(1), first.wall.Seconds(), first.rssMB, formatSteps(lastRunSteps(b, root)))
		second := run(2)
		steps := lastRunSteps(b, root)
		transform := steps["normalise-cqc"] + steps["resolve"] + steps["load"]
		fmt.Printf("night 2 (nothing changed): %.1fs, peak RSS %.0f MB; transform (normalise, resolve, load) %.1fs; steps %s\n",
			second.wall.Seconds(), second.rssMB, transform.Seconds(), formatSteps(steps))
		b.ReportMetric(transform.Seconds(), "quiet_night_transform_s")
		// The simulator's change rate: ~125 locations and ~54 providers a
		// night; about 1.3 % of changed IDs answer 404.
		changed := changedNight(b, sim, rand.New(rand.NewPCG(3, 365)), 125, 54, 2)
		appendArchive(b, root, changed)
		third := run(3)
		steps = lastRunSteps(b, root)
		transform = steps["normalise-cqc"] + steps["resolve"] + steps["load"]
		fmt.Printf("night 3 (%d bodies changed or gone): %.1fs, peak RSS %.0f MB; transform (normalise, resolve, load) %.1fs; steps %s\n",
			len(changed), third.wall.Seconds(), third.rssMB, transform.Seconds(), formatSteps(steps))
		b.ReportMetric(transform.Seconds(), "night_transform_s")
		b.ReportMetric(third.rssMB, "night_peak_rss_MB")

		// The nightly job rebuilds the catalog after every load, and a load
		// removes a compacted month's nightly partitions once the catalog
		// in place was built after the compaction. These nights load alone:
		// without a catalog in place between the query points, load
		// removes them the night after, as the nightly job does.
		noCatalog := func() {
			if err := os.Remove(filepath.Join(root, catalog.FileName)); err != nil {
				b.Fatal(err)
			}
		}
		noCatalog()
		base := readBase(b, root, day(1))
		rng := rand.New(rand.NewPCG(1, 365))
		var loads, slowest time.Duration
		slowestNight := 0
		for n := 4; n <= nights; n++ {
			stagePartialNight(b, root, day(n), base, rng, n)
			start := time.Now()
			if _, err := load.Run(context.Background(), load.Options{Root: root, Version: "bench", Stages: []string{staging.NormaliseCQC},
				Logger: slog.New(slog.DiscardHandler)}); err != nil {
				b.Fatalf("night %d: %v", n, err)
			}
			took := time.Since(start)
			loads += took
			if took > slowest {
				slowest, slowestNight = took, n
			}
			if n == 30 || n == nights {
				report(n)
				fmt.Printf("nights 4-%d: load %.2fs a night on average, the slowest %.2fs (night %d, %s)\n",
					n, loads.Seconds()/float64(n-3), slowest.Seconds(), slowestNight, day(slowestNight))
				yearQueries(b, root, base, rng, day(2), day(n))
				noCatalog()
			}
		}
		// After the year, three more nights as the nightly job runs them,
		// each with ~180 changes: their transform reads a year of stored
		// rows. Nights 4 to the last loaded normalise's rows alone, so no
		// register resolve saved is the warehouse's latest: the first
		// night resolves the whole register again (as after an upgrade or
		// an interrupted load), and saves it; the others are usual nights.
		changed = changedNight(b, sim, rand.New(rand.NewPCG(4, 365)), 125, 54, 2)
		appendArchive(b, root, changed)
		reread := run(nights + 1)
		steps = lastRunSteps(b, root)
		transform = steps["normalise-cqc"] + steps["resolve"] + steps["load"]
		fmt.Printf("night %d, after the year, resolving the whole register (%d bodies changed or gone): %.1fs, peak RSS %.0f MB; transform (normalise, resolve, load) %.1fs; steps %s\n",
			nights+1, len(changed), reread.wall.Seconds(), reread.rssMB, transform.Seconds(), formatSteps(steps))
		// The second also compacts the month before (its date is a
		// month's second); the third is a night like most.
		var last process
		for n := nights + 2; n <= nights+3; n++ {
			changed = changedNight(b, sim, rand.New(rand.NewPCG(uint64(n), 365)), 125, 54, 2)
			appendArchive(b, root, changed)
			last = run(n)
			steps = lastRunSteps(b, root)
			transform = steps["normalise-cqc"] + steps["resolve"] + steps["load"]
			fmt.Printf("night %d, after the year (%d bodies changed or gone): %.1fs, peak RSS %.0f MB; transform (normalise, resolve, load) %.1fs; steps %s\n",
				n, len(changed), last.wall.Seconds(), last.rssMB, transform.Seconds(), formatSteps(steps))
		}
		b.ReportMetric(transform.Seconds(), "year_night_transform_s")
		b.ReportMetric(last.rssMB, "year_night_peak_rss_MB")
	}
}

// cqcBytes sums the Parquet files under <root>/cqc (of one snapshot_date's
// table partitions when date is set).
func cqcBytes(b *testing.B, root, date string) (int64, int) {
	var bytes int64
	files := 0
	err := filepath.WalkDir(filepath.Join(root, "cqc"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".parquet") {
			return err
		}
		if date != "" && (!strings.Contains(path, "snapshot_date="+date) || strings.Contains(path, "/changes/")) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		bytes += info.Size()
		files++
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return bytes, files
}

// yearBase is the first night's rows of every CQC table staged by
// normalise, by owner: what a night's changed organisations are drawn from.
type yearBase struct {
	tables    map[string][]arrow.RecordBatch
	rows      map[string]map[string][][2]int // table -> owner -> (batch, row)
	locations []string
	providers []string
}

func readBase(b *testing.B, root, date string) yearBase {
	yb := yearBase{tables: map[string][]arrow.RecordBatch{}, rows: map[string]map[string][][2]int{}}
	for _, t := range schemas.CQCTables() {
		if t.Owner[0] == "clinic_id" {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(t.Dataset), "snapshot_date="+date, "*.parquet"))
		yb.rows[t.Dataset] = map[string][][2]int{}
		for _, f := range files {
			err := warehouse.ReadBatches(context.Background(), f, func(rec arrow.RecordBatch) error {
				rec.Retain()
				bi := len(yb.tables[t.Dataset])
				yb.tables[t.Dataset] = append(yb.tables[t.Dataset], rec)
				for r := range int(rec.NumRows()) {
					k := ownerOf(t, rec, r)
					yb.rows[t.Dataset][k] = append(yb.rows[t.Dataset][k], [2]int{bi, r})
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	for k := range yb.rows[schemas.CQCLocations.Dataset] {
		yb.locations = append(yb.locations, k)
	}
	for k := range yb.rows[schemas.CQCProviders.Dataset] {
		yb.providers = append(yb.providers, k)
	}
	slices.Sort(yb.locations)
	slices.Sort(yb.providers)
	return yb
}

// ownerOf is row r's owner key as load makes it: the owner columns joined by "/".
func ownerOf(t schemas.Table, rec arrow.RecordBatch, r int) string {
	parts := make([]string, len(t.Owner))
	for i, c := range t.Owner {
		parts[i] = rec.Column(rec.Schema().FieldIndices(c)[0]).(*array.String).Value(r)
	}
	return strings.Join(parts, "/")
}

// stagePartialNight stages night n: ~125 locations and ~54 providers
// changed, each with its main row altered and a quarter of them with every
// row altered, as a partial snapshot of every table (those not owned by an
// organisation whole, unaltered).
func stagePartialNight(b *testing.B, root, date string, yb yearBase, rng *rand.Rand, n int) {
	deep := map[string]bool{}
	changed := map[string]bool{}
	pick := func(ids []string, count int, kind string) {
		for range count {
			id := ids[rng.IntN(len(ids))]
			changed[id], changed[kind+"/"+id] = true, true
			if rng.IntN(4) == 0 {
				deep[id], deep[kind+"/"+id] = true, true
			}
		}
	}
	pick(yb.locations, 120+rng.IntN(11), "location")
	pick(yb.providers, 49+rng.IntN(11), "provider")
	w, err := staging.Begin(root, staging.NormaliseCQC, fmt.Sprintf("bench-night-%d", n))
	if err != nil {
		b.Fatal(err)
	}
	w.SetMeta(warehouse.MetaLicence, "Contains CQC data © Care Quality Commission, licensed under the Open Government Licence v3.0")
	w.SetMeta(warehouse.MetaSource, "BenchmarkCQCYear")
	w.SetMeta(warehouse.MetaPartialSnapshot, "true")
	w.SetMeta(warehouse.MetaRules, normalise.Rules()) // as normalise's own, so that the real night after the year is partial
	for _, t := range schemas.CQCTables() {
		rows, ok := yb.rows[t.Dataset]
		if !ok {
			continue
		}
		main := t.Dataset == schemas.CQCLocations.Dataset || t.Dataset == schemas.CQCProviders.Dataset
		rb := array.NewRecordBuilder(memory.DefaultAllocator, t.Schema)
		staged := changed
		if t.Owner[0] == "link_id" || t.Owner[0] == "inspection_area_id" {
			// Not owned by an organisation (report documents, the
			// taxonomy): whole in a partial snapshot.
			staged = map[string]bool{}
			for owner := range rows {
				staged[owner] = true
			}
		}
		for owner := range staged {
			for _, at := range rows[owner] {
				appendRow(b, rb, yb.tables[t.Dataset][at[0]], at[1], main || deep[owner], n)
			}
		}
		rec := rb.NewRecordBatch()
		rb.Release()
		if err := w.Write(t.Dataset, t.Dataset+"/snapshot_date="+date, rec); err != nil {
			b.Fatal(err)
		}
		rec.Release()
	}
	if _, err := w.Commit(); err != nil {
		b.Fatal(err)
	}
}

// appendRow copies row r of rec; altered, its first nullable string column
// says which night changed it (a body that changed).
func appendRow(b *testing.B, rb *array.RecordBuilder, rec arrow.RecordBatch, r int, altered bool, night int) {
	done := !altered
	for i, col := range rec.Columns() {
		f := rb.Field(i)
		if !done && col.DataType().ID() == arrow.STRING && rec.Schema().Field(i).Nullable {
			f.(*array.StringBuilder).Append(col.ValueStr(r) + fmt.Sprintf(" (night %d)", night))
			done = true
			continue
		}
		if col.IsNull(r) {
			f.AppendNull()
			continue
		}
		if err := f.AppendValueFromString(col.ValueStr(r)); err != nil {
			b.Fatalf("copy %s: %v", rec.Schema().Field(i).Name, err)
		}
	}
}

// yearQueries builds the catalog and times the three queries of the issue.
func yearQueries(b *testing.B, root string, yb yearBase, rng *rand.Rand, from, to string) {
	if _, err := catalog.Run(context.Background(), catalog.Options{Root: root, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		b.Fatal(err)
	}
	first, _ := time.Parse(time.DateOnly, from)
	last, _ := time.Parse(time.DateOnly, to)
	past := first.AddDate(0, 0, rng.IntN(int(last.Sub(first).Hours()/24)+1)).Format(time.DateOnly)
	loc := yb.locations[rng.IntN(len(yb.locations))]
	for _, q := range []struct{ metric, name, sql string }{
		{"latest_providers_s", "latest snapshot: providers by region (cqc_providers)",
			"SELECT region, count(*) FROM cqc_providers GROUP BY ALL"},
		{"latest_locations_s", "latest snapshot: locations by region and rating (datasets.cqc_locations_latest)",
			"SELECT region, overall_rating, count(*) FROM datasets.cqc_locations_latest GROUP BY ALL"},
		{"as_of_s", "as of " + past + ": locations by region and rating (cqc_locations_as_of)",
			"SELECT region, overall_rating, count(*) FROM cqc_locations_as_of('" + past + "') GROUP BY ALL"},
		{"one_history_s", "one location's history (" + loc + ")",
			"SELECT snapshot_date, name, overall_rating FROM cqc_locations_history WHERE location_id = '" + loc + "' ORDER BY snapshot_date"},
	} {
		rows, d := timeQuery(b, root, q.sql)
		fmt.Printf("  %s: %d rows in %s\n", q.name, rows, d.Round(time.Millisecond))
		b.ReportMetric(d.Seconds(), q.metric)
	}
}

// changedNight is what a nightly changes run fetches: the bodies of
// locations and providers of sim whose body changed (a new main phone
// number), and gone locations answering 404, fetched from now on at the
// budget's pace.
func changedNight(tb testing.TB, sim *cqcsim.Sim, rng *rand.Rand, locations, providers, gone int) []*archive.Record {
	at := time.Now().UTC()
	var recs []*archive.Record
	add := func(endpoint, id string, status int, body []byte) {
		at = at.Add(600 * time.Millisecond)
		recs = append(recs, detailRecord(endpoint, id, status, body, at))
	}
	edit := func(body []byte, ok bool) []byte {
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil || !ok {
			tb.Fatalf("a body of the simulator: %v", err)
		}
		m["mainPhoneNumber"] = fmt.Sprintf("0%010d", rng.IntN(1e10))
		out, err := json.Marshal(m)
		if err != nil {
			tb.Fatal(err)
		}
		return out
	}
	locIDs, provIDs := sim.LocationIDs(), sim.ProviderIDs()
	for range locations {
		id := locIDs[rng.IntN(len(locIDs))]
		add(archive.EndpointLocation, id, http.StatusOK, edit(sim.LocationBody(id)))
	}
	for range providers {
		id := provIDs[rng.IntN(len(provIDs))]
		add(archive.EndpointProvider, id, http.StatusOK, edit(sim.ProviderBody(id)))
	}
	for range gone {
		add(archive.EndpointLocation, locIDs[rng.IntN(len(locIDs))], http.StatusNotFound, notFoundBody)
	}
	return recs
}

// notFoundBody is the API's answer for an ID it does not serve.
var notFoundBody = []byte(`{"statusCode":404,"message":"Resource not found"}`)

// detailRecord is an archived answer of GET /locations/<id> or
// /providers/<id> (endpoint) fetched at at.
func detailRecord(endpoint, id string, status int, body []byte, at time.Time) *archive.Record {
	path := "/locations/"
	if endpoint == archive.EndpointProvider {
		path = "/providers/"
	}
	rec := &archive.Record{FetchedAt: at, DurationMS: 170, Method: "GET", URL: path + id, Endpoint: endpoint, ID: id,
		Attempt: 1, Status: status, Headers: map[string]string{"Content-Type": "application/json"}}
	rec.SetBody(body)
	return rec
}

// appendArchive archives recs as a new session of root's raw archive.
func appendArchive(tb testing.TB, root string, recs []*archive.Record) {
	tb.Helper()
	wr, err := archive.Open(root, archive.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	if err := wr.Append(recs...); err != nil {
		tb.Fatal(err)
	}
	if err := wr.Close(); err != nil {
		tb.Fatal(err)
	}
}
