package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"carelake/pipeline"
	"carelake/stages/catalog"
	"carelake/stages/load"
	"carelake/stages/marts"
)

func loadCommand() *cli.Command {
	return &cli.Command{
		Name:  "load",
		Usage: "write the staged tables as hive-partitioned Parquet, then rebuild the marts and the DuckDB catalog",
		Description: `load writes what normalise and resolve staged (<out>/staging/<stage>) into the
warehouse as Parquet, one directory per partition:

  <out>/cqc/<table>/snapshot_date=YYYY-MM-DD/part-<load>-00000.parquet

Each partition is written aside, fsynced and swapped in whole, so readers see
the previous partition or the new one, never a part; loading the same date
again replaces that day. A stage output already loaded is skipped (the state
is in <out>/state/load.json) unless --force. Once loaded, a stage output is
removed from staging, unless a later stage has still to read it (normalise's
CQC output stays until resolve has staged its own from it): --force loads
again only what is still staged. <out>/manifest.json lists every
dataset, partition and file. A load stopped by a crash or kill is completed
by the next one.

Then the marts are rebuilt (see 'carelake marts --help') and the catalog
<out>/carelake.duckdb is rebuilt into a new file and renamed over the old one
(a reader holding the old one keeps it), with the same views for your own
DuckDB session in <out>/sql/carelake.sql.

With --history-days N, the CQC history older than N days before the newest
snapshot is deleted after the night is stored (off by default; see the flag).

Examples:
  carelake load
  carelake load --stages resolve-cqc --force
  carelake load --history-days 365`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{
				Name: "stages", EnvVars: envVars("stages"), DefaultText: "every staged output",
				Usage: "stage outputs to load, comma-separated (normalise-cqc,resolve-cqc)",
			},
			&cli.BoolFlag{
				Name: "force", EnvVars: envVars("force"),
				Usage: "load stage outputs again even if they were already loaded (those still staged)",
			},
			historyDaysFlag(),
		},
		Action: runLoad,
	}
}

func runLoad(c *cli.Context) error {
	s, err := openWarehouse(c, "load")
	if err != nil {
		return err
	}
	defer s.close()
	root, log := s.root, s.log

	days, err := historyDays(c)
	if err != nil {
		return err
	}
	out := c.App.Writer
	opts := load.Options{
		Root: root, Stages: c.StringSlice("stages"), Force: c.Bool("force"), RemoveLoaded: true, Version: version, Build: commit,
		HistoryDays: days,
		OnPartition: func(p load.PartitionResult) {
			switch {
			case p.Unchanged:
				fmt.Fprintf(out, "unchanged %-57s every staged input is already in it\n", p.Path)
			case p.Added != p.Rows: // a merge: new rows joined the partition's own
				fmt.Fprintf(out, "merged %-60s %10d rows (%d in partition) %3d file(s) %10s  %s\n", p.Path, p.Added, p.Rows,
					len(p.Files), byteSize(p.Bytes), p.Duration.Round(time.Millisecond))
			default:
				fmt.Fprintf(out, "loaded %-60s %10d rows %3d file(s) %10s  %s\n", p.Path, p.Rows, len(p.Files),
					byteSize(p.Bytes), p.Duration.Round(time.Millisecond))
			}
		},
	}
	var sum load.Summary
	rec, err := s.run(loadStep(opts, log, &sum),
		martsStep(marts.Options{Root: root, Version: version, Build: commit}, log, new(marts.Summary)), catalogStep(root, log))
	loaded := rec.Steps[0].Outcome == pipeline.OutcomeSucceeded
	if loaded {
		writeLoadSummary(out, sum)
	}
	if ierr := interrupted(rec, "every partition swapped in so far is kept"); ierr != nil {
		return ierr
	}
	if err != nil && loaded {
		return fmt.Errorf("the Parquet is in place but the marts or the catalog were not rebuilt (run 'carelake marts'): %w", err)
	}
	if err != nil {
		return err // load's errors name the stage and partition
	}
	path, _ := filepath.Abs(filepath.Join(root, catalog.FileName))
	fmt.Fprintf(out, "catalog %s rebuilt; query it with:\n  carelake sql --out %s \"SELECT * FROM cqc_locations LIMIT 10\"\n", path, root)
	return nil
}

func writeLoadSummary(w io.Writer, sum load.Summary) {
	if sum.Folded > 0 {
		fmt.Fprintf(w, "folded %d partition(s) of the former layout (CareQ by day) into the current one (by month)\n", sum.Folded)
	}
	if sum.Migrated > 0 {
		fmt.Fprintf(w, "stored %d whole-snapshot CQC partition(s) by change (docs/architecture.md, \"CQC history by change\")\n", sum.Migrated)
	}
	if sum.Compacted > 0 {
		fmt.Fprintf(w, "compacted %d nightly CQC partition(s) of closed months into month partitions\n", sum.Compacted)
	}
	writeRetention(w, sum.Retention)
	for _, st := range sum.Stages {
		if st.Skipped {
			fmt.Fprintf(w, "skipped %s (run %s): already loaded; --force loads it again\n", st.Stage, st.RunID)
		}
	}
	if len(sum.Removed) > 0 {
		fmt.Fprintf(w, "removed from staging, loaded: %s\n", strings.Join(sum.Removed, ", "))
	}
	if len(sum.Stages) == 0 {
		fmt.Fprintln(w, "nothing staged: every stage output was loaded, then removed from staging (run 'carelake normalise' for a new snapshot)")
	}
	fmt.Fprintf(w, "load: %d partition(s), %d file(s), %d rows, %s in %s\n",
		sum.Loaded(), sum.Files, sum.Rows, byteSize(sum.Bytes), sum.Duration.Round(time.Millisecond))
}

// historyDaysFlag is --history-days, of load and run.
func historyDaysFlag() cli.Flag {
	return &cli.IntFlag{
		Name: "history-days", EnvVars: envVars("history-days"), DefaultText: "0, off: every snapshot is kept",
		Usage: "keep only the CQC history of the last N days before the newest snapshot: each load DELETES the older " +
			"snapshots for good, with the versions and rows only they need (docs/architecture.md, \"CQC history by change\")",
	}
}

// historyDays reads --history-days.
func historyDays(c *cli.Context) (int, error) {
	n := c.Int("history-days")
	if n < 0 {
		return 0, usageError("--history-days %d: give a number of days, or 0 to keep every snapshot", n)
	}
	return n, nil
}

// writeRetention prints what --history-days dropped, if anything.
func writeRetention(w io.Writer, r load.Retention) {
	if line := r.String(); line != "" {
		fmt.Fprintf(w, "history retention dropped %s\n", line)
	}
}

// byteSize prints a size in B, KB, MB or GB (powers of 1024).
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 2; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMG"[exp])
}
