package pipeline

import (
	"carelake/schemas/warehouse"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRunnerRecordsEveryStepAndStopsAtFailure(t *testing.T) {
	root := t.TempDir()
	clock := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	r := &Runner{Root: root, Command: "run", Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	boom := errors.New("disk full")
	var ranLoad bool
	rec, err := r.Run(context.Background(), []Step{
		{Name: "extract", Run: func(context.Context, string) (StepResult, error) {
			return StepResult{Calls: 120, Detail: map[string]int{"gone": 1}}, nil
		}},
		{Name: "normalise", Run: func(context.Context, string) (StepResult, error) {
			return StepResult{Rows: map[string]int64{"cqc/locations": 7}, Rejects: 2}, boom
		}},
		{Name: "load", Run: func(context.Context, string) (StepResult, error) { ranLoad = true; return StepResult{}, nil }},
	})
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "normalise: ") {
		t.Fatalf("err = %v", err)
	}
	if ranLoad {
		t.Fatal("a step ran after a failure")
	}
	if rec.Outcome != OutcomeFailed || rec.Calls != 120 || rec.Rejects != 2 || rec.Rows["cqc/locations"] != 7 {
		t.Fatalf("record %+v", rec)
	}
	if got := []string{rec.Steps[0].Outcome, rec.Steps[1].Outcome, rec.Steps[2].Outcome}; got[0] != OutcomeSucceeded || got[1] != OutcomeFailed || got[2] != OutcomeSkipped {
		t.Fatalf("step outcomes %v", got)
	}

	// A second, successful run: history lists it first.
	if _, err := r.Run(context.Background(), []Step{{Name: "load", Run: func(context.Context, string) (StepResult, error) { return StepResult{}, nil }}}); err != nil {
		t.Fatal(err)
	}
	runs, err := Runs(root)
	if err != nil || len(runs) != 2 {
		t.Fatalf("history: %v, %d runs", err, len(runs))
	}
	if runs[0].Outcome != OutcomeSucceeded || runs[1].Error != "normalise: disk full" || runs[1].Steps[0].Detail == nil {
		t.Fatalf("history %+v", runs)
	}
}

func TestRunnerMarksCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{Root: t.TempDir(), Command: "run", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	rec, err := r.Run(ctx, []Step{{Name: "extract", Run: func(ctx context.Context, _ string) (StepResult, error) {
		cancel()
		return StepResult{Calls: 3}, ctx.Err()
	}}})
	if !errors.Is(err, context.Canceled) || rec.Outcome != OutcomeCancelled || rec.Calls != 3 {
		t.Fatalf("%v %+v", err, rec)
	}
}

// A run is in the history from its start: as running while its process
// holds the run lock, as died once a kill -9 has left it so (the kernel
// frees the lock, the record stays running), and the next run records the
// death for good.
func TestRunnerRecordsARunThatDies(t *testing.T) {
	root := t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	lock, err := AcquireLock(root, "run")
	if err != nil {
		t.Fatal(err)
	}
	var during []RunRecord
	r := &Runner{Root: root, Command: "run", Version: "test", Logger: quiet}
	if _, err := r.Run(context.Background(), []Step{{Name: "load", Run: func(context.Context, string) (StepResult, error) {
		during, err = Runs(root)
		return StepResult{}, err
	}}}); err != nil {
		t.Fatal(err)
	}
	if len(during) != 1 || during[0].Outcome != OutcomeRunning || len(during[0].Steps) != 1 ||
		during[0].Steps[0].Name != "load" || during[0].Steps[0].Outcome != OutcomeRunning {
		t.Fatalf("history during the run: %+v", during)
	}
	if runs, err := Runs(root); err != nil || len(runs) != 1 || runs[0].Outcome != OutcomeSucceeded {
		t.Fatalf("history after the run: %+v, %v", runs, err)
	}

	// What a kill -9 leaves: a record still running, and no lock.
	dead := RunRecord{RunID: "20261121T020000.000Z", Command: "run", StartedAt: time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC),
		Outcome: OutcomeRunning, Rows: map[string]int64{}, Steps: []StepRecord{
			{Name: "extract", Outcome: OutcomeSucceeded}, {Name: "normalise", Outcome: OutcomeRunning}}}
	if err := saveRun(root, dead, false); err != nil {
		t.Fatal(err)
	}
	if runs, _ := Runs(root); runs[1].RunID != dead.RunID || runs[1].Outcome != OutcomeRunning {
		t.Fatalf("while a process holds the lock a running record is running: %+v", runs)
	}
	lock.Release()
	runs, err := Runs(root)
	if err != nil || len(runs) != 2 || runs[1].Outcome != OutcomeDied || runs[1].Steps[1].Outcome != OutcomeDied ||
		runs[1].Steps[0].Outcome != OutcomeSucceeded || !strings.Contains(runs[1].Error, "ended during normalise (killed or crashed)") {
		t.Fatalf("history after the kill: %+v, %v", runs, err)
	}
	if _, err := r.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(warehouse.RunsFile(root))
	if err != nil || strings.Count(string(b), `"outcome":"died","error"`) != 1 || strings.Count(string(b), "\n") != 3 {
		t.Fatalf("the next run did not record the death:\n%s", b)
	}
}
