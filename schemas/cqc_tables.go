package schemas

import (
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// CQC output tables: what normalise (from the raw archive) and resolve (from
// normalise's output) stage for load, one partition per snapshot_date under
// cqc/<table>/. Columns are snake_case; absent API keys are NULL; dates are
// DATE; the API's strings are kept verbatim (unknown vocabulary included).
//
// Personal data: contacts, registered managers and nominated individuals are
// reduced to counts and roles; no name of a person is ever stored.
//
// Every staged batch uses exactly the schema registered here (same field
// order, types, nullability and "doc" metadata).

var (
	cqcStr   = arrow.BinaryTypes.String
	cqcInt   = arrow.PrimitiveTypes.Int64
	cqcFloat = arrow.PrimitiveTypes.Float64
	cqcBool  = arrow.FixedWidthTypes.Boolean
	cqcNull  = true
	cqcReq   = false
)

// cqcTable declares a CQC table partitioned by snapshot_date and stored by
// change, owned by the organisation (or clinic) its rows describe.
func cqcTable(name, doc string, fields ...arrow.Field) Table {
	return Table{
		Dataset:     "cqc/" + name,
		PartitionBy: []string{"snapshot_date"},
		Schema:      arrow.NewSchema(fields, nil),
		Doc:         doc,
		Owner:       ownerOf(fields),
	}
}

// ownerOf names the columns of what a row belongs to: the (type, ID) pair
// of a table whose rows come from locations and providers alike, else the
// first required location, provider, clinic, report (link) or inspection
// area ID column.
func ownerOf(fields []arrow.Field) []string {
	has := map[string]bool{}
	for _, f := range fields {
		has[f.Name] = true
	}
	for _, pair := range [][]string{{"organisation_type", "organisation_id"}, {"entity_type", "entity_id"}} {
		if has[pair[0]] && has[pair[1]] {
			return pair
		}
	}
	for _, f := range fields {
		switch f.Name {
		case "location_id", "provider_id", "clinic_id", "link_id", "inspection_area_id":
			if !f.Nullable {
				return []string{f.Name}
			}
		}
	}
	panic("schemas: a CQC table without an owner column")
}

func cqcCat(groups ...[]arrow.Field) []arrow.Field {
	var out []arrow.Field
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// cqcArchiveColumns point at the raw archive record a row came from.
func cqcArchiveColumns() []arrow.Field {
	return []arrow.Field{
		Field("fetched_at", TimestampUTC, cqcReq, "when the API response this row comes from arrived (UTC)"),
		Field("api_gone_at", TimestampUTC, cqcNull, "when the API later answered 404 for this ID (the organisation disappeared from the API; the row is the last body it served); NULL while it is served"),
		Field("archive_segment", cqcStr, cqcReq, "raw archive segment holding the response, relative to the warehouse root (raw/cqc/date=.../....jsonl.zst)"),
		Field("archive_seq", cqcInt, cqcReq, "sequence number of the response within its archive segment (the seq field of the JSON line)"),
	}
}

// cqcAddressColumns are the address and geography scalars shared by locations and providers.
func cqcAddressColumns() []arrow.Field {
	return []arrow.Field{
		Field("postal_address_line1", cqcStr, cqcNull, "API postalAddressLine1"),
		Field("postal_address_line2", cqcStr, cqcNull, "API postalAddressLine2"),
		Field("postal_address_town_city", cqcStr, cqcNull, "API postalAddressTownCity"),
		Field("postal_address_county", cqcStr, cqcNull, "API postalAddressCounty"),
		Field("postal_code", cqcStr, cqcNull, "API postalCode"),
		Field("region", cqcStr, cqcNull, "API region, CQC spelling (East, Yorkshire & Humberside, ...)"),
		Field("onspd_latitude", cqcFloat, cqcNull, "API onspdLatitude (WGS84 degrees)"),
		Field("onspd_longitude", cqcFloat, cqcNull, "API onspdLongitude (WGS84 degrees)"),
	}
}

// cqcOverallColumns summarise the overall rating in effect.
func cqcOverallColumns() []arrow.Field {
	return []arrow.Field{
		Field("current_ratings_report_date", Date, cqcNull, "API currentRatings.reportDate"),
		Field("overall_rating", cqcStr, cqcNull, "overall rating in effect, verbatim (the newer of currentRatings.overall and the assessment block); for a deregistered organisation the one it held when deregistered (its rating rows are no longer in effect); NULL when never rated"),
		Field("overall_rating_category", cqcStr, cqcNull, "overall_rating classified: outstanding, good, requires_improvement, inadequate, inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate or unknown"),
		Field("overall_rating_date", Date, cqcNull, "report date of the overall rating in effect (for an assessment, the date it was published)"),
		Field("overall_rating_report_link_id", cqcStr, cqcNull, "reportLinkId of the overall rating in effect (NULL for assessments)"),
		Field("overall_rating_organisation_id", cqcStr, cqcNull, "organisationId on the overall rating in effect: the predecessor it is inherited from"),
		Field("overall_rating_inherited", cqcBool, cqcNull, "true when the overall rating in effect carries an organisationId (inherited from a predecessor); NULL when there is no overall rating"),
	}
}

func cqcUnpublishedColumns() []arrow.Field {
	return []arrow.Field{
		Field("unpublished_report_count", cqcInt, cqcReq, "number of API unpublishedReports (inspections whose report is not yet published)"),
		Field("latest_unpublished_first_visit_date", Date, cqcNull, "latest firstVisitDate among unpublishedReports"),
	}
}

// cqcRatingColumns are the columns of one rating, shared by the current and
// historic rating tables of locations and providers.
func cqcRatingColumns(owner, ownerDoc string) []arrow.Field {
	return []arrow.Field{
		Field(owner, cqcStr, cqcReq, ownerDoc),
		Field("kind", cqcStr, cqcReq, "overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)"),
		Field("parent_name", cqcStr, cqcNull, "for a key question of a service or assessment group: that service or group's name; NULL otherwise"),
		Field("name", cqcStr, cqcReq, "'Overall', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, 'Use of resources' or 'Combined quality and use of resources'"),
		Field("rating", cqcStr, cqcNull, "the rating verbatim as the API spells it"),
		Field("rating_category", cqcStr, cqcReq, "rating classified: outstanding, good, requires_improvement, inadequate (both 'Requires improvement' and the SAF 'Requires Improvement'), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)"),
		Field("report_date", Date, cqcNull, "date of the report the rating comes from (for an assessment, the date it was published or assessed)"),
		Field("report_link_id", cqcStr, cqcNull, "reportLinkId: the report's linkId, in this organisation's reports or, when inherited, in the predecessor's"),
		Field("organisation_id", cqcStr, cqcNull, "API organisationId on the rating: the predecessor location the rating is inherited from"),
		Field("inherited", cqcBool, cqcReq, "true when organisation_id is set (the rating is inherited from a predecessor)"),
		Field("framework", cqcStr, cqcReq, "legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)"),
	}
}

func cqcCurrentRatingColumns(owner, ownerDoc string) []arrow.Field {
	return cqcCat(cqcRatingColumns(owner, ownerDoc), []arrow.Field{
		Field("status", cqcStr, cqcNull, "assessment status verbatim (SAF only)"),
		Field("percentage_score", cqcFloat, cqcNull, "assessment key question percentageScore (SAF only; a string in the API)"),
		Field("assessment_plan_id", cqcStr, cqcNull, "assessmentPlanId of an assessment group rating (SAF only)"),
		Field("in_effect", cqcBool, cqcReq, "true for the rating in effect for its parent_name and name: the newest report_date, an assessment winning a tie with a legacy rating; false for every rating of a deregistered organisation"),
	})
}

func cqcHistoryColumns(owner, ownerDoc string) []arrow.Field {
	return cqcCat(cqcRatingColumns(owner, ownerDoc), []arrow.Field{
		Field("source", cqcStr, cqcReq, "where the API lists the rating: currentRatings, historicRatings or assessment"),
		Field("valid_from", Date, cqcNull, "start of the rating's period: its report_date"),
		Field("valid_to", Date, cqcNull, "end (exclusive) of the period: the next newer report_date for the same organisation, parent_name and name, or the deregistration date of a deregistered organisation, whichever is first; NULL for the rating in effect"),
		Field("is_current", cqcBool, cqcReq, "true for the rating in effect now (valid_to is NULL and the API lists it as current); false for every rating of a deregistered organisation"),
	})
}

// CQC tables written by normalise.
var (
	CQCLocations = cqcTable("locations",
		"One row per CQC location: every scalar field of the latest good API body, typed, plus the overall rating in effect and a pointer into the raw archive.",
		cqcCat([]arrow.Field{
			Field("location_id", cqcStr, cqcReq, "API locationId (1-... or an NHS site code)"),
			Field("provider_id", cqcStr, cqcNull, "API providerId of the provider running the location"),
			Field("organisation_type", cqcStr, cqcNull, "API organisationType (Location)"),
			Field("type", cqcStr, cqcNull, "API type (Social Care Org, Primary Dental Care, ...)"),
			Field("name", cqcStr, cqcNull, "API name"),
			Field("also_known_as", cqcStr, cqcNull, "API alsoKnownAs"),
			Field("brand_id", cqcStr, cqcNull, "API brandId"),
			Field("brand_name", cqcStr, cqcNull, "API brandName, verbatim (carries a literal 'BRAND ' prefix)"),
			Field("onspd_ccg_code", cqcStr, cqcNull, "API onspdCcgCode (old CCG geography)"),
			Field("onspd_ccg_name", cqcStr, cqcNull, "API onspdCcgName"),
			Field("ods_ccg_code", cqcStr, cqcNull, "API odsCcgCode"),
			Field("ods_ccg_name", cqcStr, cqcNull, "API odsCcgName"),
			Field("onspd_icb_code", cqcStr, cqcNull, "API onspdIcbCode (Integrated Care Board geography)"),
			Field("onspd_icb_name", cqcStr, cqcNull, "API onspdIcbName"),
			Field("ods_code", cqcStr, cqcNull, "API odsCode"),
			Field("uprn", cqcStr, cqcNull, "API uprn (a string of digits)"),
			Field("registration_status", cqcStr, cqcNull, "API registrationStatus (Registered, Deregistered)"),
			Field("registration_date", Date, cqcNull, "API registrationDate"),
			Field("deregistration_date", Date, cqcNull, "API deregistrationDate"),
			Field("dormancy", cqcStr, cqcNull, "API dormancy (Y, N)"),
			Field("dormancy_start_date", Date, cqcNull, "API dormancyStartDate"),
			Field("dormancy_end_date", Date, cqcNull, "API dormancyEndDate"),
			Field("number_of_beds", cqcInt, cqcNull, "API numberOfBeds (0 for non-residential services)"),
			Field("website", cqcStr, cqcNull, "API website (no scheme)"),
		}, cqcAddressColumns(), []arrow.Field{
			Field("care_home", cqcStr, cqcNull, "API careHome (Y, N)"),
			Field("inspection_directorate", cqcStr, cqcNull, "API inspectionDirectorate"),
			Field("main_phone_number", cqcStr, cqcNull, "API mainPhoneNumber"),
			Field("registered_manager_absent_date", Date, cqcNull, "API registeredManagerAbsentDate"),
			Field("constituency", cqcStr, cqcNull, "API constituency"),
			Field("local_authority", cqcStr, cqcNull, "API localAuthority"),
			Field("location_types", cqcStr, cqcNull, "API locationTypes[].type joined with '; '; NULL when the list is empty"),
			Field("last_inspection_date", Date, cqcNull, "API lastInspection.date"),
			Field("last_report_publication_date", Date, cqcNull, "API lastReport.publicationDate"),
		}, cqcOverallColumns(), []arrow.Field{
			Field("overall_rating_source", cqcStr, cqcNull, "where the overall rating in effect comes from: currentRatings or assessment"),
		}, cqcUnpublishedColumns(), cqcArchiveColumns(), []arrow.Field{
			Field("left_scope_at", TimestampUTC, cqcNull, "when a filtered scope's changes run found this location outside its filters (e.g. moved local authority): the fetch time of that body; the row is the last body fetched before it, inside them, no longer kept fresh; NULL while in scope and for every location of an unfiltered scope"),
		})...)

	CQCProviders = cqcTable("providers",
		"One row per CQC provider: every scalar field of the latest good API body, typed, with contacts reduced to a count and roles.",
		cqcCat([]arrow.Field{
			Field("provider_id", cqcStr, cqcReq, "API providerId (1-... or an ODS code such as RL4)"),
			Field("organisation_type", cqcStr, cqcNull, "API organisationType (Provider)"),
			Field("ownership_type", cqcStr, cqcNull, "API ownershipType (Organisation, NHS Body, Individual, Partnership)"),
			Field("type", cqcStr, cqcNull, "API type"),
			Field("name", cqcStr, cqcNull, "API name"),
			Field("also_known_as", cqcStr, cqcNull, "API alsoKnownAs"),
			Field("brand_id", cqcStr, cqcNull, "API brandId"),
			Field("brand_name", cqcStr, cqcNull, "API brandName, verbatim"),
			Field("ods_code", cqcStr, cqcNull, "API odsCode"),
			Field("registration_status", cqcStr, cqcNull, "API registrationStatus (Registered, Deregistered)"),
			Field("registration_date", Date, cqcNull, "API registrationDate"),
			Field("deregistration_date", Date, cqcNull, "API deregistrationDate"),
			Field("companies_house_number", cqcStr, cqcNull, "API companiesHouseNumber (a string: leading zeros kept)"),
			Field("charity_number", cqcStr, cqcNull, "API charityNumber"),
			Field("website", cqcStr, cqcNull, "API website"),
			Field("main_phone_number", cqcStr, cqcNull, "API mainPhoneNumber"),
			Field("uprn", cqcStr, cqcNull, "API uprn"),
		}, cqcAddressColumns(), []arrow.Field{
			Field("onspd_icb_code", cqcStr, cqcNull, "API onspdIcbCode"),
			Field("onspd_icb_name", cqcStr, cqcNull, "API onspdIcbName"),
			Field("constituency", cqcStr, cqcNull, "API constituency"),
			Field("local_authority", cqcStr, cqcNull, "API localAuthority"),
			Field("inspection_directorate", cqcStr, cqcNull, "API inspectionDirectorate"),
			Field("last_inspection_date", Date, cqcNull, "API lastInspection.date"),
			Field("last_report_publication_date", Date, cqcNull, "API lastReport.publicationDate"),
			Field("location_count", cqcInt, cqcReq, "number of API locationIds (deregistered locations included); the IDs are in provider_locations"),
			Field("contact_count", cqcInt, cqcReq, "number of API contacts (names are personal data and not kept)"),
			Field("contact_roles", cqcStr, cqcNull, "distinct personRoles of the contacts, sorted, joined with '; '"),
		}, cqcOverallColumns(), cqcUnpublishedColumns(), cqcArchiveColumns())...)

	CQCLocationRatings = cqcTable("location_ratings",
		"Current ratings of each location, one row per location and rating: overall, key questions (matched by name), services, and Single Assessment Framework ratings marked as such.",
		cqcCurrentRatingColumns("location_id", "location the rating belongs to")...)

	CQCLocationRatingHistory = cqcTable("location_rating_history",
		"Rating timeline of each location: historicRatings plus every current rating, one row per location, rating name and report, with its validity period.",
		cqcHistoryColumns("location_id", "location the rating belongs to")...)

	CQCProviderRatings = cqcTable("provider_ratings",
		"Current ratings of each provider (mainly NHS trusts), one row per provider and rating.",
		cqcCurrentRatingColumns("provider_id", "provider the rating belongs to")...)

	CQCProviderRatingHistory = cqcTable("provider_rating_history",
		"Rating timeline of each provider: historicRatings plus current ratings, with validity periods.",
		cqcHistoryColumns("provider_id", "provider the rating belongs to")...)

	CQCReports = cqcTable("reports",
		"Inspection reports listed by locations and providers (API reports[]); inherited ratings point here through report_link_id = link_id of the predecessor.",
		Field("organisation_type", cqcStr, cqcReq, "location or provider: whose reports list holds the report"),
		Field("organisation_id", cqcStr, cqcReq, "locationId or providerId whose reports list holds the report"),
		Field("link_id", cqcStr, cqcReq, "API linkId (what ratings' reportLinkId refers to)"),
		Field("report_date", Date, cqcNull, "API reportDate"),
		Field("first_visit_date", Date, cqcNull, "API firstVisitDate"),
		Field("report_uri", cqcStr, cqcNull, "API reportUri, verbatim (relative to the API base; may end in ?YYYYMMDDhhmmss)"),
		Field("report_type", cqcStr, cqcNull, "API reportType (Location, Provider, CoreService); NULL on old reports"),
	)

	CQCReportRelatedDocuments = cqcTable("report_related_documents",
		"Documents related to a report (API reports[].relatedDocuments), e.g. Use of Resources.",
		Field("organisation_type", cqcStr, cqcReq, "location or provider"),
		Field("organisation_id", cqcStr, cqcReq, "locationId or providerId whose reports list holds the report"),
		Field("link_id", cqcStr, cqcReq, "the report's linkId"),
		Field("document_type", cqcStr, cqcNull, "API documentType"),
		Field("document_uri", cqcStr, cqcNull, "API documentUri (relative to the API base)"),
	)

	CQCReportInspectionLocations = cqcTable("report_inspection_locations",
		"Locations covered by a (provider) report (API reports[].inspectionLocations).",
		Field("organisation_type", cqcStr, cqcReq, "location or provider"),
		Field("organisation_id", cqcStr, cqcReq, "locationId or providerId whose reports list holds the report"),
		Field("link_id", cqcStr, cqcReq, "the report's linkId"),
		Field("location_id", cqcStr, cqcReq, "an inspected location"),
	)

	CQCLocationRelationships = cqcTable("location_relationships",
		"Re-registration links of locations (API relationships[]): HSCA Predecessor on the new location, HSCA Successor on the old one.",
		Field("location_id", cqcStr, cqcReq, "location whose body lists the relationship"),
		Field("related_location_id", cqcStr, cqcReq, "API relatedLocationId"),
		Field("related_location_name", cqcStr, cqcNull, "API relatedLocationName"),
		Field("type", cqcStr, cqcNull, "API type: HSCA Predecessor (related is older) or HSCA Successor (related is newer)"),
		Field("reason", cqcStr, cqcNull, "API reason (Legal Entity Change, New Provider, Location Move, NHS Transfer, ...)"),
	)

	CQCProviderRelationships = cqcTable("provider_relationships",
		"Re-registration links of providers (API relationships[]).",
		Field("provider_id", cqcStr, cqcReq, "provider whose body lists the relationship"),
		Field("related_provider_id", cqcStr, cqcReq, "API relatedProviderId"),
		Field("related_provider_name", cqcStr, cqcNull, "API relatedProviderName"),
		Field("type", cqcStr, cqcNull, "API type (HSCA Predecessor, HSCA Successor)"),
		Field("reason", cqcStr, cqcNull, "API reason"),
	)

	CQCRegulatedActivities = cqcTable("regulated_activities",
		"Regulated activities of locations and providers; contacts and nominated individuals reduced to a count and roles.",
		Field("organisation_type", cqcStr, cqcReq, "location or provider"),
		Field("organisation_id", cqcStr, cqcReq, "locationId or providerId"),
		Field("name", cqcStr, cqcNull, "API name (Personal care, ...)"),
		Field("code", cqcStr, cqcNull, "API code (RA1, ...)"),
		Field("contact_count", cqcInt, cqcReq, "number of contacts (registered managers) plus the nominated individual, if any; names are not kept"),
		Field("contact_roles", cqcStr, cqcNull, "distinct personRoles of those people, sorted, joined with '; ' ('Nominated Individual' for the provider's nominated individual)"),
	)

	CQCGacServiceTypes = cqcTable("gac_service_types",
		"GAC service types of each location (API gacServiceTypes[]).",
		Field("location_id", cqcStr, cqcReq, "location"),
		Field("name", cqcStr, cqcNull, "API name (Residential homes, ...)"),
		Field("description", cqcStr, cqcNull, "API description (Care home service without nursing, ...)"),
	)

	CQCInspectionCategories = cqcTable("inspection_categories",
		"Inspection categories of locations and providers (API inspectionCategories[]).",
		Field("organisation_type", cqcStr, cqcReq, "location or provider"),
		Field("organisation_id", cqcStr, cqcReq, "locationId or providerId"),
		Field("code", cqcStr, cqcNull, "API code (S1, P1, H2, ...)"),
		Field("name", cqcStr, cqcNull, "API name"),
		Field("primary", cqcBool, cqcNull, "API primary (the strings \"true\"/\"false\" as a boolean; NULL for anything else)"),
	)

	CQCSpecialisms = cqcTable("specialisms",
		"Specialisms of each location: the API's specialisms[] and the newer specialism[] taxonomy.",
		Field("location_id", cqcStr, cqcReq, "location"),
		Field("name", cqcStr, cqcNull, "API name (Dementia, ...)"),
		Field("code", cqcStr, cqcNull, "API code (newer taxonomy only)"),
		Field("taxonomy", cqcStr, cqcReq, "which API list: specialisms (name only) or specialism (code and name)"),
	)

	CQCInspectionAreas = cqcTable("inspection_areas",
		"Inspection areas of locations and providers (API inspectionAreas[]).",
		Field("organisation_type", cqcStr, cqcReq, "location or provider"),
		Field("organisation_id", cqcStr, cqcReq, "locationId or providerId"),
		Field("inspection_area_id", cqcStr, cqcNull, "API inspectionAreaId (old, problems, ...)"),
		Field("inspection_area_name", cqcStr, cqcNull, "API inspectionAreaName"),
		Field("inspection_area_type", cqcStr, cqcNull, "API inspectionAreaType"),
		Field("status", cqcStr, cqcNull, "API status (Active, Superseded, ...)"),
		Field("superseded_by", cqcStr, cqcNull, "API supersededBy[] joined with '; '"),
		Field("end_date", Date, cqcNull, "API endDate"),
	)

	CQCProviderLocations = cqcTable("provider_locations",
		"The locations of each provider (API locationIds[]; deregistered locations included).",
		Field("provider_id", cqcStr, cqcReq, "provider"),
		Field("location_id", cqcStr, cqcReq, "one of its locationIds"),
	)

	CQCAgeGroups = cqcTable("age_groups",
		"Age groups served by each location (API ageGroup[]).",
		Field("location_id", cqcStr, cqcReq, "location"),
		Field("code", cqcStr, cqcNull, "API code"),
		Field("name", cqcStr, cqcNull, "API name"),
	)

	CQCSettingServices = cqcTable("setting_services",
		"Setting and service types of each location (API settingServices[]).",
		Field("location_id", cqcStr, cqcReq, "location"),
		Field("setting_type_code", cqcStr, cqcNull, "API settingtypeCode"),
		Field("setting_type_name", cqcStr, cqcNull, "API settingtypeName"),
		Field("service_type_code", cqcStr, cqcNull, "API servicetypeCode"),
		Field("service_type_name", cqcStr, cqcNull, "API servicetypeName"),
	)

	CQCProviderInspectionAreas = cqcTable("provider_inspection_areas",
		"Provider-level inspection area reports listed on a location (API providerInspectionAreas[].reports[]; an area with no reports gives one row with NULL report columns).",
		Field("location_id", cqcStr, cqcReq, "location whose body lists them"),
		Field("inspection_area_id", cqcStr, cqcNull, "API inspectionAreaId"),
		Field("inspection_id", cqcStr, cqcNull, "API reports[].inspectionId"),
		Field("report_link_id", cqcStr, cqcNull, "API reports[].reportLinkId"),
		Field("provider_id", cqcStr, cqcNull, "API reports[].providerId"),
		Field("report_location_id", cqcStr, cqcNull, "API reports[].locationId"),
	)

	CQCAssessmentServiceGroups = cqcTable("assessment_service_groups",
		"Assessment service groups of each location (API assessmentServiceGroup[], Single Assessment Framework).",
		Field("location_id", cqcStr, cqcReq, "location"),
		Field("assessment_service_id", cqcStr, cqcNull, "API assessmentServiceId"),
		Field("assessment_service_name", cqcStr, cqcNull, "API assessmentServiceName"),
		Field("assessment_service_type", cqcStr, cqcNull, "API assessmentServiceType"),
		Field("status", cqcStr, cqcNull, "API status"),
		Field("start_date", Date, cqcNull, "API startDate (date part)"),
		Field("end_date", Date, cqcNull, "API endDate (date part)"),
	)

	CQCRejects = cqcTable("rejects",
		"Raw CQC bodies (or single values) that did not fit the schema, with the reason and a pointer into the raw archive, where the body is kept.",
		Field("entity_type", cqcStr, cqcReq, "location, provider or inspection_areas (the taxonomy)"),
		Field("entity_id", cqcStr, cqcReq, "the ID the body was fetched for"),
		Field("scope", cqcStr, cqcReq, "body: the whole body was rejected and has no rows; field: one value was unusable, stored as NULL, and the rest of the body was loaded"),
		Field("field", cqcStr, cqcNull, "for scope field: the API path of the value (e.g. currentRatings.overall.reportDate)"),
		Field("reason", cqcStr, cqcReq, "why it was rejected"),
		Field("fetched_at", TimestampUTC, cqcReq, "when the response arrived (UTC)"),
		Field("archive_segment", cqcStr, cqcReq, "raw archive segment holding the body, relative to the warehouse root"),
		Field("archive_seq", cqcInt, cqcReq, "sequence number of the record within its segment"),
	)
)

// CQC tables written by resolve.
var (
	CQCLocationLineage = cqcTable("location_lineage",
		"Re-registration lineage of every known location: one row per location and ancestor (itself at depth 0), with the current location at the registered end of its successor chain.",
		Field("location_id", cqcStr, cqcReq, "a location (archived, or only referenced by a relationship or an inherited rating)"),
		Field("ancestor_location_id", cqcStr, cqcReq, "the location itself (depth 0) or one of its predecessors"),
		Field("depth", cqcInt, cqcReq, "re-registrations between the two: 0 for itself, 1 for a direct predecessor, ... (shortest path)"),
		Field("current_location_id", cqcStr, cqcNull, "where location_id's successor chain ends: the registered end if there is one; NULL when a cycle leaves no end"),
		Field("in_cycle", cqcBool, cqcReq, "true when location_id lies on a predecessor cycle (contradictory data, reported, never followed twice)"),
	)

	CQCRatingSources = cqcTable("rating_sources",
		"For every inherited location rating (current and historic): the predecessor location and report it comes from, found through reportLinkId however many generations back. Inherited: the rating carries an organisationId, or (inferred) it carries none but its report is not the location's own and a predecessor's reports list it, as the API serves an inherited overall rating.",
		Field("location_id", cqcStr, cqcReq, "location holding the inherited rating"),
		Field("kind", cqcStr, cqcReq, "the rating's kind (as in location_ratings / location_rating_history)"),
		Field("parent_name", cqcStr, cqcNull, "the rating's parent_name"),
		Field("name", cqcStr, cqcReq, "the rating's name"),
		Field("report_link_id", cqcStr, cqcNull, "the rating's reportLinkId"),
		Field("report_date", Date, cqcNull, "the rating's report_date"),
		Field("organisation_id", cqcStr, cqcNull, "the rating's organisationId (the predecessor the API names); NULL when inferred"),
		Field("inferred", cqcBool, cqcReq, "true when the rating carries no organisationId and is inherited because its report is a predecessor's (the API leaves organisationId off an inherited overall rating while setting it on the key questions)"),
		Field("source_location_id", cqcStr, cqcNull, "the location whose reports list holds the report (organisation_id itself or one of its predecessors); NULL when unresolved"),
		Field("source_report_date", Date, cqcNull, "reportDate of that report"),
		Field("source_report_first_visit_date", Date, cqcNull, "firstVisitDate of that report"),
		Field("source_report_uri", cqcStr, cqcNull, "reportUri of that report"),
		Field("generations", cqcInt, cqcNull, "lineage depth from location_id to source_location_id"),
		Field("resolved", cqcBool, cqcReq, "true when the source report was found"),
		Field("unresolved_reason", cqcStr, cqcNull, "organisation_not_archived, ancestor_not_archived or report_not_found; the missing locations are listed in state/cqc-wanted.json for the next extract"),
	)

	CQCClinicLocations = cqcTable("clinic_locations",
		"Each clinic of the --clinics mapping with the CQC location it is mapped to and the current location through re-registrations.",
		Field("clinic_id", cqcStr, cqcReq, "clinic_id from the mapping file"),
		Field("clinic_name", cqcStr, cqcNull, "name from the mapping file"),
		Field("cqc_location_id", cqcStr, cqcReq, "cqc_location_id from the mapping file"),
		Field("current_location_id", cqcStr, cqcNull, "the current location (location_lineage.current_location_id of the mapped one); NULL when unknown or in a cycle"),
		Field("mapping_status", cqcStr, cqcReq, "current (mapped location is itself current), succeeded (re-registered: use current_location_id), unknown_location (not archived yet; wanted by the next extract), deregistered_no_successor, or cycle"),
		Field("timezone", cqcStr, cqcReq, "the clinic's IANA time zone (timezone column of the mapping file; Europe/London when it names none): appointments are rated on their date there"),
	)
)

// CQCChanges records, for every table stored by change (Table.Owner), each
// owner's versions: a row per owner whose rows changed on a night (its rows
// are in that night's partition of the table) or disappeared (removed),
// and one row per table and night with no owner, marking the snapshot. The
// catalog rebuilds "the table as it stood on date D" from it.
var CQCChanges = Table{
	Dataset:     "cqc/changes",
	PartitionBy: []string{"table_name", "snapshot_date"},
	Doc:         "Versions of the CQC tables stored by change: one row per table, night and owner whose rows changed or disappeared that night, and one row per table and night (owner NULL) marking the snapshot.",
	Schema: arrow.NewSchema([]arrow.Field{
		Field("owner", cqcStr, cqcNull, "the owner's key (its Owner columns joined by '/', e.g. location/1-101) whose rows changed; NULL on the row marking the night's snapshot"),
		Field("removed", cqcBool, cqcReq, "true when the owner has no rows from this night on"),
		Field("rows", cqcInt, cqcReq, "the owner's rows in the snapshot (stored in this night's partition); on the marking row, every row of the snapshot"),
		Field("digest", cqcInt, cqcReq, "a digest of the owner's rows (the sum of the rows' 64-bit hashes): a night whose rows hash alike stores nothing"),
	}, nil),
}

// CQCTables lists every CQC table normalise and resolve stage, in a stable order.
func CQCTables() []Table {
	return []Table{
		CQCLocations, CQCProviders,
		CQCLocationRatings, CQCLocationRatingHistory, CQCProviderRatings, CQCProviderRatingHistory,
		CQCReports, CQCReportRelatedDocuments, CQCReportInspectionLocations,
		CQCLocationRelationships, CQCProviderRelationships,
		CQCRegulatedActivities, CQCGacServiceTypes, CQCInspectionCategories, CQCSpecialisms,
		CQCInspectionAreas, CQCProviderLocations, CQCAgeGroups, CQCSettingServices,
		CQCProviderInspectionAreas, CQCAssessmentServiceGroups, CQCRejects, CQCInspectionAreaTaxonomy,
		CQCReportTexts, CQCReportFiles,
		CQCLocationLineage, CQCRatingSources, CQCClinicLocations,
	}
}

// Compacted is the form t takes for a closed month when t is stored by
// change (Table.Owner) or is CQCChanges (docs/architecture.md, "CQC history
// by change"): the month's nightly partitions in one partition,
// snapshot_month=YYYY-MM in place of snapshot_date=YYYY-MM-DD, and each
// row's snapshot_date a column (last) of the files.
func Compacted(t Table) (Table, bool) {
	i := slices.Index(t.PartitionBy, "snapshot_date")
	if i < 0 || (len(t.Owner) == 0 && !strings.HasPrefix(t.Dataset, CQCChanges.Dataset)) {
		return Table{}, false
	}
	by := slices.Clone(t.PartitionBy)
	by[i] = "snapshot_month"
	fields := append(slices.Clone(t.Schema.Fields()), PartitionField("snapshot_date"))
	return Table{
		Dataset:     t.Dataset,
		PartitionBy: by,
		Schema:      arrow.NewSchema(fields, nil),
		Doc:         t.Doc + " Compacted: the nightly partitions of a closed month, snapshot_date a column.",
		Owner:       t.Owner,
	}, true
}

// Versions is the part of CQCChanges holding the versions of t, a table
// stored by change, read as a table of its own (its directory
// cqc/changes/table_name=<t>), so that a reader of t globs only its files.
func Versions(t Table) Table {
	return Table{
		Dataset:     CQCChanges.Dataset + "/table_name=" + strings.TrimPrefix(t.Dataset, "cqc/"),
		PartitionBy: []string{"snapshot_date"},
		Schema:      CQCChanges.Schema,
		Doc:         "The versions of " + t.Dataset + ".",
	}
}
