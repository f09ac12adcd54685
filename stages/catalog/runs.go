package catalog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"carelake/pipeline"
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

// runsViewSQL creates pipeline_runs: one row per carelake run (times, API
// calls, rows per table, rejects, outcome and the steps as JSON), newest
// first, over the run history the runner keeps (pipeline.RunsFile); an
// empty relation of the same columns before the first run.
func runsViewSQL(l layout) (string, error) {
	rel := filepath.ToSlash(strings.TrimPrefix(pipeline.RunsFile(""), string(filepath.Separator)))
	path := rel
	if l.absolute {
		path = filepath.Join(l.root, filepath.FromSlash(rel))
	}
	var from string
	_, err := os.Stat(filepath.Join(l.root, filepath.FromSlash(rel)))
	switch {
	case !l.resolve || err == nil:
		cols := make([]string, len(runsColumns))
		for i, c := range runsColumns {
			cols[i] = fmt.Sprintf("%s: %s", c.name, quote(c.typ))
		}
		from = fmt.Sprintf("read_json(%s, format = 'newline_delimited', columns = {%s})", quote(path), strings.Join(cols, ", "))
	case errors.Is(err, os.ErrNotExist):
		cols := make([]string, len(runsColumns))
		for i, c := range runsColumns {
			cols[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", c.typ, c.name)
		}
		from = "(SELECT " + strings.Join(cols, ", ") + " WHERE false)"
	default:
		return "", fmt.Errorf("catalog: %w", err)
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
`, from), nil
}
