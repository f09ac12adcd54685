package resolve

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
	"carelake/schemas/warehouse"
)

// readChanged reads, for a partial snapshot and the saved register of the
// warehouse's latest snapshot before it, only the locations the night's
// changes reach (docs/architecture.md, "Resolve reads only what a night's
// changes reach"). Those are the weakly connected groups, in yesterday's
// graph, of the changed locations, of every location their rows name and of
// the clinics' locations, old and new. An edge comes from the rows of one
// location (its relationships, or its ratings naming an organisation), so an
// unchanged location's edges are yesterday's, inside yesterday's groups, and
// a changed one's join locations read here: today's groups of these
// locations hold no other, and nothing outside them changes.
//
// The changed locations come from the staged rows, the others from the
// saved register; a saved location whose ratings were not kept (keeper) and
// that now has a predecessor has them read from the warehouse. It returns
// why it could not, and reads nothing more, when a location leaves the
// graph (its lineage rows would stay): the caller then reads the whole
// register.
func (r *resolver) readChanged(ctx context.Context, prev *saved, clinics []schemas.Clinic) (string, error) {
	staged, err := readRegister(ctx, r.in.staged, true)
	if err != nil {
		return "", err
	}
	changed := map[string]bool{}
	for key := range r.in.cover {
		if id, ok := strings.CutPrefix(key, "location/"); ok {
			changed[id] = true
		}
	}
	reach := map[string]bool{}
	add := func(id string) {
		if reach[id] {
			return
		}
		reach[id] = true
		if g, ok := prev.group[id]; ok {
			for _, m := range prev.groups[g] {
				reach[m] = true
			}
		}
	}
	for id := range changed {
		add(id)
	}
	for id, p := range staged.places {
		add(id)
		for _, x := range p.rels {
			add(x.related)
		}
		for _, x := range p.ratings {
			if x.org.ok {
				add(x.org.v)
			}
		}
	}
	for _, c := range clinics {
		add(c.CQCLocationID)
	}
	for _, id := range prev.clinics {
		add(id)
	}

	reg := &register{places: map[string]*place{}, providers: prev.providers}
	for id := range reach {
		if changed[id] {
			if p, ok := staged.places[id]; ok {
				reg.places[id] = p
			}
			continue
		}
		if b, ok := prev.places[id]; ok {
			p, err := decodePlace(b)
			if err != nil {
				return fmt.Sprintf("the saved place of %s is damaged (%v)", id, err), nil
			}
			reg.places[id] = p
		}
	}
	for key := range r.in.cover {
		if id, ok := strings.CutPrefix(key, "provider/"); ok {
			if staged.providers[id] {
				reg.providers[id] = true
			} else {
				delete(reg.providers, id)
			}
		}
	}
	r.build(reg, clinics)

	again := map[string]bool{}
	for id, p := range reg.places {
		if p.unkept && len(r.g.preds[r.g.idx[id]]) > 0 {
			again[id], p.unkept = true, false
		}
	}
	if len(again) > 0 {
		r.log.Info("reading the ratings of locations that now have a predecessor", "locations", len(again))
		err := readRatings(ctx, r.in.stored(func(owner string) bool { return !again[owner] }), reg, again,
			func(string, bool) bool { return true })
		if err != nil {
			return "", err
		}
	}

	for id := range reach {
		_, was := prev.places[id]
		_, grouped := prev.group[id]
		if _, now := r.g.idx[id]; !now && (was || grouped || slices.Contains(prev.clinics, id)) {
			return fmt.Sprintf("location %s left the graph", id), nil
		}
	}
	for _, id := range r.g.ids {
		if !reach[id] {
			return fmt.Sprintf("location %s is outside the groups the changes reach", id), nil
		}
	}
	r.partial, r.reach = true, reach
	return "", nil
}

// saveRegister saves the register this run read, for the next night: after
// a partial run, the saved one with the locations read again replaced.
// Each location keeps only the ratings a source may be written for
// (keeper), as a whole read does.
func (r *resolver) saveRegister(root, inputRunID, runID string, prev *saved, clinics []schemas.Clinic, unarchived []string) error {
	g := r.g
	s := &saved{snapshot: r.in.snapshot, inputRunID: inputRunID, runID: runID, places: map[string][]byte{},
		providers: r.providers, unarchived: unarchived}
	if r.partial {
		s.places = prev.places
		for id := range r.reach {
			delete(s.places, id)
		}
		for _, grp := range prev.groups {
			if !r.reach[grp[0]] { // a group is reached whole or not at all
				s.groups = append(s.groups, grp)
			}
		}
	}
	var scratch []byte
	for _, id := range r.placeIDs {
		p := r.places[id]
		if len(p.ratings) > 0 && len(g.preds[g.idx[id]]) == 0 && !p.hasNamed() {
			p.ratings, p.unkept = nil, true
		}
		s.places[id] = encodePlace(p, &scratch)
	}
	s.groups = append(s.groups, g.groups()...)
	for _, c := range clinics {
		s.clinics = append(s.clinics, c.CQCLocationID)
	}
	return s.save(root)
}

// groups lists the weakly connected groups of two or more nodes.
func (g *graph) groups() [][]string {
	parent := make([]int, len(g.ids))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for s, ps := range g.preds {
		for _, p := range ps {
			parent[find(p)] = find(s)
		}
	}
	members := map[int][]string{}
	for n, id := range g.ids {
		root := find(n)
		members[root] = append(members[root], id)
	}
	var out [][]string
	for _, m := range members {
		if len(m) > 1 {
			out = append(out, m)
		}
	}
	return out
}

// stored scans the warehouse's latest snapshot before the input's, except
// the owners for which skip is true.
func (in *input) stored(skip func(owner string) bool) scanFunc {
	return func(t schemas.Table, columns []string, fn func(arrow.RecordBatch) error) error {
		_, err := warehouse.ReadLatest(in.ctx, in.root, t, in.snapshot, columns, skip, fn)
		return err
	}
}

// staged scans the staged rows only.
func (in *input) staged(t schemas.Table, _ []string, fn func(arrow.RecordBatch) error) error {
	return in.m.ReadTable(t.Dataset, fn)
}
