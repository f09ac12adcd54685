package schemas

import "github.com/apache/arrow-go/v18/arrow"

// CQCInspectionAreaTaxonomy is the global inspection-area taxonomy (GET
// /inspection-areas, the latest good answer archived), with supersession
// resolved: an area superseded by others is followed through supersededBy
// to the areas in effect now (docs/architecture.md, "CQC API: inspection
// areas"). Its plain view is cqc_inspection_area_taxonomy; the rating marts
// label service ratings from it.
var CQCInspectionAreaTaxonomy = cqcTable("inspection_area_taxonomy",
	"The global inspection-area taxonomy (API GET /inspection-areas), one row per area, with each area's current successors (supersededBy followed to areas not superseded, cycle-safe).",
	cqcCat([]arrow.Field{
		Field("inspection_area_id", cqcStr, cqcReq, "API inspectionAreaId (old, maternity, ...): serviceRatings[].name and inspectionAreas[].inspectionAreaId name it"),
		Field("inspection_area_name", cqcStr, cqcNull, "API inspectionAreaName"),
		Field("inspection_area_type", cqcStr, cqcNull, "API inspectionAreaType (Population group, Core service, ...)"),
		Field("status", cqcStr, cqcNull, "API status for new inspections (Active, Superseded, Retired, ...), verbatim"),
		Field("end_date", Date, cqcNull, "API endDate"),
		Field("org_retirement_date", Date, cqcNull, "API orgInspectionAreaRetirementDate"),
		Field("superseded_by", cqcStr, cqcNull, "API supersededBy[] joined with '; ' (the direct successors); NULL when none"),
		Field("inspection_category_codes", cqcStr, cqcNull, "codes of API inspectionCategories[] joined with '; '"),
		Field("current_area_ids", cqcStr, cqcNull, "the areas in effect for this one, sorted and joined with '; ': supersededBy followed until areas that name no successor (the area itself when it names none); NULL when every path ends in a cycle"),
		Field("current_area_names", cqcStr, cqcNull, "inspection_area_name of each of current_area_ids, in the same order, joined with '; ' (the ID where the taxonomy lacks the area)"),
		Field("supersession_depth", cqcInt, cqcReq, "the most supersededBy steps from this area to a current one (0 when it names no successor)"),
		Field("in_cycle", cqcBool, cqcReq, "true when following supersededBy from this area comes back to an area already on the path (never followed twice)"),
	}, cqcAnswerColumns())...)
