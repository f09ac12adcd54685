package normalise

// The inspection-area taxonomy: the latest good /inspection-areas answer
// becomes one row per area with supersession resolved
// (schemas.CQCInspectionAreaTaxonomy; docs/architecture.md, "CQC API:
// inspection areas").

import (
	"errors"
	"slices"
	"strings"

	"carelake/schemas"
	"carelake/schemas/archive"
)

// emitTaxonomy writes the taxonomy at l (nothing when none is archived); a
// body that does not fit the schema becomes a rejects row.
func emitTaxonomy(root string, segments []string, l latest, em *emitter) error {
	if !l.ok {
		return nil
	}
	path := segments[l.at.seg]
	var body []byte
	_, err := archive.ReadLines(path, func(line []byte) error {
		seq, err := archive.SeqOf(line)
		if err != nil || seq != l.at.seq {
			return err
		}
		if body, err = archive.BodyOf(line); err != nil {
			return err
		}
		return errAllRead // the rest of the segment is not needed
	})
	if err != nil && !errors.Is(err, errAllRead) {
		return err
	}
	em.o = origin{kind: kindTaxonomy, fetchedAt: l.got, segment: relPath(root, path), seq: l.at.seq}
	var resp schemas.InspectionAreasResponse
	if err := unmarshal(body, &resp); err != nil {
		em.bodyRejects++
		return em.reject("body", "", "body does not fit the inspection-areas schema: "+err.Error())
	}
	areas := map[string]*schemas.GlobalInspectionArea{}
	for i := range resp.InspectionAreas {
		a := &resp.InspectionAreas[i]
		if _, dup := areas[a.InspectionAreaID]; !dup {
			areas[a.InspectionAreaID] = a
		}
	}
	b := em.t.taxonomy
	for i := range resp.InspectionAreas {
		a := &resp.InspectionAreas[i]
		if a.InspectionAreaID == "" || areas[a.InspectionAreaID] != a {
			continue // no ID, or a repeat: the first one stands
		}
		cur, depth, cycle := currentAreas(areas, a.InspectionAreaID)
		b.String("inspection_area_id", a.InspectionAreaID)
		b.NonEmpty("inspection_area_name", a.InspectionAreaName)
		b.NonEmpty("inspection_area_type", a.InspectionAreaType)
		b.NonEmpty("status", a.Status)
		em.date(b, "end_date", "inspectionAreas[].endDate", a.EndDate)
		em.date(b, "org_retirement_date", "inspectionAreas[].orgInspectionAreaRetirementDate", a.OrgInspectionAreaRetirementDate)
		b.NonEmpty("superseded_by", strings.Join(a.SupersededBy, "; "))
		codes := make([]string, 0, len(a.InspectionCategories))
		for _, c := range a.InspectionCategories {
			codes = append(codes, c.Code)
		}
		b.NonEmpty("inspection_category_codes", strings.Join(codes, "; "))
		names := make([]string, len(cur))
		for j, id := range cur {
			names[j] = id
			if c := areas[id]; c != nil && c.InspectionAreaName != "" {
				names[j] = c.InspectionAreaName
			}
		}
		b.NonEmpty("current_area_ids", strings.Join(cur, "; "))
		b.NonEmpty("current_area_names", strings.Join(names, "; "))
		b.Int64("supersession_depth", int64(depth))
		b.Bool("in_cycle", cycle)
		b.Time("fetched_at", l.got)
		b.String("archive_segment", em.o.segment)
		b.Int64("archive_seq", em.o.seq)
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	return em.err
}

// currentAreas follows supersededBy from id, depth first, to the areas that
// name no successor (an ID the taxonomy lacks counts as one): they are the
// current ones, sorted. depth is the longest path to one of them; cycle is
// set when a path comes back to an area already on it (it is not followed).
func currentAreas(areas map[string]*schemas.GlobalInspectionArea, id string) (cur []string, depth int, cycle bool) {
	onPath := map[string]bool{}
	found := map[string]bool{}
	var walk func(id string, d int)
	walk = func(id string, d int) {
		if onPath[id] {
			cycle = true
			return
		}
		a := areas[id]
		if a == nil || len(a.SupersededBy) == 0 {
			found[id] = true
			depth = max(depth, d)
			return
		}
		onPath[id] = true
		for _, next := range a.SupersededBy {
			walk(next, d+1)
		}
		delete(onPath, id)
	}
	walk(id, 0)
	for c := range found {
		cur = append(cur, c)
	}
	slices.Sort(cur)
	return cur, depth, cycle
}
