package cqcsim

import (
	"math"
	"sort"
	"strings"
	"time"
)

// Generation: a deterministic register of cfg.Locations locations at End.
//
// First the state before history (End-Days): lineages of one to four
// locations (re-registrations before history, so predecessor chains of depth
// 0 to 3), each with inspections since registration. Then the history: a
// time-ordered series of events at the real register's pace (about 125
// location and 54 provider changes a day per 120,000 locations): new reports
// (rating changes), minor edits, registrations, re-registrations and
// deregistrations, plus a few IDs that appear in the feed and answer 404.

var (
	hscaStart   = time.Date(2010, 10, 1, 0, 0, 0, 0, time.UTC).Unix()
	inheritFrom = time.Date(2019, 4, 1, 0, 0, 0, 0, time.UTC).Unix()
	ipcFrom     = time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	ipcUntil    = time.Date(2022, 7, 1, 0, 0, 0, 0, time.UTC).Unix()
	safFrom     = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	oldReports  = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	// CQC started rating in October 2014; earlier reports rated nothing.
	ratingsFrom = time.Date(2014, 10, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// Real-register rates per 120,000 locations and per day (docs/architecture.md, "CQC API: scale").
const (
	realLocations       = 120000.0
	locChangesPerDay    = 125.0
	provChangesPerDay   = 54.0
	goneShare           = 11.0 / 871 // changed IDs that answer 404
	newProviderShare    = 0.36       // a lineage's first location starts a new provider
	finalDeregShare     = 0.35       // the last location of a lineage is deregistered
	newRegNewProvider   = 0.30       // a new registration comes with a new provider
	maxChainStageDays   = 2200
	minChainStageDays   = 200
	nhsTrustShare       = 0.006
	nhsSiteShare        = 0.025
	odsSiteShare        = 0.5 // NHS trust locations with ODS site codes as IDs
	safOnlyShare        = 0.03
	safPlusShare        = 0.05
	dormantShare        = 0.01
	newTaxonomyShare    = 0.25
	unpublishedShare    = 0.02
	neverInspectedShare = 0.04
)

type gen struct {
	w        *world
	r        rng
	ids      map[string]struct{}
	active   []int32 // registered locations, during history
	pos      []int32 // per location: index in active, or -1
	nhs      []int32 // NHS trust providers
	reserved map[string]struct{}
}

type plan struct {
	rating, edit, reg, rereg, dereg int
	provEdit, goneLoc, goneProv     int
}

func makePlan(n, days int) plan {
	scale := float64(n) / realLocations * float64(days)
	locEvents := int(math.Round(locChangesPerDay * scale))
	provEvents := int(math.Round(provChangesPerDay * scale))
	p := plan{
		reg:   int(math.Round(0.08 * float64(locEvents))),
		rereg: int(math.Round(0.07 * float64(locEvents))),
		dereg: int(math.Round(0.09 * float64(locEvents))),
	}
	// History adds reg+rereg locations; keep at least half the register
	// from before history.
	if created := p.reg + p.rereg; created > n/2 {
		f := float64(n/2) / float64(created)
		p.reg = int(float64(p.reg) * f)
		p.rereg = int(float64(p.rereg) * f)
	}
	rest := locEvents - p.reg - 2*p.rereg - p.dereg
	p.rating = max(0, int(math.Round(float64(rest)*0.55)))
	p.edit = max(0, rest-p.rating)
	p.provEdit = max(0, provEvents-p.reg-p.rereg)
	p.goneLoc = int(math.Round(goneShare * float64(locEvents)))
	p.goneProv = int(math.Round(goneShare * float64(provEvents)))
	return p
}

func generate(cfg Config, reserved map[string]struct{}) *world {
	seed := seedBits(cfg.Seed)
	w := &world{
		seed:  seed,
		end:   cfg.End.Unix(),
		start: cfg.End.Unix() - int64(cfg.Days)*day,
	}
	keys := newRNG(seed, 0x11c4)
	for i := range w.linkKeys {
		w.linkKeys[i] = keys.Uint64()
	}
	g := &gen{w: w, r: newRNG(seed, 0x9e4e), ids: make(map[string]struct{}), reserved: reserved}
	pl := makePlan(cfg.Locations, cfg.Days)
	initial := cfg.Locations - pl.reg - pl.rereg
	w.locs = make([]loc, 0, cfg.Locations+pl.goneLoc+16)
	w.provs = make([]prov, 0, int(float64(cfg.Locations)*0.45)+16)
	for len(w.locs) < initial {
		g.lineage(initial - len(w.locs))
	}
	g.history(pl)
	g.finish()
	return w
}

func (g *gen) days(lo, hi int) int64 { return int64(g.r.between(lo, hi)) * day }

// instant returns a time during office hours on the day of t.
func (g *gen) instant(t int64) int64 {
	return t - t%day + int64(g.r.between(8*3600, 18*3600))
}

func (g *gen) newID(prefix string, digitsLo, digitsHi int) string {
	for {
		id := prefix + g.r.digits(g.r.between(digitsLo, digitsHi))
		if g.claim(id) {
			return id
		}
	}
}

func (g *gen) claim(id string) bool {
	if _, ok := g.ids[id]; ok {
		return false
	}
	if _, ok := g.reserved[id]; ok {
		return false
	}
	g.ids[id] = struct{}{}
	return true
}

// nhsCode returns a new ODS-style trust code (R + two characters; longer
// once the short ones run out).
func (g *gen) nhsCode() string {
	n := 2
	for tries := 0; ; tries++ {
		if tries > 200 {
			n++
			tries = 0
		}
		if id := "R" + g.r.code(n); g.claim(id) {
			return id
		}
	}
}

func (g *gen) newProvider(pkind uint8, regAt int64, pl uint16) int32 {
	w := g.w
	p := prov{seed: g.r.Uint64(), regAt: regAt, place: pl, pkind: pkind}
	switch pkind {
	case pkNHSTrust:
		p.id = g.nhsCode()
		p.ownership = ownNHSBody
	default:
		p.id = g.newID("1-", 9, 11)
		p.ownership = small[uint8](g.r.weighted([]float64{ownOrganisation: 0.82, ownNHSBody: 0, ownIndividual: 0.10, ownPartnership: 0.08}))
	}
	w.provs = append(w.provs, p)
	i := index32(len(w.provs) - 1)
	if pkind == pkNHSTrust {
		g.nhs = append(g.nhs, i)
		g.providerReports(i)
	}
	return i
}

func (g *gen) randomProviderKind() uint8 {
	return small[uint8](g.r.weighted([]float64{pkSocial: 0.72, pkGP: 0.11, pkDental: 0.11, pkIndependent: 0.04, pkNHSTrust: nhsTrustShare, pkAmbulance: 0.014}))
}

func (g *gen) locationKind(pkind uint8) uint8 {
	switch pkind {
	case pkGP:
		return kGP
	case pkDental:
		return kDental
	case pkIndependent:
		return kIndependent
	case pkNHSTrust:
		return kNHSHospital
	case pkAmbulance:
		return kAmbulance
	}
	return small[uint8](g.r.weighted([]float64{kNursingHome: 0.2, kResidentialHome: 0.3, kHomecare: 0.4, kSupportedLiving: 0.1}))
}

// pickProvider returns the provider a new location joins: an existing one
// chosen in proportion to its size (the provider of a random earlier
// location), or a new one.
func (g *gen) pickProvider(pNew float64, regAt int64) int32 {
	w := g.w
	if len(w.locs) > 0 && !g.r.chance(pNew) {
		// NHS trusts run many sites each (~2.5% of locations, ~220 trusts
		// nationally), more than size-proportional attachment gives them.
		if len(g.nhs) > 0 && g.r.chance(nhsSiteShare) {
			if p := g.nhs[g.r.IntN(len(g.nhs))]; w.provs[p].regAt <= regAt {
				return p
			}
		}
		for tries := 0; tries < 8; tries++ {
			l := &w.locs[g.r.IntN(len(w.locs))]
			if l.prov >= 0 && !l.gone && w.provs[l.prov].regAt <= regAt {
				return l.prov
			}
		}
	}
	pl := small[uint16](g.r.IntN(len(places)))
	return g.newProvider(g.randomProviderKind(), g.providerRegAt(regAt), pl)
}

// providerRegAt is when a provider whose first location registers at t
// registered: a few weeks earlier before history, at the same instant
// during history (so the feed shows both together).
func (g *gen) providerRegAt(t int64) int64 {
	if t < g.w.start-60*day {
		return max(t-g.days(0, 60), min(t, hscaStart))
	}
	return t
}

// newLocation appends a registered location of provider p.
func (g *gen) newLocation(p int32, regAt int64) int32 {
	w := g.w
	pr := &w.provs[p]
	kind := g.locationKind(pr.pkind)
	l := loc{
		seed: g.r.Uint64(), nameSeed: g.r.Uint64(), addrSeed: g.r.Uint64(),
		regAt: regAt, prov: p, pred: -1, succ: -1, kind: kind,
	}
	l.place = pr.place
	if kind != kNHSHospital && g.r.chance(0.5) {
		l.place = small[uint16](g.r.IntN(len(places)))
	}
	if kind == kNHSHospital && g.r.chance(odsSiteShare) {
		for tries := 0; ; tries++ {
			id := pr.id + g.r.code(1) + g.r.digits(1)
			if tries > 50 {
				id = pr.id + g.r.code(3)
			}
			if g.claim(id) {
				l.id = id
				l.flags |= locODS
				break
			}
		}
	} else {
		l.id = g.newID("1-", 9, 11)
	}
	g.services(&l)
	if g.r.chance(dormantShare) {
		l.flags |= locDormant
	}
	if kinds[kind].directorate == "Adult social care" && g.r.chance(newTaxonomyShare) {
		l.flags |= locNewTaxon
	}
	w.locs = append(w.locs, l)
	g.pos = append(g.pos, -1)
	i := index32(len(w.locs) - 1)
	pr.locs = append(pr.locs, i)
	return i
}

// services fills the activities, service types and specialisms of a location.
func (g *gen) services(l *loc) {
	g.activities(l)
	g.specialisms(l)
}

// setBit sets bit i of bits.
func setBit(bits *uint16, i int) { *bits |= 1 << i }

// activities draws the regulated activities and GAC service types of a
// location, by its kind.
func (g *gen) activities(l *loc) {
	r := g.r
	switch l.kind {
	case kNursingHome:
		setBit(&l.gac, gacNursing)
		setBit(&l.ras, raAccommodation)
		setBit(&l.ras, raTreatment)
		if r.chance(0.3) {
			setBit(&l.ras, raDiagnostic)
		}
	case kResidentialHome:
		setBit(&l.gac, gacResidential)
		setBit(&l.ras, raAccommodation)
		if r.chance(0.1) {
			setBit(&l.ras, raTreatment)
		}
	case kHomecare:
		setBit(&l.gac, gacHomecare)
		if r.chance(0.3) {
			setBit(&l.gac, gacSupported)
		}
		setBit(&l.ras, raPersonalCare)
		if r.chance(0.2) {
			setBit(&l.ras, raTreatment)
		}
	case kSupportedLiving:
		setBit(&l.gac, gacSupported)
		setBit(&l.ras, raPersonalCare)
	case kGP:
		setBit(&l.gac, gacGPConsult)
		if r.chance(0.7) {
			setBit(&l.gac, gacGPTreat)
		}
		for _, a := range []int{raTreatment, raDiagnostic, raFamilyPlanning, raMaternity, raSurgical} {
			if a == raTreatment || a == raDiagnostic || r.chance(0.6) {
				setBit(&l.ras, a)
			}
		}
	case kDental:
		setBit(&l.gac, gacDental)
		setBit(&l.ras, raTreatment)
		setBit(&l.ras, raSurgical)
		setBit(&l.ras, raDiagnostic)
	case kIndependent:
		setBit(&l.gac, []int{gacHospital, gacHospitalDay, gacDiagnosis, gacMentalHealth}[r.IntN(4)])
		setBit(&l.ras, raTreatment)
		setBit(&l.ras, raDiagnostic)
		if r.chance(0.6) {
			setBit(&l.ras, raSurgical)
		}
		if r.chance(0.1) {
			setBit(&l.ras, raTermination)
		}
	case kNHSHospital:
		setBit(&l.gac, gacHospital)
		if r.chance(0.3) {
			setBit(&l.gac, gacCommunity)
		}
		for _, a := range []int{raTreatment, raSurgical, raDiagnostic, raMaternity, raFamilyPlanning, raMHA, raTermination} {
			if a <= raDiagnostic || r.chance(0.5) {
				setBit(&l.ras, a)
			}
		}
	case kAmbulance:
		setBit(&l.gac, gacAmbulance)
		setBit(&l.ras, raTransport)
		setBit(&l.ras, raTreatment)
	}
}

// specialisms draws the specialisms of a location: social care ones for
// adult social care, "everyone" for the rest.
func (g *gen) specialisms(l *loc) {
	r := g.r
	if kinds[l.kind].directorate == "Adult social care" {
		for i := 0; i < specEveryone; i++ {
			if r.chance([]float64{0.9, 0.6, 0.05, 0.7, 0.1, 0.4, 0.5, 0.6, 0.35, 0.1}[i]) {
				setBit(&l.spec, i)
			}
		}
		if l.spec == 0 {
			setBit(&l.spec, 0)
		}
	} else {
		setBit(&l.spec, specEveryone)
	}
}

// lineage appends up to room locations: one location and, sometimes, its
// re-registrations before history.
func (g *gen) lineage(room int) {
	w, r := g.w, g.r
	depth := 1 + r.weighted([]float64{0.85, 0.11, 0.03, 0.01})
	depth = min(depth, room)
	t := hscaStart
	if !r.chance(0.25) { // a quarter are legacy registrations of 1 Oct 2010
		t = g.instant(hscaStart + r.Int64N(max(w.start-45*day-hscaStart, day)))
	}
	p := g.pickProvider(newProviderShare, t)
	prev := int32(-1)
	for k := 0; k < depth; k++ {
		var i int32
		if prev < 0 {
			i = g.newLocation(p, t)
		} else {
			i = g.reregister(prev, t)
		}
		next := int64(0)
		if k < depth-1 {
			next = g.instant(t + g.days(minChainStageDays, maxChainStageDays))
			if next >= w.start-2*day {
				next = 0
				depth = k + 1
			}
		}
		l := &w.locs[i]
		until := w.start
		switch {
		case next != 0:
			until = next
		case w.start-t > 60*day && r.chance(finalDeregShare):
			until = g.instant(t + 30*day + r.Int64N(w.start-t-60*day))
			l.deregAt = until
		}
		g.inspections(i, until)
		prev, t = i, next
	}
}

// reregister deregisters location old at t and registers its successor,
// linked both ways, with a reason and provider to match.
func (g *gen) reregister(old int32, t int64) int32 {
	w, r := g.w, g.r
	ol := &w.locs[old]
	ol.deregAt = t
	p := ol.prov
	pk := w.provs[p].pkind
	var reason uint8
	if pk == pkNHSTrust {
		reason = small[uint8]([]int{reasonNHSTransfer, reasonLocationMove}[r.IntN(2)])
	} else {
		reason = small[uint8](r.weighted([]float64{reasonLegalEntity: 0.35, reasonNewProvider: 0.35, reasonLocationMove: 0.30}))
	}
	switch reason {
	case reasonLegalEntity:
		p = g.newProvider(pk, g.providerRegAt(t), w.provs[p].place)
	case reasonNewProvider:
		p = g.otherProvider(pk, p, t)
	case reasonNHSTransfer:
		p = g.otherProvider(pkNHSTrust, p, t)
	}
	kind := ol.kind
	nameSeed, addrSeed, place := ol.nameSeed, ol.addrSeed, ol.place
	i := g.newLocation(p, t)
	l := &w.locs[i]
	ol = &w.locs[old] // newLocation may have grown the slice
	// The service goes on: same kind, activities, service types, specialisms.
	l.kind, l.ras, l.gac, l.spec = kind, ol.ras, ol.gac, ol.spec
	l.place = place
	if r.chance(0.7) {
		l.nameSeed = nameSeed
	}
	if reason != reasonLocationMove {
		l.addrSeed = addrSeed
	}
	l.pred, l.reason = old, reason
	ol.succ = i
	if t >= inheritFrom && w.currentOverall(old, t) != rNone {
		l.inherit = inheritKQOnly
		if r.chance(0.35) {
			l.inherit = inheritOverall
		}
	}
	return i
}

// otherProvider returns an existing provider of kind pk other than not, or
// a new one when none is found.
func (g *gen) otherProvider(pk uint8, not int32, t int64) int32 {
	w := g.w
	if pk == pkNHSTrust {
		for tries := 0; tries < 8 && len(g.nhs) > 1; tries++ {
			if p := g.nhs[g.r.IntN(len(g.nhs))]; p != not && w.provs[p].regAt <= t {
				return p
			}
		}
	} else if g.r.chance(0.5) {
		for tries := 0; tries < 16; tries++ {
			l := &w.locs[g.r.IntN(len(w.locs))]
			if l.prov >= 0 && l.prov != not && w.provs[l.prov].pkind == pk && w.provs[l.prov].regAt <= t && !l.gone {
				return l.prov
			}
		}
	}
	return g.newProvider(pk, g.providerRegAt(t), w.provs[not].place)
}

// inspections gives location i its reports from registration until until.
func (g *gen) inspections(i int32, until int64) {
	stillRegistered := until == g.w.start
	w, r := g.w, g.r
	l := &w.locs[i]
	switch {
	case l.kind == kDental:
		if r.chance(0.35) {
			for t := l.regAt + g.days(200, 1500); t < until; t += g.days(900, 2500) {
				l.reports = append(l.reports, g.newReport(l, g.instant(t), rNone))
			}
		}
		return
	case r.chance(neverInspectedShare):
		return
	case kinds[l.kind].directorate == "Adult social care" && stillRegistered && l.regAt >= safFrom-3*365*day && r.chance(safOnlyShare*3):
		l.flags |= locSAF // assessed under the new framework only
		return
	}
	first := g.days(120, 540)
	if l.inherit != 0 {
		first = g.days(400, 1400)
	}
	// An inherited rating counts as the previous one: the first own visit
	// may be focused, leaving the other key questions inherited.
	prev := w.currentOverall(i, l.regAt+1)
	for t := l.regAt + first; t < until; {
		rep := g.newReport(l, g.instant(t), prev)
		if rep.at >= until {
			break
		}
		l.reports = append(l.reports, rep)
		if rep.overall != rNone {
			prev = rep.overall
		}
		switch prev {
		case rInadequate:
			t += g.days(120, 250)
		case rRI:
			t += g.days(250, 600)
		default:
			t += g.days(700, 1500)
		}
	}
	// Infection-control visits of 2020-2022 were "Inspected but not rated"
	// (only Safe); never the newest report.
	for k := 0; k+1 < len(l.reports); k++ {
		if rp := &l.reports[k]; rp.at >= ipcFrom && rp.at < ipcUntil && r.chance(0.25) {
			rp.overall, rp.kq = rIBNR, [5]uint8{rIBNR}
			rp.flags |= repFocused
		}
	}
	if n := len(l.reports); n > 0 && l.reports[n-1].at >= safFrom-365*day && r.chance(safPlusShare) {
		l.flags |= locSAFPlus
	}
	if n := len(l.reports); n > 0 && stillRegistered && r.chance(unpublishedShare) {
		l.flags |= locUnpub
	}
}

var ratingWeights = [...][]float64{
	rNone:        {0, 5, 72, 19, 4},
	rOutstanding: {0, 45, 50, 5, 0},
	rGood:        {0, 6, 78, 14, 2},
	rRI:          {0, 1, 45, 44, 10},
	rInadequate:  {0, 0, 30, 50, 20},
}

// newReport makes a report published at `at`; prev is the previous overall
// rating (rNone for a first inspection). Unrated kinds get unrated reports.
func (g *gen) newReport(l *loc, at int64, prev uint8) report {
	r := g.r
	rep := report{at: at, visit: small[uint16](r.between(14, 75)), span: small[uint8](r.between(0, 4))}
	if first := at - int64(rep.visit)*day; first <= l.regAt {
		rep.visit = small[uint16](int(max((at-l.regAt)/day-1, 0)))
		rep.span = 0
	}
	if at < oldReports && r.chance(0.7) {
		rep.flags |= repNoType
	}
	if r.chance(0.03) {
		rep.flags |= repNoSuffix
	}
	if r.chance(0.05) {
		rep.flags |= repNoText
	}
	if r.chance(0.1) {
		rep.flags |= repRepublished
	}
	if !kinds[l.kind].rated || at < ratingsFrom {
		return rep
	}
	w := ratingWeights[rGood]
	if prev <= rInadequate {
		w = ratingWeights[prev]
	}
	rep.overall = small[uint8](r.weighted(w))
	focused := prev != rNone && r.chance(0.2)
	for k := range rep.kq {
		if focused && !(k == 0 || k == 1 && r.chance(0.5)) {
			continue
		}
		q := int(rep.overall)
		if r.chance(0.3) {
			q += []int{-1, 1}[r.IntN(2)]
		}
		rep.kq[k] = uint8(min(max(q, int(rOutstanding)), int(rInadequate)))
		if focused && r.chance(0.03) {
			rep.kq[k] = rInsufficient
		}
	}
	if focused {
		rep.flags |= repFocused
	}
	return rep
}

// providerReports gives an NHS trust its provider-level (well-led) reports.
func (g *gen) providerReports(p int32) {
	w := g.w
	pr := &w.provs[p]
	fake := &loc{kind: kNHSHospital, regAt: pr.regAt}
	prev := rNone
	for t := max(pr.regAt, oldReports) + g.days(100, 900); t < w.start; t += g.days(700, 1400) {
		rep := g.newReport(fake, g.instant(t), prev)
		if rep.at >= w.start {
			break
		}
		rep.kq = [5]uint8{rep.overall, rep.overall, rep.overall, rep.overall, rep.overall}
		rep.flags &^= repFocused
		pr.reports = append(pr.reports, rep)
		prev = rep.overall
	}
}

// history runs the events of [start, end) in time order.
func (g *gen) history(pl plan) {
	w := g.w
	for i := range w.locs {
		if w.locs[i].deregAt == 0 {
			g.activate(int32(i))
		}
	}
	if w.end <= w.start {
		return
	}
	for _, e := range g.events(pl) {
		g.run(e)
	}
}

// event is one change of history: what happens at a time.
type event struct {
	at   int64
	what uint8
}

// The kinds of event, as the plan counts them.
const (
	evRating = iota
	evEdit
	evReg
	evRereg
	evDereg
	evProvEdit
	evGoneLoc
	evGoneProv
)

// events draws the time of every event the plan counts, and sorts them.
func (g *gen) events(pl plan) []event {
	w, r := g.w, g.r
	var evs []event
	add := func(n int, what uint8) {
		for k := 0; k < n; k++ {
			evs = append(evs, event{w.start + r.Int64N(w.end-w.start), what})
		}
	}
	add(pl.rating, evRating)
	add(pl.edit, evEdit)
	add(pl.reg, evReg)
	add(pl.rereg, evRereg)
	add(pl.dereg, evDereg)
	add(pl.provEdit, evProvEdit)
	add(pl.goneLoc, evGoneLoc)
	add(pl.goneProv, evGoneProv)
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].at < evs[b].at })
	return evs
}

// run applies one event to the world: to an active location it picks,
// unless none fits.
func (g *gen) run(e event) {
	w, r := g.w, g.r
	t := e.at
	switch e.what {
	case evRating:
		if i := g.pickActive(func(l *loc) bool {
			n := len(l.reports)
			return kinds[l.kind].rated && l.flags&locSAF == 0 && l.regAt < t-60*day &&
				(n == 0 || l.reports[n-1].at < t-60*day)
		}); i >= 0 {
			l := &w.locs[i]
			l.reports = append(l.reports, g.newReport(l, t, w.currentOverall(i, t)))
		}
	case evEdit:
		if i := g.pickActive(func(l *loc) bool { return l.regAt < t-day && lastEdit(l.edits) < t-day }); i >= 0 {
			l := &w.locs[i]
			l.edits = append(l.edits, edit{t, small[uint8](r.IntN(int(numEdits)))})
		}
	case evReg:
		p := g.pickProvider(newRegNewProvider, t)
		if g.provDeregistered(p) {
			p = g.newProvider(w.provs[p].pkind, t, w.provs[p].place)
		}
		g.activate(g.newLocation(p, t))
	case evRereg:
		if i := g.pickActive(func(l *loc) bool { return l.regAt < t-90*day }); i >= 0 {
			g.deactivate(i)
			g.activate(g.reregister(i, t))
		}
	case evDereg:
		if i := g.pickActive(func(l *loc) bool { return l.regAt < t-30*day }); i >= 0 {
			w.locs[i].deregAt = t
			g.deactivate(i)
		}
	case evProvEdit:
		if i := g.pickActive(func(l *loc) bool { return true }); i >= 0 {
			p := &w.provs[w.locs[i].prov]
			if p.regAt < t-day && lastEdit(p.edits) < t-day {
				p.edits = append(p.edits, edit{t, small[uint8](r.IntN(2))})
			}
		}
	case evGoneLoc:
		w.locs = append(w.locs, loc{id: g.newID("1-", 10, 11), regAt: t, prov: -1, pred: -1, succ: -1, gone: true})
		g.pos = append(g.pos, -1)
	case evGoneProv:
		w.provs = append(w.provs, prov{id: g.newID("1-", 10, 11), regAt: t, gone: true})
	}
}

func lastEdit(e []edit) int64 {
	if len(e) == 0 {
		return math.MinInt64
	}
	return e[len(e)-1].at
}

func (g *gen) provDeregistered(p int32) bool {
	if len(g.w.provs[p].locs) == 0 {
		return false
	}
	for _, i := range g.w.provs[p].locs {
		if g.w.locs[i].deregAt == 0 {
			return false
		}
	}
	return true
}

func (g *gen) activate(i int32) {
	g.pos[i] = index32(len(g.active))
	g.active = append(g.active, i)
}

func (g *gen) deactivate(i int32) {
	k := g.pos[i]
	last := g.active[len(g.active)-1]
	g.active[k], g.pos[last] = last, k
	g.active = g.active[:len(g.active)-1]
	g.pos[i] = -1
}

// pickActive returns a random registered location satisfying ok, or -1.
func (g *gen) pickActive(ok func(*loc) bool) int32 {
	if len(g.active) == 0 {
		return -1
	}
	for tries := 0; tries < 64; tries++ {
		i := g.active[g.r.IntN(len(g.active))]
		if ok(&g.w.locs[i]) {
			return i
		}
	}
	return -1
}

// finish derives provider deregistrations, sorts the indexes and builds the
// changes feed.
func (g *gen) finish() {
	w := g.w
	for p := range w.provs {
		pr := &w.provs[p]
		sort.Slice(pr.locs, func(a, b int) bool { return w.locs[pr.locs[a]].id < w.locs[pr.locs[b]].id })
		if pr.gone || len(pr.locs) == 0 || pr.pkind == pkNHSTrust {
			continue
		}
		last := int64(0)
		for _, i := range pr.locs {
			d := w.locs[i].deregAt
			if d == 0 {
				last = 0
				break
			}
			last = max(last, d)
		}
		pr.deregAt = last
	}
	g.ids = nil
	w.index()
}

// index sorts the ID indexes and builds the changes feed; it runs again
// after fixtures are added.
func (w *world) index() {
	w.sortByID()
	w.visibleFrom()
	w.changesFeed()
}

// sortByID lists the locations and the providers in ID order.
func (w *world) sortByID() {
	w.locSorted = w.locSorted[:0]
	for i := range w.locs {
		w.locSorted = append(w.locSorted, int32(i))
	}
	sort.Slice(w.locSorted, func(a, b int) bool { return w.locs[w.locSorted[a]].id < w.locs[w.locSorted[b]].id })
	w.provSorted = w.provSorted[:0]
	for i := range w.provs {
		w.provSorted = append(w.provSorted, int32(i))
	}
	sort.Slice(w.provSorted, func(a, b int) bool { return w.provs[w.provSorted[a]].id < w.provs[w.provSorted[b]].id })
}

// visibleFrom notes, in ID order, the clock from which each organisation
// is listed: fixtures always, gone ones never, the others once registered.
func (w *world) visibleFrom() {
	from := func(fix, gone bool, regAt int64) int64 {
		switch {
		case gone:
			return math.MaxInt64
		case fix:
			return math.MinInt64
		}
		return regAt + 1
	}
	w.locFrom = w.locFrom[:0]
	for _, i := range w.locSorted {
		l := &w.locs[i]
		w.locFrom = append(w.locFrom, from(l.fix != nil, l.gone, l.regAt))
	}
	w.provFrom = w.provFrom[:0]
	for _, i := range w.provSorted {
		p := &w.provs[i]
		w.provFrom = append(w.provFrom, from(p.fix != nil, p.gone, p.regAt))
	}
}

// changesFeed lists every change of a generated organisation in [start,
// end) in feed order (time, locations first, then index): registration,
// deregistration, reports and edits, and for a provider each location it
// gains.
func (w *world) changesFeed() {
	w.feed = w.feed[:0]
	in := func(t int64) bool { return t >= w.start && t < w.end }
	for i := range w.locs {
		l := &w.locs[i]
		if l.fix != nil {
			continue
		}
		add := func(t int64) {
			if in(t) {
				w.feed = append(w.feed, change{t, index32(i), false})
			}
		}
		add(l.regAt)
		if l.deregAt != 0 {
			add(l.deregAt)
		}
		for _, r := range l.reports {
			add(r.at)
		}
		for _, e := range l.edits {
			add(e.at)
		}
	}
	for p := range w.provs {
		pr := &w.provs[p]
		if pr.fix != nil {
			continue
		}
		add := func(t int64) {
			if in(t) {
				w.feed = append(w.feed, change{t, index32(p), true})
			}
		}
		add(pr.regAt)
		if pr.deregAt != 0 {
			add(pr.deregAt)
		}
		for _, e := range pr.edits {
			add(e.at)
		}
		for _, r := range pr.reports {
			add(r.at)
		}
		for _, i := range pr.locs { // locationIds grows
			add(w.locs[i].regAt)
		}
	}
	sort.Slice(w.feed, func(a, b int) bool {
		x, y := w.feed[a], w.feed[b]
		if x.at != y.at {
			return x.at < y.at
		}
		if x.isP != y.isP {
			return !x.isP
		}
		return x.idx < y.idx
	})
}

// slug makes a website host name from an organisation name.
func slug(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '-':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-")
}
