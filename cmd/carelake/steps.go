package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/urfave/cli/v2"

	"carelake/pipeline"
	"carelake/schemas"
	"carelake/stages/catalog"
	"carelake/stages/extract/cqc"
	"carelake/stages/load"
	"carelake/stages/marts"
	"carelake/stages/normalise"
	"carelake/stages/normalise/careqnorm"
	"carelake/stages/resolve"
)

// Every command that changes the warehouse opens a session (the logger,
// the warehouse and its run lock) and runs its stages as steps of one
// recorded run (a pipeline_runs row), built by the step constructors below.
// Each constructor stores the stage's own summary where the command can
// print it.

// session is what a command holds while its steps run.
type session struct {
	c       *cli.Context
	command string
	root    string
	log     *slog.Logger
	lock    *pipeline.Lock
}

// openSession builds the logger and takes root's run lock for command.
// close releases it.
func openSession(c *cli.Context, command, root string) (*session, error) {
	log, err := newLogger(c)
	if err != nil {
		return nil, err
	}
	lock, err := pipeline.AcquireLock(root, command)
	if err != nil {
		return nil, err
	}
	return &session{c: c, command: command, root: root, log: log, lock: lock}, nil
}

// openWarehouse is openSession on the existing warehouse --out names.
func openWarehouse(c *cli.Context, command string) (*session, error) {
	root, err := existingWarehouse(c)
	if err != nil {
		return nil, err
	}
	return openSession(c, command, root)
}

func (s *session) close() { _ = s.lock.Release() } // closing the lock file cannot lose data

// run runs steps as one run of the command, recorded in the warehouse's run
// history. A step's error comes back wrapped once, with the step's name.
func (s *session) run(steps ...pipeline.Step) (pipeline.RunRecord, error) {
	r := &pipeline.Runner{Root: s.root, Command: s.command, Version: version, Logger: s.log}
	return r.Run(s.c.Context, steps)
}

// stoppedStep is the step that failed or was cancelled, or nil.
func stoppedStep(rec pipeline.RunRecord) *pipeline.StepRecord {
	for i, st := range rec.Steps {
		if st.Outcome == pipeline.OutcomeFailed || st.Outcome == pipeline.OutcomeCancelled {
			return &rec.Steps[i]
		}
	}
	return nil
}

// interrupted is the error of a run that the first Ctrl-C (or SIGTERM)
// stopped, nil for any other: exit status 130, saying which step it
// stopped, what is kept (as the command knows) and how to go on.
func interrupted(rec pipeline.RunRecord, kept string) error {
	st := stoppedStep(rec)
	if st == nil || st.Outcome != pipeline.OutcomeCancelled {
		return nil
	}
	return cli.Exit(fmt.Sprintf("interrupted during %s: %s; run the same command again to continue", st.Name, kept), exitInterrupted)
}

func extractStep(opts cqc.Options, log *slog.Logger, sum *cqc.Summary) pipeline.Step {
	return pipeline.Step{Name: "extract", Run: func(ctx context.Context, runID string) (pipeline.StepResult, error) {
		var err error
		opts.Logger = log
		*sum, err = cqc.Run(ctx, opts)
		return pipeline.StepResult{Calls: int64(sum.Calls.Total), Detail: *sum}, err
	}}
}

func normaliseCQCStep(opts normalise.Options, log *slog.Logger, sum *normalise.Summary) pipeline.Step {
	return pipeline.Step{Name: "normalise-cqc", Run: func(ctx context.Context, runID string) (pipeline.StepResult, error) {
		var err error
		opts.RunID, opts.Logger = runID, log
		*sum, err = normalise.Run(ctx, opts)
		return pipeline.StepResult{Rejects: int64(sum.RejectedBodies + sum.RejectedFields), Detail: *sum}, err
	}}
}

func normaliseCareQStep(opts careqnorm.Options, log *slog.Logger, sum *careqnorm.Summary) pipeline.Step {
	return pipeline.Step{Name: "normalise-careq", Run: func(ctx context.Context, runID string) (pipeline.StepResult, error) {
		var err error
		opts.RunID, opts.Logger = runID, log
		*sum, err = careqnorm.Run(ctx, opts)
		return pipeline.StepResult{Rejects: sum.Rejects, Detail: *sum}, err
	}}
}

func resolveStep(opts resolve.Options, log *slog.Logger, sum *resolve.Summary) pipeline.Step {
	return pipeline.Step{Name: "resolve", Run: func(ctx context.Context, runID string) (pipeline.StepResult, error) {
		var err error
		opts.RunID, opts.Logger = runID, log
		*sum, err = resolve.Run(ctx, opts)
		return pipeline.StepResult{Detail: *sum}, err
	}}
}

// loadStep loads; rows in the run record are the rows load wrote.
func loadStep(opts load.Options, log *slog.Logger, sum *load.Summary) pipeline.Step {
	return pipeline.Step{Name: "load", Run: func(ctx context.Context, runID string) (pipeline.StepResult, error) {
		var err error
		opts.RunID, opts.Logger = runID, log
		*sum, err = load.Run(ctx, opts)
		return pipeline.StepResult{Rows: loadedRows(*sum), Detail: *sum}, err
	}}
}

// martsStep builds the marts; rows in the run record are the marts' rows.
func martsStep(opts marts.Options, log *slog.Logger, sum *marts.Summary) pipeline.Step {
	return pipeline.Step{Name: "marts", Run: func(ctx context.Context, runID string) (pipeline.StepResult, error) {
		var err error
		opts.RunID, opts.Logger = runID, log
		*sum, err = marts.Run(ctx, opts)
		rows := map[string]int64{}
		for _, m := range sum.Marts {
			rows["marts/"+m.Name] = m.Rows
		}
		return pipeline.StepResult{Rows: rows, Detail: *sum}, err
	}}
}

func catalogStep(root string, log *slog.Logger) pipeline.Step {
	return pipeline.Step{Name: "catalog", Run: func(ctx context.Context, runID string) (pipeline.StepResult, error) {
		sum, err := catalog.Run(ctx, catalog.Options{Root: root, Logger: log})
		return pipeline.StepResult{Detail: sum}, err
	}}
}

// loadedRows counts the rows load brought per dataset.
func loadedRows(sum load.Summary) map[string]int64 {
	rows := map[string]int64{}
	for _, st := range sum.Stages {
		for _, pr := range st.Partitions {
			rows[pr.Table] += pr.Added
		}
	}
	return rows
}

// runPlan is what one pipeline run does; runSteps turns it into steps,
// shared by run and demo.
type runPlan struct {
	root string
	// extract is nil to skip the CQC extract (the archive is used as it is).
	extract      *cqc.Options
	snapshotDate string // empty: today (UTC)
	apiBase      string // recorded as the CQC source in the Parquet metadata
	careqLog     string // empty: <root>/raw/careq
	clinics      []schemas.Clinic
	historyDays  int  // load.Options.HistoryDays: 0 keeps every snapshot
	whole        bool // normalise.Options.Whole
}

// runSteps lists the steps of a full run: extract, normalise (CQC and
// CareQ), resolve, load, marts, catalog. Each stage's summary is kept as
// its step's detail in the run record.
func runSteps(p runPlan, log *slog.Logger) []pipeline.Step {
	var steps []pipeline.Step
	if p.extract != nil {
		steps = append(steps, extractStep(*p.extract, log, new(cqc.Summary)))
	}
	return append(steps,
		normaliseCQCStep(normalise.Options{Root: p.root, SnapshotDate: p.snapshotDate, APIBase: p.apiBase, Whole: p.whole}, log, new(normalise.Summary)),
		normaliseCareQStep(careqnorm.Options{Root: p.root, LogDir: p.careqLog}, log, new(careqnorm.Summary)),
		resolveStep(resolve.Options{Root: p.root, Clinics: p.clinics}, log, new(resolve.Summary)),
		loadStep(load.Options{Root: p.root, Version: version, Build: commit, RemoveLoaded: true, HistoryDays: p.historyDays}, log, new(load.Summary)),
		martsStep(marts.Options{Root: p.root, Version: version, Build: commit}, log, new(marts.Summary)),
		catalogStep(p.root, log),
	)
}
