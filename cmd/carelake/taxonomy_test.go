package main

import (
	"testing"

	"carelake/stages/catalog"
)

// The demo (extracted from the simulator over loopback HTTP) holds the
// inspection-area taxonomy with supersession resolved, and the rating marts
// label every service rating from it.
func TestServiceRatingsLabelledFromTheTaxonomy(t *testing.T) {
	db, err := catalog.Open(martWarehouses(t)["demo"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var current, names string
	var depth int
	if err := db.QueryRow(`SELECT current_area_ids, current_area_names, supersession_depth
		FROM cqc_inspection_area_taxonomy WHERE inspection_area_id = 'maternity'`).Scan(&current, &names, &depth); err != nil {
		t.Fatal(err)
	}
	if current != "gynaecology; maternityonly" || names != "Gynaecology; Maternity" || depth != 1 {
		t.Errorf("maternity: current %q (%q), depth %d", current, names, depth)
	}
	var services, unlabelled, labelledOthers int
	if err := db.QueryRow(`SELECT count(*) FILTER (kind = 'service'),
		       count(*) FILTER (kind = 'service' AND (inspection_area_name IS NULL OR inspection_area_current_names IS NULL)),
		       count(*) FILTER (kind <> 'service' AND inspection_area_name IS NOT NULL)
		FROM cqc_location_ratings`).Scan(&services, &unlabelled, &labelledOthers); err != nil {
		t.Fatal(err)
	}
	if services == 0 || unlabelled != 0 || labelledOthers != 0 {
		t.Errorf("%d service ratings, %d without a label; %d other ratings labelled", services, unlabelled, labelledOthers)
	}
	var label string
	if err := db.QueryRow(`SELECT inspection_area_name FROM cqc_location_ratings
		WHERE location_id = 'RL4X1' AND kind = 'service' AND name = 'maternityonly'`).Scan(&label); err != nil || label != "Maternity" {
		t.Errorf("RL4X1 maternityonly labelled %q (%v)", label, err)
	}
}
