// Package load writes the committed Arrow output of earlier stages (see
// schemas/staging) into the warehouse as hive-partitioned Parquet.
//
// Every staged partition (cqc/locations/snapshot_date=2026-11-21) becomes the
// directory <root>/<partition path>/ holding part-<load>-00000.parquet (and
// part-<load>-00001.parquet, ... only when one file would exceed
// Options.FileRows; <load> is unique to each load, see warehouse.FileName).
// A partition is written into a fresh directory under <root>/.load-tmp/,
// every file and the directory fsynced, then swapped into place with
// durable.ReplaceDir: a reader sees the previous partition or the new one,
// never a part of a file or a mix of old and new files, and loading the same
// date again replaces that day's partition as a whole. The temporary area is
// outside the dataset directories on purpose: DuckDB's globs (and many other
// tools') match hidden directories, so a sibling ".tmp" directory would be
// visible to read_parquet('cqc/locations/*/*.parquet').
//
// Files follow the Parquet policy (docs/architecture.md, "Parquet policy"): arrow-go pqarrow, INT64
// microsecond UTC timestamps (coerced, never INT96 or nanoseconds), DATE,
// DECIMAL, dictionary-encoded strings, zstd, row groups of up to
// Options.RowGroupRows rows (buffered, so 100k+ where the data allows), the
// stored Arrow schema, and key-value metadata carrying the stage output's
// Meta (licence, source, extraction time) plus carelake's own keys (Meta*
// constants): version, table, table and column docs, partition, stage, run.
//
// After every partition of one stage output is in place, the warehouse
// manifest (<root>/manifest.json: datasets, partitions, files, rows, bytes,
// load times) and the load state (<root>/state/load.json: the stage run
// loaded) are replaced atomically, in that order. A stage output already
// loaded is skipped unless Options.Force. A crash at any point leaves every
// partition readable (previous or new) and no partial file in a dataset
// directory; the next Run removes the temporary area, repairs what an
// interrupted fallback swap left (durable.RecoverDir) and loads the stage
// output again from the start, which is idempotent.
//
// Run expects its caller to hold the warehouse run lock (pipeline.AcquireLock):
// it removes <root>/.load-tmp at start.
//
// A table with a MergeKey (the CareQ tables) is merged, not replaced: the
// partition's current rows and the staged rows of inputs (log segments) it
// does not hold yet are written as one compacted file through the same
// write-aside-then-ReplaceDir path, so the swap commits data and "already
// merged" together and a crash can neither lose nor double rows (see
// merge.go). A table whose partition layout changed
// (schemas.Table.FormerPartitionBy) has its partitions still in the former
// layout folded into the current one before any stage output is loaded,
// as crash-safe (see fold.go); Summary.Folded counts them.
package load

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas"
	"carelake/schemas/loaded"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

// Defaults of Options.
const (
	DefaultRowGroupRows = warehouse.DefaultRowGroupRows
	DefaultFileRows     = warehouse.DefaultFileRows
)

// tmpDirName is the temporary area under the warehouse root.
const tmpDirName = ".load-tmp"

// Options configures Run.
type Options struct {
	// Root is the warehouse root (--out).
	Root string
	// Stages names the stage outputs to load, in order. Empty means every
	// stage with committed output under <Root>/staging, in name order.
	Stages []string
	// Force loads stage outputs again even if already loaded.
	Force bool
	// RemoveLoaded removes from staging, at the end, every stage output
	// that is loaded and that no stage has still to read (removeLoaded):
	// what the commands do, so staging holds only what is still to be
	// handed on.
	RemoveLoaded bool
	// Tables is the dataset registry; nil means Registered().
	Tables []schemas.Table
	// Version is the carelake version recorded in every file.
	Version string
	// RunID is the run writing the files (pipeline_runs.run_id), recorded
	// in every file; default: a new run ID from the time Run starts.
	RunID string
	// Logger gets the start, each stage output and the end at Info, each
	// partition at Debug (default: discarded).
	Logger *slog.Logger
	// Build identifies the build (the commit it was built from), recorded
	// in every file's created_by next to Version; empty means "unknown".
	Build string
	// RowGroupRows caps the rows of one row group (DefaultRowGroupRows).
	RowGroupRows int64
	// FileRows caps the rows of one file (DefaultFileRows).
	FileRows int64
	// Workers is how many partitions are written at once (default
	// GOMAXPROCS): each encodes and compresses on its own core.
	Workers int
	// OnPartition, when set, is called after each partition is in place, in
	// the order they finish, one call at a time.
	OnPartition func(PartitionResult)
	// HistoryDays, when positive, keeps only the CQC history of the last
	// HistoryDays days: after the stage outputs are stored, each table
	// stored by change drops, for good, the snapshots dated before its
	// newest snapshot date minus HistoryDays days and what only they need
	// (retention.go; docs/architecture.md, "CQC history by change").
	// 0 keeps every snapshot.
	HistoryDays int
}

// PartitionResult describes one partition written.
type PartitionResult struct {
	Stage    string
	Table    string // dataset, e.g. cqc/locations
	Path     string // partition, e.g. cqc/locations/snapshot_date=2026-11-21
	Files    []warehouse.File
	Rows     int64
	Bytes    int64
	Duration time.Duration
	// Unchanged is set when a merge found every staged input already in the
	// partition and left it as it was (Files, Rows and Bytes then describe
	// it as it stands; Added is zero).
	Unchanged bool
	// Added counts the rows this load brought: all of them for a
	// replacement, the new ones for a merge.
	Added int64
	// Skipped counts staged rows a merge dropped because their input
	// (MergeKey value) was already in the partition.
	Skipped int64
}

// StageResult describes one stage output.
type StageResult struct {
	Stage string
	RunID string
	// Skipped is true when this run of the stage was already loaded.
	Skipped    bool
	Partitions []PartitionResult
}

// Summary describes a Run.
type Summary struct {
	Stages   []StageResult
	Rows     int64
	Bytes    int64
	Files    int
	Duration time.Duration
	// Folded counts partitions of a former layout folded into the current
	// one (schemas.Table.FormerPartitionBy) before the stage outputs loaded.
	Folded int
	// Migrated counts partitions holding a whole snapshot (written before
	// the by-change layout) stored by change before the stage outputs loaded.
	Migrated int
	// Compacted counts nightly partitions of closed months compacted into
	// month partitions (CQC tables stored by change and their versions).
	Compacted int
	// Removed lists the stage outputs removed from staging: loaded, and
	// read by no stage that has still to read them (removeLoaded).
	Removed []string
	// Retention is what Options.HistoryDays dropped.
	Retention Retention
}

// Loaded reports how many partitions were written.
func (s Summary) Loaded() int {
	n := 0
	for _, st := range s.Stages {
		n += len(st.Partitions)
	}
	return n
}

// Registered is the default dataset registry: every table load may write.
func Registered() []schemas.Table { return schemas.Tables() }

func (o Options) withDefaults(now time.Time) Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RunID == "" {
		o.RunID = warehouse.NewRunID(now)
	}
	if o.Tables == nil {
		o.Tables = Registered()
	}
	if o.RowGroupRows <= 0 {
		o.RowGroupRows = DefaultRowGroupRows
	}
	if o.FileRows <= 0 {
		o.FileRows = DefaultFileRows
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// Run loads the stage outputs named by opts into the warehouse; see the
// package comment for the guarantees. On cancellation it stops between
// record batches, removes the partition being written and returns an error
// wrapping ctx.Err(); partitions already swapped in stay.
func Run(ctx context.Context, opts Options) (Summary, error) {
	start := time.Now()
	var sum Summary
	if opts.Root == "" {
		return sum, errors.New("no warehouse root given")
	}
	opts = opts.withDefaults(start)
	logger := opts.Logger
	tables := make(map[string]schemas.Table, len(opts.Tables))
	for _, t := range opts.Tables {
		tables[t.Dataset] = t
	}
	tables[schemas.CQCChanges.Dataset] = schemas.CQCChanges
	st, err := loaded.ReadState(opts.Root)
	if err != nil {
		return sum, err
	}
	stages := opts.Stages
	if len(stages) == 0 {
		if stages, err = committedStages(opts.Root); err != nil {
			if errors.Is(err, staging.ErrNotStaged) && len(st.Stages) > 0 && !opts.Force {
				logger.Info("nothing staged: every stage output was loaded, then removed from staging")
				return sum, nil
			}
			return sum, err
		}
	}
	logger.Info("load start", "root", opts.Root, "stages", strings.Join(stages, ","), "force", opts.Force)

	if err := recoverWarehouse(opts.Root, opts.Tables); err != nil {
		return sum, err
	}
	wm, err := ReadWarehouseManifest(opts.Root)
	if err != nil {
		return sum, err
	}

	// Open and check every stage output before writing anything, so a bad
	// output fails the run with the warehouse untouched. An output already
	// loaded is skipped below, so it is not checked: an output staged in a
	// table's former layout (by an older carelake) must not stop the load.
	mans := make([]*staging.Manifest, len(stages))
	seen := map[string]string{} // partition path -> stage
	for i, stage := range stages {
		man, err := staging.Open(opts.Root, stage)
		if err != nil {
			return sum, err
		}
		mans[i] = man
		if st.Loaded(man.Stage, man.RunID, man.CreatedAt) && !opts.Force {
			continue
		}
		if err := checkStage(man, tables); err != nil {
			return sum, fmt.Errorf("%s (run %s): %w", stage, man.RunID, err)
		}
		for _, p := range man.Partitions {
			if other, ok := seen[p.Path]; ok {
				return sum, fmt.Errorf("%w: %s by %s and %s; load them separately with --stages", ErrConflict, p.Path, other, stage)
			}
			seen[p.Path] = stage
		}
	}

	// Partitions still in a former layout are folded into the current one
	// before any stage output is merged into it.
	if sum.Folded, err = foldFormerLayouts(ctx, opts, wm); err != nil {
		return sum, err
	}
	// Partitions holding whole snapshots are stored by change before a
	// newer snapshot is compared with them.
	if sum.Migrated, err = migrateLayouts(ctx, opts, wm); err != nil {
		return sum, err
	}
	// Closed months are compacted before a night's versions are read.
	if sum.Compacted, err = compactMonths(ctx, opts, wm); err != nil {
		return sum, err
	}

	for _, man := range mans {
		res := StageResult{Stage: man.Stage, RunID: man.RunID}
		if st.Loaded(man.Stage, man.RunID, man.CreatedAt) && !opts.Force {
			logger.Info("stage output already loaded, skipping (use --force to load it again)",
				"stage", man.Stage, "run_id", man.RunID, "loaded_at", st.Stages[man.Stage].LoadedAt)
			res.Skipped = true
			sum.Stages = append(sum.Stages, res)
			continue
		}
		var rows int64
		err := forEachPartition(ctx, opts.Workers, man, tables, opts, func(pr PartitionResult) {
			logger.Debug("partition loaded", "path", pr.Path, "rows", pr.Rows, "files", len(pr.Files), "bytes", pr.Bytes,
				"unchanged", pr.Unchanged, "skipped_rows", pr.Skipped, "duration", pr.Duration)
			// An unchanged partition is recorded only if the manifest does
			// not list it as it is: a load killed after its swap but before
			// the manifest was saved leaves it so, and the rerun finds the
			// partition unchanged.
			if !pr.Unchanged || !wm.lists(tables[pr.Table], pr) {
				wm.record(tables[pr.Table], man.Stage, man.RunID, pr, time.Now().UTC())
			}
			res.Partitions = append(res.Partitions, pr)
			rows += pr.Added
			sum.Rows += pr.Added
			if !pr.Unchanged {
				sum.Bytes += pr.Bytes
				sum.Files += len(pr.Files)
			}
			if opts.OnPartition != nil {
				opts.OnPartition(pr)
			}
		})
		if err != nil {
			return sum, err
		}
		slices.SortFunc(res.Partitions, func(a, b PartitionResult) int { return cmp.Compare(a.Path, b.Path) })
		if err := wm.save(opts.Root); err != nil {
			return sum, err
		}
		st.Stages[man.Stage] = loaded.Stage{RunID: man.RunID, CreatedAt: man.CreatedAt, LoadedAt: time.Now().UTC(),
			Partitions: len(man.Partitions), Rows: rows}
		if err := st.Save(opts.Root); err != nil {
			return sum, err
		}
		for kind, names := range man.Consumes {
			if err := loaded.Mark(opts.Root, kind, names); err != nil {
				return sum, fmt.Errorf("%s: record inputs loaded: %w", man.Stage, err)
			}
		}
		sum.Stages = append(sum.Stages, res)
		logger.Info("stage output loaded", "stage", man.Stage, "run_id", man.RunID, "partitions", len(man.Partitions), "rows", rows)
	}
	// The history past the cutoff goes once the night is stored.
	if sum.Retention, err = retainHistory(ctx, opts, wm); err != nil {
		return sum, err
	}
	if opts.RemoveLoaded {
		if sum.Removed, err = removeLoaded(opts.Root, st); err != nil {
			return sum, err
		}
	}
	sum.Duration = time.Since(start)
	logger.Info("load done", "partitions", sum.Loaded(), "files", sum.Files, "rows", sum.Rows, "bytes", sum.Bytes,
		"folded", sum.Folded, "duration", sum.Duration.Round(time.Millisecond))
	return sum, nil
}

// forEachPartition writes the partitions of one stage output on up to
// workers goroutines, the largest first (so the longest does not start
// last), and hands each result to done as soon as it is in place, one call
// at a time. Partitions are independent: each is written aside and swapped
// in alone. After the first failure no further partition starts, those
// under way stop at their next batch (their temporary directories removed),
// and that failure is returned; partitions already swapped in stay, as after
// a crash, and are handed to done.
func forEachPartition(ctx context.Context, workers int, man *staging.Manifest, tables map[string]schemas.Table,
	opts Options, done func(PartitionResult)) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	parts := largestFirst(man)
	cover, err := warehouse.StagedCover(man)
	if err != nil {
		return err
	}
	next := make(chan staging.Partition)
	var mu sync.Mutex // done is called one at a time
	var wg sync.WaitGroup
	for range min(workers, len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				if ctx.Err() != nil {
					continue
				}
				prs, err := writePartition(ctx, opts, man, p, tables[p.Table], cover)
				mu.Lock()
				for _, pr := range prs {
					if pr.Path != "" {
						done(pr)
					}
				}
				mu.Unlock()
				if err != nil {
					cancel(fmt.Errorf("%s: %w", p.Path, err))
				}
			}
		}()
	}
feed:
	for _, p := range parts {
		select {
		case next <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// largestFirst orders a stage output's partitions by the size of their
// staged files, largest first: the order that finishes soonest on several
// workers when one table (the rating history) outweighs the others.
func largestFirst(man *staging.Manifest) []staging.Partition {
	parts := slices.Clone(man.Partitions)
	size := make(map[string]int64, len(parts))
	for _, p := range parts {
		for _, f := range man.Files(p) {
			if fi, err := os.Stat(f); err == nil {
				size[p.Path] += fi.Size()
			}
		}
	}
	slices.SortStableFunc(parts, func(a, b staging.Partition) int { return cmp.Compare(size[b.Path], size[a.Path]) })
	return parts
}

// readers names, for a stage output that a later stage reads, that stage:
// resolve reads normalise-cqc (the only hand-on between stages besides
// load).
var readers = map[string]string{staging.NormaliseCQC: staging.ResolveCQC}

// removeLoaded removes from staging every committed stage output that is
// loaded and that no stage has still to read: normalise-cqc only once the
// resolve-cqc output computed from it is staged (docs/architecture.md,
// "Formats between stages"). It returns the stages removed.
func removeLoaded(root string, st *loaded.State) ([]string, error) {
	stages, err := committedStages(root)
	if errors.Is(err, staging.ErrNotStaged) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var done []string // decided before anything is removed: a reader's output is looked at
	for _, stage := range stages {
		man, err := staging.Open(root, stage)
		if err != nil || !st.Loaded(man.Stage, man.RunID, man.CreatedAt) {
			continue
		}
		if reader, ok := readers[stage]; ok {
			next, err := staging.Open(root, reader)
			if err != nil || next.Inputs[stage] != man.RunID {
				continue
			}
		}
		done = append(done, stage)
	}
	for i, stage := range done {
		if err := staging.Remove(root, stage); err != nil {
			return done[:i], err
		}
	}
	return done, nil
}

// committedStages lists the stages with committed output, in name order.
func committedStages(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "staging"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if _, err := staging.Open(root, e.Name()); err == nil {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w under %s (run 'carelake normalise' first)", staging.ErrNotStaged, root)
	}
	sort.Strings(out)
	return out, nil
}

// checkStage validates a stage output against the registry.
func checkStage(man *staging.Manifest, tables map[string]schemas.Table) error {
	if man.Meta[warehouse.MetaLicence] == "" || man.Meta[warehouse.MetaSource] == "" {
		return fmt.Errorf("%w: the stage must set %q and %q (staging.Writer.SetMeta); rerun it with a carelake that does",
			ErrNoLicence, warehouse.MetaLicence, warehouse.MetaSource)
	}
	for _, p := range man.Partitions {
		t, ok := tables[p.Table]
		if !ok {
			return fmt.Errorf("%s: %w", p.Table, ErrUnknownTable)
		}
		if err := checkPartitionPath(t, p.Path); err != nil {
			if len(t.FormerPartitionBy) > 0 && checkPartitionPath(former(t), p.Path) == nil {
				return fmt.Errorf("%w %q: staged in the former layout (%s) by an older carelake; run 'carelake %s' again to stage it as %s",
					ErrBadPartition, p.Path, strings.Join(t.FormerPartitionBy, "/"), commandOf(man.Stage), strings.Join(t.PartitionBy, "/"))
			}
			return err
		}
		if len(p.Files) == 0 {
			return fmt.Errorf("%s: %w: no files staged", p.Path, ErrBadPartition)
		}
		staged, err := man.Schema(p)
		if err != nil {
			return err
		}
		if err := checkSchema(staged, t.Schema); err != nil {
			return fmt.Errorf("%s: %w", p.Path, err)
		}
	}
	return nil
}

// recoverWarehouse removes what an interrupted load left in the temporary
// area and puts back partitions a crashed fallback swap moved aside.
func recoverWarehouse(root string, tables []schemas.Table) error {
	if err := os.RemoveAll(filepath.Join(root, tmpDirName)); err != nil {
		return fmt.Errorf("remove leftovers of an interrupted load: %w", err)
	}
	// A former layout is as deep as the current one (formerPartitions), so
	// this also finds its directories a crashed fallback swap moved aside.
	for _, t := range tables {
		pattern := filepath.Join(root, filepath.FromSlash(t.Dataset)) + strings.Repeat(string(filepath.Separator)+"*", len(t.PartitionBy)) + ".old"
		olds, err := filepath.Glob(pattern)
		if err != nil {
			return err
		}
		for _, old := range olds {
			if err := durable.RecoverDir(strings.TrimSuffix(old, ".old")); err != nil {
				return err
			}
		}
	}
	return nil
}

// commandOf names the carelake command that produces a stage's output
// ("normalise-careq" -> "normalise").
func commandOf(stage string) string {
	name, _, _ := strings.Cut(stage, "-")
	return name
}
