package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
	"carelake/stages/load"
	"carelake/stages/marts"
)

type row = loadtest.Row

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

var fetched = time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)

// archived adds the archive pointer every location, provider and reject row has.
func archived(r row) row {
	r["fetched_at"] = fetched
	r["archive_segment"] = "raw/cqc/date=2026-11-21/s-00001.jsonl.zst"
	r["archive_seq"] = 1
	return r
}

func location(id, name, status, region string, extra row) row {
	r := archived(row{"location_id": id, "name": name, "registration_status": status, "region": region,
		"unpublished_report_count": 0})
	for k, v := range extra {
		r[k] = v
	}
	return r
}

// fixtureRows is a small register with the cases the contract views join:
// Orchids Care re-registered (1-1500001002 -> 1-1500001003, rating inherited
// through a legal entity change, the overall one without organisationId as
// the API serves it), a surgery whose rating changed between the
// two snapshots, a dental practice never rated, clinics mapped to an old, a
// current and an unknown location, and one reject.
func fixtureRows(day string) map[string][]row {
	surgery := row{"overall_rating": "Requires improvement", "overall_rating_category": "requires_improvement",
		"overall_rating_date": "2025-01-10", "overall_rating_inherited": false, "overall_rating_report_link_id": "rep-300-a"}
	if day == "2026-11-21" {
		surgery = row{"overall_rating": "Good", "overall_rating_category": "good",
			"overall_rating_date": "2026-10-01", "overall_rating_inherited": false, "overall_rating_report_link_id": "rep-300-b"}
	}
	rating := func(loc, kind, name, value, category, date, link string, org any) row {
		return row{"location_id": loc, "kind": kind, "name": name, "rating": value, "rating_category": category,
			"report_date": date, "report_link_id": link, "organisation_id": org, "inherited": org != nil,
			"framework": "legacy", "in_effect": true}
	}
	ratings := []row{
		// The API's inherited overall: no organisationId (its key questions carry one).
		rating("1-1500001003", "overall", "Overall", "Good", "good", "2022-07-15", "rep-orchid-2022", nil),
		rating("1-1500001003", "key_question", "Safe", "Good", "good", "2022-07-15", "rep-orchid-2022", "1-1500001002"),
		rating("1-1500001002", "overall", "Overall", "Good", "good", "2022-07-15", "rep-orchid-2022", nil),
		rating("1-300", "overall", "Overall", surgery["overall_rating"].(string), surgery["overall_rating_category"].(string),
			surgery["overall_rating_date"].(string), surgery["overall_rating_report_link_id"].(string), nil),
		rating("1-300", "key_question", "Safe", "Requires improvement", "requires_improvement",
			surgery["overall_rating_date"].(string), surgery["overall_rating_report_link_id"].(string), nil),
	}
	history := func(r row, source, from string, to any, current bool) row {
		h := row{"source": source, "valid_from": from, "valid_to": to, "is_current": current}
		for _, k := range []string{"location_id", "kind", "name", "rating", "rating_category", "report_date", "report_link_id", "organisation_id", "inherited", "framework"} {
			h[k] = r[k]
		}
		return h
	}
	hist := []row{history(ratings[0], "currentRatings", "2022-07-15", nil, true)}
	if day == "2026-11-21" {
		old := rating("1-300", "overall", "Overall", "Requires improvement", "requires_improvement", "2025-01-10", "rep-300-a", nil)
		hist = append(hist, history(old, "historicRatings", "2025-01-10", "2026-10-01", false),
			history(ratings[3], "currentRatings", "2026-10-01", nil, true))
	}
	report := func(org, link, date, visit string) row {
		return row{"organisation_type": "location", "organisation_id": org, "link_id": link, "report_date": date,
			"first_visit_date": visit, "report_uri": "/reports/" + link + "?20260101120000", "report_type": "Location"}
	}
	source := func(r row) row {
		return row{"location_id": r["location_id"], "kind": r["kind"], "name": r["name"], "report_link_id": r["report_link_id"],
			"report_date": r["report_date"], "organisation_id": r["organisation_id"], "inferred": r["organisation_id"] == nil,
			"source_location_id": "1-1500001002",
			"source_report_date": "2022-07-15", "source_report_first_visit_date": "2022-06-23",
			"source_report_uri": "/reports/rep-orchid-2022?20260101120000", "generations": 1, "resolved": true}
	}
	lineage := func(loc, anc string, depth int, current string) row {
		return row{"location_id": loc, "ancestor_location_id": anc, "depth": depth, "current_location_id": current, "in_cycle": false}
	}
	yorks := "Yorkshire & Humberside"
	return map[string][]row{
		"cqc/locations": {
			location("1-1500001002", "Orchids Care", "Deregistered", yorks, row{"deregistration_date": "2022-12-08",
				"overall_rating": "Good", "overall_rating_category": "good", "overall_rating_date": "2022-07-15", "overall_rating_inherited": false}),
			location("1-1500001003", "Orchids Care", "Registered", yorks, row{"registration_date": "2022-12-09",
				"overall_rating": "Good", "overall_rating_category": "good", "overall_rating_date": "2022-07-15",
				"overall_rating_inherited": false, "overall_rating_report_link_id": "rep-orchid-2022"}),
			location("1-300", "Café Ünïcødé Surgery", "Registered", "London", surgery),
			location("1-400", "Smile Dental", "Registered", "London", nil),
		},
		"cqc/providers": {archived(row{"provider_id": "1-9098203603", "name": "Orchids Ltd", "location_count": 2,
			"contact_count": 0, "unpublished_report_count": 0})},
		"cqc/location_ratings":        ratings,
		"cqc/location_rating_history": hist,
		"cqc/reports": {
			report("1-1500001002", "rep-orchid-2022", "2022-07-15", "2022-06-23"),
			report("1-300", "rep-300-b", "2026-10-01", "2026-09-02"),
			report("1-300", "rep-300-a", "2025-01-10", "2024-12-02"),
		},
		"cqc/report_texts": {
			archived(row{"link_id": "rep-orchid-2022", "location_id": "1-1500001002", "report_date": "2022-07-15",
				"text": "Care Quality Commission\nOrchids Care\nInspection report\nIs the service safe? Good\nStaff stored and gave medicines safely and recorded each dose.\n"}),
			archived(row{"link_id": "rep-300-b", "location_id": "1-300", "report_date": "2026-10-01",
				"text": "Care Quality Commission\nCafé Ünïcødé Surgery\nInspection report\nMedicines were reviewed yearly.\n"}),
		},
		"cqc/rating_sources": {source(ratings[0]), source(ratings[1])},
		"cqc/location_lineage": {
			lineage("1-1500001003", "1-1500001003", 0, "1-1500001003"),
			lineage("1-1500001003", "1-1500001002", 1, "1-1500001003"),
			lineage("1-1500001002", "1-1500001002", 0, "1-1500001003"),
			lineage("1-300", "1-300", 0, "1-300"),
			lineage("1-400", "1-400", 0, "1-400"),
		},
		"cqc/clinic_locations": {
			{"clinic_id": "clinic_a", "clinic_name": "Orchid Clinic", "cqc_location_id": "1-1500001002",
				"current_location_id": "1-1500001003", "mapping_status": "succeeded", "timezone": "Europe/London"},
			{"clinic_id": "clinic_b", "clinic_name": "Café Clinic", "cqc_location_id": "1-300",
				"current_location_id": "1-300", "mapping_status": "current", "timezone": "Europe/London"},
			{"clinic_id": "clinic_c", "clinic_name": "Ghost Clinic", "cqc_location_id": "1-999", "mapping_status": "unknown_location", "timezone": "Asia/Kolkata"},
		},
		"cqc/rejects": {archived(row{"entity_type": "location", "entity_id": "1-555", "scope": "body", "reason": "body is not a JSON object"})},
	}
}

// buildFixture loads two snapshots of the fixture into a new warehouse at
// root, builds its marts and its catalog.
func buildFixture(tb testing.TB, root string) {
	tb.Helper()
	tables := schemas.CQCTables()
	for i, day := range []string{"2026-11-20", "2026-11-21"} {
		loadtest.StageTables(tb, root, "normalise-cqc", "run-"+day, day, tables, fixtureRows(day))
		if _, err := load.Run(context.Background(), load.Options{Root: root, Version: "test", Logger: quiet()}); err != nil {
			tb.Fatalf("load snapshot %d: %v", i, err)
		}
	}
	buildMartsAndCatalog(tb, root)
}

// buildMartsAndCatalog builds the marts of a loaded warehouse, then its
// catalog, as a run does after load.
func buildMartsAndCatalog(tb testing.TB, root string) {
	tb.Helper()
	if _, err := marts.Run(context.Background(), marts.Options{Root: root, Version: "test", Logger: quiet()}); err != nil {
		tb.Fatal(err)
	}
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet()}); err != nil {
		tb.Fatal(err)
	}
}

// wantCells fails tb unless query answers want, row by row.
func wantCells(tb testing.TB, db *sql.DB, query string, want [][]string) {
	tb.Helper()
	if got := cells(tb, db, query); fmt.Sprint(got) != fmt.Sprint(want) {
		tb.Errorf("%s\n got %v\nwant %v", query, got, want)
	}
}

// cells runs a query and returns every cell as Query's CSV shows it
// ("NULL" for NULL).
func cells(tb testing.TB, db *sql.DB, query string) [][]string {
	tb.Helper()
	rows, err := db.Query(query)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	types, _ := rows.ColumnTypes()
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out [][]string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		r := make([]string, len(vals))
		for i, v := range vals {
			s, null := text(v, types[i].DatabaseTypeName())
			if null {
				s = "NULL"
			}
			r[i] = s
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
