package cqcsim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"

	"carelake/schemas"
)

// Fixtures are hand-pinned detail bodies: <root>/locations/*.json and
// <root>/providers/*.json, one organisation per file (the file name does not
// matter; the body's locationId/providerId does). They are served as written
// (whitespace compacted), listed and filtered like generated organisations,
// visible at every clock and absent from the changes feed.

type fixtureLoc struct {
	body           []byte
	name, postcode string
	providerID     string
	facets         map[string][]string // filter name -> values
	areas          []string            // inspection area IDs
	related        []string            // relatedLocationId of every relationship
}

type fixtureProv struct {
	body   []byte
	name   string
	locIDs []string
	facets map[string][]string
}

// fixtureReport is what /reports/{linkId} needs about a fixture's report.
type fixtureReport struct {
	orgName, orgID, date, firstVisit, overall string
	keyQuestions                              [][2]string // name, rating
	documents                                 []string
}

// fixtureRating is what some fixture's ratings say a report rated: an
// inherited rating names its predecessor's report, so the report's own
// location need not carry it.
type fixtureRating struct {
	overall      string
	keyQuestions [][2]string
}

// loadFixtures reads every fixture under fsys.
func loadFixtures(fsys fs.FS) ([]loc, []prov, map[string]fixtureReport, error) {
	fl := &fixtureLoader{fsys: fsys, seen: map[string]string{}, reports: map[string]fixtureReport{}, ratings: map[string]fixtureRating{}}
	if err := fl.read("locations", fl.location); err != nil {
		return nil, nil, nil, err
	}
	if err := fl.read("providers", fl.provider); err != nil {
		return nil, nil, nil, err
	}
	if len(fl.locs) == 0 && len(fl.provs) == 0 {
		return nil, nil, nil, fmt.Errorf("%w: no locations/*.json or providers/*.json found: check the fixtures directory", ErrFixture)
	}
	for link, fr := range fl.reports {
		if r, ok := fl.ratings[link]; ok {
			fr.overall, fr.keyQuestions = cmp.Or(fr.overall, r.overall), r.keyQuestions
			fl.reports[link] = fr
		}
	}
	return fl.locs, fl.provs, fl.reports, nil
}

// rated notes what a fixture's current and historic ratings say of their reports.
func (fl *fixtureLoader) rated(cur *schemas.CurrentRatings, hist []schemas.HistoricRating) {
	note := func(link, overall string, kqs []schemas.KeyQuestionRating) {
		if link == "" || len(fl.ratings[link].keyQuestions) > 0 {
			return
		}
		r := fixtureRating{overall: overall}
		for _, kq := range kqs {
			r.keyQuestions = append(r.keyQuestions, [2]string{kq.Name, kq.Rating})
		}
		fl.ratings[link] = r
	}
	if cur != nil && cur.Overall != nil {
		note(cur.Overall.ReportLinkID, cur.Overall.Rating, cur.Overall.KeyQuestionRatings)
	}
	for _, h := range hist {
		if h.Overall != nil {
			note(h.ReportLinkID, h.Overall.Rating, h.Overall.KeyQuestionRatings)
		}
	}
}

// fixtureLoader is what loadFixtures has read so far.
type fixtureLoader struct {
	fsys    fs.FS
	seen    map[string]string // file by organisation ID
	reports map[string]fixtureReport
	ratings map[string]fixtureRating // by report link
	locs    []loc
	provs   []prov
}

// claim registers the organisation ID of a fixture file: it must be given,
// upper-case and in no other file.
func (fl *fixtureLoader) claim(id, file string) error {
	if id == "" {
		return fmt.Errorf("%w: %s: no ID", ErrFixture, file)
	}
	if strings.ToUpper(id) != id {
		return fmt.Errorf("%w: %s: ID %q has lower-case letters; the API serves upper-case IDs", ErrFixture, file, id)
	}
	if other, dup := fl.seen[id]; dup {
		return fmt.Errorf("%w: %s: ID %s is also in %s", ErrFixture, file, id, other)
	}
	fl.seen[id] = file
	return nil
}

// read calls fn with every dir/*.json, in name order, its JSON compacted.
func (fl *fixtureLoader) read(dir string, fn func(file string, raw []byte) error) error {
	files, err := fs.Glob(fl.fsys, path.Join(dir, "*.json"))
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrFixture, dir, err)
	}
	sort.Strings(files)
	for _, f := range files {
		raw, err := fs.ReadFile(fl.fsys, f)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrFixture, f, err)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return fmt.Errorf("%w: %s: not JSON: %w", ErrFixture, f, err)
		}
		if err := fn(f, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// location adds a location fixture.
func (fl *fixtureLoader) location(file string, raw []byte) error {
	var b schemas.Location
	if err := json.Unmarshal(raw, &b); err != nil {
		return fmt.Errorf("%w: %s: not a location body: %w", ErrFixture, file, err)
	}
	if err := fl.claim(b.LocationID, file); err != nil {
		return err
	}
	fx := &fixtureLoc{body: raw, name: deref(b.Name), postcode: deref(b.PostalCode), providerID: deref(b.ProviderID),
		facets: map[string][]string{}}
	orgFacets(fx.facets, b.Region, b.LocalAuthority, b.InspectionDirectorate, b.Constituency,
		b.CurrentRatings, b.RegulatedActivities, b.InspectionCategories)
	if b.CareHome != nil {
		fx.facets["careHome"] = []string{*b.CareHome}
	}
	for _, g := range b.GacServiceTypes {
		fx.facets["gacServiceTypeDescription"] = append(fx.facets["gacServiceTypeDescription"], g.Description)
	}
	for _, a := range b.InspectionAreas {
		fx.areas = append(fx.areas, a.InspectionAreaID)
	}
	for _, r := range b.Relationships {
		fx.related = append(fx.related, r.RelatedLocationID)
	}
	addReports(fl.reports, b.LocationID, deref(b.Name), b.Reports, b.CurrentRatings, b.HistoricRatings)
	fl.rated(b.CurrentRatings, b.HistoricRatings)
	fl.locs = append(fl.locs, loc{id: b.LocationID, fix: fx, prov: -1, pred: -1, succ: -1})
	return nil
}

// provider adds a provider fixture.
func (fl *fixtureLoader) provider(file string, raw []byte) error {
	var b schemas.Provider
	if err := json.Unmarshal(raw, &b); err != nil {
		return fmt.Errorf("%w: %s: not a provider body: %w", ErrFixture, file, err)
	}
	if err := fl.claim(b.ProviderID, file); err != nil {
		return err
	}
	fx := &fixtureProv{body: raw, name: deref(b.Name), locIDs: b.LocationIDs, facets: map[string][]string{}}
	orgFacets(fx.facets, b.Region, b.LocalAuthority, b.InspectionDirectorate, b.Constituency,
		b.CurrentRatings, b.RegulatedActivities, b.InspectionCategories)
	addReports(fl.reports, b.ProviderID, deref(b.Name), b.Reports, b.CurrentRatings, b.HistoricRatings)
	fl.rated(b.CurrentRatings, b.HistoricRatings)
	fl.provs = append(fl.provs, prov{id: b.ProviderID, fix: fx})
	return nil
}

// orgFacets sets the filter values a location and a provider fixture both
// have: region, local authority, directorate, constituency, overall rating,
// regulated activities and primary inspection category.
func orgFacets(facets map[string][]string, region, localAuthority, directorate, constituency *string,
	cur *schemas.CurrentRatings, ras []schemas.RegulatedActivity, cats []schemas.InspectionCategory) {
	set := func(name string, v *string) {
		if v != nil {
			facets[name] = []string{*v}
		}
	}
	set("region", region)
	set("localAuthority", localAuthority)
	set("inspectionDirectorate", directorate)
	set("constituency", constituency)
	if cur != nil && cur.Overall != nil {
		facets["overallRating"] = []string{cur.Overall.Rating}
	}
	for _, ra := range ras {
		facets["regulatedActivity"] = append(facets["regulatedActivity"], ra.Name)
	}
	for _, c := range cats {
		if c.Primary == "true" {
			facets["primaryInspectionCategoryCode"] = []string{c.Code}
		}
	}
}

func addReports(m map[string]fixtureReport, orgID, orgName string, reps []schemas.Report, cur *schemas.CurrentRatings, hist []schemas.HistoricRating) {
	ratingOf := func(link string) string {
		if cur != nil && cur.Overall != nil && cur.Overall.ReportLinkID == link {
			return cur.Overall.Rating
		}
		for _, h := range hist {
			if h.ReportLinkID == link && h.Overall != nil {
				return h.Overall.Rating
			}
		}
		return ""
	}
	for _, r := range reps {
		fr := fixtureReport{orgName: orgName, orgID: orgID, date: r.ReportDate, firstVisit: deref(r.FirstVisitDate), overall: ratingOf(r.LinkID)}
		for _, d := range r.RelatedDocuments {
			fr.documents = append(fr.documents, d.DocumentType)
		}
		m[r.LinkID] = fr
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// addFixtures puts loaded fixtures into the world and warns about
// references to organisations that exist nowhere.
func (w *world) addFixtures(locs []loc, provs []prov, reports map[string]fixtureReport, log *slog.Logger) {
	w.locs = append(w.locs, locs...)
	w.provs = append(w.provs, provs...)
	w.fixReports = reports
	w.index()
	for _, l := range locs {
		if l.fix.providerID != "" && w.findProv(l.fix.providerID) < 0 {
			log.Warn("fixture location names a provider that does not exist", "location", l.id, "provider", l.fix.providerID)
		}
		for _, id := range l.fix.related {
			if w.findLoc(id) < 0 {
				log.Warn("fixture location relates to a location that does not exist", "location", l.id, "related", id)
			}
		}
	}
	for _, p := range provs {
		for _, id := range p.fix.locIDs {
			if w.findLoc(id) < 0 {
				log.Warn("fixture provider lists a location that does not exist", "provider", p.id, "location", id)
			}
		}
	}
}
