package receiver

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"carelake/internal/testkit"
	"carelake/schemas/careqlog"
)

// 20 concurrent identical calls: one log record, and all twenty get the same
// status and byte-identical body.
func TestIdempotencyConcurrentDuplicates(t *testing.T) {
	e := newEnv(t)
	body := []byte(specBody(t, "patient"))
	const n = 20
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		status [n]int
		bodies [n][]byte
		errs   [n]error
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Each retry is signed anew (CareQ's retries carry a new signature).
			c := e.client("clinic_abc")
			<-start
			status[i], bodies[i], errs[i] = c.Send(context.Background(), "patient", body)
		}(i)
	}
	close(start)
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil || status[i] != 201 || !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("call %d: %v %d %s (first: %s)", i, errs[i], status[i], bodies[i], bodies[0])
		}
	}
	recs := e.records()
	if len(recs) != 1 || recs[0].Status != 201 {
		t.Fatalf("%d log records for 20 identical calls", len(recs))
	}
}

// A CareQ retry (same body, new timestamp and signature) gets the stored
// original answer, also after a restart; a different body is a new call.
func TestIdempotencyRetryAndRestart(t *testing.T) {
	e := newEnv(t)
	body := specBody(t, "service")
	first := e.send("clinic_abc", "service", body).want(t, 201, "")
	e.clock.Advance(5 * time.Second)
	retry := e.send("clinic_abc", "service", body)
	if retry.Status != 201 || !bytes.Equal(retry.Raw, first.Raw) || retry.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s (replayed %q)", retry.Status, retry.Raw, retry.Header.Get("Idempotent-Replayed"))
	}
	e.restart()
	e.clock.Advance(20 * time.Second)
	again := e.send("clinic_abc", "service", body)
	if again.Status != 201 || !bytes.Equal(again.Raw, first.Raw) {
		t.Fatalf("after restart: %d %s", again.Status, again.Raw)
	}
	// Another clinic with the same bytes is another key (and here, a 403).
	e.send("clinic_hillview", "service", body).want(t, 403, careqlog.CodeAuthenticationFailed)
	// The same body to another endpoint is another key.
	e.send("clinic_abc", "patient", body).want(t, 422, careqlog.CodeValidationError)
	if n := len(e.records()); n != 3 {
		t.Fatalf("%d log records, want 3 (one service, one 403, one 422)", n)
	}
	// Past the retention, the call runs again (and is unchanged).
	e.clock.Advance(25 * time.Hour)
	late := e.send("clinic_abc", "service", body)
	if late.Status != 200 || late.Data["sync_status"] != careqlog.SyncUnchanged {
		t.Fatalf("after retention: %s", late.Raw)
	}
}

// Errors are not stored: an appointment refused because its patient had not
// arrived succeeds on CareQ's retry once it has.
func TestIdempotencyDoesNotStoreErrors(t *testing.T) {
	e := newEnv(t)
	appt := specBody(t, "appointment")
	e.send("clinic_abc", "appointment", appt).want(t, 404, careqlog.CodeRecordNotFound)
	for _, ep := range []string{"patient", "doctor", "service"} {
		e.send("clinic_abc", ep, specBody(t, ep)).want(t, 201, "")
	}
	e.send("clinic_abc", "appointment", appt).want(t, 201, "")
	// Rejections before the body is trusted are not stored either.
	c := e.client("clinic_abc")
	c.Secret = "not-the-secret-of-clinic-abc"
	doctor := testkit.SetJSON(t, specBody(t, "doctor"), "careq_id", 457)
	req, _ := c.Request(context.Background(), "doctor", []byte(doctor))
	e.do(req).want(t, 401, careqlog.CodeAuthenticationFailed)
	e.send("clinic_abc", "doctor", doctor).want(t, 201, "")
}

// A waiter whose client goes away stops waiting; the first call completes.
func TestIdempotencyWaiterCancel(t *testing.T) {
	tab := newIdemTable(time.Hour)
	now := time.Now()
	if _, owned, _ := tab.begin(context.Background(), "k", now); !owned {
		t.Fatal("first caller does not own the key")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, owned, err := tab.begin(ctx, "k", now); owned || err == nil {
		t.Fatalf("cancelled waiter: owned %v err %v", owned, err)
	}
	done := make(chan *stored)
	go func() {
		res, _, _ := tab.begin(context.Background(), "k", now)
		done <- res
	}()
	time.Sleep(10 * time.Millisecond)
	tab.finish("k", &stored{status: http.StatusCreated, body: []byte("x")}, now)
	if res := <-done; res == nil || res.status != 201 {
		t.Fatalf("waiter got %+v", res)
	}
	// An abandoned key lets the next caller run the call.
	tab.begin(context.Background(), "j", now)
	tab.abandon("j")
	if _, owned, _ := tab.begin(context.Background(), "j", now); !owned {
		t.Fatal("abandoned key not free")
	}
}

// A stored answer replays byte for byte after a restart, also when it holds
// characters JSON encoders like to escape (the batch_id is echoed).
func TestReplayIsByteIdenticalAfterRestart(t *testing.T) {
	e := newEnv(t)
	body := `{"clinic_id": "clinic_abc", "batch_id": "b&<1>\u2028é", "records": [{"type": "service", "data": ` +
		specBody(t, "service") + `}]}`
	first := e.send("clinic_abc", "batch", body)
	if first.Status != 200 || first.Data["batch_id"] != "b&<1>\u2028é" {
		t.Fatalf("%d %s", first.Status, first.Raw)
	}
	e.restart()
	again := e.send("clinic_abc", "batch", body)
	if !bytes.Equal(again.Raw, first.Raw) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay after restart differs:\n%s\n%s", first.Raw, again.Raw)
	}
}
