package receiver

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"carelake/internal/testkit"
	"carelake/schemas/careqlog"
	"carelake/schemas/loaded"
)

// A batch whose appointment came before its patient: the retry with the same
// body, once the patient is known, creates the appointment; the records that
// had succeeded are answered from the stored results (replayed), not
// processed again. Across a restart too. Once every record has succeeded the
// batch is replayed whole, like any answered call.
func TestBatchRetryProcessesFailedRecords(t *testing.T) {
	e := newEnv(t)
	body := fmt.Sprintf(`{"clinic_id": "clinic_abc", "batch_id": "b-retry", "records": [
		{"type": "doctor", "data": %s}, {"type": "service", "data": %s}, {"type": "appointment", "data": %s}]}`,
		specBody(t, "doctor"), specBody(t, "service"), specBody(t, "appointment"))
	results := func(a answer) []map[string]any {
		t.Helper()
		var out []map[string]any
		for _, r := range a.Data["results"].([]any) {
			out = append(out, r.(map[string]any))
		}
		return out
	}
	first := e.send("clinic_abc", "batch", body)
	if r := results(first); first.Data["failed"] != 1.0 || r[2]["status"] != careqlog.SyncFailed {
		t.Fatalf("first: %s", first.Raw)
	}
	// Retried before the patient exists: still failed, the others replayed.
	again := e.send("clinic_abc", "batch", body)
	if r := results(again); again.Data["failed"] != 1.0 || r[0]["replayed"] != true || r[1]["replayed"] != true || r[2]["replayed"] != nil {
		t.Fatalf("retry without the patient: %s", again.Raw)
	}
	if again.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a batch with failed records was replayed whole")
	}
	e.restart()
	e.send("clinic_abc", "patient", specBody(t, "patient")).want(t, 201, "")
	retry := e.send("clinic_abc", "batch", body)
	r := results(retry)
	if retry.Status != 200 || retry.Data["failed"] != 0.0 || retry.Data["successful"] != 3.0 {
		t.Fatalf("retry: %s", retry.Raw)
	}
	for i, want := range []struct {
		status   string
		replayed any
	}{{careqlog.SyncCreated, true}, {careqlog.SyncCreated, true}, {careqlog.SyncCreated, nil}} {
		if r[i]["status"] != want.status || r[i]["replayed"] != want.replayed {
			t.Errorf("result %d: %v", i, r[i])
		}
	}
	if r[0]["id"] != results(first)[0]["id"] || !strings.Contains(retry.Message, "2 records answered from the earlier call") {
		t.Errorf("retry answer: %s", retry.Raw)
	}
	// The log: the replayed records changed nothing; the appointment did.
	recs := e.records()
	last := recs[len(recs)-1]
	if last.Endpoint != careqlog.EndpointBatch || len(last.Records) != 3 {
		t.Fatalf("last record %+v", last)
	}
	for i, it := range last.Records[:2] {
		if !it.Replayed || it.Applied() || len(it.Payload) != 0 {
			t.Errorf("replayed record %d logged as %+v", i, it)
		}
	}
	if it := last.Records[2]; it.SyncStatus != careqlog.SyncCreated || it.Replayed || it.CallDigest == "" {
		t.Errorf("appointment logged as %+v", it)
	}
	// Complete now: replayed whole, byte for byte.
	whole := e.send("clinic_abc", "batch", body)
	if whole.Header.Get("Idempotent-Replayed") != "true" || string(whole.Raw) != string(retry.Raw) {
		t.Fatalf("complete batch not replayed: %s", whole.Raw)
	}
}

// A captured status call without updated_at, replayed after the idempotency
// window, cannot move a cancelled appointment back to confirmed: it is
// answered unchanged. Also after restarts from the log and from a checkpoint.
func TestReplayAfterTheWindowChangesNothing(t *testing.T) {
	e := newEnv(t)
	for _, ep := range []string{"patient", "doctor", "service", "appointment"} {
		e.send("clinic_abc", ep, specBody(t, ep)).want(t, 201, "")
	}
	confirm := `{"careq_id": 10001, "clinic_id": "clinic_abc", "status": "confirmed"}`
	if a := e.send("clinic_abc", "appointment/status", confirm); a.Data["sync_status"] != careqlog.SyncUpdated {
		t.Fatalf("confirm: %s", a.Raw)
	}
	cancel := `{"careq_id": 10001, "clinic_id": "clinic_abc", "status": "cancelled"}`
	if a := e.send("clinic_abc", "appointment/status", cancel); a.Data["status"] != "cancelled" {
		t.Fatalf("cancel: %s", a.Raw)
	}
	check := func(when string) {
		t.Helper()
		e.clock.Advance(DefaultIdempotencyRetention + time.Hour)
		a := e.send("clinic_abc", "appointment/status", confirm)
		if a.Status != 200 || a.Data["sync_status"] != careqlog.SyncUnchanged || a.Data["status"] != "cancelled" ||
			a.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("%s: replay after the window: %s", when, a.Raw)
		}
	}
	check("same process")
	e.restart() // from the log
	check("after a restart from the log")
	if _, err := e.srv.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	e.restart()
	if e.srv.checkpointed.Load() == 0 {
		t.Fatal("the restart did not use the checkpoint")
	}
	check("after a restart from the checkpoint")
	// A new status (a body not seen before) still applies.
	a := e.send("clinic_abc", "appointment/status", `{"careq_id": 10001, "clinic_id": "clinic_abc", "status": "confirmed", "notes": "rebooked"}`)
	if a.Data["sync_status"] != careqlog.SyncUpdated || a.Data["status"] != "confirmed" {
		t.Fatalf("new status: %s", a.Raw)
	}
}

// Retirement: only sealed segments that the warehouse has loaded, that the
// checkpoint covers and that are not the newest leave the log; keep (the
// default) retires nothing; the start after retirement restores the state
// from the checkpoint.
func TestRetireLoadedSegments(t *testing.T) {
	for _, policy := range []string{RetireKeep, RetireArchive, RetireDelete} {
		t.Run(policy, func(t *testing.T) {
			root := t.TempDir()
			e := newEnv(t, func(o *ServerOptions) { o.Retire = RetireOptions{Policy: policy, Root: root} })
			for i, ep := range []string{"patient", "doctor", "service", "appointment"} {
				e.send("clinic_abc", ep, specBody(t, ep)).want(t, 201, "")
				if i < 3 {
					e.restart() // seals a segment
				}
			}
			if _, err := e.srv.Checkpoint(); err != nil {
				t.Fatal(err)
			}
			e.send("clinic_abc", "patient", testkit.SetJSON(t, specBody(t, "patient"), "careq_id", 77)).want(t, 201, "")
			e.restart() // seals the fourth segment, past the checkpoint
			paths, _ := careqlog.SealedSegments(e.dir)
			if len(paths) != 4 {
				t.Fatalf("%d segments", len(paths))
			}
			names := make([]string, len(paths))
			for i, p := range paths {
				names[i] = filepath.Base(p)
			}
			// The warehouse has loaded all but the second.
			if err := loaded.Mark(root, careqlog.LoadedKind, []string{names[0], names[2], names[3]}); err != nil {
				t.Fatal(err)
			}
			// The restart read the checkpoint written before the last call,
			// so the covered seq is that checkpoint's.
			n, err := e.srv.Retire()
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{RetireKeep: 0, RetireArchive: 2, RetireDelete: 2}[policy]
			if n != want {
				t.Fatalf("%d retired, want %d", n, want)
			}
			left, _ := careqlog.SealedSegments(e.dir)
			archived, _ := filepath.Glob(filepath.Join(e.dir, "archive", "careq-*.jsonl"))
			wantLeft := paths
			if policy != RetireKeep {
				wantLeft = []string{paths[1], paths[3]} // not loaded; newest
			}
			if !reflect.DeepEqual(left, wantLeft) || len(archived) != map[string]int{RetireArchive: 2}[policy] {
				t.Fatalf("left %v, archived %v", left, archived)
			}
			before := dumpState(e.srv)
			e.restart()
			if got := dumpState(e.srv); !reflect.DeepEqual(got, before) {
				t.Fatal("state after retirement differs")
			}
		})
	}
}

// A segment sealed less than After ago stays.
func TestRetireWaitsForAfter(t *testing.T) {
	root := t.TempDir()
	e := newEnv(t, func(o *ServerOptions) {
		o.Retire = RetireOptions{Policy: RetireDelete, Root: root, After: 24 * time.Hour}
	})
	e.send("clinic_abc", "patient", specBody(t, "patient")).want(t, 201, "")
	e.restart()
	e.send("clinic_abc", "doctor", specBody(t, "doctor")).want(t, 201, "")
	e.restart()
	if _, err := e.srv.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	paths, _ := careqlog.SealedSegments(e.dir)
	loaded.Mark(root, careqlog.LoadedKind, []string{filepath.Base(paths[0])})
	if n, err := e.srv.Retire(); n != 0 || err != nil {
		t.Fatalf("retired %d (%v) a segment sealed just now", n, err)
	}
	old := time.Now().Add(-25 * time.Hour)
	os.Chtimes(paths[0], old, old)
	if n, err := e.srv.Retire(); n != 1 || err != nil {
		t.Fatalf("retired %d (%v), want 1", n, err)
	}
}
