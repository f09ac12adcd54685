package resolve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"carelake/internal/testkit"
	"carelake/schemas"
	"carelake/schemas/staging"
	"carelake/schemas/wanted"
	"carelake/stages/normalise"

	"github.com/apache/arrow-go/v18/arrow"
)

var (
	t0       = time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	scenario = filepath.Join("testdata", "scenario")
)

// normalised builds the raw archive from a records.json (endpoint, id,
// inline body per record) and runs normalise on it.
func normalised(t testing.TB, records string) string {
	t.Helper()
	b, err := os.ReadFile(records)
	if err != nil {
		t.Fatal(err)
	}
	var specs []spec
	if err := json.Unmarshal(b, &specs); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	archiveSpecs(t, root, specs, t0)
	sum, err := normalise.Run(context.Background(), normalise.Options{Root: root, SnapshotDate: "2026-11-21", RunID: "norm-1"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.RejectedBodies != 0 {
		t.Fatalf("scenario bodies rejected: %+v", sum)
	}
	return root
}

var (
	rows = testkit.ParseRows
	find = testkit.Find
	one  = testkit.One
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testkit.Golden(t, filepath.Join(scenario, "golden", name), got)
}

func TestScenario(t *testing.T) {
	root := normalised(t, filepath.Join(scenario, "records.json"))
	clinics, err := schemas.ReadClinicsFile(filepath.Join(scenario, "clinics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 21, 3, 0, 0, 0, time.UTC) }
	sum, err := Run(context.Background(), Options{Root: root, Clinics: clinics, RunID: "res-1", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	out, err := testkit.DumpStaged(root, Stage, schemas.CQCTables())
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"location_lineage", "rating_sources", "clinic_locations"} {
		golden(t, table+".jsonl", out["cqc/"+table])
	}
	wantedJSON, err := os.ReadFile(wanted.Path(root))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "cqc-wanted.json", wantedJSON)

	lineage := rows(t, out["cqc/location_lineage"])
	// Depth 3: D's ancestors C, B, A, with edges given by either side only.
	for anc, depth := range map[string]float64{"1-103": 0, "1-102": 1, "1-101": 2, "1-100": 3, "1-199": 1} {
		r := one(t, lineage, "location_id", "1-103", "ancestor_location_id", anc)
		if r["depth"] != depth || r["current_location_id"] != "1-103" || r["in_cycle"] != false {
			t.Errorf("D's lineage row for %s: %v", anc, r)
		}
	}
	if n := len(find(lineage, "location_id", "1-103")); n != 5 {
		t.Errorf("D has %d lineage rows, want 5", n)
	}
	// Every location, the old ones included, finds the current one.
	for _, id := range []string{"1-100", "1-101", "1-102"} {
		if r := one(t, lineage, "location_id", id, "depth", 0.0); r["current_location_id"] != "1-103" {
			t.Errorf("%s's current location: %v", id, r)
		}
	}
	// The cycle is flagged, not looped, and leaves no current location.
	for _, id := range []string{"1-200", "1-201"} {
		r := one(t, lineage, "location_id", id, "depth", 0.0)
		if r["in_cycle"] != true || r["current_location_id"] != nil {
			t.Errorf("cycle member %s: %v", id, r)
		}
	}
	// An inherited rating with no relationship still links the lineage.
	one(t, lineage, "location_id", "1-600", "ancestor_location_id", "1-601", "depth", 1.0)
	// An organisation already an ancestor adds no shortcut edge.
	if r := one(t, lineage, "location_id", "1-103", "ancestor_location_id", "1-101"); r["depth"] != 2.0 {
		t.Errorf("rating link shortened the lineage: %v", r)
	}

	src := rows(t, out["cqc/rating_sources"])
	d := one(t, src, "location_id", "1-103", "kind", "overall", "report_link_id", "rep-A1")
	if d["organisation_id"] != "1-101" || d["source_location_id"] != "1-100" || d["generations"] != 3.0 ||
		d["source_report_date"] != "2019-05-01" || d["source_report_first_visit_date"] != "2019-03-01" ||
		d["source_report_uri"] != "/reports/rep-A1?20190501120000" || d["resolved"] != true {
		t.Errorf("inherited overall resolved generations back: %v", d)
	}
	one(t, src, "location_id", "1-103", "kind", "key_question", "name", "Safe", "source_location_id", "1-100")
	if h := one(t, src, "location_id", "1-103", "report_link_id", "rep-C1"); h["source_location_id"] != "1-102" || h["generations"] != 1.0 {
		t.Errorf("historic rating source: %v", h)
	}
	for id, reason := range map[string]string{"1-300": reasonOrganisation, "1-400": reasonAncestor} {
		if r := one(t, src, "location_id", id); r["resolved"] != false || r["unresolved_reason"] != reason || r["source_location_id"] != nil {
			t.Errorf("%s: %v", id, r)
		}
	}
	one(t, src, "location_id", "1-103", "organisation_id", "1-199", "unresolved_reason", reasonOrganisation)
	one(t, src, "location_id", "1-600", "source_location_id", "1-601", "generations", 1.0)
	// The API's inherited overall without organisationId (its key questions
	// carry one, and the location has no reports of its own): inferred from
	// the predecessor's reports.
	q := one(t, src, "location_id", "1-701", "kind", "overall")
	if q["organisation_id"] != nil || q["inferred"] != true || q["source_location_id"] != "1-700" || q["generations"] != 1.0 ||
		q["source_report_date"] != "2021-09-09" || q["resolved"] != true {
		t.Errorf("inherited overall without organisationId: %v", q)
	}
	one(t, src, "location_id", "1-701", "kind", "key_question", "organisation_id", "1-700", "inferred", false)
	// The same with the predecessor unavailable (it answers 404): the overall
	// is still the predecessor's, unresolved for the reason its key questions are.
	o := one(t, src, "location_id", "1-801", "kind", "overall")
	if o["organisation_id"] != nil || o["inferred"] != true || o["resolved"] != false ||
		o["unresolved_reason"] != reasonOrganisation || o["source_location_id"] != nil {
		t.Errorf("inherited overall without organisationId, predecessor not archived: %v", o)
	}
	// A rating from the location's own report is not inherited, predecessors or not.
	if got := find(src, "location_id", "1-102"); len(got) != 0 {
		t.Errorf("1-102's own rating taken for inherited: %v", got)
	}

	clin := rows(t, out["cqc/clinic_locations"])
	for id, want := range map[string][2]any{
		"clinic-a": {"1-103", statusSucceeded}, "clinic-d": {"1-103", statusCurrent}, "clinic-u": {nil, statusUnknown},
		"clinic-e": {nil, statusCycle}, "clinic-x": {"1-500", statusDeregistered},
	} {
		r := one(t, clin, "clinic_id", id)
		if r["current_location_id"] != want[0] || r["mapping_status"] != want[1] {
			t.Errorf("%s: %v, want %v", id, r, want)
		}
	}

	var w wanted.List
	if err := json.Unmarshal(wantedJSON, &w); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.Locations, []string{"1-199", "1-301", "1-402", "1-800", "1-999"}) || !slices.Equal(w.Providers, []string{"1-P0", "1-P2", "1-P5"}) ||
		w.GeneratedAt != "2026-11-21T03:00:00Z" {
		t.Errorf("wanted %+v", w)
	}
	if sum.InCycle != 2 || sum.Inherited != 13 || sum.Inferred != 2 || sum.Resolved != 7 || sum.Clinics[statusSucceeded] != 1 || sum.SnapshotDate != "2026-11-21" {
		t.Errorf("summary %+v", sum)
	}
	m, err := staging.Open(root, Stage)
	if err != nil {
		t.Fatal(err)
	}
	if m.Inputs[normalise.Stage] != "norm-1" || m.Meta["licence"] != normalise.Licence {
		t.Errorf("provenance %+v %+v", m.Inputs, m.Meta)
	}
	for _, p := range m.Partitions {
		if !strings.HasSuffix(p.Path, "/snapshot_date=2026-11-21") {
			t.Errorf("partition %s", p.Path)
		}
	}
}

// Without clinics the table is staged empty, and resolve needs normalise.
func TestWithoutClinicsAndWithoutInput(t *testing.T) {
	if _, err := Run(context.Background(), Options{Root: t.TempDir()}); !errors.Is(err, staging.ErrNotStaged) ||
		!strings.Contains(err.Error(), "carelake normalise") {
		t.Fatalf("err = %v", err)
	}
	root := normalised(t, filepath.Join(scenario, "records.json"))
	sum, err := Run(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	m, err := staging.Open(root, Stage)
	if err != nil {
		t.Fatal(err)
	}
	if p := m.Find(schemas.CQCClinicLocations.Dataset); len(p) != 1 || p[0].Rows != 0 {
		t.Errorf("clinic_locations partitions %+v", p)
	}
	if len(sum.WantedProviders) != 0 || len(sum.WantedLocations) != 4 {
		t.Errorf("wanted without clinics: %v %v", sum.WantedLocations, sum.WantedProviders)
	}
}

// A long chain and a wide cycle resolve without recursion limits or loops.
func TestLongChainAndBigCycle(t *testing.T) {
	g := newGraph()
	const n = 5000
	for i := 0; i < n; i++ {
		x := g.node(string(rune('a'+i%26)) + strings.Repeat("x", i/26))
		g.archived[x], g.status[x] = true, "Deregistered"
		if i > 0 {
			g.edge(x-1, x)
		}
	}
	g.status[n-1] = "Registered"
	c1, c2, c3 := g.node("c1"), g.node("c2"), g.node("c3")
	g.edge(c1, c2)
	g.edge(c2, c3)
	g.edge(c3, c1)
	g.close()
	if g.current[0] != n-1 || len(g.ancestors[n-1]) != n-1 || g.ancestors[n-1][n-2].depth != n-1 {
		t.Errorf("chain: current %d, %d ancestors", g.current[0], len(g.ancestors[n-1]))
	}
	for _, c := range []int{c1, c2, c3} {
		if !g.inCycle[c] || g.current[c] != -1 || len(g.ancestors[c]) != 2 {
			t.Errorf("cycle node %s: in_cycle %v current %d ancestors %v", g.ids[c], g.inCycle[c], g.current[c], g.ancestors[c])
		}
	}
}

// A failed or cancelled resolve commits nothing and keeps the wanted list.
func TestCancelKeepsPreviousOutput(t *testing.T) {
	root := normalised(t, filepath.Join(scenario, "records.json"))
	if _, err := Run(context.Background(), Options{Root: root, RunID: "first"}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(wanted.Path(root))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{Root: root, RunID: "second", Now: func() time.Time { return t0.Add(time.Hour) }}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	m, err := staging.Open(root, Stage)
	if err != nil || m.RunID != "first" {
		t.Fatalf("previous output not intact: %v %v", m, err)
	}
	after, _ := os.ReadFile(wanted.Path(root))
	if !bytes.Equal(before, after) {
		t.Error("wanted list changed by a failed run")
	}
}

// TestRatingsInAnyOrder: resolve keeps, in one pass, the ratings it writes
// sources for, which relies on a location's ratings coming together. With
// the scenario's ratings staged odd rows first, then even ones (every
// location's split), it reads them again and writes the same rows.
func TestRatingsInAnyOrder(t *testing.T) {
	root := normalised(t, filepath.Join(scenario, "records.json"))
	clinics, err := schemas.ReadClinicsFile(filepath.Join(scenario, "clinics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	resolved := func() map[string][]string {
		t.Helper()
		if _, err := Run(context.Background(), Options{Root: root, Clinics: clinics, RunID: "res-1"}); err != nil {
			t.Fatal(err)
		}
		out, err := testkit.DumpStaged(root, Stage, schemas.CQCTables())
		if err != nil {
			t.Fatal(err)
		}
		lines := map[string][]string{}
		for ds, b := range out {
			lines[ds] = strings.Split(strings.TrimSpace(string(b)), "\n")
			slices.Sort(lines[ds])
		}
		return lines
	}
	together := resolved()

	m, err := staging.Open(root, normalise.Stage)
	if err != nil {
		t.Fatal(err)
	}
	w, err := staging.Begin(root, normalise.Stage, "norm-2")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range m.Meta {
		w.SetMeta(k, v)
	}
	for _, p := range m.Partitions {
		err := m.Read(p, func(rec arrow.RecordBatch) error {
			if p.Table != schemas.CQCLocationRatingHistory.Dataset {
				return w.Write(p.Table, p.Path, rec)
			}
			for _, odd := range []int64{1, 0} {
				for i := odd; i < rec.NumRows(); i += 2 {
					row := rec.NewSlice(i, i+1)
					err := w.Write(p.Table, p.Path, row)
					row.Release()
					if err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	apart := resolved()
	if len(together["cqc/rating_sources"]) < 2 {
		t.Fatalf("the scenario has %d rating sources", len(together["cqc/rating_sources"]))
	}
	for ds, want := range together {
		if !slices.Equal(apart[ds], want) {
			t.Errorf("%s with each location's ratings apart:\n%s\nwant\n%s", ds, strings.Join(apart[ds], "\n"), strings.Join(want, "\n"))
		}
	}
}
