package cqcsim

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"carelake/data"
	"carelake/internal/testkit"
	"carelake/schemas"
)

// Shapes of real bodies (docs/architecture.md, "The CQC API"): key order of real bodies, keys
// that are always present, and the vocabularies.
var locationKeyOrder = []string{
	"locationId", "providerId", "organisationType", "type", "name", "alsoKnownAs", "brandId", "brandName",
	"onspdCcgCode", "onspdCcgName", "odsCcgCode", "odsCcgName", "onspdIcbCode", "onspdIcbName", "odsCode", "uprn",
	"registrationStatus", "registrationDate", "deregistrationDate", "dormancy", "dormancyStartDate", "dormancyEndDate",
	"numberOfBeds", "website", "postalAddressLine1", "postalAddressLine2", "postalAddressTownCity", "postalAddressCounty",
	"postalCode", "region", "onspdLatitude", "onspdLongitude", "careHome", "inspectionDirectorate", "mainPhoneNumber",
	"registeredManagerAbsentDate", "constituency", "localAuthority", "lastInspection", "lastReport", "relationships",
	"locationTypes", "regulatedActivities", "gacServiceTypes", "specialisms", "inspectionCategories", "inspectionAreas",
	"currentRatings", "historicRatings", "reports", "unpublishedReports", "providerInspectionAreas", "specialism",
	"ageGroup", "settingServices", "assessment", "assessmentServiceGroup",
}

var locationAlways = []string{"locationId", "providerId", "organisationType", "type", "name", "registrationStatus",
	"registrationDate", "dormancy", "numberOfBeds", "postalAddressLine1", "postalAddressTownCity", "postalCode", "region",
	"careHome", "inspectionDirectorate", "constituency", "localAuthority", "relationships", "locationTypes",
	"regulatedActivities", "gacServiceTypes", "specialisms", "inspectionCategories", "inspectionAreas"}

var providerKeyOrder = []string{
	"providerId", "locationIds", "organisationType", "ownershipType", "type", "name", "alsoKnownAs", "brandId", "brandName",
	"odsCode", "registrationStatus", "registrationDate", "deregistrationDate", "companiesHouseNumber", "charityNumber",
	"website", "mainPhoneNumber", "uprn", "postalAddressLine1", "postalAddressLine2", "postalAddressTownCity",
	"postalAddressCounty", "postalCode", "region", "onspdLatitude", "onspdLongitude", "onspdIcbCode", "onspdIcbName",
	"constituency", "localAuthority", "inspectionDirectorate", "lastInspection", "lastReport", "contacts", "relationships",
	"regulatedActivities", "inspectionCategories", "inspectionAreas", "currentRatings", "historicRatings", "reports",
	"unpublishedReports",
}

var providerAlways = []string{"providerId", "locationIds", "organisationType", "ownershipType", "type", "name",
	"registrationStatus", "registrationDate", "postalCode", "region", "relationships", "regulatedActivities",
	"inspectionCategories", "inspectionAreas"}

var (
	reLocationID = regexp.MustCompile(`^(1-[0-9]{9,11}|R[A-Z0-9]{2,3}[A-Z0-9]{2})$`)
	reProviderID = regexp.MustCompile(`^(1-[0-9]{9,11}|R[A-Z0-9]{2,3})$`)
	reDate       = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	reURISuffix  = regexp.MustCompile(`^\?\d{14}$`)
	reCompanies  = regexp.MustCompile(`^\d{8}$`)
	reUUID       = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	orgTypes     = []string{"Social Care Org", "NHS Healthcare Organisation", "Independent Healthcare Org", "Primary Medical Services", "Independent Ambulance", "Primary Dental Care"}
	directorates = []string{"Adult social care", "Hospitals", "Primary medical services", "Unspecified"}
)

// topKeys returns the top-level keys of a JSON object in document order and
// fails on any null anywhere.
func topKeys(t *testing.T, id string, body []byte) []string {
	t.Helper()
	if bytes.Contains(body, []byte(":null")) {
		t.Errorf("%s: null value in a detail body (absent keys must be omitted): %s", id, body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s: not an object", id)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	return keys
}

// inOrder reports whether keys is a subsequence of order.
func inOrder(keys, order []string) (string, bool) {
	i := 0
	for _, k := range keys {
		for i < len(order) && order[i] != k {
			i++
		}
		if i == len(order) {
			return k, false
		}
	}
	return "", true
}

type corpus struct {
	locRaw  map[string][]byte
	locs    map[string]*schemas.Location
	provRaw map[string][]byte
	provs   map[string]*schemas.Provider
}

func collect(t *testing.T, s *Sim) corpus {
	t.Helper()
	c := corpus{map[string][]byte{}, map[string]*schemas.Location{}, map[string][]byte{}, map[string]*schemas.Provider{}}
	for _, id := range s.LocationIDs() {
		raw, ok := s.LocationBody(id)
		if !ok {
			t.Fatalf("listed %s answers 404", id)
		}
		var l schemas.Location
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		c.locRaw[id], c.locs[id] = raw, &l
	}
	for _, id := range s.ProviderIDs() {
		raw, ok := s.ProviderBody(id)
		if !ok {
			t.Fatalf("listed provider %s answers 404", id)
		}
		var p schemas.Provider
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		c.provRaw[id], c.provs[id] = raw, &p
	}
	return c
}

// ancestors follows HSCA Predecessor links from id.
func (c corpus) ancestors(id string) []string {
	var out []string
	for depth := 0; depth < 10; depth++ {
		l := c.locs[id]
		next := ""
		for _, r := range l.Relationships {
			if r.Type == relPredecessor {
				next = r.RelatedLocationID
			}
		}
		if next == "" || c.locs[next] == nil {
			return out
		}
		out = append(out, next)
		id = next
	}
	return out
}

// findReport finds the report with linkId link in org's body.
func (c corpus) findReport(org, link string) *schemas.Report {
	if l := c.locs[org]; l != nil {
		for i := range l.Reports {
			if l.Reports[i].LinkID == link {
				return &l.Reports[i]
			}
		}
	}
	if p := c.provs[org]; p != nil {
		for i := range p.Reports {
			if p.Reports[i].LinkID == link {
				return &p.Reports[i]
			}
		}
	}
	return nil
}

// checkShapes checks every served body against the real API's shapes.
func checkShapes(t *testing.T, c corpus) {
	t.Helper()
	for id, l := range c.locs {
		keys := topKeys(t, id, c.locRaw[id])
		if k, ok := inOrder(keys, locationKeyOrder); !ok {
			t.Errorf("%s: key %q unknown or out of the real order: %v", id, k, keys)
		}
		for _, k := range locationAlways {
			if !slices.Contains(keys, k) {
				t.Errorf("%s: always-present key %q missing", id, k)
			}
		}
		if !reLocationID.MatchString(id) || l.LocationID != id {
			t.Errorf("location ID %q", id)
		}
		if p := c.provs[*l.ProviderID]; p == nil || !slices.Contains(p.LocationIDs, id) {
			t.Errorf("%s: provider %s missing or does not list it", id, *l.ProviderID)
		}
		if *l.OrganisationType != "Location" || !slices.Contains(orgTypes, *l.Type) || !slices.Contains(directorates, *l.InspectionDirectorate) ||
			!slices.Contains(Regions, *l.Region) || (*l.CareHome != "Y" && *l.CareHome != "N") || (*l.Dormancy != "Y" && *l.Dormancy != "N") {
			t.Errorf("%s: vocabulary: %s %s %s %s %s", id, *l.OrganisationType, *l.Type, *l.InspectionDirectorate, *l.Region, *l.CareHome)
		}
		dereg := *l.RegistrationStatus == "Deregistered"
		if !dereg && *l.RegistrationStatus != "Registered" || dereg != (l.DeregistrationDate != nil) || !reDate.MatchString(*l.RegistrationDate) {
			t.Errorf("%s: registration %s, deregistrationDate %v", id, *l.RegistrationStatus, l.DeregistrationDate)
		}
		if dereg && len(l.RegulatedActivities) != 0 {
			t.Errorf("%s: deregistered with regulated activities", id)
		}
		primary := 0
		for _, cat := range l.InspectionCategories {
			if cat.Primary == "true" {
				primary++
			} else if cat.Primary != "false" {
				t.Errorf("%s: primary %q is not the string true/false", id, cat.Primary)
			}
		}
		if primary != 1 {
			t.Errorf("%s: %d primary inspection categories", id, primary)
		}
		// Relationships hold both ways, with the same reason and real names.
		for _, r := range l.Relationships {
			other := c.locs[r.RelatedLocationID]
			if other == nil {
				t.Errorf("%s: related location %s is not served", id, r.RelatedLocationID)
				continue
			}
			back := map[string]string{relPredecessor: relSuccessor, relSuccessor: relPredecessor}[r.Type]
			if back == "" || !slices.Contains(reasons, r.Reason) || r.RelatedLocationName != *other.Name {
				t.Errorf("%s: relationship %+v", id, r)
			}
			found := false
			for _, o := range other.Relationships {
				found = found || o.RelatedLocationID == id && o.Type == back && o.Reason == r.Reason
			}
			if !found {
				t.Errorf("%s: %s has no %s link back", id, r.RelatedLocationID, back)
			}
			if r.Type == relSuccessor && !dereg {
				t.Errorf("%s: registered location with a successor", id)
			}
		}
		checkRatings(t, c, id, l.CurrentRatings, l.HistoricRatings, l.Reports, c.ancestors(id))
		if l.CurrentRatings != nil && l.LastReport == nil {
			t.Errorf("%s: currentRatings without lastReport", id)
		}
		if len(l.Reports) == 0 && l.LastInspection != nil {
			t.Errorf("%s: lastInspection without own reports", id)
		}
		for _, a := range l.Assessment {
			if raw, _ := json.Marshal(a); bytes.Contains(raw, []byte("Requires improvement")) {
				t.Errorf("%s: assessment blocks spell Requires Improvement", id)
			}
		}
	}
	for id, p := range c.provs {
		keys := topKeys(t, id, c.provRaw[id])
		if k, ok := inOrder(keys, providerKeyOrder); !ok {
			t.Errorf("provider %s: key %q unknown or out of order: %v", id, k, keys)
		}
		for _, k := range providerAlways {
			if !slices.Contains(keys, k) {
				t.Errorf("provider %s: always-present key %q missing", id, k)
			}
		}
		if !reProviderID.MatchString(id) || *p.OrganisationType != "Provider" || !slices.Contains(ownershipNames, *p.OwnershipType) {
			t.Errorf("provider %s: %s %s", id, *p.OrganisationType, *p.OwnershipType)
		}
		if !slices.IsSorted(p.LocationIDs) {
			t.Errorf("provider %s: locationIds not sorted", id)
		}
		for _, lid := range p.LocationIDs {
			if l := c.locs[lid]; l == nil || *l.ProviderID != id {
				t.Errorf("provider %s lists %s, which is not its location", id, lid)
			}
		}
		if n := p.CompaniesHouseNumber; n != nil && !reCompanies.MatchString(*n) {
			t.Errorf("provider %s: companiesHouseNumber %q", id, *n)
		}
		checkRatings(t, c, id, p.CurrentRatings, p.HistoricRatings, p.Reports, nil)
	}
}

// checkRatings: every rating names a report that exists (its own, or the
// organisationId's, which must be an ancestor), key questions come in the
// real order, historic entries and reports are newest first.
func checkRatings(t *testing.T, c corpus, id string, cur *schemas.CurrentRatings, hist []schemas.HistoricRating, reps []schemas.Report, ancestors []string) {
	t.Helper()
	resolve := func(what, org, link, date string, fallbackOrgs []string) {
		owners := []string{id}
		if org != "" {
			if !slices.Contains(ancestors, org) && c.locs[org] != nil {
				t.Errorf("%s: %s names organisationId %s, not a predecessor (%v)", id, what, org, ancestors)
			}
			owners = []string{org}
		}
		owners = append(owners, fallbackOrgs...)
		for _, o := range owners {
			if o != id && c.locs[o] == nil {
				return // a predecessor the API answers 404 for: its reports cannot be seen (fixture 1-1500000211)
			}
		}
		for _, o := range owners {
			if r := c.findReport(o, link); r != nil {
				if r.ReportDate != date {
					t.Errorf("%s: %s reportDate %s, report %s says %s", id, what, date, link, r.ReportDate)
				}
				return
			}
		}
		t.Errorf("%s: %s reportLinkId %s matches no report of %v", id, what, link, owners)
	}
	order := func(what string, kqs []schemas.KeyQuestionRating) {
		pos := -1
		for _, k := range kqs {
			p := slices.Index(keyQuestions[:], k.Name)
			if p <= pos {
				t.Errorf("%s: %s key questions out of order or unknown: %+v", id, what, kqs)
				return
			}
			pos = p
		}
	}
	if cur != nil && cur.Overall != nil {
		o := cur.Overall
		if cur.ReportDate == nil || *cur.ReportDate != o.ReportDate || o.Rating == "" {
			t.Errorf("%s: currentRatings.reportDate %v, overall %s", id, cur.ReportDate, o.ReportDate)
		}
		var kqOrgs []string
		for _, k := range o.KeyQuestionRatings {
			if k.ReportDate == nil || k.ReportLinkID == nil {
				t.Errorf("%s: current key question without reportDate/reportLinkId", id)
				continue
			}
			resolve("key question "+k.Name, deref(k.OrganisationID), *k.ReportLinkID, *k.ReportDate, nil)
			if k.OrganisationID != nil {
				kqOrgs = append(kqOrgs, *k.OrganisationID)
			}
		}
		resolve("overall", deref(o.OrganisationID), o.ReportLinkID, o.ReportDate, kqOrgs)
		order("current", o.KeyQuestionRatings)
	}
	for k, h := range hist {
		resolve("historic rating", deref(h.OrganisationID), h.ReportLinkID, h.ReportDate, nil)
		if k > 0 && h.ReportDate > hist[k-1].ReportDate {
			t.Errorf("%s: historicRatings not newest first", id)
		}
		if h.Overall != nil {
			order("historic", h.Overall.KeyQuestionRatings)
			for _, q := range h.Overall.KeyQuestionRatings {
				if q.ReportDate != nil || q.ReportLinkID != nil || q.OrganisationID != nil {
					t.Errorf("%s: historic key questions carry only name and rating", id)
				}
			}
		}
	}
	for k, r := range reps {
		suffix, ok := strings.CutPrefix(r.ReportURI, "/reports/"+r.LinkID)
		if !reUUID.MatchString(r.LinkID) || !ok || suffix != "" && !reURISuffix.MatchString(suffix) {
			t.Errorf("%s: report %s uri %s", id, r.LinkID, r.ReportURI)
		}
		if k > 0 && r.ReportDate > reps[k-1].ReportDate {
			t.Errorf("%s: reports not newest first", id)
		}
	}
}

func newFixtureSim(t testing.TB, cfg Config) *Sim {
	t.Helper()
	sub, err := fs.Sub(data.CQCFixtures, "cqc/fixtures")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Fixtures = sub
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBodiesHaveTheRealShapes(t *testing.T) {
	s := newFixtureSim(t, Config{Locations: 700})
	start, _ := s.History()
	for _, at := range []time.Time{start, s.Clock()} {
		s.SetClock(at)
		t.Run(at.Format(time.DateOnly), func(t *testing.T) { checkShapes(t, collect(t, s)) })
	}
}

// TestHardCasesInRealisticProportions counts the hard cases in the default
// generated register (no fixtures).
func TestHardCasesInRealisticProportions(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := collect(t, s)
	n := map[string]int{}
	for id, l := range c.locs {
		count := func(k string, ok bool) {
			if ok {
				n[k]++
			}
		}
		count("deregistered", *l.RegistrationStatus == "Deregistered")
		count("with predecessor", len(c.ancestors(id)) >= 1)
		count("chain depth 3", len(c.ancestors(id)) >= 3)
		cur := l.CurrentRatings
		count("inherited overall", cur != nil && cur.Overall.OrganisationID != nil)
		kqInherited := false
		kqOwn := false
		reportsSeen := map[string]bool{}
		if cur != nil {
			for _, k := range cur.Overall.KeyQuestionRatings {
				kqInherited = kqInherited || k.OrganisationID != nil
				kqOwn = kqOwn || k.OrganisationID == nil
				reportsSeen[*k.ReportLinkID] = true
			}
		}
		count("key questions inherited, overall not", kqInherited && cur.Overall.OrganisationID == nil)
		count("inherited, no own reports", kqInherited && len(l.Reports) == 0)
		count("own and inherited key questions mixed", kqInherited && kqOwn)
		count("key questions from several reports", len(reportsSeen) > 1)
		hasHistInherited, ibnr := false, false
		for _, h := range l.HistoricRatings {
			hasHistInherited = hasHistInherited || h.OrganisationID != nil
			ibnr = ibnr || h.Overall.Rating == "Inspected but not rated"
		}
		count("historic with organisationId", hasHistInherited)
		count("historic Inspected but not rated", ibnr)
		count("assessment only", len(l.Assessment) > 0 && cur == nil)
		count("assessment and current ratings", len(l.Assessment) > 0 && cur != nil)
		count("never inspected", cur == nil && len(l.Reports) == 0 && len(l.Assessment) == 0 && *l.Type != "Primary Dental Care")
		count("dental without ratings", *l.Type == "Primary Dental Care" && cur == nil)
		count("NHS ODS site ID", strings.HasPrefix(id, "R"))
		count("NHS provider", strings.HasPrefix(*l.ProviderID, "R"))
		count("service ratings", cur != nil && len(cur.ServiceRatings) > 0)
		count("non-ASCII name", strings.ContainsFunc(*l.Name, func(r rune) bool { return r > 127 }))
		for _, r := range l.Reports {
			n["reports"]++
			count("report uri with suffix", strings.Contains(r.ReportURI, "?"))
			count("report without type", r.ReportType == nil)
		}
		count("website", l.Website != nil)
		count("unpublished report", len(l.UnpublishedReports) > 0)
		count("manager absent", l.RegisteredManagerAbsentDate != nil)
	}
	t.Logf("%d locations, %d providers: %v", len(c.locs), len(c.provs), n)
	total := float64(len(c.locs))
	share := func(k string) float64 { return float64(n[k]) / total }
	if share("deregistered") < 0.3 || share("deregistered") > 0.6 {
		t.Errorf("deregistered share %.2f, want ~0.45 (the register lists ~53%% deregistered)", share("deregistered"))
	}
	if share("with predecessor") < 0.08 || share("with predecessor") > 0.25 {
		t.Errorf("share with a predecessor %.2f", share("with predecessor"))
	}
	if r := float64(len(c.provs)) / total; r < 0.33 || r > 0.47 {
		t.Errorf("%.2f providers per location, want about 0.4", r)
	}
	if f := float64(n["report uri with suffix"]) / float64(n["reports"]); f < 0.9 {
		t.Errorf("only %.2f of reportUris carry the ?timestamp suffix", f)
	}
	for _, k := range []string{"chain depth 3", "inherited overall", "key questions inherited, overall not", "inherited, no own reports",
		"own and inherited key questions mixed", "key questions from several reports", "historic with organisationId",
		"historic Inspected but not rated", "assessment only", "assessment and current ratings", "never inspected",
		"dental without ratings", "NHS ODS site ID", "NHS provider", "service ratings", "non-ASCII name", "report without type",
		"unpublished report", "manager absent"} {
		if n[k] == 0 {
			t.Errorf("no %q among %d locations", k, len(c.locs))
		}
	}
}

// TestGoldenBodies pins a few generated bodies, one per hard case, and the
// list and changes pages. Run with -update after an intended change and
// review the diff.
func TestGoldenBodies(t *testing.T) {
	s, c := testSim(t, unlimited(Config{}))
	parsed := map[string]*schemas.Location{}
	body := func(id string) *schemas.Location {
		if l := parsed[id]; l != nil {
			return l
		}
		raw, _ := s.LocationBody(id)
		var l schemas.Location
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatal(err)
		}
		parsed[id] = &l
		return &l
	}
	pickLoc := func(ok func(l *schemas.Location) bool) string {
		for _, id := range s.LocationIDs() {
			if ok(body(id)) {
				return id
			}
		}
		t.Fatal("no location for a golden case")
		return ""
	}
	kqOrg := func(l *schemas.Location) bool {
		return l.CurrentRatings != nil && len(l.CurrentRatings.Overall.KeyQuestionRatings) > 0 && l.CurrentRatings.Overall.KeyQuestionRatings[0].OrganisationID != nil
	}
	cases := map[string]string{
		"location_inherited_key_questions_only": "/locations/" + pickLoc(func(l *schemas.Location) bool {
			return kqOrg(l) && l.CurrentRatings.Overall.OrganisationID == nil && len(l.Reports) == 0
		}),
		"location_inherited_overall": "/locations/" + pickLoc(func(l *schemas.Location) bool {
			return kqOrg(l) && l.CurrentRatings.Overall.OrganisationID != nil
		}),
		"location_historic_inherited": "/locations/" + pickLoc(func(l *schemas.Location) bool {
			return len(l.Reports) > 0 && len(l.HistoricRatings) > 1 && l.HistoricRatings[len(l.HistoricRatings)-1].OrganisationID != nil
		}),
		"location_deregistered_with_successor": "/locations/" + pickLoc(func(l *schemas.Location) bool {
			return l.DeregistrationDate != nil && len(l.Relationships) == 2
		}),
		"location_nhs_ods_site":    "/locations/" + pickLoc(func(l *schemas.Location) bool { return strings.HasPrefix(l.LocationID, "R") }),
		"location_assessment_only": "/locations/" + pickLoc(func(l *schemas.Location) bool { return len(l.Assessment) > 0 && l.CurrentRatings == nil }),
		"location_dental":          "/locations/" + pickLoc(func(l *schemas.Location) bool { return *l.Type == "Primary Dental Care" && len(l.Reports) > 0 }),
		"location_gp": "/locations/" + pickLoc(func(l *schemas.Location) bool {
			return *l.Type == "Primary Medical Services" && l.CurrentRatings != nil
		}),
		"page_locations":   "/locations?perPage=3&page=2&region=East&careHome=Y",
		"page_providers":   "/providers?perPage=2",
		"page_changes":     "/changes/location?startTimestamp=2026-11-01T00:00:00Z&endTimestamp=2026-11-03T00:00:00Z&perPage=5",
		"inspection_areas": "/inspection-areas",
	}
	for _, id := range s.ProviderIDs() {
		if raw, _ := s.ProviderBody(id); strings.HasPrefix(id, "R") && bytes.Contains(raw, []byte(`"reportType":"Provider"`)) {
			cases["provider_nhs_trust"] = "/providers/" + id
			break
		}
	}
	if cases["provider_nhs_trust"] == "" {
		t.Fatal("no NHS trust with reports for a golden case")
	}
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			r := c.get(path)
			if r.status != 200 {
				t.Fatalf("GET %s: %d %s", path, r.status, r.body)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, r.body, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteString("\n")
			testkit.Golden(t, filepath.Join("testdata", "golden", name+".json"), pretty.Bytes())
		})
	}
}
