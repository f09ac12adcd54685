package pipeline

import (
	"bytes"
	"carelake/pipeline/durable"
	"carelake/schemas/warehouse"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"time"
)

// Step is one stage of a run, as the runner sees it. Run does the stage's
// work and reports what it did; the runner adds timings, logging and the run
// record. runID is the run's ID (RunRecord.RunID): a stage names its output
// by it, so every file a run writes can say which run that was.
type Step struct {
	Name string
	Run  func(ctx context.Context, runID string) (StepResult, error)
}

// StepResult is what a stage reports to the runner.
type StepResult struct {
	// Calls counts API calls spent (the extract stage).
	Calls int64 `json:"calls,omitempty"`
	// Rows counts rows written per table.
	Rows map[string]int64 `json:"rows,omitempty"`
	// Rejects counts records that could not be used and went to rejects.
	Rejects int64 `json:"rejects,omitempty"`
	// Detail is the stage's own summary, kept in the run record as JSON.
	Detail any `json:"detail,omitempty"`
}

// Outcomes of a run or a step.
const (
	OutcomeSucceeded = "succeeded"
	OutcomeFailed    = "failed"
	OutcomeCancelled = "cancelled"
	OutcomeSkipped   = "skipped"
	// OutcomeRunning is a run under way. Its record is written when it
	// starts, so a run that dies (kill -9, power loss) still leaves one.
	OutcomeRunning = "running"
	// OutcomeDied is a run whose process ended before it could record its
	// end; the next run finds it so and says so.
	OutcomeDied = "died"
)

// StepRecord is one step of a RunRecord.
type StepRecord struct {
	Name       string    `json:"name"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Outcome    string    `json:"outcome"`
	Error      string    `json:"error,omitempty"`
	StepResult
}

// RunRecord is one row of pipeline_runs.
type RunRecord struct {
	RunID      string           `json:"run_id"`
	Command    string           `json:"command"`
	Version    string           `json:"version"`
	StartedAt  time.Time        `json:"started_at"`
	FinishedAt time.Time        `json:"finished_at"`
	Outcome    string           `json:"outcome"`
	Error      string           `json:"error,omitempty"`
	Calls      int64            `json:"calls"`
	Rows       map[string]int64 `json:"rows"`
	Rejects    int64            `json:"rejects"`
	Steps      []StepRecord     `json:"steps"`
}

// Runner executes steps in order and records the run.
type Runner struct {
	Root    string
	Command string
	Version string
	Logger  *slog.Logger
	Now     func() time.Time
}

// Run executes the steps in order, stopping at the first failure, and
// appends the run's record to the run history whatever the outcome. The
// returned error is the failing step's, wrapped with its name. Steps after a
// failure are recorded as skipped.
func (r *Runner) Run(ctx context.Context, steps []Step) (RunRecord, error) {
	now := r.Now
	if now == nil {
		now = time.Now
	}
	rec := RunRecord{
		Command: r.Command, Version: r.Version, StartedAt: now().UTC(),
		Rows: map[string]int64{}, Outcome: OutcomeSucceeded,
	}
	rec.RunID = warehouse.NewRunID(rec.StartedAt)
	log := r.Logger.With("run_id", rec.RunID)
	log.Info("run started", "command", r.Command, "steps", len(steps))

	// The run is in the history before any step runs: a run that dies
	// leaves a trace, and a catalog built by this very run reads the
	// history (rather than an empty stand-in for a missing file).
	rec.Outcome = OutcomeRunning
	runErr := saveRun(r.Root, rec, true)
	rec.Outcome = OutcomeSucceeded
	if runErr != nil {
		rec.Outcome, rec.Error = OutcomeFailed, runErr.Error()
	}
	for _, st := range steps {
		sr := StepRecord{Name: st.Name, StartedAt: now().UTC()}
		if runErr != nil {
			sr.Outcome, sr.FinishedAt = OutcomeSkipped, sr.StartedAt
			rec.Steps = append(rec.Steps, sr)
			continue
		}
		log.Info("step started", "step", st.Name)
		// The history says which step is under way, so a run that dies
		// shows where.
		live := rec
		live.Outcome = OutcomeRunning
		live.Steps = append(slices.Clone(rec.Steps), StepRecord{Name: st.Name, StartedAt: sr.StartedAt, Outcome: OutcomeRunning})
		if err := saveRun(r.Root, live, false); err != nil {
			log.Warn("could not record the step's start in the run history", "step", st.Name, "err", err)
		}
		res, err := st.Run(ctx, rec.RunID)
		sr.FinishedAt = now().UTC()
		sr.StepResult = res
		switch {
		case err == nil:
			sr.Outcome = OutcomeSucceeded
			log.Info("step finished", "step", st.Name, "duration", sr.FinishedAt.Sub(sr.StartedAt).Round(time.Millisecond),
				"calls", res.Calls, "rows", res.TotalRows(), "rejects", res.Rejects)
		case errors.Is(err, context.Canceled) || ctx.Err() != nil:
			sr.Outcome, sr.Error = OutcomeCancelled, err.Error()
			runErr = fmt.Errorf("%s: %w", st.Name, err)
		default:
			sr.Outcome, sr.Error = OutcomeFailed, err.Error()
			runErr = fmt.Errorf("%s: %w", st.Name, err)
		}
		rec.Calls += res.Calls
		rec.Rejects += res.Rejects
		for t, n := range res.Rows {
			rec.Rows[t] += n
		}
		rec.Steps = append(rec.Steps, sr)
		if runErr != nil {
			rec.Outcome, rec.Error = sr.Outcome, runErr.Error()
		}
	}
	rec.FinishedAt = now().UTC()
	if err := saveRun(r.Root, rec, false); err != nil {
		if runErr == nil {
			runErr = err
			rec.Outcome, rec.Error = OutcomeFailed, err.Error()
		} else {
			log.Error("could not record the run", "err", err)
		}
	}
	log.Info("run finished", "outcome", rec.Outcome, "duration", rec.FinishedAt.Sub(rec.StartedAt).Round(time.Millisecond),
		"calls", rec.Calls, "rows", StepResult{Rows: rec.Rows}.TotalRows(), "rejects", rec.Rejects)
	return rec, runErr
}

// TotalRows is the sum of Rows over every table.
func (r StepResult) TotalRows() int64 {
	var n int64
	for _, v := range r.Rows {
		n += v
	}
	return n
}

// saveRun writes rec at the end of the run history, in place of the record
// with its run ID, if any. With starting set (the caller holds the run
// lock, so no other run is under way) every record still running is one
// whose process died: it becomes OutcomeDied. The file is rewritten
// atomically, so a reader (the pipeline_runs view) never sees a partial
// line.
func saveRun(root string, rec RunRecord, starting bool) error {
	var lines [][]byte
	err := readLines(warehouse.RunsFile(root), func(b []byte) error {
		var old RunRecord
		if err := unmarshalLine(b, &old); err != nil {
			return err
		}
		switch {
		case old.RunID == rec.RunID:
			return nil // rec replaces it, at the end: runs are recorded in start order
		case starting && old.Outcome == OutcomeRunning:
			line, err := marshalLine(died(old))
			lines = append(lines, line)
			return err
		}
		lines = append(lines, append(bytes.Clone(b), '\n'))
		return nil
	})
	if err != nil {
		return fmt.Errorf("read run history: %w", err)
	}
	line, err := marshalLine(rec)
	if err != nil {
		return fmt.Errorf("encode run record: %w", err)
	}
	lines = append(lines, line)
	return durable.WriteFileAtomic(warehouse.RunsFile(root), durable.FilePerm, func(w io.Writer) error {
		for _, l := range lines {
			if _, err := w.Write(l); err != nil {
				return err
			}
		}
		return nil
	})
}

// died is a running record whose process is gone, and so is its step
// under way.
func died(r RunRecord) RunRecord {
	r.Outcome, r.FinishedAt = OutcomeDied, r.StartedAt
	r.Error = "the process ended before recording the run's end (killed or crashed); its steps' output up to then is kept"
	r.Steps = slices.Clone(r.Steps)
	for i := range r.Steps {
		if r.Steps[i].Outcome == OutcomeRunning {
			r.Steps[i].Outcome, r.Steps[i].FinishedAt = OutcomeDied, r.Steps[i].StartedAt
			r.Error = "the process ended during " + r.Steps[i].Name + " (killed or crashed); the output of the steps before it is kept"
		}
	}
	return r
}

// Runs reads the run history, newest first. A missing history is empty. A
// record still running while no process holds the run lock is reported as
// died.
func Runs(root string) ([]RunRecord, error) {
	var runs []RunRecord
	err := readLines(warehouse.RunsFile(root), func(b []byte) error {
		var r RunRecord
		if err := unmarshalLine(b, &r); err != nil {
			return err
		}
		runs = append(runs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(runs, func(r RunRecord) bool { return r.Outcome == OutcomeRunning }) {
		_, held, err := LockHolder(root)
		if err != nil {
			return nil, err
		}
		for i := range runs {
			if !held && runs[i].Outcome == OutcomeRunning {
				runs[i] = died(runs[i])
			}
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].StartedAt.After(runs[j].StartedAt) })
	return runs, nil
}
