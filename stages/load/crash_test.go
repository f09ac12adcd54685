package load

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"carelake/internal/testkit/loadtest"
	"carelake/schemas/loaded"
)

// crashChildEnv, when set to a warehouse root, turns the test binary into a
// child that loads that warehouse (and is killed by its parent).
const crashChildEnv = "CARELAKE_LOAD_CRASH_CHILD"

func TestMain(m *testing.M) {
	if root := os.Getenv(mergeCrashChildEnv); root != "" {
		mergeCrashChild(root)
	}
	if root := os.Getenv(foldChildEnv); root != "" {
		foldCrashChild(root)
	}
	if root := os.Getenv(retentionChildEnv); root != "" {
		retentionCrashChild(root)
	}
	if root := os.Getenv(crashChildEnv); root != "" {
		o := opts(root)
		o.RowGroupRows = 20_000 // row groups reach the disk while the file grows
		if _, err := Run(context.Background(), o); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKillDuringLoad kills a real load process (this test binary re-executed)
// with SIGKILL while it writes a large partition: the previous partition
// stays readable, no partial file is visible in the dataset, and the next
// load completes the job.
func TestKillDuringLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large partition")
	}
	root := t.TempDir()
	stageRows(t, root, "run-1", 1000)
	mustRun(t, opts(root))
	stageRows(t, root, "run-2", 150_000)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+root)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once the new file has its first row group on disk, long before
	// it is finished (150k rows in row groups of 20k).
	var partial string
	deadline := time.Now().Add(30 * time.Second)
	for partial == "" && time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(root, tmpDirName, "*", "part-*.parquet"))
		for _, f := range files {
			// Past the 4 magic bytes: the first row group is on disk.
			if info, err := os.Stat(f); err == nil && info.Size() > 4 {
				partial = f
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if partial == "" {
		t.Fatalf("never saw the load in progress (child: %v)", err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed mid-load: %v", cmd.ProcessState)
	}
	if _, _, _, err := readFile(partial); err == nil {
		t.Fatalf("%s was complete: the child was not killed mid-write", partial)
	}

	// Readers see exactly the previous partition.
	if got, want := visible(t, root), []string{partDir + "/part-00000.parquet"}; !slices.Equal(got, want) {
		t.Fatalf("visible after the crash: %v, want %v", got, want)
	}
	rows, first, _, err := readFile(onlyFile(t, filepath.Join(root, partDir)))
	if err != nil || rows != 1000 || first != "run-1/0-0" {
		t.Fatalf("previous partition after the crash: %d rows from %q, %v", rows, first, err)
	}
	if st, _ := loaded.ReadState(root); st.Stages["normalise-test"].RunID != "run-1" {
		t.Fatalf("state moved forward without the data: %+v", st)
	}

	// The next load completes the job and cleans up.
	sum := mustRun(t, opts(root))
	if sum.Rows != 150_000 {
		t.Fatalf("reload: %+v", sum)
	}
	if n, err := readWholePartition(filepath.Join(root, partDir)); err != nil || n != 150_000 {
		t.Fatalf("after reload: %d rows, %v", n, err)
	}
	if left, _ := os.ReadDir(filepath.Join(root, tmpDirName)); len(left) != 0 {
		t.Fatalf("temporary directories left: %v", left)
	}
}

func stageRows(t *testing.T, root, runID string, rows int) {
	t.Helper()
	loadtest.Stage(t, root, "normalise-test", runID, rows, day)
}
