package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
	"carelake/stages/load"
)

// careqTable finds a registered CareQ table.
func careqTable(tb testing.TB, dataset string) schemas.Table {
	for _, t := range schemas.CareQTables() {
		if t.Dataset == dataset {
			return t
		}
	}
	tb.Fatalf("no table %s", dataset)
	return schemas.Table{}
}

// stageCareQ commits a normalise-careq output: rows per dataset, each row
// naming its clinic_id (the partition, removed from the row) and staged in
// the partition of its received_at month.
func stageCareQ(tb testing.TB, root, runID string, rows map[string][]row) {
	tb.Helper()
	w, err := staging.Begin(root, "normalise-careq", runID)
	if err != nil {
		tb.Fatal(err)
	}
	w.SetMeta(warehouse.MetaLicence, "test licence")
	w.SetMeta(warehouse.MetaSource, "test source")
	for dataset, rs := range rows {
		t := careqTable(tb, dataset)
		byPart := map[string][]loadtest.Row{}
		for _, r := range rs {
			clinic := r["clinic_id"].(string)
			delete(r, "clinic_id")
			month := r["received_at"].(time.Time).UTC().Format("2006-01")
			path := fmt.Sprintf("%s/clinic_id=%s/event_month=%s", dataset, clinic, month)
			byPart[path] = append(byPart[path], r)
		}
		for path, prs := range byPart {
			rec := loadtest.Record(tb, t.Schema, prs)
			if err := w.Write(dataset, path, rec); err != nil {
				tb.Fatal(err)
			}
			rec.Release()
		}
	}
	if _, err := w.Commit(); err != nil {
		tb.Fatal(err)
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// appointmentChange is one row of careq/appointments.
func appointmentChange(clinic string, careqID int64, seq int64, change, status string, start string, extra row) row {
	r := row{"clinic_id": clinic, "seq": seq, "received_at": ts("2026-11-20T10:00:00Z").Add(time.Duration(seq) * time.Second),
		"log_segment": "careq-0000000000000001.jsonl", "careq_id": careqID,
		"appointment_id": fmt.Sprintf("apt_%s_%d", clinic, careqID), "change": change, "sync_status": "updated",
		"status": status, "event_at": ts("2026-11-20T09:00:00Z").Add(time.Duration(seq) * time.Second)}
	if change == "record" {
		r["sync_status"] = "created"
		r["patient_careq_id"], r["doctor_careq_id"], r["service_careq_id"] = int64(100), int64(200), int64(300)
		r["start_datetime"] = ts(start + "T09:30:00Z")
		r["start_date"] = start
	}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

// buildCareQWarehouse is the CQC fixture (with the predecessor's own rating
// timeline and the surgery's key questions) plus CareQ appointments of the
// three fixture clinics on dates on both sides of the re-registration and of
// the surgery's rating change.
func buildCareQWarehouse(tb testing.TB, root string) {
	tb.Helper()
	day := "2026-11-21"
	cqc := fixtureRows(day)
	hist := func(loc, kind, name, rating, from string, to any, org any) row {
		return row{"location_id": loc, "kind": kind, "name": name, "rating": rating, "rating_category": "x",
			"report_date": from, "report_link_id": "rep-" + loc + "-" + from, "organisation_id": org, "inherited": org != nil,
			"framework": "legacy", "source": "historicRatings", "valid_from": from, "valid_to": to, "is_current": to == nil}
	}
	cqc["cqc/location_rating_history"] = append(cqc["cqc/location_rating_history"],
		hist("1-1500001002", "overall", "Overall", "Requires improvement", "2019-11-20", "2022-07-15", nil),
		hist("1-1500001002", "overall", "Overall", "Good", "2022-07-15", nil, nil),
		hist("1-300", "key_question", "Safe", "Requires improvement", "2025-01-10", "2026-10-01", nil),
		hist("1-300", "key_question", "Safe", "Outstanding", "2026-10-01", nil, nil),
	)
	loadtest.StageTables(tb, root, "normalise-cqc", "run-"+day, day, schemas.CQCTables(), cqc)

	stageCareQ(tb, root, "careq-1", map[string][]row{"careq/appointments": {
		// clinic_a: mapped to 1-1500001002, re-registered as 1-1500001003 on 2022-12-09.
		appointmentChange("clinic_a", 1, 1, "record", "booked", "2021-03-01", nil),
		appointmentChange("clinic_a", 1, 2, "status", "completed", "", nil),
		appointmentChange("clinic_a", 2, 3, "record", "booked", "2022-09-01", nil),
		appointmentChange("clinic_a", 3, 4, "record", "booked", "2023-03-01", nil),
		appointmentChange("clinic_a", 3, 5, "cancel", "cancelled", "", row{"cancelled_by": "patient"}),
		// clinic_b: the surgery, rated Requires improvement from 2025-01-10, Good from 2026-10-01.
		appointmentChange("clinic_b", 1, 6, "record", "confirmed", "2025-06-01", row{"batch_index": int32(0)}),
		appointmentChange("clinic_b", 2, 7, "status", "no-show", "", nil),
		appointmentChange("clinic_b", 2, 8, "record", "booked", "2026-11-01", nil), // a later full record after the status change
		appointmentChange("clinic_b", 3, 9, "record", "booked", "2024-06-01", nil),
		// clinic_c: mapped to a location not archived.
		appointmentChange("clinic_c", 1, 10, "record", "booked", "2026-01-01", nil),
	}})
	if _, err := load.Run(context.Background(), load.Options{Root: root, Version: "test", Logger: quiet()}); err != nil {
		tb.Fatal(err)
	}
	buildMartsAndCatalog(tb, root)
}

func TestClinicAppointmentRatings(t *testing.T) {
	root := t.TempDir()
	buildCareQWarehouse(t, root)
	db, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	wantCells(t, db, `SELECT clinic_id, careq_id, status, CAST(start_date AS VARCHAR), coalesce(cancelled_by, '-')
		FROM careq_appointments ORDER BY clinic_id, careq_id`, [][]string{
		{"clinic_a", "1", "completed", "2021-03-01", "-"},
		{"clinic_a", "2", "booked", "2022-09-01", "-"},
		{"clinic_a", "3", "cancelled", "2023-03-01", "patient"},
		{"clinic_b", "1", "confirmed", "2025-06-01", "-"},
		{"clinic_b", "2", "booked", "2026-11-01", "-"},
		{"clinic_b", "3", "booked", "2024-06-01", "-"},
		{"clinic_c", "1", "booked", "2026-01-01", "-"},
	})

	wantCells(t, db, `SELECT clinic_id, careq_id, appointment_date, cqc_location_id, coalesce(current_location_id, '-'),
		coalesce(rated_location_id, '-'), coalesce(overall_rating_at_appointment, '-'),
		coalesce(CAST(overall_rating_at_appointment_inherited AS VARCHAR), '-'),
		coalesce(safe_rating_at_appointment, '-'), coalesce(current_overall_rating, '-')
		FROM clinic_appointment_ratings ORDER BY clinic_id, careq_id`, [][]string{
		// Before the re-registration: the predecessor's own timeline.
		{"clinic_a", "1", "2021-03-01", "1-1500001002", "1-1500001003", "1-1500001002", "Requires improvement", "false", "-", "Good"},
		{"clinic_a", "2", "2022-09-01", "1-1500001002", "1-1500001003", "1-1500001002", "Good", "false", "-", "Good"},
		// After it: the current location's rating, inherited from the predecessor.
		{"clinic_a", "3", "2023-03-01", "1-1500001002", "1-1500001003", "1-1500001003", "Good", "true", "-", "Good"},
		{"clinic_b", "1", "2025-06-01", "1-300", "1-300", "1-300", "Requires improvement", "false", "Requires improvement", "Good"},
		{"clinic_b", "2", "2026-11-01", "1-300", "1-300", "1-300", "Good", "false", "Outstanding", "Good"},
		// Before the surgery was ever rated.
		{"clinic_b", "3", "2024-06-01", "1-300", "1-300", "1-300", "-", "-", "-", "Good"},
		// A clinic whose location is unknown keeps its appointment, without ratings.
		{"clinic_c", "1", "2026-01-01", "1-999", "-", "-", "-", "-", "-", "-"},
	})

	// Categories next to the verbatim ratings, for grouping.
	wantCells(t, db, `SELECT overall_rating_category_at_appointment, current_overall_rating_category
		FROM clinic_appointment_ratings WHERE clinic_id = 'clinic_a' AND careq_id = 3`, [][]string{{"good", "good"}})

	// Every appointment has exactly one row.
	var n, distinct int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT (clinic_id, careq_id)) FROM clinic_appointment_ratings`).Scan(&n, &distinct); err != nil || n != 7 || distinct != 7 {
		t.Fatalf("rows %d, distinct %d, %v", n, distinct, err)
	}

	// The same views work when the catalog is ATTACHed under another name
	// (in a session that finds the warehouse's relative paths).
	mem, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1) // one session: SET is per connection
	if _, err := mem.Exec(fmt.Sprintf("SET file_search_path = '%s'", root)); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Exec(fmt.Sprintf("ATTACH '%s' AS wh (READ_ONLY)", filepath.Join(root, FileName))); err != nil {
		t.Fatal(err)
	}
	var rating string
	err = mem.QueryRow(`SELECT overall_rating_at_appointment FROM wh.clinic_appointment_ratings WHERE clinic_id = 'clinic_a' AND careq_id = 3`).Scan(&rating)
	if err != nil || rating != "Good" {
		t.Fatalf("attached: %q %v", rating, err)
	}
	if !strings.Contains(fmt.Sprint(cells(t, mem, `SELECT count(*) FROM wh.careq_appointments`)), "7") {
		t.Fatal("careq_appointments not readable through ATTACH")
	}
}

// TestAppointmentsRatedOnTheClinicsLocalDate: an appointment is rated on
// its date where the clinic is. The surgery (1-300) is rated Requires
// improvement from 2025-01-10 (winter: London is on UTC) and Good from
// 2026-10-01 (summer: London is UTC+1). clinic_b is in London (the mapping's
// default), clinic_d at the same place but in Asia/Kolkata (UTC+5:30).
func TestAppointmentsRatedOnTheClinicsLocalDate(t *testing.T) {
	root := t.TempDir()
	day := "2026-11-21"
	cqc := fixtureRows(day)
	cqc["cqc/clinic_locations"] = append(cqc["cqc/clinic_locations"], row{"clinic_id": "clinic_d", "clinic_name": "Far Clinic",
		"cqc_location_id": "1-300", "current_location_id": "1-300", "mapping_status": "current", "timezone": "Asia/Kolkata"})
	loadtest.StageTables(t, root, "normalise-cqc", "run-"+day, day, schemas.CQCTables(), cqc)
	at := func(clinic string, id int64, start string) row {
		r := appointmentChange(clinic, id, id, "record", "booked", start[:10], nil)
		r["start_datetime"] = ts(start)
		r["start_date"] = ts(start).UTC().Format(time.DateOnly)
		return r
	}
	stageCareQ(t, root, "careq-1", map[string][]row{"careq/appointments": {
		at("clinic_b", 1, "2025-01-09T23:30:00Z"), // 23:30 GMT on the 9th: not rated yet
		at("clinic_b", 2, "2025-01-10T00:30:00Z"), // 00:30 GMT on the 10th: the first rating
		at("clinic_b", 3, "2026-09-30T22:30:00Z"), // 23:30 BST on the 30th: still the first rating
		at("clinic_b", 4, "2026-09-30T23:30:00Z"), // 00:30 BST on 1 October (UTC: 30 September): the new one
		at("clinic_d", 5, "2026-09-30T18:00:00Z"), // 23:30 IST on the 30th
		at("clinic_d", 6, "2026-09-30T19:00:00Z"), // 00:30 IST on 1 October (19:00 UTC, 20:00 in London)
	}})
	if _, err := load.Run(context.Background(), load.Options{Root: root, Version: "test", Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	buildMartsAndCatalog(t, root)
	db, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantCells(t, db, `SELECT careq_id, appointment_date, appointment_local_date, clinic_timezone,
		coalesce(overall_rating_at_appointment, '-') FROM clinic_appointment_ratings ORDER BY careq_id`, [][]string{
		{"1", "2025-01-09", "2025-01-09", "Europe/London", "-"},
		{"2", "2025-01-10", "2025-01-10", "Europe/London", "Requires improvement"},
		{"3", "2026-09-30", "2026-09-30", "Europe/London", "Requires improvement"},
		{"4", "2026-09-30", "2026-10-01", "Europe/London", "Good"},
		{"5", "2026-09-30", "2026-09-30", "Asia/Kolkata", "Requires improvement"},
		{"6", "2026-09-30", "2026-10-01", "Asia/Kolkata", "Good"},
	})
}
