package cqc

import (
	"encoding/json"
	"testing"
	"time"

	"carelake/internal/cqcsim"
	"carelake/schemas"
	"carelake/schemas/archive"
)

// The taxonomy is one call a run, archived whole; a rerun the same night
// spends no call on it, the next night's run fetches it again.
func TestTaxonomyOnceARun(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 51, Locations: 200})
	opts := e.options()
	opts.Scope, opts.ClinicsFile = ScopeClinics, writeClinics(t, t.TempDir(), e.sim.LocationIDs()[:2])
	taxonomyCalls := func() int {
		n := 0
		for _, r := range e.sim.Requests() {
			if r.Path == "/public/v1/inspection-areas" {
				n++
			}
		}
		return n
	}
	if sum := e.extract(t, opts); sum.Taxonomy != TaxonomyFetched || taxonomyCalls() != 1 {
		t.Fatalf("first run: taxonomy %q, %d calls", sum.Taxonomy, taxonomyCalls())
	}
	var got schemas.InspectionAreasResponse
	for _, r := range readArchive(t, e.root).records {
		if r.Endpoint == archive.EndpointInspectionAreas && r.Status == 200 && r.Error == "" {
			if err := json.Unmarshal(r.Body, &got); err != nil {
				t.Fatal(err)
			}
		}
	}
	superseded := 0
	for _, a := range got.InspectionAreas {
		if len(a.SupersededBy) > 0 {
			superseded++
		}
	}
	if len(got.InspectionAreas) < 10 || superseded == 0 {
		t.Fatalf("archived taxonomy: %d areas, %d superseded", len(got.InspectionAreas), superseded)
	}
	if sum := e.extract(t, opts); sum.Taxonomy != TaxonomyRecent || sum.Calls.Total != 0 || taxonomyCalls() != 1 {
		t.Fatalf("rerun: taxonomy %q, %d calls", sum.Taxonomy, sum.Calls.Total)
	}
	e.sim.SetClock(e.sim.Clock().Add(24 * time.Hour))
	if sum := e.extract(t, opts); sum.Taxonomy != TaxonomyFetched || taxonomyCalls() != 2 {
		t.Fatalf("next night: taxonomy %q, %d calls", sum.Taxonomy, taxonomyCalls())
	}
}
