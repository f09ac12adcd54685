package main

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"carelake/stages/catalog"
	"carelake/stages/marts"
)

func martsCommand() *cli.Command {
	return &cli.Command{
		Name:  "marts",
		Usage: "materialise the contract views as Parquet for BI tools, then rebuild the DuckDB catalog",
		Description: `marts runs every contract view whose answer needs a join or a resolve rule
(cqc_locations, cqc_location_ratings, cqc_location_rating_history,
clinic_locations, careq_patients, careq_doctors, careq_services,
careq_appointments, clinic_appointment_ratings) over the loaded Parquet, and
the latest snapshot of every other CQC table (cqc_providers, cqc_reports,
cqc_location_lineage, ...: a complete current copy), and writes its rows under

  <out>/marts/<view>/part-<run>-00000.parquet
  <out>/marts/clinic_appointment_ratings/clinic_id=<id>/part-<run>-0.parquet

so a BI tool reading files (Power BI, Tableau, Superset, Spark, Trino) sees
the same rows as DuckDB. The queries are those of sql/views.sql. Every mart is
written aside and swapped in only when all are done, so readers see the
previous marts or the new ones; a failed run leaves them as they were. Then the
catalog is rebuilt: each of those views in carelake.duckdb reads its mart.

'carelake run' and 'carelake load' do this after loading; run it alone after
changing nothing but the views, or to rebuild the marts of a warehouse.

Examples:
  carelake marts --out warehouse`,
		Flags: []cli.Flag{
			&cli.StringFlag{
				Name: "memory-limit", Value: marts.DefaultMemoryLimit, EnvVars: envVars("memory-limit"),
				Usage: "DuckDB's memory cap while building the marts (e.g. 512MB, 2GB); beyond it DuckDB spills to <out>/.marts-tmp",
			},
		},
		Action: runMarts,
	}
}

func runMarts(c *cli.Context) error {
	s, err := openWarehouse(c, "marts")
	if err != nil {
		return err
	}
	defer s.close()
	root, log := s.root, s.log

	var sum marts.Summary
	opts := marts.Options{Root: root, Version: version, Build: commit, MemoryLimit: c.String("memory-limit")}
	rec, err := s.run(martsStep(opts, log, &sum), catalogStep(root, log))
	if ierr := interrupted(rec, "the marts are swapped in only when all are written, so they are as they were"); ierr != nil {
		return ierr
	}
	if err != nil {
		return err
	}
	out := c.App.Writer
	writeMartsSummary(out, sum)
	path, _ := filepath.Abs(filepath.Join(root, catalog.FileName))
	fmt.Fprintf(out, "catalog %s rebuilt; query it with:\n  carelake sql --out %s \"SELECT * FROM clinic_appointment_ratings LIMIT 10\"\n", path, root)
	return nil
}

func writeMartsSummary(w io.Writer, sum marts.Summary) {
	for _, m := range sum.Marts {
		parts := ""
		if m.Partitions > 0 {
			parts = fmt.Sprintf(" in %d partitions", m.Partitions)
		}
		fmt.Fprintf(w, "mart %-28s %10d rows %4d file(s)%s %10s  %s\n", m.Name, m.Rows, m.Files, parts, byteSize(m.Bytes), m.Duration.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "marts: %d, %d rows, %d file(s), %s in %s\n", len(sum.Marts), sum.Rows, sum.Files, byteSize(sum.Bytes), sum.Duration.Round(time.Millisecond))
}
