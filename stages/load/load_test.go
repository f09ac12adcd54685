package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"golang.org/x/sys/unix"

	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
	"carelake/schemas/loaded"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

const day = "2026-11-21"

var partDir = loadtest.Dataset + "/snapshot_date=" + day

func opts(root string) Options {
	return Options{Root: root, Tables: []schemas.Table{loadtest.Table()}, Version: "test"}
}

func mustRun(t *testing.T, o Options) Summary {
	t.Helper()
	sum, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// readFile reads a Parquet file with arrow-go and returns its rows and the
// ids of the first and last row.
func readFile(path string) (rows int64, first, last string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", "", err
	}
	defer f.Close()
	return readParquet(f)
}

func readParquet(r parquet.ReaderAtSeeker) (rows int64, first, last string, err error) {
	pf, err := file.NewParquetReader(r)
	if err != nil {
		return 0, "", "", err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		return 0, "", "", err
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return 0, "", "", err
	}
	defer tbl.Release()
	ids := tbl.Column(0).Data().Chunks()
	if tbl.NumRows() > 0 {
		first = ids[0].(*array.String).Value(0)
		lc := ids[len(ids)-1].(*array.String)
		last = lc.Value(lc.Len() - 1)
	}
	return tbl.NumRows(), first, last, nil
}

// visible lists what a reader globbing the dataset's partitions sees.
// Files of one partition share their load token; visible checks that and
// shows part-<load>-00000.parquet as part-00000.parquet.
func visible(t *testing.T, root string) []string {
	t.Helper()
	got, err := filepath.Glob(filepath.Join(root, loadtest.Dataset, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for i := range got {
		got[i], _ = filepath.Rel(root, got[i])
		m := loadedName.FindStringSubmatch(filepath.Base(got[i]))
		if m == nil {
			t.Fatalf("file %s is not named part-<load>-NNNNN.parquet", got[i])
		}
		dir := filepath.Dir(got[i])
		if tok, ok := tokens[dir]; ok && tok != m[1] {
			t.Fatalf("%s mixes the files of two loads", dir)
		}
		tokens[dir] = m[1]
		got[i] = filepath.Join(dir, "part-"+m[2])
	}
	return got
}

var loadedName = regexp.MustCompile(`^part-([0-9a-z]+)-([0-9]{5}\.parquet)$`)

// onlyFile is the one Parquet file of a partition directory.
func onlyFile(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if len(files) != 1 {
		t.Fatalf("%s holds %d Parquet files, want 1", dir, len(files))
	}
	return files[0]
}

func TestLoadWritesPartitionManifestAndState(t *testing.T) {
	root := t.TempDir()
	loadtest.Stage(t, root, "normalise-test", "run-1", 1000, day, "2026-11-22")
	var progress []string
	o := opts(root)
	o.OnPartition = func(p PartitionResult) { progress = append(progress, p.Path) }
	sum := mustRun(t, o)

	if sum.Loaded() != 2 || sum.Rows != 2000 || sum.Files != 2 || len(progress) != 2 {
		t.Fatalf("summary %+v, progress %v", sum, progress)
	}
	want := []string{partDir + "/part-00000.parquet", loadtest.Dataset + "/snapshot_date=2026-11-22/part-00000.parquet"}
	if got := visible(t, root); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	rows, first, last, err := readFile(onlyFile(t, filepath.Join(root, partDir)))
	if err != nil || rows != 1000 || first != "run-1/0-0" || last != "run-1/0-999" {
		t.Fatalf("read back %d rows %q..%q: %v", rows, first, last, err)
	}
	if _, err := os.Stat(filepath.Join(root, tmpDirName)); err != nil {
		t.Fatalf("temporary area: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(root, tmpDirName)); len(left) != 0 {
		t.Fatalf("temporary directories left behind: %v", left)
	}

	wm, err := ReadWarehouseManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	ds := wm.Datasets[loadtest.Dataset]
	if ds == nil || ds.Rows != 2000 || len(ds.Partitions) != 2 || ds.Partitions[partDir].RunID != "run-1" ||
		ds.Partitions[partDir].Files[0].Bytes == 0 || ds.Bytes != sum.Bytes || wm.UpdatedAt.IsZero() {
		t.Fatalf("warehouse manifest %+v", ds)
	}
	info, _ := os.Stat(onlyFile(t, filepath.Join(root, partDir)))
	if ds.Partitions[partDir].Files[0].Bytes != info.Size() {
		t.Fatalf("manifest bytes %d, file %d", ds.Partitions[partDir].Files[0].Bytes, info.Size())
	}
	st, err := loaded.ReadState(root)
	if err != nil || st.Stages["normalise-test"].RunID != "run-1" || st.Stages["normalise-test"].Rows != 2000 {
		t.Fatalf("state %+v %v", st, err)
	}
}

// TestParquetTypesAndMetadata reads the written file's Parquet metadata:
// the physical and logical type of every column, compression, dictionary
// pages, row groups and the key-value metadata (the Parquet policy).
func TestParquetTypesAndMetadata(t *testing.T) {
	root := t.TempDir()
	loadtest.Stage(t, root, "normalise-test", "run-1", 110_000, day)
	o := opts(root)
	o.RunID = "20261121T020000.000Z"
	mustRun(t, o)

	pf, err := file.OpenParquetFile(onlyFile(t, filepath.Join(root, partDir)), false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	md := pf.MetaData()
	type col struct {
		physical parquet.Type
		logical  string
	}
	want := map[string]col{
		"id":         {parquet.Types.ByteArray, "String"},
		"name":       {parquet.Types.ByteArray, "String"},
		"beds":       {parquet.Types.Int64, "Int(bitWidth=64, isSigned=true)"},
		"rank":       {parquet.Types.Int32, "Int(bitWidth=32, isSigned=true)"},
		"score":      {parquet.Types.Double, "None"},
		"active":     {parquet.Types.Boolean, "None"},
		"registered": {parquet.Types.Int32, "Date"},
		"fetched_at": {parquet.Types.Int64, "Timestamp(isAdjustedToUTC=true, timeUnit=microseconds, is_from_converted_type=false, force_set_converted_type=false)"},
		"fee":        {parquet.Types.FixedLenByteArray, "Decimal(precision=12, scale=2)"},
	}
	for i := 0; i < md.Schema.NumColumns(); i++ {
		c := md.Schema.Column(i)
		w, ok := want[c.Name()]
		if !ok {
			t.Errorf("unexpected column %s (partition columns live in directory names only)", c.Name())
			continue
		}
		if c.PhysicalType() != w.physical || c.LogicalType().String() != w.logical {
			t.Errorf("column %s: %s %s, want %s %s", c.Name(), c.PhysicalType(), c.LogicalType(), w.physical, w.logical)
		}
		if c.Name() == "fetched_at" && c.ConvertedType() != schema.ConvertedTypes.TimestampMicros {
			t.Errorf("fetched_at: converted type %s, want TIMESTAMP_MICROS for older readers", c.ConvertedType())
		}
	}
	if md.Schema.NumColumns() != len(want) {
		t.Errorf("%d columns, want %d", md.Schema.NumColumns(), len(want))
	}
	// 110k rows fit one row group (policy: 100k+ rows where the data allows).
	if md.NumRowGroups() != 1 || md.RowGroup(0).NumRows() != 110_000 {
		t.Errorf("%d row groups", md.NumRowGroups())
	}
	rg := md.RowGroup(0)
	for i := 0; i < rg.NumColumns(); i++ {
		cc, err := rg.ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		if cc.Compression() != compress.Codecs.Zstd {
			t.Errorf("column %d compressed with %s", i, cc.Compression())
		}
		if cc.Type() == parquet.Types.ByteArray && !cc.HasDictionaryPage() {
			t.Errorf("string column %v has no dictionary page", cc.PathInSchema())
		}
		if ok, _ := cc.StatsSet(); !ok {
			t.Errorf("column %v has no statistics", cc.PathInSchema())
		}
	}
	kv := map[string]string{}
	for _, k := range md.KeyValueMetadata().Keys() {
		kv[k] = *md.KeyValueMetadata().FindValue(k)
	}
	for k, v := range map[string]string{
		warehouse.MetaLicence: loadtest.Licence, warehouse.MetaSource: loadtest.Source, "extracted_at": "2026-11-21T02:00:00Z",
		warehouse.MetaVersion: "test", warehouse.MetaTable: loadtest.Dataset, warehouse.MetaTableDoc: loadtest.Table().Doc,
		warehouse.MetaPartition: "snapshot_date=" + day, warehouse.MetaStage: "normalise-test", warehouse.MetaRunID: "20261121T020000.000Z", warehouse.MetaInputRunID: "run-1",
	} {
		if kv[k] != v {
			t.Errorf("metadata %s = %q, want %q", k, kv[k], v)
		}
	}
	var docs map[string]string
	if err := json.Unmarshal([]byte(kv[warehouse.MetaColumnDocs]), &docs); err != nil || docs["fee"] != "Money, DECIMAL(12,2)." || len(docs) != 9 {
		t.Errorf("column docs %q: %v", kv[warehouse.MetaColumnDocs], err)
	}
	if kv["ARROW:schema"] == "" {
		t.Error("no stored Arrow schema")
	}
	if got, want := md.GetCreatedBy(), "carelake version test (build unknown)"; got != want {
		t.Errorf("created_by %q, want %q", got, want)
	}
}

// parquetMRCreatedBy is parquet-mr's VersionParser pattern (also Spark's
// and Trino's way to read created_by), matched in full as Java's
// Matcher.matches does.
var parquetMRCreatedBy = regexp.MustCompile(`^(?:(.*?)\s+version\s*(?:([^(]*?)\s*(?:\(\s*build\s*([^)]*?)\s*\))?)?)$`)

// A written file's created_by parses, with parquet-mr's pattern and with
// arrow-go's own parser, into the application, the version and the build.
func TestCreatedByParses(t *testing.T) {
	root := t.TempDir()
	loadtest.Stage(t, root, "normalise-test", "run-1", 10, day)
	o := opts(root)
	o.Version, o.Build = "v1.4.2-3-g4969535", "4969535"
	mustRun(t, o)
	pf, err := file.OpenParquetFile(onlyFile(t, filepath.Join(root, partDir)), false)
	if err != nil {
		t.Fatal(err)
	}
	createdBy := pf.MetaData().GetCreatedBy()
	pf.Close()
	if want := "carelake version 1.4.2-3-g4969535 (build 4969535)"; createdBy != want {
		t.Fatalf("created_by %q, want %q", createdBy, want)
	}
	m := parquetMRCreatedBy.FindStringSubmatch(createdBy)
	if m == nil || m[1] != "carelake" || m[2] != "1.4.2-3-g4969535" || m[3] != "4969535" {
		t.Fatalf("parquet-mr's pattern reads %q as %q", createdBy, m)
	}
	v := metadata.NewAppVersion(createdBy)
	if v.App != "carelake" || v.Build != "4969535" || v.Version.Major != 1 || v.Version.Minor != 4 || v.Version.Patch != 2 ||
		v.Version.PreRelease != "3-g4969535" {
		t.Fatalf("arrow-go reads %q as %+v", createdBy, v)
	}

	// Whatever the build hands over, the result still parses.
	for _, tc := range []struct{ version, build, wantVersion, wantBuild string }{
		{"dev", "", "dev", "unknown"},
		{"", "abc1234", "unknown", "abc1234"},
		{"1.0.0 (patched)", "a b)c", "1.0.0--patched-", "a-b-c"},
		{"v2.0.0", "unknown", "2.0.0", "unknown"},
	} {
		s := warehouse.CreatedBy(tc.version, tc.build)
		m := parquetMRCreatedBy.FindStringSubmatch(s)
		if m == nil || m[1] != "carelake" || m[2] != tc.wantVersion || m[3] != tc.wantBuild {
			t.Errorf("warehouse.CreatedBy(%q, %q) = %q, parsed %q", tc.version, tc.build, s, m)
		}
		if v := metadata.NewAppVersion(s); v.App != "carelake" || v.Build != strings.ToLower(tc.wantBuild) {
			t.Errorf("arrow-go reads %q as %+v", s, v)
		}
	}
}

func TestTimestampsCoercedToMicrosecondsUTC(t *testing.T) {
	// A table registered with nanosecond timestamps and no time zone is
	// still written as INT64 microseconds, isAdjustedToUTC.
	root := t.TempDir()
	ns := &arrow.TimestampType{Unit: arrow.Nanosecond}
	tbl := schemas.Table{Dataset: "test/ns", Schema: arrow.NewSchema([]arrow.Field{schemas.Field("at", ns, false, "An instant.")}, nil)}
	w, err := staging.Begin(root, "normalise-test", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	w.SetMeta(warehouse.MetaLicence, "l")
	w.SetMeta(warehouse.MetaSource, "s")
	b := array.NewTimestampBuilder(memory.DefaultAllocator, ns)
	b.Append(arrow.Timestamp(1_700_000_000_123_456_789))
	col := b.NewArray()
	rec := array.NewRecordBatch(tbl.Schema, []arrow.Array{col}, 1)
	if err := w.Write("test/ns", "test/ns", rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	col.Release()
	b.Release()
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	o := opts(root)
	o.Tables = []schemas.Table{tbl}
	mustRun(t, o)

	pf, err := file.OpenParquetFile(onlyFile(t, filepath.Join(root, "test/ns")), false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	c := pf.MetaData().Schema.Column(0)
	ts, ok := c.LogicalType().(schema.TimestampLogicalType)
	if !ok || c.PhysicalType() != parquet.Types.Int64 || ts.TimeUnit() != schema.TimeUnitMicros || !ts.IsAdjustedToUTC() {
		t.Fatalf("at: %s %s", c.PhysicalType(), c.LogicalType())
	}
	rr, err := pf.RowGroup(0).Column(0)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]int64, 1)
	if _, n, err := rr.(*file.Int64ColumnChunkReader).ReadBatch(1, vals, nil, nil); err != nil || n != 1 || vals[0] != 1_700_000_000_123_456 {
		t.Fatalf("stored %v (%d, %v), want microseconds 1700000000123456", vals, n, err)
	}
}

// TestRerunSameDateReplacesAtomically reloads a date while readers keep
// opening the partition: each sees the whole old partition or the whole new
// one, never a partial file, a missing partition or a mix.
func TestRerunSameDateReplacesAtomically(t *testing.T) {
	root := t.TempDir()
	loadtest.Stage(t, root, "normalise-test", "run-1", 3000, day)
	mustRun(t, opts(root))

	dst := filepath.Join(root, partDir)
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		reads   atomic.Int64
		errs    = make(chan error, 4)
		allowed = map[int64]bool{3000: true, 5000: true}
	)
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				n, err := readWholePartition(dst)
				if errors.Is(err, errVanished) {
					continue // listed the old files just before they were removed: read again
				}
				if err != nil || !allowed[n] {
					errs <- fmt.Errorf("partition read %d rows: %w", n, err)
					return
				}
				reads.Add(1)
			}
		}()
	}
	// Run 2 of the same date has more rows, split over three files.
	loadtest.Stage(t, root, "normalise-test", "run-2", 5000, day)
	o := opts(root)
	o.FileRows = 2000
	for i := 0; i < 3; i++ { // reload repeatedly to give the readers chances to race
		o.Force = true
		mustRun(t, o)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if reads.Load() == 0 {
		t.Fatal("readers never read")
	}
	want := []string{partDir + "/part-00000.parquet", partDir + "/part-00001.parquet", partDir + "/part-00002.parquet"}
	if got := visible(t, root); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	if n, err := readWholePartition(dst); err != nil || n != 5000 {
		t.Fatalf("new partition: %d rows, %v", n, err)
	}
	wm, _ := ReadWarehouseManifest(root)
	if p := wm.Datasets[loadtest.Dataset].Partitions[partDir]; p.RunID != "run-2" || p.Rows != 5000 || len(p.Files) != 3 {
		t.Fatalf("manifest partition %+v", p)
	}
}

// errVanished means a file listed in a partition was gone when opened.
var errVanished = errors.New("listed file vanished")

// readWholePartition opens the partition directory once and reads every
// file through that descriptor, as a reader that wants one consistent
// listing does, and returns the total rows. Replacing a partition removes
// the old files: a reader that listed them just before gets errVanished,
// never a mix of old and new files.
func readWholePartition(dir string) (int64, error) {
	d, err := os.Open(dir)
	if err != nil {
		return 0, err // the partition itself must never be missing
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if errors.Is(err, unix.ENOENT) {
		return 0, errVanished // the directory opened was the old one, removed since
	}
	if err != nil {
		return 0, err
	}
	var total int64
	for _, name := range names {
		if !strings.HasSuffix(name, ".parquet") {
			return 0, errors.New("unexpected file " + name)
		}
		fd, err := unix.Openat(int(d.Fd()), name, unix.O_RDONLY, 0)
		if errors.Is(err, unix.ENOENT) {
			return 0, errVanished
		}
		if err != nil {
			return 0, err
		}
		f := os.NewFile(uintptr(fd), name)
		n, _, _, err := readParquet(f)
		f.Close()
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

func TestLoadTwiceIsNoopUnlessForced(t *testing.T) {
	root := t.TempDir()
	loadtest.Stage(t, root, "normalise-test", "run-1", 100, day)
	mustRun(t, opts(root))
	path := onlyFile(t, filepath.Join(root, partDir))
	before, _ := os.Stat(path)

	sum := mustRun(t, opts(root))
	if len(sum.Stages) != 1 || !sum.Stages[0].Skipped || sum.Loaded() != 0 {
		t.Fatalf("second load did work: %+v", sum)
	}
	after, _ := os.Stat(path)
	if !os.SameFile(before, after) {
		t.Fatal("second load rewrote the file")
	}

	o := opts(root)
	o.Force = true
	if sum := mustRun(t, o); sum.Stages[0].Skipped || sum.Loaded() != 1 {
		t.Fatalf("forced load skipped: %+v", sum)
	}
	forced, _ := os.Stat(path)
	if os.SameFile(before, forced) {
		t.Fatal("forced load did not rewrite the file")
	}

	// A new run of the stage is loaded without --force.
	loadtest.Stage(t, root, "normalise-test", "run-2", 50, day)
	if sum := mustRun(t, opts(root)); sum.Loaded() != 1 || sum.Rows != 50 {
		t.Fatalf("new run not loaded: %+v", sum)
	}
}

func TestStagesDefaultAndOrder(t *testing.T) {
	root := t.TempDir()
	if _, err := Run(context.Background(), opts(root)); !errors.Is(err, staging.ErrNotStaged) {
		t.Fatalf("empty warehouse: %v", err)
	}
	loadtest.Stage(t, root, "resolve-test", "r", 10, "2026-11-20")
	loadtest.Stage(t, root, "normalise-test", "n", 10, day)
	sum := mustRun(t, opts(root))
	if len(sum.Stages) != 2 || sum.Stages[0].Stage != "normalise-test" || sum.Stages[1].Stage != "resolve-test" {
		t.Fatalf("stages %+v", sum.Stages)
	}
	o := opts(root)
	o.Stages = []string{"nope-test"}
	if _, err := Run(context.Background(), o); !errors.Is(err, staging.ErrNotStaged) || !strings.Contains(err.Error(), "carelake nope") {
		t.Fatalf("missing stage: %v", err)
	}
}

func TestRejectsBadStageOutputUntouched(t *testing.T) {
	other := schemas.Table{Dataset: "test/other", PartitionBy: []string{"snapshot_date"}, Schema: loadtest.Table().Schema}
	wrong := loadtest.Table()
	wrong.Schema = arrow.NewSchema(append(slices.Clone(wrong.Schema.Fields()[:2]),
		schemas.Field("beds", arrow.PrimitiveTypes.Int32, true, "")), nil)
	tests := []struct {
		name   string
		tables []schemas.Table
		meta   map[string]string
		second string // a second stage staging the same partitions
		want   error
		msg    string
	}{
		{name: "unregistered table", tables: []schemas.Table{other}, want: ErrUnknownTable, msg: "test/things"},
		{name: "schema differs", tables: []schemas.Table{wrong}, want: ErrSchemaMismatch, msg: "column beds is int64, registered int32"},
		{name: "no licence", meta: map[string]string{"licence": ""}, want: ErrNoLicence, msg: `"licence"`},
		{name: "two stages, one partition", second: "resolve-test", want: ErrConflict, msg: partDir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			w, _ := staging.Begin(root, "normalise-test", "run-1")
			meta := map[string]string{"licence": "l", "source": "s"}
			for k, v := range tc.meta {
				meta[k] = v
			}
			for k, v := range meta {
				w.SetMeta(k, v)
			}
			rec := loadtest.Batch(10, "x")
			defer rec.Release()
			if err := w.Write(loadtest.Dataset, partDir, rec); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			if tc.second != "" {
				loadtest.Stage(t, root, tc.second, "run-1", 10, day)
			}
			o := opts(root)
			if tc.tables != nil {
				o.Tables = tc.tables
			}
			_, err := Run(context.Background(), o)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %v mentioning %q", err, tc.want, tc.msg)
			}
			if _, err := os.Stat(filepath.Join(root, loadtest.Dataset)); !os.IsNotExist(err) {
				t.Fatal("a rejected stage output touched the warehouse")
			}
		})
	}
}

func TestCheckPartitionPath(t *testing.T) {
	monthly := schemas.Table{Dataset: "careq/appointments", PartitionBy: []string{"clinic_id", "event_month"}}
	dated := schemas.Table{Dataset: "cqc/locations", PartitionBy: []string{"snapshot_date"}}
	flat := schemas.Table{Dataset: "cqc/inspection_areas"}
	tests := []struct {
		table schemas.Table
		path  string
		ok    bool
	}{
		{monthly, "careq/appointments/clinic_id=clinic_abc/event_month=2026-12", true},
		{monthly, "careq/appointments/clinic_id=c-1.2@x/event_month=2026-12", true},
		{monthly, "careq/appointments/event_month=2026-12/clinic_id=c", false},
		{monthly, "careq/appointments/clinic_id=c", false},
		{monthly, "careq/appointments/clinic_id=c/event_month=2026-13", false},
		{monthly, "careq/appointments/clinic_id=c/event_month=2026-12-15", false},
		{monthly, "careq/appointments/clinic_id=c/event_month=2026-1", false},
		{monthly, "careq/appointments/clinic_id=c/event_month=2026-12.old", false},
		{monthly, "careq/appointments/clinic_id=c/event_date=2026-12-15", false},
		{monthly, "careq/appointments/clinic_id=../event_month=2026-12", false},
		{monthly, "careq/appointments/clinic_id=.hidden/event_month=2026-12", false},
		{monthly, "careq/appointments/clinic_id=a b/event_month=2026-12", false},
		{monthly, "careq/appointments/clinic_id=x.old/event_month=2026-12", false},
		{monthly, "careq/appointmentsX/clinic_id=c/event_month=2026-12", false},
		{monthly, "careq/appointments/clinic_id=/event_month=2026-12", false},
		{dated, "cqc/locations/snapshot_date=2026-11-21", true},
		{dated, "cqc/locations/snapshot_date=2026-13-01", false},
		{dated, "cqc/locations/snapshot_date=2026-11", false},
		{flat, "cqc/inspection_areas", true},
		{flat, "cqc/inspection_areas/snapshot_date=2026-11-21", false},
	}
	for _, tc := range tests {
		err := checkPartitionPath(tc.table, tc.path)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrBadPartition)) {
			t.Errorf("%s: %v", tc.path, err)
		}
	}
}

func FuzzCheckPartitionPath(f *testing.F) {
	f.Add("careq/appointments/clinic_id=clinic_abc/event_month=2026-12")
	f.Add("careq/appointments/clinic_id=../event_month=2026-12")
	dated := schemas.Table{Dataset: "careq/appointments", PartitionBy: []string{"clinic_id", "event_month"}}
	f.Fuzz(func(t *testing.T, path string) {
		if checkPartitionPath(dated, path) != nil {
			return
		}
		// An accepted path stays inside the dataset, one directory per key.
		rel := strings.TrimPrefix(path, dated.Dataset+"/")
		if !filepath.IsLocal(path) || filepath.Clean(path) != path || strings.Count(rel, "/") != 1 || strings.Contains(rel, "/.") {
			t.Fatalf("accepted %q", path)
		}
	})
}

func TestSplitsFilesAndRowGroups(t *testing.T) {
	root := t.TempDir()
	loadtest.Stage(t, root, "normalise-test", "run-1", 2500, day)
	o := opts(root)
	o.FileRows, o.RowGroupRows = 1000, 300
	sum := mustRun(t, o)
	files := sum.Stages[0].Partitions[0].Files
	if len(files) != 3 || files[0].Rows != 1000 || files[2].Rows != 500 {
		t.Fatalf("files %+v", files)
	}
	var total int64
	for i, f := range files {
		pf, err := file.OpenParquetFile(filepath.Join(root, partDir, f.Name), false)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{4, 4, 2}[i]; pf.NumRowGroups() != want {
			t.Errorf("%s: %d row groups, want %d", f.Name, pf.NumRowGroups(), want)
		}
		total += pf.NumRows()
		pf.Close()
	}
	if total != 2500 {
		t.Fatalf("%d rows", total)
	}
}

func TestEmptyPartitionGetsOneValidFile(t *testing.T) {
	root := t.TempDir()
	loadtest.Stage(t, root, "normalise-test", "run-1", 0, day)
	mustRun(t, opts(root))
	rows, _, _, err := readFile(onlyFile(t, filepath.Join(root, partDir)))
	if err != nil || rows != 0 {
		t.Fatalf("%d rows, %v", rows, err)
	}
}

func TestCancelLeavesNoPartition(t *testing.T) {
	root := t.TempDir()
	loadtest.Stage(t, root, "normalise-test", "run-1", 1000, day)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, opts(root)); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, partDir)); !os.IsNotExist(err) {
		t.Fatal("cancelled load left a partition")
	}
	if left, _ := os.ReadDir(filepath.Join(root, tmpDirName)); len(left) != 0 {
		t.Fatalf("cancelled load left %v", left)
	}
	if st, _ := loaded.ReadState(root); len(st.Stages) != 0 {
		t.Fatal("cancelled load recorded the stage as loaded")
	}
}

// TestRecoversInterruptedFallbackSwap: a crash between the two renames of
// ReplaceDir's fallback leaves <partition>.old and no partition; the next
// load puts it back before anything else.
func TestRecoversInterruptedFallbackSwap(t *testing.T) {
	root := t.TempDir()
	loadtest.Stage(t, root, "normalise-test", "run-1", 10, day)
	mustRun(t, opts(root))
	dst := filepath.Join(root, partDir)
	if err := os.Rename(dst, dst+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, tmpDirName, "dead"), 0o755); err != nil {
		t.Fatal(err)
	}
	loadtest.Stage(t, root, "normalise-test", "run-2", 10, "2026-11-22")
	mustRun(t, opts(root))
	if n, err := readWholePartition(dst); err != nil || n != 10 {
		t.Fatalf("partition not restored: %d, %v", n, err)
	}
	if _, err := os.Stat(dst + ".old"); !os.IsNotExist(err) {
		t.Fatal(".old left behind")
	}
	if _, err := os.Stat(filepath.Join(root, tmpDirName, "dead")); !os.IsNotExist(err) {
		t.Fatal("dead temporary directory left behind")
	}
}

func BenchmarkLoad(b *testing.B) {
	root := b.TempDir()
	const rows = 200_000
	loadtest.Stage(b, root, "normalise-test", "run-1", rows, day)
	o := opts(root)
	o.Force = true
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestLoadRemovesWhatNoStageStillReads: with RemoveLoaded, a loaded stage
// output leaves staging, except normalise-cqc while no resolve-cqc output
// computed from it is staged (resolve still has to read it); a load with
// nothing left staged is a no-op, and a forced one says what is missing.
func TestLoadRemovesWhatNoStageStillReads(t *testing.T) {
	root := t.TempDir()
	o := opts(root)
	o.RemoveLoaded = true
	staged := func(stage string) bool {
		_, err := staging.Open(root, stage)
		return err == nil
	}
	loadtest.Stage(t, root, staging.NormaliseCQC, "run-1", 10, day)
	loadtest.Stage(t, root, staging.NormaliseCareQ, "run-1", 10, "2026-11-19")
	if sum := mustRun(t, o); !slices.Equal(sum.Removed, []string{staging.NormaliseCareQ}) || !staged(staging.NormaliseCQC) {
		t.Fatalf("removed %v; normalise-cqc still staged: %v", sum.Removed, staged(staging.NormaliseCQC))
	}

	// A resolve output of another run does not release it either.
	stageResolve(t, root, "run-0")
	if sum := mustRun(t, o); !slices.Equal(sum.Removed, []string{staging.ResolveCQC}) || !staged(staging.NormaliseCQC) {
		t.Fatalf("removed %v; normalise-cqc still staged: %v", sum.Removed, staged(staging.NormaliseCQC))
	}

	// The resolve output computed from it does.
	stageResolve(t, root, "run-1")
	sum := mustRun(t, o)
	if !slices.Equal(sum.Removed, []string{staging.NormaliseCQC, staging.ResolveCQC}) || staged(staging.NormaliseCQC) || staged(staging.ResolveCQC) {
		t.Fatalf("removed %v", sum.Removed)
	}
	if rows, err := readRows(filepath.Join(root, partDir)); err != nil || rows != 10 {
		t.Fatalf("%d rows of normalise-cqc in the warehouse: %v", rows, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "staging")); len(entries) != 0 {
		t.Fatalf("staging still holds %v", entries)
	}

	if sum := mustRun(t, o); sum.Loaded() != 0 || len(sum.Stages) != 0 {
		t.Fatalf("a load with nothing staged did work: %+v", sum)
	}
	o.Force = true
	if _, err := Run(context.Background(), o); !errors.Is(err, staging.ErrNotStaged) {
		t.Fatalf("a forced load with nothing staged: %v", err)
	}
}

// stageResolve stages a resolve-cqc output computed from normalise-cqc's
// output of run (also its own run).
func stageResolve(t *testing.T, root, run string) {
	w, err := staging.Begin(root, staging.ResolveCQC, run)
	if err != nil {
		t.Fatal(err)
	}
	w.SetInput(staging.NormaliseCQC, run)
	w.SetMeta(warehouse.MetaLicence, loadtest.Licence)
	w.SetMeta(warehouse.MetaSource, loadtest.Source)
	rec := loadtest.Batch(5, "resolve")
	err = w.Write(loadtest.Dataset, loadtest.Dataset+"/snapshot_date=2026-11-20", rec)
	rec.Release()
	if err == nil {
		_, err = w.Commit()
	}
	if err != nil {
		t.Fatal(err)
	}
}
