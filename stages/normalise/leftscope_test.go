package normalise

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"carelake/schemas/leftscope"
)

// A location that left a filtered scope is staged as its last body fetched
// before the body found outside the filters, with left_scope_at that body's
// fetch time; once the file no longer lists it (it came back), its latest
// body, unmarked. A listed location with no body before its leaving has no
// row. Without the file nothing is marked.
func TestLeftScopeKeepsWhatItWas(t *testing.T) {
	root := t.TempDir()
	loc := func(id, la, region string) json.RawMessage {
		return json.RawMessage(`{"locationId":"` + id + `","name":"Loc ` + id + `","localAuthority":"` + la + `","region":"` + region + `"}`)
	}
	specs := []recordSpec{
		{Endpoint: "location", ID: "1-1", Status: 200, Body: loc("1-1", "Merton", "London")}, // t0
		{Endpoint: "location", ID: "1-2", Status: 200, Body: loc("1-2", "Merton", "London")}, // t0+1m
		{NewSession: true}, // t0+2m (no record)
		{Endpoint: "location", ID: "1-1", Status: 200, Body: loc("1-1", "Epping Forest", "East")}, // t0+3m: found outside
		{Endpoint: "location", ID: "1-1", Status: 200, Body: loc("1-1", "Epping Forest", "East")}, // t0+4m: a later check
		{Endpoint: "location", ID: "1-3", Status: 200, Body: loc("1-3", "Uttlesford", "East")},    // t0+5m
		{Endpoint: "location", ID: "1-2", Status: 200, Body: loc("1-2", "Merton", "London")},      // t0+6m
	}
	writeRecords(t, root, specs)
	leftAt := t0.Add(3 * time.Minute)
	normalise := func(left map[string]time.Time) (map[string]row, Summary) {
		t.Helper()
		if left != nil {
			if err := leftscope.Write(root, leftscope.List{GeneratedAt: "2026-11-21T03:00:00Z", Locations: left}); err != nil {
				t.Fatal(err)
			}
		}
		sum, err := Run(context.Background(), Options{Root: root, SnapshotDate: snapshot, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]row{}
		for _, r := range rowsOf(t, dumpNormalised(t, root))["locations"] {
			byID[r["location_id"].(string)] = r
		}
		return byID, sum
	}

	// No file: every location as its latest body, none marked.
	rows, sum := normalise(nil)
	if r := rows["1-1"]; r["local_authority"] != "Epping Forest" || r["left_scope_at"] != nil || sum.LeftScope != 0 {
		t.Fatalf("without the file: %v; %+v", r, sum)
	}

	// 1-1 left when its Epping Forest body was fetched; 1-3 "left" before
	// any body of it was archived.
	rows, sum = normalise(map[string]time.Time{"1-1": leftAt, "1-3": t0.Add(5 * time.Minute)})
	r := rows["1-1"]
	if r["local_authority"] != "Merton" || r["region"] != "London" || r["archive_seq"] != 1.0 ||
		r["left_scope_at"] != "2026-11-21T02:03:00.000000Z" || r["fetched_at"] != "2026-11-21T02:00:00.000000Z" {
		t.Errorf("the leaver is not what it was, marked: %v", r)
	}
	if r := rows["1-2"]; r["left_scope_at"] != nil || r["fetched_at"] != "2026-11-21T02:06:00.000000Z" {
		t.Errorf("a member is its latest body, unmarked: %v", r)
	}
	if _, ok := rows["1-3"]; ok || len(rows) != 2 {
		t.Errorf("a listed location without a body before it left has no row: %v", rows)
	}
	if sum.LeftScope != 1 || sum.Unusable != 1 || sum.Locations != 2 {
		t.Errorf("summary %+v", sum)
	}

	// It came back: extract lists it no more.
	rows, sum = normalise(map[string]time.Time{})
	if r := rows["1-1"]; r["local_authority"] != "Epping Forest" || r["left_scope_at"] != nil || r["archive_seq"] != 2.0 || sum.LeftScope != 0 {
		t.Errorf("back in scope: %v; %+v", r, sum)
	}
}
