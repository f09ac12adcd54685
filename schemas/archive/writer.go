package archive

import (
	"bytes"
	"carelake/pipeline/durable"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
)

const (
	sealedExt = ".jsonl.zst"
	openExt   = ".jsonl.zst.open"
	// DefaultMaxSegmentBytes rotates a segment once this much compressed data is written.
	DefaultMaxSegmentBytes = 64 << 20
)

// Options tune a Writer. The zero value is right for extract.
type Options struct {
	// MaxSegmentBytes rotates to a new segment past this size (default 64 MiB).
	MaxSegmentBytes int64
	// NoSync skips the fsync after each Append. Only for bulk generators that
	// can redo their work: records are then durable only after Close.
	NoSync bool
	// Now returns the current time (default time.Now); it names segments.
	Now func() time.Time
}

// Writer appends records to the archive. It is safe for concurrent use; each
// Append is one zstd frame, written and fsynced before Append returns.
type Writer struct {
	root    string
	dir     string
	session string
	opts    Options
	enc     *zstd.Encoder

	mu      sync.Mutex
	f       *os.File
	path    string
	size    int64
	segment int
	seq     int64
	buf     bytes.Buffer
	frame   []byte
	err     error // sticky: after a failed write or sync the writer refuses more
}

// Dir is the archive directory under a warehouse root.
func Dir(root string) string { return filepath.Join(root, "raw", "cqc") }

// Open starts a new writer session under the warehouse root. Segments a
// crashed writer left open are repaired first (complete records kept, torn
// tail dropped) and sealed. Only one Writer may be open per archive: callers
// hold the pipeline's run lock.
func Open(root string, opts Options) (*Writer, error) {
	if opts.MaxSegmentBytes <= 0 {
		opts.MaxSegmentBytes = DefaultMaxSegmentBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dir := Dir(root)
	if err := os.MkdirAll(dir, durable.DirPerm); err != nil {
		return nil, fmt.Errorf("archive: create %s: %w", dir, err)
	}
	if _, err := Repair(root); err != nil {
		return nil, err
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("archive: zstd: %w", err)
	}
	return &Writer{
		root:    root,
		dir:     dir,
		session: opts.Now().UTC().Format("20060102T150405.000000000Z"),
		opts:    opts,
		enc:     enc,
	}, nil
}

// Session names this writer's session; it prefixes its segment names.
func (w *Writer) Session() string { return w.session }

// Append writes the records as one frame and makes them durable. It fills in
// Seq and Session. After a failed write or fsync the writer is unusable: the
// error is returned again on every later call (never retried silently).
func (w *Writer) Append(recs ...*Record) error {
	if len(recs) == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.buf.Reset()
	enc := json.NewEncoder(&w.buf)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		w.seq++
		r.Seq, r.Session = w.seq, w.session
		r.FetchedAt = r.FetchedAt.UTC()
		if err := enc.Encode(r); err != nil { // Encode ends each record with '\n'
			return fmt.Errorf("archive: encode %s: %w", r.URL, err)
		}
	}
	w.frame = w.enc.EncodeAll(w.buf.Bytes(), w.frame[:0])
	if w.f == nil || w.size >= w.opts.MaxSegmentBytes {
		if err := w.rotate(); err != nil {
			w.err = err
			return err
		}
	}
	if _, err := w.f.Write(w.frame); err != nil {
		w.err = fmt.Errorf("archive: write %s: %w", w.path, err)
		return w.err
	}
	w.size += int64(len(w.frame))
	if !w.opts.NoSync {
		if err := w.f.Sync(); err != nil {
			w.err = fmt.Errorf("archive: fsync %s: %w", w.path, err)
			return w.err
		}
	}
	return nil
}

// FilesDir is where binary bodies are kept beside the archive.
func FilesDir(root string) string { return filepath.Join(root, "raw", "cqc-files") }

// PutFile keeps a binary body beside the archive under a name made of name
// (characters other than letters, digits, '.', '-' and '_' become '_'),
// written aside, fsynced and renamed into place, so a file that exists is
// whole. It returns the path relative to the warehouse root, for
// Record.File: write the file first, then append the record naming it.
// Putting the same name again replaces the file.
func (w *Writer) PutFile(name string, data []byte) (string, error) {
	name = strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, name)
	path := filepath.Join(FilesDir(w.root), name)
	if err := durable.WriteFileAtomic(path, durable.FilePerm, func(f io.Writer) error {
		_, err := f.Write(data)
		return err
	}); err != nil {
		return "", fmt.Errorf("archive: keep %s: %w", name, err)
	}
	return filepath.ToSlash(filepath.Join("raw", "cqc-files", name)), nil
}

// rotate seals the current segment, if any, and opens the next one.
func (w *Writer) rotate() error {
	if err := w.seal(); err != nil {
		return err
	}
	w.segment++
	day := filepath.Join(w.dir, "date="+w.opts.Now().UTC().Format("2006-01-02"))
	if err := os.MkdirAll(day, durable.DirPerm); err != nil {
		return fmt.Errorf("archive: create %s: %w", day, err)
	}
	w.path = filepath.Join(day, fmt.Sprintf("%s-%05d%s", w.session, w.segment, openExt))
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, durable.FilePerm)
	if err != nil {
		return fmt.Errorf("archive: create segment: %w", err)
	}
	if err := durable.SyncDir(day); err != nil {
		f.Close()
		return err
	}
	w.f, w.size = f, 0
	return nil
}

// seal fsyncs, closes and renames the current segment to its sealed name.
func (w *Writer) seal() error {
	if w.f == nil {
		return nil
	}
	f, path := w.f, w.path
	w.f = nil
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("archive: fsync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("archive: close %s: %w", path, err)
	}
	return sealFile(path)
}

// Close seals the open segment. The writer cannot be used afterwards.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		if w.f != nil {
			w.f.Close()
			w.f = nil
		}
		return w.err
	}
	err := w.seal()
	w.err = errors.New("archive: writer closed")
	return err
}

// sealFile renames path from its open name to its sealed name, durably.
func sealFile(path string) error {
	sealed := strings.TrimSuffix(path, openExt) + sealedExt
	if err := os.Rename(path, sealed); err != nil {
		return fmt.Errorf("archive: seal %s: %w", path, err)
	}
	return durable.SyncDir(filepath.Dir(path))
}
