// Package marts materialises the contract views whose answer needs a join or
// a resolve rule (schemas.Marts: cqc_locations, cqc_location_ratings,
// clinic_appointment_ratings, ...) as Parquet under <root>/marts/<view>/, so
// BI tools that read files see the same rows as DuckDB, and so every view of
// the catalog answers from files at national size. It runs after load and
// before the catalog.
//
// Run opens an in-memory DuckDB, defines datasets.<table> over the loaded
// Parquet (a CQC table stored by change as its snapshots rebuilt from its
// versions; every mart reads the latest), runs sql/views.sql, defines each
// current copy (schemas.CurrentCopies: the latest snapshot of a CQC table
// that views.sql does not define, so BI tools have every table as files),
// and for each mart in order has DuckDB write `SELECT * FROM <view>` (COPY
// ... TO, FORMAT parquet, hive-partitioned by the mart's PartitionBy) under
// <root>/.marts-tmp/; a later mart reads those rows, not its query again.
// Then every one of those files is written again through the warehouse's
// own Parquet writer (warehouse.Writer, on every core, the largest first),
// so a mart's files keep the Parquet policy exactly as load's do
// (docs/architecture.md, "Parquet policy"): dictionary strings, zstd, the
// stored Arrow schema, created_by "carelake version X (build Y)", and the
// key-value metadata: the licence and source of every system the rows come
// from (CQC data carries the Open Government Licence attribution), the
// view's name, doc and column docs, the partition, and the run that wrote
// it. When every mart is written, each directory is fsynced and swapped in
// place of <root>/marts/<view>/ (durable.ReplaceDir): a reader sees a
// mart's previous files or its new ones, never a mix, and a failed or
// cancelled run leaves every mart as it was.
//
// The caller holds the warehouse run lock: Run removes <root>/.marts-tmp at
// start.
package marts

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver
	"github.com/sourcegraph/conc/pool"

	"carelake/pipeline/durable"
	"carelake/schemas"
	"carelake/schemas/warehouse"
	sqlfiles "carelake/sql"
)

// Stage names the marts stage in file metadata.
const Stage = "marts"

// tmpDirName is the temporary area under the warehouse root.
const tmpDirName = ".marts-tmp"

// anchors are the datasets whose files say the licence and source of each
// source system: for CQC the versions, which every night writes whatever
// changed (a table stored by change may have no nightly file).
var anchors = map[string]string{schemas.SourceCQC: schemas.CQCChanges.Dataset, schemas.SourceCareQ: "careq/events"}

// Options configures Run.
type Options struct {
	// Root is the warehouse root (--out).
	Root string
	// RunID is the run writing the marts (pipeline_runs.run_id), recorded
	// in every file; default: a new run ID.
	RunID string
	// Logger gets the start and the end at Info, each mart at Debug
	// (default: discarded).
	Logger *slog.Logger
	// Version and Build name the carelake that writes (the files'
	// created_by and carelake.version).
	Version, Build string
	// MemoryLimit caps DuckDB's memory (a DuckDB size, e.g. "512MB"); it
	// spills to <root>/.marts-tmp beyond. Default DefaultMemoryLimit.
	MemoryLimit string
	// Threads is DuckDB's thread count; default GOMAXPROCS.
	Threads int

	// tables, views and marts default to the warehouse's (schemas.Tables,
	// sql/views.sql, schemas.Marts); tests change them.
	tables []schemas.Table
	views  fs.FS
	marts  []schemas.View
}

func (o Options) withDefaults(now time.Time) Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RunID == "" {
		o.RunID = warehouse.NewRunID(now)
	}
	if o.MemoryLimit == "" {
		o.MemoryLimit = DefaultMemoryLimit
	}
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.tables == nil {
		o.tables = schemas.Tables()
	}
	if o.views == nil {
		o.views = sqlfiles.Files
	}
	if o.marts == nil {
		o.marts = schemas.Marts()
	}
	return o
}

// DefaultMemoryLimit is DuckDB's memory cap while building the marts. The
// rating marts rebuild the latest snapshot from the CQC history stored by
// change; after a year of nights at national size their working set is just
// over 512MB, where DuckDB evicted and re-read until the marts took 33 s
// instead of 20 s (docs/benchmarks.md, "CQC history by change"); 768MB took
// the national nightly run past its 1 GiB.
const DefaultMemoryLimit = "640MB"

// rowGroupRows is the row group size of a mart's files: 100,000+ rows as the
// policy asks, and small enough that a reader (DuckDB, Spark) scans one file
// on several cores and the writer holds little in memory.
const rowGroupRows = 128 << 10

// Result describes one mart written.
type Result struct {
	Name       string        `json:"name"`
	Rows       int64         `json:"rows"`
	Files      int           `json:"files"`
	Bytes      int64         `json:"bytes"`
	Partitions int           `json:"partitions"`
	Duration   time.Duration `json:"duration"`
}

// Summary describes a Run.
type Summary struct {
	Marts    []Result      `json:"marts"`
	Rows     int64         `json:"rows"`
	Bytes    int64         `json:"bytes"`
	Files    int           `json:"files"`
	Duration time.Duration `json:"duration"`
}

// State is state/marts.json: what the last run that built the marts wrote
// ('carelake status' shows it).
type State struct {
	RunID   string    `json:"run_id"`
	BuiltAt time.Time `json:"built_at"`
	Marts   []Result  `json:"marts"`
}

// StateFile is where Run records the marts it wrote.
func StateFile(root string) string { return filepath.Join(warehouse.StateDir(root), "marts.json") }

// LoadState reads state/marts.json; before the first build it is empty.
func LoadState(root string) (State, error) {
	var st State
	err := durable.LoadJSON(StateFile(root), &st)
	return st, err
}

// Run builds every mart; see the package comment.
func Run(ctx context.Context, opts Options) (Summary, error) {
	start := time.Now()
	var sum Summary
	if opts.Root == "" {
		return sum, errors.New("no warehouse root given")
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return sum, err
	}
	opts = opts.withDefaults(start)
	logger := opts.Logger
	if err := recoverMarts(root, opts.marts); err != nil {
		return sum, err
	}
	tmp := filepath.Join(root, tmpDirName)
	if err := os.MkdirAll(tmp, durable.DirPerm); err != nil {
		return sum, err
	}
	defer os.RemoveAll(tmp)
	logger.Info("marts start", "root", root, "marts", len(opts.marts))

	b, err := openBuilder(ctx, root, tmp, opts)
	if err != nil {
		return sum, err
	}
	defer b.close()
	built := make([]*built, len(opts.marts))
	for i, m := range opts.marts {
		if built[i], err = b.query(ctx, m); err != nil {
			return sum, fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	// DuckDB's memory goes back before the files are written again: running
	// both at once measured slower and larger on two cores.
	b.close()
	if err := rewrite(ctx, built, opts); err != nil {
		return sum, err
	}
	for _, m := range built {
		res := m.result()
		sum.Marts = append(sum.Marts, res)
		sum.Rows += res.Rows
		sum.Bytes += res.Bytes
		sum.Files += res.Files
		logger.Debug("mart written", "mart", res.Name, "rows", res.Rows, "files", res.Files, "bytes", res.Bytes, "duration", res.Duration, "query", m.queried)
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	if err := os.MkdirAll(filepath.Join(root, warehouse.MartsDir), durable.DirPerm); err != nil {
		return sum, err
	}
	for _, m := range built {
		if err := durable.ReplaceDir(m.dir, filepath.Join(root, filepath.FromSlash(m.view.Dataset()))); err != nil {
			return sum, fmt.Errorf("%s: %w", m.view.Name, err)
		}
	}
	sum.Duration = time.Since(start)
	if err := durable.SaveJSON(StateFile(root), State{RunID: opts.RunID, BuiltAt: time.Now().UTC(), Marts: sum.Marts}); err != nil {
		return sum, err
	}
	logger.Info("marts done", "marts", len(sum.Marts), "rows", sum.Rows, "files", sum.Files, "bytes", sum.Bytes,
		"duration", sum.Duration.Round(time.Millisecond))
	return sum, nil
}

// recoverMarts puts back a mart a crashed fallback swap moved aside.
func recoverMarts(root string, marts []schemas.View) error {
	for _, m := range marts {
		if err := durable.RecoverDir(filepath.Join(root, filepath.FromSlash(m.Dataset()))); err != nil {
			return err
		}
	}
	return nil
}

// builder is one DuckDB session building the marts of a run.
type builder struct {
	db    *sql.DB
	conn  *sql.Conn
	root  string
	tmp   string
	token string // unique to this run: file names never repeat across runs
	opts  Options
	meta  map[string]map[string]string // source system -> licence and source
}

func openBuilder(ctx context.Context, root, tmp string, opts Options) (*builder, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	b := &builder{db: db, root: root, tmp: tmp, opts: opts, token: strconv.FormatInt(time.Now().UnixNano(), 36)}
	if b.conn, err = db.Conn(ctx); err != nil { // one session: SET is per connection
		db.Close()
		return nil, err
	}
	setup := []string{
		"SET threads = " + strconv.Itoa(opts.Threads),
		"SET memory_limit = " + warehouse.Quote(opts.MemoryLimit),
		"SET temp_directory = " + warehouse.Quote(filepath.Join(tmp, "spill")),
		"SET preserve_insertion_order = false",
		"SET TimeZone = 'UTC'",
	}
	for _, q := range setup {
		if _, err := b.conn.ExecContext(ctx, q); err != nil {
			b.close()
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	if err := b.defineDatasets(ctx); err != nil {
		b.close()
		return nil, err
	}
	views, err := fs.ReadFile(opts.views, sqlfiles.Views)
	if err != nil {
		b.close()
		return nil, err
	}
	if _, err := b.conn.ExecContext(ctx, string(views)); err != nil {
		b.close()
		return nil, fmt.Errorf("%s: %w", sqlfiles.Views, err)
	}
	for _, m := range opts.marts {
		if m.Query == "" {
			continue
		}
		if _, err := b.conn.ExecContext(ctx, "CREATE VIEW "+warehouse.Ident(m.Name)+" AS "+m.Query); err != nil {
			b.close()
			return nil, fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	if b.meta, err = b.sourceMeta(ctx); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// close ends the session; it may be called again.
func (b *builder) close() {
	if b.conn != nil {
		b.conn.Close()
		b.conn = nil
	}
	if b.db != nil {
		b.db.Close()
		b.db = nil
	}
}

// defineDatasets creates datasets.<table> over every registered table's
// files: for a table stored by change (every CQC table) its snapshots
// rebuilt from its versions (warehouse.ByChangeSQL), for the others every
// file.
func (b *builder) defineDatasets(ctx context.Context) error {
	var q strings.Builder
	q.WriteString("CREATE SCHEMA datasets;\n")
	read := func(t schemas.Table) (string, error) {
		glob, ok, err := b.datasetGlob(t)
		if err != nil {
			return "", err
		}
		if !ok {
			return warehouse.EmptySQL(t)
		}
		return warehouse.ReadSQL(glob, t)
	}
	for _, t := range b.opts.tables {
		rel, err := warehouse.StoredSQL(t, read)
		if err != nil {
			return err
		}
		name := t.Relation()
		if len(t.Owner) > 0 {
			versions, err := warehouse.VersionsSQL(t, read)
			if err != nil {
				return err
			}
			fmt.Fprintf(&q, "CREATE VIEW datasets.%s_versions AS %s;\n", name, versions)
			name += "_stored"
		}
		fmt.Fprintf(&q, "CREATE VIEW datasets.%s AS %s;\n", name, rel)
	}
	for _, t := range b.opts.tables {
		if len(t.Owner) > 0 {
			q.WriteString(warehouse.ByChangeSQL("datasets", t))
		}
	}
	if _, err := b.conn.ExecContext(ctx, q.String()); err != nil {
		return fmt.Errorf("define the datasets: %w", err)
	}
	return nil
}

// datasetGlob is the absolute glob of the files of t, and whether any file
// matches.
func (b *builder) datasetGlob(t schemas.Table) (string, bool, error) {
	glob := filepath.Join(b.root, filepath.FromSlash(warehouse.Pattern(t)))
	files, err := filepath.Glob(glob)
	if err != nil {
		return "", false, err
	}
	return glob, len(files) > 0, nil
}

// sourceMeta reads the licence and source each source system's files carry.
func (b *builder) sourceMeta(ctx context.Context) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for system, dataset := range anchors {
		t, ok := schemas.TableNamed(dataset)
		if !ok {
			return nil, fmt.Errorf("no table %s", dataset)
		}
		glob, ok, err := b.datasetGlob(t)
		if err != nil || !ok {
			continue
		}
		files, _ := filepath.Glob(glob)
		rows, err := b.conn.QueryContext(ctx, "SELECT decode(key), decode(value) FROM parquet_kv_metadata(?) WHERE decode(key) IN (?, ?)",
			files[0], warehouse.MetaLicence, warehouse.MetaSource)
		if err != nil {
			return nil, fmt.Errorf("read the licence of %s: %w", files[0], err)
		}
		out[system] = map[string]string{}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return nil, err
			}
			out[system][k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// built is one mart's rows as DuckDB wrote them (raw) and the directory
// its files are written again into (dir), with what that took.
type built struct {
	view     schemas.View
	raw, dir string
	kv       map[string]string
	token    string
	files    []string // raw files, relative to raw
	rows     int64
	queried  time.Duration
	rewrites []rewritten // one per raw file, by rewrite
}

// rewritten is one raw file written again.
type rewritten struct {
	files    []warehouse.File
	duration time.Duration
}

func (m *built) result() Result {
	res := Result{Name: m.view.Name, Rows: m.rows, Duration: m.queried}
	parts := map[string]bool{}
	for i, rw := range m.rewrites {
		res.Files += len(rw.files)
		for _, f := range rw.files {
			res.Bytes += f.Bytes
		}
		res.Duration += rw.duration
		parts[filepath.Dir(m.files[i])] = true
	}
	if len(m.view.PartitionBy) > 0 {
		res.Partitions = len(parts)
	}
	return res
}

// query has DuckDB write a mart's rows under the temporary area, then
// points the view at them, for the marts after it.
func (b *builder) query(ctx context.Context, m schemas.View) (*built, error) {
	start := time.Now()
	if err := b.checkColumns(ctx, m); err != nil {
		return nil, err
	}
	out := &built{view: m, token: b.token,
		raw: filepath.Join(b.tmp, "raw", m.Name), dir: filepath.Join(b.tmp, m.Name+"-"+b.token)}
	for _, d := range []string{out.raw, out.dir} {
		if err := os.MkdirAll(d, durable.DirPerm); err != nil {
			return nil, err
		}
	}
	var err error
	if out.kv, err = b.fileMetadata(m); err != nil {
		return nil, err
	}
	// Uncompressed: these files are read once, right away, and written again.
	options := []string{"FORMAT parquet", "COMPRESSION uncompressed"}
	target := filepath.Join(out.raw, "part-0.parquet")
	if len(m.PartitionBy) > 0 {
		cols := make([]string, len(m.PartitionBy))
		for i, p := range m.PartitionBy {
			cols[i] = warehouse.Ident(p)
		}
		options = append(options, "PARTITION_BY ("+strings.Join(cols, ", ")+")", "OVERWRITE_OR_IGNORE true")
		target = out.raw
	}
	//nolint:gosec // the view's name and the path are quoted (warehouse.Ident, Quote); the options are ours
	copyQ := fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (%s)", warehouse.Ident(m.Name), warehouse.Quote(target), strings.Join(options, ", "))
	if _, err := b.conn.ExecContext(ctx, copyQ); err != nil {
		return nil, err
	}
	err = filepath.WalkDir(out.raw, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".parquet") {
			rel, _ := filepath.Rel(out.raw, path)
			out.files = append(out.files, rel)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	glob := filepath.Join(out.raw, filepath.FromSlash(strings.TrimPrefix(warehouse.Pattern(m.Table()), m.Dataset()+"/")))
	read, err := warehouse.ViewSQL(glob, m, len(out.files) > 0)
	if err != nil {
		return nil, err
	}
	if _, err := b.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS %s", warehouse.Ident(m.Name), read)); err != nil {
		return nil, fmt.Errorf("read back: %w", err)
	}
	if err := b.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+warehouse.Ident(m.Name)).Scan(&out.rows); err != nil {
		return nil, fmt.Errorf("count: %w", err)
	}
	out.queried = time.Since(start)
	return out, nil
}

// rewrite writes every raw file of the marts again through the warehouse's
// Parquet writer, into the same relative path under each mart's directory,
// on up to GOMAXPROCS goroutines, the largest file first (so the longest
// does not start last); then fsyncs the marts' directories.
func rewrite(ctx context.Context, marts []*built, opts Options) error {
	type job struct {
		m    *built
		i    int
		size int64
	}
	var jobs []job
	for _, m := range marts {
		if len(m.files) == 0 && len(m.view.PartitionBy) == 0 {
			return fmt.Errorf("%s: DuckDB wrote no file", m.view.Name)
		}
		m.rewrites = make([]rewritten, len(m.files))
		for i, f := range m.files {
			info, err := os.Stat(filepath.Join(m.raw, f))
			if err != nil {
				return err
			}
			jobs = append(jobs, job{m, i, info.Size()})
		}
	}
	slices.SortStableFunc(jobs, func(a, b job) int { return cmp.Compare(b.size, a.size) })
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(runtime.GOMAXPROCS(0))
	for _, j := range jobs {
		p.Go(func(ctx context.Context) error {
			start := time.Now()
			files, err := rewriteFile(ctx, j.m, j.m.files[j.i], opts)
			if err != nil {
				return fmt.Errorf("%s: %w", j.m.view.Name, err)
			}
			j.m.rewrites[j.i] = rewritten{files: files, duration: time.Since(start)}
			return nil
		})
	}
	if err := p.Wait(); err != nil {
		return err
	}
	for _, m := range marts {
		if err := syncDirs(m.dir); err != nil {
			return err
		}
	}
	return nil
}

// rewriteFile writes one raw file (rel, relative to the mart's raw
// directory) again into the same relative directory of the mart.
func rewriteFile(ctx context.Context, m *built, rel string, opts Options) (files []warehouse.File, err error) {
	dir := filepath.Join(m.dir, filepath.Dir(rel))
	if err := os.MkdirAll(dir, durable.DirPerm); err != nil {
		return nil, err
	}
	t := m.view.Table()
	kv := maps.Clone(m.kv)
	if len(m.view.PartitionBy) > 0 {
		kv[warehouse.MetaPartition] = filepath.ToSlash(filepath.Dir(rel))
	}
	w := warehouse.NewWriter(dir, m.token, t, kv, warehouse.WriterOptions{Version: opts.Version, Build: opts.Build, RowGroupRows: rowGroupRows})
	defer w.Abort()
	want := warehouse.WriterSchema(t, nil)
	err = warehouse.ReadBatches(ctx, filepath.Join(m.raw, rel), func(rec arrow.RecordBatch) error {
		if err := sameTypes(rec.Schema(), want); err != nil {
			return err
		}
		return w.Write(rec)
	})
	if err != nil {
		return nil, err
	}
	return w.Finish()
}

// sameTypes checks that what DuckDB wrote has the mart's stored columns
// with the types the writer expects (timestamps UTC either way).
func sameTypes(got, want *arrow.Schema) error {
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("DuckDB wrote %d columns, the mart stores %d", got.NumFields(), want.NumFields())
	}
	for i, f := range want.Fields() {
		g := got.Field(i)
		if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			return fmt.Errorf("DuckDB wrote column %d as %s %s, the mart stores %s %s", i, g.Name, g.Type, f.Name, f.Type)
		}
	}
	return nil
}

// checkColumns compares the view's columns, in order, with the mart's
// declaration: a view edited without its declaration fails the build
// before anything is written.
func (b *builder) checkColumns(ctx context.Context, m schemas.View) error {
	//nolint:gosec // the view's name is quoted (warehouse.Ident)
	rows, err := b.conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+warehouse.Ident(m.Name)+")")
	if err != nil {
		return err
	}
	defer rows.Close()
	var got, want []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return err
		}
		got = append(got, name+" "+typ)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range m.Columns {
		typ, err := warehouse.DuckType(f.Type)
		if err != nil {
			return err
		}
		want = append(want, f.Name+" "+typ)
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("the view gives %v, schemas declares %v: change sql/views.sql and schemas/views.go together", got, want)
	}
	return nil
}

// fileMetadata is the key-value metadata of a mart's files (the writer
// adds carelake.partition for a partitioned mart's files).
func (b *builder) fileMetadata(m schemas.View) (map[string]string, error) {
	docs := map[string]string{}
	for _, f := range m.Columns {
		docs[f.Name], _ = f.Metadata.GetValue(schemas.DocKey)
	}
	cols, err := json.Marshal(docs)
	if err != nil {
		return nil, err
	}
	kv := map[string]string{
		warehouse.MetaVersion:    b.opts.Version,
		warehouse.MetaTable:      m.Dataset(),
		warehouse.MetaTableDoc:   m.Doc,
		warehouse.MetaColumnDocs: string(cols),
		warehouse.MetaPartition:  "",
		warehouse.MetaStage:      Stage,
		warehouse.MetaRunID:      b.opts.RunID,
		warehouse.MetaInputRunID: b.opts.RunID,
	}
	var licences, sources []string
	for _, system := range m.Sources {
		if v := b.meta[system][warehouse.MetaLicence]; v != "" {
			licences = append(licences, v)
		}
		if v := b.meta[system][warehouse.MetaSource]; v != "" {
			sources = append(sources, v)
		}
	}
	kv[warehouse.MetaLicence] = strings.Join(licences, "\n")
	kv[warehouse.MetaSource] = strings.Join(sources, "\n")
	return kv, nil
}

// syncDirs fsyncs every directory under dir, deepest first (the writer
// fsyncs the files).
func syncDirs(dir string) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, path)
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, d := range slices.Backward(dirs) {
		if err := durable.SyncDir(d); err != nil {
			return err
		}
	}
	return nil
}
