package catalog

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"carelake/pipeline"
)

func TestPipelineRunsView(t *testing.T) {
	root := t.TempDir()
	clock := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	r := &pipeline.Runner{Root: root, Command: "run", Version: "test", Logger: quiet(),
		Now: func() time.Time { clock = clock.Add(1500 * time.Millisecond); return clock }}
	ok := func(res pipeline.StepResult) pipeline.Step {
		return pipeline.Step{Name: "step", Run: func(context.Context, string) (pipeline.StepResult, error) { return res, nil }}
	}
	if _, err := r.Run(context.Background(), []pipeline.Step{
		ok(pipeline.StepResult{Calls: 120}),
		ok(pipeline.StepResult{Rows: map[string]int64{"cqc/locations": 300, "careq/events": 12}, Rejects: 2}),
	}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	if _, err := r.Run(context.Background(), []pipeline.Step{{Name: "load", Run: func(context.Context, string) (pipeline.StepResult, error) {
		return pipeline.StepResult{}, boom
	}}}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	db, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := cells(t, db, `SELECT outcome, calls, rejects, rows_total, element_at(rows, 'cqc/locations')[1], duration_seconds,
		coalesce(error, '-'), json_array_length(steps) FROM pipeline_runs`)
	// The clock moves 1.5 s at each reading: start, each step's start and end, finish.
	want := [][]string{
		{"failed", "0", "0", "0", "NULL", "4.5", "load: disk full", "1"},
		{"succeeded", "120", "2", "312", "300", "7.5", "-", "2"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("pipeline_runs:\n got %v\nwant %v", got, want)
	}

	// Before any run the view exists, empty, with the same columns and types.
	empty := t.TempDir()
	if _, err := Run(context.Background(), Options{Root: empty, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	edb, err := Open(empty)
	if err != nil {
		t.Fatal(err)
	}
	defer edb.Close()
	describe := "SELECT column_name, column_type FROM (DESCRIBE pipeline_runs)"
	if a, b := cells(t, edb, describe), cells(t, db, describe); !slices.EqualFunc(a, b, slices.Equal) {
		t.Fatalf("empty pipeline_runs has columns %v, over a history %v", a, b)
	}
	if n := cells(t, edb, "SELECT count(*) FROM pipeline_runs"); n[0][0] != "0" {
		t.Fatalf("empty warehouse has %s runs", n[0][0])
	}
}
