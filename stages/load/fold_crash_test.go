package load

import (
	"carelake/internal/testkit"
	"carelake/schemas/loaded"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// The fold crash child: the test binary re-executed to load (and fold) the
// warehouse foldChildEnv names, stopping for good at the point
// foldKillAtEnv names ("fold-swapped:3": the third time that point is
// reached), after writing the file foldMarkerEnv names, for its parent to
// kill -9. Without foldKillAtEnv it runs to the end, or to its parent's
// kill at a random time.
const (
	foldChildEnv  = "CARELAKE_LOAD_FOLD_CRASH_CHILD"
	foldKillAtEnv = "CARELAKE_LOAD_FOLD_KILL_AT"
	foldMarkerEnv = "CARELAKE_LOAD_FOLD_MARKER"
)

func foldCrashChild(root string) {
	stopAtKillPoint()
	if _, err := Run(context.Background(), careqOpts(root, foldTables())); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

// stopAtKillPoint makes a crash child stop for good at the point
// foldKillAtEnv names, for its parent to kill.
func stopAtKillPoint() {
	at := os.Getenv(foldKillAtEnv)
	if at == "" {
		return
	}
	point, n, _ := strings.Cut(at, ":")
	want, _ := strconv.Atoi(n)
	hits := 0
	testHook = func(p string) {
		if p != point {
			return
		}
		if hits++; hits == want {
			_ = os.WriteFile(os.Getenv(foldMarkerEnv), nil, 0o644)
			time.Sleep(time.Hour) // until SIGKILL
		}
	}
}

// runFoldChild starts the crash child on root. With at set it kills it -9
// once it reached that point (failing t if it never does); otherwise after
// the delay, unless it finished first. It reports whether the child was
// killed.
func runFoldChild(t *testing.T, root, at string, after time.Duration) bool {
	t.Helper()
	return runCrashChild(t, foldChildEnv+"="+root, at, after)
}

// runCrashChild is runFoldChild for the child that env (NAME=root) starts.
func runCrashChild(t *testing.T, env, at string, after time.Duration) bool {
	t.Helper()
	marker := filepath.Join(t.TempDir(), "at-the-point")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env, foldKillAtEnv+"="+at, foldMarkerEnv+"="+marker)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if at != "" {
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(time.Millisecond) {
			if _, err := os.Stat(marker); err == nil {
				break
			}
			select {
			case err := <-done:
				t.Fatalf("the child ended (%v) before reaching %s", err, at)
			default:
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				<-done
				t.Fatalf("the child never reached %s", at)
			}
		}
	} else {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("the child failed: %v", err)
			}
			return false
		case <-time.After(after):
		}
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	err := <-done
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL { //nolint:misspell // syscall's spelling
		if err == nil && at == "" {
			return false // it finished just before the kill
		}
		t.Fatalf("the child was not killed: %v (%v)", cmd.ProcessState, err)
	}
	return true
}

// checkNoPartialFile fails t unless every Parquet file in the CareQ
// datasets opens: a kill never leaves a part of a file where readers look.
func checkNoPartialFile(t *testing.T, root string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "careq", "*", "*", "*", "*.parquet"))
	for _, f := range files {
		pf, err := file.OpenParquetFile(f, false)
		if err != nil {
			t.Errorf("after the kill, %s: %v", f, err)
			continue
		}
		pf.Close()
	}
}

// The fold survives kill -9 anywhere: a warehouse in the day layout, with a
// stage output of the month layout waiting, is loaded by a process killed at
// each point of the fold (before a swap, between a swap and the removal of
// the folded days, amid the removals, before the manifest is saved), several
// times in a row, and at random times; the next load then leaves exactly
// the rows, partitions and manifest of an uninterrupted load.
func TestKillDuringFold(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary many times")
	}
	template := t.TempDir()
	f := formerWarehouse(t, template)
	stageCareQ(t, template, "run-4", foldTables(), append(append(append([]call{}, f.partial...), f.again...), f.later...))
	db := openDuckDB(t)

	// The reference: the same load, uninterrupted, in a child as the
	// killed ones run (its wall time bounds the random kills).
	ref := filepath.Join(t.TempDir(), "ref")
	testkit.CopyTree(t, template, ref)
	start := time.Now()
	if runFoldChild(t, ref, "", time.Hour) {
		t.Fatal("the reference was killed")
	}
	refWall := time.Since(start)
	snapshot(t, db, foldTables(), ref, "event_month", "ref")
	checkMonthLayout(t, db, foldTables(), ref)
	refManifest, err := ReadWarehouseManifest(ref)
	if err != nil {
		t.Fatal(err)
	}
	refLoaded, _ := loaded.Inputs(ref, "careq-segments")

	check := func(t *testing.T, root, name string) {
		t.Helper()
		sum, err := Run(context.Background(), careqOpts(root, foldTables()))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Folded > f.dirs {
			t.Errorf("the rerun folded %d partitions of %d", sum.Folded, f.dirs)
		}
		snapshot(t, db, foldTables(), root, "event_month", name)
		sameRows(t, db, foldTables(), "ref", name)
		checkMonthLayout(t, db, foldTables(), root)
		wm, err := ReadWarehouseManifest(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range foldTables() {
			want, got := refManifest.Datasets[tb.Dataset], wm.Datasets[tb.Dataset]
			if got == nil || len(got.Partitions) != len(want.Partitions) || got.Rows != want.Rows {
				t.Errorf("%s: manifest %+v, uninterrupted %+v", tb.Dataset, got, want)
				continue
			}
			for p, e := range want.Partitions {
				if g := got.Partitions[p]; g == nil || g.Rows != e.Rows || len(g.Files) != 1 {
					t.Errorf("%s: manifest entry %+v, uninterrupted %+v", p, g, e)
				}
			}
		}
		loaded, _ := loaded.Inputs(root, "careq-segments")
		for s := range refLoaded {
			if !loaded[s] {
				t.Errorf("segment %s not recorded as loaded", s)
			}
		}
	}

	for i, kills := range [][]string{
		{"fold-written:1"},         // the first month written aside, not swapped in
		{"fold-written:6"},         // a later one
		{"fold-swapped:1"},         // the first month swapped in, its days not removed
		{"fold-swapped:5"},         // a later one
		{"fold-source-removed:1"},  // one day of a month moved out, the others not
		{"fold-source-removed:14"}, // a later one
		{"fold-done:1"},            // every month folded, the manifest not saved
		{"fold-swapped:2", "fold-source-removed:1", "fold-written:3", "fold-done:1"}, // again and again
	} {
		t.Run(strings.Join(kills, ","), func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "wh")
			testkit.CopyTree(t, template, root)
			for _, at := range kills {
				runFoldChild(t, root, at, 0)
				checkNoPartialFile(t, root)
			}
			check(t, root, fmt.Sprintf("killed%d", i))
		})
	}

	t.Run("at random times", func(t *testing.T) {
		seed := time.Now().UnixNano()
		rng := rand.New(rand.NewPCG(uint64(seed), 1))
		root := filepath.Join(t.TempDir(), "wh")
		testkit.CopyTree(t, template, root)
		kills := 0
		for range 6 {
			after := time.Duration(rng.Int64N(int64(refWall)))
			if !runFoldChild(t, root, "", after) {
				break
			}
			kills++
			checkNoPartialFile(t, root)
			left, months := 0, 0
			for _, tb := range foldTables() {
				left += len(partitionDirs(t, root, tb, "event_date"))
				months += len(partitionDirs(t, root, tb, "event_month"))
			}
			t.Logf("kill %d, %s after the start: %d of %d day partitions left, %d month partitions",
				kills, after.Round(time.Millisecond), left, f.dirs, months)
		}
		t.Logf("seed %d: %d kills (the uninterrupted load took %s)", seed, kills, refWall.Round(time.Millisecond))
		check(t, root, "random")
	})
}
