package schemas

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestOwners holds the owner of every CQC table: a wrong owner would store
// one organisation's rows as another's versions.
func TestOwners(t *testing.T) {
	org, entity := []string{"organisation_type", "organisation_id"}, []string{"entity_type", "entity_id"}
	loc, prov, clinic := []string{"location_id"}, []string{"provider_id"}, []string{"clinic_id"}
	want := map[string][]string{
		"cqc/locations": loc, "cqc/providers": prov,
		"cqc/location_ratings": loc, "cqc/location_rating_history": loc,
		"cqc/provider_ratings": prov, "cqc/provider_rating_history": prov,
		"cqc/reports": org, "cqc/report_related_documents": org, "cqc/report_inspection_locations": org,
		"cqc/location_relationships": loc, "cqc/provider_relationships": prov,
		"cqc/regulated_activities": org, "cqc/gac_service_types": loc, "cqc/inspection_categories": org,
		"cqc/specialisms": loc, "cqc/inspection_areas": org, "cqc/provider_locations": prov,
		"cqc/age_groups": loc, "cqc/setting_services": loc, "cqc/provider_inspection_areas": loc,
		"cqc/assessment_service_groups": loc, "cqc/rejects": entity,
		"cqc/inspection_area_taxonomy": {"inspection_area_id"},
		"cqc/report_texts":             {"link_id"}, "cqc/report_files": {"link_id"},
		"cqc/location_lineage": loc, "cqc/rating_sources": loc, "cqc/clinic_locations": clinic,
	}
	for _, tb := range CQCTables() {
		if !slices.Equal(tb.Owner, want[tb.Dataset]) {
			t.Errorf("%s: owner %v, want %v", tb.Dataset, tb.Owner, want[tb.Dataset])
		}
		for _, c := range tb.Owner {
			if i := tb.Schema.FieldIndices(c); len(i) != 1 || tb.Schema.Field(i[0]).Nullable {
				t.Errorf("%s: owner column %s must be one required column", tb.Dataset, c)
			}
		}
	}
	if len(CQCTables()) != len(want) {
		t.Errorf("%d CQC tables, %d owners known: add the new table here", len(CQCTables()), len(want))
	}
}

// TestEveryCQCTableHasACurrentCopy: a BI tool reading files finds today's
// register whole under marts/: every CQC table stored by change is a mart
// of its own name (a contract mart such as cqc_locations, or a current
// copy), since its own files hold only the rows that changed.
func TestEveryCQCTableHasACurrentCopy(t *testing.T) {
	marts := map[string]View{}
	for _, m := range Marts() {
		marts[m.Name] = m
	}
	copies := 0
	for _, tb := range CQCTables() {
		if len(tb.Owner) == 0 {
			continue
		}
		m, ok := marts[tb.Relation()]
		if !ok {
			t.Errorf("%s: no mart %s", tb.Dataset, tb.Relation())
			continue
		}
		if m.Query != "" {
			copies++
			if !slices.EqualFunc(m.Columns, allColumns(tb), func(a, b arrow.Field) bool { return a.Equal(b) }) || m.Query != "SELECT * FROM datasets."+tb.Relation()+"_latest" {
				t.Errorf("%s: the copy %s is not the table's latest snapshot", tb.Dataset, m.Name)
			}
		}
	}
	if copies < 20 {
		t.Errorf("only %d current copies", copies)
	}
}
