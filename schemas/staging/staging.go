// Package staging is how one stage hands its durable output to the next:
// Arrow IPC files under <out>/staging/<stage>/, committed as a whole.
//
// Layout:
//
//	<out>/staging/<stage>/manifest.json                   written last
//	<out>/staging/<stage>/<partition path>/part-00000.arrow
//
// A partition path mirrors where the load stage will write the Parquet, e.g.
// cqc/locations/snapshot_date=2026-11-21 or
// careq/appointments/clinic_id=clinic_abc/event_month=2026-12.
//
// Begin writes into a fresh temporary directory; Commit closes every file,
// writes the manifest and swaps the directory into place atomically, so the
// next stage sees either the previous complete output or the new complete
// one, never a part. A crash before Commit leaves the previous output intact
// (and a temporary directory that the next Begin removes).
package staging

import (
	"carelake/pipeline/durable"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const manifestName = "manifest.json"

// The stage outputs of a run, by the name load and later stages open them.
const (
	NormaliseCQC   = "normalise-cqc"
	NormaliseCareQ = "normalise-careq"
	ResolveCQC     = "resolve-cqc"
)

// ErrNotStaged means a stage has no committed output yet: run it first.
var ErrNotStaged = errors.New("no staged output")

// Manifest describes one committed stage output.
type Manifest struct {
	Stage     string    `json:"stage"`
	RunID     string    `json:"run_id"`
	CreatedAt time.Time `json:"created_at"`
	// Inputs records provenance, e.g. the archive segments read or the run
	// ID of the upstream stage output this one was computed from.
	Inputs map[string]string `json:"inputs,omitempty"`
	// Meta is copied into every Parquet file's key-value metadata by load
	// (source, licence, extraction time, ...).
	Meta map[string]string `json:"meta,omitempty"`
	// Consumes lists, by kind, the inputs this output consumes (e.g.
	// "careq-segments": log segment names). Load marks them loaded with
	// loaded.Mark once every partition is in place.
	Consumes   map[string][]string `json:"consumes,omitempty"`
	Partitions []Partition         `json:"partitions"`

	dir string
}

// Partition is one staged table partition.
type Partition struct {
	// Table is the dataset directory relative to the warehouse root
	// (cqc/locations); Path the partition directory (cqc/locations/snapshot_date=...).
	Table string   `json:"table"`
	Path  string   `json:"path"`
	Files []string `json:"files"`
	Rows  int64    `json:"rows"`
}

// Dir is the staging directory of a stage under the warehouse root.
func Dir(root, stage string) string { return filepath.Join(root, "staging", stage) }

// Writer stages one stage's output. It is not safe for concurrent use.
type Writer struct {
	root, stage string
	tmp         string
	man         Manifest
	tables      map[string]*tableWriter // by partition path
	order       []string
	mem         memory.Allocator
}

type tableWriter struct {
	part   Partition
	schema *arrow.Schema
	f      *os.File // nil once closed by ClosePartitions
	w      *ipc.FileWriter
}

// Begin starts a new output for stage under the warehouse root.
func Begin(root, stage, runID string) (*Writer, error) {
	parent := filepath.Join(root, "staging")
	if err := os.MkdirAll(parent, durable.DirPerm); err != nil {
		return nil, fmt.Errorf("staging: %w", err)
	}
	// Remove what an earlier crashed attempt of this stage left behind.
	old, _ := filepath.Glob(filepath.Join(parent, "."+stage+".tmp-*"))
	for _, o := range old {
		if err := os.RemoveAll(o); err != nil {
			return nil, fmt.Errorf("staging: remove %s: %w", o, err)
		}
	}
	tmp, err := durable.MkdirUnique(parent, "."+stage+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("staging: %w", err)
	}
	return &Writer{
		root: root, stage: stage, tmp: tmp,
		man:    Manifest{Stage: stage, RunID: runID, Inputs: map[string]string{}, Meta: map[string]string{}},
		tables: map[string]*tableWriter{},
		mem:    memory.DefaultAllocator,
	}, nil
}

// SetInput records a provenance entry in the manifest.
func (w *Writer) SetInput(key, value string) { w.man.Inputs[key] = value }

// Consumes records inputs of a kind this output consumes; see Manifest.Consumes.
func (w *Writer) Consumes(kind string, names ...string) {
	if w.man.Consumes == nil {
		w.man.Consumes = map[string][]string{}
	}
	w.man.Consumes[kind] = append(w.man.Consumes[kind], names...)
}

// SetMeta records a key-value pair for the Parquet files' metadata.
func (w *Writer) SetMeta(key, value string) { w.man.Meta[key] = value }

// Write appends a record batch to the partition at path (e.g.
// cqc/locations/snapshot_date=2026-11-21) of table (cqc/locations). Every
// batch of one partition must share one schema.
func (w *Writer) Write(table, path string, rec arrow.RecordBatch) error {
	tw, ok := w.tables[path]
	if !ok {
		if !strings.HasPrefix(path, table+"/") && path != table {
			return fmt.Errorf("staging: partition %q is not under table %q", path, table)
		}
		tw = &tableWriter{part: Partition{Table: table, Path: path}, schema: rec.Schema()}
		w.tables[path] = tw
		w.order = append(w.order, path)
	}
	if !tw.schema.Equal(rec.Schema()) {
		return fmt.Errorf("staging: %s: batch schema differs from the partition's", path)
	}
	if tw.f == nil {
		if err := w.openFile(tw); err != nil {
			return err
		}
	}
	if err := tw.w.Write(rec); err != nil {
		return fmt.Errorf("staging: write %s: %w", path, err)
	}
	tw.part.Rows += rec.NumRows()
	return nil
}

// Async is a Writer's Write on a goroutine of its own: Write hands the batch
// over and returns at once, so the caller builds its next batches while this
// one is compressed and written. Batches are written in the order given, at
// most queue of them waiting. Close waits for the last one; it must be
// called before the Writer's Commit or Abort. After a failed write, that
// error is returned by every later Write (whose batch is dropped) and by
// Close.
type Async struct {
	ch        chan asyncBatch
	done      chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex
	err       error
}

type asyncBatch struct {
	table, path string
	rec         arrow.RecordBatch
}

// Async starts writing batches in the background; see Async.
func (w *Writer) Async(queue int) *Async {
	a := &Async{ch: make(chan asyncBatch, queue), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for b := range a.ch {
			if a.failed() == nil {
				if err := w.Write(b.table, b.path, b.rec); err != nil {
					a.mu.Lock()
					a.err = err
					a.mu.Unlock()
				}
			}
			b.rec.Release()
		}
	}()
	return a
}

func (a *Async) failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// Write queues rec (retained until written) for the partition at path of
// table; see Writer.Write.
func (a *Async) Write(table, path string, rec arrow.RecordBatch) error {
	if err := a.failed(); err != nil {
		return err
	}
	rec.Retain()
	a.ch <- asyncBatch{table: table, path: path, rec: rec}
	return nil
}

// Close waits until every queued batch is written and returns the first
// write error. It may be called more than once.
func (a *Async) Close() error {
	a.closeOnce.Do(func() { close(a.ch) })
	<-a.done
	return a.failed()
}

// openFile starts the partition's next file (part-00000.arrow, part-00001.arrow, ...).
func (w *Writer) openFile(tw *tableWriter) error {
	dir := filepath.Join(w.tmp, filepath.FromSlash(tw.part.Path))
	if err := os.MkdirAll(dir, durable.DirPerm); err != nil {
		return fmt.Errorf("staging: %w", err)
	}
	name := fmt.Sprintf("part-%05d.arrow", len(tw.part.Files))
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE|os.O_EXCL, durable.FilePerm)
	if err != nil {
		return fmt.Errorf("staging: %w", err)
	}
	iw, err := ipc.NewFileWriter(f, ipc.WithSchema(tw.schema), ipc.WithAllocator(w.mem), ipc.WithLZ4())
	if err != nil {
		f.Close()
		return fmt.Errorf("staging: %s: %w", tw.part.Path, err)
	}
	tw.f, tw.w = f, iw
	tw.part.Files = append(tw.part.Files, name)
	return nil
}

// closeFile finishes and fsyncs the partition's current file, if open.
func (tw *tableWriter) closeFile() error {
	if tw.f == nil {
		return nil
	}
	f := tw.f
	tw.f = nil
	if err := tw.w.Close(); err != nil {
		f.Close()
		return fmt.Errorf("staging: close %s: %w", tw.part.Path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("staging: fsync %s: %w", tw.part.Path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("staging: close %s: %w", tw.part.Path, err)
	}
	return durable.SyncDir(filepath.Dir(f.Name()))
}

// ClosePartitions finishes every open partition file, so a stage touching
// many partitions over time (one CareQ log segment after another) holds no
// file open for long. A later Write to a partition starts its next file.
func (w *Writer) ClosePartitions() error {
	for _, path := range w.order {
		if err := w.tables[path].closeFile(); err != nil {
			w.Abort()
			return err
		}
	}
	return nil
}

// Commit closes and fsyncs every staged file, writes the manifest and swaps
// the output into place. The Writer cannot be used afterwards.
func (w *Writer) Commit() (*Manifest, error) {
	if err := w.ClosePartitions(); err != nil {
		return nil, err
	}
	for _, path := range w.order {
		w.man.Partitions = append(w.man.Partitions, w.tables[path].part)
	}
	w.tables = nil
	sort.Slice(w.man.Partitions, func(i, j int) bool { return w.man.Partitions[i].Path < w.man.Partitions[j].Path })
	w.man.CreatedAt = time.Now().UTC()
	err := durable.WriteFileAtomic(filepath.Join(w.tmp, manifestName), durable.FilePerm, func(out io.Writer) error {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(&w.man)
	})
	if err != nil {
		w.Abort()
		return nil, fmt.Errorf("staging: manifest: %w", err)
	}
	dst := Dir(w.root, w.stage)
	if err := durable.ReplaceDir(w.tmp, dst); err != nil {
		w.Abort()
		return nil, fmt.Errorf("staging: commit %s: %w", w.stage, err)
	}
	man := w.man
	man.dir = dst
	return &man, nil
}

// Abort discards the uncommitted output.
func (w *Writer) Abort() {
	for _, tw := range w.tables {
		if tw.f != nil {
			tw.w.Close()
			tw.f.Close()
		}
	}
	w.tables = nil
	os.RemoveAll(w.tmp)
}

// Open reads the committed output of stage. It returns an error wrapping
// ErrNotStaged when the stage has not committed any output.
func Open(root, stage string) (*Manifest, error) {
	dir := Dir(root, stage)
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("staging: %s: %w (run 'carelake %s' first)", stage, ErrNotStaged, commandOf(stage))
	}
	if err != nil {
		return nil, fmt.Errorf("staging: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("staging: %s manifest is damaged (%w): rerun 'carelake %s'", stage, err, commandOf(stage))
	}
	m.dir = dir
	return &m, nil
}

// Remove removes the committed output of stage, atomically: it is renamed
// aside first (a name the next Begin of the stage sweeps, should a crash
// stop the removal), so a reader finds the whole output or none. Load
// removes an output once it and every stage reading it are loaded
// (docs/architecture.md, "Formats between stages").
func Remove(root, stage string) error {
	dir := Dir(root, stage)
	aside := filepath.Join(filepath.Dir(dir), fmt.Sprintf(".%s.tmp-removed-%d", stage, time.Now().UnixNano()))
	if err := os.Rename(dir, aside); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("staging: remove %s: %w", stage, err)
	}
	if err := durable.SyncDir(filepath.Dir(dir)); err != nil {
		return fmt.Errorf("staging: remove %s: %w", stage, err)
	}
	return os.RemoveAll(aside)
}

// commandOf names the carelake command that produces a stage's output
// ("normalise-cqc" -> "normalise").
func commandOf(stage string) string {
	name, _, _ := strings.Cut(stage, "-")
	return name
}

// Find returns the partitions of one table.
func (m *Manifest) Find(table string) []Partition {
	var out []Partition
	for _, p := range m.Partitions {
		if p.Table == table {
			out = append(out, p)
		}
	}
	return out
}

// Read calls fn with every record batch of a partition, in write order.
// fn must Retain a batch it keeps after returning.
func (m *Manifest) Read(p Partition, fn func(arrow.RecordBatch) error) error {
	for _, f := range m.Files(p) {
		if err := m.readFile(f, fn); err != nil {
			return err
		}
	}
	return nil
}

// ReadTable calls fn with every record batch of a table's partitions.
func (m *Manifest) ReadTable(table string, fn func(arrow.RecordBatch) error) error {
	for _, p := range m.Find(table) {
		if err := m.Read(p, fn); err != nil {
			return err
		}
	}
	return nil
}

// Files returns the paths of a partition's staged files.
func (m *Manifest) Files(p Partition) []string {
	out := make([]string, len(p.Files))
	for i, name := range p.Files {
		out[i] = filepath.Join(m.dir, filepath.FromSlash(p.Path), name)
	}
	return out
}

// Schema returns the Arrow schema of a partition's files.
func (m *Manifest) Schema(p Partition) (*arrow.Schema, error) {
	if len(p.Files) == 0 {
		return nil, fmt.Errorf("staging: %s has no files", p.Path)
	}
	f, err := os.Open(filepath.Join(m.dir, filepath.FromSlash(p.Path), p.Files[0]))
	if err != nil {
		return nil, fmt.Errorf("staging: %w", err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		return nil, fmt.Errorf("staging: %s: %w", p.Path, err)
	}
	defer r.Close()
	return r.Schema(), nil
}

func (m *Manifest) readFile(path string, fn func(arrow.RecordBatch) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("staging: %w", err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		return fmt.Errorf("staging: %s: %w", path, err)
	}
	defer r.Close()
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			return fmt.Errorf("staging: %s batch %d: %w", path, i, err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}
