package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"carelake/internal/testkit"
	"carelake/schemas/careqlog"
)

// Every example of the specification is accepted, with the answer shapes
// the specification shows.
func TestSpecificationExamplesAccepted(t *testing.T) {
	e := newEnv(t)
	for _, d := range specDeliveries(t) {
		a := e.send(d.ClinicID, d.Endpoint, string(d.Body))
		if a.Status != d.ExpectStatus || !a.Success {
			t.Fatalf("%s: %d %s", d.Note, a.Status, a.Raw)
		}
		if got := a.Data["sync_status"]; got != d.ExpectSyncStatus {
			t.Errorf("%s: sync_status %v, want %s", d.Note, got, d.ExpectSyncStatus)
		}
		var careqID int64
		var body map[string]any
		json.Unmarshal(d.Body, &body)
		careqID = int64(body["careq_id"].(float64))
		if a.Data["careq_id"] != float64(careqID) {
			t.Errorf("%s: data.careq_id %v, want %d", d.Note, a.Data["careq_id"], careqID)
		}
		if id, _ := a.Data["id"].(string); !regexp.MustCompile(`^(pat|doc|svc|apt)_[0-9a-f]{20}$`).MatchString(id) {
			t.Errorf("%s: data.id %q", d.Note, id)
		}
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(mapGet(a.Raw, "timestamp"))); err != nil {
			t.Errorf("%s: timestamp: %v", d.Note, err)
		}
		switch d.Endpoint {
		case careqlog.EndpointAppointment:
			if cn, _ := a.Data["confirmation_number"].(string); !regexp.MustCompile(`^APPT-\d{10}$`).MatchString(cn) {
				t.Errorf("confirmation_number %q", cn)
			}
			if a.Message != "Appointment created successfully" {
				t.Errorf("message %q", a.Message)
			}
		case careqlog.EndpointCancel:
			if a.Data["status"] != "cancelled" || a.Message != "Appointment cancelled successfully" {
				t.Errorf("cancel answer %s", a.Raw)
			}
		case careqlog.EndpointStatus:
			if a.Data["status"] != "completed" || a.Message != "Appointment status updated successfully" {
				t.Errorf("status answer %s", a.Raw)
			}
		case careqlog.EndpointPatient:
			if a.Message != "Patient created successfully" {
				t.Errorf("message %q", a.Message)
			}
		}
	}
	// The health check, as the specification shows it.
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+APIPrefix+"health", nil)
	req.Header.Set("Authorization", "Bearer "+tokA1)
	h := e.do(req)
	if h.Status != 200 || mapGet(h.Raw, "status") != "operational" || mapGet(h.Raw, "version") != "1.0.0" || !h.Success {
		t.Fatalf("health: %d %s", h.Status, h.Raw)
	}
}

// The specification's batch example, with its four objects: all created, in
// order (the appointment sees the patient, doctor and service before it).
func TestSpecificationBatchExample(t *testing.T) {
	e := newEnv(t)
	body := fmt.Sprintf(`{"clinic_id": "clinic_abc", "batch_id": "batch_20251210_001", "records": [
		{"type": "patient", "data": %s}, {"type": "doctor", "data": %s},
		{"type": "service", "data": %s}, {"type": "appointment", "data": %s}]}`,
		specBody(t, "patient"), specBody(t, "doctor"), specBody(t, "service"), specBody(t, "appointment"))
	a := e.send("clinic_abc", "batch", body)
	if a.Status != 200 || !a.Success {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	if a.Data["batch_id"] != "batch_20251210_001" || a.Data["total"] != 4.0 || a.Data["successful"] != 4.0 || a.Data["failed"] != 0.0 {
		t.Fatalf("batch data %v", a.Data)
	}
	results := a.Data["results"].([]any)
	wantTypes := []string{"patient", "doctor", "service", "appointment"}
	wantIDs := []float64{12345, 456, 789, 10001}
	for i, r := range results {
		m := r.(map[string]any)
		if m["type"] != wantTypes[i] || m["careq_id"] != wantIDs[i] || m["status"] != "created" || m["id"] == "" {
			t.Errorf("result %d: %v", i, m)
		}
	}
	// The same records alone are now known: unchanged, same IDs.
	p := e.send("clinic_abc", "patient", specBody(t, "patient"))
	if p.Status != 200 || p.Data["sync_status"] != careqlog.SyncUnchanged || p.Data["id"] != results[0].(map[string]any)["id"] {
		t.Fatalf("patient after batch: %s", p.Raw)
	}
	recs := e.records()
	last := recs[len(recs)-2]
	if last.Endpoint != careqlog.EndpointBatch || len(last.Records) != 4 || last.BatchID != "batch_20251210_001" {
		t.Fatalf("batch log record: %+v", last)
	}
}

func mapGet(raw []byte, key string) any {
	var m map[string]any
	json.Unmarshal(raw, &m)
	return m[key]
}

// Every error code of the specification is produced, each by the check the
// package documentation lists; every refusal after authentication is in the
// durable log, and none before it (they are counted in the metrics).
func TestEveryErrorCode(t *testing.T) {
	e := newEnv(t)
	patient := specBody(t, "patient")

	// AUTHENTICATION_FAILED: no token, wrong token, bad signature, stale
	// timestamp, another clinic's body, missing X-API-Key.
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+APIPrefix+"patient", strings.NewReader(patient))
	a := e.do(req).want(t, 401, careqlog.CodeAuthenticationFailed)
	if a.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	c := e.client("clinic_abc")
	c.Token = "token-that-nobody-configured-000000000000"
	req, _ = c.Request(context.Background(), "patient", []byte(patient))
	e.do(req).want(t, 401, careqlog.CodeAuthenticationFailed)
	c = e.client("clinic_abc")
	c.Secret = "a-secret-clinic-abc-never-had"
	req, _ = c.Request(context.Background(), "patient", []byte(patient))
	e.do(req).want(t, 401, careqlog.CodeAuthenticationFailed)
	c = e.client("clinic_abc")
	c.Now = func() time.Time { return e.clock.Now().Add(-10 * time.Minute) }
	req, _ = c.Request(context.Background(), "patient", []byte(patient))
	a = e.do(req).want(t, 401, careqlog.CodeAuthenticationFailed)
	if !strings.Contains(a.Error.Message, "X-CareQ-Timestamp") {
		t.Errorf("stale timestamp message: %q", a.Error.Message)
	}
	e.send("clinic_hillview", "patient", patient).want(t, 403, careqlog.CodeAuthenticationFailed)
	c = e.client("clinic_riverside")
	c.APIKey = ""
	req, _ = c.Request(context.Background(), "patient", []byte(testkit.SetJSON(t, patient, "clinic_id", "clinic_riverside")))
	e.do(req).want(t, 401, careqlog.CodeAuthenticationFailed)
	c = e.client("clinic_riverside")
	c.WebhookSecret = "webhook-secret-riverside-02"
	req, _ = c.Request(context.Background(), "patient", []byte(testkit.SetJSON(t, patient, "clinic_id", "clinic_riverside")))
	e.do(req).want(t, 401, careqlog.CodeAuthenticationFailed)

	// INVALID_REQUEST: malformed JSON, not an object, invalid UTF-8.
	e.send("clinic_abc", "patient", `{"careq_id": 1,`).want(t, 400, careqlog.CodeInvalidRequest)
	e.send("clinic_abc", "patient", `[1,2]`).want(t, 400, careqlog.CodeInvalidRequest)
	e.send("clinic_abc", "patient", "{\"first_name\": \"\xff\"}").want(t, 400, careqlog.CodeInvalidRequest)
	e.send("clinic_abc", "patient", `{"a":1} {"b":2}`).want(t, 400, careqlog.CodeInvalidRequest)

	// VALIDATION_ERROR with field-by-field details.
	bad := testkit.SetJSON(t, patient, "phone_number", "98765-4321", "email", "not-an-email", "careq_id", "12345",
		"gender", "unknown", "date_of_birth", "1990-02-30", "first_name", nil)
	a = e.send("clinic_abc", "patient", bad).want(t, 422, careqlog.CodeValidationError)
	wantDetails := map[string]string{
		"phone_number": "Phone number must be 10 digits", "email": "Email format is invalid",
		"careq_id": "must be an integer", "gender": "must be one of male, female, other",
		"date_of_birth": "must be a date in the format YYYY-MM-DD", "first_name": "is required",
	}
	for f, msg := range wantDetails {
		if len(a.Error.Details[f]) != 1 || a.Error.Details[f][0] != msg {
			t.Errorf("details[%s] = %v, want %q", f, a.Error.Details[f], msg)
		}
	}
	if len(a.Error.Details) != len(wantDetails) {
		t.Errorf("details %v", a.Error.Details)
	}
	if bytes.Contains(a.Raw, []byte("98765-4321")) || bytes.Contains(a.Raw, []byte("not-an-email")) {
		t.Errorf("422 repeats submitted values: %s", a.Raw)
	}

	// RECORD_NOT_FOUND: appointment before its patient; status of an unknown appointment.
	a = e.send("clinic_abc", "appointment", specBody(t, "appointment")).want(t, 404, careqlog.CodeRecordNotFound)
	for _, f := range []string{"patient_careq_id", "doctor_careq_id", "service_careq_id"} {
		if len(a.Error.Details[f]) != 1 {
			t.Errorf("404 details lack %s: %v", f, a.Error.Details)
		}
	}
	e.send("clinic_abc", "appointment/status", specBody(t, "appointment/status")).want(t, 404, careqlog.CodeRecordNotFound)
	e.send("clinic_abc", "appointment/cancel", specBody(t, "appointment/cancel")).want(t, 404, careqlog.CodeRecordNotFound)

	// DUPLICATE_RECORD: same updated_at, different content.
	e.send("clinic_abc", "patient", patient).want(t, 201, "")
	a = e.send("clinic_abc", "patient", testkit.SetJSON(t, patient, "city", "Pune")).want(t, 409, careqlog.CodeDuplicateRecord)
	if len(a.Error.Details["updated_at"]) != 1 {
		t.Errorf("409 details: %v", a.Error.Details)
	}
	// ... and an appointment hash already used by another appointment.
	e.send("clinic_abc", "doctor", specBody(t, "doctor")).want(t, 201, "")
	e.send("clinic_abc", "service", specBody(t, "service")).want(t, 201, "")
	e.send("clinic_abc", "appointment", specBody(t, "appointment")).want(t, 201, "")
	other := testkit.SetJSON(t, specBody(t, "appointment"), "careq_id", 10002)
	a = e.send("clinic_abc", "appointment", other).want(t, 409, careqlog.CodeDuplicateRecord)
	if len(a.Error.Details["hash"]) != 1 {
		t.Errorf("409 hash details: %v", a.Error.Details)
	}

	// SERVER_ERROR is answered 503 while draining (and when the log fails:
	// TestFsyncFailureStopsIntake).
	e.srv.Drain()
	a = e.send("clinic_abc", "doctor", specBody(t, "doctor")).want(t, 503, careqlog.CodeServerError)
	if a.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}

	// Every refusal after authentication is in the log, with its status and
	// code, and none keeps a body it did not trust; the 401s and the 503
	// while draining are not.
	recs := e.records()
	codes := map[string]int{}
	for _, r := range recs {
		codes[r.ErrorCode]++
		if r.Status >= 400 && r.Status != 422 && r.Status != 403 && r.Status != 404 && r.Status != 409 && r.Payload != nil {
			t.Errorf("record %d (%d %s) keeps a payload", r.Seq, r.Status, r.ErrorCode)
		}
		if r.BodySHA256 == "" || r.BodyBytes == 0 {
			t.Errorf("record %d lacks the body's size and digest", r.Seq)
		}
		if r.Status == 401 || r.Status == 503 || r.ClinicID == "" {
			t.Errorf("record %d (%d) was refused before authentication but logged", r.Seq, r.Status)
		}
	}
	for code, n := range map[string]int{careqlog.CodeAuthenticationFailed: 1, careqlog.CodeInvalidRequest: 4, careqlog.CodeValidationError: 1,
		careqlog.CodeRecordNotFound: 3, careqlog.CodeDuplicateRecord: 2, careqlog.CodeServerError: 0} {
		if codes[code] != n {
			t.Errorf("log holds %d %s records, want %d (%v)", codes[code], code, n, codes)
		}
	}
	m := e.scrape()
	for _, want := range []string{`careq_refused_total{reason="token"} 2`, `careq_refused_total{reason="signature"} 2`,
		`careq_refused_total{reason="api_key"} 1`, `careq_refused_total{reason="webhook_secret"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// Size limit, method and path errors: answered before authentication, so
// not in the durable log; the security log keeps them, with the path cut
// and sanitised.
func TestProtocolErrors(t *testing.T) {
	security := filepath.Join(t.TempDir(), "security.log")
	e := newEnv(t, func(o *ServerOptions) {
		o.MaxBodyBytes = 2048
		o.SecurityLog = SecurityLogOptions{Path: security}
	})
	big := `{"careq_id": 1, "notes": "` + strings.Repeat("x", 3000) + `"}`
	e.send("clinic_abc", "patient", big).want(t, 413, careqlog.CodeInvalidRequest)
	// Without Content-Length (chunked), the limit still holds.
	req, _ := e.client("clinic_abc").Request(context.Background(), "patient", []byte(big))
	req.ContentLength = -1
	req.Body = readerOnly{strings.NewReader(big)}
	e.do(req).want(t, 413, careqlog.CodeInvalidRequest)

	req, _ = http.NewRequest(http.MethodGet, e.http.URL+APIPrefix+"patient", nil)
	req.Header.Set("Authorization", "Bearer "+tokA1)
	a := e.do(req).want(t, 405, careqlog.CodeInvalidRequest)
	if a.Header.Get("Allow") != "POST" {
		t.Errorf("Allow: %q", a.Header.Get("Allow"))
	}
	e.send("clinic_abc", "nothing-here", `{}`).want(t, 404, careqlog.CodeInvalidRequest)
	long := APIPrefix + "x/%3Cscript%3E%0A" + strings.Repeat("a", 300)
	req, _ = http.NewRequest(http.MethodPost, e.http.URL+long, strings.NewReader("{}"))
	e.do(req).want(t, 404, careqlog.CodeInvalidRequest)
	if recs := e.records(); len(recs) != 0 {
		t.Fatalf("durable log holds %d records of calls refused before authentication", len(recs))
	}
	b, err := os.ReadFile(security)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 5 {
		t.Fatalf("security log: %d lines:\n%s", len(lines), b)
	}
	var last securityRecord
	json.Unmarshal([]byte(lines[4]), &last)
	if len(last.Path) != maxLoggedPath || strings.ContainsAny(last.Path, "<>%\n") || last.Status != 404 || last.Source != "127.0.0.1" {
		t.Errorf("unknown endpoint logged as %+v", last)
	}
	if !strings.Contains(lines[0], `"reason":"too_large"`) || !strings.Contains(lines[0], fmt.Sprintf(`"body_bytes":%d`, len(big))) {
		t.Errorf("413 logged as %s", lines[0])
	}
}

type readerOnly struct{ r *strings.Reader }

func (r readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }
func (r readerOnly) Close() error               { return nil }

// ±300 s passes, ±301 s fails, through the server with the injected clock;
// non-integer timestamps fail.
func TestTimestampWindow(t *testing.T) {
	e := newEnv(t)
	for i, tc := range []struct {
		skew time.Duration
		ok   bool
	}{{300 * time.Second, true}, {-300 * time.Second, true}, {301 * time.Second, false}, {-301 * time.Second, false}, {0, true}} {
		c := e.client("clinic_abc")
		c.Now = func() time.Time { return e.clock.Now().Add(tc.skew) }
		body := testkit.SetJSON(t, specBody(t, "service"), "careq_id", 900+i)
		req, _ := c.Request(context.Background(), "service", []byte(body))
		a := e.do(req)
		if tc.ok && a.Status != 201 || !tc.ok && (a.Status != 401 || !strings.Contains(a.Error.Message, "300 seconds")) {
			t.Errorf("skew %v: %d %s", tc.skew, a.Status, a.Raw)
		}
	}
	for _, ts := range []string{"", "1.7e9", "+1763632800", " 1763632800", "1763632800.0", "Infinity", "-1", "0x69", "176363280000000"} {
		req, _ := e.client("clinic_abc").Request(context.Background(), "service", []byte(specBody(t, "service")))
		req.Header.Set(HeaderTimestamp, ts)
		if ts == "" {
			req.Header.Del(HeaderTimestamp)
		}
		a := e.do(req)
		if a.Status != 401 {
			t.Errorf("timestamp %q: %d", ts, a.Status)
		}
	}
}

// Rotation: both active secrets and both tokens pass; a retired secret or
// token fails; timestamp.body signing and unsigned clinics work.
func TestRotationAndSigningModes(t *testing.T) {
	e := newEnv(t)
	n := 0
	try := func(token, secret, mode string) int {
		c := e.client("clinic_abc")
		c.Token, c.Secret, c.SignedPayload = token, secret, mode
		n++
		req, _ := c.Request(context.Background(), "service", []byte(testkit.SetJSON(t, specBody(t, "service"), "careq_id", 7000+n)))
		return e.do(req).Status
	}
	for _, tc := range []struct {
		token, secret, mode string
		want                int
	}{
		{tokA1, secA1, SignedBody, 201}, {tokA1, secA2, SignedBody, 201}, {tokA2, secA2, SignedBody, 201},
		{tokA1, "secret-clinic-abc-zero-retired", SignedBody, 401},
		{"token-clinic-abc-0000-retired-xxxxxxxxx", secA1, SignedBody, 401},
		{tokA1, secA1, SignedTimestampBody, 401}, // clinic_abc signs the body only
	} {
		if got := try(tc.token, tc.secret, tc.mode); got != tc.want {
			t.Errorf("token %s… secret %s… %s: %d, want %d", tc.token[:12], tc.secret[:12], tc.mode, got, tc.want)
		}
	}
	// Both secrets at once (comma-separated), one of them retired.
	c := e.client("clinic_abc")
	body := []byte(testkit.SetJSON(t, specBody(t, "service"), "careq_id", 7100))
	req, _ := c.Request(context.Background(), "service", body)
	ts, _ := ParseTimestamp(req.Header.Get(HeaderTimestamp))
	req.Header.Set(HeaderSignature, Sign("secret-clinic-abc-zero-retired", SignedBody, ts, body)+", "+Sign(secA2, SignedBody, ts, body))
	if a := e.do(req); a.Status != 201 {
		t.Errorf("two signatures, one valid: %d", a.Status)
	}
	// timestamp.body clinic: the body-only signature fails, the right one passes.
	rb := testkit.SetJSON(t, specBody(t, "service"), "clinic_id", "clinic_riverside")
	e.send("clinic_riverside", "service", rb).want(t, 201, "")
	rc := e.client("clinic_riverside")
	rc.SignedPayload = SignedBody
	req, _ = rc.Request(context.Background(), "service", []byte(testkit.SetJSON(t, rb, "careq_id", 790)))
	e.do(req).want(t, 401, careqlog.CodeAuthenticationFailed)
	// An unsigned clinic (signed_payload: none) needs no signature.
	e.send("clinic_unsigned", "service", testkit.SetJSON(t, specBody(t, "service"), "clinic_id", "clinic_unsigned")).want(t, 201, "")
}

// Out-of-order updates: an older version never overwrites a newer one.
func TestOutOfOrderUpdates(t *testing.T) {
	e := newEnv(t)
	at := func(h int) string { return time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC).Format(time.RFC3339) }
	svc := func(h int, name string) string {
		return testkit.SetJSON(t, specBody(t, "service"), "updated_at", at(h), "name", name)
	}
	e.send("clinic_abc", "service", svc(10, "v10")).want(t, 201, "")
	a := e.send("clinic_abc", "service", svc(12, "v12"))
	if a.Status != 200 || a.Data["sync_status"] != careqlog.SyncUpdated {
		t.Fatalf("newer: %s", a.Raw)
	}
	a = e.send("clinic_abc", "service", svc(11, "v11"))
	if a.Status != 200 || a.Data["sync_status"] != careqlog.SyncStaleIgnored || !strings.Contains(a.Message, "ignored") {
		t.Fatalf("older: %s", a.Raw)
	}
	a = e.send("clinic_abc", "service", testkit.SetJSON(t, svc(12, "v12"), "color", "#fff")) //nolint:misspell // wire name
	a.want(t, 409, careqlog.CodeDuplicateRecord)

	// Appointment status: completed at 15:00, then a delayed "confirmed" from 11:00.
	for _, ep := range []string{"patient", "doctor"} {
		e.send("clinic_abc", ep, specBody(t, ep)).want(t, 201, "")
	}
	e.send("clinic_abc", "appointment", specBody(t, "appointment")).want(t, 201, "")
	status := func(s string, h int) answer {
		return e.send("clinic_abc", "appointment/status",
			fmt.Sprintf(`{"careq_id": 10001, "clinic_id": "clinic_abc", "status": %q, "updated_at": "2025-12-15T%02d:00:00Z"}`, s, h))
	}
	if a := status("completed", 15); a.Data["status"] != "completed" || a.Data["sync_status"] != careqlog.SyncUpdated {
		t.Fatalf("completed: %s", a.Raw)
	}
	if a := status("confirmed", 11); a.Data["status"] != "completed" || a.Data["sync_status"] != careqlog.SyncStaleIgnored {
		t.Fatalf("late confirmed: %s", a.Raw)
	}
	// A cancellation from before the completion is stale too.
	a = e.send("clinic_abc", "appointment/cancel", specBody(t, "appointment/cancel"))
	if a.Data["status"] != "completed" || a.Data["sync_status"] != careqlog.SyncStaleIgnored {
		t.Fatalf("late cancel: %s", a.Raw)
	}
	// The original appointment record (updated_at 2025-12-10) resent with
	// another location is now older than the status: ignored.
	a = e.send("clinic_abc", "appointment", testkit.SetJSON(t, specBody(t, "appointment"), "location", "Room 9"))
	if a.Status != 200 || a.Data["sync_status"] != careqlog.SyncStaleIgnored {
		t.Fatalf("stale appointment: %s", a.Raw)
	}

	// After a restart the state is rebuilt: still completed, still stale.
	e.restart()
	if a := status("booked", 12); a.Data["status"] != "completed" || a.Data["sync_status"] != careqlog.SyncStaleIgnored {
		t.Fatalf("after restart: %s", a.Raw)
	}
	if a := status("no-show", 16); a.Data["status"] != "no-show" || a.Data["sync_status"] != careqlog.SyncUpdated {
		t.Fatalf("newer after restart: %s", a.Raw)
	}
}

// Foreign keys are per clinic; a batch applies records in order and answers
// each; a failed record does not fail the others.
func TestBatchOrderAndPartialFailure(t *testing.T) {
	e := newEnv(t)
	appt := specBody(t, "appointment")
	body := fmt.Sprintf(`{"clinic_id": "clinic_abc", "batch_id": "b2", "records": [
		{"type": "appointment", "data": %s},
		{"type": "patient", "data": %s}, {"type": "doctor", "data": %s}, {"type": "service", "data": %s},
		{"type": "appointment", "data": %s},
		{"type": "patient", "data": %s},
		{"type": "invoice", "data": {}},
		{"type": "patient", "data": [1]},
		{"type": "patient", "data": %s}]}`,
		appt, specBody(t, "patient"), specBody(t, "doctor"), specBody(t, "service"), appt,
		testkit.SetJSON(t, specBody(t, "patient"), "careq_id", 2, "phone_number", "123"),
		testkit.SetJSON(t, specBody(t, "patient"), "careq_id", 3, "clinic_id", "clinic_hillview"))
	a := e.send("clinic_abc", "batch", body)
	if a.Status != 200 || a.Data["total"] != 9.0 || a.Data["successful"] != 4.0 || a.Data["failed"] != 5.0 {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	res := a.Data["results"].([]any)
	want := []struct{ status, code string }{
		{"failed", careqlog.CodeRecordNotFound}, {"created", ""}, {"created", ""}, {"created", ""}, {"created", ""},
		{"failed", careqlog.CodeValidationError}, {"failed", careqlog.CodeValidationError}, {"failed", careqlog.CodeValidationError},
		{"failed", careqlog.CodeAuthenticationFailed},
	}
	for i, w := range want {
		m := res[i].(map[string]any)
		code := ""
		if er, ok := m["error"].(map[string]any); ok {
			code = er["code"].(string)
		}
		if m["status"] != w.status || code != w.code {
			t.Errorf("result %d: %v, want %s %s", i, m, w.status, w.code)
		}
	}
	// The envelope itself: another clinic is 403, no records is 422.
	e.send("clinic_abc", "batch", `{"clinic_id": "clinic_hillview", "records": [{"type": "patient", "data": {}}]}`).
		want(t, 403, careqlog.CodeAuthenticationFailed)
	e.send("clinic_abc", "batch", `{"clinic_id": "clinic_abc", "records": []}`).want(t, 422, careqlog.CodeValidationError)
	e.send("clinic_abc", "batch", `{"clinic_id": "clinic_abc", "records": {}}`).want(t, 422, careqlog.CodeValidationError)
	// Foreign keys are per clinic: hillview does not see abc's patient.
	hv := testkit.SetJSON(t, appt, "clinic_id", "clinic_hillview")
	e.send("clinic_hillview", "appointment", hv).want(t, 404, careqlog.CodeRecordNotFound)
}

// Internal IDs and confirmation numbers are stable across restarts.
func TestStableIDs(t *testing.T) {
	e := newEnv(t)
	for _, ep := range []string{"patient", "doctor", "service"} {
		e.send("clinic_abc", ep, specBody(t, ep)).want(t, 201, "")
	}
	first := e.send("clinic_abc", "appointment", specBody(t, "appointment")).want(t, 201, "")
	e.restart()
	again := e.send("clinic_abc", "appointment", testkit.SetJSON(t, specBody(t, "appointment"), "updated_at", "2025-12-11T00:00:00Z"))
	if again.Status != 200 || again.Data["id"] != first.Data["id"] || again.Data["confirmation_number"] != first.Data["confirmation_number"] {
		t.Fatalf("IDs changed across restart: %s vs %s", first.Raw, again.Raw)
	}
	if first.Data["id"] != internalID("clinic_abc", "appointment", 10001) {
		t.Fatal("id not derived from clinic, type and careq_id")
	}
}

// The health endpoint needs a token, says draining while shutting down.
func TestHealth(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+APIPrefix+"health", nil)
	e.do(req).want(t, 401, careqlog.CodeAuthenticationFailed)
	c := e.client("clinic_hillview")
	status, body, err := c.Health(context.Background())
	if err != nil || status != 200 || !bytes.Contains(body, []byte(`"operational"`)) {
		t.Fatalf("health: %d %s %v", status, body, err)
	}
	e.srv.Drain()
	status, body, _ = c.Health(context.Background())
	if status != 503 || !bytes.Contains(body, []byte(`"status":"draining"`)) {
		t.Fatalf("draining health: %d %s", status, body)
	}
}

// /metrics is Prometheus text with requests by endpoint and status, fsync
// latency and log bytes.
func TestMetrics(t *testing.T) {
	e := newEnv(t)
	e.send("clinic_abc", "service", specBody(t, "service")).want(t, 201, "")
	e.send("clinic_abc", "service", specBody(t, "service")).want(t, 201, "") // replay
	e.send("clinic_abc", "patient", `{`).want(t, 400, careqlog.CodeInvalidRequest)
	resp, err := e.http.Client().Get(e.metrics.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	text := buf.String()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Errorf("content type %q", resp.Header.Get("Content-Type"))
	}
	// The API's own address has no /metrics: nothing there names a clinic.
	e.send("clinic_abc", "patient", `{`) // a clinic ID for the metrics to hold
	api := e.do(must(http.NewRequest(http.MethodGet, e.http.URL+"/metrics", nil)))
	if api.Status != 404 || strings.Contains(string(api.Raw), "clinic_") {
		t.Fatalf("/metrics on the API's address: %d %s", api.Status, api.Raw)
	}
	if !strings.Contains(e.scrape(), `careq_requests_total{endpoint="unknown",status="404"} 1`) {
		t.Error("the refused /metrics call is not counted")
	}
	for _, want := range []string{
		`careq_requests_total{endpoint="service",status="201"} 2`,
		`careq_requests_total{endpoint="patient",status="400"} 1`,
		`careq_idempotent_replays_total 1`,
		`careq_log_records_total 2`,
		`careq_log_fsync_seconds_count 2`,
		`careq_log_fsync_seconds_bucket{le="+Inf"} 2`,
		`careq_request_duration_seconds_count{endpoint="service"} 2`,
		`careq_intake_stopped 0`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^careq_log_bytes_total [1-9][0-9]*$`).MatchString(text) {
		t.Error("metrics lack log bytes")
	}
	// Every line is a comment or "name{labels} value".
	line := regexp.MustCompile(`^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$`)
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.HasPrefix(l, "# ") && !line.MatchString(l) {
			t.Errorf("not exposition format: %q", l)
		}
	}
}
