package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"carelake/stages/catalog"
)

func sqlCommand() *cli.Command {
	return &cli.Command{
		Name:      "sql",
		Usage:     "run a query on the catalog (carelake.duckdb) and print the result as a table, CSV or JSON",
		ArgsUsage: "QUERY",
		Description: `sql runs one query (or several statements; the last one's result is printed)
on <out>/carelake.duckdb, for people without the DuckDB CLI and for scripts.
The catalog file is opened read-only, so its views cannot be changed, but a
query can still read and write other files (COPY ... TO 'file.csv' writes
one), as in any DuckDB session.

Give the query as one quoted argument after the flags, or "-" to read it
from standard input. A query may start with a "-- comment" line.

  --format table  aligned columns for a terminal (NULL shows as NULL)
  --format csv    a header row, then one line per row; NULL is an empty field
  --format json   an array of objects, keys in column order; NULL is null

Booleans print as true/false, dates and timestamps in ISO 8601 (UTC for
timestamps with a time zone), decimals exactly.

Examples:
  carelake sql "SELECT region, count(*) FROM cqc_locations GROUP BY ALL"
  carelake sql --format csv "SELECT * FROM clinic_locations" > clinics.csv
  carelake sql --format json - < sql/examples/location_lineage.sql`,
		Flags: []cli.Flag{
			&cli.StringFlag{
				Name: "format", Value: string(catalog.FormatTable), EnvVars: envVars("sql-format"),
				Usage: "output format: table (for a terminal), csv (header row) or json (array of objects)",
			},
		},
		Action: runSQL,
	}
}

func runSQL(c *cli.Context) error {
	format, err := catalog.ParseFormat(c.String("format"))
	if err != nil {
		return usageError("--format: %v", err)
	}
	var query string
	switch c.NArg() {
	case 0:
		return usageError(`give the query as one argument: carelake sql "SELECT * FROM cqc_locations LIMIT 10"`)
	case 1:
		query = c.Args().First()
	default:
		return usageError("%d arguments: quote the query as one argument and put flags before it", c.NArg())
	}
	if query == "-" {
		b, err := io.ReadAll(c.App.Reader)
		if err != nil {
			return fmt.Errorf("sql: read the query from standard input: %w", err)
		}
		query = string(b)
	}
	if strings.TrimSpace(query) == "" {
		return usageError("the query is empty")
	}
	root := outDir(c)
	path := filepath.Join(root, catalog.FileName)
	if info, err := os.Stat(path); err != nil || !info.Mode().IsRegular() {
		return fmt.Errorf("no catalog at %s: run 'carelake run' or 'carelake load' first, or give the right --out", path)
	}
	if _, err := catalog.Query(c.Context, root, query, format, c.App.Writer); err != nil {
		return fmt.Errorf("sql: %w", err)
	}
	return nil
}
