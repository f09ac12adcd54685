package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"

	"carelake/data"
	"carelake/internal/cqcsim"
	"carelake/internal/testkit"
	"carelake/pipeline"
	"carelake/schemas"
	"carelake/schemas/careqlog"
	"carelake/schemas/warehouse"
	"carelake/stages/catalog"
	"carelake/stages/load"
)

// Settings of TestRunSurvivesKill9Anywhere from the environment.
const (
	chaosKillsEnv = "CARELAKE_CHAOS_KILLS" // how many runs to kill (default 8)
	chaosSeedEnv  = "CARELAKE_CHAOS_SEED"  // the seed of the kill delays (default 1)
)

// chaosConcurrency is the children's --concurrency: what one kill can cost
// in detail calls is at most this many answers in flight.
const chaosConcurrency = 8

// chaosVolatile are the columns of the contract views that legitimately
// differ between two warehouses built from the same API data at different
// times: they say when a response arrived and where in the raw archive it is
// kept, not what it said.
var chaosVolatile = map[string]string{
	"fetched_at":      "when the API answer arrived: B fetched at other times than A",
	"archive_segment": "the raw archive segment holding the answer: named by the extract session",
	"archive_seq":     "the answer's place in its segment: depends on the order the answers came in",
}

// chaosViews are the contract views compared between the two warehouses.
var chaosViews = []string{
	"cqc_locations", "cqc_location_ratings", "cqc_location_rating_history", "cqc_location_lineage",
	"clinic_locations", "clinic_appointment_ratings", "cqc_rejects",
}

// TestRunSurvivesKill9Anywhere is the nightly job killed with SIGKILL at
// random moments. A clean `carelake run` builds warehouse A (the simulated
// CQC API of the demo, the demo's CareQ deliveries, data/clinics.csv); the
// same run on warehouse B is started and killed CARELAKE_CHAOS_KILLS times
// (default 8): once in the first extract, once in the first load, the others
// after delays spread over the run's duration as measured on A (seeded by
// CARELAKE_CHAOS_SEED, default 1, and logged), then run once to the end.
// After every kill B must
// be consistent as a reader sees it (every Parquet file whole, no temporary
// file in a dataset directory, the catalog opens and queries); at the end B
// must answer every contract view exactly as A does, the killed runs must be
// recorded as died, and the kills must have cost only the calls in flight.
func TestRunSurvivesKill9Anywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline a dozen times as child processes")
	}
	kills := envInt(t, chaosKillsEnv, 8)
	seed := envInt(t, chaosSeedEnv, 1)
	t.Logf("%s=%d %s=%d (set them to reproduce or vary this run)", chaosSeedEnv, seed, chaosKillsEnv, kills)

	fixtures, err := fs.Sub(data.CQCFixtures, "cqc/fixtures")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := cqcsim.New(cqcsim.Config{Seed: demoSeed, Locations: demoLocations, Days: demoDays, Fixtures: fixtures, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()

	tmp := t.TempDir()
	whA, whB := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	// One CareQ log, received once through the real receiver (as the demo
	// does) and copied into both warehouses: the same sealed segments.
	careqSrc := filepath.Join(tmp, "careq-received")
	quiet := slog.New(slog.DiscardHandler)
	if err := receiveDemoDeliveries(context.Background(), io.Discard, careqSrc, quiet); err != nil {
		t.Fatal(err)
	}
	for _, wh := range []string{whA, whB} {
		testkit.CopyTree(t, careqlog.Dir(careqSrc), careqlog.Dir(wh))
	}
	clinics, err := filepath.Abs(filepath.Join("..", "..", "data", "clinics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	args := func(root string, snapshot ...string) []string {
		date := "2026-11-21"
		if len(snapshot) > 0 {
			date = snapshot[0]
		}
		return []string{"run", "--out", root, "--cqc-base-url", srv.URL + "/public/v1", "--cqc-api-key", cqcsim.DefaultAPIKey,
			"--rate-limit", "100000", "--rate-window", "1s", "--concurrency", strconv.Itoa(chaosConcurrency),
			"--clinics", clinics, "--snapshot-date", date,
			"--log-format", "json", "--log-level", "info", "--progress", "never"}
	}

	// The reference: one clean run into A.
	ref := startChild(t, args(whA))
	ref.wait(t, 5*time.Minute)
	if ref.exit != 0 {
		t.Fatalf("reference run: %s\n%s\n%s", ref.status, ref.stdout.String(), ref.stderr.String())
	}
	refCalls := len(sim.Requests())
	t.Logf("reference run: %s, %d API calls; steps: %s", ref.wall.Round(time.Millisecond), refCalls, ref.stepTimes())

	// How long a rerun takes once the backfill is complete (a changes run,
	// the CareQ segments loaded): a clean rerun on a copy of A.
	whC := filepath.Join(tmp, "c")
	testkit.CopyTree(t, whA, whC)
	rerun := startChild(t, args(whC))
	rerun.wait(t, 5*time.Minute)
	if rerun.exit != 0 {
		t.Fatalf("rerun on a copy of A: %s\n%s", rerun.status, rerun.stderr.String())
	}
	bFrom := len(sim.Requests())
	t.Logf("a rerun: %s; steps: %s", rerun.wall.Round(time.Millisecond), rerun.stepTimes())

	// The chaos. Kill 1 lands in the first run's extract, at a random point
	// of the reference's (the only step that spends API calls). Kill 2 lands
	// in the first load into the empty warehouse, as soon as a CareQ
	// partition is in place (merged partitions: their rows say which inputs
	// they hold). Kill i > 2 comes after a fraction of the run's duration
	// drawn from the (i-2)-th of kills-2 equal strata of [0, 1], strata in a
	// random order, so the kills cover the whole run: the reference's
	// duration while no run on B has finished its extract, the rerun's after.
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6361726531616b65))
	extractAt, extractFor := ref.stepOffset("extract"), ref.stepDuration("extract")
	fracs := make([]float64, kills)
	for i, k := range rng.Perm(max(kills-2, 0)) {
		fracs[i+2] = (float64(k) + rng.Float64()) / float64(kills-2)
	}
	careqParts := func() []string {
		parts, _ := filepath.Glob(filepath.Join(whB, "careq", "*", "clinic_id=*", "event_month=*"))
		return parts
	}
	extracted := false
	type killed struct {
		where  string
		runID  string
		killed bool
	}
	var landed []killed
	where := map[string]int{}
	for i, f := range fracs {
		var when string
		var due func(time.Duration) bool
		switch i {
		case 0:
			f = rng.Float64()
			d := extractAt + time.Duration(f*float64(extractFor))
			when = fmt.Sprintf("after %s (%.3f of the reference's extract)", d.Round(time.Millisecond), f)
			due = func(e time.Duration) bool { return e >= d }
		case 1:
			before := len(careqParts())
			when = "once a CareQ partition is in place"
			due = func(time.Duration) bool { return len(careqParts()) > before }
		default:
			d, of := time.Duration(f*float64(ref.wall)), "the reference run"
			if extracted {
				d, of = time.Duration(f*float64(rerun.wall)), "a rerun"
			}
			when = fmt.Sprintf("after %s (%.3f of %s)", d.Round(time.Millisecond), f, of)
			due = func(e time.Duration) bool { return e >= d }
		}
		c := startChild(t, args(whB))
		wasKilled, at := c.killWhen(due)
		c.wait(t, 5*time.Minute)
		k := killed{where: c.where(), runID: c.runID(), killed: wasKilled}
		extracted = extracted || c.stepDuration("extract") > 0
		if !wasKilled {
			k.where = "finished before the kill (" + c.status + ")"
			if c.exit != 0 {
				t.Errorf("kill %d: the run ended by itself and failed: %s\n%s", i+1, c.status, c.stderr.String())
			}
		}
		landed = append(landed, k)
		where[k.where]++
		desc := fmt.Sprintf("kill %d/%d %s, at %s: %s, run %s", i+1, kills, when, at.Round(time.Millisecond), k.where, k.runID)
		t.Log(desc)
		checkReadable(t, whB, fmt.Sprintf("after %s (seed %d)", desc, seed))
	}
	t.Logf("where the kills landed: %v", where)

	final := startChild(t, args(whB))
	final.wait(t, 5*time.Minute)
	if final.exit != 0 {
		t.Fatalf("final run on B: %s\n%s\n%s", final.status, final.stdout.String(), final.stderr.String())
	}
	t.Logf("final run: %s; steps: %s", final.wall.Round(time.Millisecond), final.stepTimes())
	checkReadable(t, whB, "after the final run")
	checkManifestMatchesDisk(t, whB)

	compareCatalogs(t, whA, whB, chaosViews, chaosVolatile)

	// No call wasted beyond what a kill can cost: the answers in flight.
	reqs := sim.Requests()
	a, b := detailCalls(reqs[:refCalls]), detailCalls(reqs[bFrom:])
	extra, worst, worstID := 0, 0, ""
	for id, n := range b {
		extra += n - 1
		if n > worst {
			worst, worstID = n, id
		}
	}
	for id := range a {
		if b[id] == 0 {
			t.Errorf("B never fetched %s, A did", id)
		}
	}
	t.Logf("API calls: A %d (%d details), B %d (%d details, %d of them repeats; most for one ID: %d, %s)",
		refCalls, sumCalls(a), len(reqs)-bFrom, sumCalls(b), extra, worst, worstID)
	if extra > where["extract"]*chaosConcurrency || worst > where["extract"]+1 {
		t.Errorf("B repeated %d detail calls (at most %d: %d kills in extract, %d calls in flight each); %s fetched %d times",
			extra, where["extract"]*chaosConcurrency, where["extract"], chaosConcurrency, worstID, worst)
	}

	// pipeline_runs: every killed run that had recorded its start is died,
	// the others succeeded, the last run too.
	runs := runsByID(t, whB)
	outcomes := map[string]int{}
	for id, outcome := range runs {
		outcomes[outcome]++
		if outcome != pipeline.OutcomeDied && outcome != pipeline.OutcomeSucceeded {
			t.Errorf("run %s is recorded %s", id, outcome)
		}
	}
	t.Logf("pipeline_runs of B: %v", outcomes)
	for i, k := range landed {
		rec, ok := runs[k.runID]
		switch {
		case k.runID == "":
			// Killed before the run started: nothing to record.
		case !ok:
			// Killed between the "run started" log line and the record.
			t.Logf("kill %d: run %s left no record (killed as it was being written)", i+1, k.runID)
		case !k.killed || strings.HasPrefix(k.where, "exiting"):
			if rec != pipeline.OutcomeSucceeded {
				t.Errorf("kill %d: run %s finished before the kill but is recorded %s", i+1, k.runID, rec)
			}
		case k.where == "recording the end" && rec == pipeline.OutcomeSucceeded:
			// Killed once its end was recorded, before it logged so.
		case rec != pipeline.OutcomeDied:
			t.Errorf("kill %d (%s): run %s is recorded %s, want %s", i+1, k.where, k.runID, rec, pipeline.OutcomeDied)
		}
	}
	if got := runs[final.runID()]; got != pipeline.OutcomeSucceeded {
		t.Errorf("the final run %s is recorded %q", final.runID(), got)
	}
	if newest := newestRun(t, whB); newest != final.runID() {
		t.Errorf("pipeline_runs' newest run is %s, want the final run %s", newest, final.runID())
	}

	// Three more nights, stored by change beside the first, the second in
	// the next month (its load compacts November: docs/architecture.md,
	// "CQC history by change"), each with organisations changed and one gone:
	// A clean, B killed twice at random points of each (seeded as above),
	// then run to the end. Every snapshot of every CQC table must answer as
	// A's.
	for n, night := range []string{"2026-11-22", "2026-12-01", "2026-12-02"} {
		// The simulator's data do not move between these nights: what a
		// night's changes run would fetch goes into both archives, so
		// that normalise stages those organisations alone (a partial
		// snapshot), and B is killed on its way.
		changed := changedNight(t, sim, rng, 12, 5, 1)
		for _, wh := range []string{whA, whB} {
			appendArchive(t, wh, changed)
		}
		ref := startChild(t, args(whA, night))
		ref.wait(t, 5*time.Minute)
		if ref.exit != 0 {
			t.Fatalf("night %s on A: %s\n%s", night, ref.status, ref.stderr.String())
		}
		// The first kill of a night lands in a step that works on the
		// partial snapshot (normalise, resolve or load, in turn), a random
		// part of A's time for it after B starts it; the second anywhere.
		for i := range 2 {
			f := rng.Float64()
			c := startChild(t, args(whB, night))
			var when string
			var due func(time.Duration) bool
			if i == 0 {
				step := []string{"normalise-cqc", "resolve", "load"}[n%3]
				d := time.Duration(f * float64(ref.stepDuration(step)))
				var started time.Duration
				when = fmt.Sprintf("%s into %s (%.3f of A's)", d.Round(time.Millisecond), step, f)
				due = func(e time.Duration) bool {
					if started == 0 && c.where() == step {
						started = e
					}
					return started > 0 && e-started >= d
				}
			} else {
				d := time.Duration(f * float64(ref.wall))
				when = fmt.Sprintf("after %s (%.3f of A's)", d.Round(time.Millisecond), f)
				due = func(e time.Duration) bool { return e >= d }
			}
			wasKilled, at := c.killWhen(due)
			c.wait(t, 5*time.Minute)
			desc := fmt.Sprintf("night %s, kill %d %s, at %s: %s (killed %t)", night, i+1, when,
				at.Round(time.Millisecond), c.where(), wasKilled)
			t.Log(desc)
			checkReadable(t, whB, desc)
		}
		final := startChild(t, args(whB, night))
		final.wait(t, 5*time.Minute)
		if final.exit != 0 {
			t.Fatalf("night %s's final run on B: %s\n%s", night, final.status, final.stderr.String())
		}
	}
	if dirs, _ := filepath.Glob(filepath.Join(whB, "cqc", "changes", "*", "snapshot_month=2026-11")); len(dirs) == 0 {
		t.Error("November was not compacted by the December nights")
	}
	checkManifestMatchesDisk(t, whB)
	var snapshots []string
	for _, tb := range schemas.CQCTables() {
		snapshots = append(snapshots, catalog.DatasetsSchema+"."+tb.Relation())
	}
	compareCatalogs(t, whA, whB, append(snapshots, chaosViews...), chaosVolatile)
}

// syncBuffer is a bytes.Buffer safe to read while another goroutine
// writes to it: a child's output (where(), to kill in a given step), or a
// command run in process (cqc-sim).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// Bytes is a copy of what was written so far.
func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

func (s *syncBuffer) String() string { return string(s.Bytes()) }

// child is one `carelake run` process: the test binary re-executed as
// carelake (TestMain, benchMainEnv).
type child struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	start          time.Time
	done           chan struct{}
	wall           time.Duration
	exit           int
	status         string
}

func startChild(t *testing.T, args []string) *child {
	t.Helper()
	c := &child{done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	// Under -race a process sleeps a second before it exits
	// (atexit_sleep_ms): not what a kill should land in.
	c.cmd.Env = append(os.Environ(), benchMainEnv+"=1", "GORACE=atexit_sleep_ms=0 "+os.Getenv("GORACE"))
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	c.start = time.Now()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = c.cmd.Wait() // the exit status is read from ProcessState
		c.wall = time.Since(c.start)
		c.exit = c.cmd.ProcessState.ExitCode()
		c.status = c.cmd.ProcessState.String()
		close(c.done)
	}()
	return c
}

// killWhen sends SIGKILL once due says so (asked every 2 ms with the time
// since the process started), unless the process ended first. It reports
// whether the kill landed, and when.
func (c *child) killWhen(due func(elapsed time.Duration) bool) (bool, time.Duration) {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !due(time.Since(c.start)) {
		select {
		case <-c.done:
			return false, c.wall
		case <-tick.C:
		}
	}
	at := time.Since(c.start)
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return false, at // it has just exited
	}
	<-c.done
	ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signal() == syscall.SIGKILL, at
}

// wait waits for the process, killing it (and failing) past limit.
func (c *child) wait(t *testing.T, limit time.Duration) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(limit):
		_ = c.cmd.Process.Kill()
		<-c.done
		t.Fatalf("carelake %v did not end within %s\n%s", c.cmd.Args, limit, c.stderr.String())
	}
}

// logLine is one JSON log line of a child.
type logLine struct {
	Msg   string `json:"msg"`
	RunID string `json:"run_id"`
	Step  string `json:"step"`
	Time  time.Time
}

func (c *child) logLines() []logLine {
	var out []logLine
	sc := bufio.NewScanner(bytes.NewReader(c.stderr.Bytes())) // a copy: the child may still be writing
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg != "" {
			out = append(out, l)
		}
	}
	return out
}

// runID is the ID of the run the child started ("" if it never did).
func (c *child) runID() string {
	for _, l := range c.logLines() {
		if l.Msg == "run started" {
			return l.RunID
		}
	}
	return ""
}

// where says from the child's log where it was when it ended: the step
// under way (or the one just finished), or before or after the steps.
func (c *child) where() string {
	at := "startup (no run started)"
	for _, l := range c.logLines() {
		switch l.Msg {
		case "run started":
			at = "recording the start"
		case "step started":
			at = l.Step
		case "step finished":
			at = l.Step + " (finished, before the next step)"
			if l.Step == "catalog" {
				at = "recording the end"
			}
		case "run finished":
			at = "exiting (run recorded)"
		}
	}
	return at
}

// stepDuration is how long the child's step took (0: it did not finish).
func (c *child) stepDuration(step string) time.Duration {
	var start time.Time
	for _, l := range c.logLines() {
		switch {
		case l.Step != step:
		case l.Msg == "step started":
			start = l.Time
		case l.Msg == "step finished":
			return l.Time.Sub(start)
		}
	}
	return 0
}

// stepOffset is how long after the process started the child's step
// started (0: it did not).
func (c *child) stepOffset(step string) time.Duration {
	for _, l := range c.logLines() {
		if l.Msg == "step started" && l.Step == step {
			return l.Time.Sub(c.start)
		}
	}
	return 0
}

// stepTimes lists the steps the child ran with their durations.
func (c *child) stepTimes() string {
	var parts []string
	started := map[string]time.Time{}
	for _, l := range c.logLines() {
		switch l.Msg {
		case "step started":
			started[l.Step] = l.Time
		case "step finished":
			parts = append(parts, fmt.Sprintf("%s %s", l.Step, l.Time.Sub(started[l.Step]).Round(time.Millisecond)))
		}
	}
	return strings.Join(parts, ", ")
}

// checkReadable fails t unless the warehouse at root is consistent as a
// reader sees it: every file in a dataset directory is a whole, readable
// Parquet file (no temporary or hidden file or directory), the run history
// and the manifest parse, and the catalog, if there is one, opens and
// answers a query.
func checkReadable(t *testing.T, root, when string) {
	t.Helper()
	for _, top := range []string{"cqc", "careq"} {
		dir := filepath.Join(root, top)
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == dir && os.IsNotExist(err) {
					return fs.SkipDir
				}
				return err
			}
			rel, _ := filepath.Rel(root, path)
			name := d.Name()
			if path != dir && (strings.HasPrefix(name, ".") || strings.Contains(name, ".tmp") ||
				strings.Contains(name, ".open") || strings.Contains(name, ".old") || strings.Contains(name, "load-tmp")) {
				t.Errorf("%s: temporary %s visible in a dataset directory", when, rel)
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if !strings.HasSuffix(name, ".parquet") {
				t.Errorf("%s: %s in a dataset directory is not Parquet", when, rel)
				return nil
			}
			if err := readWholeParquet(path); err != nil {
				t.Errorf("%s: %s is not a whole Parquet file: %v", when, rel, err)
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", when, err)
		}
	}
	if _, err := pipeline.Runs(root); err != nil {
		t.Errorf("%s: run history: %v", when, err)
	}
	if _, err := load.ReadWarehouseManifest(root); err != nil {
		t.Errorf("%s: manifest: %v", when, err)
	}
	if _, err := os.Stat(filepath.Join(root, catalog.FileName)); os.IsNotExist(err) {
		return
	}
	db, err := catalog.Open(root)
	if err != nil {
		t.Errorf("%s: catalog: %v", when, err)
		return
	}
	defer db.Close()
	for _, v := range append([]string{"pipeline_runs"}, chaosViews...) {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ` + v).Scan(&n); err != nil {
			t.Errorf("%s: catalog: SELECT count(*) FROM %s: %v", when, v, err)
		}
	}
}

// readWholeParquet reads every column of every row group of the file.
func readWholeParquet(path string) error {
	var rows int64
	err := warehouse.ReadBatches(context.Background(), path, func(b arrow.RecordBatch) error {
		rows += b.NumRows()
		return nil
	})
	if err != nil {
		return err
	}
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return err
	}
	defer pf.Close()
	if rows != pf.NumRows() {
		return fmt.Errorf("read %d rows, the footer says %d", rows, pf.NumRows())
	}
	return nil
}

// checkManifestMatchesDisk fails t unless manifest.json lists exactly the
// Parquet files in the dataset directories.
func checkManifestMatchesDisk(t *testing.T, root string) {
	t.Helper()
	m, err := load.ReadWarehouseManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	var listed, onDisk []string
	for _, ds := range m.Datasets {
		for part, e := range ds.Partitions {
			for _, f := range e.Files {
				listed = append(listed, part+"/"+f.Name)
			}
		}
	}
	for _, top := range []string{"cqc", "careq"} {
		found, _ := filepath.Glob(filepath.Join(root, top, "*", "*", "*.parquet"))
		deeper, _ := filepath.Glob(filepath.Join(root, top, "*", "*", "*", "*.parquet"))
		for _, f := range append(found, deeper...) {
			rel, _ := filepath.Rel(root, f)
			onDisk = append(onDisk, filepath.ToSlash(rel))
		}
	}
	var missing, extra []string
	for _, f := range onDisk {
		if !slices.Contains(listed, f) {
			missing = append(missing, f)
		}
	}
	for _, f := range listed {
		if !slices.Contains(onDisk, f) {
			extra = append(extra, f)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("manifest.json lists %d Parquet files, the dataset directories hold %d:\n  on disk, not in the manifest: %s\n  in the manifest, not on disk: %s",
			len(listed), len(onDisk), strings.Join(missing, "\n    "), strings.Join(extra, "\n    "))
	}
}

// compareCatalogs fails t unless every view of views (schema.name, or a
// name in main) gives the same rows (as multisets, the volatile columns
// left out) in both warehouses' catalogues, ATTACHed side by side in one DuckDB session. Their views
// read paths relative to their own root, so each view is first copied into
// a temporary table (wa_<view>, wb_<view>) with file_search_path set to
// that warehouse.
func compareCatalogs(t *testing.T, a, b string, views []string, volatile map[string]string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // ATTACH is per connection
	for name, root := range map[string]string{"wa": a, "wb": b} {
		if _, err := db.Exec(fmt.Sprintf("ATTACH '%s' AS %s (READ_ONLY)", filepath.Join(root, catalog.FileName), name)); err != nil {
			t.Fatal(err)
		}
	}
	excluded := map[string]bool{}
	var summary []string
	for _, rel := range views {
		schema, v, ok := strings.Cut(rel, ".")
		if !ok {
			schema, v = "main", rel
		}
		var cols []string
		rows, err := db.Query(`SELECT column_name FROM information_schema.columns
			WHERE table_catalog = 'wa' AND table_schema = ? AND table_name = ? ORDER BY ordinal_position`, schema, v)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			if _, ok := volatile[c]; ok {
				excluded[c] = true
				continue
			}
			cols = append(cols, `"`+c+`"`)
		}
		rows.Close()
		if len(cols) == 0 {
			t.Errorf("view %s: no columns in A's catalog", v)
			continue
		}
		sel := strings.Join(cols, ", ")
		copied := true
		for name, root := range map[string]string{"wa": a, "wb": b} {
			if _, err := db.Exec(fmt.Sprintf("SET file_search_path = '%s'; CREATE OR REPLACE TEMP TABLE %s_%s AS SELECT * FROM %s.%s.%s",
				root, name, v, name, schema, v)); err != nil {
				t.Errorf("view %s of %s: %v", v, name, err)
				copied = false
			}
		}
		if !copied {
			continue
		}
		var na, nb, onlyA, onlyB int
		q := fmt.Sprintf(`SELECT (SELECT count(*) FROM wa_%[1]s), (SELECT count(*) FROM wb_%[1]s),
			(SELECT count(*) FROM (SELECT %[2]s FROM wa_%[1]s EXCEPT ALL SELECT %[2]s FROM wb_%[1]s)),
			(SELECT count(*) FROM (SELECT %[2]s FROM wb_%[1]s EXCEPT ALL SELECT %[2]s FROM wa_%[1]s))`, v, sel)
		if err := db.QueryRow(q).Scan(&na, &nb, &onlyA, &onlyB); err != nil {
			t.Errorf("view %s: %v", v, err)
			continue
		}
		summary = append(summary, fmt.Sprintf("%s %d", v, na))
		if onlyA != 0 || onlyB != 0 || na != nb {
			t.Errorf("view %s: A has %d rows, B %d; %d rows only in A, %d only in B; e.g.\n%s", v, na, nb, onlyA, onlyB,
				sampleDiff(db, v, sel))
		}
		if na == 0 && !strings.Contains(v, "rejects") && schema == "main" {
			t.Errorf("view %s is empty: the comparison proves nothing", v)
		}
	}
	var left []string
	for c := range excluded {
		left = append(left, c+" ("+volatile[c]+")")
	}
	sort.Strings(left)
	t.Logf("views compared row for row (rows): %s; columns left out: %s", strings.Join(summary, ", "), strings.Join(left, "; "))
}

// sampleDiff shows a few rows that differ between the two catalogues.
func sampleDiff(db *sql.DB, view, sel string) string {
	q := fmt.Sprintf(`(SELECT 'A' AS side, * FROM (SELECT %[2]s FROM wa_%[1]s EXCEPT ALL SELECT %[2]s FROM wb_%[1]s) LIMIT 3)
		UNION ALL (SELECT 'B', * FROM (SELECT %[2]s FROM wb_%[1]s EXCEPT ALL SELECT %[2]s FROM wa_%[1]s) LIMIT 3)`, view, sel)
	rows, err := db.Query(q)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var out strings.Builder
	if _, err := catalog.Write(rows, catalog.FormatCSV, &out); err != nil {
		return err.Error()
	}
	return out.String()
}

// detailCalls counts the detail answers the simulator served in full per
// ID (locations/ID, providers/ID): each is a call spent on that item.
func detailCalls(reqs []cqcsim.Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		seg := strings.Split(strings.TrimPrefix(r.Path, "/public/v1/"), "/")
		if len(seg) != 2 || (seg[0] != "locations" && seg[0] != "providers") || r.Throttled || r.Fault != "" {
			continue
		}
		out[seg[0]+"/"+seg[1]]++
	}
	return out
}

func sumCalls(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// runsByID reads pipeline_runs from B's catalog: outcome by run ID.
func runsByID(t *testing.T, root string) map[string]string {
	t.Helper()
	db, err := catalog.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT run_id, outcome FROM pipeline_runs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, outcome string
		if err := rows.Scan(&id, &outcome); err != nil {
			t.Fatal(err)
		}
		out[id] = outcome
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func newestRun(t *testing.T, root string) string {
	t.Helper()
	db, err := catalog.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id string
	if err := db.QueryRow(`SELECT run_id FROM pipeline_runs LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", name, s)
	}
	return n
}
