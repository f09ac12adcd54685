package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"carelake/data"
	"carelake/internal/careqreplay"
	"carelake/internal/testkit/parquetcheck"
	"carelake/schemas/careqlog"
	"carelake/stages/catalog"
)

// The demo is the embedded default: it must run the whole pipeline, show
// what the issue asks for, and leave a warehouse every reader agrees on.
func TestDemo(t *testing.T) {
	root := filepath.Join(t.TempDir(), "demo")
	code, out, errOut := run(t, "demo", "--out", root, "--log-level", "warn")
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"replayed, every answer as expected",
		"the real API allows ~100 a minute",
		"run ", ": succeeded",
		"Lineage: a location re-registered three times",
		"1-1500001003 | 1-1500001000         |     3 | 1-1500001003",
		"Inherited ratings and the predecessor's report they come from",
		"An inspection report's text next to the rating it explains",
		"1-1500000101 | Good           | true      | 1-1500000100 | 2020-11-02  | Overall rating for this service: Good",
		"| Our findings",
		"Appointments next to the rating in effect on their date",
		"carelake sql --out " + root,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}

	db, err := catalog.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var appointments, rated, inheritedNow, abcCurrent int
	err = db.QueryRow(`SELECT (SELECT count(*) FROM careq_appointments),
		(SELECT count(*) FROM clinic_appointment_ratings WHERE overall_rating_at_appointment IS NOT NULL),
		(SELECT count(*) FROM clinic_appointment_ratings WHERE overall_rating_at_appointment_inherited),
		(SELECT count(*) FROM clinic_locations WHERE clinic_id = 'clinic_abc' AND current_location_id = '1-1500001003')`).
		Scan(&appointments, &rated, &inheritedNow, &abcCurrent)
	if err != nil {
		t.Fatal(err)
	}
	if appointments == 0 || rated != appointments || inheritedNow == 0 || abcCurrent != 1 {
		t.Errorf("appointments %d, rated %d, inherited %d, clinic_abc at its current location %d", appointments, rated, inheritedNow, abcCurrent)
	}

	// Every Parquet file: identical values from DuckDB, arrow-go and
	// xitongsys/parquet-go, and the Parquet policy kept.
	if n := parquetcheck.Warehouse(t, root); n < 30 {
		t.Errorf("only %d Parquet files checked", n)
	}

	// No raw personal data from the sample deliveries anywhere: neither in the
	// receiver's log nor in any CareQ table.
	pii := deliveryPII(t)
	logBytes := readTree(t, careqlog.Dir(root))
	var cells strings.Builder
	for _, table := range []string{"careq_events", "careq_patient_changes", "careq_doctor_changes", "careq_service_changes", "careq_appointment_changes", "careq_rejects"} {
		rows, err := db.Query("SELECT to_json(t)::VARCHAR FROM " + table + " t")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			cells.WriteString(s + "\n")
		}
		rows.Close()
	}
	for _, v := range pii {
		if strings.Contains(logBytes, v) {
			t.Errorf("raw %q is in the receiver's log", v)
		}
		if strings.Contains(cells.String(), v) {
			t.Errorf("raw %q is in the CareQ tables", v)
		}
	}
	// Controls: the scan does see what is kept on purpose (masked Aadhaar,
	// doctors' professional names matched the way patient names are).
	if !strings.Contains(cells.String(), "XXXX XXXX ") {
		t.Error("no masked Aadhaar in the CareQ tables: the scan read nothing")
	}
	if !strings.Contains(cells.String(), `"Dr. Sarah"`) {
		t.Error("the specification's doctor name is not found: the name scan cannot see names")
	}

	// A second demo replaces the first; a directory it did not make is refused.
	if code, out, errOut := run(t, "demo", "--out", root, "--log-level", "warn"); code != 0 {
		t.Fatalf("second demo exit %d: %s %s", code, out, errOut)
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "precious.txt"), []byte("keep me"), 0o644)
	if code, _, errOut := run(t, "demo", "--out", other); code != exitUsage || !strings.Contains(errOut, "was not made by 'carelake demo'") {
		t.Fatalf("demo over a foreign directory: exit %d, %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "precious.txt")); string(b) != "keep me" {
		t.Fatal("demo touched a directory it did not make")
	}
}

// deliveryPII lists the raw phone numbers, e-mails, Aadhaar numbers, patient
// names and street addresses of the sample deliveries (batch records too).
func deliveryPII(t *testing.T) []string {
	t.Helper()
	sub, _ := fs.Sub(data.CareQ, "careq/deliveries")
	ds, err := careqreplay.LoadDeliveries(sub)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	add := func(endpoint string, body map[string]any) {
		for _, k := range []string{"phone_number", "mobile_number", "email", "aadhar_number", "address"} {
			if v, ok := body[k].(string); ok && len(v) >= 6 {
				out = append(out, v)
			}
		}
		// A name is looked for as a whole JSON string value: "Patient" is
		// also a word of the answers' messages.
		names := []string{"spouse_name", "father_name"}
		if endpoint == "patient" {
			names = append(names, "first_name", "last_name")
		}
		for _, k := range names {
			if v, ok := body[k].(string); ok && v != "" {
				out = append(out, `"`+v+`"`)
			}
		}
	}
	for _, d := range ds {
		var body map[string]any
		if err := json.Unmarshal(d.Body, &body); err != nil {
			t.Fatal(err)
		}
		if recs, ok := body["records"].([]any); ok {
			for _, r := range recs {
				rec := r.(map[string]any)
				if b, ok := rec["data"].(map[string]any); ok {
					add(rec["type"].(string), b)
				}
			}
			continue
		}
		add(d.Endpoint, body)
	}
	if len(out) < 50 {
		t.Fatalf("only %d PII values in the sample deliveries", len(out))
	}
	return out
}

func readTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		c, err := os.ReadFile(p)
		b.Write(c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
