package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"carelake/schemas"
	"carelake/schemas/wanted"
	"carelake/stages/resolve"
)

func resolveCommand() *cli.Command {
	return &cli.Command{
		Name:  "resolve",
		Usage: "work out re-registration lineage, inherited rating sources and each clinic's current CQC location",
		Description: `resolve reads what normalise staged and stages, for the same snapshot:

  location_lineage   every location with its predecessors (depth) and its current location
  rating_sources     for each inherited rating, the predecessor and report it comes from
  clinic_locations   each clinic of --clinics with its current CQC location

When normalise staged only what changed and the register resolve saved the
night before (<out>/state/cqc-resolve-register) is the warehouse's latest, it
resolves again only the locations the changes can reach and stages those;
otherwise it reads the whole register.

Cycles in the CQC relationships are flagged and never followed. Locations and
providers it needs but the archive lacks are listed in <out>/state/cqc-wanted.json;
the next 'carelake extract' fetches them.

The clinic mapping is CSV with the header clinic_id,cqc_location_id,name.

Next: 'carelake load'.

Examples:
  carelake resolve --clinics clinics.csv`,
		Flags: []cli.Flag{
			&cli.StringFlag{
				Name: "clinics", EnvVars: envVars("clinics"),
				Usage: "clinic mapping CSV (clinic_id,cqc_location_id,name); without it clinic_locations is empty",
			},
		},
		Action: runResolve,
	}
}

func runResolve(c *cli.Context) error {
	var clinics []schemas.Clinic
	if path := c.String("clinics"); path != "" {
		var err error
		if clinics, err = schemas.ReadClinicsFile(path); err != nil {
			return usageError("--clinics: %v", err)
		}
	}
	s, err := openWarehouse(c, "resolve")
	if err != nil {
		return err
	}
	defer s.close()
	root, log := s.root, s.log

	var sum resolve.Summary
	rec, err := s.run(resolveStep(resolve.Options{Root: root, Clinics: clinics}, log, &sum))
	if ierr := interrupted(rec, "resolve replaces its staged output only when it finishes, so nothing half-done is kept"); ierr != nil {
		return ierr
	}
	if err != nil {
		return err
	}
	writeResolveSummary(c.App.Writer, sum)
	return nil
}

func writeResolveSummary(w io.Writer, sum resolve.Summary) {
	fmt.Fprintf(w, "resolve %s: snapshot %s (normalise run %s), %s\n", sum.RunID, sum.SnapshotDate, sum.InputRunID, sum.Duration.Round(time.Millisecond))
	if sum.Partial {
		fmt.Fprintln(w, "  only what the night's changes reach was resolved again; every other location is as in the latest snapshot:")
	}
	fmt.Fprintf(w, "  %d locations in the lineage (%d archived), %d on a cycle; %d of %d inherited ratings traced to their report\n",
		sum.Locations, sum.Archived, sum.InCycle, sum.Resolved, sum.Inherited)
	if len(sum.Clinics) > 0 {
		statuses := make([]string, 0, len(sum.Clinics))
		for s, n := range sum.Clinics {
			statuses = append(statuses, fmt.Sprintf("%s %d", s, n))
		}
		slices.Sort(statuses)
		fmt.Fprintf(w, "  clinics: %s\n", strings.Join(statuses, ", "))
	}
	writeRows(w, sum.Rows)
	if n := len(sum.WantedLocations) + len(sum.WantedProviders); n > 0 {
		fmt.Fprintf(w, "  wanted by the next extract: %d locations, %d providers (%s)\n", len(sum.WantedLocations),
			len(sum.WantedProviders), filepath.Join("state", wanted.Name))
	}
	fmt.Fprintln(w, "next: carelake load")
}
