package cqcsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"carelake/schemas"
)

func TestPagingWalkReturnsEveryLocationOnce(t *testing.T) {
	s, c := testSim(t, unlimited(Config{}))
	var got []string
	seen := map[string]bool{}
	pages := 0
	for next := "/locations?perPage=1000"; next != ""; pages++ {
		var page schemas.LocationsPage
		c.getJSON(next, &page)
		next = ""
		if page.NextPageURI != nil {
			next = *page.NextPageURI
		}
		for _, l := range page.Locations {
			if seen[l.LocationID] {
				t.Fatalf("%s listed twice", l.LocationID)
			}
			seen[l.LocationID] = true
			got = append(got, l.LocationID)
			if l.LocationName == "" || l.PostalCode == "" {
				t.Fatalf("thin item incomplete: %+v", l)
			}
		}
	}
	if len(got) != DefaultLocations || pages != 2 {
		t.Fatalf("walk returned %d IDs in %d pages, want %d in 2", len(got), pages, DefaultLocations)
	}
	if !slices.IsSorted(got) {
		t.Fatal("IDs are not in lexicographic order")
	}
	if want := s.LocationIDs(); !slices.Equal(got, want) {
		t.Fatal("walk differs from LocationIDs()")
	}
	// Deregistered organisations are listed too.
	dereg := 0
	for _, id := range got[:200] {
		body, _ := s.LocationBody(id)
		if bytes.Contains(body, []byte(`"registrationStatus":"Deregistered"`)) {
			dereg++
		}
	}
	if dereg < 40 || dereg > 140 {
		t.Fatalf("%d of 200 listed locations deregistered, want a realistic share (~45%%)", dereg)
	}
}

func TestEnvelopeFields(t *testing.T) {
	_, c := testSim(t, unlimited(Config{Locations: 23}))
	raw := func(path string) map[string]any {
		var m map[string]any
		c.getJSON(path, &m)
		return m
	}
	wantKeys := []string{"firstPageUri", "lastPageUri", "locations", "nextPageUri", "page", "perPage", "previousPageUri", "total", "totalPages", "uri"}
	tests := []struct {
		path              string
		page, items       int
		prev, next, first string
		last              string
	}{
		{"/locations?page=1&perPage=10", 1, 10, "", "/locations?page=2&perPage=10", "/locations?page=1&perPage=10", "/locations?page=3&perPage=10"},
		{"/locations?page=2&perPage=10", 2, 10, "/locations?page=1&perPage=10", "/locations?page=3&perPage=10", "/locations?page=1&perPage=10", "/locations?page=3&perPage=10"},
		{"/locations?page=3&perPage=10", 3, 3, "/locations?page=2&perPage=10", "", "/locations?page=1&perPage=10", "/locations?page=3&perPage=10"},
		{"/locations?page=9&perPage=10", 9, 0, "/locations?page=8&perPage=10", "", "/locations?page=1&perPage=10", "/locations?page=3&perPage=10"},
		{"/locations?perPage=10&careHome=Y&careHome=N", 1, 10, "", "/locations?page=2&perPage=10&careHome=Y&careHome=N",
			"/locations?page=1&perPage=10&careHome=Y&careHome=N", "/locations?page=3&perPage=10&careHome=Y&careHome=N"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			m := raw(tc.path)
			var keys []string
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if !slices.Equal(keys, wantKeys) {
				t.Fatalf("keys %v, want %v", keys, wantKeys)
			}
			str := func(k string) string {
				if m[k] == nil {
					return ""
				}
				return m[k].(string)
			}
			if m["total"].(float64) != 23 || m["totalPages"].(float64) != 3 || int(m["page"].(float64)) != tc.page ||
				m["perPage"].(float64) != 10 || m["uri"] != "/locations" {
				t.Fatalf("envelope numbers wrong: %v", m)
			}
			if str("previousPageUri") != tc.prev || str("nextPageUri") != tc.next || str("firstPageUri") != tc.first || str("lastPageUri") != tc.last {
				t.Fatalf("URIs wrong: prev %q next %q first %q last %q", str("previousPageUri"), str("nextPageUri"), str("firstPageUri"), str("lastPageUri"))
			}
			if items := m["locations"].([]any); len(items) != tc.items {
				t.Fatalf("%d items, want %d", len(items), tc.items)
			}
			// The ends are JSON null, not absent.
			for _, k := range []string{"previousPageUri", "nextPageUri"} {
				if _, ok := m[k]; !ok {
					t.Fatalf("%s missing", k)
				}
			}
		})
	}
}

func TestProvidersPagingAndProviderLocations(t *testing.T) {
	s, c := testSim(t, unlimited(Config{Locations: 400}))
	var ids []string
	for next := "/providers?perPage=50"; next != ""; {
		var page schemas.ProvidersPage
		c.getJSON(next, &page)
		next = ""
		if page.NextPageURI != nil {
			next = *page.NextPageURI
		}
		for _, p := range page.Providers {
			ids = append(ids, p.ProviderID)
			if p.ProviderName == "" {
				t.Fatalf("provider without a name: %+v", p)
			}
		}
	}
	if !slices.Equal(ids, s.ProviderIDs()) || len(ids) < 120 || len(ids) > 200 {
		t.Fatalf("walk gave %d providers (ProviderIDs %d); want about 0.4 per location", len(ids), len(s.ProviderIDs()))
	}
	// Every location's provider exists, and lists it (deregistered included).
	for _, id := range s.LocationIDs()[:60] {
		var l schemas.Location
		c.getJSON("/locations/"+id, &l)
		var p schemas.Provider
		c.getJSON("/providers/"+*l.ProviderID, &p)
		if !slices.Contains(p.LocationIDs, id) {
			t.Fatalf("provider %s does not list %s", *l.ProviderID, id)
		}
		var pl schemas.ProviderLocationsResponse
		c.getJSON("/providers/"+*l.ProviderID+"/locations", &pl)
		found := false
		for _, item := range pl.Locations {
			found = found || item.LocationID == id && item.LocationName == *l.Name
		}
		if !found || len(pl.Locations) != len(p.LocationIDs) {
			t.Fatalf("/providers/%s/locations: %+v, want the %d locationIds", *l.ProviderID, pl.Locations, len(p.LocationIDs))
		}
	}
}

// facet extracts what a list filter looks at from a detail body.
func facet(l *schemas.Location, name string) []string {
	one := func(p *string) []string {
		if p == nil {
			return nil
		}
		return []string{*p}
	}
	switch name {
	case "region":
		return one(l.Region)
	case "localAuthority":
		return one(l.LocalAuthority)
	case "careHome":
		return one(l.CareHome)
	case "inspectionDirectorate":
		return one(l.InspectionDirectorate)
	case "constituency":
		return one(l.Constituency)
	case "overallRating":
		if l.CurrentRatings != nil && l.CurrentRatings.Overall != nil {
			return []string{l.CurrentRatings.Overall.Rating}
		}
	case "regulatedActivity":
		var out []string
		for _, ra := range l.RegulatedActivities {
			out = append(out, ra.Name)
		}
		return out
	case "gacServiceTypeDescription":
		var out []string
		for _, g := range l.GacServiceTypes {
			out = append(out, g.Description)
		}
		return out
	case "primaryInspectionCategoryCode":
		for _, c := range l.InspectionCategories {
			if c.Primary == "true" {
				return []string{c.Code}
			}
		}
	}
	return nil
}

func listIDs(t *testing.T, c *apiClient, path string) []string {
	t.Helper()
	var ids []string
	for next := path; next != ""; {
		var page schemas.LocationsPage
		c.getJSON(next, &page)
		next = ""
		if page.NextPageURI != nil {
			next = *page.NextPageURI
		}
		for _, l := range page.Locations {
			ids = append(ids, l.LocationID)
		}
	}
	return ids
}

func TestLocationFiltersMatchBodies(t *testing.T) {
	s, c := testSim(t, unlimited(Config{Locations: 600}))
	bodies := map[string]*schemas.Location{}
	for _, id := range s.LocationIDs() {
		raw, _ := s.LocationBody(id)
		var l schemas.Location
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatal(err)
		}
		bodies[id] = &l
	}
	// A value of each filter taken from real bodies, plus a second one for OR.
	values := map[string][]string{
		"region":                        {"East", "Yorkshire & Humberside"},
		"localAuthority":                {"Leeds", "Kent"},
		"careHome":                      {"Y"},
		"inspectionDirectorate":         {"Hospitals", "Primary medical services"},
		"overallRating":                 {"Requires improvement", "Outstanding"},
		"constituency":                  {"Ipswich", "Leeds East"},
		"regulatedActivity":             {"Personal care", "Maternity and midwifery services"},
		"gacServiceTypeDescription":     {"Care home service with nursing", "Dental service"},
		"primaryInspectionCategoryCode": {"P1", "S2"},
	}
	for _, name := range locationFilters {
		vs := values[name]
		for n := 1; n <= len(vs); n++ {
			q := url.Values{"perPage": {"100"}}
			for _, v := range vs[:n] {
				q.Add(name, v)
			}
			t.Run(name+"="+strings.Join(vs[:n], "|"), func(t *testing.T) {
				var want []string
				for _, id := range s.LocationIDs() {
					for _, f := range facet(bodies[id], name) {
						if slices.Contains(vs[:n], f) {
							want = append(want, id)
							break
						}
					}
				}
				if len(want) == 0 {
					t.Fatalf("no body has %s in %v: pick another value", name, vs[:n])
				}
				got := listIDs(t, c, "/locations?"+q.Encode())
				if !slices.Equal(got, want) {
					t.Fatalf("filter %s=%v: %d IDs, bodies say %d", name, vs[:n], len(got), len(want))
				}
			})
		}
	}
	t.Run("case-sensitive", func(t *testing.T) {
		if got := listIDs(t, c, "/locations?region=east"); len(got) != 0 {
			t.Fatalf("region=east matched %d", len(got))
		}
	})
	t.Run("filters combine with AND, echo with + and %26", func(t *testing.T) {
		var page schemas.LocationsPage
		c.getJSON("/locations?perPage=2&careHome=Y&region=Yorkshire+%26+Humberside&partnerCode=X", &page)
		want := "/locations?page=2&perPage=2&region=Yorkshire+%26+Humberside&careHome=Y"
		if page.NextPageURI == nil || *page.NextPageURI != want {
			t.Fatalf("next %v, want %s (known filters echoed in a fixed order, unknown ones dropped)", page.NextPageURI, want)
		}
		for _, l := range page.Locations {
			if *bodies[l.LocationID].CareHome != "Y" || *bodies[l.LocationID].Region != "Yorkshire & Humberside" {
				t.Fatalf("%s does not match both filters", l.LocationID)
			}
		}
	})
}

func TestProviderFilters(t *testing.T) {
	s, c := testSim(t, unlimited(Config{Locations: 600}))
	for _, tc := range []struct{ name, value string }{
		{"region", "London"}, {"inspectionDirectorate", "Hospitals"}, {"regulatedActivity", "Personal care"},
		{"primaryInspectionCategoryCode", "P1"}, {"localAuthority", "Leeds"}, {"constituency", "Croydon West"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, id := range s.ProviderIDs() {
				raw, _ := s.ProviderBody(id)
				var p schemas.Provider
				if err := json.Unmarshal(raw, &p); err != nil {
					t.Fatal(err)
				}
				var vals []string
				switch tc.name {
				case "region":
					vals = []string{*p.Region}
				case "inspectionDirectorate":
					vals = []string{*p.InspectionDirectorate}
				case "localAuthority":
					vals = []string{*p.LocalAuthority}
				case "constituency":
					vals = []string{*p.Constituency}
				case "primaryInspectionCategoryCode":
					vals = []string{p.InspectionCategories[0].Code}
				case "regulatedActivity":
					for _, ra := range p.RegulatedActivities {
						vals = append(vals, ra.Name)
					}
				}
				if slices.Contains(vals, tc.value) {
					want = append(want, id)
				}
			}
			if len(want) == 0 {
				t.Fatalf("no provider has %s=%s", tc.name, tc.value)
			}
			var got []string
			first := "/providers?perPage=1000&" + url.Values{tc.name: {tc.value}}.Encode()
			for next := first; next != ""; {
				var page schemas.ProvidersPage
				c.getJSON(next, &page)
				next = ""
				if page.NextPageURI != nil {
					next = *page.NextPageURI
				}
				for _, p := range page.Providers {
					got = append(got, p.ProviderID)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%d providers, bodies say %d", len(got), len(want))
			}
		})
	}
}

func TestBadQueriesAnswer400(t *testing.T) {
	_, c := testSim(t, unlimited(Config{Locations: 20}))
	for _, path := range []string{
		"/locations?page=0", "/locations?page=-1", "/locations?page=x", "/locations?perPage=0",
		fmt.Sprintf("/locations?perPage=%d", MaxPerPage+1), "/locations?page=%zz",
		"/changes/location?endTimestamp=2026-11-01T00:00:00Z",
		"/changes/location?startTimestamp=2026-11-01T00:00:00Z",
		"/changes/location?startTimestamp=2026-11-01&endTimestamp=2026-11-02T00:00:00Z",
		"/changes/location?startTimestamp=2026-11-01T00:00:00.5Z&endTimestamp=2026-11-02T00:00:00Z",
		"/changes/location?startTimestamp=2026-11-02T00:00:00Z&endTimestamp=2026-11-01T00:00:00Z",
		"/locations/rl4", "/locations/rl4x1", "/providers/rl4", "/locations/1-abc", "/providers/rl4/locations",
	} {
		r := c.get(path)
		var e schemas.APIError
		if r.status != 400 || json.Unmarshal(r.body, &e) != nil || e.Message == "" || e.StatusCode != 400 {
			t.Errorf("GET %s: %d %s, want 400 with a JSON message", path, r.status, r.body)
		}
	}
	for _, path := range []string{"/locations/1-999", "/providers/1-999", "/locations/", "/nope", "/changes/nope?startTimestamp=2026-11-01T00:00:00Z&endTimestamp=2026-11-02T00:00:00Z"} {
		r := c.get(path)
		var e schemas.APIError
		if r.status != 404 || json.Unmarshal(r.body, &e) != nil || e.Message == "" {
			t.Errorf("GET %s: %d %s, want 404 with a JSON message", path, r.status, r.body)
		}
	}
}

func TestChangesWindowEdges(t *testing.T) {
	s, c := testSim(t, unlimited(Config{Locations: 3000}))
	// An ID whose only location event is at t: it is in [t, t+1s) and in no
	// window ending at t (exclusive) or starting after it.
	counts := map[int32]int{}
	for _, ch := range s.w.feed {
		if !ch.isP {
			counts[ch.idx]++
		}
	}
	var ev change
	for _, ch := range s.w.feed {
		if !ch.isP && counts[ch.idx] == 1 && !s.w.locs[ch.idx].gone {
			ev = ch
			break
		}
	}
	id := s.w.locs[ev.idx].id
	at := time.Unix(ev.at, 0).UTC()
	ts := func(t time.Time) string { return t.Format(TimestampLayout) }
	changes := func(start, end time.Time, spell string) []string {
		q := fmt.Sprintf("/changes/location?%s=%s&%s=%s&perPage=1000", "start"+spell, url.QueryEscape(ts(start)), "end"+spell, ts(end))
		var page schemas.ChangesPage
		c.getJSON(q, &page)
		return page.Changes
	}
	for _, spell := range []string{"Timestamp", "TimeStamp"} {
		if got := changes(at, at.Add(time.Second), spell); !slices.Contains(got, id) {
			t.Fatalf("[t, t+1s) with %s misses %s: %v", spell, id, got)
		}
		if got := changes(at.Add(-time.Hour), at, spell); slices.Contains(got, id) {
			t.Fatalf("end is exclusive, but [t-1h, t) has %s", id)
		}
		if got := changes(at.Add(time.Second), at.Add(time.Hour), spell); slices.Contains(got, id) {
			t.Fatalf("[t+1s, t+1h) has %s", id)
		}
	}
	// HTTP equals the ground truth on many windows, and both agree with the feed.
	start, end := s.History()
	for d := start; d.Before(end); d = d.Add(53 * time.Hour) {
		got := changes(d, d.Add(72*time.Hour), "Timestamp")
		if want := s.ChangedIDs("location", d, d.Add(72*time.Hour)); !slices.Equal(got, want) {
			t.Fatalf("window at %s: HTTP %d IDs, ChangedIDs %d", d, len(got), len(want))
		}
	}
	// Same start and end: none.
	var page schemas.ChangesPage
	c.getJSON("/changes/location?startTimestamp=2026-11-10T00:00:00Z&endTimestamp=2026-11-10T00:00:00Z", &page)
	if page.Total != 0 || page.TotalPages != 0 || len(page.Changes) != 0 || page.Changes == nil {
		t.Fatalf("empty window: %+v", page)
	}
	// The path segment is case-insensitive; provider changes exist too.
	c.getJSON("/changes/PROVIDER?startTimestamp="+ts(start)+"&endTimestamp="+ts(end)+"&perPage=1000", &page)
	if want := s.ChangedIDs("provider", start, end); len(want) == 0 || !slices.Equal(page.Changes, want) {
		t.Fatalf("provider changes: %d, want %d", len(page.Changes), len(want))
	}
}

func TestChangesPagingAndEcho(t *testing.T) {
	s, c := testSim(t, unlimited(Config{Locations: 3000}))
	start, end := s.History()
	q := "/changes/location?startTimestamp=" + start.Format(TimestampLayout) + "&endTimestamp=" + strings.ReplaceAll(end.Format(TimestampLayout), ":", "%3A") + "&perPage=10"
	var all []string
	var first schemas.ChangesPage
	for next, n := q, 0; next != ""; n++ {
		var page schemas.ChangesPage
		c.getJSON(next, &page)
		if n == 0 {
			first = page
		}
		all = append(all, page.Changes...)
		next = ""
		if page.NextPageURI != nil {
			next = *page.NextPageURI
		}
	}
	if want := s.ChangedIDs("location", start, end); !slices.Equal(all, want) || len(want) < 50 {
		t.Fatalf("paged changes: %d, want %d", len(all), len(want))
	}
	wantURI := "/changes/location?page=1&perPage=10&startTimeStamp=" + start.Format(TimestampLayout) + "&endTimeStamp=" + end.Format(TimestampLayout)
	if first.URI != wantURI || *first.FirstPageURI != wantURI || first.PreviousPageURI != nil ||
		*first.NextPageURI != strings.Replace(wantURI, "page=1", "page=2", 1) {
		t.Fatalf("changes envelope: uri %s first %s next %v", first.URI, *first.FirstPageURI, first.NextPageURI)
	}
}

func TestChangesStopAtTheClock(t *testing.T) {
	s, c := testSim(t, unlimited(Config{Locations: 3000}))
	start, end := s.History()
	mid := start.Add(end.Sub(start) / 2)
	s.SetClock(mid)
	var page schemas.ChangesPage
	c.getJSON("/changes/location?perPage=1000&startTimestamp="+start.Format(TimestampLayout)+"&endTimestamp="+end.Add(24*time.Hour).Format(TimestampLayout), &page)
	want := s.ChangedIDs("location", start, mid)
	if !slices.Equal(page.Changes, want) || len(want) == 0 {
		t.Fatalf("end beyond the clock: %d IDs, want the %d before the clock", len(page.Changes), len(want))
	}
	s.SetClock(end)
	if full := s.ChangedIDs("location", start, end); len(full) <= len(want) {
		t.Fatalf("moving the clock to the end should show more changes (%d <= %d)", len(full), len(want))
	}
}

func TestGoneShareOfChangedIDs(t *testing.T) {
	s, c := testSim(t, unlimited(Config{Locations: 20000}))
	start, end := s.History()
	changed := append(s.ChangedIDs("location", start, end), s.ChangedIDs("provider", start, end)...)
	gone := s.GoneIDs()
	share := float64(len(gone)) / float64(len(changed))
	if share < 0.008 || share > 0.02 {
		t.Fatalf("%d of %d changed IDs gone (%.2f%%), want about 1%%", len(gone), len(changed), 100*share)
	}
	isLoc := map[string]bool{}
	for _, id := range s.ChangedIDs("location", start, end) {
		isLoc[id] = true
	}
	for _, id := range gone {
		if !slices.Contains(changed, id) {
			t.Fatalf("gone %s is not in the changes feed", id)
		}
		path := "/providers/" + id
		if isLoc[id] {
			path = "/locations/" + id
		}
		if r := c.get(path); r.status != 404 {
			t.Fatalf("GET %s: %d, want 404", path, r.status)
		}
		if slices.Contains(s.LocationIDs(), id) || slices.Contains(s.ProviderIDs(), id) {
			t.Fatalf("gone %s is listed", id)
		}
	}
	for _, id := range changed[:100] {
		if slices.Contains(gone, id) {
			continue
		}
		path := "/providers/" + id
		if isLoc[id] {
			path = "/locations/" + id
		}
		if r := c.get(path); r.status != 200 {
			t.Fatalf("GET %s: %d, want 200", path, r.status)
		}
	}
}

// TestBodiesReflectExactlyTheEventsBeforeTheClock checks, for every
// organisation, that its body differs between two clocks iff the changes
// feed names it in between, and that each event becomes visible exactly at
// its own second.
func TestBodiesReflectExactlyTheEventsBeforeTheClock(t *testing.T) {
	s, _ := testSim(t, unlimited(Config{Locations: 1000}))
	start, end := s.History()
	a, b := start.Add(9*24*time.Hour), start.Add(21*24*time.Hour)
	snapshot := func(at time.Time) (map[string]string, map[string]string) {
		s.SetClock(at)
		locs, provs := map[string]string{}, map[string]string{}
		for _, i := range s.w.locSorted {
			if body, ok := s.LocationBody(s.w.locs[i].id); ok {
				locs[s.w.locs[i].id] = string(body)
			}
		}
		for _, p := range s.w.provSorted {
			if body, ok := s.ProviderBody(s.w.provs[p].id); ok {
				provs[s.w.provs[p].id] = string(body)
			}
		}
		return locs, provs
	}
	la, pa := snapshot(a)
	lb, pb := snapshot(b)
	s.SetClock(end)
	check := func(kind string, before, after map[string]string) {
		changed := s.ChangedIDs(kind, a, b)
		gone := s.GoneIDs()
		all := map[string]bool{}
		for id := range before {
			all[id] = true
		}
		for id := range after {
			all[id] = true
		}
		nChanged := 0
		for id := range all {
			differs := before[id] != after[id]
			inFeed := slices.Contains(changed, id)
			if differs != inFeed {
				t.Errorf("%s %s: body changed %v, in the feed %v", kind, id, differs, inFeed)
			}
			if differs {
				nChanged++
			}
		}
		for _, id := range changed {
			if !all[id] && !slices.Contains(gone, id) {
				t.Errorf("%s %s in the feed but never served", kind, id)
			}
		}
		if nChanged == 0 {
			t.Errorf("no %s changed between %s and %s", kind, a, b)
		}
	}
	check("location", la, lb)
	check("provider", pa, pb)

	// Each event is visible from its own second on, and not before.
	n := 0
	for _, ch := range s.w.feed {
		if ch.isP || s.w.locs[ch.idx].gone || n >= 60 {
			continue
		}
		n++
		id := s.w.locs[ch.idx].id
		s.SetClock(time.Unix(ch.at, 0))
		before, _ := s.LocationBody(id)
		s.SetClock(time.Unix(ch.at, 0).Add(time.Second))
		after, _ := s.LocationBody(id)
		if bytes.Equal(before, after) {
			t.Errorf("%s: the event at %s did not change the body", id, time.Unix(ch.at, 0).UTC())
		}
	}
	s.SetClock(end)
}

func TestDeterministicBySeed(t *testing.T) {
	bodies := func(seed int64) ([]string, string) {
		s, err := New(Config{Seed: seed, Locations: 500})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, id := range s.LocationIDs() {
			b, _ := s.LocationBody(id)
			out = append(out, string(b))
		}
		for _, id := range s.ProviderIDs() {
			b, _ := s.ProviderBody(id)
			out = append(out, string(b))
		}
		start, end := s.History()
		return out, strings.Join(s.ChangedIDs("location", start, end), ",") + strings.Join(s.GoneIDs(), ",")
	}
	a, fa := bodies(7)
	b, fb := bodies(7)
	if !reflect.DeepEqual(a, b) || fa != fb {
		t.Fatal("same seed, different data")
	}
	c, fc := bodies(8)
	if reflect.DeepEqual(a, c) || fa == fc {
		t.Fatal("different seeds, same data")
	}
}

func TestInspectionAreasAndReports(t *testing.T) {
	s, c := testSim(t, unlimited(Config{}))
	var areas schemas.InspectionAreasResponse
	c.getJSON("/inspection-areas?page=2&perPage=1", &areas) // paging is ignored
	if len(areas.InspectionAreas) != len(inspectionAreas) {
		t.Fatalf("%d areas, want the whole taxonomy", len(areas.InspectionAreas))
	}
	statuses := map[string]bool{}
	for _, a := range areas.InspectionAreas {
		statuses[a.Status] = true
		if len(a.InspectionCategories) == 0 {
			t.Fatalf("area %s without categories", a.InspectionAreaID)
		}
	}
	if !statuses["Active"] || !statuses["Superseded"] {
		t.Fatalf("statuses %v", statuses)
	}
	// Per-organisation areas and a report of each kind.
	var gp, nhs string
	var link string
	for _, id := range s.LocationIDs() {
		var l schemas.Location
		raw, _ := s.LocationBody(id)
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatal(err)
		}
		if *l.Type == "Primary Medical Services" && gp == "" {
			gp = id
		}
		if *l.Type == "NHS Healthcare Organisation" && nhs == "" && l.ProviderID != nil {
			nhs = *l.ProviderID
		}
		if link == "" && len(l.Reports) > 0 && strings.Contains(l.Reports[0].ReportURI, "?") {
			link = l.Reports[0].ReportURI
		}
		if gp != "" && nhs != "" && link != "" {
			break
		}
	}
	if gp == "" || nhs == "" || link == "" {
		t.Fatalf("sample lacks a GP (%q), an NHS trust (%q) or a report (%q)", gp, nhs, link)
	}
	c.getJSON("/locations/"+gp+"/inspection-areas", &areas)
	if len(areas.InspectionAreas) != 6 || areas.InspectionAreas[0].InspectionAreaID != "old" {
		t.Fatalf("GP areas: %+v", areas.InspectionAreas)
	}
	c.getJSON("/providers/"+nhs+"/inspection-areas", &areas)
	if len(areas.InspectionAreas) == 0 {
		t.Fatal("NHS trust without inspection areas")
	}
	pdfReply := c.get(link) // reportUri as served, with its ?timestamp suffix
	if pdfReply.status != 200 || pdfReply.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdfReply.body, []byte("%PDF-1.4")) ||
		!bytes.HasSuffix(pdfReply.body, []byte("%%EOF\n")) {
		t.Fatalf("report PDF: %d %s %q", pdfReply.status, pdfReply.header.Get("Content-Type"), pdfReply.body[:min(20, len(pdfReply.body))])
	}
	c.accept = "text/plain"
	text := c.get(link)
	c.accept = ""
	isText := strings.HasPrefix(text.header.Get("Content-Type"), "text/plain") && bytes.Contains(text.body, []byte("Overall rating"))
	isPDF := text.header.Get("Content-Type") == "application/pdf" // reports without a text extract
	if text.status != 200 || !isText && !isPDF {
		t.Fatalf("report text: %d %s %s", text.status, text.header.Get("Content-Type"), text.body)
	}
	if r := c.get("/reports/00000000-0000-4000-8000-000000000000"); r.status != 404 {
		t.Fatalf("unknown report: %d", r.status)
	}
	// A report published after the clock is not there yet.
	linkID := strings.TrimPrefix(strings.Split(link, "?")[0], "/reports/")
	_, idx, rep, ok := s.w.parseLinkID(linkID)
	if !ok {
		t.Fatalf("served link %s does not parse", linkID)
	}
	s.SetClock(time.Unix(s.w.locs[idx].reports[rep].at, 0))
	if r := c.get(link); r.status != 404 {
		t.Fatalf("report before its publication: %d", r.status)
	}
}

func TestLinkIDsRoundTrip(t *testing.T) {
	s, err := New(Config{Locations: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		kind uint64
		idx  int32
		rep  int
	}{{linkLoc, 0, 0}, {linkLoc, 119999, 7}, {linkProv, 48000, 2}, {linkLoc, 1<<31 - 1, 1<<20 - 1}} {
		id := s.w.linkID(k.kind, k.idx, k.rep)
		kind, idx, rep, ok := s.w.parseLinkID(id)
		if !ok || kind != k.kind || idx != k.idx || rep != k.rep || id[14] != '4' || !strings.ContainsRune("89ab", rune(id[19])) {
			t.Fatalf("%+v -> %s -> %d %d %d %v", k, id, kind, idx, rep, ok)
		}
		bad := []byte(id)
		bad[35] ^= 1
		if _, _, _, ok := s.w.parseLinkID(string(bad)); ok {
			t.Fatalf("tampered %s accepted", bad)
		}
	}
}
