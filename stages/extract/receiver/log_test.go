package receiver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"carelake/schemas/careqlog"
)

func openTestLog(t *testing.T, dir string, opts LogOptions) *Log {
	t.Helper()
	l, err := OpenLog(dir, opts, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// Concurrent appends share group commits; all of them are durable and in
// Seq order.
func TestLogGroupCommit(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, LogOptions{})
	const n = 400
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := l.AppendWait(&careqlog.LogRecord{Endpoint: "patient", Status: 201, ReceivedAt: time.Now()}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	st := l.Stats()
	if st.Records != n || st.Groups >= n || st.Groups == 0 {
		t.Fatalf("records %d in %d groups: no group commit", st.Records, st.Groups)
	}
	t.Logf("%d records in %d group commits", st.Records, st.Groups)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, dir)
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.V != careqlog.FormatVersion {
			t.Fatalf("record %d: seq %d v %d", i, r.Seq, r.V)
		}
	}
	if len(recs) != n {
		t.Fatalf("%d records read back", len(recs))
	}
	if open, _ := careqlog.OpenSegments(dir); len(open) != 0 {
		t.Fatalf("Close left %v open", open)
	}
}

// Segments rotate by size and by age, are sealed in order, and Seq goes on
// across segments and reopenings.
func TestLogRotation(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, LogOptions{MaxSegmentBytes: 1000})
	for i := 0; i < 30; i++ {
		if err := l.AppendWait(&careqlog.LogRecord{Endpoint: "doctor", Status: 201, ReceivedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	sealed, _ := careqlog.SealedSegments(dir)
	if len(sealed) < 3 {
		t.Fatalf("%d segments for 30 records of ~150 bytes with a 1000-byte limit", len(sealed))
	}
	for _, p := range sealed {
		if fi, _ := os.Stat(p); fi.Size() > 1000+300 {
			t.Errorf("%s is %d bytes", p, fi.Size())
		}
	}
	// Reopen: numbering goes on.
	l2 := openTestLog(t, dir, LogOptions{MaxSegmentAge: 40 * time.Millisecond})
	rec := &careqlog.LogRecord{Endpoint: "doctor", ReceivedAt: time.Now()}
	if err := l2.AppendWait(rec); err != nil || rec.Seq != 31 {
		t.Fatalf("seq after reopen %d, %v", rec.Seq, err)
	}
	// Age: the idle open segment is sealed without another write (the
	// counter moves just after the rename: wait for both).
	deadline := time.Now().Add(3 * time.Second)
	for {
		open, _ := careqlog.OpenSegments(dir)
		if len(open) == 0 && l2.Stats().Sealed == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("idle segment never sealed by age")
		}
		time.Sleep(20 * time.Millisecond)
	}
	sealed2, _ := careqlog.SealedSegments(dir)
	if filepath.Base(sealed2[len(sealed2)-1]) != "careq-0000000000000031.jsonl" {
		t.Fatalf("last segment %s", sealed2[len(sealed2)-1])
	}
	if l2.Stats().Sealed != 1 {
		t.Fatalf("sealed %d", l2.Stats().Sealed)
	}
}

// A crash leaves an open segment with a torn last line: the next open keeps
// the complete records, drops the tail, seals it, and goes on numbering.
func TestLogRepairAfterCrash(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, LogOptions{})
	for i := 0; i < 3; i++ {
		l.AppendWait(&careqlog.LogRecord{Endpoint: "service", Status: 201, ReceivedAt: time.Now()})
	}
	// Simulate kill -9: copy the open segment aside before Close seals it,
	// then put it back with half a record appended.
	open, _ := careqlog.OpenSegments(dir)
	b, _ := os.ReadFile(open[0])
	l.Close()
	os.Remove(careqlog.SealedName(open[0]))
	torn := append(b, []byte(`{"v":1,"seq":4,"received_at":"2026-11-20T10:00:00Z","endpoi`)...)
	os.WriteFile(open[0], torn, 0o640)
	// And an empty open segment from a crash right after creating it.
	os.WriteFile(filepath.Join(dir, careqlog.SegmentName(99)+careqlog.OpenSuffix), nil, 0o640)

	var replayed []int64
	l2, err := OpenLog(dir, LogOptions{}, 0, func(r *careqlog.LogRecord) error { replayed = append(replayed, r.Seq); return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if fmt.Sprint(replayed) != "[1 2 3]" {
		t.Fatalf("replayed %v", replayed)
	}
	if open, _ := careqlog.OpenSegments(dir); len(open) != 0 {
		t.Fatalf("still open: %v", open)
	}
	sealed, _ := careqlog.SealedSegments(dir)
	if got, _ := os.ReadFile(sealed[0]); !bytes.Equal(got, b) {
		t.Fatalf("repaired segment is not the complete records:\n%s", got)
	}
	rec := &careqlog.LogRecord{Endpoint: "service", ReceivedAt: time.Now()}
	if err := l2.AppendWait(rec); err != nil || rec.Seq != 4 {
		t.Fatalf("next seq %d %v", rec.Seq, err)
	}
}

// failingFile is a segment file whose Sync (or Write) fails from the nth call.
type failingFile struct {
	f         *os.File
	syncs     *atomic.Int32
	failSync  int32
	failWrite bool
}

func (f *failingFile) Write(p []byte) (int, error) {
	if f.failWrite {
		return len(p) / 2, syscall.ENOSPC
	}
	return f.f.Write(p)
}

func (f *failingFile) Sync() error {
	if f.syncs.Add(1) >= f.failSync {
		return syscall.EIO
	}
	return f.f.Sync()
}

func (f *failingFile) Close() error { return f.f.Close() }

// An fsync failure answers 503 and stops intake: every later call is 503
// (nothing retried), health says so, /metrics says so, Close reports it.
func TestFsyncFailureStopsIntake(t *testing.T) {
	for _, mode := range []string{"fsync", "write"} {
		t.Run(mode, func(t *testing.T) {
			var syncs atomic.Int32
			var failing atomic.Bool
			e := newEnv(t, func(o *ServerOptions) {
				o.Log.OpenFile = func(path string) (SegmentFile, error) {
					f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
					if err != nil {
						return nil, err
					}
					ff := &failingFile{f: f, syncs: &syncs, failSync: 1 << 30}
					if failing.Load() {
						ff.failSync, ff.failWrite = 0, mode == "write"
					}
					return ff, nil
				}
				o.Log.MaxSegmentBytes = 1 // a new segment (and file) for every group
			})
			e.send("clinic_abc", "service", specBody(t, "service")).want(t, 201, "")
			failing.Store(true)
			a := e.send("clinic_abc", "doctor", specBody(t, "doctor")).want(t, 503, careqlog.CodeServerError)
			if !strings.Contains(a.Error.Message, "durable log") || a.Header.Get("Retry-After") == "" {
				t.Fatalf("503 answer: %s", a.Raw)
			}
			failing.Store(false) // the disk "recovers": intake must stay stopped
			e.send("clinic_abc", "patient", specBody(t, "patient")).want(t, 503, careqlog.CodeServerError)
			// The retry of the failed call is not replayed as a success either.
			e.send("clinic_abc", "doctor", specBody(t, "doctor")).want(t, 503, careqlog.CodeServerError)
			status, body, _ := e.client("clinic_abc").Health(context.Background())
			if status != 503 || !bytes.Contains(body, []byte("durable log")) {
				t.Fatalf("health: %d %s", status, body)
			}
			if !strings.Contains(e.scrape(), "careq_intake_stopped 1") {
				t.Fatal("metrics do not say intake stopped")
			}
			if !errors.Is(e.srv.LogErr(), ErrLogFailed) {
				t.Fatalf("LogErr %v", e.srv.LogErr())
			}
			err := e.srv.Close()
			e.srv = nil
			if !errors.Is(err, ErrLogFailed) {
				t.Fatalf("Close: %v", err)
			}
			// Only the acknowledged call is certainly in the log.
			recs := readAllLenient(t, e.dir)
			if len(recs) == 0 || recs[0].Status != 201 {
				t.Fatalf("log: %v", recs)
			}
		})
	}
}

// readAllLenient reads what a failed writer left (repairing a torn tail).
func readAllLenient(t *testing.T, dir string) []*careqlog.LogRecord {
	t.Helper()
	if _, err := RepairSegments(dir); err != nil {
		t.Fatal(err)
	}
	return readAll(t, dir)
}
