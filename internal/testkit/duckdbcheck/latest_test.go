package duckdbcheck

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"carelake/internal/cqcsim"
	"carelake/schemas/archive"
	"carelake/stages/extract/cqc"
)

// latestGood is the query of package cqc's documentation, for locations.
const latestGood = `
SELECT id, body::VARCHAR
FROM read_json('%s/*/*.jsonl.zst', format='newline_delimited', ignore_errors=true,
     columns={seq:'BIGINT', session:'VARCHAR', fetched_at:'TIMESTAMPTZ', endpoint:'VARCHAR',
              id:'VARCHAR', status:'INTEGER', error:'VARCHAR', body:'JSON'})
WHERE endpoint = 'location' AND status = 200 AND error IS NULL
QUALIFY row_number() OVER (PARTITION BY id ORDER BY fetched_at DESC, session DESC, seq DESC) = 1`

// After a backfill through faults (cut bodies, soft 429s, 5xx) and a changes
// run thirty days later, DuckDB's "latest good body" of every location is
// exactly what the API serves now.
func TestDuckDBReadsTheLatestGoodBodies(t *testing.T) {
	sim, err := cqcsim.New(cqcsim.Config{Seed: 4, Locations: 150, Days: 30, RateLimit: -1, Throttle: cqcsim.ThrottleSoft,
		Faults: cqcsim.Faults{Seed: 9, Truncate: 0.15, Status5xx: 0.1, Throttle: 0.02}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	_, end := sim.History()
	sim.SetClock(end.AddDate(0, 0, -30))
	root := t.TempDir()
	opts := cqc.Options{Root: root, Now: sim.Clock, Client: cqc.ClientOptions{BaseURL: srv.URL + "/public/v1",
		APIKey: cqcsim.DefaultAPIKey, RateLimit: 5000, RateWindow: time.Second, Concurrency: 8, MaxAttempts: 20,
		RetryBase: time.Millisecond, RetryMax: 10 * time.Millisecond}}
	for _, clock := range []time.Time{end.AddDate(0, 0, -30), end} {
		sim.SetClock(clock)
		if sum, err := cqc.Run(context.Background(), opts); err != nil || sum.Outcome != cqc.OutcomeComplete {
			t.Fatalf("extract at %v: %v, %+v", clock, err, sum)
		}
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(fmt.Sprintf(latestGood, archive.Dir(root)))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var id, body string
		if err := rows.Scan(&id, &body); err != nil {
			t.Fatal(err)
		}
		got[id] = body
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	ids := sim.LocationIDs()
	if len(got) < len(ids) {
		t.Fatalf("DuckDB found %d locations, the API lists %d", len(got), len(ids))
	}
	for _, id := range ids {
		want, _ := sim.LocationBody(id)
		var a, b any
		if err := json.Unmarshal([]byte(got[id]), &a); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: DuckDB's latest good body is not the API's current one", id)
		}
	}
}
