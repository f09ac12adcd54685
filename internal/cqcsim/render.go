package cqcsim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"carelake/schemas"
)

// Rendering: detail bodies as pure functions of the compact state and the
// data clock. Random attributes come from per-organisation streams drawn in a
// fixed order, so the clock changes only what events change.

const (
	streamName uint64 = iota + 1
	streamAddr
	streamMisc
	streamPhone
	streamWeb
	streamProvName
)

var ptr = schemas.Ptr[string]

// locName is the name of a generated location.
func (w *world) locName(l *loc) string {
	r := newRNG(l.nameSeed, streamName)
	pl := &places[l.place]
	stem := pick(r, nameStems)
	if r.chance(0.04) {
		stem = pick(r, nonASCIIStems)
	}
	join := func(a, b string) string {
		if strings.HasSuffix(a, " ") {
			return a + b
		}
		return a + " " + b
	}
	x := r.IntN(4)
	switch l.kind {
	case kNursingHome, kResidentialHome:
		if x == 0 && !strings.ContainsAny(stem, "’– ") {
			return "The " + strings.TrimSuffix(stem, "s") + "s"
		}
		return join(stem, pick(r, careHomeSuffixes))
	case kHomecare, kSupportedLiving:
		if x == 0 {
			return join(stem, pl.town)
		}
		return join(stem, pick(r, homecareSuffixes))
	case kGP:
		return []string{pick(r, streets) + " Surgery", pl.town + " Medical Centre", join("The "+stem, "Practice"), join(stem, "Health Centre")}[x]
	case kDental:
		return []string{pl.town + " Dental Practice", pick(r, streets) + " Dental Centre", "mydentist, " + pick(r, streets) + ", " + pl.town, join(stem, "Dental Care")}[x]
	case kIndependent:
		return []string{join(stem, "Clinic"), pl.town + " Private Hospital", join(stem, "Diagnostics"), join(stem, "Hospital")}[x]
	case kNHSHospital:
		return []string{pl.town + " General Hospital", join(stem, "Hospital"), pl.town + " Community Hospital", "Royal " + pl.town + " Hospital"}[x]
	default:
		return join(stem, "Ambulance Service")
	}
}

func (w *world) provName(p *prov) string {
	r := newRNG(p.seed, streamProvName)
	pl := &places[p.place]
	stem := pick(r, nameStems)
	if r.chance(0.03) {
		stem = pick(r, nonASCIIStems)
	}
	stem = strings.TrimSuffix(stem, " – ")
	person := func() string {
		return pick(r, titles) + " " + pick(r, givenNames) + " " + pick(r, familyNames)
	}
	switch p.ownership {
	case ownIndividual:
		return person()
	case ownPartnership:
		if p.pkind == pkGP {
			return "Dr " + pick(r, givenNames) + " " + pick(r, familyNames) + " and Partners"
		}
		return person() + " & " + person()
	}
	x := r.IntN(3)
	switch p.pkind {
	case pkNHSTrust:
		return []string{pl.town + " Teaching Hospitals NHS Foundation Trust", pl.town + " NHS Foundation Trust", "The " + pl.town + " Hospitals NHS Trust"}[x]
	case pkGP:
		return []string{stem + " Medical Practice Ltd", stem + " Primary Care Ltd", pl.town + " Health Partnership Ltd"}[x]
	case pkDental:
		return []string{stem + " Dental Practice Limited", stem + " Dental Care Ltd", pl.town + " Dental Group Ltd"}[x]
	case pkIndependent:
		return []string{stem + " Healthcare Limited", stem + " Clinics Ltd", stem + " Health Group plc"}[x]
	case pkAmbulance:
		return stem + " Ambulance Ltd"
	}
	return []string{stem + " Care Limited", stem + " Healthcare Ltd", stem + " Care Homes Ltd"}[x]
}

type address struct {
	line1, line2, town, county, postcode, uprn, constituency string
	lat, lon                                                 float64
}

func makeAddress(seed uint64, pl *place) address {
	r := newRNG(seed, streamAddr)
	a := address{town: pl.town, constituency: constituency(seed, pl)}
	if r.chance(0.3) {
		a.line1 = pick(r, buildings)
		a.line2 = pick(r, streets)
		if r.chance(0.3) {
			a.line2 += ", " + pick(r, pl.districts)
		}
	} else {
		a.line1 = strconv.Itoa(r.between(1, 240)) + " " + pick(r, streets)
		if r.chance(0.4) {
			a.line2 = pick(r, pl.districts)
		}
	}
	if pl.county != "" && r.chance(0.6) {
		a.county = pl.county
	}
	a.postcode = r.postcode(pl.postcode)
	round7 := func(f float64) float64 { return math.Round(f*1e7) / 1e7 }
	a.lat = round7(pl.lat + (r.Float64()-0.5)*0.06)
	a.lon = round7(pl.lon + (r.Float64()-0.5)*0.09)
	if r.chance(0.92) {
		a.uprn = r.digits(r.between(8, 12))
	}
	return a
}

// constituency is cheap on purpose: list filters evaluate it for every
// organisation.
func constituency(seed uint64, pl *place) string {
	return pl.constituencies[mix(seed)%uint64(len(pl.constituencies))]
}

func phoneNumber(h uint64, pl *place) string {
	r := newRNG(h, streamPhone)
	if r.chance(0.08) {
		return "07" + r.digits(9)
	}
	n := pl.phone + r.digits(11-len(pl.phone))
	return n
}

func website(name string, h uint64, version int) string {
	base := slug(strings.TrimPrefix(strings.TrimPrefix(name, "The "), "mydentist, "))
	if len(base) > 28 {
		base = strings.TrimRight(base[:28], "-")
	}
	if base == "" {
		base = "care" + strconv.FormatUint(h%1000, 10)
	}
	base += []string{"", "-care", "-uk", "-services"}[version%4]
	return "www." + base + []string{".co.uk", ".com", ".org.uk", ".uk"}[h%4]
}

// contactState folds the minor edits visible at clock c over the base state.
type contactState struct {
	managerAbsentSince   string
	phoneVer, webVer     int
	hasPhone, hasWebsite bool
}

func applyEdits(seed uint64, edits []edit, c int64, st contactState) contactState {
	for k, e := range edits {
		if e.at >= c {
			break
		}
		switch e.what {
		case editPhone:
			st.phoneVer++
			st.hasPhone = true
		case editWebsite:
			if st.hasWebsite && hash2(seed, uint64(k))%2 == 0 {
				st.hasWebsite = false
			} else {
				st.hasWebsite = true
				st.webVer++
			}
		case editManager:
			if st.managerAbsentSince == "" {
				st.managerAbsentSince = dateOf(e.at)
			} else {
				st.managerAbsentSince = ""
			}
		}
	}
	return st
}

func firstVisit(r *report) int64 { return r.at - int64(r.visit)*day }

func (w *world) reportURI(link string, r *report, h uint64) string {
	uri := "/reports/" + link
	if r.flags&repNoSuffix != 0 {
		return uri
	}
	t := r.at
	if r.flags&repRepublished != 0 {
		t += int64(1+h%700) * day
	}
	hour := 12 + h%2
	return uri + "?" + time.Unix(t, 0).UTC().Format("20060102") + fmt.Sprintf("%02d0000", hour)
}

// ratings is what the rating sources of a location resolve to at a clock.
type ratings struct {
	overall  ratingSource
	hasOver  bool
	kq       [5]ratingSource
	hasKQ    [5]bool
	historic []ratingSource
}

func (w *world) resolveRatings(srcs []ratingSource) ratings {
	var rs ratings
	for _, s := range srcs {
		r := w.rep(s)
		if !rs.hasOver && realRating(r.overall) {
			rs.overall, rs.hasOver = s, true
		}
		for k := range r.kq {
			if !rs.hasKQ[k] && realRating(r.kq[k]) {
				rs.kq[k], rs.hasKQ[k] = s, true
			}
		}
	}
	for _, s := range srcs {
		if r := w.rep(s); r.overall != rNone && (!rs.hasOver || s != rs.overall) {
			rs.historic = append(rs.historic, s)
		}
	}
	return rs
}

// serviceRating derives the rating of one inspection area in a report.
func serviceRating(seed uint64, area int, overall uint8) uint8 {
	h := hash2(seed, u64(area)+0x5e)
	q := int(overall)
	if h%10 < 3 {
		q += []int{-1, 1}[h>>8%2]
	}
	return uint8(min(max(q, int(rOutstanding)), int(rInadequate)))
}

func areaIndex(id string) int {
	for i := range inspectionAreas {
		if inspectionAreas[i].id == id {
			return i
		}
	}
	return -1
}

// renderLocation builds the body of generated location i at clock c.
func (w *world) renderLocation(i int32, c int64) *schemas.Location {
	l := &w.locs[i]
	name := w.locName(l)
	d := w.drawLocation(l)
	dereg := l.deregisteredAt(c)
	st := applyEdits(l.seed, l.edits, c, d.contacts)
	loc := &schemas.Location{
		LocationID:       l.id,
		ProviderID:       ptr(w.provs[l.prov].id),
		OrganisationType: ptr("Location"),
		Type:             ptr(kinds[l.kind].orgType),
		Name:             ptr(name),
	}
	w.locCodes(loc, l, &d)
	w.locRegistration(loc, l, &d, c, dereg)
	w.locAddressAndContact(loc, l, &d, st, name, dereg)
	w.locLists(loc, l, &d, st, c, dereg)
	w.locRatingsAndReports(loc, i, c, dereg, d.unpubDays)
	if l.flags&locNewTaxon != 0 {
		locNewTaxonomy(loc, l, d.ageGroups)
	}
	w.assessment(loc, l, c, name, d.saf)
	return loc
}

// locDraws are a generated location's static random attributes: they do
// not depend on the clock.
type locDraws struct {
	alsoKnownAs       string
	hasCCG, hasOdsCCG bool
	odsCode           string
	hasOds            bool
	contacts          contactState // before any edit
	phoneSeed         uint64
	beds              int
	hasManager        bool
	manager           schemas.Person
	gpType            bool
	dormantDays       int
	unpubDays         int
	saf               safDraws
	ageGroups         int
}

// safDraws are the attributes of a location's SAF assessment block.
type safDraws struct {
	days, hour int
	planID     string
	scores     [5]int
	iso        bool // the published time in ISO format, else with a space
}

// drawLocation draws a location's static attributes from its misc stream,
// always in this order: a new draw goes last, or every body changes.
func (w *world) drawLocation(l *loc) locDraws {
	var d locDraws
	r := newRNG(l.seed, streamMisc)
	if r.chance(0.04) {
		d.alsoKnownAs = pick(r, nameStems) + " " + pick(r, homecareSuffixes)
	}
	d.hasCCG, d.hasOdsCCG = r.chance(0.75), r.chance(0.05)
	switch l.kind {
	case kGP:
		d.odsCode = pick(r, []string{"A", "B", "C", "D", "F", "G", "H", "J", "K", "L", "M", "N", "P", "Y"}) + r.digits(5)
	case kDental:
		d.odsCode = "V" + r.digits(5)
	case kNHSHospital:
		d.odsCode = l.id
		if l.flags&locODS == 0 {
			d.odsCode = w.provs[l.prov].id + r.code(2)
		}
	default:
		d.odsCode = "VN" + r.code(3)
	}
	d.hasOds = r.chance(0.9)
	webP := 0.6
	switch l.kind {
	case kGP:
		webP = 0.85
	case kDental:
		webP = 0.7
	case kIndependent, kNHSHospital:
		webP = 0.9
	}
	d.contacts = contactState{hasWebsite: r.chance(webP), hasPhone: r.chance(0.93)}
	d.phoneSeed = r.Uint64()
	switch l.kind {
	case kNursingHome:
		d.beds = r.between(20, 120)
	case kResidentialHome:
		d.beds = r.between(4, 60)
	}
	managerP := 0.5
	if kinds[l.kind].directorate == "Adult social care" {
		managerP = 0.85
	}
	d.hasManager = r.chance(managerP)
	d.manager = schemas.Person{PersonTitle: pick(r, titles), PersonGivenName: pick(r, givenNames),
		PersonFamilyName: pick(r, familyNames), PersonRoles: []string{"Registered Manager"}}
	d.gpType = l.kind == kGP && r.chance(0.4)
	d.dormantDays = r.between(30, 400)
	d.unpubDays = r.between(10, 150)
	d.saf.days = r.between(0, 10000)
	d.saf.hour = r.between(8, 17)
	d.saf.planID = r.digits(6)
	d.saf.scores = [5]int{r.between(40, 90), r.between(40, 90), r.between(40, 90), r.between(40, 90), r.between(40, 90)}
	d.saf.iso = r.chance(0.5)
	d.ageGroups = r.IntN(3)
	return d
}

// registration is an organisation's registration status and dates: it
// registered at regAt and, when dereg, deregistered at deregAt.
func registration(regAt, deregAt int64, dereg bool) (status, registered, deregistered *string) {
	if dereg {
		return ptr("Deregistered"), ptr(dateOf(regAt)), ptr(dateOf(deregAt))
	}
	return ptr("Registered"), ptr(dateOf(regAt)), nil
}

// locCodes sets the names and codes a location is known by: also known as,
// brand, CCG, ICB, ODS code, UPRN.
func (w *world) locCodes(loc *schemas.Location, l *loc, d *locDraws) {
	pl := &places[l.place]
	if d.alsoKnownAs != "" {
		loc.AlsoKnownAs = ptr(d.alsoKnownAs)
	}
	if brandID, brandName := w.brand(l.prov); brandID != "" {
		loc.BrandID, loc.BrandName = ptr(brandID), ptr(brandName)
	}
	if d.hasCCG {
		loc.OnspdCcgCode, loc.OnspdCcgName = ptr(pl.ccgCode), ptr(pl.ccgName)
	}
	if d.hasOdsCCG {
		loc.OdsCcgCode, loc.OdsCcgName = ptr(pl.ccgCode[len(pl.ccgCode)-3:]), ptr(pl.ccgName)
	}
	loc.OnspdIcbCode, loc.OnspdIcbName = ptr(pl.icbCode), ptr(pl.icbName)
	if d.hasOds {
		loc.OdsCode = ptr(d.odsCode)
	}
	if addr := makeAddress(l.addrSeed, pl); addr.uprn != "" {
		loc.Uprn = ptr(addr.uprn)
	}
}

// locRegistration sets the registration status and dates and dormancy.
func (w *world) locRegistration(loc *schemas.Location, l *loc, d *locDraws, c int64, dereg bool) {
	loc.RegistrationStatus, loc.RegistrationDate, loc.DeregistrationDate = registration(l.regAt, l.deregAt, dereg)
	loc.Dormancy = ptr("N")
	if l.flags&locDormant != 0 && !dereg {
		if start := w.start - int64(d.dormantDays)*day; start > l.regAt && start < c {
			loc.Dormancy = ptr("Y")
			loc.DormancyStartDate = ptr(dateOf(start))
		}
	}
	loc.NumberOfBeds = schemas.Ptr(int64(d.beds))
}

// locAddressAndContact sets the postal address and geography, the website
// and phone number as edited by clock c, and the registered manager's
// absence.
func (w *world) locAddressAndContact(loc *schemas.Location, l *loc, d *locDraws, st contactState, name string, dereg bool) {
	k := &kinds[l.kind]
	pl := &places[l.place]
	addr := makeAddress(l.addrSeed, pl)
	if st.hasWebsite {
		loc.Website = ptr(website(name, l.seed, st.webVer))
	}
	loc.PostalAddressLine1 = ptr(addr.line1)
	if addr.line2 != "" {
		loc.PostalAddressLine2 = ptr(addr.line2)
	}
	loc.PostalAddressTownCity = ptr(addr.town)
	if addr.county != "" {
		loc.PostalAddressCounty = ptr(addr.county)
	}
	loc.PostalCode = ptr(addr.postcode)
	loc.Region = ptr(pl.region)
	loc.OnspdLatitude, loc.OnspdLongitude = schemas.Ptr(addr.lat), schemas.Ptr(addr.lon)
	loc.CareHome = ptr(k.careHome)
	loc.InspectionDirectorate = ptr(k.directorate)
	if st.hasPhone {
		loc.MainPhoneNumber = ptr(phoneNumber(d.phoneSeed+u64(st.phoneVer), pl))
	}
	if st.managerAbsentSince != "" && !dereg {
		loc.RegisteredManagerAbsentDate = ptr(st.managerAbsentSince)
	}
	loc.Constituency = ptr(addr.constituency)
	loc.LocalAuthority = ptr(pl.localAuthority)
}

// locLists sets the lists the API always sends, empty or not:
// relationships, location types, regulated activities, GAC service types,
// specialisms, inspection categories and areas.
func (w *world) locLists(loc *schemas.Location, l *loc, d *locDraws, st contactState, c int64, dereg bool) {
	k := &kinds[l.kind]
	loc.Relationships = []schemas.LocationRelationship{}
	if l.pred >= 0 {
		p := &w.locs[l.pred]
		loc.Relationships = append(loc.Relationships, schemas.LocationRelationship{
			RelatedLocationID: p.id, RelatedLocationName: w.locName(p), Type: relPredecessor, Reason: reasons[l.reason]})
	}
	if l.succ >= 0 && w.locs[l.succ].regAt < c {
		s := &w.locs[l.succ]
		loc.Relationships = append(loc.Relationships, schemas.LocationRelationship{
			RelatedLocationID: s.id, RelatedLocationName: w.locName(s), Type: relSuccessor, Reason: reasons[s.reason]})
	}
	loc.LocationTypes = []schemas.LocationType{}
	if d.gpType {
		loc.LocationTypes = append(loc.LocationTypes, schemas.LocationType{Type: "GP Practice"})
	}
	loc.RegulatedActivities = []schemas.RegulatedActivity{}
	if !dereg {
		for a := range activities {
			if l.ras&(1<<a) == 0 {
				continue
			}
			ra := schemas.RegulatedActivity{Name: activities[a].name, Code: activities[a].code}
			if d.hasManager && st.managerAbsentSince == "" {
				ra.Contacts = []schemas.Person{d.manager}
			}
			loc.RegulatedActivities = append(loc.RegulatedActivities, ra)
		}
	}
	loc.GacServiceTypes = []schemas.GacServiceType{}
	for g := range gacTypes {
		if l.gac&(1<<g) != 0 {
			loc.GacServiceTypes = append(loc.GacServiceTypes, schemas.GacServiceType{Name: gacTypes[g].name, Description: gacTypes[g].description})
		}
	}
	loc.Specialisms = []schemas.Specialism{}
	for s := range specialismNames {
		if l.spec&(1<<s) != 0 {
			loc.Specialisms = append(loc.Specialisms, schemas.Specialism{Name: specialismNames[s]})
		}
	}
	loc.InspectionCategories = []schemas.InspectionCategory{{Code: k.category[0], Primary: "true", Name: k.category[1]}}
	loc.InspectionAreas = []schemas.InspectionArea{}
	for _, id := range k.areas {
		a := &inspectionAreas[areaIndex(id)]
		loc.InspectionAreas = append(loc.InspectionAreas, schemas.InspectionArea{
			InspectionAreaID: a.id, InspectionAreaName: a.name, InspectionAreaType: ptr(a.typ), Status: "Active"})
	}
}

// locRatingsAndReports sets what the location's inspections published by
// clock c: last inspection and report, current and historic ratings, its
// reports and an unpublished report.
func (w *world) locRatingsAndReports(loc *schemas.Location, i int32, c int64, dereg bool, unpubDays int) {
	l := &w.locs[i]
	srcs := w.sources(i, c, make([]ratingSource, 0, 8))
	rs := w.resolveRatings(srcs)
	var newestOwn *report
	for k := len(l.reports) - 1; k >= 0; k-- {
		if l.reports[k].at < c {
			newestOwn = &l.reports[k]
			break
		}
	}
	if newestOwn != nil {
		loc.LastInspection = &schemas.LastInspection{Date: dateOf(firstVisit(newestOwn) + int64(newestOwn.span)*day)}
	}
	lastReport := int64(0)
	if newestOwn != nil {
		lastReport = newestOwn.at
	}
	if rs.hasOver && l.flags&locSAF == 0 {
		lastReport = max(lastReport, w.rep(rs.overall).at)
	}
	if lastReport != 0 {
		loc.LastReport = &schemas.LastReport{PublicationDate: dateOf(lastReport)}
	}
	if rs.hasOver && l.flags&locSAF == 0 {
		loc.CurrentRatings = w.currentRatings(i, l, rs)
	}
	for _, s := range rs.historic {
		loc.HistoricRatings = append(loc.HistoricRatings, w.historicRating(i, s))
	}
	loc.Reports = w.locReports(i, c)
	if l.flags&locUnpub != 0 && !dereg {
		loc.UnpublishedReports = w.locUnpublished(l, c, unpubDays, newestOwn)
	}
}

// locUnpublished is the unpublished report of a location flagged to have
// one: a visit unpubDays before history began, if the clock is past it and
// no report of the location came after it; nil otherwise.
func (w *world) locUnpublished(l *loc, c int64, unpubDays int, newestOwn *report) []schemas.UnpublishedReport {
	visit := w.start - int64(unpubDays)*day
	last := int64(0)
	for _, rp := range l.reports {
		if rp.at < w.start {
			last = rp.at
		}
	}
	if visit < c && last < visit && (newestOwn == nil || newestOwn.at < visit) {
		return []schemas.UnpublishedReport{{FirstVisitDate: dateOf(visit)}}
	}
	return nil
}

// locReports lists the reports location i published before clock c,
// newest first; nil when none.
func (w *world) locReports(i int32, c int64) []schemas.Report {
	l := &w.locs[i]
	var reports []schemas.Report
	for k := len(l.reports) - 1; k >= 0; k-- {
		rp := &l.reports[k]
		if rp.at >= c {
			continue
		}
		link := w.linkID(linkLoc, i, k)
		rep := schemas.Report{LinkID: link, ReportDate: dateOf(rp.at),
			ReportURI: w.reportURI(link, rp, hash2(l.seed, uint64(k))), FirstVisitDate: ptr(dateOf(firstVisit(rp)))}
		if rp.flags&repNoType == 0 {
			rep.ReportType = ptr("Location")
		}
		reports = append(reports, rep)
	}
	return reports
}

// locNewTaxonomy sets the lists of the newer taxonomy, which some
// locations carry besides the old: coded specialisms, age groups and
// setting services.
func locNewTaxonomy(loc *schemas.Location, l *loc, ageGroups int) {
	for s := range specialismNames {
		if l.spec&(1<<s) != 0 {
			loc.Specialism = append(loc.Specialism, schemas.CodeName{Code: fmt.Sprintf("S%02d", s+1), Name: specialismNames[s]})
		}
	}
	for _, g := range [][2]string{{"AG03", "Older people (65+)"}, {"AG02", "Adults (18-64)"}, {"AG01", "Children (0-17)"}}[:ageGroups+1] {
		loc.AgeGroup = append(loc.AgeGroup, schemas.CodeName{Code: g[0], Name: g[1]})
	}
	setting := schemas.SettingService{SettingtypeCode: "ST02", SettingtypeName: "Community", ServicetypeCode: "SV07", ServicetypeName: "Homecare"}
	if kinds[l.kind].careHome == "Y" {
		setting = schemas.SettingService{SettingtypeCode: "ST01", SettingtypeName: "Care home", ServicetypeCode: "SV02", ServicetypeName: "Residential care"}
	}
	loc.SettingServices = []schemas.SettingService{setting}
}

// brand returns the brand of a provider's locations, if it has one: large
// groups trade under a brand, its name prefixed "BRAND ".
func (w *world) brand(p int32) (id, name string) {
	pr := &w.provs[p]
	if pr.fix != nil || len(pr.locs) < 8 || pr.pkind == pkNHSTrust || hash2(pr.seed, 0xb2a)%2 == 0 {
		return "", ""
	}
	stem := w.provName(pr)
	for _, suf := range []string{" Limited", " Ltd", " plc"} {
		stem = strings.TrimSuffix(stem, suf)
	}
	return "BD" + strconv.FormatUint(100+hash2(pr.seed, 0xb2b)%900, 10), "BRAND " + stem
}

func (w *world) currentRatings(i int32, l *loc, rs ratings) *schemas.CurrentRatings {
	os := rs.overall
	orep := w.rep(os)
	olink := w.linkID(linkLoc, os.owner, os.rep)
	odate := dateOf(orep.at)
	over := &schemas.OverallRating{Rating: ratingNames[orep.overall], ReportDate: odate, ReportLinkID: olink,
		KeyQuestionRatings: []schemas.KeyQuestionRating{}}
	if os.owner != i && l.inherit == inheritOverall {
		over.OrganisationID = ptr(w.locs[os.owner].id)
	}
	for k, name := range keyQuestions {
		if !rs.hasKQ[k] {
			continue
		}
		s := rs.kq[k]
		rp := w.rep(s)
		kq := schemas.KeyQuestionRating{Name: name, Rating: ratingNames[rp.kq[k]], ReportDate: ptr(dateOf(rp.at)),
			ReportLinkID: ptr(w.linkID(linkLoc, s.owner, s.rep))}
		if s.owner != i {
			kq.OrganisationID = ptr(w.locs[s.owner].id)
		}
		over.KeyQuestionRatings = append(over.KeyQuestionRatings, kq)
	}
	cur := &schemas.CurrentRatings{Overall: over, ReportDate: ptr(odate)}
	kind := &kinds[l.kind]
	if len(kind.areas) > 0 {
		seed := w.locs[os.owner].seed + u64(os.rep)
		for _, id := range kind.areas {
			sr := schemas.ServiceRating{Name: id, Rating: ratingNames[serviceRating(seed, areaIndex(id), orep.overall)],
				ReportDate: ptr(odate), ReportLinkID: ptr(olink)}
			if os.owner != i {
				sr.OrganisationID = ptr(w.locs[os.owner].id)
			}
			if l.kind != kGP {
				for k, name := range keyQuestions {
					sr.KeyQuestionRatings = append(sr.KeyQuestionRatings, schemas.KeyQuestionRating{Name: name,
						Rating: ratingNames[serviceRating(seed+uint64(k+1)*7919, areaIndex(id), orep.overall)]})
				}
			}
			cur.ServiceRatings = append(cur.ServiceRatings, sr)
		}
	}
	return cur
}

func (w *world) historicRating(i int32, s ratingSource) schemas.HistoricRating {
	rp := w.rep(s)
	h := schemas.HistoricRating{ReportDate: dateOf(rp.at), ReportLinkID: w.linkID(linkLoc, s.owner, s.rep),
		Overall: &schemas.HistoricOverall{Rating: ratingNames[rp.overall]}}
	if s.owner != i {
		h.OrganisationID = ptr(w.locs[s.owner].id)
	}
	for k, name := range keyQuestions {
		if rp.kq[k] != rNone {
			h.Overall.KeyQuestionRatings = append(h.Overall.KeyQuestionRatings, schemas.KeyQuestionRating{Name: name, Rating: ratingNames[rp.kq[k]]})
		}
	}
	return h
}

// assessment adds the Single Assessment Framework block: for assessment-only
// locations (no currentRatings) and for some recently inspected ones, where
// it mirrors their newest report (spelled the SAF way).
func (w *world) assessment(loc *schemas.Location, l *loc, c int64, name string, saf safDraws) {
	// Assessments are published before history (so they never change a body
	// without a feed entry): 40 days after the assessment, or with the
	// report they mirror.
	var date, published int64
	var overall uint8
	var kq [5]uint8
	switch {
	case l.flags&locSAF != 0:
		from := max(l.regAt+200*day, safFrom)
		until := w.start - 50*day
		if until-from < day {
			return
		}
		date = from + int64(saf.days)%((until-from)/day)*day
		published = date - date%day + 40*day + int64(saf.hour)*3600
		h := hash2(l.seed, 0x5af)
		overall = small[uint8](ratingWeightsPick(h))
		for k := range kq {
			kq[k] = uint8(min(max(int(overall)+[]int{0, 0, 0, -1, 1}[hash2(h, uint64(k))%5], int(rOutstanding)), int(rInadequate)))
		}
	case l.flags&locSAFPlus != 0:
		var rp *report
		for k := len(l.reports) - 1; k >= 0; k-- {
			if l.reports[k].at < w.start {
				rp = &l.reports[k]
				break
			}
		}
		if rp == nil || !realRating(rp.overall) || rp.overall == rInsufficient {
			return
		}
		date, published = firstVisit(rp), rp.at
		overall, kq = rp.overall, rp.kq
		for k := range kq {
			if !realRating(kq[k]) || kq[k] == rInsufficient {
				kq[k] = overall
			}
		}
	default:
		return
	}
	if published >= c {
		return
	}
	pubStr := time.Unix(published, 0).UTC().Format("2006-01-02 15:04:05")
	if saf.iso {
		pubStr = time.Unix(published, 0).UTC().Format("2006-01-02T15:04:05")
	}
	group := "Homecare"
	if kinds[l.kind].careHome == "Y" {
		group = "Care Homes"
	}
	ov := schemas.AssessmentRating{Rating: safRatingName(overall), Status: "Published"}
	asg := schemas.AssessmentASGRating{AssessmentPlanID: "AP" + saf.planID, Title: "Assessment of " + name,
		AssessmentDate: dateOf(date), AssessmentPlanStatus: "Published", Name: group,
		Rating: safRatingName(overall), Status: "Current"}
	for n, k := range safKeyQuestions {
		ov.KeyQuestionRatings = append(ov.KeyQuestionRatings, schemas.AssessmentKeyQuestion{Name: keyQuestions[k], Rating: safRatingName(kq[k]), Status: "Published"})
		asg.KeyQuestionRatings = append(asg.KeyQuestionRatings, schemas.AssessmentKeyQuestion{Name: keyQuestions[k], Rating: safRatingName(kq[k]),
			Status: "Published", PercentageScore: ptr(strconv.Itoa(saf.scores[n]))})
	}
	loc.Assessment = []schemas.Assessment{{AssessmentPlanPublishedDateTime: ptr(pubStr),
		Ratings: &schemas.AssessmentRatings{Overall: []schemas.AssessmentRating{ov}, AsgRatings: []schemas.AssessmentASGRating{asg}}}}
	loc.AssessmentServiceGroup = []schemas.AssessmentServiceGroup{{AssessmentServiceID: "ASG" + saf.planID[:4], AssessmentServiceName: group,
		Status: "Active", StartDate: ptr(dateOf(l.regAt)), AssessmentServiceType: ptr("Rated")}}
}

func ratingWeightsPick(h uint64) int {
	x := unit(h) * 100
	w := ratingWeights[rNone]
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return int(rGood)
}

// providerMainKind is the location kind that describes a provider kind.
var providerMainKind = [...]uint8{pkSocial: kHomecare, pkGP: kGP, pkDental: kDental, pkIndependent: kIndependent, pkNHSTrust: kNHSHospital, pkAmbulance: kAmbulance}

// renderProvider builds the body of generated provider p at clock c.
func (w *world) renderProvider(p int32, c int64) *schemas.Provider {
	pr := &w.provs[p]
	name := w.provName(pr)
	d := drawProvider(pr)
	dereg := pr.deregAt != 0 && pr.deregAt < c
	st := applyEdits(pr.seed, pr.edits, c, d.contacts)
	body := &schemas.Provider{ProviderID: pr.id, LocationIDs: []string{}}
	ras, lastInspection := w.provLocations(body, pr, c)
	w.provRegistration(body, p, &d, name, dereg)
	provAddressAndContact(body, pr, &d, st, name)
	if lastInspection != 0 {
		body.LastInspection = &schemas.LastInspection{Date: dateOf(lastInspection)}
	}
	if pr.ownership == ownIndividual || pr.ownership == ownPartnership {
		body.Contacts = []schemas.Contact{d.contact}
	}
	provLists(body, pr, &d, ras, dereg)
	w.providerRatings(body, p, c)
	return body
}

// provDraws are a generated provider's static random attributes: they do
// not depend on the clock.
type provDraws struct {
	ods          string
	companies    string
	charity      string
	contacts     contactState // before any edit
	phoneSeed    uint64
	nominated    schemas.Person
	hasNominated bool
	contact      schemas.Person
}

// drawProvider draws a provider's static attributes from its misc stream,
// always in this order: a new draw goes last, or every body changes.
func drawProvider(pr *prov) provDraws {
	var d provDraws
	r := newRNG(pr.seed, streamMisc)
	d.ods = "A" + r.code(3)
	if pr.pkind == pkNHSTrust {
		d.ods = pr.id
	}
	if pr.ownership == ownOrganisation && r.chance(0.85) {
		d.companies = r.digits(8)
		if r.chance(0.6) {
			d.companies = "0" + d.companies[1:]
		}
	}
	if r.chance(0.05) {
		d.charity = r.digits(r.between(6, 7))
	}
	d.contacts = contactState{hasWebsite: r.chance(0.55), hasPhone: r.chance(0.9)}
	d.phoneSeed = r.Uint64()
	d.nominated = schemas.Person{PersonTitle: pick(r, titles), PersonGivenName: pick(r, givenNames), PersonFamilyName: pick(r, familyNames)}
	d.hasNominated = pr.ownership == ownOrganisation && r.chance(0.7)
	d.contact = schemas.Person{PersonTitle: pick(r, titles), PersonGivenName: pick(r, givenNames), PersonFamilyName: pick(r, familyNames),
		PersonRoles: []string{"Registered Provider"}}
	return d
}

// provLocations lists the locations a provider registered before clock c,
// and returns their regulated activities and their latest inspection
// before history began.
func (w *world) provLocations(body *schemas.Provider, pr *prov, c int64) (ras uint16, lastInspection int64) {
	for _, i := range pr.locs {
		l := &w.locs[i]
		if l.regAt >= c {
			continue
		}
		body.LocationIDs = append(body.LocationIDs, l.id)
		ras |= l.ras
		for _, rp := range l.reports { // frozen at the start of history
			if rp.at < c && rp.at < w.start {
				lastInspection = max(lastInspection, firstVisit(&rp)+int64(rp.span)*day)
			}
		}
	}
	return ras, lastInspection
}

// provRegistration sets what a provider is and its registration: type,
// ownership, name, brand, ODS code, status and dates, company and charity
// numbers.
func (w *world) provRegistration(body *schemas.Provider, p int32, d *provDraws, name string, dereg bool) {
	pr := &w.provs[p]
	body.OrganisationType = ptr("Provider")
	body.OwnershipType = ptr(ownershipNames[pr.ownership])
	body.Type = ptr(kinds[providerMainKind[pr.pkind]].orgType)
	body.Name = ptr(name)
	if brandID, brandName := w.brand(p); brandID != "" {
		body.BrandID, body.BrandName = ptr(brandID), ptr(brandName)
	}
	body.OdsCode = ptr(d.ods)
	body.RegistrationStatus, body.RegistrationDate, body.DeregistrationDate = registration(pr.regAt, pr.deregAt, dereg)
	if d.companies != "" {
		body.CompaniesHouseNumber = ptr(d.companies)
	}
	if d.charity != "" {
		body.CharityNumber = ptr(d.charity)
	}
}

// provAddressAndContact sets a provider's website and phone number as
// edited by the clock, and its postal address and geography.
func provAddressAndContact(body *schemas.Provider, pr *prov, d *provDraws, st contactState, name string) {
	pl := &places[pr.place]
	addr := makeAddress(pr.seed, pl)
	if st.hasWebsite {
		body.Website = ptr(website(name, pr.seed, st.webVer))
	}
	if st.hasPhone {
		body.MainPhoneNumber = ptr(phoneNumber(d.phoneSeed+u64(st.phoneVer), pl))
	}
	if addr.uprn != "" {
		body.Uprn = ptr(addr.uprn)
	}
	body.PostalAddressLine1 = ptr(addr.line1)
	if addr.line2 != "" {
		body.PostalAddressLine2 = ptr(addr.line2)
	}
	body.PostalAddressTownCity = ptr(addr.town)
	if addr.county != "" {
		body.PostalAddressCounty = ptr(addr.county)
	}
	body.PostalCode = ptr(addr.postcode)
	body.Region = ptr(pl.region)
	body.OnspdLatitude, body.OnspdLongitude = schemas.Ptr(addr.lat), schemas.Ptr(addr.lon)
	body.OnspdIcbCode, body.OnspdIcbName = ptr(pl.icbCode), ptr(pl.icbName)
	body.Constituency = ptr(addr.constituency)
	body.LocalAuthority = ptr(pl.localAuthority)
	body.InspectionDirectorate = ptr(kinds[providerMainKind[pr.pkind]].directorate)
}

// provLists sets the lists the API always sends: relationships (none
// generated), the regulated activities of the provider's locations,
// inspection categories and areas.
func provLists(body *schemas.Provider, pr *prov, d *provDraws, ras uint16, dereg bool) {
	k := &kinds[providerMainKind[pr.pkind]]
	body.Relationships = []schemas.ProviderRelationship{}
	body.RegulatedActivities = []schemas.RegulatedActivity{}
	if !dereg {
		for a := range activities {
			if ras&(1<<a) != 0 {
				ra := schemas.RegulatedActivity{Name: activities[a].name, Code: activities[a].code}
				if d.hasNominated {
					ra.NominatedIndividual = &d.nominated
				}
				body.RegulatedActivities = append(body.RegulatedActivities, ra)
			}
		}
	}
	body.InspectionCategories = []schemas.InspectionCategory{{Code: k.category[0], Primary: "true", Name: k.category[1]}}
	body.InspectionAreas = []schemas.InspectionArea{}
}

// providerRatings adds an NHS trust's provider-level ratings and reports.
func (w *world) providerRatings(body *schemas.Provider, p int32, c int64) {
	pr := &w.provs[p]
	var visible []int
	for k := len(pr.reports) - 1; k >= 0; k-- {
		if pr.reports[k].at < c {
			visible = append(visible, k)
		}
	}
	if len(visible) == 0 {
		return
	}
	newest := &pr.reports[visible[0]]
	link := w.linkID(linkProv, p, visible[0])
	date := dateOf(newest.at)
	h := hash2(pr.seed, u64(visible[0]))
	uor := ratingNames[serviceRating(h, 1, newest.overall)]
	over := &schemas.OverallRating{Rating: ratingNames[newest.overall], ReportDate: date, ReportLinkID: link,
		UseOfResources: &schemas.UseOfResources{UseOfResourcesRating: ptr(uor), CombinedQualityRating: ptr(ratingNames[newest.overall]),
			ReportDate: ptr(date), ReportLinkID: ptr(link)},
		KeyQuestionRatings: []schemas.KeyQuestionRating{}}
	for k, name := range keyQuestions {
		over.KeyQuestionRatings = append(over.KeyQuestionRatings, schemas.KeyQuestionRating{Name: name,
			Rating: ratingNames[newest.kq[k]], ReportDate: ptr(date), ReportLinkID: ptr(link)})
	}
	body.CurrentRatings = &schemas.CurrentRatings{Overall: over, ReportDate: ptr(date)}
	body.LastReport = &schemas.LastReport{PublicationDate: date}
	for _, k := range visible[1:] {
		rp := &pr.reports[k]
		hr := schemas.HistoricRating{ReportDate: dateOf(rp.at), ReportLinkID: w.linkID(linkProv, p, k),
			Overall: &schemas.HistoricOverall{Rating: ratingNames[rp.overall]}}
		for q, name := range keyQuestions {
			hr.Overall.KeyQuestionRatings = append(hr.Overall.KeyQuestionRatings, schemas.KeyQuestionRating{Name: name, Rating: ratingNames[rp.kq[q]]})
		}
		body.HistoricRatings = append(body.HistoricRatings, hr)
	}
	for _, k := range visible {
		rp := &pr.reports[k]
		link := w.linkID(linkProv, p, k)
		rep := schemas.Report{LinkID: link, ReportDate: dateOf(rp.at), ReportURI: w.reportURI(link, rp, hash2(pr.seed, u64(k))),
			FirstVisitDate: ptr(dateOf(firstVisit(rp))), ReportType: ptr("Provider"),
			RelatedDocuments: []schemas.RelatedDocument{{DocumentType: "Use of Resources", DocumentURI: "/reports/" + link + "/Use%20of%20Resources"}}}
		for _, i := range pr.locs {
			if l := &w.locs[i]; l.regAt < rp.at && (l.deregAt == 0 || l.deregAt > rp.at) && len(rep.InspectionLocations) < 3 {
				rep.InspectionLocations = append(rep.InspectionLocations, struct {
					LocationID string `json:"locationId"`
				}{l.id})
			}
		}
		body.Reports = append(body.Reports, rep)
	}
}
