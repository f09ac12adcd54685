package catalog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"carelake/schemas/warehouse"
)

// runsColumns are the columns of the run history as pipeline_runs reads
// them (pipeline.RunRecord, one JSON object per line).
var runsColumns = []struct{ name, typ string }{
	{"run_id", "VARCHAR"},
	{"command", "VARCHAR"},
	{"version", "VARCHAR"},
	{"started_at", "TIMESTAMP WITH TIME ZONE"},
	{"finished_at", "TIMESTAMP WITH TIME ZONE"},
	{"outcome", "VARCHAR"},
	{"error", "VARCHAR"},
	{"calls", "BIGINT"},
	{"rows", "MAP(VARCHAR, BIGINT)"},
	{"rejects", "BIGINT"},
	{"steps", "JSON"},
}

// runsViewColumns are the columns of pipeline_runs, in order, with their
// DuckDB types and docs (its COMMENTs and the data dictionary).
var runsViewColumns = []struct{ name, typ, doc string }{
	{"run_id", "VARCHAR", "the run's ID (its start time, UTC); every Parquet file records the run that wrote it as carelake.run_id"},
	{"command", "VARCHAR", "the carelake command of the run (run, demo, load, marts, ...)"},
	{"version", "VARCHAR", "the carelake version that ran"},
	{"started_at", "TIMESTAMP WITH TIME ZONE", "when the run started (UTC)"},
	{"finished_at", "TIMESTAMP WITH TIME ZONE", "when it ended (UTC); equal to started_at for a run that died"},
	{"duration_seconds", "DOUBLE", "finished_at - started_at, in seconds"},
	{"outcome", "VARCHAR", "succeeded, failed, cancelled, running (under way, or killed until the next run records it as died) or died"},
	{"error", "VARCHAR", "why it failed, was cancelled or died; NULL when it succeeded"},
	{"calls", "BIGINT", "CQC API calls the run spent"},
	{"rejects", "BIGINT", "records that could not be used and went to the rejects tables"},
	{"rows_total", "BIGINT", "rows written, over every table"},
	{"rows", "MAP(VARCHAR, BIGINT)", "rows written per table (dataset name -> rows)"},
	{"steps", "JSON", "each step's record as JSON: name, started_at, finished_at, outcome, error, calls, rows, rejects, detail"},
}

// runsViewSQL creates pipeline_runs: one row per carelake run (times, API
// calls, rows per table, rejects, outcome and the steps as JSON), newest
// first, over the run history the runner keeps (pipeline.RunsFile); an
// empty relation of the same columns before the first run.
func runsViewSQL(src source) (string, error) {
	rel := filepath.ToSlash(strings.TrimPrefix(warehouse.RunsFile(""), string(filepath.Separator)))
	var from string
	_, err := os.Stat(filepath.Join(src.root, filepath.FromSlash(rel)))
	switch {
	case src.root == "" || err == nil:
		cols := make([]string, len(runsColumns))
		for i, c := range runsColumns {
			cols[i] = fmt.Sprintf("%s: %s", c.name, warehouse.Quote(c.typ))
		}
		from = fmt.Sprintf("read_json(%s, format = 'newline_delimited', columns = {%s})", warehouse.Quote(rel), strings.Join(cols, ", "))
	case errors.Is(err, os.ErrNotExist):
		cols := make([]string, len(runsColumns))
		for i, c := range runsColumns {
			cols[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", c.typ, c.name)
		}
		from = "(SELECT " + strings.Join(cols, ", ") + " WHERE false)"
	default:
		return "", err
	}
	var comments strings.Builder
	comments.WriteString("COMMENT ON VIEW pipeline_runs IS 'One row per carelake run, newest first: times, API calls, rows, rejects, outcome and each step.';\n")
	for _, c := range runsViewColumns {
		fmt.Fprintf(&comments, "COMMENT ON COLUMN pipeline_runs.%s IS %s;\n", c.name, warehouse.Quote(c.doc))
	}
	return fmt.Sprintf(`
-- One row per carelake run, newest first: times, API calls, rows per table,
-- rejects and outcome; steps holds each step's record as JSON. A run is
-- recorded when it starts (outcome running) and again when it ends; one
-- killed before its end stays running until the next run records it as
-- died ('carelake status' says so at once).
CREATE OR REPLACE VIEW pipeline_runs AS
SELECT run_id, command, version, started_at, finished_at,
       (epoch_ms(finished_at) - epoch_ms(started_at)) / 1000.0 AS duration_seconds,
       outcome, error, calls, rejects, coalesce(list_sum(map_values(rows)), 0) AS rows_total, rows, steps
FROM %s
ORDER BY started_at DESC;
%s`, from, comments.String()), nil
}
