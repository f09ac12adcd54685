package receiver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas/careqlog"
)

// Defaults of LogOptions.
const (
	DefaultMaxSegmentBytes = 64 << 20
	DefaultMaxSegmentAge   = 10 * time.Minute
)

// SegmentFile is what the log writes a segment through: an *os.File, or in
// tests a file that fails on purpose.
type SegmentFile interface {
	io.Writer
	Sync() error
	Close() error
}

// LogOptions tune a Log. The zero value is right for serve.
type LogOptions struct {
	// MaxSegmentBytes seals a segment once it holds this much (default 64 MiB).
	MaxSegmentBytes int64
	// MaxSegmentAge seals a non-empty segment this long after it was opened,
	// even when idle, so the nightly load sees recent calls (default 10 min).
	MaxSegmentAge time.Duration
	// NoSync skips the fsync of each group commit (segments are still
	// fsynced when sealed). Only for measuring the cost of durability and for
	// generators and tests that write a log offline (internal/careqgen):
	// acknowledged calls can then be lost on power failure.
	NoSync bool
	// OpenFile creates a new segment file (default: os.OpenFile with
	// O_CREATE|O_EXCL|O_WRONLY, mode 0640).
	OpenFile func(path string) (SegmentFile, error)
	// Now returns the current time (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// LogStats are the log's counters, for /metrics.
type LogStats struct {
	Records, Bytes, Groups, Sealed uint64
	// FsyncBuckets counts fsync durations by FsyncBounds (last: above all).
	FsyncBuckets []uint64
	FsyncSum     time.Duration
	Failed       bool
}

// FsyncBounds are the upper bounds of the fsync latency histogram.
var FsyncBounds = []time.Duration{
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond, time.Millisecond,
	2500 * time.Microsecond, 5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond,
	50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond, time.Second,
}

// Log is the durable, append-only log of every call, with group commit:
// concurrent Appends are written and fsynced together by one flusher
// goroutine. Records are durable in Seq order; a record is never durable
// unless every record before it is. After the first failed write or fsync
// the log refuses everything (ErrLogFailed) until the process restarts: the
// kernel may have dropped the dirty pages, so a retried fsync could lie.
type Log struct {
	dir  string
	opts LogOptions
	log  *slog.Logger

	mu     sync.Mutex
	seq    int64
	cur    *Pending // records waiting for the flusher
	err    error    // sticky
	closed bool
	line   bytes.Buffer

	kick chan struct{}
	stop chan struct{}
	done chan struct{}

	// Flusher state, touched only by the flusher goroutine.
	f        SegmentFile
	path     string
	size     int64
	openedAt time.Time

	stats struct {
		records, bytes, groups, sealed atomic.Uint64
		fsyncNanos                     atomic.Int64
		fsyncBuckets                   []atomic.Uint64
	}
}

// Pending is a group of appended records on their way to disk.
type Pending struct {
	buf     []byte
	n       int
	first   int64
	written chan struct{}
	err     error
}

// Wait blocks until the group is durable (or failed) and returns the outcome.
func (p *Pending) Wait() error {
	<-p.written
	return p.err
}

// OpenLog opens the log in dir: a segment a crashed writer left open is
// repaired (its complete records kept, a torn tail dropped) and sealed; then
// every record whose Seq is above after is passed to replay in Seq order, so
// the caller can rebuild its state from a checkpoint taken at after (0: from
// the start); segments wholly at or below after are not read. Appends
// continue after the highest Seq, and never at or below after.
func OpenLog(dir string, opts LogOptions, after int64, replay func(*careqlog.LogRecord) error) (*Log, error) {
	if opts.MaxSegmentBytes <= 0 {
		opts.MaxSegmentBytes = DefaultMaxSegmentBytes
	}
	if opts.MaxSegmentAge <= 0 {
		opts.MaxSegmentAge = DefaultMaxSegmentAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OpenFile == nil {
		opts.OpenFile = func(path string) (SegmentFile, error) {
			return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o640)
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("careq log: create %s: %w", dir, err)
	}
	repaired, err := RepairSegments(dir)
	if err != nil {
		return nil, err
	}
	if repaired > 0 {
		opts.Logger.Warn("careq log: repaired segments left open by a crash", "dir", dir, "segments", repaired)
	}
	l := &Log{dir: dir, opts: opts, log: opts.Logger,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	l.stats.fsyncBuckets = make([]atomic.Uint64, len(FsyncBounds)+1)
	l.seq = after
	paths, err := careqlog.SealedSegments(dir)
	if err != nil {
		return nil, err
	}
	for i, p := range paths {
		if i+1 < len(paths) {
			next, err := careqlog.SegmentFirst(paths[i+1])
			if err != nil {
				return nil, err
			}
			if next-1 <= after {
				continue
			}
		}
		err := careqlog.ReadSegmentAfter(p, after, func(r *careqlog.LogRecord) error {
			if r.Seq > l.seq {
				l.seq = r.Seq
			}
			if replay != nil {
				return replay(r)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	go l.flusher()
	return l, nil
}

// Dir is the log directory.
func (l *Log) Dir() string { return l.dir }

// LastSeq is the Seq of the last record appended (durable or not yet).
func (l *Log) LastSeq() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq
}

// Err returns the sticky failure, if the log has failed.
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Append assigns rec the next Seq and queues it for the next group commit.
// The record is durable once the returned Pending's Wait returns nil. Callers
// that must order their records (state decisions) call Append while holding
// their own lock: Seq order is Append order.
func (l *Log) Append(rec *careqlog.LogRecord) (*Pending, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return nil, l.err
	}
	if l.closed {
		return nil, ErrLogClosed
	}
	rec.V = careqlog.FormatVersion
	rec.Seq = l.seq + 1
	rec.ReceivedAt = rec.ReceivedAt.UTC()
	if err := l.encode(rec); err != nil {
		return nil, err
	}
	l.seq++
	if l.cur == nil {
		l.cur = &Pending{first: rec.Seq, written: make(chan struct{})}
	}
	l.cur.buf = append(l.cur.buf, l.line.Bytes()...)
	l.cur.n++
	p := l.cur
	select {
	case l.kick <- struct{}{}:
	default:
	}
	return p, nil
}

// encode writes rec as one JSON line into l.line. The payload and response,
// already compact JSON made by this package, are spliced in as they are:
// encoding/json would re-validate and re-compact them, a tenth of a call's
// CPU. No HTML escaping, so a stored answer replays byte for byte.
func (l *Log) encode(rec *careqlog.LogRecord) error {
	payload, response := rec.Payload, rec.Response
	rec.Payload, rec.Response = nil, nil
	l.line.Reset()
	enc := json.NewEncoder(&l.line)
	enc.SetEscapeHTML(false)
	err := enc.Encode(rec)
	rec.Payload, rec.Response = payload, response
	if err != nil {
		return fmt.Errorf("careq log: encode record: %w", err)
	}
	for _, raw := range []json.RawMessage{payload, response} {
		if len(raw) > 0 && (!json.Valid(raw) || bytes.ContainsAny(raw, "\n\r")) {
			return errors.New("careq log: encode record: payload or response is not one line of JSON")
		}
	}
	l.line.Truncate(l.line.Len() - 2) // "}\n"
	if len(payload) > 0 {
		l.line.WriteString(`,"payload":`)
		l.line.Write(payload)
	}
	if len(response) > 0 {
		l.line.WriteString(`,"response":`)
		l.line.Write(response)
	}
	l.line.WriteString("}\n")
	return nil
}

// AppendWait appends rec and waits until it is durable.
func (l *Log) AppendWait(rec *careqlog.LogRecord) error {
	p, err := l.Append(rec)
	if err != nil {
		return err
	}
	return p.Wait()
}

// Close writes what is queued, seals the open segment and stops the flusher.
// It returns the log's failure, if any. Appends after Close get ErrLogClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		<-l.done
		return l.Err()
	}
	l.closed = true
	l.mu.Unlock()
	close(l.stop)
	<-l.done
	return l.Err()
}

// Stats returns the counters.
func (l *Log) Stats() LogStats {
	s := LogStats{
		Records: l.stats.records.Load(), Bytes: l.stats.bytes.Load(), Groups: l.stats.groups.Load(),
		Sealed: l.stats.sealed.Load(), FsyncSum: time.Duration(l.stats.fsyncNanos.Load()),
		Failed: l.Err() != nil,
	}
	for i := range l.stats.fsyncBuckets {
		s.FsyncBuckets = append(s.FsyncBuckets, l.stats.fsyncBuckets[i].Load())
	}
	return s
}

func (l *Log) flusher() {
	defer close(l.done)
	tick := time.NewTicker(l.ageCheckEvery())
	defer tick.Stop()
	for {
		select {
		case <-l.kick:
		case <-tick.C:
		case <-l.stop:
			l.flush()
			if l.Err() == nil {
				if err := l.seal(); err != nil {
					_ = l.fail(err)
				}
			} else if l.f != nil {
				l.f.Close()
			}
			return
		}
		l.flush()
	}
}

func (l *Log) ageCheckEvery() time.Duration {
	d := l.opts.MaxSegmentAge / 4
	if d < 10*time.Millisecond {
		d = 10 * time.Millisecond
	}
	return min(d, time.Minute)
}

// flush writes the queued group, if any, and seals an old segment.
func (l *Log) flush() {
	l.mu.Lock()
	p := l.cur
	l.cur = nil
	failed := l.err
	l.mu.Unlock()
	if p == nil {
		if failed == nil && l.f != nil && l.opts.Now().Sub(l.openedAt) >= l.opts.MaxSegmentAge {
			if err := l.seal(); err != nil {
				_ = l.fail(err)
			}
		}
		return
	}
	if failed != nil {
		p.err = failed
		close(p.written)
		return
	}
	err := l.write(p)
	if err != nil {
		err = l.fail(err)
	} else {
		l.stats.records.Add(uint64(p.n))      //nolint:gosec // a count is never negative
		l.stats.bytes.Add(uint64(len(p.buf))) //nolint:gosec // a length is never negative
		l.stats.groups.Add(1)
	}
	p.err = err
	close(p.written)
}

// fail makes err the log's sticky failure and returns it wrapped.
func (l *Log) fail(err error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = fmt.Errorf("%w: %w", ErrLogFailed, err)
		l.log.Error("careq log: intake stopped: fix the disk and restart serve", "dir", l.dir, "err", err)
	}
	// Fail the records queued behind the failed group too.
	if p := l.cur; p != nil {
		l.cur = nil
		p.err = l.err
		close(p.written)
	}
	return l.err
}

func (l *Log) write(p *Pending) error {
	if l.f != nil && (l.size >= l.opts.MaxSegmentBytes || l.opts.Now().Sub(l.openedAt) >= l.opts.MaxSegmentAge) {
		if err := l.seal(); err != nil {
			return err
		}
	}
	if l.f == nil {
		if err := l.create(p.first); err != nil {
			return err
		}
	}
	n, err := l.f.Write(p.buf)
	l.size += int64(n)
	if err != nil {
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	if !l.opts.NoSync {
		start := time.Now()
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("fsync %s: %w", l.path, err)
		}
		l.observeFsync(time.Since(start))
	}
	return nil
}

func (l *Log) observeFsync(d time.Duration) {
	l.stats.fsyncNanos.Add(int64(d))
	l.stats.fsyncBuckets[bucketIndex(FsyncBounds, d)].Add(1)
}

// create opens a new segment named after its first record and makes its
// directory entry durable before any record in it is acknowledged.
func (l *Log) create(first int64) error {
	path := filepath.Join(l.dir, careqlog.SegmentName(first)+careqlog.OpenSuffix)
	f, err := l.opts.OpenFile(path)
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	if err := durable.SyncDir(l.dir); err != nil {
		f.Close()
		return err
	}
	l.f, l.path, l.size, l.openedAt = f, path, 0, l.opts.Now()
	return nil
}

// seal fsyncs, closes and renames the open segment to its sealed name.
func (l *Log) seal() error {
	if l.f == nil {
		return nil
	}
	f, path := l.f, l.path
	l.f = nil
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	sealed := careqlog.SealedName(path)
	if err := os.Rename(path, sealed); err != nil {
		return fmt.Errorf("seal %s: %w", path, err)
	}
	if err := durable.SyncDir(l.dir); err != nil {
		return err
	}
	l.stats.sealed.Add(1)
	l.log.Debug("careq log: sealed segment", "path", sealed)
	return nil
}
