package schemas

import (
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

func TestCQCTablesAreWellFormed(t *testing.T) {
	tables := CQCTables()
	if len(tables) < 20 {
		t.Fatalf("only %d CQC tables registered", len(tables))
	}
	seen := map[string]bool{}
	for _, tb := range tables {
		name, ok := strings.CutPrefix(tb.Dataset, "cqc/")
		if !ok || !snakeCase.MatchString(name) {
			t.Errorf("dataset %q: want cqc/<snake_case>", tb.Dataset)
		}
		if seen[tb.Dataset] {
			t.Errorf("dataset %q registered twice", tb.Dataset)
		}
		seen[tb.Dataset] = true
		if len(tb.PartitionBy) != 1 || tb.PartitionBy[0] != "snapshot_date" {
			t.Errorf("%s: PartitionBy %v, want [snapshot_date]", tb.Dataset, tb.PartitionBy)
		}
		if strings.TrimSpace(tb.Doc) == "" {
			t.Errorf("%s: no table doc", tb.Dataset)
		}
		cols := map[string]bool{}
		for _, f := range tb.Schema.Fields() {
			if !snakeCase.MatchString(f.Name) {
				t.Errorf("%s.%s: not snake_case", tb.Dataset, f.Name)
			}
			if cols[f.Name] {
				t.Errorf("%s.%s: duplicate column", tb.Dataset, f.Name)
			}
			cols[f.Name] = true
			if f.Name == "snapshot_date" {
				t.Errorf("%s: the partition column must live in the directory name only", tb.Dataset)
			}
			if doc, ok := f.Metadata.GetValue(DocKey); !ok || strings.TrimSpace(doc) == "" {
				t.Errorf("%s.%s: no doc", tb.Dataset, f.Name)
			}
			switch typ := f.Type.(type) {
			case *arrow.TimestampType:
				if !arrow.TypeEqual(typ, TimestampUTC) {
					t.Errorf("%s.%s: timestamp %s, want microseconds UTC", tb.Dataset, f.Name, typ)
				}
			case *arrow.StringType, *arrow.Int64Type, *arrow.Float64Type, *arrow.BooleanType, *arrow.Date32Type:
			default:
				t.Errorf("%s.%s: unexpected type %s", tb.Dataset, f.Name, f.Type)
			}
			if strings.HasSuffix(f.Name, "_date") && f.Type.ID() != arrow.DATE32 {
				t.Errorf("%s.%s: a *_date column must be DATE, is %s", tb.Dataset, f.Name, f.Type)
			}
		}
	}
}

// The columns the contract promises in the CQC views must be computable from
// the staged tables; these are the ones the views take directly.
func TestCQCTablesCarryTheViewColumns(t *testing.T) {
	want := map[*Table][]string{
		&CQCLocations: {"location_id", "provider_id", "name", "registration_status", "number_of_beds",
			"onspd_latitude", "last_inspection_date", "overall_rating", "overall_rating_date",
			"overall_rating_inherited", "overall_rating_source", "fetched_at", "archive_segment", "archive_seq"},
		&CQCLocationRatings: {"location_id", "name", "kind", "rating", "rating_category", "report_date",
			"report_link_id", "organisation_id", "inherited", "framework", "in_effect"},
		&CQCLocationRatingHistory: {"location_id", "name", "rating", "valid_from", "valid_to", "is_current", "inherited", "organisation_id"},
		&CQCLocationLineage:       {"location_id", "ancestor_location_id", "depth", "current_location_id", "in_cycle"},
		&CQCRatingSources: {"location_id", "kind", "parent_name", "name", "report_link_id", "report_date", "source_location_id",
			"source_report_date", "source_report_first_visit_date", "source_report_uri", "generations", "resolved", "unresolved_reason"},
		&CQCClinicLocations: {"clinic_id", "clinic_name", "cqc_location_id", "current_location_id", "mapping_status"},
		&CQCRejects:         {"entity_type", "entity_id", "reason", "archive_segment", "archive_seq"},
		&CQCReports:         {"organisation_type", "organisation_id", "link_id", "report_date", "first_visit_date", "report_uri"},
	}
	for tb, cols := range want {
		for _, c := range cols {
			if len(tb.Schema.FieldIndices(c)) != 1 {
				t.Errorf("%s lacks column %s", tb.Dataset, c)
			}
		}
	}
}
