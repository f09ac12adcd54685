package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/urfave/cli/v2"

	"carelake/pipeline"
	"carelake/schemas/careqlog"
	"carelake/schemas/loaded"
	"carelake/schemas/wanted"
	"carelake/stages/catalog"
	"carelake/stages/extract/cqc"
	"carelake/stages/load"
	"carelake/stages/marts"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show the last runs, the CQC backfill and watermarks, pending CareQ segments and the warehouse's size",
		Description: `status reads the warehouse's state (it takes no lock and changes nothing):

  - the last runs (the pipeline_runs view) with their outcome and errors;
  - the CQC extract of each scope: backfill progress and the time still needed
    at the budget's rate (from the last extract), watermarks of the changes
    feed, items that failed and will be retried, predecessors wanted by resolve;
  - the CareQ log: sealed segments loaded and waiting;
  - the warehouse: rows and bytes per dataset, when the catalog was built,
    and the marts the last run wrote.

Examples:
  carelake status
  carelake status --format json --runs 30`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "runs", Value: 5, EnvVars: envVars("runs"), Usage: "how many of the last runs to show"},
			&cli.StringFlag{Name: "format", Value: "text", EnvVars: envVars("status-format"), Usage: "text or json"},
			careqLogFlag(),
		},
		Action: runStatus,
	}
}

// status is what `carelake status` reports; --format json prints it as is.
type status struct {
	Root string `json:"warehouse"`
	// RunningNow names the process holding the run lock (PID, command,
	// start time), empty when none does.
	RunningNow string               `json:"running_now,omitempty"`
	Runs       []pipeline.RunRecord `json:"runs"`
	Extract    extractStatus        `json:"cqc_extract"`
	CareQ      careqStatus          `json:"careq_log"`
	Catalog    *time.Time           `json:"catalog_built_at,omitempty"`
	// Datasets holds rows and bytes per dataset from the warehouse manifest.
	Datasets map[string]datasetStatus `json:"datasets"`
	// Marts is what the last run that built the marts wrote.
	Marts *marts.State `json:"marts,omitempty"`
}

type extractStatus struct {
	Scopes map[string]*cqc.ScopeState `json:"scopes"`
	// LastRun is the summary of the most recent extract (its backfill
	// estimate says how long a backfill still needs).
	LastRun      *cqc.Summary `json:"last_run,omitempty"`
	WantedIDs    int          `json:"wanted_ids"`
	WantedDetail string       `json:"wanted_file,omitempty"`
}

type careqStatus struct {
	LogDir  string `json:"log_dir"`
	Sealed  int    `json:"sealed_segments"`
	Loaded  int    `json:"loaded_segments"`
	Waiting int    `json:"waiting_segments"`
}

type datasetStatus struct {
	Partitions int   `json:"partitions"`
	Rows       int64 `json:"rows"`
	Bytes      int64 `json:"bytes"`
}

func runStatus(c *cli.Context) error {
	format := c.String("format")
	if format != "text" && format != "json" {
		return usageError("--format %q: use text or json", format)
	}
	if c.Int("runs") < 0 {
		return usageError("--runs %d: want 0 or more", c.Int("runs"))
	}
	root, err := existingWarehouse(c)
	if err != nil {
		return err
	}
	st, err := readStatus(root, c.String("careq-log"), c.Int("runs"))
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	writeStatus(c.App.Writer, st)
	return nil
}

// readStatus reads the status of the warehouse at root; empty lists and
// maps are empty, never nil (null in JSON).
func readStatus(root, careqLog string, n int) (*status, error) {
	st := &status{Root: root, Datasets: map[string]datasetStatus{}}
	holder, held, err := pipeline.LockHolder(root)
	if err != nil {
		return nil, err
	}
	if held {
		st.RunningNow = holder
	}
	runs, err := pipeline.Runs(root)
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		if st.Extract.LastRun == nil {
			st.Extract.LastRun = extractDetail(r)
		}
	}
	st.Runs = runs[:min(n, len(runs))]
	if st.Runs == nil {
		st.Runs = []pipeline.RunRecord{}
	}

	es, err := cqc.LoadState(root)
	if err != nil {
		return nil, err
	}
	st.Extract.Scopes = es.Scopes
	if st.Extract.Scopes == nil {
		st.Extract.Scopes = map[string]*cqc.ScopeState{}
	}
	want, err := wanted.Read(root)
	if err != nil {
		return nil, err
	}
	st.Extract.WantedIDs = want.Len()
	if st.Extract.WantedIDs > 0 {
		st.Extract.WantedDetail = wanted.Path(root)
	}

	if careqLog == "" {
		careqLog = careqlog.Dir(root)
	}
	sealed, err := careqlog.SealedSegments(careqLog)
	if err != nil {
		return nil, err
	}
	loaded, err := loaded.Inputs(root, careqlog.LoadedKind)
	if err != nil {
		return nil, err
	}
	st.CareQ = careqStatus{LogDir: careqLog, Sealed: len(sealed)}
	for _, s := range sealed {
		if loaded[filepath.Base(s)] {
			st.CareQ.Loaded++
		}
	}
	st.CareQ.Waiting = st.CareQ.Sealed - st.CareQ.Loaded

	if info, err := os.Stat(filepath.Join(root, catalog.FileName)); err == nil {
		t := info.ModTime().UTC()
		st.Catalog = &t
	}
	wm, err := load.ReadWarehouseManifest(root)
	if err != nil {
		return nil, err
	}
	for name, ds := range wm.Datasets {
		st.Datasets[name] = datasetStatus{Partitions: len(ds.Partitions), Rows: ds.Rows, Bytes: ds.Bytes}
	}
	ms, err := marts.LoadState(root)
	if err != nil {
		return nil, err
	}
	if ms.RunID != "" {
		st.Marts = &ms
	}
	return st, nil
}

// extractDetail recovers the extract summary a run recorded, if it had one.
func extractDetail(r pipeline.RunRecord) *cqc.Summary {
	for _, step := range r.Steps {
		if step.Name != "extract" || step.Detail == nil {
			continue
		}
		b, err := json.Marshal(step.Detail)
		if err != nil {
			return nil
		}
		var sum cqc.Summary
		if json.Unmarshal(b, &sum) != nil || sum.Outcome == "" {
			return nil
		}
		return &sum
	}
	return nil
}

func writeStatus(w io.Writer, st *status) {
	fmt.Fprintf(w, "warehouse %s\n", st.Root)
	if st.RunningNow != "" {
		fmt.Fprintf(w, "\nrunning now: %s (its run is recorded when it ends)\n", st.RunningNow)
	}
	if len(st.Runs) == 0 {
		fmt.Fprintln(w, "\nno run recorded yet: start with 'carelake run' (or 'carelake demo')")
	} else {
		fmt.Fprintln(w, "\nlast runs:")
		for _, r := range st.Runs {
			fmt.Fprintf(w, "  %s  %-8s %-9s %8s  %6d calls %8d rows %4d rejects", r.RunID, r.Command, r.Outcome,
				r.FinishedAt.Sub(r.StartedAt).Round(time.Second), r.Calls, pipeline.StepResult{Rows: r.Rows}.TotalRows(), r.Rejects)
			if r.Error != "" {
				fmt.Fprintf(w, "  %s", r.Error)
			}
			fmt.Fprintln(w)
		}
	}

	fmt.Fprintln(w, "\nCQC extract:")
	scopes := make([]string, 0, len(st.Extract.Scopes))
	for k := range st.Extract.Scopes {
		scopes = append(scopes, k)
	}
	sort.Strings(scopes)
	if len(scopes) == 0 {
		fmt.Fprintln(w, "  nothing extracted yet")
	}
	for _, k := range scopes {
		sc := st.Extract.Scopes[k]
		bf := "not started"
		switch {
		case sc.Backfill.CompletedAt != nil:
			bf = "complete since " + sc.Backfill.CompletedAt.UTC().Format(time.RFC3339)
		case sc.Backfill.StartedAt != nil:
			bf = "in progress since " + sc.Backfill.StartedAt.UTC().Format(time.RFC3339)
			if last := st.Extract.LastRun; last != nil && last.Scope == k && last.Backfill.RemainingCalls > 0 {
				bf += fmt.Sprintf(": about %d calls to go, %s at the budget's rate", last.Backfill.RemainingCalls,
					(time.Duration(last.Backfill.RemainingSeconds) * time.Second).Round(time.Minute))
			}
		}
		fmt.Fprintf(w, "  scope %s: backfill %s\n", k, bf)
		kinds := make([]string, 0, len(sc.Kinds))
		for kind := range sc.Kinds {
			kinds = append(kinds, kind)
		}
		sort.Strings(kinds)
		for _, kind := range kinds {
			ks := sc.Kinds[kind]
			wm := "none yet"
			if ks.Watermark != nil {
				wm = ks.Watermark.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "    %s changes archived up to %s; %d failed item(s) to retry\n", kind, wm, len(ks.Failed))
		}
	}
	if st.Extract.WantedIDs > 0 {
		fmt.Fprintf(w, "  %d predecessor/provider ID(s) wanted by resolve, fetched by the next extract (%s)\n",
			st.Extract.WantedIDs, st.Extract.WantedDetail)
	}

	fmt.Fprintf(w, "\nCareQ log %s: %d sealed segment(s), %d loaded, %d waiting for the next run\n",
		st.CareQ.LogDir, st.CareQ.Sealed, st.CareQ.Loaded, st.CareQ.Waiting)

	if st.Catalog == nil && len(st.Datasets) == 0 {
		fmt.Fprintln(w, "\nwarehouse: nothing loaded yet")
		return
	}
	fmt.Fprintln(w, "\nwarehouse:")
	if st.Catalog != nil {
		fmt.Fprintf(w, "  catalog built %s\n", st.Catalog.Format(time.RFC3339))
	}
	names := make([]string, 0, len(st.Datasets))
	for n := range st.Datasets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		d := st.Datasets[n]
		fmt.Fprintf(w, "  %-36s %4d partition(s) %10d rows %10s\n", n, d.Partitions, d.Rows, byteSize(d.Bytes))
	}
	if st.Marts != nil {
		fmt.Fprintf(w, "  marts built %s by run %s:\n", st.Marts.BuiltAt.Format(time.RFC3339), st.Marts.RunID)
		for _, m := range st.Marts.Marts {
			fmt.Fprintf(w, "  %-36s %4d file(s)      %10d rows %10s\n", "marts/"+m.Name, m.Files, m.Rows, byteSize(m.Bytes))
		}
	}
}
