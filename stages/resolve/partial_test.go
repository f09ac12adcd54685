package resolve

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/wanted"
	"carelake/schemas/warehouse"
	"carelake/stages/load"
	"carelake/stages/normalise"
)

// spec is an archived body, as in records.json.
type spec struct {
	Endpoint string          `json:"endpoint"`
	ID       string          `json:"id"`
	Body     json.RawMessage `json:"body"`
}

// archiveSpecs appends the bodies to root's raw archive, fetched from at on.
func archiveSpecs(t testing.TB, root string, specs []spec, at time.Time) {
	t.Helper()
	w, err := archive.Open(root, archive.Options{NoSync: true, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range specs {
		r := &archive.Record{FetchedAt: at.Add(time.Duration(i) * time.Second), Method: "GET", URL: "/" + s.Endpoint + "s/" + s.ID,
			Endpoint: s.Endpoint, ID: s.ID, Attempt: 1, Status: 200}
		var compact bytes.Buffer
		if err := json.Compact(&compact, s.Body); err != nil {
			t.Fatal(err)
		}
		r.SetBody(compact.Bytes())
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func location(id, body string) spec {
	return spec{Endpoint: "location", ID: id, Body: json.RawMessage(body)}
}

// TestOnlyWhatTheChangesReach runs two nights on two warehouses from one
// archive: A as the nightly job does (the second night a partial snapshot,
// resolved from the register saved the first night), B staged whole. The
// second night changes the end of a chain (its group is resolved again
// from the saved register: the inherited ratings need its predecessors'
// reports) and an old location that now names its successor, which had
// never had a predecessor: that location's ratings were not kept in the
// saved register and are read from the warehouse. Every resolve table and
// the wanted list agree.
func TestOnlyWhatTheChangesReach(t *testing.T) {
	night1, night2 := twoNights(t)
	clinics, err := schemas.ReadClinicsFile(filepath.Join(scenario, "clinics.csv"))
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	a, bw := t.TempDir(), t.TempDir()
	dates := []string{"2026-11-21", "2026-11-22"}
	var partial []bool
	for n, specs := range [][]spec{night1, night2} {
		for _, root := range []string{a, bw} {
			archiveSpecs(t, root, specs, t0.AddDate(0, 0, n))
			if _, err := normalise.Run(ctx, normalise.Options{Root: root, SnapshotDate: dates[n], Whole: root == bw}); err != nil {
				t.Fatal(err)
			}
			sum, err := Run(ctx, Options{Root: root, Clinics: clinics})
			if err != nil {
				t.Fatal(err)
			}
			if root == a {
				partial = append(partial, sum.Partial)
			}
			if _, err := load.Run(ctx, load.Options{Root: root, Version: "test", RemoveLoaded: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !slices.Equal(partial, []bool{false, true}) {
		t.Fatalf("A's nights resolved partially: %v, want [false true]", partial)
	}

	for _, tb := range []schemas.Table{schemas.CQCLocationLineage, schemas.CQCRatingSources, schemas.CQCClinicLocations} {
		got, want := latestRows(t, a, tb), latestRows(t, bw, tb)
		if !slices.Equal(got, want) {
			t.Errorf("%s differs:\n by change: %v\n whole:     %v", tb.Dataset, got, want)
		}
	}
	// The saved location that gained a predecessor had its ratings read.
	sources := latestRows(t, a, schemas.CQCRatingSources)
	if !slices.ContainsFunc(sources, func(r string) bool {
		return strings.HasPrefix(r, "1-900|overall|") && strings.Contains(r, "|rep-U|") && strings.Contains(r, "|1-901|")
	}) {
		t.Errorf("1-900's rating from rep-U is not sourced from 1-901: %v", sources)
	}
	wa, err := wanted.Read(a)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := wanted.Read(bw)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(wa.Locations, wb.Locations) || !slices.Equal(wa.Providers, wb.Providers) || len(wa.Locations) == 0 {
		t.Errorf("wanted by change %v %v, whole %v %v", wa.Locations, wa.Providers, wb.Locations, wb.Providers)
	}
}

// twoNights is the scenario's archive with two more locations, and a
// second night that changes two of them (TestOnlyWhatTheChangesReach).
func twoNights(t *testing.T) (night1, night2 []spec) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(scenario, "records.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &night1); err != nil {
		t.Fatal(err)
	}
	// 1-900 rates from report rep-U, which its own reports do not list
	// and no predecessor has; 1-901's reports list it.
	night1 = append(night1,
		location("1-900", `{"locationId": "1-900", "providerId": "1-P1", "name": "Successor", "registrationStatus": "Registered",
			"registrationDate": "2023-01-01", "relationships": [],
			"currentRatings": {"overall": {"rating": "Good", "reportDate": "2022-05-01", "reportLinkId": "rep-U", "keyQuestionRatings": []}}}`),
		location("1-901", `{"locationId": "1-901", "providerId": "1-P1", "name": "Predecessor", "registrationStatus": "Deregistered",
			"registrationDate": "2015-01-01", "relationships": [],
			"reports": [{"linkId": "rep-U", "reportDate": "2022-05-01", "firstVisitDate": "2022-04-01", "reportUri": "/reports/rep-U"}]}`))
	night2 = []spec{
		location("1-901", `{"locationId": "1-901", "providerId": "1-P1", "name": "Predecessor", "registrationStatus": "Deregistered",
			"registrationDate": "2015-01-01",
			"relationships": [{"relatedLocationId": "1-900", "relatedLocationName": "Successor", "type": "HSCA Successor", "reason": "Location Move"}],
			"reports": [{"linkId": "rep-U", "reportDate": "2022-05-01", "firstVisitDate": "2022-04-01", "reportUri": "/reports/rep-U"}]}`),
	}
	for _, s := range night1 {
		if s.ID == "1-103" { // the end of the chain 1-100 -> 1-103, renamed
			night2 = append(night2, location(s.ID, strings.Replace(string(s.Body), `"New Site"`, `"New Site, renamed"`, 1)))
		}
	}
	if len(night2) != 2 {
		t.Fatal("the scenario has no 1-103")
	}
	return night1, night2
}

// TestSavedRegisterOnlyWhenStored: the register a run saved is used only
// once load has stored that run's output and its input: resolve run twice
// on one night before load reads the whole register the second time, and
// so does a night whose saved register was deleted.
func TestSavedRegisterOnlyWhenStored(t *testing.T) {
	night1, night2 := twoNights(t)
	ctx := context.Background()
	root := t.TempDir()
	resolveNight := func(n int, specs []spec, date string) bool {
		if specs != nil {
			archiveSpecs(t, root, specs, t0.AddDate(0, 0, n))
			ns, err := normalise.Run(ctx, normalise.Options{Root: root, SnapshotDate: date})
			if err != nil {
				t.Fatal(err)
			}
			if ns.Partial != (n > 0) {
				t.Fatalf("night %d: normalise staged a partial snapshot: %t", n+1, ns.Partial)
			}
		}
		sum, err := Run(ctx, Options{Root: root})
		if err != nil {
			t.Fatal(err)
		}
		return sum.Partial
	}
	stored := func() {
		if _, err := load.Run(ctx, load.Options{Root: root, Version: "test", RemoveLoaded: true}); err != nil {
			t.Fatal(err)
		}
	}
	if resolveNight(0, night1, "2026-11-21") {
		t.Error("the first night resolved partially")
	}
	stored()
	if !resolveNight(1, night2, "2026-11-22") {
		t.Error("night 2 resolved the whole register, with the first night's register stored")
	}
	if resolveNight(1, nil, "") {
		t.Error("night 2 again, before load: resolved partially from a register load has not stored")
	}
	stored()
	if err := os.Remove(savedPath(root)); err != nil {
		t.Fatal(err)
	}
	if resolveNight(2, night2[:1], "2026-11-23") {
		t.Error("night 3 resolved partially without a saved register")
	}
}

// latestRows is root's latest snapshot of t, a row per line (columns
// joined by "|"), sorted.
func latestRows(t *testing.T, root string, tb schemas.Table) []string {
	t.Helper()
	var out []string
	_, err := warehouse.ReadLatest(context.Background(), root, tb, "2099-01-01", nil, nil, func(rec arrow.RecordBatch) error {
		for i := range int(rec.NumRows()) {
			cols := make([]string, rec.NumCols())
			for c := range cols {
				cols[c] = rec.Column(c).ValueStr(i)
			}
			out = append(out, strings.Join(cols, "|"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestSavedRegisterDamaged: a saved register that is cut short, has a
// flipped byte or another format is not used, and the night resolves the
// whole register as if there were none.
func TestSavedRegisterDamaged(t *testing.T) {
	s := &saved{snapshot: "2026-11-21", inputRunID: "n", runID: "r",
		places:    map[string][]byte{"1-1": encodePlace(&place{archived: true, status: "Registered", rels: []rel{{"1-2", "HSCA Predecessor"}}}, nil)},
		groups:    [][]string{{"1-1", "1-2"}},
		clinics:   []string{"1-1"},
		providers: map[string]bool{"1-P": true}, unarchived: []string{"1-2"}}
	root := t.TempDir()
	if err := s.save(root); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(savedPath(root))
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeSaved(good)
	if err != nil {
		t.Fatal(err)
	}
	p, err := decodePlace(back.places["1-1"])
	if err != nil || !p.archived || p.status != "Registered" || len(p.rels) != 1 || back.group["1-2"] != 0 ||
		!back.providers["1-P"] || !slices.Equal(back.unarchived, []string{"1-2"}) || back.runID != "r" {
		t.Fatalf("round trip: %+v %+v %v", back, p, err)
	}
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 1
	other := slices.Clone(good)
	other[len(savedMagic)] = savedFormat + 1
	for name, b := range map[string][]byte{"cut": good[:len(good)-7], "flipped": flipped, "other format": other, "empty": nil} {
		if _, err := decodeSaved(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// FuzzDecodeSaved: no input makes the saved register's reader panic or
// read past its input.
func FuzzDecodeSaved(f *testing.F) {
	s := &saved{snapshot: "d", places: map[string][]byte{"1-1": encodePlace(&place{ratings: []rating{{kind: "overall", link: optStr{"l", true}}},
		reports: []report{{link: "l", date: optDate{5, true}}}}, nil)}, groups: [][]string{{"a", "b"}}}
	root := f.TempDir()
	if err := s.save(root); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(savedPath(root))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(encodePlace(&place{archived: true}, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := decodeSaved(b); err == nil {
			for id, p := range s.places {
				if _, err := decodePlace(p); err != nil {
					t.Logf("%s: %v", id, err)
				}
			}
		}
		_, _ = decodePlace(b)
	})
}
