package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	_ "github.com/duckdb/duckdb-go/v2"
	gojson "github.com/goccy/go-json"

	"carelake/internal/cqcsim"
	"carelake/pipeline"
	"carelake/schemas"
	"carelake/schemas/archive"
)

// The test binary doubles as carelake (and as a DuckDB job), so benchmarks
// can time whole processes and read their peak RSS.
const (
	benchMainEnv   = "CARELAKE_BENCH_AS_MAIN"   // run carelake with the arguments after "--"
	benchDuckDBEnv = "CARELAKE_BENCH_AS_DUCKDB" // run duckdbLocations on that warehouse
	benchFloorEnv  = "CARELAKE_BENCH_AS_FLOOR"  // run decodeLocations on that warehouse
	benchParseEnv  = "CARELAKE_BENCH_AS_PARSE"  // run duckdbParseBodies on that warehouse
)

// benchJobs are the timed jobs the test binary runs on the warehouse its
// environment variable names, printing "<microseconds> <rows>".
var benchJobs = map[string]func(root string) (time.Duration, int64, error){
	benchDuckDBEnv: duckdbLocations,
	benchFloorEnv:  decodeLocations,
	benchParseEnv:  duckdbParseBodies,
}

func TestMain(m *testing.M) {
	if os.Getenv(benchMainEnv) != "" {
		args := []string{"carelake"}
		for i, a := range os.Args {
			if a == "--" {
				args = append(args, os.Args[i+1:]...)
				break
			}
		}
		ctx, _ := signalContext() // as main: the first SIGTERM drains
		os.Exit(runApp(ctx, args, os.Stdout, os.Stderr))
	}
	for env, job := range benchJobs {
		if root := os.Getenv(env); root != "" {
			d, rows, err := job(root)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Printf("%d %d\n", d.Microseconds(), rows)
			os.Exit(0)
		}
	}
	os.Exit(m.Run())
}

// process is one timed child process.
type process struct {
	wall   time.Duration
	rssMB  float64
	stdout string
}

// runProcess runs the test binary as carelake (TestMain) with args. Its
// peak RSS is the child's own VmHWM, read from /proc while it runs: the
// rusage of a child started by os/exec (with vfork) counts the parent's
// high-water mark too, which a benchmark holding a year of rows makes
// gigabytes.
func runProcess(b *testing.B, env string, args ...string) process {
	b.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), env)
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	var hwmKB int64
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				b.Fatalf("%v: %v\n%s", args, err, out.String())
			}
			return process{wall: time.Since(start), rssMB: float64(hwmKB) / 1024, stdout: out.String()}
		case <-tick.C:
			if st, err := os.ReadFile(status); err == nil {
				if _, rest, ok := strings.Cut(string(st), "VmHWM:"); ok {
					var kb int64
					if _, err := fmt.Sscan(rest, &kb); err == nil {
						hwmKB = max(hwmKB, kb)
					}
				}
			}
		}
	}
}

// runJob runs one of benchJobs on root in a process of its own and returns
// the time it reported, in microseconds, its rows and the process.
func runJob(b *testing.B, env, root string) (micros, rows int64, p process) {
	b.Helper()
	p = runProcess(b, env+"="+root)
	if _, err := fmt.Sscan(p.stdout, &micros, &rows); err != nil {
		b.Fatalf("%s said %q: %v", env, p.stdout, err)
	}
	return micros, rows, p
}

// BenchmarkTransform is the transform at national scale (docs/benchmarks.md):
// CARELAKE_BENCH_LOCATIONS generated locations (default 120,000, with ~0.4
// providers each) written straight into the raw archive by the simulator,
// then `carelake run --extract=false` (normalise, resolve, load, catalog) as
// one process: wall time and peak RSS. Side by side over the same archive,
// DuckDB's own read_json -> COPY ... (FORMAT parquet) builds the locations
// table in a process of its own. CARELAKE_BENCH_DIR keeps the generated
// archive for later runs.
func BenchmarkTransform(b *testing.B) {
	n := 120000
	if s := os.Getenv("CARELAKE_BENCH_LOCATIONS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	root := os.Getenv("CARELAKE_BENCH_DIR")
	if root == "" {
		root = b.TempDir()
	}
	if segs, _ := archive.Segments(root); len(segs) == 0 {
		sim, err := cqcsim.New(cqcsim.Config{Seed: 1, Locations: n})
		if err != nil {
			b.Fatal(err)
		}
		st, err := sim.WriteArchive(context.Background(), root)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %+v", st)
	}
	for i := 0; i < b.N; i++ {
		ours := runProcess(b, benchMainEnv+"=1", "run", "--extract=false", "--out", root, "--log-level", "warn")
		runs, err := pipeline.Runs(root)
		if err != nil || len(runs) == 0 || runs[0].Outcome != pipeline.OutcomeSucceeded {
			b.Fatalf("run record: %v %+v", err, runs)
		}
		micros, rows, duck := runJob(b, benchDuckDBEnv, root)
		if rows == 0 {
			b.Fatal("DuckDB wrote no locations")
		}
		floorMicros, floorRows, _ := runJob(b, benchFloorEnv, root)
		if floorRows != rows {
			b.Fatalf("the decode floor decoded %d bodies, DuckDB wrote %d rows", floorRows, rows)
		}
		parseMicros, parseRows, _ := runJob(b, benchParseEnv, root)
		if parseRows < rows {
			b.Fatalf("DuckDB parsed %d bodies, fewer than the %d locations", parseRows, rows)
		}
		steps := map[string]time.Duration{}
		for _, st := range runs[0].Steps {
			steps[st.Name] = st.FinishedAt.Sub(st.StartedAt)
		}
		normLoad := steps["normalise-cqc"] + steps["load"]
		b.ReportMetric(ours.wall.Seconds(), "transform_s")
		b.ReportMetric(ours.rssMB, "transform_peak_rss_MB")
		for _, s := range []string{"normalise-cqc", "resolve", "load", "catalog"} {
			b.ReportMetric(steps[s].Seconds(), s+"_s")
		}
		b.ReportMetric(float64(micros)/1e6, "duckdb_locations_s")
		b.ReportMetric(duck.rssMB, "duckdb_peak_rss_MB")
		b.ReportMetric(normLoad.Seconds()/(float64(micros)/1e6), "all_tables_vs_duckdb_locations")
		b.ReportMetric(float64(floorMicros)/1e6, "decode_floor_s")
		b.ReportMetric(float64(floorMicros)/float64(micros), "decode_floor_vs_duckdb_locations")
		b.ReportMetric(float64(parseMicros)/1e6, "duckdb_parse_all_s")
		b.ReportMetric(steps["normalise-cqc"].Seconds()/(float64(parseMicros)/1e6), "normalise_vs_duckdb_parse_all")
		b.Logf("%d locations: carelake run %.1fs (normalise %.1fs, resolve %.1fs, load %.1fs, catalog %.1fs), peak RSS %.0f MB, %d rows in %d tables; "+
			"DuckDB read_json -> COPY of the locations table alone: %.2fs (%d rows), peak RSS %.0f MB; "+
			"decoding the location bodies alone (no output): %.2fs; DuckDB parsing every location and provider body into a table: %.2fs",
			n, ours.wall.Seconds(), steps["normalise-cqc"].Seconds(), steps["resolve"].Seconds(), steps["load"].Seconds(),
			steps["catalog"].Seconds(), ours.rssMB, pipeline.StepResult{Rows: runs[0].Rows}.TotalRows(), len(runs[0].Rows),
			float64(micros)/1e6, rows, duck.rssMB, float64(floorMicros)/1e6, float64(parseMicros)/1e6)
	}
}

// decodeLocations is the floor under any Go path to the locations table
// that decodes bodies the way normalise does: it reads every segment
// (zstd), takes each location record's body and decodes it into
// schemas.Location with goccy/go-json on GOMAXPROCS goroutines, and nothing
// else: no choice of the latest body, no rows, no Parquet. It returns the
// time taken and the bodies decoded.
func decodeLocations(root string) (time.Duration, int64, error) {
	segments, err := archive.Segments(root)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	bodies := make(chan []byte, 256)
	var decoded atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range bodies {
				var l schemas.Location
				if gojson.Unmarshal(body, &l) == nil && l.LocationID != "" {
					decoded.Add(1)
				}
			}
		}()
	}
	for _, seg := range segments {
		_, err = archive.ReadLines(seg, func(line []byte) error {
			if !bytes.Contains(line[:min(len(line), 300)], []byte(`"endpoint":"location",`)) {
				return nil
			}
			body, err := archive.BodyOf(line)
			if err == nil && body != nil {
				bodies <- body
			}
			return err
		})
		if err != nil {
			break
		}
	}
	close(bodies)
	wg.Wait()
	return time.Since(start), decoded.Load(), err
}

// duckdbParseBodies is the first thing DuckDB would have to do to build
// what normalise builds (25 tables from every nested list of the bodies):
// parse every good location and provider body into its full nested type,
// as read_json detects it (default sampling), into a temporary table. No
// table is written. It returns the time taken and the bodies parsed.
func duckdbParseBodies(root string) (time.Duration, int64, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	q := fmt.Sprintf(`CREATE TEMP TABLE bodies AS
SELECT endpoint, id, seq, session, body FROM read_json('%s/*/*.jsonl.zst', format = 'newline_delimited')
WHERE endpoint IN ('location', 'provider') AND status = 200`, archive.Dir(root))
	start := time.Now()
	if _, err := db.Exec(q); err != nil {
		return 0, 0, err
	}
	d := time.Since(start)
	var n int64
	err = db.QueryRow(`SELECT count(*) FROM bodies`).Scan(&n)
	return d, n, err
}

// duckdbLocations builds the locations table with DuckDB alone from the raw
// archive: read_json parses each record's body straight into a STRUCT of the
// API's scalar fields (DuckDB's fastest path), keeps the latest good body of
// each location, and COPYs it to zstd Parquet. It returns the time of the
// COPY and the rows written.
func duckdbLocations(root string) (time.Duration, int64, error) {
	var fields, sel []string
	for _, f := range schemas.CQCLocations.Schema.Fields() {
		doc, _ := f.Metadata.GetValue(schemas.DocKey)
		key, ok := strings.CutPrefix(doc, "API ")
		if !ok {
			continue // derived columns (ratings, archive pointers) have no API key of their own
		}
		key = strings.Fields(key)[0]
		typ := "VARCHAR"
		switch f.Type.(type) {
		case *arrow.Date32Type:
			typ = "DATE"
		case *arrow.Int64Type:
			typ = "BIGINT"
		case *arrow.Float64Type:
			typ = "DOUBLE"
		}
		fields = append(fields, fmt.Sprintf("%q %s", key, typ))
		sel = append(sel, fmt.Sprintf("body.%q AS %s", key, f.Name))
	}
	out := filepath.Join(root, "duckdb_locations.parquet")
	q := fmt.Sprintf(`COPY (
  SELECT %s FROM read_json('%s/*/*.jsonl.zst', format = 'newline_delimited',
      columns = {endpoint: 'VARCHAR', id: 'VARCHAR', status: 'INTEGER', error: 'VARCHAR', seq: 'BIGINT',
                 session: 'VARCHAR', body: 'STRUCT(%s)'})
  WHERE endpoint = 'location' AND status = 200 AND error IS NULL
  QUALIFY row_number() OVER (PARTITION BY id ORDER BY session DESC, seq DESC) = 1
) TO '%s' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)`,
		strings.Join(sel, ", "), archive.Dir(root), strings.Join(fields, ", "), out)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	start := time.Now()
	res, err := db.Exec(q)
	if err != nil {
		return 0, 0, err
	}
	d := time.Since(start)
	rows, err := res.RowsAffected()
	return d, rows, err
}
