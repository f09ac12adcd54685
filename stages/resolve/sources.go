package resolve

import (
	"context"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
	"carelake/schemas/batch"
)

// Reasons a rating's source stays unresolved.
const (
	reasonOrganisation = "organisation_not_archived" // the named organisation has no body yet
	reasonAncestor     = "ancestor_not_archived"     // not in it nor its archived predecessors; some predecessor has no body
	reasonReport       = "report_not_found"          // every candidate is archived and none lists the report
)

// source is where an inherited rating's report was found.
type source struct {
	loc         int
	rep         reportRef
	generations int
	reason      string
}

// findSource looks for report link in organisation org, then in org's
// predecessors nearest first, on behalf of a rating of location loc.
func (r *resolver) findSource(loc, org int, link string) source {
	g := r.g
	refs := r.reports[link]
	candidates := append([]ancestor{{org, 0}}, g.ancestors[org]...)
	missing := false
	for _, c := range candidates {
		if !g.archived[c.node] {
			missing = true
			continue
		}
		for _, ref := range refs {
			if ref.org != c.node {
				continue
			}
			s := source{loc: c.node, rep: ref, generations: -1}
			if d, ok := g.depthOf(loc, c.node); ok {
				s.generations = d
			}
			return s
		}
	}
	switch {
	case !g.archived[org]:
		return source{loc: -1, reason: reasonOrganisation}
	case missing:
		return source{loc: -1, reason: reasonAncestor}
	}
	return source{loc: -1, reason: reasonReport}
}

// findInherited finds the source of a rating of loc that names no
// organisation but whose report link is not loc's own: ok is false when
// loc's own reports list it. When a rating of loc carrying organisationId X
// has the same link (the API sets it on the key questions and leaves it off
// the overall: docs/architecture.md, "CQC API: ratings and inheritance"),
// the rating is X's whether or not X is archived, and findSource says why
// it stays unresolved until X is. Otherwise it is the nearest archived
// predecessor whose reports list the link, if any.
func (r *resolver) findInherited(loc int, link string) (s source, ok bool) {
	refs := r.reports[link]
	for _, ref := range refs {
		if ref.org == loc {
			return source{}, false
		}
	}
	if org, named := r.linkOrgs[locLink{loc, link}]; named {
		return r.findSource(loc, org, link), true
	}
	for _, a := range r.g.ancestors[loc] {
		for _, ref := range refs {
			if ref.org == a.node {
				return source{loc: a.node, rep: ref, generations: a.depth}, true
			}
		}
	}
	return source{}, false
}

// ratingColumns are the columns of location_rating_history a rating source
// is written from.
var ratingColumns = []string{"kind", "parent_name", "name", "report_link_id", "report_date", "organisation_id"}

// rating is a row of location_rating_history, of the columns ratingColumns.
type rating struct {
	kind, name        string
	parent, link, org optStr
	date              optDate
}

// ratingsOf reads the rows of rec, a batch of location_rating_history.
func ratingsOf(rec arrow.RecordBatch) func(i int) rating {
	kinds, names := strCol(rec, "kind"), strCol(rec, "name")
	parents, links, orgs, dates := strCol(rec, "parent_name"), strCol(rec, "report_link_id"), strCol(rec, "organisation_id"), dateCol(rec, "report_date")
	return func(i int) rating {
		return rating{kind: str(kinds, i), name: str(names, i), parent: strAt(parents, i),
			link: strAt(links, i), org: strAt(orgs, i), date: dateAt(dates, i)}
	}
}

// writeSources writes a rating_sources row for every rating that names an
// organisation or inherits its report (findInherited), location by
// location in ID order, each location's in the order read.
func (r *resolver) writeSources(ctx context.Context, b *batch.Builder, sum *Summary) error {
	for _, id := range r.placeIDs {
		loc := r.g.idx[id]
		for _, x := range r.places[id].ratings {
			if err := r.writeSource(b, loc, x, sum); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// writeSource writes x's rating_sources row, if it has one.
func (r *resolver) writeSource(b *batch.Builder, loc int, x rating, sum *Summary) error {
	var s source
	inferred := false
	switch {
	case x.org.ok:
		s = source{loc: -1, reason: reasonReport}
		if x.link.ok {
			s = r.findSource(loc, r.g.idx[x.org.v], x.link.v)
		}
	case x.link.ok:
		var ok bool
		if s, ok = r.findInherited(loc, x.link.v); !ok {
			return nil
		}
		inferred = true
		sum.Inferred++
	default:
		return nil
	}
	sum.Inherited++
	b.String("location_id", r.g.ids[loc])
	b.String("kind", x.kind)
	x.parent.write(b, "parent_name")
	b.String("name", x.name)
	x.link.write(b, "report_link_id")
	b.Date("report_date", x.date.d, x.date.ok)
	x.org.write(b, "organisation_id")
	b.Bool("inferred", inferred)
	if s.loc < 0 {
		for _, c := range []string{"source_location_id", "source_report_date", "source_report_first_visit_date",
			"source_report_uri", "generations"} {
			b.Null(c)
		}
		b.Bool("resolved", false)
		b.String("unresolved_reason", s.reason)
	} else {
		sum.Resolved++
		b.String("source_location_id", r.g.ids[s.loc])
		b.Date("source_report_date", s.rep.date.d, s.rep.date.ok)
		b.Date("source_report_first_visit_date", s.rep.firstVis.d, s.rep.firstVis.ok)
		b.NonEmpty("source_report_uri", s.rep.uri)
		if s.generations >= 0 {
			b.Int64("generations", int64(s.generations))
		} else {
			b.Null("generations")
		}
		b.Bool("resolved", true)
		b.Null("unresolved_reason")
	}
	return b.EndRow()
}

// Mapping statuses of clinic_locations.
const (
	statusCurrent      = "current"
	statusSucceeded    = "succeeded"
	statusUnknown      = "unknown_location"
	statusDeregistered = "deregistered_no_successor"
	statusCycle        = "cycle"
)

func (r *resolver) clinicStatus(mapped int) (current int, status string) {
	g := r.g
	current = g.current[mapped]
	switch {
	case !g.archived[mapped]:
		return current, statusUnknown
	case current < 0 || g.walkCycles(mapped):
		return current, statusCycle
	case g.archived[current] && g.status[current] != "Registered":
		return current, statusDeregistered
	case current == mapped:
		return current, statusCurrent
	}
	return current, statusSucceeded
}

func (r *resolver) writeClinics(b *batch.Builder, clinics []schemas.Clinic, counts map[string]int) error {
	for _, c := range clinics {
		mapped := r.g.idx[c.CQCLocationID]
		current, status := r.clinicStatus(mapped)
		counts[status]++
		b.String("clinic_id", c.ClinicID)
		b.NonEmpty("clinic_name", c.Name)
		b.String("cqc_location_id", c.CQCLocationID)
		if current >= 0 && status != statusUnknown {
			b.String("current_location_id", r.g.ids[current])
		} else {
			b.Null("current_location_id")
		}
		b.String("mapping_status", status)
		tz := c.Timezone
		if tz == "" {
			tz = schemas.DefaultClinicTimezone
		}
		b.String("timezone", tz)
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	return nil
}

// wanted lists, sorted, the locations the graph names without a body and
// the providers of the clinics' locations that have no body. After a
// partial read, the locations not read again are wanted as they were.
func (r *resolver) wanted(clinics []schemas.Clinic, prev *saved) (locations, providers []string) {
	g := r.g
	locations = []string{}
	for n, id := range g.ids {
		if !g.archived[n] {
			locations = append(locations, id)
		}
	}
	if r.partial {
		for _, id := range prev.unarchived {
			if !r.reach[id] {
				locations = append(locations, id)
			}
		}
	}
	seen := map[string]bool{}
	providers = []string{}
	add := func(n int) {
		if !g.archived[n] {
			return
		}
		p := g.provider[n]
		if p != "" && !r.providers[p] && !seen[p] {
			seen[p] = true
			providers = append(providers, p)
		}
	}
	for _, c := range clinics {
		for _, x := range []int{g.idx[c.CQCLocationID], g.current[g.idx[c.CQCLocationID]]} {
			if x < 0 {
				continue
			}
			add(x)
			for _, a := range g.ancestors[x] {
				add(a.node)
			}
		}
	}
	slices.Sort(locations)
	slices.Sort(providers)
	return locations, providers
}
