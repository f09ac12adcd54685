// Package careqduck_test proves DuckDB reads the CareQ durable log as
// package careqlog documents it. It lives apart so the receiver's tests do
// not link DuckDB.
package careqduck_test

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"carelake/stages/extract/receiver"
)

func TestDuckDBReadsSealedSegments(t *testing.T) {
	cfg, err := receiver.ParseConfig([]byte(`clinics:
  - clinic_id: clinic_abc
    tokens: ["duck-test-token-000000000000000000001"]
    signing_secrets: ["duck-test-signing-secret-0001"]
`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s, err := receiver.New(receiver.ServerOptions{Config: cfg, PIIKey: []byte("duck-test-pii-key-0123456789abcdef"), LogDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	c := receiver.NewClient(hs.URL, "duck-test-token-000000000000000000001", "duck-test-signing-secret-0001", receiver.SignedBody)
	ctx := context.Background()
	for _, call := range []struct{ ep, body string }{
		{"patient", `{"careq_id": 1, "clinic_id": "clinic_abc", "first_name": "A", "last_name": "B", "phone_number": "9876543210", "date_of_birth": "1990-05-15"}`},
		{"doctor", `{"careq_id": 2, "clinic_id": "clinic_abc", "first_name": "Dr. C", "last_name": "D"}`},
		{"service", `{"careq_id": 3, "clinic_id": "clinic_abc", "name": "Consultation", "duration": 30, "price": 500.00}`},
		{"appointment", `{"careq_id": 4, "clinic_id": "clinic_abc", "patient_careq_id": 1, "doctor_careq_id": 2, "service_careq_id": 3,
			"book_datetime": "2026-01-01T09:00:00Z", "start_datetime": "2026-01-02T09:00:00Z", "end_datetime": "2026-01-02T09:30:00Z", "status": "booked"}`},
		{"appointment/status", `{"careq_id": 4, "clinic_id": "clinic_abc", "status": "completed", "updated_at": "2026-01-02T10:00:00Z"}`},
		{"patient", `{`},
	} {
		if _, _, err := c.Send(ctx, call.ep, []byte(call.body)); err != nil {
			t.Fatal(err)
		}
	}
	hs.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The query of the careqlog package documentation.
	rows, err := db.Query(`SELECT seq, received_at, clinic_id, endpoint, status, record_type, careq_id,
	       payload->>'$.status' AS status_value, payload->>'$.birth_year' AS birth_year
	FROM read_json(?, format='newline_delimited') ORDER BY seq`, filepath.Join(dir, "careq-*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var (
			seq, status                        int64
			received                           any
			clinic, endpoint                   string
			recordType, statusValue, birthYear sql.NullString
			careqID                            sql.NullInt64
		)
		if err := rows.Scan(&seq, &received, &clinic, &endpoint, &status, &recordType, &careqID, &statusValue, &birthYear); err != nil {
			t.Fatal(err)
		}
		got = append(got, endpoint+" "+recordType.String+" "+statusValue.String+" "+birthYear.String)
		if careqID.Valid && careqID.Int64 == 1 && birthYear.String != "1990" {
			t.Errorf("birth year %q", birthYear.String)
		}
	}
	want := []string{"patient patient  1990", "doctor doctor  ", "service service  ",
		"appointment appointment booked ", "appointment/status appointment_status completed ", "patient   "}
	if len(got) != len(want) {
		t.Fatalf("rows %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
	}
}
