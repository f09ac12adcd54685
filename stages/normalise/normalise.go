// Package normalise turns the raw CQC archive into typed Arrow tables, one per
// entity and child list, staged for load as "normalise-cqc".
//
// Contract:
//
//   - Input is the raw archive only (schemas/archive), never the API.
//     For each location and provider ID the body used is the latest good one:
//     the detail record (endpoint location/provider) with the highest
//     (segment order, seq) that has HTTP 200, a valid JSON body and is not the
//     gateway's soft-429 envelope ({"statusCode":429,...} served with 200).
//     Truncated bodies, error pages and soft 429s are never used.
//   - A 404 archived after that body means the organisation disappeared from
//     the API: its row is kept (the last body it served) with api_gone_at set
//     to the 404's fetch time. An ID with no good body at all has no row; it
//     is counted in Summary.Unusable.
//   - A location that left a filtered scope (state/cqc-left-scope.json,
//     schemas/leftscope; docs/architecture.md, "CQC API: calls and limits")
//     is kept as it was: the body used is its latest good one fetched before
//     the body found outside the filters, and left_scope_at is that body's
//     fetch time. Without such a body it has no row (Summary.Unusable).
//   - A latest good body that does not fit the schema (not a JSON object, a
//     wrong type, no ID, another ID than fetched) becomes one rejects row
//     (scope "body": ID, reason, archive segment and seq) and no other row; the
//     run goes on. Older bodies of that ID are not used instead: the reject
//     says the current state is unknown. A single unusable value in a good
//     body (an unparseable date, a non-numeric percentageScore) is stored as
//     NULL and gets a rejects row of scope "field" naming it; the rest of the
//     body is loaded. An empty date string is NULL without a reject.
//   - Output: staging.Begin(root, "normalise-cqc", runID), one partition per
//     table at cqc/<table>/snapshot_date=YYYY-MM-DD, every table present (an
//     empty batch when it has no rows), schemas exactly as registered in
//     schemas (CQCLocations, ...). Manifest meta: source, licence,
//     extraction_time_from/to (when a body was used), snapshot_date, rules
//     (warehouse.MetaRules); inputs: the archive segments.
//   - Only what changed (changed.go; docs/architecture.md, "CQC history by
//     change"): the output holds only the organisations whose rows would
//     differ from the warehouse's latest snapshot before snapshot_date, as
//     a partial snapshot (warehouse.MetaPartialSnapshot), unless
//     Options.Whole, the warehouse has no snapshot made with these rules,
//     the tables' latest snapshots are not all of one night (a load killed
//     between tables), the archive holds report documents, or an
//     organisation the warehouse holds has no usable body any more: then
//     every organisation.
//   - Memory is bounded whatever the archive size: the first pass keeps only
//     an index (ID -> position of the latest good body); the second re-reads
//     the segments holding those bodies and streams them through N decode
//     workers into one ordered builder. Rows come out in archive order.
//     The first pass reads each sealed segment once: its index is saved
//     under state/cqc-normalise-segments/ (cache.go) and read on later runs,
//     so a night reads in full only the segments written since (and a
//     segment holding a body of a location from after it left a filtered
//     scope). Deleting that directory is always safe: it is rebuilt.
//
// Run expects the caller to hold the warehouse run lock: it repairs segments
// a crashed writer left open first, so archive pointers stay valid.
package normalise

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/sourcegraph/conc/stream"

	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/batch"
	"carelake/schemas/leftscope"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

// Stage names normalise's staged output.
const Stage = staging.NormaliseCQC

// DefaultAPIBase is the CQC API the archive is assumed to come from.
const DefaultAPIBase = "https://api.service.cqc.org.uk/public/v1"

// Licence is the attribution the Open Government Licence asks for; it travels
// with every staged table into the Parquet metadata.
const Licence = "Contains CQC data © Care Quality Commission, licensed under the Open Government Licence v3.0"

// chunkBodies is how many bodies one decode task takes.
const chunkBodies = 64

// Options configure a run. Root is required; the rest has defaults.
type Options struct {
	// Root is the warehouse root (--out).
	Root string
	// SnapshotDate (YYYY-MM-DD) names the partitions; default today, UTC.
	SnapshotDate string
	// RunID identifies this output in the manifest; default a new run ID.
	RunID string
	// APIBase is recorded as the source; default DefaultAPIBase.
	APIBase string
	// Workers is the number of decode workers; default GOMAXPROCS.
	Workers int
	// BatchRows is the record batch size; default batch.DefaultRows.
	BatchRows int
	// Whole stages every organisation, not only those whose rows differ
	// from the warehouse's latest snapshot (changed.go).
	Whole bool
	// Logger receives progress; default: discarded.
	Logger *slog.Logger
}

// Summary tells what a run did.
type Summary struct {
	RunID        string
	SnapshotDate string
	// Segments and Records read; TornSegments had a torn tail (skipped).
	Segments, Records, TornSegments int
	// SegmentsRead of them were read in full by the first pass; the others'
	// index was saved by an earlier run (state/cqc-normalise-segments/).
	SegmentsRead int
	// Locations and Providers are the IDs whose latest good body was used
	// (rejected bodies included).
	Locations, Providers int
	// Gone counts IDs whose good body was followed by a 404 (api_gone_at set).
	Gone int
	// LeftScope counts the locations staged as they were before they left a
	// filtered scope (left_scope_at set; schemas/leftscope).
	LeftScope int
	// Unusable counts IDs archived with no good body (only errors, 404s,
	// soft 429s or truncated bodies): they have no row.
	Unusable int
	// Partial says the output holds only the organisations whose rows
	// differ from the warehouse's latest snapshot (changed.go); Unchanged
	// counts the others, left out.
	Partial   bool
	Unchanged int
	// NoID counts detail records without an ID (ignored).
	NoID int
	// RejectedBodies and RejectedFields count rejects rows by scope.
	RejectedBodies, RejectedFields int
	// Rows per dataset (cqc/locations, ...).
	Rows     map[string]int64
	Duration time.Duration
}

func (o Options) withDefaults(now time.Time) Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.SnapshotDate == "" {
		o.SnapshotDate = now.UTC().Format(time.DateOnly)
	}
	if o.RunID == "" {
		o.RunID = warehouse.NewRunID(now)
	}
	if o.APIBase == "" {
		o.APIBase = DefaultAPIBase
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.BatchRows <= 0 {
		o.BatchRows = batch.DefaultRows
	}
	return o
}

// Run normalises the archive under opts.Root and commits the staged output.
// On error (including a cancelled context) nothing is committed and the
// previous output stays in place.
func Run(ctx context.Context, opts Options) (Summary, error) {
	start := time.Now()
	if opts.Root == "" {
		return Summary{}, errors.New("no warehouse root given")
	}
	opts = opts.withDefaults(start)
	if _, err := time.Parse(time.DateOnly, opts.SnapshotDate); err != nil {
		return Summary{}, fmt.Errorf("%w: %q", ErrSnapshotDate, opts.SnapshotDate)
	}
	log := opts.Logger
	sum := Summary{RunID: opts.RunID, SnapshotDate: opts.SnapshotDate, Rows: map[string]int64{}}
	if n, err := archive.Repair(opts.Root); err != nil {
		return sum, err
	} else if n > 0 {
		log.Info("repaired archive segments left open by a crashed extract", "segments", n)
	}
	segments, err := archive.Segments(opts.Root)
	if err != nil {
		return sum, err
	}
	sum.Segments = len(segments)
	log.Info("normalise started", "run_id", opts.RunID, "snapshot_date", opts.SnapshotDate, "segments", len(segments))

	ix, err := indexArchive(ctx, opts, segments, &sum, log)
	if err != nil {
		return sum, err
	}
	if err := onlyChanged(ctx, opts, segments, ix, &sum); err != nil {
		return sum, err
	}
	if err := stage(ctx, opts, segments, ix, &sum); err != nil {
		return sum, err
	}
	sum.Duration = time.Since(start)
	log.Info("normalise done", "run_id", opts.RunID, "partial", sum.Partial, "unchanged", sum.Unchanged, "locations", sum.Rows[schemas.CQCLocations.Dataset],
		"providers", sum.Rows[schemas.CQCProviders.Dataset], "rejected_bodies", sum.RejectedBodies,
		"rejected_fields", sum.RejectedFields, "gone", sum.Gone, "left_scope", sum.LeftScope, "duration", sum.Duration.Round(time.Millisecond))
	return sum, nil
}

// indexArchive is the first pass (buildIndex), counted in sum; an archive
// without a single good body is an error (ErrNoBodies).
func indexArchive(ctx context.Context, opts Options, segments []string, sum *Summary, log *slog.Logger) (*index, error) {
	left, err := leftscope.Read(opts.Root)
	if err != nil {
		return nil, err
	}
	ix, err := buildIndex(ctx, cacheDir(opts.Root), segments, opts.Workers, left.Locations)
	if err != nil {
		return nil, fmt.Errorf("index the archive: %w", err)
	}
	sum.Records, sum.TornSegments, sum.NoID = ix.records, ix.torn, ix.noID
	sum.Locations, sum.Providers, sum.Gone, sum.Unusable = ix.locations, ix.providers, ix.gone, ix.unusable
	sum.LeftScope, sum.SegmentsRead = ix.left, ix.read
	log.Debug("archive indexed", "segments_read", ix.read, "segments_from_saved_index", len(segments)-ix.read)
	if ix.locations+ix.providers == 0 {
		return nil, fmt.Errorf("%w (%d records in %d segments under %s)",
			ErrNoBodies, ix.records, len(segments), archive.Dir(opts.Root))
	}
	if ix.unusable > 0 {
		log.Info("IDs archived without any good body have no row", "ids", ix.unusable)
	}
	if ix.noID > 0 {
		log.Info("detail records without an ID ignored", "records", ix.noID)
	}
	return ix, nil
}

// stage is the second pass into the staged output "normalise-cqc", with its
// source, licence and inputs, committed; on error nothing is committed.
func stage(ctx context.Context, opts Options, segments []string, ix *index, sum *Summary) error {
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
	// Batches are compressed and written off the emitter's goroutine, the
	// critical path of the second pass.
	aw := sw.Async(4)
	defer aw.Close() // before the Abort above, if it comes to that
	t := newTables(opts.BatchRows, func(tb schemas.Table) batch.Sink {
		path := tb.Dataset + "/snapshot_date=" + opts.SnapshotDate
		return func(rec arrow.RecordBatch) error { return aw.Write(tb.Dataset, path, rec) }
	})
	em := &emitter{t: t}
	sw.SetMeta(warehouse.MetaRules, Rules())
	if sum.Partial {
		sw.SetMeta(warehouse.MetaPartialSnapshot, "true")
	}
	if len(ix.reports) > 0 {
		em.owners = map[string][]reportOwner{}
	}
	from, to, err := stream2(ctx, opts, segments, ix, em)
	if err == nil {
		err = emitTaxonomy(opts.Root, segments, ix.taxonomy, em)
	}
	if err == nil {
		err = emitReportDocuments(ctx, opts.Root, segments, ix.reports, em)
	}
	if err != nil {
		t.close()
		return err
	}
	if err := t.close(); err != nil {
		return err
	}
	if err := aw.Close(); err != nil {
		return err
	}
	for _, b := range t.all() {
		sum.Rows[b.Table().Dataset] = b.Rows()
	}
	sum.RejectedBodies, sum.RejectedFields = em.bodyRejects, em.fieldRejects

	sw.SetMeta(warehouse.MetaSource, "CQC Syndication API v1, "+opts.APIBase)
	sw.SetMeta(warehouse.MetaLicence, Licence)
	if !from.IsZero() { // a partial snapshot of a night without changes uses no body
		sw.SetMeta("extraction_time_from", from.UTC().Format(time.RFC3339))
		sw.SetMeta("extraction_time_to", to.UTC().Format(time.RFC3339))
	}
	sw.SetMeta("snapshot_date", opts.SnapshotDate)
	sw.SetInput("archive", "raw/cqc")
	sw.SetInput("archive_segments", fmt.Sprint(len(segments)))
	sw.SetInput("archive_last_segment", relPath(opts.Root, segments[len(segments)-1]))
	sw.SetInput("archive_records", fmt.Sprint(ix.records))
	if _, err := sw.Commit(); err != nil {
		return err
	}
	committed = true
	return nil
}

// stream2 is the second pass: it re-reads the segments holding the wanted
// bodies, decodes them on opts.Workers goroutines and emits the rows in
// archive order on one goroutine. It returns the fetch-time range of the
// bodies used.
func stream2(ctx context.Context, opts Options, segments []string, ix *index, em *emitter) (from, to time.Time, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s := stream.New().WithMaxGoroutines(opts.Workers)
	submit := func(chunk []job) {
		s.Go(func() stream.Callback {
			out := make([]decoded, len(chunk))
			for i := range chunk {
				out[i] = decode(chunk[i].origin, chunk[i].body)
			}
			return func() {
				if ctx.Err() != nil {
					return
				}
				for i := range out {
					if err := em.emit(&out[i]); err != nil {
						cancel(err)
						return
					}
				}
			}
		})
	}
	var chunk []job
	for si, path := range segments {
		wants := ix.wants[si]
		if len(wants) == 0 {
			continue
		}
		seg := relPath(opts.Root, path)
		// Most records are not wanted (older bodies, lists, failures): tell
		// them apart by seq alone and take only the wanted ones' bodies
		// (their fetch time is in the index). The segment is read only as
		// far as its last wanted body (a night's few changes may want one
		// body of a large segment).
		left := len(wants)
		_, err = archive.ReadLines(path, func(line []byte) error {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			seq, err := archive.SeqOf(line)
			if err != nil {
				return err
			}
			w, ok := wants[seq]
			if !ok {
				return nil
			}
			body, err := archive.BodyOf(line)
			if err != nil {
				return err
			}
			if from.IsZero() || w.fetchedAt.Before(from) {
				from = w.fetchedAt
			}
			if w.fetchedAt.After(to) {
				to = w.fetchedAt
			}
			chunk = append(chunk, job{
				origin: origin{kind: w.kind, id: w.id, fetchedAt: w.fetchedAt, goneAt: w.goneAt, leftAt: w.leftAt, segment: seg, seq: seq},
				body:   body,
			})
			if len(chunk) == chunkBodies {
				submit(chunk)
				chunk = nil
			}
			if left--; left == 0 {
				return errAllRead
			}
			return nil
		})
		if errors.Is(err, errAllRead) {
			err = nil
		}
		if err != nil {
			break
		}
	}
	if err == nil && len(chunk) > 0 {
		submit(chunk)
	}
	s.Wait()
	if cause := context.Cause(ctx); cause != nil {
		return from, to, cause
	}
	return from, to, err
}

// errAllRead stops reading a segment once every body wanted of it is read.
var errAllRead = errors.New("every wanted body of the segment read")

// job is one body to decode.
type job struct {
	origin
	body []byte
}

func relPath(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}
