package receiver

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas/careqlog"
)

// checkpointMagic starts a checkpoint file; the number is its format version.
const checkpointMagic = "carelake careq checkpoint 1\n"

// errCheckpoint marks a checkpoint that cannot be used (torn, damaged or of
// another version): the receiver then rebuilds from the whole log.
var errCheckpoint = errors.New("careq checkpoint unusable")

// checkpointPath is the checkpoint of a log directory (careqlog.CheckpointName).
func checkpointPath(logDir string) string { return filepath.Join(logDir, careqlog.CheckpointName) }

// Checkpoint writes the receiver's state (every clinic's records and applied
// call digests, the idempotency table) to the checkpoint file of the log
// directory, atomically (durable.WriteFileAtomic: a crash leaves the previous
// checkpoint whole). It takes a consistent cut: new calls wait while the state
// is encoded (no call is between its decision and its answer), so the
// checkpoint holds exactly the effect of the records up to the log's last
// seq, all of them durable. It returns that seq.
//
// The file is: checkpointMagic; the seq; per clinic its ID, its records
// (type, careq_id, event time, content MAC, hash digest, status), its
// appointment hashes (digest, careq_id) and its applied call digests, each
// list sorted by key so a start reads them straight into the state's
// tables; the idempotency entries (key, time, status, answer, partial); then
// the SHA-256 of all that. Counts and idempotency entries are varints; the
// entries of the three lists are fixed-size little-endian, read a few
// thousand at a time.
func (s *Server) Checkpoint() (int64, error) {
	start := time.Now()
	var seq int64
	err := durable.WriteFileAtomic(checkpointPath(s.opts.LogDir), 0o640, func(w io.Writer) error {
		h := sha256.New()
		bw := bufio.NewWriterSize(io.MultiWriter(w, h), 1<<20)
		s.cut.Lock()
		seq = s.log.LastSeq()
		err := s.log.Err() // a failed record's decision is in the state: never checkpoint it
		if err == nil {
			err = s.encodeState(bw, seq)
		}
		s.cut.Unlock()
		if err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		_, err = w.Write(h.Sum(nil))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("careq checkpoint: %w", err)
	}
	s.checkpointed.Store(seq)
	s.logger.Info("careq: checkpoint written", "seq", seq, "took", time.Since(start).Round(time.Millisecond))
	return seq, nil
}

type encoder struct {
	w   *bufio.Writer
	buf []byte
}

func (e *encoder) uvarint(v uint64) {
	e.buf = binary.AppendUvarint(e.buf[:0], v)
	_, _ = e.w.Write(e.buf)
}

func (e *encoder) varint(v int64) {
	e.buf = binary.AppendVarint(e.buf[:0], v)
	_, _ = e.w.Write(e.buf)
}

func (e *encoder) u64(v uint64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf[:0], v)
	_, _ = e.w.Write(e.buf)
}

func (e *encoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	_, _ = e.w.Write(b)
}

// encodeState writes the state; the caller holds s.cut. Errors of the
// buffered writer surface at its Flush.
func (s *Server) encodeState(w *bufio.Writer, seq int64) error {
	e := &encoder{w: w}
	_, _ = w.WriteString(checkpointMagic)
	e.varint(seq)
	e.uvarint(uint64(len(s.clinics)))
	for _, cl := range s.clinics {
		cl.state.locked(func(st *clinicState) {
			st.records.compact(nil)
			st.hashes.compact(func(id int64) bool { return id != 0 })
			st.applied.compact(nil)
			e.bytes([]byte(cl.ClinicID))
			e.uvarint(uint64(len(st.records.base)))
			for _, r := range st.records.base {
				e.buf = appendRecord(e.buf[:0], r)
				_, _ = w.Write(e.buf)
			}
			e.uvarint(uint64(len(st.hashes.base)))
			for _, h := range st.hashes.base {
				e.u64(h.k)
				e.u64(uint64(h.v)) //nolint:gosec // a careq_id, kept as its bits
			}
			e.uvarint(uint64(len(st.applied.base)))
			for _, d := range st.applied.base {
				e.u64(d.k)
			}
		})
	}
	s.idem.mu.Lock()
	defer s.idem.mu.Unlock()
	n := 0
	for _, ie := range s.idem.entries {
		if ie.res != nil {
			n++
		}
	}
	e.uvarint(uint64(n))
	for k, ie := range s.idem.entries {
		if ie.res == nil {
			continue // in flight: none while the cut is held
		}
		e.bytes([]byte(k))
		e.varint(ie.at.UnixNano())
		e.uvarint(uint64(ie.res.status)) //nolint:gosec // an HTTP status
		e.bytes(ie.res.body)
		_ = w.WriteByte(b2b(ie.res.partial))
	}
	return nil
}

func b2b(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// loadedState is a checkpoint read back, not yet installed.
type loadedState struct {
	seq     int64
	clinics map[string]*clinicState
	idem    map[string]*idemEntry
}

// readCheckpoint reads and verifies the checkpoint of logDir. It returns
// (nil, nil) when there is none, and an error wrapping errCheckpoint when it
// cannot be used. Clinics no longer configured are skipped; idempotency
// entries older than the retention are dropped.
func readCheckpoint(logDir string, configured map[string]*clinic, retention time.Duration, now time.Time) (*loadedState, error) {
	path := checkpointPath(logDir)
	f, err := os.Open(path) //nolint:gosec // the log directory's own file
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("careq checkpoint: %w", err)
	}
	defer f.Close()
	// The content is hashed on a goroutine of its own while it is decoded
	// (into a state not yet installed; the hash took a tenth of a start on
	// one core), and the trailing SHA-256 must match before any of it is
	// believed, so a torn or damaged file is refused. Counts are bounded by
	// the file's size, so a damaged one cannot make a huge allocation first.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("careq checkpoint: %w", err)
	}
	size := fi.Size() - sha256.Size
	if size < int64(len(checkpointMagic)) {
		return nil, fmt.Errorf("%w: %s is %d bytes", errCheckpoint, path, fi.Size())
	}
	hashed := make(chan []byte, 1)
	go func() {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, size)); err != nil {
			hashed <- nil // matches no checksum
			return
		}
		hashed <- h.Sum(nil)
	}()
	d := &decoder{r: bufio.NewReaderSize(io.NewSectionReader(f, 0, size), 1<<20), max: uint64(size)} //nolint:gosec // a size is never negative
	st, err := d.state(configured, retention, now)
	if err == nil && d.err == nil {
		if _, e := d.r.ReadByte(); e != io.EOF {
			d.err = errors.New("trailing bytes")
		}
	}
	if err == nil {
		err = d.err
	}
	want := make([]byte, sha256.Size)
	if _, rerr := f.ReadAt(want, size); rerr != nil {
		return nil, fmt.Errorf("careq checkpoint: %w", rerr)
	}
	if !bytes.Equal(<-hashed, want) {
		return nil, fmt.Errorf("%w: %s: checksum mismatch (torn or damaged)", errCheckpoint, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errCheckpoint, path, err)
	}
	return st, nil
}

// decoder reads a checkpoint; the first error sticks and later reads return
// zeros.
type decoder struct {
	r   *bufio.Reader
	err error
	max uint64 // the file's size: no count is larger
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(d.r)
	d.err = err
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadVarint(d.r)
	d.err = err
	return v
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	b, err := d.r.ReadByte()
	d.err = err
	return b
}

func (d *decoder) full(b []byte) {
	if d.err == nil {
		_, d.err = io.ReadFull(d.r, b)
	}
}

// recordBytes is the size of a record in a checkpoint: type, careq_id,
// event time, content MAC, hash digest, status.
const recordBytes = 1 + 8 + 8 + 16 + 8 + 1

func appendRecord(b []byte, r kv[recKey, entry]) []byte {
	b = append(b, r.k.typ)
	b = binary.LittleEndian.AppendUint64(b, uint64(r.k.id)) //nolint:gosec // the bits
	b = binary.LittleEndian.AppendUint64(b, uint64(r.v.at)) //nolint:gosec // the bits
	b = append(b, r.v.mac[:]...)
	b = binary.LittleEndian.AppendUint64(b, r.v.hash)
	return append(b, r.v.status)
}

func parseRecord(b []byte) (r kv[recKey, entry]) {
	r.k.typ = b[0]
	r.k.id = int64(binary.LittleEndian.Uint64(b[1:])) //nolint:gosec // the bits written
	r.v.at = int64(binary.LittleEndian.Uint64(b[9:])) //nolint:gosec // the bits written
	copy(r.v.mac[:], b[17:33])
	r.v.hash = binary.LittleEndian.Uint64(b[33:])
	r.v.status = b[41]
	return r
}

// fixed reads n entries of size bytes each, a few thousand at a time, and
// passes each to fn with its index.
func (d *decoder) fixed(n, size int, fn func(i int, b []byte)) {
	const batch = 4096
	buf := make([]byte, min(n, batch)*size)
	for i := 0; i < n && d.err == nil; i += batch {
		m := min(batch, n-i)
		d.full(buf[:m*size])
		if d.err != nil {
			return
		}
		for j := range m {
			fn(i+j, buf[j*size:(j+1)*size])
		}
	}
}

// count reads a length, refusing one larger than the file could hold.
func (d *decoder) count(limit uint64) int {
	n := d.uvarint()
	if n > limit && d.err == nil {
		d.err = fmt.Errorf("count %d too large", n)
	}
	return int(n) //nolint:gosec // bounded above
}

func (d *decoder) bytes(limit uint64) []byte {
	b := make([]byte, d.count(limit))
	d.full(b)
	return b
}

func (d *decoder) state(configured map[string]*clinic, retention time.Duration, now time.Time) (*loadedState, error) {
	magic := make([]byte, len(checkpointMagic))
	d.full(magic)
	if d.err == nil && string(magic) != checkpointMagic {
		return nil, fmt.Errorf("not a checkpoint of this version (%q)", strings.TrimSpace(string(magic)))
	}
	ls := &loadedState{seq: d.varint(), clinics: map[string]*clinicState{}, idem: map[string]*idemEntry{}}
	n := d.count(d.max)
	for range n {
		id := string(d.bytes(1 << 10))
		st := newClinicState()
		st.records.base = make([]kv[recKey, entry], d.count(d.max/recordBytes))
		d.fixed(len(st.records.base), recordBytes, func(i int, b []byte) { st.records.base[i] = parseRecord(b) })
		st.hashes.base = make([]kv[uint64, int64], d.count(d.max/16))
		d.fixed(len(st.hashes.base), 16, func(i int, b []byte) {
			st.hashes.base[i] = kv[uint64, int64]{binary.LittleEndian.Uint64(b), int64(binary.LittleEndian.Uint64(b[8:]))} //nolint:gosec // the bits written
		})
		st.applied.base = make([]kv[uint64, struct{}], d.count(d.max/8))
		d.fixed(len(st.applied.base), 8, func(i int, b []byte) { st.applied.base[i].k = binary.LittleEndian.Uint64(b) })
		if d.err != nil {
			return nil, d.err
		}
		for _, r := range st.records.base {
			if int(r.k.typ) >= len(recordTypes) || int(r.v.status) >= len(appointmentStatuses) {
				return nil, fmt.Errorf("clinic %s: record %d: bad type or status", id, r.k.id)
			}
		}
		if !st.records.sorted() || !st.hashes.sorted() || !st.applied.sorted() {
			return nil, fmt.Errorf("clinic %s: entries out of order", id)
		}
		if configured[id] != nil {
			ls.clinics[id] = st
		}
	}
	nidem := d.count(d.max)
	for range nidem {
		key := string(d.bytes(1 << 10))
		at := time.Unix(0, d.varint()).UTC()
		status := int(d.uvarint()) //nolint:gosec // an HTTP status
		body := d.bytes(1 << 30)
		partial := d.byte() == 1
		if d.err != nil {
			return nil, d.err
		}
		if now.Sub(at) > retention {
			continue
		}
		done := make(chan struct{})
		close(done)
		ls.idem[key] = &idemEntry{done: done, res: &stored{status: status, body: body, partial: partial}, at: at}
	}
	return ls, d.err
}

// removeCheckpointLeftovers removes the temporary files of a checkpoint
// write a crash interrupted (durable.WriteFileAtomic's .<name>.tmp-*).
func removeCheckpointLeftovers(logDir string) error {
	tmps, err := filepath.Glob(filepath.Join(logDir, "."+careqlog.CheckpointName+".tmp-*"))
	if err != nil {
		return err
	}
	for _, p := range tmps {
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("careq checkpoint: remove leftover: %w", err)
		}
	}
	return nil
}
