package resolve

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
)

// place is what resolve reads of one location, from its own rows: its
// cqc/locations row (archived), its cqc/location_relationships rows, the
// rows of its rating history a source may be written for, and its own
// reports (docs/architecture.md, "Resolve reads only what a night's
// changes reach").
type place struct {
	archived         bool
	status, provider string
	regDate          optDate
	rels             []rel
	// ratings are the rows of its location_rating_history naming an
	// organisation or a report link, in the order read; unkept says some
	// were left out because no source can be written for them (keeper).
	ratings []rating
	unkept  bool
	reports []report
}

// rel is a row of location_relationships.
type rel struct{ related, typ string }

// edge is the predecessor edge x's row names, as (predecessor, successor):
// an HSCA Predecessor row on the new location and an HSCA Successor row on
// the old one describe the same edge. ok is false for any other type.
func (x rel) edge(owner string) (pred, succ string, ok bool) {
	switch x.typ {
	case "HSCA Predecessor":
		return x.related, owner, true
	case "HSCA Successor":
		return owner, x.related, true
	}
	return "", "", false
}

// report is a location's own row of cqc/reports.
type report struct {
	link           string
	date, firstVis optDate
	uri            string
}

// hasNamed says whether a place's ratings name an organisation.
func (p *place) hasNamed() bool {
	return slices.ContainsFunc(p.ratings, func(x rating) bool { return x.org.ok })
}

// register is the part of the register resolve reads: the locations by ID
// and the IDs of the archived providers.
type register struct {
	places    map[string]*place
	providers map[string]bool
}

func (reg *register) place(id string) *place {
	p, ok := reg.places[id]
	if !ok {
		p = &place{}
		reg.places[strings.Clone(id)] = p
	}
	return p
}

// scanFunc hands fn every batch of a table, of the named columns.
type scanFunc func(t schemas.Table, columns []string, fn func(arrow.RecordBatch) error) error

// readRegister reads the register through scan. With keepAll, every rating
// row naming an organisation or a report link is kept; without, only those
// of a location that names an organisation or has a predecessor by
// relationship (keeper), which is every row a source may be written for.
func readRegister(ctx context.Context, scan scanFunc, keepAll bool) (*register, error) {
	reg := &register{places: map[string]*place{}, providers: map[string]bool{}}
	err := scan(schemas.CQCLocations, []string{"registration_status", "provider_id", "registration_date"}, func(rec arrow.RecordBatch) error {
		ids, status, prov, date := strCol(rec, "location_id"), strCol(rec, "registration_status"),
			strCol(rec, "provider_id"), dateCol(rec, "registration_date")
		for i := range int(rec.NumRows()) {
			p := reg.place(ids.Value(i))
			p.archived, p.status, p.provider, p.regDate = true, str(status, i), str(prov, i), dateAt(date, i)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	// A location has a predecessor by relationship when its own row names
	// one or another's names it as the successor.
	hasPred := map[string]bool{}
	err = scan(schemas.CQCLocationRelationships, []string{"related_location_id", "type"}, func(rec arrow.RecordBatch) error {
		ids, related, typ := strCol(rec, "location_id"), strCol(rec, "related_location_id"), strCol(rec, "type")
		for i := range int(rec.NumRows()) {
			p := reg.place(ids.Value(i))
			x := rel{str(related, i), str(typ, i)}
			p.rels = append(p.rels, x)
			if _, succ, ok := x.edge(ids.Value(i)); ok {
				hasPred[strings.Clone(succ)] = true
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	if err := readRatings(ctx, scan, reg, nil, func(id string, named bool) bool { return keepAll || named || hasPred[id] }); err != nil {
		return nil, err
	}
	err = scan(schemas.CQCReports, []string{"link_id", "report_date", "first_visit_date", "report_uri"}, func(rec arrow.RecordBatch) error {
		typ, org, link := strCol(rec, "organisation_type"), strCol(rec, "organisation_id"), strCol(rec, "link_id")
		date, fv, uri := dateCol(rec, "report_date"), dateCol(rec, "first_visit_date"), strCol(rec, "report_uri")
		for i := range int(rec.NumRows()) {
			if typ.Value(i) != "location" || link.IsNull(i) {
				continue
			}
			p := reg.place(org.Value(i))
			p.reports = append(p.reports, report{link: str(link, i), date: dateAt(date, i), firstVis: dateAt(fv, i), uri: str(uri, i)})
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	err = scan(schemas.CQCProviders, []string{}, func(rec arrow.RecordBatch) error {
		ids := strCol(rec, "provider_id")
		for i := range int(rec.NumRows()) {
			reg.providers[str(ids, i)] = true
		}
		return ctx.Err()
	})
	return reg, err
}

// readRatings adds to the places the rows of location_rating_history that
// name an organisation or a report link, of the locations for which keep,
// told whether any of a location's rows names an organisation, is true; of
// the others it marks unkept those that had such rows. only, if not nil,
// says which locations to read at all. A location's rows come together
// (normalise stages a body's rows as one run, and load stores an owner's
// rows as one run, so the warehouse hands them so too), so each is decided
// when the next begins; if one's come again after another's, the table is
// read again keeping every row, and each location decided on all of them.
func readRatings(ctx context.Context, scan scanFunc, reg *register, only map[string]bool, keep func(id string, named bool) bool) error {
	k := keeper{reg: reg, only: only, keep: keep, seen: map[string]bool{}}
	if err := scan(schemas.CQCLocationRatingHistory, ratingColumns, k.batch(ctx)); err != nil {
		return err
	}
	k.flush()
	if !k.scattered {
		return nil
	}
	for id := range k.seen {
		p := reg.places[id]
		p.ratings, p.unkept = p.ratings[:0], false
	}
	k = keeper{reg: reg, only: only, keep: func(string, bool) bool { return true }, seen: map[string]bool{}}
	if err := scan(schemas.CQCLocationRatingHistory, ratingColumns, k.batch(ctx)); err != nil {
		return err
	}
	k.flush()
	for id := range k.seen {
		p := reg.places[id]
		if !keep(id, p.hasNamed()) {
			p.ratings, p.unkept = nil, len(p.ratings) > 0
		}
	}
	return nil
}

// keeper gathers the candidate rows of one location at a time
// (readRatings): those of the current batch by index, copied only if kept,
// and those of earlier batches, copied when the batch ends.
type keeper struct {
	reg       *register
	only      map[string]bool
	keep      func(id string, named bool) bool
	seen      map[string]bool
	scattered bool
	// The current location's rows.
	id      string
	open    bool
	named   bool
	at      func(i int) rating
	rows    []int
	carried []rating
}

func (k *keeper) batch(ctx context.Context) func(arrow.RecordBatch) error {
	return func(rec arrow.RecordBatch) error {
		ids, orgs, links := strCol(rec, "location_id"), strCol(rec, "organisation_id"), strCol(rec, "report_link_id")
		k.at = ratingsOf(rec)
		for i := range int(rec.NumRows()) {
			if id := ids.Value(i); !k.open || id != k.id {
				k.flush()
				if k.only != nil && !k.only[id] {
					continue
				}
				k.id, k.open = strings.Clone(id), true
				k.scattered = k.scattered || k.seen[k.id]
				k.seen[k.id] = true
			}
			if !k.open || (orgs.IsNull(i) && links.IsNull(i)) {
				continue // neither: never written
			}
			k.named = k.named || !orgs.IsNull(i)
			k.rows = append(k.rows, i)
		}
		// The batch is released: the open location's rows are copied.
		for _, i := range k.rows {
			k.carried = append(k.carried, k.at(i))
		}
		k.rows, k.at = k.rows[:0], nil
		return ctx.Err()
	}
}

// flush decides the open location's rows.
func (k *keeper) flush() {
	if k.open && len(k.rows)+len(k.carried) > 0 {
		p := k.reg.place(k.id)
		if k.keep(k.id, k.named) {
			p.ratings = append(p.ratings, k.carried...)
			for _, i := range k.rows {
				p.ratings = append(p.ratings, k.at(i))
			}
		} else {
			p.unkept = true
		}
	}
	k.rows, k.carried, k.named, k.open = k.rows[:0], k.carried[:0], false, false
}

// sortedIDs lists the places' IDs in order.
func (reg *register) sortedIDs() []string {
	ids := make([]string, 0, len(reg.places))
	for id := range reg.places {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// build makes the graph of the register's places and the clinics'
// locations, and the reports their ratings may name. It does not depend on
// the order of the places or of their rows.
func (r *resolver) build(reg *register, clinics []schemas.Clinic) {
	g := r.g
	ids := reg.sortedIDs()
	for _, id := range ids {
		p := reg.places[id]
		n := g.node(id)
		if p.archived {
			g.archived[n], g.status[n], g.provider[n], g.regDate[n] = true, p.status, p.provider, p.regDate
		}
	}
	for _, id := range ids {
		for _, rl := range reg.places[id].rels {
			g.node(rl.related) // a node whatever the type, as the other end of a relationship
			if pred, succ, ok := rl.edge(id); ok {
				g.edge(g.idx[pred], g.idx[succ])
			}
		}
	}
	r.buildInherited(reg, ids)
	for _, c := range clinics {
		g.node(c.CQCLocationID)
	}
	r.reports = map[string][]reportRef{}
	for _, id := range ids {
		for _, rep := range reg.places[id].reports {
			r.reports[rep.link] = append(r.reports[rep.link], reportRef{org: g.idx[id], date: rep.date, firstVis: rep.firstVis, uri: rep.uri})
		}
	}
	for _, refs := range r.reports {
		slices.SortFunc(refs, func(a, b reportRef) int {
			return cmp.Or(cmp.Compare(g.ids[a.org], g.ids[b.org]), compareDates(a.date, b.date),
				compareDates(a.firstVis, b.firstVis), cmp.Compare(a.uri, b.uri))
		})
	}
	r.providers = reg.providers
	r.places, r.placeIDs = reg.places, ids
}

// buildInherited adds the organisations inherited ratings name as
// predecessors: an organisationId that the relationships do not already
// make an ancestor is a predecessor edge of its own. The pairs are taken in
// ID order, for a graph that does not depend on the order of the rows. It
// also notes, for each location and report link, the organisation its
// ratings name (the smallest ID when they name several).
func (r *resolver) buildInherited(reg *register, ids []string) {
	g := r.g
	type pair struct{ loc, org int }
	var ps []pair
	seenPair := map[pair]bool{}
	r.linkOrgs = map[locLink]int{}
	for _, id := range ids {
		x := g.idx[id]
		for _, rt := range reg.places[id].ratings {
			if !rt.org.ok {
				continue
			}
			p := pair{x, g.node(rt.org.v)}
			if !seenPair[p] {
				seenPair[p] = true
				ps = append(ps, p)
			}
			if rt.link.ok {
				k := locLink{x, rt.link.v}
				if o, ok := r.linkOrgs[k]; !ok || g.ids[p.org] < g.ids[o] {
					r.linkOrgs[k] = p.org
				}
			}
		}
	}
	slices.SortFunc(ps, func(a, b pair) int {
		return cmp.Or(cmp.Compare(g.ids[a.loc], g.ids[b.loc]), cmp.Compare(g.ids[a.org], g.ids[b.org]))
	})
	seen := map[int]bool{}
	for _, p := range ps {
		if p.loc != p.org && !g.isAncestor(p.org, p.loc, seen) {
			g.edge(p.org, p.loc)
		}
	}
}
