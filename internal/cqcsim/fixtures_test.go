package cqcsim

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"carelake/data"
	"carelake/schemas"
)

func TestBundledFixtures(t *testing.T) {
	var logs bytes.Buffer
	s := newFixtureSim(t, Config{Locations: 300, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if strings.Contains(logs.String(), "level=WARN") {
		t.Fatalf("fixtures reference missing organisations:\n%s", logs.String())
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c := &apiClient{t: t, base: srv.URL, key: DefaultAPIKey, ua: "carelake-test/1"}

	files, err := fs.Glob(data.CQCFixtures, "cqc/fixtures/*/*.json")
	if err != nil || len(files) < 20 {
		t.Fatalf("%d fixture files: %v", len(files), err)
	}
	listed := append(s.LocationIDs(), s.ProviderIDs()...)
	for _, f := range files {
		raw, _ := fs.ReadFile(data.CQCFixtures, f)
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		kind := "/locations/"
		if strings.Contains(f, "/providers/") {
			kind = "/providers/"
		}
		r := c.get(kind + id)
		if r.status != 200 || !bytes.Equal(r.body, compact.Bytes()) {
			t.Fatalf("GET %s%s: %d, body differs from %s", kind, id, r.status, f)
		}
		if !slices.Contains(listed, id) {
			t.Fatalf("fixture %s is not listed", id)
		}
	}
	if n := len(s.LocationIDs()); n != 300+20 {
		t.Fatalf("%d locations listed, want 300 generated + 20 fixtures", n)
	}

	// The hard cases are what the README says.
	loc := func(id string) *schemas.Location {
		var l schemas.Location
		c.getJSON("/locations/"+id, &l)
		return &l
	}
	if l := loc("1-1500000101"); l.CurrentRatings.Overall.OrganisationID == nil || len(l.Reports) != 0 || l.LastInspection != nil || l.LastReport == nil {
		t.Error("1-1500000101 is not 'inherited overall, no own reports'")
	}
	if l := loc("1-1500000201"); l.CurrentRatings.Overall.OrganisationID != nil || l.CurrentRatings.Overall.KeyQuestionRatings[0].OrganisationID == nil {
		t.Error("1-1500000201 is not 'key questions inherited, overall not'")
	}
	if l := loc("1-1500000501"); len(l.Assessment) == 0 || l.CurrentRatings != nil {
		t.Error("1-1500000501 is not assessment-only")
	}
	if l := loc("1-1500000701"); l.CurrentRatings != nil || l.Reports != nil || l.Website != nil || l.LastReport != nil {
		t.Error("1-1500000701 is not a bare dental location")
	}
	chain := []string{}
	for id := "1-1500001003"; id != ""; {
		chain = append(chain, id)
		l, next := loc(id), ""
		for _, r := range l.Relationships {
			if r.Type == relPredecessor {
				next = r.RelatedLocationID
			}
		}
		id = next
	}
	if len(chain) != 4 || *loc(chain[0]).RegistrationStatus != "Registered" {
		t.Errorf("chain %v: want depth 3 ending in a registered location", chain)
	}
	if r := c.get("/locations/rl4x1"); r.status != 400 {
		t.Errorf("rl4x1: %d, want 400", r.status)
	}
	var nhs schemas.Provider
	c.getJSON("/providers/RL4", &nhs)
	if *nhs.OwnershipType != "NHS Body" || !slices.Contains(nhs.LocationIDs, "RL4X1") {
		t.Errorf("RL4: %+v", nhs)
	}
	// Fixture reports are served, related documents too; filters see fixtures.
	link := nhs.Reports[0].RelatedDocuments[0].DocumentURI
	if r := c.get(link); r.status != 200 || r.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("GET %s: %d", link, r.status)
	}
	if ids := listIDs(t, c, "/locations?perPage=1000&localAuthority=Bradford"); !slices.Equal(ids, []string{"1-1500000100", "1-1500000101"}) {
		t.Errorf("localAuthority=Bradford: %v", ids)
	}
	var pl schemas.ProviderLocationsResponse
	c.getJSON("/providers/RL4/locations", &pl)
	if len(pl.Locations) != 2 || pl.Locations[1].LocationName != "Cross Street Hospital" {
		t.Errorf("/providers/RL4/locations: %+v", pl)
	}
}

func TestFixturesDirAndErrors(t *testing.T) {
	body := func(id string) string {
		return `{"locationId":"` + id + `","providerId":"1-1500009999","name":"Pinned"}`
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "locations"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "locations", "a.json"), []byte(body("1-1500000999")), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Locations: -1, FixturesDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := s.LocationBody("1-1500000999"); !ok || string(got) != body("1-1500000999") || !slices.Equal(s.LocationIDs(), []string{"1-1500000999"}) {
		t.Fatalf("fixture dir: %s %v %v", got, ok, s.LocationIDs())
	}
	for name, files := range map[string]fstest.MapFS{
		"duplicate": {"locations/a.json": {Data: []byte(body("1-1500000999"))}, "locations/b.json": {Data: []byte(body("1-1500000999"))}},
		"lowercase": {"locations/a.json": {Data: []byte(body("rl4x1"))}},
		"not json":  {"locations/a.json": {Data: []byte(`{"locationId":`)}},
		"no id":     {"providers/a.json": {Data: []byte(`{"name":"x"}`)}},
		"empty":     {"README.md": {Data: []byte("nothing")}},
	} {
		if _, err := New(Config{Fixtures: files}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(Config{FixturesDir: dir, Fixtures: fstest.MapFS{}}); err == nil {
		t.Error("FixturesDir and Fixtures together accepted")
	}
}
