package normalise

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
	"carelake/schemas/batch"
)

// tables holds one builder per CQC table normalise writes.
type tables struct {
	locations, providers                             *batch.Builder
	locRatings, locHistory, provRatings, provHistory *batch.Builder
	reports, relatedDocs, reportLocations            *batch.Builder
	locRelationships, provRelationships              *batch.Builder
	activities, gac, categories, specialisms, areas  *batch.Builder
	provLocations, ageGroups, settingServices        *batch.Builder
	provAreas, serviceGroups, rejects                *batch.Builder
	taxonomy, reportTexts, reportFiles               *batch.Builder
}

// normaliseTables lists the tables normalise writes (all but resolve's).
func normaliseTables() []schemas.Table {
	return []schemas.Table{
		schemas.CQCLocations, schemas.CQCProviders,
		schemas.CQCLocationRatings, schemas.CQCLocationRatingHistory, schemas.CQCProviderRatings, schemas.CQCProviderRatingHistory,
		schemas.CQCReports, schemas.CQCReportRelatedDocuments, schemas.CQCReportInspectionLocations,
		schemas.CQCLocationRelationships, schemas.CQCProviderRelationships,
		schemas.CQCRegulatedActivities, schemas.CQCGacServiceTypes, schemas.CQCInspectionCategories, schemas.CQCSpecialisms,
		schemas.CQCInspectionAreas, schemas.CQCProviderLocations, schemas.CQCAgeGroups, schemas.CQCSettingServices,
		schemas.CQCProviderInspectionAreas, schemas.CQCAssessmentServiceGroups, schemas.CQCRejects,
		schemas.CQCInspectionAreaTaxonomy, schemas.CQCReportTexts, schemas.CQCReportFiles,
	}
}

// newTables builds every table with batches of size rows; sink(table)
// returns where that table's batches go.
func newTables(size int, sink func(schemas.Table) batch.Sink) *tables {
	nb := func(t schemas.Table) *batch.Builder { return batch.New(t, size, sink(t)) }
	return &tables{
		locations: nb(schemas.CQCLocations), providers: nb(schemas.CQCProviders),
		locRatings: nb(schemas.CQCLocationRatings), locHistory: nb(schemas.CQCLocationRatingHistory),
		provRatings: nb(schemas.CQCProviderRatings), provHistory: nb(schemas.CQCProviderRatingHistory),
		reports: nb(schemas.CQCReports), relatedDocs: nb(schemas.CQCReportRelatedDocuments),
		reportLocations:  nb(schemas.CQCReportInspectionLocations),
		locRelationships: nb(schemas.CQCLocationRelationships), provRelationships: nb(schemas.CQCProviderRelationships),
		activities: nb(schemas.CQCRegulatedActivities), gac: nb(schemas.CQCGacServiceTypes),
		categories: nb(schemas.CQCInspectionCategories), specialisms: nb(schemas.CQCSpecialisms),
		areas: nb(schemas.CQCInspectionAreas), provLocations: nb(schemas.CQCProviderLocations),
		ageGroups: nb(schemas.CQCAgeGroups), settingServices: nb(schemas.CQCSettingServices),
		provAreas: nb(schemas.CQCProviderInspectionAreas), serviceGroups: nb(schemas.CQCAssessmentServiceGroups),
		rejects: nb(schemas.CQCRejects), taxonomy: nb(schemas.CQCInspectionAreaTaxonomy),
		reportTexts: nb(schemas.CQCReportTexts), reportFiles: nb(schemas.CQCReportFiles),
	}
}

func (t *tables) all() []*batch.Builder {
	return []*batch.Builder{
		t.locations, t.providers, t.locRatings, t.locHistory, t.provRatings, t.provHistory,
		t.reports, t.relatedDocs, t.reportLocations, t.locRelationships, t.provRelationships,
		t.activities, t.gac, t.categories, t.specialisms, t.areas, t.provLocations,
		t.ageGroups, t.settingServices, t.provAreas, t.serviceGroups, t.rejects, t.taxonomy,
		t.reportTexts, t.reportFiles,
	}
}

// close flushes every table; after the first error the rest are only released.
func (t *tables) close() error {
	var first error
	for _, b := range t.all() {
		if first != nil {
			b.Release()
			continue
		}
		first = b.Close()
	}
	return first
}

// origin says where the body being emitted comes from.
type origin struct {
	kind      entityKind
	id        string
	fetchedAt time.Time
	goneAt    time.Time
	leftAt    time.Time // a location's left_scope_at
	segment   string    // relative to the warehouse root, slash-separated
	seq       int64
}

// emitter turns decoded bodies into rows. It runs on one goroutine.
type emitter struct {
	t       *tables
	o       origin
	ratings ratingSet
	roles   []string
	// owners: the organisations listing each report (link ID), kept only when
	// the archive holds report documents (emitReportDocuments).
	owners map[string][]reportOwner
	err    error // first error writing a field reject

	bodyRejects, fieldRejects int
}

// reject writes a rejects row for the current body.
func (e *emitter) reject(scope, field, reason string) error {
	b := e.t.rejects
	b.String("entity_type", e.o.kind.String())
	b.String("entity_id", e.o.id)
	b.String("scope", scope)
	b.NonEmpty("field", field)
	b.String("reason", reason)
	b.Time("fetched_at", e.o.fetchedAt)
	b.String("archive_segment", e.o.segment)
	b.Int64("archive_seq", e.o.seq)
	return b.EndRow()
}

// fieldReject records one unusable value; the row keeps NULL in its place.
func (e *emitter) fieldReject(field, reason string) {
	e.fieldRejects++
	if err := e.reject("field", field, reason); err != nil && e.err == nil {
		e.err = err
	}
}

func (e *emitter) parseDate(field, s string) (arrow.Date32, bool) {
	d, ok := parseDate(s)
	if !ok {
		e.fieldReject(field, "unparseable date "+strconv.Quote(s))
	}
	return d, ok
}

// date appends an optional API date to column col.
func (e *emitter) date(b *batch.Builder, col, field string, s *string) {
	if s == nil || *s == "" {
		b.Null(col)
		return
	}
	d, ok := e.parseDate(field, *s)
	b.Date(col, d, ok)
}

// emit writes the rows of one decoded body, or a reject.
func (e *emitter) emit(d *decoded) error {
	e.o = d.origin
	e.err = nil
	var err error
	switch {
	case d.reason != "":
		e.bodyRejects++
		err = e.reject("body", "", d.reason)
	case d.loc != nil:
		err = e.location(d.loc)
	case d.prov != nil:
		err = e.provider(d.prov)
	}
	if err != nil {
		return err
	}
	return e.err
}

// location writes a location's row, then its child lists, one table each.
func (e *emitter) location(l *schemas.Location) error {
	e.collect(&e.ratings, l.CurrentRatings, l.HistoricRatings, l.Assessment)
	if err := e.locationRow(l); err != nil {
		return err
	}
	// The location row keeps the rating a deregistered location last held;
	// the rating tables end it at the deregistration date.
	endAtDeregistration(&e.ratings, l.RegistrationStatus, l.DeregistrationDate)
	return e.locationLists(l)
}

// locationRow writes the row of the locations table.
func (e *emitter) locationRow(l *schemas.Location) error {
	b := e.t.locations
	b.String("location_id", l.LocationID)
	b.StringPtr("provider_id", l.ProviderID)
	b.StringPtr("organisation_type", l.OrganisationType)
	b.StringPtr("type", l.Type)
	b.StringPtr("name", l.Name)
	b.StringPtr("also_known_as", l.AlsoKnownAs)
	b.StringPtr("brand_id", l.BrandID)
	b.StringPtr("brand_name", l.BrandName)
	b.StringPtr("onspd_ccg_code", l.OnspdCcgCode)
	b.StringPtr("onspd_ccg_name", l.OnspdCcgName)
	b.StringPtr("ods_ccg_code", l.OdsCcgCode)
	b.StringPtr("ods_ccg_name", l.OdsCcgName)
	b.StringPtr("onspd_icb_code", l.OnspdIcbCode)
	b.StringPtr("onspd_icb_name", l.OnspdIcbName)
	b.StringPtr("ods_code", l.OdsCode)
	b.StringPtr("uprn", l.Uprn)
	b.StringPtr("registration_status", l.RegistrationStatus)
	e.date(b, "registration_date", "registrationDate", l.RegistrationDate)
	e.date(b, "deregistration_date", "deregistrationDate", l.DeregistrationDate)
	b.StringPtr("dormancy", l.Dormancy)
	e.date(b, "dormancy_start_date", "dormancyStartDate", l.DormancyStartDate)
	e.date(b, "dormancy_end_date", "dormancyEndDate", l.DormancyEndDate)
	b.Int64Ptr("number_of_beds", l.NumberOfBeds)
	b.StringPtr("website", l.Website)
	address(b, l.PostalAddressLine1, l.PostalAddressLine2, l.PostalAddressTownCity, l.PostalAddressCounty,
		l.PostalCode, l.Region, l.OnspdLatitude, l.OnspdLongitude)
	b.StringPtr("care_home", l.CareHome)
	b.StringPtr("inspection_directorate", l.InspectionDirectorate)
	b.StringPtr("main_phone_number", l.MainPhoneNumber)
	e.date(b, "registered_manager_absent_date", "registeredManagerAbsentDate", l.RegisteredManagerAbsentDate)
	b.StringPtr("constituency", l.Constituency)
	b.StringPtr("local_authority", l.LocalAuthority)
	e.roles = e.roles[:0]
	for _, t := range l.LocationTypes {
		e.roles = append(e.roles, t.Type)
	}
	b.NonEmpty("location_types", strings.Join(e.roles, "; "))
	e.lastInspection(b, l.LastInspection, l.LastReport)
	ov := e.overall(b, l.CurrentRatings)
	switch {
	case ov == nil:
		b.Null("overall_rating_source")
	case ov.framework == frameworkSAF:
		b.String("overall_rating_source", sourceAssessment)
	default:
		b.String("overall_rating_source", sourceCurrent)
	}
	e.unpublished(b, l.UnpublishedReports)
	e.archivePointer(b)
	b.Time("left_scope_at", e.o.leftAt)
	return b.EndRow()
}

// locationLists writes a location's child lists, in this order (the order
// of any field rejects they write).
func (e *emitter) locationLists(l *schemas.Location) error {
	id := l.LocationID
	if err := e.writeRatings(e.t.locRatings, e.t.locHistory, "location_id", id, &e.ratings); err != nil {
		return err
	}
	if err := e.reports(l.Reports); err != nil {
		return err
	}
	if err := e.locationRelationships(id, l.Relationships); err != nil {
		return err
	}
	if err := e.activities(l.RegulatedActivities); err != nil {
		return err
	}
	if err := e.gacServiceTypes(id, l.GacServiceTypes); err != nil {
		return err
	}
	if err := e.categories(l.InspectionCategories); err != nil {
		return err
	}
	if err := e.specialisms(l.Specialisms, l.Specialism); err != nil {
		return err
	}
	if err := e.areas(l.InspectionAreas); err != nil {
		return err
	}
	if err := e.ageGroups(id, l.AgeGroup); err != nil {
		return err
	}
	if err := e.settingServices(id, l.SettingServices); err != nil {
		return err
	}
	if err := e.providerAreas(id, l.ProviderInspectionAreas); err != nil {
		return err
	}
	return e.serviceGroups(id, l.AssessmentServiceGroup)
}

// provider writes a provider's row, then its child lists, one table each.
func (e *emitter) provider(p *schemas.Provider) error {
	e.collect(&e.ratings, p.CurrentRatings, p.HistoricRatings, nil)
	if err := e.providerRow(p); err != nil {
		return err
	}
	endAtDeregistration(&e.ratings, p.RegistrationStatus, p.DeregistrationDate)
	return e.providerLists(p)
}

// providerRow writes the row of the providers table.
func (e *emitter) providerRow(p *schemas.Provider) error {
	b := e.t.providers
	b.String("provider_id", p.ProviderID)
	b.StringPtr("organisation_type", p.OrganisationType)
	b.StringPtr("ownership_type", p.OwnershipType)
	b.StringPtr("type", p.Type)
	b.StringPtr("name", p.Name)
	b.StringPtr("also_known_as", p.AlsoKnownAs)
	b.StringPtr("brand_id", p.BrandID)
	b.StringPtr("brand_name", p.BrandName)
	b.StringPtr("ods_code", p.OdsCode)
	b.StringPtr("registration_status", p.RegistrationStatus)
	e.date(b, "registration_date", "registrationDate", p.RegistrationDate)
	e.date(b, "deregistration_date", "deregistrationDate", p.DeregistrationDate)
	b.StringPtr("companies_house_number", p.CompaniesHouseNumber)
	b.StringPtr("charity_number", p.CharityNumber)
	b.StringPtr("website", p.Website)
	b.StringPtr("main_phone_number", p.MainPhoneNumber)
	b.StringPtr("uprn", p.Uprn)
	address(b, p.PostalAddressLine1, p.PostalAddressLine2, p.PostalAddressTownCity, p.PostalAddressCounty,
		p.PostalCode, p.Region, p.OnspdLatitude, p.OnspdLongitude)
	b.StringPtr("onspd_icb_code", p.OnspdIcbCode)
	b.StringPtr("onspd_icb_name", p.OnspdIcbName)
	b.StringPtr("constituency", p.Constituency)
	b.StringPtr("local_authority", p.LocalAuthority)
	b.StringPtr("inspection_directorate", p.InspectionDirectorate)
	e.lastInspection(b, p.LastInspection, p.LastReport)
	b.Int64("location_count", int64(len(p.LocationIDs)))
	b.Int64("contact_count", int64(len(p.Contacts)))
	b.NonEmpty("contact_roles", e.rolesOf(p.Contacts, nil))
	e.overall(b, p.CurrentRatings)
	e.unpublished(b, p.UnpublishedReports)
	e.archivePointer(b)
	return b.EndRow()
}

// providerLists writes a provider's child lists, in this order (the order
// of any field rejects they write).
func (e *emitter) providerLists(p *schemas.Provider) error {
	id := p.ProviderID
	if err := e.writeRatings(e.t.provRatings, e.t.provHistory, "provider_id", id, &e.ratings); err != nil {
		return err
	}
	if err := e.reports(p.Reports); err != nil {
		return err
	}
	if err := e.providerRelationships(id, p.Relationships); err != nil {
		return err
	}
	if err := e.activities(p.RegulatedActivities); err != nil {
		return err
	}
	if err := e.categories(p.InspectionCategories); err != nil {
		return err
	}
	if err := e.areas(p.InspectionAreas); err != nil {
		return err
	}
	return e.providerLocations(id, p.LocationIDs)
}

func address(b *batch.Builder, line1, line2, town, county, postcode, region *string, lat, long *float64) {
	b.StringPtr("postal_address_line1", line1)
	b.StringPtr("postal_address_line2", line2)
	b.StringPtr("postal_address_town_city", town)
	b.StringPtr("postal_address_county", county)
	b.StringPtr("postal_code", postcode)
	b.StringPtr("region", region)
	b.Float64Ptr("onspd_latitude", lat)
	b.Float64Ptr("onspd_longitude", long)
}

func (e *emitter) lastInspection(b *batch.Builder, li *schemas.LastInspection, lr *schemas.LastReport) {
	if li != nil {
		e.date(b, "last_inspection_date", "lastInspection.date", &li.Date)
	} else {
		b.Null("last_inspection_date")
	}
	if lr != nil {
		e.date(b, "last_report_publication_date", "lastReport.publicationDate", &lr.PublicationDate)
	} else {
		b.Null("last_report_publication_date")
	}
}

// overall writes the overall-rating columns and returns the rating in effect.
func (e *emitter) overall(b *batch.Builder, cr *schemas.CurrentRatings) *ratingRow {
	if cr != nil && cr.ReportDate != nil && *cr.ReportDate != "" {
		d, ok := parseDate(*cr.ReportDate) // a bad one was rejected when collected
		b.Date("current_ratings_report_date", d, ok)
	} else {
		b.Null("current_ratings_report_date")
	}
	ov := overallInEffect(e.ratings.cur)
	if ov == nil {
		for _, c := range []string{"overall_rating", "overall_rating_category", "overall_rating_date",
			"overall_rating_report_link_id", "overall_rating_organisation_id", "overall_rating_inherited"} {
			b.Null(c)
		}
		return nil
	}
	b.NonEmpty("overall_rating", ov.rating)
	b.String("overall_rating_category", ratingCategory(ov.rating))
	b.Date("overall_rating_date", ov.date, ov.hasDate)
	b.NonEmpty("overall_rating_report_link_id", ov.link)
	b.NonEmpty("overall_rating_organisation_id", ov.org)
	b.Bool("overall_rating_inherited", ov.org != "")
	return ov
}

func (e *emitter) unpublished(b *batch.Builder, ur []schemas.UnpublishedReport) {
	b.Int64("unpublished_report_count", int64(len(ur)))
	var latest arrow.Date32
	found := false
	for _, u := range ur {
		if u.FirstVisitDate == "" {
			continue
		}
		if d, ok := e.parseDate("unpublishedReports[].firstVisitDate", u.FirstVisitDate); ok && (!found || d > latest) {
			latest, found = d, true
		}
	}
	b.Date("latest_unpublished_first_visit_date", latest, found)
}

func (e *emitter) archivePointer(b *batch.Builder) {
	b.Time("fetched_at", e.o.fetchedAt)
	b.Time("api_gone_at", e.o.goneAt)
	b.String("archive_segment", e.o.segment)
	b.Int64("archive_seq", e.o.seq)
}

// rows writes one row of t for each item of a child list: row writes the
// item's columns, in schema order, and rows ends the row.
func rows[T any](t *batch.Builder, items []T, row func(t *batch.Builder, item *T)) error {
	for i := range items {
		row(t, &items[i])
		if err := t.EndRow(); err != nil {
			return err
		}
	}
	return nil
}

// orgKey writes the key of a row in a table that locations and providers
// share: organisation_type and organisation_id of the body being emitted.
func (e *emitter) orgKey(t *batch.Builder) {
	t.String("organisation_type", e.o.kind.String())
	t.String("organisation_id", e.o.id)
}

func (e *emitter) reports(reports []schemas.Report) error {
	for i := range reports {
		r := &reports[i]
		t := e.t.reports
		e.orgKey(t)
		t.String("link_id", r.LinkID)
		if r.ReportDate != "" {
			d, ok := e.parseDate("reports[].reportDate", r.ReportDate)
			t.Date("report_date", d, ok)
		} else {
			t.Null("report_date")
		}
		e.date(t, "first_visit_date", "reports[].firstVisitDate", r.FirstVisitDate)
		t.NonEmpty("report_uri", r.ReportURI)
		t.StringPtr("report_type", r.ReportType)
		if err := t.EndRow(); err != nil {
			return err
		}
		if e.owners != nil {
			o := reportOwner{date: r.ReportDate}
			if e.o.kind == kindLocation {
				o.location = e.o.id
			} else {
				o.provider = e.o.id
			}
			e.owners[r.LinkID] = append(e.owners[r.LinkID], o)
		}
		if err := rows(e.t.relatedDocs, r.RelatedDocuments, func(t *batch.Builder, doc *schemas.RelatedDocument) {
			e.orgKey(t)
			t.String("link_id", r.LinkID)
			t.NonEmpty("document_type", doc.DocumentType)
			t.NonEmpty("document_uri", doc.DocumentURI)
		}); err != nil {
			return err
		}
		for _, il := range r.InspectionLocations {
			t := e.t.reportLocations
			e.orgKey(t)
			t.String("link_id", r.LinkID)
			t.String("location_id", il.LocationID)
			if err := t.EndRow(); err != nil {
				return err
			}
		}
	}
	return nil
}

// rolesOf lists the distinct roles of people, sorted and joined with "; ".
// A nominated individual, when given, counts as the role "Nominated
// Individual" plus its own roles. Names are never read.
func (e *emitter) rolesOf(people []schemas.Person, nominated *schemas.Person) string {
	e.roles = e.roles[:0]
	for _, p := range people {
		e.roles = append(e.roles, p.PersonRoles...)
	}
	if nominated != nil {
		e.roles = append(e.roles, "Nominated Individual")
		e.roles = append(e.roles, nominated.PersonRoles...)
	}
	if len(e.roles) == 0 {
		return ""
	}
	slices.Sort(e.roles)
	e.roles = slices.Compact(e.roles)
	return strings.Join(e.roles, "; ")
}

func (e *emitter) activities(acts []schemas.RegulatedActivity) error {
	return rows(e.t.activities, acts, func(t *batch.Builder, a *schemas.RegulatedActivity) {
		e.orgKey(t)
		t.NonEmpty("name", a.Name)
		t.NonEmpty("code", a.Code)
		n := len(a.Contacts)
		if a.NominatedIndividual != nil {
			n++
		}
		t.Int64("contact_count", int64(n))
		t.NonEmpty("contact_roles", e.rolesOf(a.Contacts, a.NominatedIndividual))
	})
}

func (e *emitter) categories(cats []schemas.InspectionCategory) error {
	return rows(e.t.categories, cats, func(t *batch.Builder, c *schemas.InspectionCategory) {
		e.orgKey(t)
		t.NonEmpty("code", c.Code)
		t.NonEmpty("name", c.Name)
		switch c.Primary {
		case "true":
			t.Bool("primary", true)
		case "false":
			t.Bool("primary", false)
		case "":
			t.Null("primary")
		default:
			e.fieldReject("inspectionCategories[].primary", "not \"true\" or \"false\": "+strconv.Quote(c.Primary))
			t.Null("primary")
		}
	})
}

func (e *emitter) areas(areas []schemas.InspectionArea) error {
	return rows(e.t.areas, areas, func(t *batch.Builder, a *schemas.InspectionArea) {
		e.orgKey(t)
		t.NonEmpty("inspection_area_id", a.InspectionAreaID)
		t.NonEmpty("inspection_area_name", a.InspectionAreaName)
		t.StringPtr("inspection_area_type", a.InspectionAreaType)
		t.NonEmpty("status", a.Status)
		t.NonEmpty("superseded_by", strings.Join(a.SupersededBy, "; "))
		e.date(t, "end_date", "inspectionAreas[].endDate", a.EndDate)
	})
}

// relationshipCols are the columns in which location_relationships and
// provider_relationships differ: the organisation's key and the related
// one's.
type relationshipCols struct{ id, relatedID, relatedName string }

var (
	locationRelationship = relationshipCols{"location_id", "related_location_id", "related_location_name"}
	providerRelationship = relationshipCols{"provider_id", "related_provider_id", "related_provider_name"}
)

// relationship writes the columns of a relationships row: organisation id
// is related to relatedID.
func relationship(t *batch.Builder, c relationshipCols, id, relatedID, relatedName, typ, reason string) {
	t.String(c.id, id)
	t.String(c.relatedID, relatedID)
	t.NonEmpty(c.relatedName, relatedName)
	t.NonEmpty("type", typ)
	t.NonEmpty("reason", reason)
}

func (e *emitter) locationRelationships(id string, rels []schemas.LocationRelationship) error {
	return rows(e.t.locRelationships, rels, func(t *batch.Builder, r *schemas.LocationRelationship) {
		relationship(t, locationRelationship, id, r.RelatedLocationID, r.RelatedLocationName, r.Type, r.Reason)
	})
}

func (e *emitter) providerRelationships(id string, rels []schemas.ProviderRelationship) error {
	return rows(e.t.provRelationships, rels, func(t *batch.Builder, r *schemas.ProviderRelationship) {
		relationship(t, providerRelationship, id, r.RelatedProviderID, r.RelatedProviderName, r.Type, r.Reason)
	})
}

func (e *emitter) gacServiceTypes(id string, types []schemas.GacServiceType) error {
	return rows(e.t.gac, types, func(t *batch.Builder, g *schemas.GacServiceType) {
		t.String("location_id", id)
		t.NonEmpty("name", g.Name)
		t.NonEmpty("description", g.Description)
	})
}

// specialisms writes both taxonomies of a location's specialisms: the
// older names, then the coded ones.
func (e *emitter) specialisms(names []schemas.Specialism, coded []schemas.CodeName) error {
	err := rows(e.t.specialisms, names, func(t *batch.Builder, s *schemas.Specialism) {
		e.specialism(t, s.Name, "", "specialisms")
	})
	if err != nil {
		return err
	}
	return rows(e.t.specialisms, coded, func(t *batch.Builder, s *schemas.CodeName) {
		e.specialism(t, s.Name, s.Code, "specialism")
	})
}

func (e *emitter) specialism(t *batch.Builder, name, code, taxonomy string) {
	t.String("location_id", e.o.id)
	t.NonEmpty("name", name)
	t.NonEmpty("code", code)
	t.String("taxonomy", taxonomy)
}

func (e *emitter) ageGroups(id string, groups []schemas.CodeName) error {
	return rows(e.t.ageGroups, groups, func(t *batch.Builder, a *schemas.CodeName) {
		t.String("location_id", id)
		t.NonEmpty("code", a.Code)
		t.NonEmpty("name", a.Name)
	})
}

func (e *emitter) settingServices(id string, services []schemas.SettingService) error {
	return rows(e.t.settingServices, services, func(t *batch.Builder, s *schemas.SettingService) {
		t.String("location_id", id)
		t.NonEmpty("setting_type_code", s.SettingtypeCode)
		t.NonEmpty("setting_type_name", s.SettingtypeName)
		t.NonEmpty("service_type_code", s.ServicetypeCode)
		t.NonEmpty("service_type_name", s.ServicetypeName)
	})
}

func (e *emitter) providerAreas(id string, areas []schemas.ProviderInspectionArea) error {
	for _, a := range areas {
		t := e.t.provAreas
		if len(a.Reports) == 0 {
			t.String("location_id", id)
			t.NonEmpty("inspection_area_id", a.InspectionAreaID)
			for _, c := range []string{"inspection_id", "report_link_id", "provider_id", "report_location_id"} {
				t.Null(c)
			}
			if err := t.EndRow(); err != nil {
				return err
			}
		}
		for _, r := range a.Reports {
			t.String("location_id", id)
			t.NonEmpty("inspection_area_id", a.InspectionAreaID)
			t.NonEmpty("inspection_id", r.InspectionID)
			t.NonEmpty("report_link_id", r.ReportLinkID)
			t.NonEmpty("provider_id", r.ProviderID)
			t.NonEmpty("report_location_id", r.LocationID)
			if err := t.EndRow(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *emitter) serviceGroups(id string, groups []schemas.AssessmentServiceGroup) error {
	return rows(e.t.serviceGroups, groups, func(t *batch.Builder, g *schemas.AssessmentServiceGroup) {
		t.String("location_id", id)
		t.NonEmpty("assessment_service_id", g.AssessmentServiceID)
		t.NonEmpty("assessment_service_name", g.AssessmentServiceName)
		t.StringPtr("assessment_service_type", g.AssessmentServiceType)
		t.NonEmpty("status", g.Status)
		e.date(t, "start_date", "assessmentServiceGroup[].startDate", g.StartDate)
		e.date(t, "end_date", "assessmentServiceGroup[].endDate", g.EndDate)
	})
}

// providerLocations lists the locations of provider id.
func (e *emitter) providerLocations(id string, locs []string) error {
	return rows(e.t.provLocations, locs, func(t *batch.Builder, loc *string) {
		t.String("provider_id", id)
		t.String("location_id", *loc)
	})
}
