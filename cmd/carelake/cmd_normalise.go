package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"carelake/pipeline"
	"carelake/stages/normalise"
	"carelake/stages/normalise/careqnorm"
)

func normaliseCommand() *cli.Command {
	return &cli.Command{
		Name:  "normalise",
		Usage: "turn the raw CQC archive and the CareQ log into typed tables (staged for load)",
		Description: `normalise reads the raw CQC archive (<out>/raw/cqc, written by extract; never the
API) and stages one typed table per entity and child list for load:

  <out>/staging/normalise-cqc/cqc/<table>/snapshot_date=YYYY-MM-DD/

It also reads the sealed segments of the CareQ receiver's log (--careq-log,
written by 'carelake serve') that are not loaded yet, and stages the CareQ
tables: every logged call, and every change applied to patients, doctors,
services and appointments (already pseudonymised by the receiver):

  <out>/staging/normalise-careq/careq/<table>/clinic_id=<id>/event_month=YYYY-MM/

For every location and provider it uses the latest good response (HTTP 200,
complete JSON, not a soft 429). A later 404 keeps the row and sets api_gone_at.
A location that left a filtered scope (extract lists it in
<out>/state/cqc-left-scope.json) keeps the row of its last body inside the
filters, with left_scope_at set.
A body that does not fit the schema goes to the rejects table with the reason
and a pointer into the archive, and the run goes on. The staged output is
replaced as a whole, only when the run succeeds.

Once the warehouse holds a snapshot, only the organisations whose archived body
(or 404, or departure from a filtered scope) changed since it are staged; load
keeps the others as they were, so the snapshot is the same as a whole one.
--whole stages every organisation (as the first run does, and a run of a
release that normalises differently, of an archive with report documents, or
after a load killed with some tables stored and others not).

Next: 'carelake resolve', then 'carelake load'.

Examples:
  carelake normalise
  carelake normalise --snapshot-date 2026-11-21`,
		Flags: []cli.Flag{
			snapshotDateFlag(),
			&cli.StringFlag{
				Name: "cqc-base-url", Value: normalise.DefaultAPIBase, EnvVars: envVars("cqc-base-url"),
				Usage: "CQC API the archive was fetched from, recorded as the source in the Parquet metadata",
			},
			careqLogFlag(),
			wholeFlag(),
		},
		Action: runNormalise,
	}
}

func runNormalise(c *cli.Context) error {
	date, err := snapshotDate(c)
	if err != nil {
		return err
	}
	s, err := openWarehouse(c, "normalise")
	if err != nil {
		return err
	}
	defer s.close()
	root, log := s.root, s.log

	var (
		sum  normalise.Summary
		csum careqnorm.Summary
	)
	rec, err := s.run(
		normaliseCQCStep(normalise.Options{Root: root, SnapshotDate: date, APIBase: c.String("cqc-base-url"), Whole: c.Bool("whole")}, log, &sum),
		normaliseCareQStep(careqnorm.Options{Root: root, LogDir: c.String("careq-log")}, log, &csum))
	if rec.Steps[0].Outcome == pipeline.OutcomeSucceeded {
		writeNormaliseSummary(c.App.Writer, sum)
	}
	if ierr := interrupted(rec, "a step replaces its staged output only when it finishes, so nothing half-done is kept"); ierr != nil {
		return ierr
	}
	if err != nil {
		return err
	}
	writeCareQSummary(c.App.Writer, csum)
	fmt.Fprintln(c.App.Writer, "next: carelake resolve")
	return nil
}

// wholeFlag makes normalise stage every organisation (normalise.Options.Whole).
func wholeFlag() cli.Flag {
	return &cli.BoolFlag{
		Name: "whole", EnvVars: envVars("whole"),
		Usage: "stage every organisation, not only those whose archived body changed since the warehouse's latest " +
			"snapshot (the snapshots come out the same either way; this takes longer)",
	}
}

func snapshotDateFlag() cli.Flag {
	return &cli.StringFlag{
		Name: "snapshot-date", EnvVars: envVars("snapshot-date"), DefaultText: "today in UTC",
		Usage: "date (YYYY-MM-DD) naming the CQC snapshot partition",
	}
}

// snapshotDate reads --snapshot-date ("" means today).
func snapshotDate(c *cli.Context) (string, error) {
	date := c.String("snapshot-date")
	if date != "" {
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			return "", usageError("--snapshot-date %q: use YYYY-MM-DD, e.g. 2026-11-21", date)
		}
	}
	return date, nil
}

// careqLogFlag names the CareQ receiver's log directory (serve's --log-dir).
func careqLogFlag() cli.Flag {
	return &cli.StringFlag{
		Name: "careq-log", EnvVars: envVars("careq-log"), DefaultText: "<out>/raw/careq",
		Usage: "CareQ receiver log directory (serve's --log-dir) whose sealed segments are loaded",
	}
}

func writeCareQSummary(w io.Writer, sum careqnorm.Summary) {
	fmt.Fprintf(w, "normalise careq: %d logged call(s) from %d new log segment(s) (%d already loaded)\n",
		sum.Calls, sum.Segments, sum.Skipped)
	if sum.Rejects > 0 {
		fmt.Fprintf(w, "  rejects: %d records (see the careq_rejects view after load)\n", sum.Rejects)
	}
	writeRows(w, sum.Rows)
}

func writeNormaliseSummary(w io.Writer, sum normalise.Summary) {
	fmt.Fprintf(w, "normalise %s: snapshot %s from %d archived responses in %d segment(s), %s\n",
		sum.RunID, sum.SnapshotDate, sum.Records, sum.Segments, sum.Duration.Round(time.Millisecond))
	fmt.Fprintf(w, "  %d locations, %d providers; %d gone from the API (api_gone_at set); %d left the filtered scope (left_scope_at set); %d IDs without a good response\n",
		sum.Locations, sum.Providers, sum.Gone, sum.LeftScope, sum.Unusable)
	if sum.Partial {
		fmt.Fprintf(w, "  only what changed is staged: %d organisations are as in the warehouse's latest snapshot (--whole stages them too)\n", sum.Unchanged)
	}
	if sum.RejectedBodies+sum.RejectedFields > 0 {
		fmt.Fprintf(w, "  rejects: %d bodies, %d single values (see the cqc_rejects view after load)\n", sum.RejectedBodies, sum.RejectedFields)
	}
	writeRows(w, sum.Rows)
}

// writeRows prints rows per staged table, in name order.
func writeRows(w io.Writer, rows map[string]int64) {
	tables := make([]string, 0, len(rows))
	for t := range rows {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	for _, t := range tables {
		fmt.Fprintf(w, "  %-36s %10d rows\n", t, rows[t])
	}
}
