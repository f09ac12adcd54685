package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"carelake/pipeline"
	"carelake/schemas"
	"carelake/stages/catalog"
	"carelake/stages/extract/cqc"
	"carelake/stages/load"
)

func runCommand() *cli.Command {
	flags := append(cqcClientFlags(), extractFlags()...)
	flags = append(flags,
		&cli.BoolFlag{
			Name: "extract", Value: true, EnvVars: envVars("extract"),
			Usage: "call the CQC API first; --extract=false builds from the archive as it is (no API key needed)",
		},
		snapshotDateFlag(),
		careqLogFlag(),
		historyDaysFlag(),
		wholeFlag(),
	)
	return &cli.Command{
		Name:  "run",
		Usage: "the nightly job: extract, normalise, resolve, load, rebuild the marts and the catalog, under the run lock",
		Description: `run does every stage in order on the warehouse at --out, under its run lock (a
second run at the same time exits at once), and records the run in
<out>/state/runs.jsonl (the pipeline_runs view):

  1. extract          CQC API -> raw/cqc (see 'carelake extract --help' for modes,
                      scope, budget; the key comes from CQC_API_KEY)
  2. normalise-cqc    raw/cqc -> typed CQC tables, snapshot_date = today (UTC): the
                      organisations whose body changed since the latest snapshot
                      (--whole: every one)
  3. normalise-careq  sealed CareQ log segments not loaded yet -> CareQ tables
  4. resolve          lineage, inherited ratings' sources, --clinics mapping
  5. load             Parquet under cqc/ and careq/, partitions swapped atomically
  6. marts            the contract views' answers as Parquet under marts/ (BI tools
                      read these), all swapped in together
  7. catalog          carelake.duckdb rebuilt aside and renamed into place

A failed step stops the run with a non-zero exit; the steps before it keep
their durable output, so the next run (or the single stage command) goes on
from there. --summary-json writes the run record as JSON. Ctrl-C stops the
run cleanly (exit status 130): run it again to continue.

--history-days N deletes, for good, the CQC snapshots older than N days before
the newest one at each run (off by default).

Examples:
  CQC_API_KEY=... carelake run --scope clinics --clinics clinics.csv
  CQC_API_KEY=... carelake run --budget 2h        # a national backfill, two hours a night
  carelake run --extract=false --clinics clinics.csv`,
		Flags:  flags,
		Action: runRun,
	}
}

func runRun(c *cli.Context) error {
	date, err := snapshotDate(c)
	if err != nil {
		return err
	}
	days, err := historyDays(c)
	if err != nil {
		return err
	}
	plan := runPlan{root: outDir(c), snapshotDate: date, apiBase: c.String("cqc-base-url"), careqLog: c.String("careq-log"),
		historyDays: days, whole: c.Bool("whole")}
	if path := c.String("clinics"); path != "" {
		if plan.clinics, err = schemas.ReadClinicsFile(path); err != nil {
			return usageError("--clinics: %v", err)
		}
	}
	if c.Bool("extract") {
		opts, err := extractOptions(c)
		if err != nil {
			return err
		}
		if opts.Scope != cqc.ScopeClinics {
			opts.ClinicsFile = "" // here --clinics is resolve's mapping; extract needs it only for --scope clinics
		}
		if err := opts.Validate(); err != nil {
			return usageError("%v (or --extract=false to build from the archive as it is)", err)
		}
		plan.extract = &opts
	}
	s, err := openSession(c, "run", plan.root)
	if err != nil {
		return err
	}
	defer s.close()

	rec, err := s.run(runSteps(plan, s.log)...)
	writeRunSummary(summaryWriter(c), plan.root, rec)
	if werr := writeSummaryJSON(c, rec); werr != nil && err == nil {
		err = werr
	}
	if ierr := interrupted(rec, "the steps before it are kept, and so is everything extract archived"); ierr != nil {
		return ierr
	}
	if err != nil {
		return fmt.Errorf("run %s failed at %w; the steps before it are kept: fix the cause and run again", rec.RunID, err)
	}
	return nil
}

// writeRunSummary prints what each step did and how to query the result.
func writeRunSummary(w io.Writer, root string, rec pipeline.RunRecord) {
	fmt.Fprintf(w, "run %s: %s in %s\n", rec.RunID, rec.Outcome, rec.FinishedAt.Sub(rec.StartedAt).Round(time.Millisecond))
	for _, st := range rec.Steps {
		line := fmt.Sprintf("  %-16s %-9s %8s", st.Name, st.Outcome, st.FinishedAt.Sub(st.StartedAt).Round(time.Millisecond))
		if st.Calls > 0 {
			line += fmt.Sprintf("  %d API calls", st.Calls)
		}
		if n := st.TotalRows(); n > 0 {
			line += fmt.Sprintf("  %d rows", n)
		}
		if st.Rejects > 0 {
			line += fmt.Sprintf("  %d rejects", st.Rejects)
		}
		if st.Error != "" {
			line += "  " + st.Error
		}
		fmt.Fprintln(w, line)
		if sum, ok := st.Detail.(cqc.Summary); ok && sum.Outcome != "" {
			sum.WriteText(indent{w})
		}
		if sum, ok := st.Detail.(load.Summary); ok {
			writeRetention(indent{w}, sum.Retention)
		}
	}
	if rec.Outcome == pipeline.OutcomeSucceeded {
		abs, _ := filepath.Abs(filepath.Join(root, catalog.FileName))
		fmt.Fprintf(w, "catalog: %s\nquery it: carelake sql --out %s \"SELECT * FROM clinic_appointment_ratings LIMIT 10\"\n", abs, root)
		if note := partialNote(root); note != "" {
			fmt.Fprintln(w, note)
		}
	}
}

// partialNote warns, while a CQC backfill is still under way, that the
// warehouse holds only the part of the register extracted so far.
func partialNote(root string) string {
	es, err := cqc.LoadState(root)
	if err != nil {
		return ""
	}
	var open []string
	for name, sc := range es.Scopes {
		if sc.Backfill.StartedAt != nil && sc.Backfill.CompletedAt == nil {
			open = append(open, name)
		}
	}
	if len(open) == 0 {
		return ""
	}
	slices.Sort(open)
	return fmt.Sprintf("note: the CQC backfill (scope %s) is not complete: the warehouse holds only the part of the register "+
		"extracted so far; later runs extract the rest (see carelake status)", strings.Join(open, ", "))
}

// indent prefixes every line written through it with four spaces.
type indent struct{ w io.Writer }

func (i indent) Write(p []byte) (int, error) {
	s := strings.TrimSuffix(string(p), "\n")
	if _, err := io.WriteString(i.w, "    "+strings.ReplaceAll(s, "\n", "\n    ")+"\n"); err != nil {
		return 0, err
	}
	return len(p), nil
}
