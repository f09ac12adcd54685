package staging

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "location_id", Type: arrow.BinaryTypes.String},
	{Name: "beds", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

func batch(ids ...string) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i, id := range ids {
		b.Field(0).(*array.StringBuilder).Append(id)
		if i%2 == 0 {
			b.Field(1).(*array.Int64Builder).Append(int64(i))
		} else {
			b.Field(1).AppendNull()
		}
	}
	return b.NewRecordBatch()
}

func TestCommitThenRead(t *testing.T) {
	root := t.TempDir()
	if _, err := Open(root, "normalise-cqc"); !errors.Is(err, ErrNotStaged) {
		t.Fatalf("want ErrNotStaged, got %v", err)
	}
	w, err := Begin(root, "normalise-cqc", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	w.SetMeta("source", "CQC")
	part := "cqc/locations/snapshot_date=2026-11-21"
	for _, r := range []arrow.RecordBatch{batch("1-1", "1-2"), batch("1-3")} {
		if err := w.Write("cqc/locations", part, r); err != nil {
			t.Fatal(err)
		}
		r.Release()
	}
	m, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Open(root, "normalise-cqc")
	if err != nil {
		t.Fatal(err)
	}
	if m2.RunID != "run-1" || m2.Meta["source"] != "CQC" || len(m2.Find("cqc/locations")) != 1 || m.Partitions[0].Rows != 3 {
		t.Fatalf("manifest %+v", m2)
	}
	var ids []string
	err = m2.Read(m2.Partitions[0], func(r arrow.RecordBatch) error {
		col := r.Column(0).(*array.String)
		for i := 0; i < col.Len(); i++ {
			ids = append(ids, col.Value(i))
		}
		return nil
	})
	if err != nil || len(ids) != 3 || ids[2] != "1-3" {
		t.Fatalf("read %v, %v", ids, err)
	}
}

func TestCrashBeforeCommitKeepsPreviousOutput(t *testing.T) {
	root := t.TempDir()
	w, _ := Begin(root, "normalise-cqc", "run-1")
	r := batch("1-1")
	w.Write("cqc/locations", "cqc/locations/snapshot_date=2026-11-20", r)
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	// A second run writes but never commits (the process dies).
	w2, _ := Begin(root, "normalise-cqc", "run-2")
	w2.Write("cqc/locations", "cqc/locations/snapshot_date=2026-11-21", r)
	m, err := Open(root, "normalise-cqc")
	if err != nil || m.RunID != "run-1" {
		t.Fatalf("previous output not intact: %+v %v", m, err)
	}
	// The next attempt cleans up the dead one's temporary directory.
	w3, _ := Begin(root, "normalise-cqc", "run-3")
	left, _ := filepath.Glob(filepath.Join(root, "staging", ".normalise-cqc.tmp-*"))
	if len(left) != 1 || left[0] != w3.tmp {
		t.Fatalf("stale temporary directories: %v", left)
	}
	w3.Write("cqc/locations", "cqc/locations/snapshot_date=2026-11-21", r)
	if _, err := w3.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(Dir(root, "normalise-cqc"), "cqc/locations/snapshot_date=2026-11-20")); !os.IsNotExist(err) {
		t.Fatal("old partition survived a full replacement")
	}
	r.Release()
}

func TestClosePartitionsStartsNewFiles(t *testing.T) {
	root := t.TempDir()
	w, err := Begin(root, "normalise-careq", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	part := "careq/events/clinic_id=clinic_abc/event_month=2026-11"
	r := batch("1-1", "1-2")
	defer r.Release()
	for i := 0; i < 3; i++ {
		if err := w.Write("careq/events", part, r); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if err := w.ClosePartitions(); err != nil {
				t.Fatal(err)
			}
		}
	}
	m, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	p := m.Partitions[0]
	if len(p.Files) != 3 || p.Rows != 6 || p.Files[2] != "part-00002.arrow" {
		t.Fatalf("partition %+v", p)
	}
	n := int64(0)
	if err := m.Read(p, func(r arrow.RecordBatch) error { n += r.NumRows(); return nil }); err != nil || n != 6 {
		t.Fatalf("read %d rows, %v", n, err)
	}
}

// Async writes every batch in the order given, releasing each once written;
// after a failed write the error comes back from later Writes and from
// Close.
func TestAsyncWritesInOrderAndReportsTheFirstError(t *testing.T) {
	root := t.TempDir()
	w, err := Begin(root, "normalise-cqc", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	part := "cqc/locations/snapshot_date=2026-11-21"
	aw := w.Async(2)
	var want []string
	for i := 0; i < 50; i++ {
		id := "1-" + string(rune('A'+i%26)) + string(rune('a'+i/26))
		want = append(want, id)
		r := batch(id)
		if err := aw.Write("cqc/locations", part, r); err != nil {
			t.Fatal(err)
		}
		r.Release() // Async holds its own reference
	}
	if err := aw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := aw.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	m, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := m.Read(m.Partitions[0], func(r arrow.RecordBatch) error {
		got = append(got, r.Column(0).(*array.String).Value(0))
		return nil
	}); err != nil || len(got) != len(want) {
		t.Fatalf("read %d batches, %v", len(got), err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("batch %d is %s, want %s", i, got[i], want[i])
		}
	}

	// A batch the partition refuses (another schema) fails the writer.
	w, err = Begin(root, "normalise-cqc", "run-2")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	aw = w.Async(1)
	other := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	bad := array.NewRecordBatch(other, []arrow.Array{array.NewInt64Builder(memory.DefaultAllocator).NewArray()}, 0)
	for _, r := range []arrow.RecordBatch{batch("1-1"), bad} {
		if err := aw.Write("cqc/locations", part, r); err != nil {
			t.Fatal(err)
		}
	}
	var failed error
	for i := 0; i < 1000 && failed == nil; i++ {
		failed = aw.Write("cqc/locations", part, batch("1-2"))
	}
	if failed == nil {
		t.Fatal("writes kept succeeding after a refused batch")
	}
	if err := aw.Close(); err == nil || err.Error() != failed.Error() {
		t.Fatalf("Close: %v, want the write error %v", err, failed)
	}
}
