// Package resolve works out what the CQC register says only across records:
// re-registration lineage, where inherited ratings come from, and which
// current location each clinic is at. It reads the committed normalise
// output and stages "resolve-cqc" for load.
//
// Contract:
//
//   - Input: staging.Open(root, "normalise-cqc") (ErrNotStaged when normalise
//     has not run); when it is a partial snapshot (warehouse.MetaPartialSnapshot),
//     the warehouse's latest snapshot before its date holds the organisations
//     it does not (read.go). The output uses the input's snapshot date and
//     records its run ID as input "normalise-cqc"; the input's source and
//     licence metadata are carried over. It does not depend on the order the
//     input's rows come in.
//   - The output is whole, or, for a partial input when the register saved
//     by the run before (state/cqc-resolve-register, saved.go) is the
//     warehouse's latest, a partial snapshot of the locations the changes
//     reach (partial.go), each with its lineage row of depth 0 (its cover,
//     warehouse.StagedCover), and clinic_locations whole.
//   - location_lineage: the predecessor graph from location_relationships
//     (an HSCA Predecessor link on the new location and an HSCA Successor link
//     on the old one describe the same edge; either alone suffices) plus, for
//     every inherited rating whose organisationId is not already an ancestor,
//     an edge from that organisation. One row per location and ancestor, the
//     location itself at depth 0, depth = shortest path. current_location_id
//     is the end of the successor chain (registered ends preferred, then the
//     latest registration date); NULL when a cycle leaves no end. Cycles are
//     flagged (in_cycle), logged, and never followed twice.
//   - rating_sources: every location_rating_history row with an
//     organisation_id (the history holds every current rating too), resolved
//     to the location whose reports list holds reportLinkId: the named
//     organisation, else its predecessors nearest first. Also every row
//     without one whose reportLinkId the location's own reports do not list
//     but another rating of the location names with an organisationId X
//     (then it is X's, resolved as X's ratings are, unresolved with their
//     reason while X is not archived) or an archived predecessor's reports
//     list (nearest first): the API leaves organisationId off an inherited
//     overall rating while setting it on the key questions
//     (docs/architecture.md, "CQC API: ratings and inheritance"); such rows
//     are marked inferred.
//   - clinic_locations: every clinic of Options.Clinics mapped to its current
//     location; the table is staged empty without clinics.
//   - state/cqc-wanted.json (schemas/wanted: {"generated_at", "locations",
//     "providers"}, sorted): locations the graph names but the archive lacks (so unresolved
//     predecessors, unknown clinic locations and unfetched successors), and
//     providers of the clinics' locations (mapped, current and their
//     ancestors) that are not archived. The extract stage fetches them on its
//     next run. Written after the staged output is committed.
//
// The caller holds the warehouse run lock.
package resolve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
	"carelake/schemas/batch"
	"carelake/schemas/staging"
	"carelake/schemas/wanted"
	"carelake/schemas/warehouse"
)

// Stage names resolve's staged output.
const Stage = staging.ResolveCQC

// Options configure a run. Root is required.
type Options struct {
	// Root is the warehouse root (--out).
	Root string
	// Clinics is the clinic mapping (--clinics); nil stages no clinics.
	Clinics []schemas.Clinic
	// RunID identifies this output; default a new run ID.
	RunID string
	// BatchRows is the record batch size; default batch.DefaultRows.
	BatchRows int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives progress; default: discarded.
	Logger *slog.Logger
}

// Summary tells what a run did.
type Summary struct {
	RunID, InputRunID, SnapshotDate string
	// Partial: only the locations the night's changes reach were resolved
	// again (a partial snapshot, warehouse.MetaPartialSnapshot); Locations
	// and the counts after it are of those.
	Partial bool
	// Locations in the lineage graph; Archived of them have a body.
	Locations, Archived int
	// InCycle counts locations on a predecessor cycle.
	InCycle int
	// Inherited ratings found (Inferred of them without an organisationId),
	// Resolved to their source report.
	Inherited, Inferred, Resolved int
	// Clinics per mapping_status.
	Clinics map[string]int
	// Wanted by the next extract.
	WantedLocations, WantedProviders []string
	Rows                             map[string]int64
	Duration                         time.Duration
}

// Run resolves the committed normalise output. On error nothing is committed
// and neither the previous output nor the wanted list changes.
func Run(ctx context.Context, opts Options) (Summary, error) {
	start := time.Now()
	if opts.Root == "" {
		return Summary{}, errors.New("no warehouse root given")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts = opts.withDefaults(opts.Now())
	log := opts.Logger
	sum := Summary{RunID: opts.RunID, Clinics: map[string]int{}, Rows: map[string]int64{}}
	m, err := staging.Open(opts.Root, staging.NormaliseCQC)
	if err != nil {
		return sum, err
	}
	in, err := openInput(ctx, opts.Root, m)
	if err != nil {
		return sum, fmt.Errorf("%w (rerun 'carelake normalise')", err)
	}
	sum.InputRunID, sum.SnapshotDate = m.RunID, in.snapshot
	log.Info("resolve started", "run_id", opts.RunID, "input_run_id", m.RunID, "snapshot_date", in.snapshot, "clinics", len(opts.Clinics))

	r := &resolver{in: in, g: newGraph(), log: log}
	prev, why, err := openSaved(opts.Root, in)
	if err != nil {
		return sum, err
	}
	if prev != nil {
		if why, err = r.readChanged(ctx, prev, opts.Clinics); err != nil {
			return sum, err
		}
	}
	if !r.partial {
		if in.cover != nil {
			log.Info("resolve reads the whole register", "why", why)
		}
		r.g = newGraph()
		reg, err := readRegister(ctx, in.scan, false)
		if err != nil {
			return sum, err
		}
		r.build(reg, opts.Clinics)
	}
	r.g.close()
	r.countGraph(&sum)
	sum.Partial = r.partial
	if err := r.stage(ctx, opts, m, &sum); err != nil {
		return sum, err
	}
	if err := r.saveWanted(opts, prev, &sum); err != nil {
		return sum, fmt.Errorf("save the wanted list: %w", err)
	}
	// The next night reads the whole register if this fails: the saved
	// register is used only when it names the outputs load stored last.
	if err := r.saveRegister(opts.Root, m.RunID, opts.RunID, prev, opts.Clinics, sum.WantedLocations); err != nil {
		log.Warn("could not save the register for the next night, which will read the whole register", "err", err)
	}
	sum.Duration = time.Since(start)
	log.Info("resolve done", "run_id", opts.RunID, "locations", sum.Locations, "in_cycle", sum.InCycle,
		"inherited", sum.Inherited, "resolved", sum.Resolved, "clinics", len(opts.Clinics),
		"duration", sum.Duration.Round(time.Millisecond))
	return sum, nil
}

// withDefaults fills in the options left zero.
func (o Options) withDefaults(now time.Time) Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RunID == "" {
		o.RunID = warehouse.NewRunID(now)
	}
	if o.BatchRows <= 0 {
		o.BatchRows = batch.DefaultRows
	}
	return o
}

// countGraph counts the graph's locations, those archived and those on a
// cycle, and warns of the cycles.
func (r *resolver) countGraph(sum *Summary) {
	sum.Locations = len(r.g.ids)
	for n := range r.g.ids {
		if r.g.archived[n] {
			sum.Archived++
		}
		if r.g.inCycle[n] {
			sum.InCycle++
		}
	}
	if sum.InCycle > 0 {
		var ids []string
		for n, c := range r.g.inCycle {
			if c && len(ids) < 20 {
				ids = append(ids, r.g.ids[n])
			}
		}
		r.log.Warn("predecessor cycles in the CQC relationships: flagged in location_lineage.in_cycle, not followed",
			"locations", sum.InCycle, "first", ids)
	}
}

// stage writes resolve's three tables as the staged output "resolve-cqc",
// under the input's snapshot date and metadata, and commits it; on error
// nothing is committed.
func (r *resolver) stage(ctx context.Context, opts Options, m *staging.Manifest, sum *Summary) error {
	sw, err := staging.Begin(opts.Root, Stage, opts.RunID)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			sw.Abort()
		}
	}()
	sink := func(t schemas.Table) batch.Sink {
		path := t.Dataset + "/snapshot_date=" + r.in.snapshot
		return func(rec arrow.RecordBatch) error { return sw.Write(t.Dataset, path, rec) }
	}
	builders := []*batch.Builder{
		batch.New(schemas.CQCLocationLineage, opts.BatchRows, sink(schemas.CQCLocationLineage)),
		batch.New(schemas.CQCRatingSources, opts.BatchRows, sink(schemas.CQCRatingSources)),
		batch.New(schemas.CQCClinicLocations, opts.BatchRows, sink(schemas.CQCClinicLocations)),
	}
	err = r.writeLineage(ctx, builders[0])
	if err == nil {
		err = r.writeSources(ctx, builders[1], sum)
	}
	if err == nil {
		err = r.writeClinics(builders[2], opts.Clinics, sum.Clinics)
	}
	for _, b := range builders {
		if err != nil {
			b.Release()
			continue
		}
		err = b.Close()
		sum.Rows[b.Table().Dataset] = b.Rows()
	}
	if err != nil {
		return err
	}
	for k, v := range m.Meta {
		if k != warehouse.MetaPartialSnapshot {
			sw.SetMeta(k, v)
		}
	}
	if r.partial {
		sw.SetMeta(warehouse.MetaPartialSnapshot, "true")
	}
	sw.SetInput(staging.NormaliseCQC, m.RunID)
	if _, err := sw.Commit(); err != nil {
		return err
	}
	committed = true
	return nil
}

// saveWanted writes the wanted list (schemas/wanted) for the next extract:
// after the staged output is committed.
func (r *resolver) saveWanted(opts Options, prev *saved, sum *Summary) error {
	sum.WantedLocations, sum.WantedProviders = r.wanted(opts.Clinics, prev)
	w := wanted.List{GeneratedAt: opts.Now().UTC().Format(time.RFC3339), Locations: sum.WantedLocations, Providers: sum.WantedProviders}
	if err := wanted.Write(opts.Root, w); err != nil {
		return err
	}
	if w.Len() > 0 {
		r.log.Info("the next extract will fetch what resolve found missing", "locations", len(w.Locations), "providers", len(w.Providers),
			"file", filepath.Join("state", wanted.Name))
	}
	return nil
}

// resolver holds the graph and what its locations' ratings need.
type resolver struct {
	in  *input
	g   *graph
	log *slog.Logger
	// places are the locations read, by ID, and placeIDs their IDs in order.
	places   map[string]*place
	placeIDs []string
	// reports by link ID.
	reports   map[string][]reportRef
	providers map[string]bool
	// linkOrgs: the organisation a location's ratings name for a report
	// link (the one with the smallest ID when they name several).
	linkOrgs map[locLink]int
	// partial: only the locations a night's changes reach (reach) were
	// read (partial.go), and the output holds only them.
	partial bool
	reach   map[string]bool
}

type locLink struct {
	loc  int
	link string
}

type reportRef struct {
	org            int
	date, firstVis optDate
	uri            string
}

// sortedNodes lists the nodes in ID order.
func (g *graph) sortedNodes() []int {
	out := make([]int, len(g.ids))
	for i := range out {
		out[i] = i
	}
	slices.SortFunc(out, func(a, b int) int { return cmp.Compare(g.ids[a], g.ids[b]) })
	return out
}

func (r *resolver) writeLineage(ctx context.Context, b *batch.Builder) error {
	g := r.g
	row := func(x, a int, depth int) error {
		b.String("location_id", g.ids[x])
		b.String("ancestor_location_id", g.ids[a])
		b.Int64("depth", int64(depth))
		if c := g.current[x]; c >= 0 {
			b.String("current_location_id", g.ids[c])
		} else {
			b.Null("current_location_id")
		}
		b.Bool("in_cycle", g.inCycle[x])
		return b.EndRow()
	}
	for _, x := range g.sortedNodes() {
		if err := row(x, x, 0); err != nil {
			return err
		}
		for _, a := range g.ancestors[x] {
			if err := row(x, a.node, a.depth); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
