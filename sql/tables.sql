-- Generated from schemas/ by stages/catalog: do not edit.
-- Regenerate with: go test ./stages/catalog -run TestTablesSQL -update
--
-- One view per warehouse table over its Parquet files (schema datasets), and
-- the plain views cqc_<table> (latest snapshot) and cqc_<table>_history of
-- every table views.sql does not define. Paths are relative to the warehouse
-- root: start DuckDB there (or SET file_search_path = '/path/to/warehouse'),
-- then .read this file and views.sql. A table with no files yet makes its
-- read_parquet fail here; the warehouse's own sql/carelake.sql, written by
-- every catalog build, has those replaced by empty relations.

CREATE SCHEMA IF NOT EXISTS datasets;

-- cqc/locations
CREATE OR REPLACE VIEW datasets.cqc_locations_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/locations/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_locations_stored IS 'One row per CQC location: every scalar field of the latest good API body, typed, plus the overall rating in effect and a pointer into the raw archive. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_locations_stored."location_id" IS 'API locationId (1-... or an NHS site code)';
COMMENT ON COLUMN datasets.cqc_locations_stored."provider_id" IS 'API providerId of the provider running the location';
COMMENT ON COLUMN datasets.cqc_locations_stored."organisation_type" IS 'API organisationType (Location)';
COMMENT ON COLUMN datasets.cqc_locations_stored."type" IS 'API type (Social Care Org, Primary Dental Care, ...)';
COMMENT ON COLUMN datasets.cqc_locations_stored."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_locations_stored."also_known_as" IS 'API alsoKnownAs';
COMMENT ON COLUMN datasets.cqc_locations_stored."brand_id" IS 'API brandId';
COMMENT ON COLUMN datasets.cqc_locations_stored."brand_name" IS 'API brandName, verbatim (carries a literal ''BRAND '' prefix)';
COMMENT ON COLUMN datasets.cqc_locations_stored."onspd_ccg_code" IS 'API onspdCcgCode (old CCG geography)';
COMMENT ON COLUMN datasets.cqc_locations_stored."onspd_ccg_name" IS 'API onspdCcgName';
COMMENT ON COLUMN datasets.cqc_locations_stored."ods_ccg_code" IS 'API odsCcgCode';
COMMENT ON COLUMN datasets.cqc_locations_stored."ods_ccg_name" IS 'API odsCcgName';
COMMENT ON COLUMN datasets.cqc_locations_stored."onspd_icb_code" IS 'API onspdIcbCode (Integrated Care Board geography)';
COMMENT ON COLUMN datasets.cqc_locations_stored."onspd_icb_name" IS 'API onspdIcbName';
COMMENT ON COLUMN datasets.cqc_locations_stored."ods_code" IS 'API odsCode';
COMMENT ON COLUMN datasets.cqc_locations_stored."uprn" IS 'API uprn (a string of digits)';
COMMENT ON COLUMN datasets.cqc_locations_stored."registration_status" IS 'API registrationStatus (Registered, Deregistered)';
COMMENT ON COLUMN datasets.cqc_locations_stored."registration_date" IS 'API registrationDate';
COMMENT ON COLUMN datasets.cqc_locations_stored."deregistration_date" IS 'API deregistrationDate';
COMMENT ON COLUMN datasets.cqc_locations_stored."dormancy" IS 'API dormancy (Y, N)';
COMMENT ON COLUMN datasets.cqc_locations_stored."dormancy_start_date" IS 'API dormancyStartDate';
COMMENT ON COLUMN datasets.cqc_locations_stored."dormancy_end_date" IS 'API dormancyEndDate';
COMMENT ON COLUMN datasets.cqc_locations_stored."number_of_beds" IS 'API numberOfBeds (0 for non-residential services)';
COMMENT ON COLUMN datasets.cqc_locations_stored."website" IS 'API website (no scheme)';
COMMENT ON COLUMN datasets.cqc_locations_stored."postal_address_line1" IS 'API postalAddressLine1';
COMMENT ON COLUMN datasets.cqc_locations_stored."postal_address_line2" IS 'API postalAddressLine2';
COMMENT ON COLUMN datasets.cqc_locations_stored."postal_address_town_city" IS 'API postalAddressTownCity';
COMMENT ON COLUMN datasets.cqc_locations_stored."postal_address_county" IS 'API postalAddressCounty';
COMMENT ON COLUMN datasets.cqc_locations_stored."postal_code" IS 'API postalCode';
COMMENT ON COLUMN datasets.cqc_locations_stored."region" IS 'API region, CQC spelling (East, Yorkshire & Humberside, ...)';
COMMENT ON COLUMN datasets.cqc_locations_stored."onspd_latitude" IS 'API onspdLatitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_locations_stored."onspd_longitude" IS 'API onspdLongitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_locations_stored."care_home" IS 'API careHome (Y, N)';
COMMENT ON COLUMN datasets.cqc_locations_stored."inspection_directorate" IS 'API inspectionDirectorate';
COMMENT ON COLUMN datasets.cqc_locations_stored."main_phone_number" IS 'API mainPhoneNumber';
COMMENT ON COLUMN datasets.cqc_locations_stored."registered_manager_absent_date" IS 'API registeredManagerAbsentDate';
COMMENT ON COLUMN datasets.cqc_locations_stored."constituency" IS 'API constituency';
COMMENT ON COLUMN datasets.cqc_locations_stored."local_authority" IS 'API localAuthority';
COMMENT ON COLUMN datasets.cqc_locations_stored."location_types" IS 'API locationTypes[].type joined with ''; ''; NULL when the list is empty';
COMMENT ON COLUMN datasets.cqc_locations_stored."last_inspection_date" IS 'API lastInspection.date';
COMMENT ON COLUMN datasets.cqc_locations_stored."last_report_publication_date" IS 'API lastReport.publicationDate';
COMMENT ON COLUMN datasets.cqc_locations_stored."current_ratings_report_date" IS 'API currentRatings.reportDate';
COMMENT ON COLUMN datasets.cqc_locations_stored."overall_rating" IS 'overall rating in effect, verbatim (the newer of currentRatings.overall and the assessment block); for a deregistered organisation the one it held when deregistered (its rating rows are no longer in effect); NULL when never rated';
COMMENT ON COLUMN datasets.cqc_locations_stored."overall_rating_category" IS 'overall_rating classified: outstanding, good, requires_improvement, inadequate, inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate or unknown';
COMMENT ON COLUMN datasets.cqc_locations_stored."overall_rating_date" IS 'report date of the overall rating in effect (for an assessment, the date it was published)';
COMMENT ON COLUMN datasets.cqc_locations_stored."overall_rating_report_link_id" IS 'reportLinkId of the overall rating in effect (NULL for assessments)';
COMMENT ON COLUMN datasets.cqc_locations_stored."overall_rating_organisation_id" IS 'organisationId on the overall rating in effect: the predecessor it is inherited from';
COMMENT ON COLUMN datasets.cqc_locations_stored."overall_rating_inherited" IS 'true when the overall rating in effect carries an organisationId (inherited from a predecessor); NULL when there is no overall rating';
COMMENT ON COLUMN datasets.cqc_locations_stored."overall_rating_source" IS 'where the overall rating in effect comes from: currentRatings or assessment';
COMMENT ON COLUMN datasets.cqc_locations_stored."unpublished_report_count" IS 'number of API unpublishedReports (inspections whose report is not yet published)';
COMMENT ON COLUMN datasets.cqc_locations_stored."latest_unpublished_first_visit_date" IS 'latest firstVisitDate among unpublishedReports';
COMMENT ON COLUMN datasets.cqc_locations_stored."fetched_at" IS 'when the API response this row comes from arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_locations_stored."api_gone_at" IS 'when the API later answered 404 for this ID (the organisation disappeared from the API; the row is the last body it served); NULL while it is served';
COMMENT ON COLUMN datasets.cqc_locations_stored."archive_segment" IS 'raw archive segment holding the response, relative to the warehouse root (raw/cqc/date=.../....jsonl.zst)';
COMMENT ON COLUMN datasets.cqc_locations_stored."archive_seq" IS 'sequence number of the response within its archive segment (the seq field of the JSON line)';
COMMENT ON COLUMN datasets.cqc_locations_stored."left_scope_at" IS 'when a filtered scope''s changes run found this location outside its filters (e.g. moved local authority): the fetch time of that body; the row is the last body fetched before it, inside them, no longer kept fresh; NULL while in scope and for every location of an unfiltered scope';
COMMENT ON COLUMN datasets.cqc_locations_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=locations
CREATE OR REPLACE VIEW datasets.cqc_locations_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=locations/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_locations_versions IS 'The versions of cqc/locations. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_locations_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_locations_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_locations_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_locations_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_locations_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/providers
CREATE OR REPLACE VIEW datasets.cqc_providers_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/providers/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/providers/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/providers/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_providers_stored IS 'One row per CQC provider: every scalar field of the latest good API body, typed, with contacts reduced to a count and roles. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_providers_stored."provider_id" IS 'API providerId (1-... or an ODS code such as RL4)';
COMMENT ON COLUMN datasets.cqc_providers_stored."organisation_type" IS 'API organisationType (Provider)';
COMMENT ON COLUMN datasets.cqc_providers_stored."ownership_type" IS 'API ownershipType (Organisation, NHS Body, Individual, Partnership)';
COMMENT ON COLUMN datasets.cqc_providers_stored."type" IS 'API type';
COMMENT ON COLUMN datasets.cqc_providers_stored."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_providers_stored."also_known_as" IS 'API alsoKnownAs';
COMMENT ON COLUMN datasets.cqc_providers_stored."brand_id" IS 'API brandId';
COMMENT ON COLUMN datasets.cqc_providers_stored."brand_name" IS 'API brandName, verbatim';
COMMENT ON COLUMN datasets.cqc_providers_stored."ods_code" IS 'API odsCode';
COMMENT ON COLUMN datasets.cqc_providers_stored."registration_status" IS 'API registrationStatus (Registered, Deregistered)';
COMMENT ON COLUMN datasets.cqc_providers_stored."registration_date" IS 'API registrationDate';
COMMENT ON COLUMN datasets.cqc_providers_stored."deregistration_date" IS 'API deregistrationDate';
COMMENT ON COLUMN datasets.cqc_providers_stored."companies_house_number" IS 'API companiesHouseNumber (a string: leading zeros kept)';
COMMENT ON COLUMN datasets.cqc_providers_stored."charity_number" IS 'API charityNumber';
COMMENT ON COLUMN datasets.cqc_providers_stored."website" IS 'API website';
COMMENT ON COLUMN datasets.cqc_providers_stored."main_phone_number" IS 'API mainPhoneNumber';
COMMENT ON COLUMN datasets.cqc_providers_stored."uprn" IS 'API uprn';
COMMENT ON COLUMN datasets.cqc_providers_stored."postal_address_line1" IS 'API postalAddressLine1';
COMMENT ON COLUMN datasets.cqc_providers_stored."postal_address_line2" IS 'API postalAddressLine2';
COMMENT ON COLUMN datasets.cqc_providers_stored."postal_address_town_city" IS 'API postalAddressTownCity';
COMMENT ON COLUMN datasets.cqc_providers_stored."postal_address_county" IS 'API postalAddressCounty';
COMMENT ON COLUMN datasets.cqc_providers_stored."postal_code" IS 'API postalCode';
COMMENT ON COLUMN datasets.cqc_providers_stored."region" IS 'API region, CQC spelling (East, Yorkshire & Humberside, ...)';
COMMENT ON COLUMN datasets.cqc_providers_stored."onspd_latitude" IS 'API onspdLatitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_providers_stored."onspd_longitude" IS 'API onspdLongitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_providers_stored."onspd_icb_code" IS 'API onspdIcbCode';
COMMENT ON COLUMN datasets.cqc_providers_stored."onspd_icb_name" IS 'API onspdIcbName';
COMMENT ON COLUMN datasets.cqc_providers_stored."constituency" IS 'API constituency';
COMMENT ON COLUMN datasets.cqc_providers_stored."local_authority" IS 'API localAuthority';
COMMENT ON COLUMN datasets.cqc_providers_stored."inspection_directorate" IS 'API inspectionDirectorate';
COMMENT ON COLUMN datasets.cqc_providers_stored."last_inspection_date" IS 'API lastInspection.date';
COMMENT ON COLUMN datasets.cqc_providers_stored."last_report_publication_date" IS 'API lastReport.publicationDate';
COMMENT ON COLUMN datasets.cqc_providers_stored."location_count" IS 'number of API locationIds (deregistered locations included); the IDs are in provider_locations';
COMMENT ON COLUMN datasets.cqc_providers_stored."contact_count" IS 'number of API contacts (names are personal data and not kept)';
COMMENT ON COLUMN datasets.cqc_providers_stored."contact_roles" IS 'distinct personRoles of the contacts, sorted, joined with ''; ''';
COMMENT ON COLUMN datasets.cqc_providers_stored."current_ratings_report_date" IS 'API currentRatings.reportDate';
COMMENT ON COLUMN datasets.cqc_providers_stored."overall_rating" IS 'overall rating in effect, verbatim (the newer of currentRatings.overall and the assessment block); for a deregistered organisation the one it held when deregistered (its rating rows are no longer in effect); NULL when never rated';
COMMENT ON COLUMN datasets.cqc_providers_stored."overall_rating_category" IS 'overall_rating classified: outstanding, good, requires_improvement, inadequate, inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate or unknown';
COMMENT ON COLUMN datasets.cqc_providers_stored."overall_rating_date" IS 'report date of the overall rating in effect (for an assessment, the date it was published)';
COMMENT ON COLUMN datasets.cqc_providers_stored."overall_rating_report_link_id" IS 'reportLinkId of the overall rating in effect (NULL for assessments)';
COMMENT ON COLUMN datasets.cqc_providers_stored."overall_rating_organisation_id" IS 'organisationId on the overall rating in effect: the predecessor it is inherited from';
COMMENT ON COLUMN datasets.cqc_providers_stored."overall_rating_inherited" IS 'true when the overall rating in effect carries an organisationId (inherited from a predecessor); NULL when there is no overall rating';
COMMENT ON COLUMN datasets.cqc_providers_stored."unpublished_report_count" IS 'number of API unpublishedReports (inspections whose report is not yet published)';
COMMENT ON COLUMN datasets.cqc_providers_stored."latest_unpublished_first_visit_date" IS 'latest firstVisitDate among unpublishedReports';
COMMENT ON COLUMN datasets.cqc_providers_stored."fetched_at" IS 'when the API response this row comes from arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_providers_stored."api_gone_at" IS 'when the API later answered 404 for this ID (the organisation disappeared from the API; the row is the last body it served); NULL while it is served';
COMMENT ON COLUMN datasets.cqc_providers_stored."archive_segment" IS 'raw archive segment holding the response, relative to the warehouse root (raw/cqc/date=.../....jsonl.zst)';
COMMENT ON COLUMN datasets.cqc_providers_stored."archive_seq" IS 'sequence number of the response within its archive segment (the seq field of the JSON line)';
COMMENT ON COLUMN datasets.cqc_providers_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=providers
CREATE OR REPLACE VIEW datasets.cqc_providers_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=providers/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=providers/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=providers/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_providers_versions IS 'The versions of cqc/providers. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_providers_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_providers_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_providers_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_providers_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_providers_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/location_ratings
CREATE OR REPLACE VIEW datasets.cqc_location_ratings_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/location_ratings/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/location_ratings/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/location_ratings/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_location_ratings_stored IS 'Current ratings of each location, one row per location and rating: overall, key questions (matched by name), services, and Single Assessment Framework ratings marked as such. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."location_id" IS 'location the rating belongs to';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."status" IS 'assessment status verbatim (SAF only)';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."percentage_score" IS 'assessment key question percentageScore (SAF only; a string in the API)';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."assessment_plan_id" IS 'assessmentPlanId of an assessment group rating (SAF only)';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."in_effect" IS 'true for the rating in effect for its parent_name and name: the newest report_date, an assessment winning a tie with a legacy rating; false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_location_ratings_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=location_ratings
CREATE OR REPLACE VIEW datasets.cqc_location_ratings_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_ratings/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_ratings/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_ratings/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_location_ratings_versions IS 'The versions of cqc/location_ratings. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_location_ratings_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_location_ratings_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_location_ratings_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_location_ratings_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_location_ratings_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/location_rating_history
CREATE OR REPLACE VIEW datasets.cqc_location_rating_history_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/location_rating_history/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/location_rating_history/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/location_rating_history/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_location_rating_history_stored IS 'Rating timeline of each location: historicRatings plus every current rating, one row per location, rating name and report, with its validity period. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."location_id" IS 'location the rating belongs to';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."source" IS 'where the API lists the rating: currentRatings, historicRatings or assessment';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."valid_from" IS 'start of the rating''s period: its report_date';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."valid_to" IS 'end (exclusive) of the period: the next newer report_date for the same organisation, parent_name and name, or the deregistration date of a deregistered organisation, whichever is first; NULL for the rating in effect';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."is_current" IS 'true for the rating in effect now (valid_to is NULL and the API lists it as current); false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_location_rating_history_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=location_rating_history
CREATE OR REPLACE VIEW datasets.cqc_location_rating_history_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_rating_history/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_rating_history/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_rating_history/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_location_rating_history_versions IS 'The versions of cqc/location_rating_history. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_location_rating_history_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_location_rating_history_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_location_rating_history_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_location_rating_history_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_location_rating_history_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/provider_ratings
CREATE OR REPLACE VIEW datasets.cqc_provider_ratings_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/provider_ratings/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/provider_ratings/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/provider_ratings/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_provider_ratings_stored IS 'Current ratings of each provider (mainly NHS trusts), one row per provider and rating. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."provider_id" IS 'provider the rating belongs to';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."status" IS 'assessment status verbatim (SAF only)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."percentage_score" IS 'assessment key question percentageScore (SAF only; a string in the API)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."assessment_plan_id" IS 'assessmentPlanId of an assessment group rating (SAF only)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."in_effect" IS 'true for the rating in effect for its parent_name and name: the newest report_date, an assessment winning a tie with a legacy rating; false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_provider_ratings_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=provider_ratings
CREATE OR REPLACE VIEW datasets.cqc_provider_ratings_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_ratings/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_ratings/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_ratings/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_provider_ratings_versions IS 'The versions of cqc/provider_ratings. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_provider_ratings_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_provider_ratings_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_provider_ratings_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_provider_ratings_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_provider_ratings_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/provider_rating_history
CREATE OR REPLACE VIEW datasets.cqc_provider_rating_history_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/provider_rating_history/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/provider_rating_history/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/provider_rating_history/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_provider_rating_history_stored IS 'Rating timeline of each provider: historicRatings plus current ratings, with validity periods. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."provider_id" IS 'provider the rating belongs to';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."source" IS 'where the API lists the rating: currentRatings, historicRatings or assessment';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."valid_from" IS 'start of the rating''s period: its report_date';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."valid_to" IS 'end (exclusive) of the period: the next newer report_date for the same organisation, parent_name and name, or the deregistration date of a deregistered organisation, whichever is first; NULL for the rating in effect';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."is_current" IS 'true for the rating in effect now (valid_to is NULL and the API lists it as current); false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=provider_rating_history
CREATE OR REPLACE VIEW datasets.cqc_provider_rating_history_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_rating_history/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_rating_history/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_rating_history/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_provider_rating_history_versions IS 'The versions of cqc/provider_rating_history. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/reports
CREATE OR REPLACE VIEW datasets.cqc_reports_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/reports/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/reports/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/reports/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_reports_stored IS 'Inspection reports listed by locations and providers (API reports[]); inherited ratings point here through report_link_id = link_id of the predecessor. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_reports_stored."organisation_type" IS 'location or provider: whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_reports_stored."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_reports_stored."link_id" IS 'API linkId (what ratings'' reportLinkId refers to)';
COMMENT ON COLUMN datasets.cqc_reports_stored."report_date" IS 'API reportDate';
COMMENT ON COLUMN datasets.cqc_reports_stored."first_visit_date" IS 'API firstVisitDate';
COMMENT ON COLUMN datasets.cqc_reports_stored."report_uri" IS 'API reportUri, verbatim (relative to the API base; may end in ?YYYYMMDDhhmmss)';
COMMENT ON COLUMN datasets.cqc_reports_stored."report_type" IS 'API reportType (Location, Provider, CoreService); NULL on old reports';
COMMENT ON COLUMN datasets.cqc_reports_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=reports
CREATE OR REPLACE VIEW datasets.cqc_reports_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=reports/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=reports/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=reports/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_reports_versions IS 'The versions of cqc/reports. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_reports_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_reports_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_reports_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_reports_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_reports_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/report_related_documents
CREATE OR REPLACE VIEW datasets.cqc_report_related_documents_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/report_related_documents/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/report_related_documents/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/report_related_documents/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_report_related_documents_stored IS 'Documents related to a report (API reports[].relatedDocuments), e.g. Use of Resources. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_report_related_documents_stored."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_report_related_documents_stored."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_report_related_documents_stored."link_id" IS 'the report''s linkId';
COMMENT ON COLUMN datasets.cqc_report_related_documents_stored."document_type" IS 'API documentType';
COMMENT ON COLUMN datasets.cqc_report_related_documents_stored."document_uri" IS 'API documentUri (relative to the API base)';
COMMENT ON COLUMN datasets.cqc_report_related_documents_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=report_related_documents
CREATE OR REPLACE VIEW datasets.cqc_report_related_documents_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_related_documents/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_related_documents/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_related_documents/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_report_related_documents_versions IS 'The versions of cqc/report_related_documents. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_report_related_documents_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_report_related_documents_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_report_related_documents_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_report_related_documents_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_report_related_documents_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/report_inspection_locations
CREATE OR REPLACE VIEW datasets.cqc_report_inspection_locations_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/report_inspection_locations/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/report_inspection_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/report_inspection_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_report_inspection_locations_stored IS 'Locations covered by a (provider) report (API reports[].inspectionLocations). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_stored."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_stored."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_stored."link_id" IS 'the report''s linkId';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_stored."location_id" IS 'an inspected location';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=report_inspection_locations
CREATE OR REPLACE VIEW datasets.cqc_report_inspection_locations_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_inspection_locations/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_inspection_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_inspection_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_report_inspection_locations_versions IS 'The versions of cqc/report_inspection_locations. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/location_relationships
CREATE OR REPLACE VIEW datasets.cqc_location_relationships_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/location_relationships/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/location_relationships/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/location_relationships/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_location_relationships_stored IS 'Re-registration links of locations (API relationships[]): HSCA Predecessor on the new location, HSCA Successor on the old one. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_location_relationships_stored."location_id" IS 'location whose body lists the relationship';
COMMENT ON COLUMN datasets.cqc_location_relationships_stored."related_location_id" IS 'API relatedLocationId';
COMMENT ON COLUMN datasets.cqc_location_relationships_stored."related_location_name" IS 'API relatedLocationName';
COMMENT ON COLUMN datasets.cqc_location_relationships_stored."type" IS 'API type: HSCA Predecessor (related is older) or HSCA Successor (related is newer)';
COMMENT ON COLUMN datasets.cqc_location_relationships_stored."reason" IS 'API reason (Legal Entity Change, New Provider, Location Move, NHS Transfer, ...)';
COMMENT ON COLUMN datasets.cqc_location_relationships_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=location_relationships
CREATE OR REPLACE VIEW datasets.cqc_location_relationships_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_relationships/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_relationships/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_relationships/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_location_relationships_versions IS 'The versions of cqc/location_relationships. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_location_relationships_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_location_relationships_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_location_relationships_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_location_relationships_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_location_relationships_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/provider_relationships
CREATE OR REPLACE VIEW datasets.cqc_provider_relationships_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/provider_relationships/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/provider_relationships/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/provider_relationships/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_provider_relationships_stored IS 'Re-registration links of providers (API relationships[]). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_provider_relationships_stored."provider_id" IS 'provider whose body lists the relationship';
COMMENT ON COLUMN datasets.cqc_provider_relationships_stored."related_provider_id" IS 'API relatedProviderId';
COMMENT ON COLUMN datasets.cqc_provider_relationships_stored."related_provider_name" IS 'API relatedProviderName';
COMMENT ON COLUMN datasets.cqc_provider_relationships_stored."type" IS 'API type (HSCA Predecessor, HSCA Successor)';
COMMENT ON COLUMN datasets.cqc_provider_relationships_stored."reason" IS 'API reason';
COMMENT ON COLUMN datasets.cqc_provider_relationships_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=provider_relationships
CREATE OR REPLACE VIEW datasets.cqc_provider_relationships_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_relationships/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_relationships/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_relationships/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_provider_relationships_versions IS 'The versions of cqc/provider_relationships. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_provider_relationships_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_provider_relationships_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_provider_relationships_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_provider_relationships_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_provider_relationships_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/regulated_activities
CREATE OR REPLACE VIEW datasets.cqc_regulated_activities_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/regulated_activities/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/regulated_activities/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/regulated_activities/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_regulated_activities_stored IS 'Regulated activities of locations and providers; contacts and nominated individuals reduced to a count and roles. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_regulated_activities_stored."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_regulated_activities_stored."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN datasets.cqc_regulated_activities_stored."name" IS 'API name (Personal care, ...)';
COMMENT ON COLUMN datasets.cqc_regulated_activities_stored."code" IS 'API code (RA1, ...)';
COMMENT ON COLUMN datasets.cqc_regulated_activities_stored."contact_count" IS 'number of contacts (registered managers) plus the nominated individual, if any; names are not kept';
COMMENT ON COLUMN datasets.cqc_regulated_activities_stored."contact_roles" IS 'distinct personRoles of those people, sorted, joined with ''; '' (''Nominated Individual'' for the provider''s nominated individual)';
COMMENT ON COLUMN datasets.cqc_regulated_activities_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=regulated_activities
CREATE OR REPLACE VIEW datasets.cqc_regulated_activities_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=regulated_activities/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=regulated_activities/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=regulated_activities/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_regulated_activities_versions IS 'The versions of cqc/regulated_activities. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_regulated_activities_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_regulated_activities_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_regulated_activities_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_regulated_activities_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_regulated_activities_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/gac_service_types
CREATE OR REPLACE VIEW datasets.cqc_gac_service_types_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/gac_service_types/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/gac_service_types/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/gac_service_types/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_gac_service_types_stored IS 'GAC service types of each location (API gacServiceTypes[]). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_gac_service_types_stored."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_gac_service_types_stored."name" IS 'API name (Residential homes, ...)';
COMMENT ON COLUMN datasets.cqc_gac_service_types_stored."description" IS 'API description (Care home service without nursing, ...)';
COMMENT ON COLUMN datasets.cqc_gac_service_types_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=gac_service_types
CREATE OR REPLACE VIEW datasets.cqc_gac_service_types_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=gac_service_types/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=gac_service_types/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=gac_service_types/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_gac_service_types_versions IS 'The versions of cqc/gac_service_types. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_gac_service_types_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_gac_service_types_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_gac_service_types_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_gac_service_types_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_gac_service_types_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/inspection_categories
CREATE OR REPLACE VIEW datasets.cqc_inspection_categories_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/inspection_categories/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/inspection_categories/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/inspection_categories/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_inspection_categories_stored IS 'Inspection categories of locations and providers (API inspectionCategories[]). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_inspection_categories_stored."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_inspection_categories_stored."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN datasets.cqc_inspection_categories_stored."code" IS 'API code (S1, P1, H2, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_categories_stored."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_inspection_categories_stored."primary" IS 'API primary (the strings "true"/"false" as a boolean; NULL for anything else)';
COMMENT ON COLUMN datasets.cqc_inspection_categories_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=inspection_categories
CREATE OR REPLACE VIEW datasets.cqc_inspection_categories_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=inspection_categories/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=inspection_categories/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=inspection_categories/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_inspection_categories_versions IS 'The versions of cqc/inspection_categories. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_inspection_categories_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_inspection_categories_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_inspection_categories_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_inspection_categories_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_inspection_categories_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/specialisms
CREATE OR REPLACE VIEW datasets.cqc_specialisms_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/specialisms/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/specialisms/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/specialisms/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_specialisms_stored IS 'Specialisms of each location: the API''s specialisms[] and the newer specialism[] taxonomy. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_specialisms_stored."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_specialisms_stored."name" IS 'API name (Dementia, ...)';
COMMENT ON COLUMN datasets.cqc_specialisms_stored."code" IS 'API code (newer taxonomy only)';
COMMENT ON COLUMN datasets.cqc_specialisms_stored."taxonomy" IS 'which API list: specialisms (name only) or specialism (code and name)';
COMMENT ON COLUMN datasets.cqc_specialisms_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=specialisms
CREATE OR REPLACE VIEW datasets.cqc_specialisms_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=specialisms/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=specialisms/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=specialisms/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_specialisms_versions IS 'The versions of cqc/specialisms. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_specialisms_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_specialisms_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_specialisms_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_specialisms_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_specialisms_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/inspection_areas
CREATE OR REPLACE VIEW datasets.cqc_inspection_areas_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/inspection_areas/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/inspection_areas/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/inspection_areas/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_inspection_areas_stored IS 'Inspection areas of locations and providers (API inspectionAreas[]). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_inspection_areas_stored."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_inspection_areas_stored."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN datasets.cqc_inspection_areas_stored."inspection_area_id" IS 'API inspectionAreaId (old, problems, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_areas_stored."inspection_area_name" IS 'API inspectionAreaName';
COMMENT ON COLUMN datasets.cqc_inspection_areas_stored."inspection_area_type" IS 'API inspectionAreaType';
COMMENT ON COLUMN datasets.cqc_inspection_areas_stored."status" IS 'API status (Active, Superseded, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_areas_stored."superseded_by" IS 'API supersededBy[] joined with ''; ''';
COMMENT ON COLUMN datasets.cqc_inspection_areas_stored."end_date" IS 'API endDate';
COMMENT ON COLUMN datasets.cqc_inspection_areas_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=inspection_areas
CREATE OR REPLACE VIEW datasets.cqc_inspection_areas_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=inspection_areas/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=inspection_areas/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=inspection_areas/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_inspection_areas_versions IS 'The versions of cqc/inspection_areas. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_inspection_areas_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_inspection_areas_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_inspection_areas_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_inspection_areas_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_inspection_areas_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/provider_locations
CREATE OR REPLACE VIEW datasets.cqc_provider_locations_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/provider_locations/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/provider_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/provider_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_provider_locations_stored IS 'The locations of each provider (API locationIds[]; deregistered locations included). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_provider_locations_stored."provider_id" IS 'provider';
COMMENT ON COLUMN datasets.cqc_provider_locations_stored."location_id" IS 'one of its locationIds';
COMMENT ON COLUMN datasets.cqc_provider_locations_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=provider_locations
CREATE OR REPLACE VIEW datasets.cqc_provider_locations_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_locations/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_provider_locations_versions IS 'The versions of cqc/provider_locations. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_provider_locations_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_provider_locations_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_provider_locations_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_provider_locations_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_provider_locations_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/age_groups
CREATE OR REPLACE VIEW datasets.cqc_age_groups_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/age_groups/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/age_groups/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/age_groups/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_age_groups_stored IS 'Age groups served by each location (API ageGroup[]). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_age_groups_stored."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_age_groups_stored."code" IS 'API code';
COMMENT ON COLUMN datasets.cqc_age_groups_stored."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_age_groups_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=age_groups
CREATE OR REPLACE VIEW datasets.cqc_age_groups_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=age_groups/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=age_groups/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=age_groups/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_age_groups_versions IS 'The versions of cqc/age_groups. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_age_groups_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_age_groups_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_age_groups_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_age_groups_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_age_groups_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/setting_services
CREATE OR REPLACE VIEW datasets.cqc_setting_services_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/setting_services/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/setting_services/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/setting_services/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_setting_services_stored IS 'Setting and service types of each location (API settingServices[]). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_setting_services_stored."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_setting_services_stored."setting_type_code" IS 'API settingtypeCode';
COMMENT ON COLUMN datasets.cqc_setting_services_stored."setting_type_name" IS 'API settingtypeName';
COMMENT ON COLUMN datasets.cqc_setting_services_stored."service_type_code" IS 'API servicetypeCode';
COMMENT ON COLUMN datasets.cqc_setting_services_stored."service_type_name" IS 'API servicetypeName';
COMMENT ON COLUMN datasets.cqc_setting_services_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=setting_services
CREATE OR REPLACE VIEW datasets.cqc_setting_services_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=setting_services/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=setting_services/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=setting_services/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_setting_services_versions IS 'The versions of cqc/setting_services. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_setting_services_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_setting_services_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_setting_services_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_setting_services_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_setting_services_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/provider_inspection_areas
CREATE OR REPLACE VIEW datasets.cqc_provider_inspection_areas_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/provider_inspection_areas/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/provider_inspection_areas/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/provider_inspection_areas/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_provider_inspection_areas_stored IS 'Provider-level inspection area reports listed on a location (API providerInspectionAreas[].reports[]; an area with no reports gives one row with NULL report columns). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_stored."location_id" IS 'location whose body lists them';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_stored."inspection_area_id" IS 'API inspectionAreaId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_stored."inspection_id" IS 'API reports[].inspectionId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_stored."report_link_id" IS 'API reports[].reportLinkId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_stored."provider_id" IS 'API reports[].providerId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_stored."report_location_id" IS 'API reports[].locationId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=provider_inspection_areas
CREATE OR REPLACE VIEW datasets.cqc_provider_inspection_areas_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_inspection_areas/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_inspection_areas/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=provider_inspection_areas/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_provider_inspection_areas_versions IS 'The versions of cqc/provider_inspection_areas. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/assessment_service_groups
CREATE OR REPLACE VIEW datasets.cqc_assessment_service_groups_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/assessment_service_groups/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/assessment_service_groups/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/assessment_service_groups/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_assessment_service_groups_stored IS 'Assessment service groups of each location (API assessmentServiceGroup[], Single Assessment Framework). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_stored."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_stored."assessment_service_id" IS 'API assessmentServiceId';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_stored."assessment_service_name" IS 'API assessmentServiceName';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_stored."assessment_service_type" IS 'API assessmentServiceType';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_stored."status" IS 'API status';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_stored."start_date" IS 'API startDate (date part)';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_stored."end_date" IS 'API endDate (date part)';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=assessment_service_groups
CREATE OR REPLACE VIEW datasets.cqc_assessment_service_groups_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=assessment_service_groups/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=assessment_service_groups/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=assessment_service_groups/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_assessment_service_groups_versions IS 'The versions of cqc/assessment_service_groups. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/rejects
CREATE OR REPLACE VIEW datasets.cqc_rejects_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/rejects/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/rejects/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/rejects/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_rejects_stored IS 'Raw CQC bodies (or single values) that did not fit the schema, with the reason and a pointer into the raw archive, where the body is kept. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_rejects_stored."entity_type" IS 'location, provider or inspection_areas (the taxonomy)';
COMMENT ON COLUMN datasets.cqc_rejects_stored."entity_id" IS 'the ID the body was fetched for';
COMMENT ON COLUMN datasets.cqc_rejects_stored."scope" IS 'body: the whole body was rejected and has no rows; field: one value was unusable, stored as NULL, and the rest of the body was loaded';
COMMENT ON COLUMN datasets.cqc_rejects_stored."field" IS 'for scope field: the API path of the value (e.g. currentRatings.overall.reportDate)';
COMMENT ON COLUMN datasets.cqc_rejects_stored."reason" IS 'why it was rejected';
COMMENT ON COLUMN datasets.cqc_rejects_stored."fetched_at" IS 'when the response arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_rejects_stored."archive_segment" IS 'raw archive segment holding the body, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_rejects_stored."archive_seq" IS 'sequence number of the record within its segment';
COMMENT ON COLUMN datasets.cqc_rejects_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=rejects
CREATE OR REPLACE VIEW datasets.cqc_rejects_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=rejects/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=rejects/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=rejects/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_rejects_versions IS 'The versions of cqc/rejects. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_rejects_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_rejects_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_rejects_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_rejects_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_rejects_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/inspection_area_taxonomy
CREATE OR REPLACE VIEW datasets.cqc_inspection_area_taxonomy_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/inspection_area_taxonomy/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/inspection_area_taxonomy/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/inspection_area_taxonomy/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_inspection_area_taxonomy_stored IS 'The global inspection-area taxonomy (API GET /inspection-areas), one row per area, with each area''s current successors (supersededBy followed to areas not superseded, cycle-safe). As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."inspection_area_id" IS 'API inspectionAreaId (old, maternity, ...): serviceRatings[].name and inspectionAreas[].inspectionAreaId name it';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."inspection_area_name" IS 'API inspectionAreaName';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."inspection_area_type" IS 'API inspectionAreaType (Population group, Core service, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."status" IS 'API status for new inspections (Active, Superseded, Retired, ...), verbatim';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."end_date" IS 'API endDate';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."org_retirement_date" IS 'API orgInspectionAreaRetirementDate';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."superseded_by" IS 'API supersededBy[] joined with ''; '' (the direct successors); NULL when none';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."inspection_category_codes" IS 'codes of API inspectionCategories[] joined with ''; ''';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."current_area_ids" IS 'the areas in effect for this one, sorted and joined with ''; '': supersededBy followed until areas that name no successor (the area itself when it names none); NULL when every path ends in a cycle';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."current_area_names" IS 'inspection_area_name of each of current_area_ids, in the same order, joined with ''; '' (the ID where the taxonomy lacks the area)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."supersession_depth" IS 'the most supersededBy steps from this area to a current one (0 when it names no successor)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."in_cycle" IS 'true when following supersededBy from this area comes back to an area already on the path (never followed twice)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=inspection_area_taxonomy
CREATE OR REPLACE VIEW datasets.cqc_inspection_area_taxonomy_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=inspection_area_taxonomy/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=inspection_area_taxonomy/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=inspection_area_taxonomy/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_inspection_area_taxonomy_versions IS 'The versions of cqc/inspection_area_taxonomy. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/report_texts
CREATE OR REPLACE VIEW datasets.cqc_report_texts_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/report_texts/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/report_texts/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/report_texts/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_report_texts_stored IS 'The text of each inspection report document extract fetched with --reports text (GET /reports/{linkId} with Accept: text/plain), one row per document and organisation (location or provider) listing it. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_report_texts_stored."link_id" IS 'the report''s linkId (reports[].linkId; GET /reports/{linkId})';
COMMENT ON COLUMN datasets.cqc_report_texts_stored."document_type" IS 'the related document''s type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report';
COMMENT ON COLUMN datasets.cqc_report_texts_stored."location_id" IS 'a location whose reports list holds the report (its latest good body); NULL on a provider''s row, and when no organisation lists it';
COMMENT ON COLUMN datasets.cqc_report_texts_stored."provider_id" IS 'a provider whose reports list holds the report (its latest good body): an NHS trust''s provider-level (well-led) report, which no location lists; NULL on a location''s row, when no organisation lists it, and in files written before the column was added';
COMMENT ON COLUMN datasets.cqc_report_texts_stored."report_date" IS 'reportDate of the report in that organisation''s (location''s or provider''s) list';
COMMENT ON COLUMN datasets.cqc_report_texts_stored."text" IS 'the report''s text as the API serves it (UTF-8, verbatim)';
COMMENT ON COLUMN datasets.cqc_report_texts_stored."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_report_texts_stored."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_report_texts_stored."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN datasets.cqc_report_texts_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=report_texts
CREATE OR REPLACE VIEW datasets.cqc_report_texts_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_texts/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_texts/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_texts/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_report_texts_versions IS 'The versions of cqc/report_texts. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_report_texts_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_report_texts_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_report_texts_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_report_texts_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_report_texts_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/report_files
CREATE OR REPLACE VIEW datasets.cqc_report_files_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/report_files/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/report_files/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/report_files/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_report_files_stored IS 'Each inspection report document extract fetched as a PDF (--reports pdf, or --reports text for a report the API has no text for), kept as a file beside the raw archive, one row per document and organisation (location or provider) listing it. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_report_files_stored."link_id" IS 'the report''s linkId (reports[].linkId; GET /reports/{linkId})';
COMMENT ON COLUMN datasets.cqc_report_files_stored."document_type" IS 'the related document''s type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report';
COMMENT ON COLUMN datasets.cqc_report_files_stored."location_id" IS 'a location whose reports list holds the report (its latest good body); NULL on a provider''s row, and when no organisation lists it';
COMMENT ON COLUMN datasets.cqc_report_files_stored."provider_id" IS 'a provider whose reports list holds the report (its latest good body): an NHS trust''s provider-level (well-led) report, which no location lists; NULL on a location''s row, when no organisation lists it, and in files written before the column was added';
COMMENT ON COLUMN datasets.cqc_report_files_stored."report_date" IS 'reportDate of the report in that organisation''s (location''s or provider''s) list';
COMMENT ON COLUMN datasets.cqc_report_files_stored."path" IS 'the PDF''s path relative to the warehouse root (raw/cqc-files/...)';
COMMENT ON COLUMN datasets.cqc_report_files_stored."bytes" IS 'the PDF''s size in bytes';
COMMENT ON COLUMN datasets.cqc_report_files_stored."asked_for_text" IS 'true when text was asked for and the API answered the PDF (it has no text for this report)';
COMMENT ON COLUMN datasets.cqc_report_files_stored."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_report_files_stored."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_report_files_stored."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN datasets.cqc_report_files_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=report_files
CREATE OR REPLACE VIEW datasets.cqc_report_files_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_files/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_files/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=report_files/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_report_files_versions IS 'The versions of cqc/report_files. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_report_files_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_report_files_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_report_files_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_report_files_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_report_files_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/location_lineage
CREATE OR REPLACE VIEW datasets.cqc_location_lineage_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/location_lineage/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/location_lineage/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/location_lineage/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_location_lineage_stored IS 'Re-registration lineage of every known location: one row per location and ancestor (itself at depth 0), with the current location at the registered end of its successor chain. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_location_lineage_stored."location_id" IS 'a location (archived, or only referenced by a relationship or an inherited rating)';
COMMENT ON COLUMN datasets.cqc_location_lineage_stored."ancestor_location_id" IS 'the location itself (depth 0) or one of its predecessors';
COMMENT ON COLUMN datasets.cqc_location_lineage_stored."depth" IS 're-registrations between the two: 0 for itself, 1 for a direct predecessor, ... (shortest path)';
COMMENT ON COLUMN datasets.cqc_location_lineage_stored."current_location_id" IS 'where location_id''s successor chain ends: the registered end if there is one; NULL when a cycle leaves no end';
COMMENT ON COLUMN datasets.cqc_location_lineage_stored."in_cycle" IS 'true when location_id lies on a predecessor cycle (contradictory data, reported, never followed twice)';
COMMENT ON COLUMN datasets.cqc_location_lineage_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=location_lineage
CREATE OR REPLACE VIEW datasets.cqc_location_lineage_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_lineage/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_lineage/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=location_lineage/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_location_lineage_versions IS 'The versions of cqc/location_lineage. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_location_lineage_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_location_lineage_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_location_lineage_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_location_lineage_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_location_lineage_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/rating_sources
CREATE OR REPLACE VIEW datasets.cqc_rating_sources_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/rating_sources/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/rating_sources/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/rating_sources/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_rating_sources_stored IS 'For every inherited location rating (current and historic): the predecessor location and report it comes from, found through reportLinkId however many generations back. Inherited: the rating carries an organisationId, or (inferred) it carries none but its report is not the location''s own and a predecessor''s reports list it, as the API serves an inherited overall rating. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."location_id" IS 'location holding the inherited rating';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."kind" IS 'the rating''s kind (as in location_ratings / location_rating_history)';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."parent_name" IS 'the rating''s parent_name';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."name" IS 'the rating''s name';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."report_link_id" IS 'the rating''s reportLinkId';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."report_date" IS 'the rating''s report_date';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."organisation_id" IS 'the rating''s organisationId (the predecessor the API names); NULL when inferred';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."inferred" IS 'true when the rating carries no organisationId and is inherited because its report is a predecessor''s (the API leaves organisationId off an inherited overall rating while setting it on the key questions)';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."source_location_id" IS 'the location whose reports list holds the report (organisation_id itself or one of its predecessors); NULL when unresolved';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."source_report_date" IS 'reportDate of that report';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."source_report_first_visit_date" IS 'firstVisitDate of that report';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."source_report_uri" IS 'reportUri of that report';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."generations" IS 'lineage depth from location_id to source_location_id';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."resolved" IS 'true when the source report was found';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."unresolved_reason" IS 'organisation_not_archived, ancestor_not_archived or report_not_found; the missing locations are listed in state/cqc-wanted.json for the next extract';
COMMENT ON COLUMN datasets.cqc_rating_sources_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=rating_sources
CREATE OR REPLACE VIEW datasets.cqc_rating_sources_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=rating_sources/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=rating_sources/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=rating_sources/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_rating_sources_versions IS 'The versions of cqc/rating_sources. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_rating_sources_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_rating_sources_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_rating_sources_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_rating_sources_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_rating_sources_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/clinic_locations
CREATE OR REPLACE VIEW datasets.cqc_clinic_locations_stored AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/clinic_locations/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/clinic_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/clinic_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_clinic_locations_stored IS 'Each clinic of the --clinics mapping with the CQC location it is mapped to and the current location through re-registrations. As stored: the rows of the owners that changed on each snapshot_date (see datasets.cqc_changes).';
COMMENT ON COLUMN datasets.cqc_clinic_locations_stored."clinic_id" IS 'clinic_id from the mapping file';
COMMENT ON COLUMN datasets.cqc_clinic_locations_stored."clinic_name" IS 'name from the mapping file';
COMMENT ON COLUMN datasets.cqc_clinic_locations_stored."cqc_location_id" IS 'cqc_location_id from the mapping file';
COMMENT ON COLUMN datasets.cqc_clinic_locations_stored."current_location_id" IS 'the current location (location_lineage.current_location_id of the mapped one); NULL when unknown or in a cycle';
COMMENT ON COLUMN datasets.cqc_clinic_locations_stored."mapping_status" IS 'current (mapped location is itself current), succeeded (re-registered: use current_location_id), unknown_location (not archived yet; wanted by the next extract), deregistered_no_successor, or cycle';
COMMENT ON COLUMN datasets.cqc_clinic_locations_stored."timezone" IS 'the clinic''s IANA time zone (timezone column of the mapping file; Europe/London when it names none): appointments are rated on their date there';
COMMENT ON COLUMN datasets.cqc_clinic_locations_stored."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes/table_name=clinic_locations
CREATE OR REPLACE VIEW datasets.cqc_clinic_locations_versions AS
SELECT "owner", "removed", "rows", "digest", snapshot_date FROM (SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=clinic_locations/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month FROM (SELECT * FROM read_parquet('cqc/changes/table_name=clinic_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m')
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=clinic_locations/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'snapshot_month': VARCHAR})));
COMMENT ON VIEW datasets.cqc_clinic_locations_versions IS 'The versions of cqc/clinic_locations. Its rows of datasets.cqc_changes, read from its own files.';
COMMENT ON COLUMN datasets.cqc_clinic_locations_versions."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_clinic_locations_versions."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_clinic_locations_versions."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_clinic_locations_versions."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_clinic_locations_versions."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/changes
CREATE OR REPLACE VIEW datasets.cqc_changes AS
SELECT n.* FROM (SELECT * FROM read_parquet('cqc/changes/table_name=*/snapshot_date=*/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'table_name': VARCHAR, 'snapshot_date': DATE})) n
ANTI JOIN (SELECT DISTINCT snapshot_month, "table_name" FROM (SELECT * FROM read_parquet('cqc/changes/table_name=*/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'table_name': VARCHAR, 'snapshot_month': VARCHAR}))) m ON m.snapshot_month = strftime(n.snapshot_date, '%Y-%m') AND m."table_name" = n."table_name"
UNION ALL BY NAME
SELECT * EXCLUDE (snapshot_month) FROM (SELECT * FROM read_parquet('cqc/changes/table_name=*/snapshot_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'table_name': VARCHAR, 'snapshot_month': VARCHAR}));
COMMENT ON VIEW datasets.cqc_changes IS 'Versions of the CQC tables stored by change: one row per table, night and owner whose rows changed or disappeared that night, and one row per table and night (owner NULL) marking the snapshot.';
COMMENT ON COLUMN datasets.cqc_changes."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN datasets.cqc_changes."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN datasets.cqc_changes."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN datasets.cqc_changes."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN datasets.cqc_changes."table_name" IS 'partition column: the CQC table (cqc/<table_name>) the versions are of';
COMMENT ON COLUMN datasets.cqc_changes."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- careq/events
CREATE OR REPLACE VIEW datasets.careq_events AS
SELECT * FROM read_parquet('careq/events/clinic_id=*/event_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'clinic_id': VARCHAR, 'event_month': VARCHAR});
COMMENT ON VIEW datasets.careq_events IS 'Every call the CareQ receiver logged, accepted or rejected, one row per call (a batch is one row); a retry answered from the idempotency store is not logged again.';
COMMENT ON COLUMN datasets.careq_events."seq" IS 'sequence number of the call in the receiver''s log (increasing across segments and restarts)';
COMMENT ON COLUMN datasets.careq_events."received_at" IS 'when the receiver logged the call (UTC)';
COMMENT ON COLUMN datasets.careq_events."log_segment" IS 'receiver log segment holding the call (file name under raw/careq)';
COMMENT ON COLUMN datasets.careq_events."endpoint" IS 'endpoint called: patient, doctor, service, appointment, appointment/status, appointment/cancel, batch, health or unknown';
COMMENT ON COLUMN datasets.careq_events."method" IS 'HTTP method';
COMMENT ON COLUMN datasets.careq_events."path" IS 'request path, only for unknown endpoints';
COMMENT ON COLUMN datasets.careq_events."status" IS 'HTTP status answered';
COMMENT ON COLUMN datasets.careq_events."error_code" IS 'error code answered (AUTHENTICATION_FAILED, VALIDATION_ERROR, DUPLICATE_RECORD, RECORD_NOT_FOUND, INVALID_REQUEST, SERVER_ERROR, RATE_LIMIT_EXCEEDED)';
COMMENT ON COLUMN datasets.careq_events."idempotency_key" IS 'hex SHA-256 of clinic, endpoint and raw body: a CareQ retry carries the same key';
COMMENT ON COLUMN datasets.careq_events."body_bytes" IS 'size of the request body in bytes';
COMMENT ON COLUMN datasets.careq_events."body_sha256" IS 'hex SHA-256 of the raw request body';
COMMENT ON COLUMN datasets.careq_events."record_type" IS 'patient, doctor, service, appointment, appointment_status or appointment_cancel (single-record calls)';
COMMENT ON COLUMN datasets.careq_events."careq_id" IS 'careq_id of the record (the appointment''s for status and cancel calls)';
COMMENT ON COLUMN datasets.careq_events."internal_id" IS 'the receiver''s internal ID answered (data.id)';
COMMENT ON COLUMN datasets.careq_events."event_at" IS 'updated_at (cancelled_at for a cancellation) of the record, UTC';
COMMENT ON COLUMN datasets.careq_events."sync_status" IS 'created, updated, unchanged, stale_ignored or failed';
COMMENT ON COLUMN datasets.careq_events."appointment_status" IS 'the appointment''s status after the call';
COMMENT ON COLUMN datasets.careq_events."batch_id" IS 'batch_id of a batch call';
COMMENT ON COLUMN datasets.careq_events."batch_records" IS 'number of records in a batch call';
COMMENT ON COLUMN datasets.careq_events."batch_failed" IS 'number of records of a batch call that failed';
COMMENT ON COLUMN datasets.careq_events."clinic_id" IS 'partition column: the clinic the CareQ call was made for';
COMMENT ON COLUMN datasets.careq_events."event_month" IS 'partition column: the UTC month (YYYY-MM) the receiver logged the call (received_at), not the month of the appointment: filter appointments on start_date';

-- careq/patients
CREATE OR REPLACE VIEW datasets.careq_patients AS
SELECT * FROM read_parquet('careq/patients/clinic_id=*/event_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'clinic_id': VARCHAR, 'event_month': VARCHAR});
COMMENT ON VIEW datasets.careq_patients IS 'Every applied change to a CareQ patient, pseudonymised: no names, street addresses, raw phone numbers, e-mails or Aadhaar numbers.';
COMMENT ON COLUMN datasets.careq_patients."seq" IS 'sequence number of the call in the receiver''s log (increasing across segments and restarts)';
COMMENT ON COLUMN datasets.careq_patients."batch_index" IS 'position of the record in a batch call (0-based); NULL for a single-record call';
COMMENT ON COLUMN datasets.careq_patients."received_at" IS 'when the receiver logged the call (UTC)';
COMMENT ON COLUMN datasets.careq_patients."log_segment" IS 'receiver log segment holding the call (file name under raw/careq)';
COMMENT ON COLUMN datasets.careq_patients."careq_id" IS 'CareQ''s ID of the patient';
COMMENT ON COLUMN datasets.careq_patients."patient_id" IS 'the receiver''s internal ID of the patient (stable across retries and restarts)';
COMMENT ON COLUMN datasets.careq_patients."sync_status" IS 'what the change did: created or updated';
COMMENT ON COLUMN datasets.careq_patients."created_at" IS 'created_at as sent by CareQ (UTC)';
COMMENT ON COLUMN datasets.careq_patients."updated_at" IS 'updated_at as sent by CareQ (UTC); orders versions of the record';
COMMENT ON COLUMN datasets.careq_patients."email_pseudonym" IS 'keyed HMAC-SHA256 pseudonym of the lower-cased e-mail (hex)';
COMMENT ON COLUMN datasets.careq_patients."phone_pseudonym" IS 'keyed HMAC-SHA256 pseudonym of the 10-digit phone number (hex)';
COMMENT ON COLUMN datasets.careq_patients."aadhaar_pseudonym" IS 'keyed HMAC-SHA256 pseudonym of the 12 Aadhaar digits (hex)';
COMMENT ON COLUMN datasets.careq_patients."aadhaar_masked" IS 'Aadhaar masked as XXXX XXXX 1234';
COMMENT ON COLUMN datasets.careq_patients."birth_year" IS 'year of birth (the date of birth is not kept)';
COMMENT ON COLUMN datasets.careq_patients."gender" IS 'male, female or other';
COMMENT ON COLUMN datasets.careq_patients."city" IS 'city';
COMMENT ON COLUMN datasets.careq_patients."state" IS 'state';
COMMENT ON COLUMN datasets.careq_patients."zip_code" IS 'postal (zip) code';
COMMENT ON COLUMN datasets.careq_patients."timezone" IS 'IANA time zone, e.g. Asia/Kolkata';
COMMENT ON COLUMN datasets.careq_patients."language" IS 'language tag, e.g. en-US';
COMMENT ON COLUMN datasets.careq_patients."custom_field_1" IS 'free text; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_patients."custom_field_2" IS 'free text; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_patients."custom_field_3" IS 'free text; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_patients."custom_field_4" IS 'free text; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_patients."custom_field_5" IS 'free text; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_patients."notes" IS 'free text; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_patients."clinic_id" IS 'partition column: the clinic the CareQ call was made for';
COMMENT ON COLUMN datasets.careq_patients."event_month" IS 'partition column: the UTC month (YYYY-MM) the receiver logged the call (received_at), not the month of the appointment: filter appointments on start_date';

-- careq/doctors
CREATE OR REPLACE VIEW datasets.careq_doctors AS
SELECT * FROM read_parquet('careq/doctors/clinic_id=*/event_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'clinic_id': VARCHAR, 'event_month': VARCHAR});
COMMENT ON VIEW datasets.careq_doctors IS 'Every applied change to a CareQ doctor; professional name and specialisation kept, contact details pseudonymised.';
COMMENT ON COLUMN datasets.careq_doctors."seq" IS 'sequence number of the call in the receiver''s log (increasing across segments and restarts)';
COMMENT ON COLUMN datasets.careq_doctors."batch_index" IS 'position of the record in a batch call (0-based); NULL for a single-record call';
COMMENT ON COLUMN datasets.careq_doctors."received_at" IS 'when the receiver logged the call (UTC)';
COMMENT ON COLUMN datasets.careq_doctors."log_segment" IS 'receiver log segment holding the call (file name under raw/careq)';
COMMENT ON COLUMN datasets.careq_doctors."careq_id" IS 'CareQ''s ID of the doctor';
COMMENT ON COLUMN datasets.careq_doctors."doctor_id" IS 'the receiver''s internal ID of the doctor (stable across retries and restarts)';
COMMENT ON COLUMN datasets.careq_doctors."sync_status" IS 'what the change did: created or updated';
COMMENT ON COLUMN datasets.careq_doctors."created_at" IS 'created_at as sent by CareQ (UTC)';
COMMENT ON COLUMN datasets.careq_doctors."updated_at" IS 'updated_at as sent by CareQ (UTC); orders versions of the record';
COMMENT ON COLUMN datasets.careq_doctors."first_name" IS 'doctor''s first name as sent (professional name)';
COMMENT ON COLUMN datasets.careq_doctors."last_name" IS 'doctor''s last name as sent';
COMMENT ON COLUMN datasets.careq_doctors."specialization" IS 'specialty, e.g. Cardiology';
COMMENT ON COLUMN datasets.careq_doctors."email_pseudonym" IS 'keyed HMAC-SHA256 pseudonym of the lower-cased e-mail (hex)';
COMMENT ON COLUMN datasets.careq_doctors."phone_pseudonym" IS 'keyed HMAC-SHA256 pseudonym of the phone number (hex)';
COMMENT ON COLUMN datasets.careq_doctors."mobile_pseudonym" IS 'keyed HMAC-SHA256 pseudonym of the mobile number (hex)';
COMMENT ON COLUMN datasets.careq_doctors."is_private" IS 'whether the provider is private';
COMMENT ON COLUMN datasets.careq_doctors."city" IS 'city';
COMMENT ON COLUMN datasets.careq_doctors."state" IS 'state';
COMMENT ON COLUMN datasets.careq_doctors."zip_code" IS 'postal (zip) code';
COMMENT ON COLUMN datasets.careq_doctors."timezone" IS 'IANA time zone, e.g. Asia/Kolkata';
COMMENT ON COLUMN datasets.careq_doctors."language" IS 'language tag, e.g. en-US';
COMMENT ON COLUMN datasets.careq_doctors."notes" IS 'free text; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_doctors."clinic_id" IS 'partition column: the clinic the CareQ call was made for';
COMMENT ON COLUMN datasets.careq_doctors."event_month" IS 'partition column: the UTC month (YYYY-MM) the receiver logged the call (received_at), not the month of the appointment: filter appointments on start_date';

-- careq/services
CREATE OR REPLACE VIEW datasets.careq_services AS
SELECT * FROM read_parquet('careq/services/clinic_id=*/event_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'clinic_id': VARCHAR, 'event_month': VARCHAR});
COMMENT ON VIEW datasets.careq_services IS 'Every applied change to a CareQ service (treatment).';
COMMENT ON COLUMN datasets.careq_services."seq" IS 'sequence number of the call in the receiver''s log (increasing across segments and restarts)';
COMMENT ON COLUMN datasets.careq_services."batch_index" IS 'position of the record in a batch call (0-based); NULL for a single-record call';
COMMENT ON COLUMN datasets.careq_services."received_at" IS 'when the receiver logged the call (UTC)';
COMMENT ON COLUMN datasets.careq_services."log_segment" IS 'receiver log segment holding the call (file name under raw/careq)';
COMMENT ON COLUMN datasets.careq_services."careq_id" IS 'CareQ''s ID of the service';
COMMENT ON COLUMN datasets.careq_services."service_id" IS 'the receiver''s internal ID of the service (stable across retries and restarts)';
COMMENT ON COLUMN datasets.careq_services."sync_status" IS 'what the change did: created or updated';
COMMENT ON COLUMN datasets.careq_services."created_at" IS 'created_at as sent by CareQ (UTC)';
COMMENT ON COLUMN datasets.careq_services."updated_at" IS 'updated_at as sent by CareQ (UTC); orders versions of the record';
COMMENT ON COLUMN datasets.careq_services."name" IS 'service name';
COMMENT ON COLUMN datasets.careq_services."duration_minutes" IS 'duration in minutes';
COMMENT ON COLUMN datasets.careq_services."price" IS 'price in currency units';
COMMENT ON COLUMN datasets.careq_services."currency" IS 'currency code, e.g. INR';
COMMENT ON COLUMN datasets.careq_services."description" IS 'service description';
COMMENT ON COLUMN datasets.careq_services."location" IS 'where the service is given';
COMMENT ON COLUMN datasets.careq_services."color" IS 'hex colour code, e.g. #3498db';
COMMENT ON COLUMN datasets.careq_services."category" IS 'service category';
COMMENT ON COLUMN datasets.careq_services."is_private" IS 'whether the service is private';
COMMENT ON COLUMN datasets.careq_services."clinic_id" IS 'partition column: the clinic the CareQ call was made for';
COMMENT ON COLUMN datasets.careq_services."event_month" IS 'partition column: the UTC month (YYYY-MM) the receiver logged the call (received_at), not the month of the appointment: filter appointments on start_date';

-- careq/appointments
CREATE OR REPLACE VIEW datasets.careq_appointments AS
SELECT * FROM read_parquet('careq/appointments/clinic_id=*/event_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'clinic_id': VARCHAR, 'event_month': VARCHAR});
COMMENT ON VIEW datasets.careq_appointments IS 'Every applied change to a CareQ appointment: full records, status updates and cancellations, in log order.';
COMMENT ON COLUMN datasets.careq_appointments."seq" IS 'sequence number of the call in the receiver''s log (increasing across segments and restarts)';
COMMENT ON COLUMN datasets.careq_appointments."batch_index" IS 'position of the record in a batch call (0-based); NULL for a single-record call';
COMMENT ON COLUMN datasets.careq_appointments."received_at" IS 'when the receiver logged the call (UTC)';
COMMENT ON COLUMN datasets.careq_appointments."log_segment" IS 'receiver log segment holding the call (file name under raw/careq)';
COMMENT ON COLUMN datasets.careq_appointments."careq_id" IS 'CareQ''s ID of the appointment';
COMMENT ON COLUMN datasets.careq_appointments."appointment_id" IS 'the receiver''s internal ID of the appointment';
COMMENT ON COLUMN datasets.careq_appointments."change" IS 'record (a full appointment), status (a status update) or cancel (a cancellation)';
COMMENT ON COLUMN datasets.careq_appointments."sync_status" IS 'what the change did: created or updated';
COMMENT ON COLUMN datasets.careq_appointments."status" IS 'the appointment''s status after this change: booked, confirmed, cancelled, completed, no-show or rescheduled';
COMMENT ON COLUMN datasets.careq_appointments."event_at" IS 'when the change happened by CareQ''s clock: updated_at, or cancelled_at for a cancellation (UTC)';
COMMENT ON COLUMN datasets.careq_appointments."patient_careq_id" IS 'patient''s careq_id (full records)';
COMMENT ON COLUMN datasets.careq_appointments."doctor_careq_id" IS 'doctor''s careq_id (full records)';
COMMENT ON COLUMN datasets.careq_appointments."service_careq_id" IS 'service''s careq_id (full records)';
COMMENT ON COLUMN datasets.careq_appointments."book_datetime" IS 'when the booking was made (full records)';
COMMENT ON COLUMN datasets.careq_appointments."start_datetime" IS 'appointment start (full records)';
COMMENT ON COLUMN datasets.careq_appointments."start_date" IS 'UTC calendar date of start_datetime (full records): the day ratings are looked up for';
COMMENT ON COLUMN datasets.careq_appointments."end_datetime" IS 'appointment end (full records)';
COMMENT ON COLUMN datasets.careq_appointments."location" IS 'appointment location (full records)';
COMMENT ON COLUMN datasets.careq_appointments."color" IS 'hex colour code (full records)';
COMMENT ON COLUMN datasets.careq_appointments."hash" IS 'CareQ''s appointment hash (full records)';
COMMENT ON COLUMN datasets.careq_appointments."created_at" IS 'created_at as sent (full records)';
COMMENT ON COLUMN datasets.careq_appointments."cancelled_by" IS 'who cancelled (cancellations)';
COMMENT ON COLUMN datasets.careq_appointments."notes" IS 'free text; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_appointments."prescription" IS 'prescription as sent (text or JSON); NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_appointments."referred_by" IS 'referring doctor; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_appointments."referred_by_address" IS 'referring doctor''s address; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_appointments."cancellation_reason" IS 'free text; NULL unless the receiver keeps free text';
COMMENT ON COLUMN datasets.careq_appointments."clinic_id" IS 'partition column: the clinic the CareQ call was made for';
COMMENT ON COLUMN datasets.careq_appointments."event_month" IS 'partition column: the UTC month (YYYY-MM) the receiver logged the call (received_at), not the month of the appointment: filter appointments on start_date';

-- careq/rejects
CREATE OR REPLACE VIEW datasets.careq_rejects AS
SELECT * FROM read_parquet('careq/rejects/clinic_id=*/event_month=????-??/*.parquet', hive_partitioning = true, union_by_name = true, hive_types = {'clinic_id': VARCHAR, 'event_month': VARCHAR});
COMMENT ON VIEW datasets.careq_rejects IS 'Logged records the CareQ normalise stage could not turn into rows, or only in part, with the reason; the log segment still holds them.';
COMMENT ON COLUMN datasets.careq_rejects."seq" IS 'sequence number of the call in the receiver''s log (increasing across segments and restarts)';
COMMENT ON COLUMN datasets.careq_rejects."batch_index" IS 'position of the record in a batch call (0-based); NULL for a single-record call';
COMMENT ON COLUMN datasets.careq_rejects."received_at" IS 'when the receiver logged the call (UTC)';
COMMENT ON COLUMN datasets.careq_rejects."log_segment" IS 'receiver log segment holding the call (file name under raw/careq)';
COMMENT ON COLUMN datasets.careq_rejects."record_type" IS 'patient, doctor, service, appointment, appointment_status or appointment_cancel';
COMMENT ON COLUMN datasets.careq_rejects."careq_id" IS 'careq_id of the record, when it could be read';
COMMENT ON COLUMN datasets.careq_rejects."reason" IS 'why the record (or one of its values) could not be used';
COMMENT ON COLUMN datasets.careq_rejects."clinic_id" IS 'partition column: the clinic the CareQ call was made for';
COMMENT ON COLUMN datasets.careq_rejects."event_month" IS 'partition column: the UTC month (YYYY-MM) the receiver logged the call (received_at), not the month of the appointment: filter appointments on start_date';

-- cqc/locations: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_locations AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_locations_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_locations_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_locations_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_locations IS 'One row per CQC location: every scalar field of the latest good API body, typed, plus the overall rating in effect and a pointer into the raw archive. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/locations: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_locations_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_locations_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_locations_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_locations_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_locations_latest IS 'One row per CQC location: every scalar field of the latest good API body, typed, plus the overall rating in effect and a pointer into the raw archive. The newest snapshot.';

-- cqc/locations: the snapshot of a day
CREATE OR REPLACE MACRO cqc_locations_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_locations_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_locations_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_locations_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_locations_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_locations."location_id" IS 'API locationId (1-... or an NHS site code)';
COMMENT ON COLUMN datasets.cqc_locations."provider_id" IS 'API providerId of the provider running the location';
COMMENT ON COLUMN datasets.cqc_locations."organisation_type" IS 'API organisationType (Location)';
COMMENT ON COLUMN datasets.cqc_locations."type" IS 'API type (Social Care Org, Primary Dental Care, ...)';
COMMENT ON COLUMN datasets.cqc_locations."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_locations."also_known_as" IS 'API alsoKnownAs';
COMMENT ON COLUMN datasets.cqc_locations."brand_id" IS 'API brandId';
COMMENT ON COLUMN datasets.cqc_locations."brand_name" IS 'API brandName, verbatim (carries a literal ''BRAND '' prefix)';
COMMENT ON COLUMN datasets.cqc_locations."onspd_ccg_code" IS 'API onspdCcgCode (old CCG geography)';
COMMENT ON COLUMN datasets.cqc_locations."onspd_ccg_name" IS 'API onspdCcgName';
COMMENT ON COLUMN datasets.cqc_locations."ods_ccg_code" IS 'API odsCcgCode';
COMMENT ON COLUMN datasets.cqc_locations."ods_ccg_name" IS 'API odsCcgName';
COMMENT ON COLUMN datasets.cqc_locations."onspd_icb_code" IS 'API onspdIcbCode (Integrated Care Board geography)';
COMMENT ON COLUMN datasets.cqc_locations."onspd_icb_name" IS 'API onspdIcbName';
COMMENT ON COLUMN datasets.cqc_locations."ods_code" IS 'API odsCode';
COMMENT ON COLUMN datasets.cqc_locations."uprn" IS 'API uprn (a string of digits)';
COMMENT ON COLUMN datasets.cqc_locations."registration_status" IS 'API registrationStatus (Registered, Deregistered)';
COMMENT ON COLUMN datasets.cqc_locations."registration_date" IS 'API registrationDate';
COMMENT ON COLUMN datasets.cqc_locations."deregistration_date" IS 'API deregistrationDate';
COMMENT ON COLUMN datasets.cqc_locations."dormancy" IS 'API dormancy (Y, N)';
COMMENT ON COLUMN datasets.cqc_locations."dormancy_start_date" IS 'API dormancyStartDate';
COMMENT ON COLUMN datasets.cqc_locations."dormancy_end_date" IS 'API dormancyEndDate';
COMMENT ON COLUMN datasets.cqc_locations."number_of_beds" IS 'API numberOfBeds (0 for non-residential services)';
COMMENT ON COLUMN datasets.cqc_locations."website" IS 'API website (no scheme)';
COMMENT ON COLUMN datasets.cqc_locations."postal_address_line1" IS 'API postalAddressLine1';
COMMENT ON COLUMN datasets.cqc_locations."postal_address_line2" IS 'API postalAddressLine2';
COMMENT ON COLUMN datasets.cqc_locations."postal_address_town_city" IS 'API postalAddressTownCity';
COMMENT ON COLUMN datasets.cqc_locations."postal_address_county" IS 'API postalAddressCounty';
COMMENT ON COLUMN datasets.cqc_locations."postal_code" IS 'API postalCode';
COMMENT ON COLUMN datasets.cqc_locations."region" IS 'API region, CQC spelling (East, Yorkshire & Humberside, ...)';
COMMENT ON COLUMN datasets.cqc_locations."onspd_latitude" IS 'API onspdLatitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_locations."onspd_longitude" IS 'API onspdLongitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_locations."care_home" IS 'API careHome (Y, N)';
COMMENT ON COLUMN datasets.cqc_locations."inspection_directorate" IS 'API inspectionDirectorate';
COMMENT ON COLUMN datasets.cqc_locations."main_phone_number" IS 'API mainPhoneNumber';
COMMENT ON COLUMN datasets.cqc_locations."registered_manager_absent_date" IS 'API registeredManagerAbsentDate';
COMMENT ON COLUMN datasets.cqc_locations."constituency" IS 'API constituency';
COMMENT ON COLUMN datasets.cqc_locations."local_authority" IS 'API localAuthority';
COMMENT ON COLUMN datasets.cqc_locations."location_types" IS 'API locationTypes[].type joined with ''; ''; NULL when the list is empty';
COMMENT ON COLUMN datasets.cqc_locations."last_inspection_date" IS 'API lastInspection.date';
COMMENT ON COLUMN datasets.cqc_locations."last_report_publication_date" IS 'API lastReport.publicationDate';
COMMENT ON COLUMN datasets.cqc_locations."current_ratings_report_date" IS 'API currentRatings.reportDate';
COMMENT ON COLUMN datasets.cqc_locations."overall_rating" IS 'overall rating in effect, verbatim (the newer of currentRatings.overall and the assessment block); for a deregistered organisation the one it held when deregistered (its rating rows are no longer in effect); NULL when never rated';
COMMENT ON COLUMN datasets.cqc_locations."overall_rating_category" IS 'overall_rating classified: outstanding, good, requires_improvement, inadequate, inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate or unknown';
COMMENT ON COLUMN datasets.cqc_locations."overall_rating_date" IS 'report date of the overall rating in effect (for an assessment, the date it was published)';
COMMENT ON COLUMN datasets.cqc_locations."overall_rating_report_link_id" IS 'reportLinkId of the overall rating in effect (NULL for assessments)';
COMMENT ON COLUMN datasets.cqc_locations."overall_rating_organisation_id" IS 'organisationId on the overall rating in effect: the predecessor it is inherited from';
COMMENT ON COLUMN datasets.cqc_locations."overall_rating_inherited" IS 'true when the overall rating in effect carries an organisationId (inherited from a predecessor); NULL when there is no overall rating';
COMMENT ON COLUMN datasets.cqc_locations."overall_rating_source" IS 'where the overall rating in effect comes from: currentRatings or assessment';
COMMENT ON COLUMN datasets.cqc_locations."unpublished_report_count" IS 'number of API unpublishedReports (inspections whose report is not yet published)';
COMMENT ON COLUMN datasets.cqc_locations."latest_unpublished_first_visit_date" IS 'latest firstVisitDate among unpublishedReports';
COMMENT ON COLUMN datasets.cqc_locations."fetched_at" IS 'when the API response this row comes from arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_locations."api_gone_at" IS 'when the API later answered 404 for this ID (the organisation disappeared from the API; the row is the last body it served); NULL while it is served';
COMMENT ON COLUMN datasets.cqc_locations."archive_segment" IS 'raw archive segment holding the response, relative to the warehouse root (raw/cqc/date=.../....jsonl.zst)';
COMMENT ON COLUMN datasets.cqc_locations."archive_seq" IS 'sequence number of the response within its archive segment (the seq field of the JSON line)';
COMMENT ON COLUMN datasets.cqc_locations."left_scope_at" IS 'when a filtered scope''s changes run found this location outside its filters (e.g. moved local authority): the fetch time of that body; the row is the last body fetched before it, inside them, no longer kept fresh; NULL while in scope and for every location of an unfiltered scope';
COMMENT ON COLUMN datasets.cqc_locations."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_locations_latest."location_id" IS 'API locationId (1-... or an NHS site code)';
COMMENT ON COLUMN datasets.cqc_locations_latest."provider_id" IS 'API providerId of the provider running the location';
COMMENT ON COLUMN datasets.cqc_locations_latest."organisation_type" IS 'API organisationType (Location)';
COMMENT ON COLUMN datasets.cqc_locations_latest."type" IS 'API type (Social Care Org, Primary Dental Care, ...)';
COMMENT ON COLUMN datasets.cqc_locations_latest."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_locations_latest."also_known_as" IS 'API alsoKnownAs';
COMMENT ON COLUMN datasets.cqc_locations_latest."brand_id" IS 'API brandId';
COMMENT ON COLUMN datasets.cqc_locations_latest."brand_name" IS 'API brandName, verbatim (carries a literal ''BRAND '' prefix)';
COMMENT ON COLUMN datasets.cqc_locations_latest."onspd_ccg_code" IS 'API onspdCcgCode (old CCG geography)';
COMMENT ON COLUMN datasets.cqc_locations_latest."onspd_ccg_name" IS 'API onspdCcgName';
COMMENT ON COLUMN datasets.cqc_locations_latest."ods_ccg_code" IS 'API odsCcgCode';
COMMENT ON COLUMN datasets.cqc_locations_latest."ods_ccg_name" IS 'API odsCcgName';
COMMENT ON COLUMN datasets.cqc_locations_latest."onspd_icb_code" IS 'API onspdIcbCode (Integrated Care Board geography)';
COMMENT ON COLUMN datasets.cqc_locations_latest."onspd_icb_name" IS 'API onspdIcbName';
COMMENT ON COLUMN datasets.cqc_locations_latest."ods_code" IS 'API odsCode';
COMMENT ON COLUMN datasets.cqc_locations_latest."uprn" IS 'API uprn (a string of digits)';
COMMENT ON COLUMN datasets.cqc_locations_latest."registration_status" IS 'API registrationStatus (Registered, Deregistered)';
COMMENT ON COLUMN datasets.cqc_locations_latest."registration_date" IS 'API registrationDate';
COMMENT ON COLUMN datasets.cqc_locations_latest."deregistration_date" IS 'API deregistrationDate';
COMMENT ON COLUMN datasets.cqc_locations_latest."dormancy" IS 'API dormancy (Y, N)';
COMMENT ON COLUMN datasets.cqc_locations_latest."dormancy_start_date" IS 'API dormancyStartDate';
COMMENT ON COLUMN datasets.cqc_locations_latest."dormancy_end_date" IS 'API dormancyEndDate';
COMMENT ON COLUMN datasets.cqc_locations_latest."number_of_beds" IS 'API numberOfBeds (0 for non-residential services)';
COMMENT ON COLUMN datasets.cqc_locations_latest."website" IS 'API website (no scheme)';
COMMENT ON COLUMN datasets.cqc_locations_latest."postal_address_line1" IS 'API postalAddressLine1';
COMMENT ON COLUMN datasets.cqc_locations_latest."postal_address_line2" IS 'API postalAddressLine2';
COMMENT ON COLUMN datasets.cqc_locations_latest."postal_address_town_city" IS 'API postalAddressTownCity';
COMMENT ON COLUMN datasets.cqc_locations_latest."postal_address_county" IS 'API postalAddressCounty';
COMMENT ON COLUMN datasets.cqc_locations_latest."postal_code" IS 'API postalCode';
COMMENT ON COLUMN datasets.cqc_locations_latest."region" IS 'API region, CQC spelling (East, Yorkshire & Humberside, ...)';
COMMENT ON COLUMN datasets.cqc_locations_latest."onspd_latitude" IS 'API onspdLatitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_locations_latest."onspd_longitude" IS 'API onspdLongitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_locations_latest."care_home" IS 'API careHome (Y, N)';
COMMENT ON COLUMN datasets.cqc_locations_latest."inspection_directorate" IS 'API inspectionDirectorate';
COMMENT ON COLUMN datasets.cqc_locations_latest."main_phone_number" IS 'API mainPhoneNumber';
COMMENT ON COLUMN datasets.cqc_locations_latest."registered_manager_absent_date" IS 'API registeredManagerAbsentDate';
COMMENT ON COLUMN datasets.cqc_locations_latest."constituency" IS 'API constituency';
COMMENT ON COLUMN datasets.cqc_locations_latest."local_authority" IS 'API localAuthority';
COMMENT ON COLUMN datasets.cqc_locations_latest."location_types" IS 'API locationTypes[].type joined with ''; ''; NULL when the list is empty';
COMMENT ON COLUMN datasets.cqc_locations_latest."last_inspection_date" IS 'API lastInspection.date';
COMMENT ON COLUMN datasets.cqc_locations_latest."last_report_publication_date" IS 'API lastReport.publicationDate';
COMMENT ON COLUMN datasets.cqc_locations_latest."current_ratings_report_date" IS 'API currentRatings.reportDate';
COMMENT ON COLUMN datasets.cqc_locations_latest."overall_rating" IS 'overall rating in effect, verbatim (the newer of currentRatings.overall and the assessment block); for a deregistered organisation the one it held when deregistered (its rating rows are no longer in effect); NULL when never rated';
COMMENT ON COLUMN datasets.cqc_locations_latest."overall_rating_category" IS 'overall_rating classified: outstanding, good, requires_improvement, inadequate, inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate or unknown';
COMMENT ON COLUMN datasets.cqc_locations_latest."overall_rating_date" IS 'report date of the overall rating in effect (for an assessment, the date it was published)';
COMMENT ON COLUMN datasets.cqc_locations_latest."overall_rating_report_link_id" IS 'reportLinkId of the overall rating in effect (NULL for assessments)';
COMMENT ON COLUMN datasets.cqc_locations_latest."overall_rating_organisation_id" IS 'organisationId on the overall rating in effect: the predecessor it is inherited from';
COMMENT ON COLUMN datasets.cqc_locations_latest."overall_rating_inherited" IS 'true when the overall rating in effect carries an organisationId (inherited from a predecessor); NULL when there is no overall rating';
COMMENT ON COLUMN datasets.cqc_locations_latest."overall_rating_source" IS 'where the overall rating in effect comes from: currentRatings or assessment';
COMMENT ON COLUMN datasets.cqc_locations_latest."unpublished_report_count" IS 'number of API unpublishedReports (inspections whose report is not yet published)';
COMMENT ON COLUMN datasets.cqc_locations_latest."latest_unpublished_first_visit_date" IS 'latest firstVisitDate among unpublishedReports';
COMMENT ON COLUMN datasets.cqc_locations_latest."fetched_at" IS 'when the API response this row comes from arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_locations_latest."api_gone_at" IS 'when the API later answered 404 for this ID (the organisation disappeared from the API; the row is the last body it served); NULL while it is served';
COMMENT ON COLUMN datasets.cqc_locations_latest."archive_segment" IS 'raw archive segment holding the response, relative to the warehouse root (raw/cqc/date=.../....jsonl.zst)';
COMMENT ON COLUMN datasets.cqc_locations_latest."archive_seq" IS 'sequence number of the response within its archive segment (the seq field of the JSON line)';
COMMENT ON COLUMN datasets.cqc_locations_latest."left_scope_at" IS 'when a filtered scope''s changes run found this location outside its filters (e.g. moved local authority): the fetch time of that body; the row is the last body fetched before it, inside them, no longer kept fresh; NULL while in scope and for every location of an unfiltered scope';
COMMENT ON COLUMN datasets.cqc_locations_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/providers: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_providers AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_providers_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_providers_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_providers_stored s ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_providers IS 'One row per CQC provider: every scalar field of the latest good API body, typed, with contacts reduced to a count and roles. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/providers: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_providers_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_providers_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_providers_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_providers_stored s
SEMI JOIN v ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_providers_latest IS 'One row per CQC provider: every scalar field of the latest good API body, typed, with contacts reduced to a count and roles. The newest snapshot.';

-- cqc/providers: the snapshot of a day
CREATE OR REPLACE MACRO cqc_providers_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_providers_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_providers_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_providers_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_providers_stored s
SEMI JOIN v ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_providers."provider_id" IS 'API providerId (1-... or an ODS code such as RL4)';
COMMENT ON COLUMN datasets.cqc_providers."organisation_type" IS 'API organisationType (Provider)';
COMMENT ON COLUMN datasets.cqc_providers."ownership_type" IS 'API ownershipType (Organisation, NHS Body, Individual, Partnership)';
COMMENT ON COLUMN datasets.cqc_providers."type" IS 'API type';
COMMENT ON COLUMN datasets.cqc_providers."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_providers."also_known_as" IS 'API alsoKnownAs';
COMMENT ON COLUMN datasets.cqc_providers."brand_id" IS 'API brandId';
COMMENT ON COLUMN datasets.cqc_providers."brand_name" IS 'API brandName, verbatim';
COMMENT ON COLUMN datasets.cqc_providers."ods_code" IS 'API odsCode';
COMMENT ON COLUMN datasets.cqc_providers."registration_status" IS 'API registrationStatus (Registered, Deregistered)';
COMMENT ON COLUMN datasets.cqc_providers."registration_date" IS 'API registrationDate';
COMMENT ON COLUMN datasets.cqc_providers."deregistration_date" IS 'API deregistrationDate';
COMMENT ON COLUMN datasets.cqc_providers."companies_house_number" IS 'API companiesHouseNumber (a string: leading zeros kept)';
COMMENT ON COLUMN datasets.cqc_providers."charity_number" IS 'API charityNumber';
COMMENT ON COLUMN datasets.cqc_providers."website" IS 'API website';
COMMENT ON COLUMN datasets.cqc_providers."main_phone_number" IS 'API mainPhoneNumber';
COMMENT ON COLUMN datasets.cqc_providers."uprn" IS 'API uprn';
COMMENT ON COLUMN datasets.cqc_providers."postal_address_line1" IS 'API postalAddressLine1';
COMMENT ON COLUMN datasets.cqc_providers."postal_address_line2" IS 'API postalAddressLine2';
COMMENT ON COLUMN datasets.cqc_providers."postal_address_town_city" IS 'API postalAddressTownCity';
COMMENT ON COLUMN datasets.cqc_providers."postal_address_county" IS 'API postalAddressCounty';
COMMENT ON COLUMN datasets.cqc_providers."postal_code" IS 'API postalCode';
COMMENT ON COLUMN datasets.cqc_providers."region" IS 'API region, CQC spelling (East, Yorkshire & Humberside, ...)';
COMMENT ON COLUMN datasets.cqc_providers."onspd_latitude" IS 'API onspdLatitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_providers."onspd_longitude" IS 'API onspdLongitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_providers."onspd_icb_code" IS 'API onspdIcbCode';
COMMENT ON COLUMN datasets.cqc_providers."onspd_icb_name" IS 'API onspdIcbName';
COMMENT ON COLUMN datasets.cqc_providers."constituency" IS 'API constituency';
COMMENT ON COLUMN datasets.cqc_providers."local_authority" IS 'API localAuthority';
COMMENT ON COLUMN datasets.cqc_providers."inspection_directorate" IS 'API inspectionDirectorate';
COMMENT ON COLUMN datasets.cqc_providers."last_inspection_date" IS 'API lastInspection.date';
COMMENT ON COLUMN datasets.cqc_providers."last_report_publication_date" IS 'API lastReport.publicationDate';
COMMENT ON COLUMN datasets.cqc_providers."location_count" IS 'number of API locationIds (deregistered locations included); the IDs are in provider_locations';
COMMENT ON COLUMN datasets.cqc_providers."contact_count" IS 'number of API contacts (names are personal data and not kept)';
COMMENT ON COLUMN datasets.cqc_providers."contact_roles" IS 'distinct personRoles of the contacts, sorted, joined with ''; ''';
COMMENT ON COLUMN datasets.cqc_providers."current_ratings_report_date" IS 'API currentRatings.reportDate';
COMMENT ON COLUMN datasets.cqc_providers."overall_rating" IS 'overall rating in effect, verbatim (the newer of currentRatings.overall and the assessment block); for a deregistered organisation the one it held when deregistered (its rating rows are no longer in effect); NULL when never rated';
COMMENT ON COLUMN datasets.cqc_providers."overall_rating_category" IS 'overall_rating classified: outstanding, good, requires_improvement, inadequate, inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate or unknown';
COMMENT ON COLUMN datasets.cqc_providers."overall_rating_date" IS 'report date of the overall rating in effect (for an assessment, the date it was published)';
COMMENT ON COLUMN datasets.cqc_providers."overall_rating_report_link_id" IS 'reportLinkId of the overall rating in effect (NULL for assessments)';
COMMENT ON COLUMN datasets.cqc_providers."overall_rating_organisation_id" IS 'organisationId on the overall rating in effect: the predecessor it is inherited from';
COMMENT ON COLUMN datasets.cqc_providers."overall_rating_inherited" IS 'true when the overall rating in effect carries an organisationId (inherited from a predecessor); NULL when there is no overall rating';
COMMENT ON COLUMN datasets.cqc_providers."unpublished_report_count" IS 'number of API unpublishedReports (inspections whose report is not yet published)';
COMMENT ON COLUMN datasets.cqc_providers."latest_unpublished_first_visit_date" IS 'latest firstVisitDate among unpublishedReports';
COMMENT ON COLUMN datasets.cqc_providers."fetched_at" IS 'when the API response this row comes from arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_providers."api_gone_at" IS 'when the API later answered 404 for this ID (the organisation disappeared from the API; the row is the last body it served); NULL while it is served';
COMMENT ON COLUMN datasets.cqc_providers."archive_segment" IS 'raw archive segment holding the response, relative to the warehouse root (raw/cqc/date=.../....jsonl.zst)';
COMMENT ON COLUMN datasets.cqc_providers."archive_seq" IS 'sequence number of the response within its archive segment (the seq field of the JSON line)';
COMMENT ON COLUMN datasets.cqc_providers."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_providers_latest."provider_id" IS 'API providerId (1-... or an ODS code such as RL4)';
COMMENT ON COLUMN datasets.cqc_providers_latest."organisation_type" IS 'API organisationType (Provider)';
COMMENT ON COLUMN datasets.cqc_providers_latest."ownership_type" IS 'API ownershipType (Organisation, NHS Body, Individual, Partnership)';
COMMENT ON COLUMN datasets.cqc_providers_latest."type" IS 'API type';
COMMENT ON COLUMN datasets.cqc_providers_latest."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_providers_latest."also_known_as" IS 'API alsoKnownAs';
COMMENT ON COLUMN datasets.cqc_providers_latest."brand_id" IS 'API brandId';
COMMENT ON COLUMN datasets.cqc_providers_latest."brand_name" IS 'API brandName, verbatim';
COMMENT ON COLUMN datasets.cqc_providers_latest."ods_code" IS 'API odsCode';
COMMENT ON COLUMN datasets.cqc_providers_latest."registration_status" IS 'API registrationStatus (Registered, Deregistered)';
COMMENT ON COLUMN datasets.cqc_providers_latest."registration_date" IS 'API registrationDate';
COMMENT ON COLUMN datasets.cqc_providers_latest."deregistration_date" IS 'API deregistrationDate';
COMMENT ON COLUMN datasets.cqc_providers_latest."companies_house_number" IS 'API companiesHouseNumber (a string: leading zeros kept)';
COMMENT ON COLUMN datasets.cqc_providers_latest."charity_number" IS 'API charityNumber';
COMMENT ON COLUMN datasets.cqc_providers_latest."website" IS 'API website';
COMMENT ON COLUMN datasets.cqc_providers_latest."main_phone_number" IS 'API mainPhoneNumber';
COMMENT ON COLUMN datasets.cqc_providers_latest."uprn" IS 'API uprn';
COMMENT ON COLUMN datasets.cqc_providers_latest."postal_address_line1" IS 'API postalAddressLine1';
COMMENT ON COLUMN datasets.cqc_providers_latest."postal_address_line2" IS 'API postalAddressLine2';
COMMENT ON COLUMN datasets.cqc_providers_latest."postal_address_town_city" IS 'API postalAddressTownCity';
COMMENT ON COLUMN datasets.cqc_providers_latest."postal_address_county" IS 'API postalAddressCounty';
COMMENT ON COLUMN datasets.cqc_providers_latest."postal_code" IS 'API postalCode';
COMMENT ON COLUMN datasets.cqc_providers_latest."region" IS 'API region, CQC spelling (East, Yorkshire & Humberside, ...)';
COMMENT ON COLUMN datasets.cqc_providers_latest."onspd_latitude" IS 'API onspdLatitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_providers_latest."onspd_longitude" IS 'API onspdLongitude (WGS84 degrees)';
COMMENT ON COLUMN datasets.cqc_providers_latest."onspd_icb_code" IS 'API onspdIcbCode';
COMMENT ON COLUMN datasets.cqc_providers_latest."onspd_icb_name" IS 'API onspdIcbName';
COMMENT ON COLUMN datasets.cqc_providers_latest."constituency" IS 'API constituency';
COMMENT ON COLUMN datasets.cqc_providers_latest."local_authority" IS 'API localAuthority';
COMMENT ON COLUMN datasets.cqc_providers_latest."inspection_directorate" IS 'API inspectionDirectorate';
COMMENT ON COLUMN datasets.cqc_providers_latest."last_inspection_date" IS 'API lastInspection.date';
COMMENT ON COLUMN datasets.cqc_providers_latest."last_report_publication_date" IS 'API lastReport.publicationDate';
COMMENT ON COLUMN datasets.cqc_providers_latest."location_count" IS 'number of API locationIds (deregistered locations included); the IDs are in provider_locations';
COMMENT ON COLUMN datasets.cqc_providers_latest."contact_count" IS 'number of API contacts (names are personal data and not kept)';
COMMENT ON COLUMN datasets.cqc_providers_latest."contact_roles" IS 'distinct personRoles of the contacts, sorted, joined with ''; ''';
COMMENT ON COLUMN datasets.cqc_providers_latest."current_ratings_report_date" IS 'API currentRatings.reportDate';
COMMENT ON COLUMN datasets.cqc_providers_latest."overall_rating" IS 'overall rating in effect, verbatim (the newer of currentRatings.overall and the assessment block); for a deregistered organisation the one it held when deregistered (its rating rows are no longer in effect); NULL when never rated';
COMMENT ON COLUMN datasets.cqc_providers_latest."overall_rating_category" IS 'overall_rating classified: outstanding, good, requires_improvement, inadequate, inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate or unknown';
COMMENT ON COLUMN datasets.cqc_providers_latest."overall_rating_date" IS 'report date of the overall rating in effect (for an assessment, the date it was published)';
COMMENT ON COLUMN datasets.cqc_providers_latest."overall_rating_report_link_id" IS 'reportLinkId of the overall rating in effect (NULL for assessments)';
COMMENT ON COLUMN datasets.cqc_providers_latest."overall_rating_organisation_id" IS 'organisationId on the overall rating in effect: the predecessor it is inherited from';
COMMENT ON COLUMN datasets.cqc_providers_latest."overall_rating_inherited" IS 'true when the overall rating in effect carries an organisationId (inherited from a predecessor); NULL when there is no overall rating';
COMMENT ON COLUMN datasets.cqc_providers_latest."unpublished_report_count" IS 'number of API unpublishedReports (inspections whose report is not yet published)';
COMMENT ON COLUMN datasets.cqc_providers_latest."latest_unpublished_first_visit_date" IS 'latest firstVisitDate among unpublishedReports';
COMMENT ON COLUMN datasets.cqc_providers_latest."fetched_at" IS 'when the API response this row comes from arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_providers_latest."api_gone_at" IS 'when the API later answered 404 for this ID (the organisation disappeared from the API; the row is the last body it served); NULL while it is served';
COMMENT ON COLUMN datasets.cqc_providers_latest."archive_segment" IS 'raw archive segment holding the response, relative to the warehouse root (raw/cqc/date=.../....jsonl.zst)';
COMMENT ON COLUMN datasets.cqc_providers_latest."archive_seq" IS 'sequence number of the response within its archive segment (the seq field of the JSON line)';
COMMENT ON COLUMN datasets.cqc_providers_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/location_ratings: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_location_ratings AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_ratings_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_location_ratings_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_location_ratings_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_location_ratings IS 'Current ratings of each location, one row per location and rating: overall, key questions (matched by name), services, and Single Assessment Framework ratings marked as such. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/location_ratings: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_location_ratings_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_ratings_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_ratings_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_location_ratings_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_location_ratings_latest IS 'Current ratings of each location, one row per location and rating: overall, key questions (matched by name), services, and Single Assessment Framework ratings marked as such. The newest snapshot.';

-- cqc/location_ratings: the snapshot of a day
CREATE OR REPLACE MACRO cqc_location_ratings_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_ratings_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_ratings_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_ratings_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_location_ratings_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_location_ratings."location_id" IS 'location the rating belongs to';
COMMENT ON COLUMN datasets.cqc_location_ratings."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_location_ratings."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_location_ratings."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_location_ratings."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_location_ratings."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_location_ratings."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_location_ratings."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_location_ratings."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_location_ratings."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_location_ratings."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_location_ratings."status" IS 'assessment status verbatim (SAF only)';
COMMENT ON COLUMN datasets.cqc_location_ratings."percentage_score" IS 'assessment key question percentageScore (SAF only; a string in the API)';
COMMENT ON COLUMN datasets.cqc_location_ratings."assessment_plan_id" IS 'assessmentPlanId of an assessment group rating (SAF only)';
COMMENT ON COLUMN datasets.cqc_location_ratings."in_effect" IS 'true for the rating in effect for its parent_name and name: the newest report_date, an assessment winning a tie with a legacy rating; false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_location_ratings."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."location_id" IS 'location the rating belongs to';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."status" IS 'assessment status verbatim (SAF only)';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."percentage_score" IS 'assessment key question percentageScore (SAF only; a string in the API)';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."assessment_plan_id" IS 'assessmentPlanId of an assessment group rating (SAF only)';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."in_effect" IS 'true for the rating in effect for its parent_name and name: the newest report_date, an assessment winning a tie with a legacy rating; false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_location_ratings_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/location_rating_history: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_location_rating_history AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_rating_history_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_location_rating_history_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_location_rating_history_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_location_rating_history IS 'Rating timeline of each location: historicRatings plus every current rating, one row per location, rating name and report, with its validity period. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/location_rating_history: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_location_rating_history_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_rating_history_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_rating_history_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_location_rating_history_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_location_rating_history_latest IS 'Rating timeline of each location: historicRatings plus every current rating, one row per location, rating name and report, with its validity period. The newest snapshot.';

-- cqc/location_rating_history: the snapshot of a day
CREATE OR REPLACE MACRO cqc_location_rating_history_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_rating_history_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_rating_history_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_rating_history_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_location_rating_history_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_location_rating_history."location_id" IS 'location the rating belongs to';
COMMENT ON COLUMN datasets.cqc_location_rating_history."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_location_rating_history."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_location_rating_history."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_location_rating_history."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_location_rating_history."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_location_rating_history."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_location_rating_history."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_location_rating_history."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_location_rating_history."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_location_rating_history."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_location_rating_history."source" IS 'where the API lists the rating: currentRatings, historicRatings or assessment';
COMMENT ON COLUMN datasets.cqc_location_rating_history."valid_from" IS 'start of the rating''s period: its report_date';
COMMENT ON COLUMN datasets.cqc_location_rating_history."valid_to" IS 'end (exclusive) of the period: the next newer report_date for the same organisation, parent_name and name, or the deregistration date of a deregistered organisation, whichever is first; NULL for the rating in effect';
COMMENT ON COLUMN datasets.cqc_location_rating_history."is_current" IS 'true for the rating in effect now (valid_to is NULL and the API lists it as current); false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_location_rating_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."location_id" IS 'location the rating belongs to';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."source" IS 'where the API lists the rating: currentRatings, historicRatings or assessment';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."valid_from" IS 'start of the rating''s period: its report_date';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."valid_to" IS 'end (exclusive) of the period: the next newer report_date for the same organisation, parent_name and name, or the deregistration date of a deregistered organisation, whichever is first; NULL for the rating in effect';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."is_current" IS 'true for the rating in effect now (valid_to is NULL and the API lists it as current); false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_location_rating_history_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/provider_ratings: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_provider_ratings AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_ratings_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_provider_ratings_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_provider_ratings_stored s ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_provider_ratings IS 'Current ratings of each provider (mainly NHS trusts), one row per provider and rating. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/provider_ratings: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_provider_ratings_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_ratings_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_ratings_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_provider_ratings_stored s
SEMI JOIN v ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_provider_ratings_latest IS 'Current ratings of each provider (mainly NHS trusts), one row per provider and rating. The newest snapshot.';

-- cqc/provider_ratings: the snapshot of a day
CREATE OR REPLACE MACRO cqc_provider_ratings_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_ratings_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_ratings_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_ratings_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_provider_ratings_stored s
SEMI JOIN v ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_provider_ratings."provider_id" IS 'provider the rating belongs to';
COMMENT ON COLUMN datasets.cqc_provider_ratings."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_provider_ratings."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_provider_ratings."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_provider_ratings."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_provider_ratings."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_provider_ratings."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_provider_ratings."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_provider_ratings."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_provider_ratings."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_provider_ratings."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_provider_ratings."status" IS 'assessment status verbatim (SAF only)';
COMMENT ON COLUMN datasets.cqc_provider_ratings."percentage_score" IS 'assessment key question percentageScore (SAF only; a string in the API)';
COMMENT ON COLUMN datasets.cqc_provider_ratings."assessment_plan_id" IS 'assessmentPlanId of an assessment group rating (SAF only)';
COMMENT ON COLUMN datasets.cqc_provider_ratings."in_effect" IS 'true for the rating in effect for its parent_name and name: the newest report_date, an assessment winning a tie with a legacy rating; false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_provider_ratings."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."provider_id" IS 'provider the rating belongs to';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."status" IS 'assessment status verbatim (SAF only)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."percentage_score" IS 'assessment key question percentageScore (SAF only; a string in the API)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."assessment_plan_id" IS 'assessmentPlanId of an assessment group rating (SAF only)';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."in_effect" IS 'true for the rating in effect for its parent_name and name: the newest report_date, an assessment winning a tie with a legacy rating; false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_provider_ratings_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/provider_rating_history: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_provider_rating_history AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_rating_history_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_provider_rating_history_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_provider_rating_history_stored s ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_provider_rating_history IS 'Rating timeline of each provider: historicRatings plus current ratings, with validity periods. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/provider_rating_history: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_provider_rating_history_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_rating_history_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_rating_history_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_provider_rating_history_stored s
SEMI JOIN v ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_provider_rating_history_latest IS 'Rating timeline of each provider: historicRatings plus current ratings, with validity periods. The newest snapshot.';

-- cqc/provider_rating_history: the snapshot of a day
CREATE OR REPLACE MACRO cqc_provider_rating_history_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_rating_history_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_rating_history_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_rating_history_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_provider_rating_history_stored s
SEMI JOIN v ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_provider_rating_history."provider_id" IS 'provider the rating belongs to';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."source" IS 'where the API lists the rating: currentRatings, historicRatings or assessment';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."valid_from" IS 'start of the rating''s period: its report_date';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."valid_to" IS 'end (exclusive) of the period: the next newer report_date for the same organisation, parent_name and name, or the deregistration date of a deregistered organisation, whichever is first; NULL for the rating in effect';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."is_current" IS 'true for the rating in effect now (valid_to is NULL and the API lists it as current); false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_provider_rating_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."provider_id" IS 'provider the rating belongs to';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."source" IS 'where the API lists the rating: currentRatings, historicRatings or assessment';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."valid_from" IS 'start of the rating''s period: its report_date';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."valid_to" IS 'end (exclusive) of the period: the next newer report_date for the same organisation, parent_name and name, or the deregistration date of a deregistered organisation, whichever is first; NULL for the rating in effect';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."is_current" IS 'true for the rating in effect now (valid_to is NULL and the API lists it as current); false for every rating of a deregistered organisation';
COMMENT ON COLUMN datasets.cqc_provider_rating_history_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/reports: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_reports AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_reports_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_reports_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_reports_stored s ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_reports IS 'Inspection reports listed by locations and providers (API reports[]); inherited ratings point here through report_link_id = link_id of the predecessor. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/reports: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_reports_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_reports_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_reports_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_reports_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_reports_latest IS 'Inspection reports listed by locations and providers (API reports[]); inherited ratings point here through report_link_id = link_id of the predecessor. The newest snapshot.';

-- cqc/reports: the snapshot of a day
CREATE OR REPLACE MACRO cqc_reports_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_reports_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_reports_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_reports_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_reports_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_reports."organisation_type" IS 'location or provider: whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_reports."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_reports."link_id" IS 'API linkId (what ratings'' reportLinkId refers to)';
COMMENT ON COLUMN datasets.cqc_reports."report_date" IS 'API reportDate';
COMMENT ON COLUMN datasets.cqc_reports."first_visit_date" IS 'API firstVisitDate';
COMMENT ON COLUMN datasets.cqc_reports."report_uri" IS 'API reportUri, verbatim (relative to the API base; may end in ?YYYYMMDDhhmmss)';
COMMENT ON COLUMN datasets.cqc_reports."report_type" IS 'API reportType (Location, Provider, CoreService); NULL on old reports';
COMMENT ON COLUMN datasets.cqc_reports."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_reports_latest."organisation_type" IS 'location or provider: whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_reports_latest."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_reports_latest."link_id" IS 'API linkId (what ratings'' reportLinkId refers to)';
COMMENT ON COLUMN datasets.cqc_reports_latest."report_date" IS 'API reportDate';
COMMENT ON COLUMN datasets.cqc_reports_latest."first_visit_date" IS 'API firstVisitDate';
COMMENT ON COLUMN datasets.cqc_reports_latest."report_uri" IS 'API reportUri, verbatim (relative to the API base; may end in ?YYYYMMDDhhmmss)';
COMMENT ON COLUMN datasets.cqc_reports_latest."report_type" IS 'API reportType (Location, Provider, CoreService); NULL on old reports';
COMMENT ON COLUMN datasets.cqc_reports_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/report_related_documents: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_report_related_documents AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_related_documents_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_report_related_documents_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_report_related_documents_stored s ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_report_related_documents IS 'Documents related to a report (API reports[].relatedDocuments), e.g. Use of Resources. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/report_related_documents: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_report_related_documents_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_related_documents_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_related_documents_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_report_related_documents_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_report_related_documents_latest IS 'Documents related to a report (API reports[].relatedDocuments), e.g. Use of Resources. The newest snapshot.';

-- cqc/report_related_documents: the snapshot of a day
CREATE OR REPLACE MACRO cqc_report_related_documents_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_related_documents_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_related_documents_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_related_documents_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_report_related_documents_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_report_related_documents."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_report_related_documents."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_report_related_documents."link_id" IS 'the report''s linkId';
COMMENT ON COLUMN datasets.cqc_report_related_documents."document_type" IS 'API documentType';
COMMENT ON COLUMN datasets.cqc_report_related_documents."document_uri" IS 'API documentUri (relative to the API base)';
COMMENT ON COLUMN datasets.cqc_report_related_documents."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_report_related_documents_latest."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_report_related_documents_latest."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_report_related_documents_latest."link_id" IS 'the report''s linkId';
COMMENT ON COLUMN datasets.cqc_report_related_documents_latest."document_type" IS 'API documentType';
COMMENT ON COLUMN datasets.cqc_report_related_documents_latest."document_uri" IS 'API documentUri (relative to the API base)';
COMMENT ON COLUMN datasets.cqc_report_related_documents_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/report_inspection_locations: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_report_inspection_locations AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_inspection_locations_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_report_inspection_locations_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_report_inspection_locations_stored s ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_report_inspection_locations IS 'Locations covered by a (provider) report (API reports[].inspectionLocations). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/report_inspection_locations: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_report_inspection_locations_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_inspection_locations_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_inspection_locations_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_report_inspection_locations_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_report_inspection_locations_latest IS 'Locations covered by a (provider) report (API reports[].inspectionLocations). The newest snapshot.';

-- cqc/report_inspection_locations: the snapshot of a day
CREATE OR REPLACE MACRO cqc_report_inspection_locations_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_inspection_locations_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_inspection_locations_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_inspection_locations_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_report_inspection_locations_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_report_inspection_locations."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations."link_id" IS 'the report''s linkId';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations."location_id" IS 'an inspected location';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_latest."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_latest."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_latest."link_id" IS 'the report''s linkId';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_latest."location_id" IS 'an inspected location';
COMMENT ON COLUMN datasets.cqc_report_inspection_locations_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/location_relationships: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_location_relationships AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_relationships_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_location_relationships_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_location_relationships_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_location_relationships IS 'Re-registration links of locations (API relationships[]): HSCA Predecessor on the new location, HSCA Successor on the old one. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/location_relationships: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_location_relationships_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_relationships_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_relationships_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_location_relationships_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_location_relationships_latest IS 'Re-registration links of locations (API relationships[]): HSCA Predecessor on the new location, HSCA Successor on the old one. The newest snapshot.';

-- cqc/location_relationships: the snapshot of a day
CREATE OR REPLACE MACRO cqc_location_relationships_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_relationships_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_relationships_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_relationships_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_location_relationships_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_location_relationships."location_id" IS 'location whose body lists the relationship';
COMMENT ON COLUMN datasets.cqc_location_relationships."related_location_id" IS 'API relatedLocationId';
COMMENT ON COLUMN datasets.cqc_location_relationships."related_location_name" IS 'API relatedLocationName';
COMMENT ON COLUMN datasets.cqc_location_relationships."type" IS 'API type: HSCA Predecessor (related is older) or HSCA Successor (related is newer)';
COMMENT ON COLUMN datasets.cqc_location_relationships."reason" IS 'API reason (Legal Entity Change, New Provider, Location Move, NHS Transfer, ...)';
COMMENT ON COLUMN datasets.cqc_location_relationships."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_location_relationships_latest."location_id" IS 'location whose body lists the relationship';
COMMENT ON COLUMN datasets.cqc_location_relationships_latest."related_location_id" IS 'API relatedLocationId';
COMMENT ON COLUMN datasets.cqc_location_relationships_latest."related_location_name" IS 'API relatedLocationName';
COMMENT ON COLUMN datasets.cqc_location_relationships_latest."type" IS 'API type: HSCA Predecessor (related is older) or HSCA Successor (related is newer)';
COMMENT ON COLUMN datasets.cqc_location_relationships_latest."reason" IS 'API reason (Legal Entity Change, New Provider, Location Move, NHS Transfer, ...)';
COMMENT ON COLUMN datasets.cqc_location_relationships_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/provider_relationships: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_provider_relationships AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_relationships_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_provider_relationships_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_provider_relationships_stored s ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_provider_relationships IS 'Re-registration links of providers (API relationships[]). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/provider_relationships: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_provider_relationships_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_relationships_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_relationships_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_provider_relationships_stored s
SEMI JOIN v ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_provider_relationships_latest IS 'Re-registration links of providers (API relationships[]). The newest snapshot.';

-- cqc/provider_relationships: the snapshot of a day
CREATE OR REPLACE MACRO cqc_provider_relationships_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_relationships_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_relationships_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_relationships_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_provider_relationships_stored s
SEMI JOIN v ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_provider_relationships."provider_id" IS 'provider whose body lists the relationship';
COMMENT ON COLUMN datasets.cqc_provider_relationships."related_provider_id" IS 'API relatedProviderId';
COMMENT ON COLUMN datasets.cqc_provider_relationships."related_provider_name" IS 'API relatedProviderName';
COMMENT ON COLUMN datasets.cqc_provider_relationships."type" IS 'API type (HSCA Predecessor, HSCA Successor)';
COMMENT ON COLUMN datasets.cqc_provider_relationships."reason" IS 'API reason';
COMMENT ON COLUMN datasets.cqc_provider_relationships."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_provider_relationships_latest."provider_id" IS 'provider whose body lists the relationship';
COMMENT ON COLUMN datasets.cqc_provider_relationships_latest."related_provider_id" IS 'API relatedProviderId';
COMMENT ON COLUMN datasets.cqc_provider_relationships_latest."related_provider_name" IS 'API relatedProviderName';
COMMENT ON COLUMN datasets.cqc_provider_relationships_latest."type" IS 'API type (HSCA Predecessor, HSCA Successor)';
COMMENT ON COLUMN datasets.cqc_provider_relationships_latest."reason" IS 'API reason';
COMMENT ON COLUMN datasets.cqc_provider_relationships_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/regulated_activities: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_regulated_activities AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_regulated_activities_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_regulated_activities_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_regulated_activities_stored s ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_regulated_activities IS 'Regulated activities of locations and providers; contacts and nominated individuals reduced to a count and roles. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/regulated_activities: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_regulated_activities_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_regulated_activities_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_regulated_activities_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_regulated_activities_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_regulated_activities_latest IS 'Regulated activities of locations and providers; contacts and nominated individuals reduced to a count and roles. The newest snapshot.';

-- cqc/regulated_activities: the snapshot of a day
CREATE OR REPLACE MACRO cqc_regulated_activities_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_regulated_activities_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_regulated_activities_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_regulated_activities_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_regulated_activities_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_regulated_activities."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_regulated_activities."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN datasets.cqc_regulated_activities."name" IS 'API name (Personal care, ...)';
COMMENT ON COLUMN datasets.cqc_regulated_activities."code" IS 'API code (RA1, ...)';
COMMENT ON COLUMN datasets.cqc_regulated_activities."contact_count" IS 'number of contacts (registered managers) plus the nominated individual, if any; names are not kept';
COMMENT ON COLUMN datasets.cqc_regulated_activities."contact_roles" IS 'distinct personRoles of those people, sorted, joined with ''; '' (''Nominated Individual'' for the provider''s nominated individual)';
COMMENT ON COLUMN datasets.cqc_regulated_activities."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_regulated_activities_latest."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_regulated_activities_latest."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN datasets.cqc_regulated_activities_latest."name" IS 'API name (Personal care, ...)';
COMMENT ON COLUMN datasets.cqc_regulated_activities_latest."code" IS 'API code (RA1, ...)';
COMMENT ON COLUMN datasets.cqc_regulated_activities_latest."contact_count" IS 'number of contacts (registered managers) plus the nominated individual, if any; names are not kept';
COMMENT ON COLUMN datasets.cqc_regulated_activities_latest."contact_roles" IS 'distinct personRoles of those people, sorted, joined with ''; '' (''Nominated Individual'' for the provider''s nominated individual)';
COMMENT ON COLUMN datasets.cqc_regulated_activities_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/gac_service_types: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_gac_service_types AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_gac_service_types_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_gac_service_types_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_gac_service_types_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_gac_service_types IS 'GAC service types of each location (API gacServiceTypes[]). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/gac_service_types: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_gac_service_types_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_gac_service_types_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_gac_service_types_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_gac_service_types_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_gac_service_types_latest IS 'GAC service types of each location (API gacServiceTypes[]). The newest snapshot.';

-- cqc/gac_service_types: the snapshot of a day
CREATE OR REPLACE MACRO cqc_gac_service_types_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_gac_service_types_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_gac_service_types_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_gac_service_types_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_gac_service_types_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_gac_service_types."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_gac_service_types."name" IS 'API name (Residential homes, ...)';
COMMENT ON COLUMN datasets.cqc_gac_service_types."description" IS 'API description (Care home service without nursing, ...)';
COMMENT ON COLUMN datasets.cqc_gac_service_types."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_gac_service_types_latest."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_gac_service_types_latest."name" IS 'API name (Residential homes, ...)';
COMMENT ON COLUMN datasets.cqc_gac_service_types_latest."description" IS 'API description (Care home service without nursing, ...)';
COMMENT ON COLUMN datasets.cqc_gac_service_types_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/inspection_categories: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_inspection_categories AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_inspection_categories_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_inspection_categories_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_inspection_categories_stored s ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_inspection_categories IS 'Inspection categories of locations and providers (API inspectionCategories[]). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/inspection_categories: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_inspection_categories_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_inspection_categories_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_inspection_categories_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_inspection_categories_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_inspection_categories_latest IS 'Inspection categories of locations and providers (API inspectionCategories[]). The newest snapshot.';

-- cqc/inspection_categories: the snapshot of a day
CREATE OR REPLACE MACRO cqc_inspection_categories_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_inspection_categories_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_inspection_categories_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_inspection_categories_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_inspection_categories_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_inspection_categories."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_inspection_categories."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN datasets.cqc_inspection_categories."code" IS 'API code (S1, P1, H2, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_categories."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_inspection_categories."primary" IS 'API primary (the strings "true"/"false" as a boolean; NULL for anything else)';
COMMENT ON COLUMN datasets.cqc_inspection_categories."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_inspection_categories_latest."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_inspection_categories_latest."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN datasets.cqc_inspection_categories_latest."code" IS 'API code (S1, P1, H2, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_categories_latest."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_inspection_categories_latest."primary" IS 'API primary (the strings "true"/"false" as a boolean; NULL for anything else)';
COMMENT ON COLUMN datasets.cqc_inspection_categories_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/specialisms: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_specialisms AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_specialisms_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_specialisms_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_specialisms_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_specialisms IS 'Specialisms of each location: the API''s specialisms[] and the newer specialism[] taxonomy. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/specialisms: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_specialisms_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_specialisms_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_specialisms_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_specialisms_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_specialisms_latest IS 'Specialisms of each location: the API''s specialisms[] and the newer specialism[] taxonomy. The newest snapshot.';

-- cqc/specialisms: the snapshot of a day
CREATE OR REPLACE MACRO cqc_specialisms_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_specialisms_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_specialisms_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_specialisms_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_specialisms_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_specialisms."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_specialisms."name" IS 'API name (Dementia, ...)';
COMMENT ON COLUMN datasets.cqc_specialisms."code" IS 'API code (newer taxonomy only)';
COMMENT ON COLUMN datasets.cqc_specialisms."taxonomy" IS 'which API list: specialisms (name only) or specialism (code and name)';
COMMENT ON COLUMN datasets.cqc_specialisms."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_specialisms_latest."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_specialisms_latest."name" IS 'API name (Dementia, ...)';
COMMENT ON COLUMN datasets.cqc_specialisms_latest."code" IS 'API code (newer taxonomy only)';
COMMENT ON COLUMN datasets.cqc_specialisms_latest."taxonomy" IS 'which API list: specialisms (name only) or specialism (code and name)';
COMMENT ON COLUMN datasets.cqc_specialisms_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/inspection_areas: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_inspection_areas AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_inspection_areas_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_inspection_areas_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_inspection_areas_stored s ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_inspection_areas IS 'Inspection areas of locations and providers (API inspectionAreas[]). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/inspection_areas: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_inspection_areas_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_inspection_areas_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_inspection_areas_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_inspection_areas_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_inspection_areas_latest IS 'Inspection areas of locations and providers (API inspectionAreas[]). The newest snapshot.';

-- cqc/inspection_areas: the snapshot of a day
CREATE OR REPLACE MACRO cqc_inspection_areas_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_inspection_areas_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_inspection_areas_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_inspection_areas_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_inspection_areas_stored s
SEMI JOIN v ON concat_ws('/', s."organisation_type", s."organisation_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_inspection_areas."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_inspection_areas."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN datasets.cqc_inspection_areas."inspection_area_id" IS 'API inspectionAreaId (old, problems, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_areas."inspection_area_name" IS 'API inspectionAreaName';
COMMENT ON COLUMN datasets.cqc_inspection_areas."inspection_area_type" IS 'API inspectionAreaType';
COMMENT ON COLUMN datasets.cqc_inspection_areas."status" IS 'API status (Active, Superseded, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_areas."superseded_by" IS 'API supersededBy[] joined with ''; ''';
COMMENT ON COLUMN datasets.cqc_inspection_areas."end_date" IS 'API endDate';
COMMENT ON COLUMN datasets.cqc_inspection_areas."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_inspection_areas_latest."organisation_type" IS 'location or provider';
COMMENT ON COLUMN datasets.cqc_inspection_areas_latest."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN datasets.cqc_inspection_areas_latest."inspection_area_id" IS 'API inspectionAreaId (old, problems, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_areas_latest."inspection_area_name" IS 'API inspectionAreaName';
COMMENT ON COLUMN datasets.cqc_inspection_areas_latest."inspection_area_type" IS 'API inspectionAreaType';
COMMENT ON COLUMN datasets.cqc_inspection_areas_latest."status" IS 'API status (Active, Superseded, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_areas_latest."superseded_by" IS 'API supersededBy[] joined with ''; ''';
COMMENT ON COLUMN datasets.cqc_inspection_areas_latest."end_date" IS 'API endDate';
COMMENT ON COLUMN datasets.cqc_inspection_areas_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/provider_locations: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_provider_locations AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_locations_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_provider_locations_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_provider_locations_stored s ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_provider_locations IS 'The locations of each provider (API locationIds[]; deregistered locations included). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/provider_locations: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_provider_locations_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_locations_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_locations_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_provider_locations_stored s
SEMI JOIN v ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_provider_locations_latest IS 'The locations of each provider (API locationIds[]; deregistered locations included). The newest snapshot.';

-- cqc/provider_locations: the snapshot of a day
CREATE OR REPLACE MACRO cqc_provider_locations_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_locations_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_locations_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_locations_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_provider_locations_stored s
SEMI JOIN v ON s."provider_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_provider_locations."provider_id" IS 'provider';
COMMENT ON COLUMN datasets.cqc_provider_locations."location_id" IS 'one of its locationIds';
COMMENT ON COLUMN datasets.cqc_provider_locations."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_provider_locations_latest."provider_id" IS 'provider';
COMMENT ON COLUMN datasets.cqc_provider_locations_latest."location_id" IS 'one of its locationIds';
COMMENT ON COLUMN datasets.cqc_provider_locations_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/age_groups: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_age_groups AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_age_groups_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_age_groups_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_age_groups_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_age_groups IS 'Age groups served by each location (API ageGroup[]). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/age_groups: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_age_groups_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_age_groups_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_age_groups_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_age_groups_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_age_groups_latest IS 'Age groups served by each location (API ageGroup[]). The newest snapshot.';

-- cqc/age_groups: the snapshot of a day
CREATE OR REPLACE MACRO cqc_age_groups_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_age_groups_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_age_groups_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_age_groups_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_age_groups_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_age_groups."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_age_groups."code" IS 'API code';
COMMENT ON COLUMN datasets.cqc_age_groups."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_age_groups."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_age_groups_latest."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_age_groups_latest."code" IS 'API code';
COMMENT ON COLUMN datasets.cqc_age_groups_latest."name" IS 'API name';
COMMENT ON COLUMN datasets.cqc_age_groups_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/setting_services: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_setting_services AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_setting_services_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_setting_services_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_setting_services_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_setting_services IS 'Setting and service types of each location (API settingServices[]). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/setting_services: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_setting_services_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_setting_services_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_setting_services_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_setting_services_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_setting_services_latest IS 'Setting and service types of each location (API settingServices[]). The newest snapshot.';

-- cqc/setting_services: the snapshot of a day
CREATE OR REPLACE MACRO cqc_setting_services_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_setting_services_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_setting_services_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_setting_services_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_setting_services_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_setting_services."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_setting_services."setting_type_code" IS 'API settingtypeCode';
COMMENT ON COLUMN datasets.cqc_setting_services."setting_type_name" IS 'API settingtypeName';
COMMENT ON COLUMN datasets.cqc_setting_services."service_type_code" IS 'API servicetypeCode';
COMMENT ON COLUMN datasets.cqc_setting_services."service_type_name" IS 'API servicetypeName';
COMMENT ON COLUMN datasets.cqc_setting_services."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_setting_services_latest."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_setting_services_latest."setting_type_code" IS 'API settingtypeCode';
COMMENT ON COLUMN datasets.cqc_setting_services_latest."setting_type_name" IS 'API settingtypeName';
COMMENT ON COLUMN datasets.cqc_setting_services_latest."service_type_code" IS 'API servicetypeCode';
COMMENT ON COLUMN datasets.cqc_setting_services_latest."service_type_name" IS 'API servicetypeName';
COMMENT ON COLUMN datasets.cqc_setting_services_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/provider_inspection_areas: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_provider_inspection_areas AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_inspection_areas_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_provider_inspection_areas_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_provider_inspection_areas_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_provider_inspection_areas IS 'Provider-level inspection area reports listed on a location (API providerInspectionAreas[].reports[]; an area with no reports gives one row with NULL report columns). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/provider_inspection_areas: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_provider_inspection_areas_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_inspection_areas_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_inspection_areas_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_provider_inspection_areas_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_provider_inspection_areas_latest IS 'Provider-level inspection area reports listed on a location (API providerInspectionAreas[].reports[]; an area with no reports gives one row with NULL report columns). The newest snapshot.';

-- cqc/provider_inspection_areas: the snapshot of a day
CREATE OR REPLACE MACRO cqc_provider_inspection_areas_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_provider_inspection_areas_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_inspection_areas_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_provider_inspection_areas_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_provider_inspection_areas_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas."location_id" IS 'location whose body lists them';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas."inspection_area_id" IS 'API inspectionAreaId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas."inspection_id" IS 'API reports[].inspectionId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas."report_link_id" IS 'API reports[].reportLinkId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas."provider_id" IS 'API reports[].providerId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas."report_location_id" IS 'API reports[].locationId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_latest."location_id" IS 'location whose body lists them';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_latest."inspection_area_id" IS 'API inspectionAreaId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_latest."inspection_id" IS 'API reports[].inspectionId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_latest."report_link_id" IS 'API reports[].reportLinkId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_latest."provider_id" IS 'API reports[].providerId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_latest."report_location_id" IS 'API reports[].locationId';
COMMENT ON COLUMN datasets.cqc_provider_inspection_areas_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/assessment_service_groups: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_assessment_service_groups AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_assessment_service_groups_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_assessment_service_groups_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_assessment_service_groups_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_assessment_service_groups IS 'Assessment service groups of each location (API assessmentServiceGroup[], Single Assessment Framework). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/assessment_service_groups: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_assessment_service_groups_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_assessment_service_groups_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_assessment_service_groups_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_assessment_service_groups_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_assessment_service_groups_latest IS 'Assessment service groups of each location (API assessmentServiceGroup[], Single Assessment Framework). The newest snapshot.';

-- cqc/assessment_service_groups: the snapshot of a day
CREATE OR REPLACE MACRO cqc_assessment_service_groups_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_assessment_service_groups_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_assessment_service_groups_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_assessment_service_groups_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_assessment_service_groups_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_assessment_service_groups."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups."assessment_service_id" IS 'API assessmentServiceId';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups."assessment_service_name" IS 'API assessmentServiceName';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups."assessment_service_type" IS 'API assessmentServiceType';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups."status" IS 'API status';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups."start_date" IS 'API startDate (date part)';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups."end_date" IS 'API endDate (date part)';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_latest."location_id" IS 'location';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_latest."assessment_service_id" IS 'API assessmentServiceId';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_latest."assessment_service_name" IS 'API assessmentServiceName';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_latest."assessment_service_type" IS 'API assessmentServiceType';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_latest."status" IS 'API status';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_latest."start_date" IS 'API startDate (date part)';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_latest."end_date" IS 'API endDate (date part)';
COMMENT ON COLUMN datasets.cqc_assessment_service_groups_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/rejects: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_rejects AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_rejects_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_rejects_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_rejects_stored s ON concat_ws('/', s."entity_type", s."entity_id") = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_rejects IS 'Raw CQC bodies (or single values) that did not fit the schema, with the reason and a pointer into the raw archive, where the body is kept. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/rejects: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_rejects_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_rejects_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_rejects_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_rejects_stored s
SEMI JOIN v ON concat_ws('/', s."entity_type", s."entity_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_rejects_latest IS 'Raw CQC bodies (or single values) that did not fit the schema, with the reason and a pointer into the raw archive, where the body is kept. The newest snapshot.';

-- cqc/rejects: the snapshot of a day
CREATE OR REPLACE MACRO cqc_rejects_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_rejects_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_rejects_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_rejects_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_rejects_stored s
SEMI JOIN v ON concat_ws('/', s."entity_type", s."entity_id") = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_rejects."entity_type" IS 'location, provider or inspection_areas (the taxonomy)';
COMMENT ON COLUMN datasets.cqc_rejects."entity_id" IS 'the ID the body was fetched for';
COMMENT ON COLUMN datasets.cqc_rejects."scope" IS 'body: the whole body was rejected and has no rows; field: one value was unusable, stored as NULL, and the rest of the body was loaded';
COMMENT ON COLUMN datasets.cqc_rejects."field" IS 'for scope field: the API path of the value (e.g. currentRatings.overall.reportDate)';
COMMENT ON COLUMN datasets.cqc_rejects."reason" IS 'why it was rejected';
COMMENT ON COLUMN datasets.cqc_rejects."fetched_at" IS 'when the response arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_rejects."archive_segment" IS 'raw archive segment holding the body, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_rejects."archive_seq" IS 'sequence number of the record within its segment';
COMMENT ON COLUMN datasets.cqc_rejects."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_rejects_latest."entity_type" IS 'location, provider or inspection_areas (the taxonomy)';
COMMENT ON COLUMN datasets.cqc_rejects_latest."entity_id" IS 'the ID the body was fetched for';
COMMENT ON COLUMN datasets.cqc_rejects_latest."scope" IS 'body: the whole body was rejected and has no rows; field: one value was unusable, stored as NULL, and the rest of the body was loaded';
COMMENT ON COLUMN datasets.cqc_rejects_latest."field" IS 'for scope field: the API path of the value (e.g. currentRatings.overall.reportDate)';
COMMENT ON COLUMN datasets.cqc_rejects_latest."reason" IS 'why it was rejected';
COMMENT ON COLUMN datasets.cqc_rejects_latest."fetched_at" IS 'when the response arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_rejects_latest."archive_segment" IS 'raw archive segment holding the body, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_rejects_latest."archive_seq" IS 'sequence number of the record within its segment';
COMMENT ON COLUMN datasets.cqc_rejects_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/inspection_area_taxonomy: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_inspection_area_taxonomy AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_inspection_area_taxonomy_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_inspection_area_taxonomy_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_inspection_area_taxonomy_stored s ON s."inspection_area_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_inspection_area_taxonomy IS 'The global inspection-area taxonomy (API GET /inspection-areas), one row per area, with each area''s current successors (supersededBy followed to areas not superseded, cycle-safe). Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/inspection_area_taxonomy: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_inspection_area_taxonomy_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_inspection_area_taxonomy_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_inspection_area_taxonomy_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_inspection_area_taxonomy_stored s
SEMI JOIN v ON s."inspection_area_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_inspection_area_taxonomy_latest IS 'The global inspection-area taxonomy (API GET /inspection-areas), one row per area, with each area''s current successors (supersededBy followed to areas not superseded, cycle-safe). The newest snapshot.';

-- cqc/inspection_area_taxonomy: the snapshot of a day
CREATE OR REPLACE MACRO cqc_inspection_area_taxonomy_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_inspection_area_taxonomy_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_inspection_area_taxonomy_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_inspection_area_taxonomy_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_inspection_area_taxonomy_stored s
SEMI JOIN v ON s."inspection_area_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."inspection_area_id" IS 'API inspectionAreaId (old, maternity, ...): serviceRatings[].name and inspectionAreas[].inspectionAreaId name it';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."inspection_area_name" IS 'API inspectionAreaName';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."inspection_area_type" IS 'API inspectionAreaType (Population group, Core service, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."status" IS 'API status for new inspections (Active, Superseded, Retired, ...), verbatim';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."end_date" IS 'API endDate';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."org_retirement_date" IS 'API orgInspectionAreaRetirementDate';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."superseded_by" IS 'API supersededBy[] joined with ''; '' (the direct successors); NULL when none';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."inspection_category_codes" IS 'codes of API inspectionCategories[] joined with ''; ''';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."current_area_ids" IS 'the areas in effect for this one, sorted and joined with ''; '': supersededBy followed until areas that name no successor (the area itself when it names none); NULL when every path ends in a cycle';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."current_area_names" IS 'inspection_area_name of each of current_area_ids, in the same order, joined with ''; '' (the ID where the taxonomy lacks the area)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."supersession_depth" IS 'the most supersededBy steps from this area to a current one (0 when it names no successor)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."in_cycle" IS 'true when following supersededBy from this area comes back to an area already on the path (never followed twice)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."inspection_area_id" IS 'API inspectionAreaId (old, maternity, ...): serviceRatings[].name and inspectionAreas[].inspectionAreaId name it';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."inspection_area_name" IS 'API inspectionAreaName';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."inspection_area_type" IS 'API inspectionAreaType (Population group, Core service, ...)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."status" IS 'API status for new inspections (Active, Superseded, Retired, ...), verbatim';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."end_date" IS 'API endDate';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."org_retirement_date" IS 'API orgInspectionAreaRetirementDate';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."superseded_by" IS 'API supersededBy[] joined with ''; '' (the direct successors); NULL when none';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."inspection_category_codes" IS 'codes of API inspectionCategories[] joined with ''; ''';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."current_area_ids" IS 'the areas in effect for this one, sorted and joined with ''; '': supersededBy followed until areas that name no successor (the area itself when it names none); NULL when every path ends in a cycle';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."current_area_names" IS 'inspection_area_name of each of current_area_ids, in the same order, joined with ''; '' (the ID where the taxonomy lacks the area)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."supersession_depth" IS 'the most supersededBy steps from this area to a current one (0 when it names no successor)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."in_cycle" IS 'true when following supersededBy from this area comes back to an area already on the path (never followed twice)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN datasets.cqc_inspection_area_taxonomy_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/report_texts: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_report_texts AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_texts_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_report_texts_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_report_texts_stored s ON s."link_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_report_texts IS 'The text of each inspection report document extract fetched with --reports text (GET /reports/{linkId} with Accept: text/plain), one row per document and organisation (location or provider) listing it. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/report_texts: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_report_texts_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_texts_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_texts_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_report_texts_stored s
SEMI JOIN v ON s."link_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_report_texts_latest IS 'The text of each inspection report document extract fetched with --reports text (GET /reports/{linkId} with Accept: text/plain), one row per document and organisation (location or provider) listing it. The newest snapshot.';

-- cqc/report_texts: the snapshot of a day
CREATE OR REPLACE MACRO cqc_report_texts_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_texts_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_texts_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_texts_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_report_texts_stored s
SEMI JOIN v ON s."link_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_report_texts."link_id" IS 'the report''s linkId (reports[].linkId; GET /reports/{linkId})';
COMMENT ON COLUMN datasets.cqc_report_texts."document_type" IS 'the related document''s type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report';
COMMENT ON COLUMN datasets.cqc_report_texts."location_id" IS 'a location whose reports list holds the report (its latest good body); NULL on a provider''s row, and when no organisation lists it';
COMMENT ON COLUMN datasets.cqc_report_texts."provider_id" IS 'a provider whose reports list holds the report (its latest good body): an NHS trust''s provider-level (well-led) report, which no location lists; NULL on a location''s row, when no organisation lists it, and in files written before the column was added';
COMMENT ON COLUMN datasets.cqc_report_texts."report_date" IS 'reportDate of the report in that organisation''s (location''s or provider''s) list';
COMMENT ON COLUMN datasets.cqc_report_texts."text" IS 'the report''s text as the API serves it (UTF-8, verbatim)';
COMMENT ON COLUMN datasets.cqc_report_texts."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_report_texts."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_report_texts."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN datasets.cqc_report_texts."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_report_texts_latest."link_id" IS 'the report''s linkId (reports[].linkId; GET /reports/{linkId})';
COMMENT ON COLUMN datasets.cqc_report_texts_latest."document_type" IS 'the related document''s type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report';
COMMENT ON COLUMN datasets.cqc_report_texts_latest."location_id" IS 'a location whose reports list holds the report (its latest good body); NULL on a provider''s row, and when no organisation lists it';
COMMENT ON COLUMN datasets.cqc_report_texts_latest."provider_id" IS 'a provider whose reports list holds the report (its latest good body): an NHS trust''s provider-level (well-led) report, which no location lists; NULL on a location''s row, when no organisation lists it, and in files written before the column was added';
COMMENT ON COLUMN datasets.cqc_report_texts_latest."report_date" IS 'reportDate of the report in that organisation''s (location''s or provider''s) list';
COMMENT ON COLUMN datasets.cqc_report_texts_latest."text" IS 'the report''s text as the API serves it (UTF-8, verbatim)';
COMMENT ON COLUMN datasets.cqc_report_texts_latest."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_report_texts_latest."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_report_texts_latest."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN datasets.cqc_report_texts_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/report_files: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_report_files AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_files_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_report_files_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_report_files_stored s ON s."link_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_report_files IS 'Each inspection report document extract fetched as a PDF (--reports pdf, or --reports text for a report the API has no text for), kept as a file beside the raw archive, one row per document and organisation (location or provider) listing it. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/report_files: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_report_files_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_files_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_files_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_report_files_stored s
SEMI JOIN v ON s."link_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_report_files_latest IS 'Each inspection report document extract fetched as a PDF (--reports pdf, or --reports text for a report the API has no text for), kept as a file beside the raw archive, one row per document and organisation (location or provider) listing it. The newest snapshot.';

-- cqc/report_files: the snapshot of a day
CREATE OR REPLACE MACRO cqc_report_files_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_report_files_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_files_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_report_files_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_report_files_stored s
SEMI JOIN v ON s."link_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_report_files."link_id" IS 'the report''s linkId (reports[].linkId; GET /reports/{linkId})';
COMMENT ON COLUMN datasets.cqc_report_files."document_type" IS 'the related document''s type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report';
COMMENT ON COLUMN datasets.cqc_report_files."location_id" IS 'a location whose reports list holds the report (its latest good body); NULL on a provider''s row, and when no organisation lists it';
COMMENT ON COLUMN datasets.cqc_report_files."provider_id" IS 'a provider whose reports list holds the report (its latest good body): an NHS trust''s provider-level (well-led) report, which no location lists; NULL on a location''s row, when no organisation lists it, and in files written before the column was added';
COMMENT ON COLUMN datasets.cqc_report_files."report_date" IS 'reportDate of the report in that organisation''s (location''s or provider''s) list';
COMMENT ON COLUMN datasets.cqc_report_files."path" IS 'the PDF''s path relative to the warehouse root (raw/cqc-files/...)';
COMMENT ON COLUMN datasets.cqc_report_files."bytes" IS 'the PDF''s size in bytes';
COMMENT ON COLUMN datasets.cqc_report_files."asked_for_text" IS 'true when text was asked for and the API answered the PDF (it has no text for this report)';
COMMENT ON COLUMN datasets.cqc_report_files."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_report_files."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_report_files."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN datasets.cqc_report_files."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_report_files_latest."link_id" IS 'the report''s linkId (reports[].linkId; GET /reports/{linkId})';
COMMENT ON COLUMN datasets.cqc_report_files_latest."document_type" IS 'the related document''s type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report';
COMMENT ON COLUMN datasets.cqc_report_files_latest."location_id" IS 'a location whose reports list holds the report (its latest good body); NULL on a provider''s row, and when no organisation lists it';
COMMENT ON COLUMN datasets.cqc_report_files_latest."provider_id" IS 'a provider whose reports list holds the report (its latest good body): an NHS trust''s provider-level (well-led) report, which no location lists; NULL on a location''s row, when no organisation lists it, and in files written before the column was added';
COMMENT ON COLUMN datasets.cqc_report_files_latest."report_date" IS 'reportDate of the report in that organisation''s (location''s or provider''s) list';
COMMENT ON COLUMN datasets.cqc_report_files_latest."path" IS 'the PDF''s path relative to the warehouse root (raw/cqc-files/...)';
COMMENT ON COLUMN datasets.cqc_report_files_latest."bytes" IS 'the PDF''s size in bytes';
COMMENT ON COLUMN datasets.cqc_report_files_latest."asked_for_text" IS 'true when text was asked for and the API answered the PDF (it has no text for this report)';
COMMENT ON COLUMN datasets.cqc_report_files_latest."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN datasets.cqc_report_files_latest."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN datasets.cqc_report_files_latest."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN datasets.cqc_report_files_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/location_lineage: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_location_lineage AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_lineage_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_location_lineage_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_location_lineage_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_location_lineage IS 'Re-registration lineage of every known location: one row per location and ancestor (itself at depth 0), with the current location at the registered end of its successor chain. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/location_lineage: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_location_lineage_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_lineage_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_lineage_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_location_lineage_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_location_lineage_latest IS 'Re-registration lineage of every known location: one row per location and ancestor (itself at depth 0), with the current location at the registered end of its successor chain. The newest snapshot.';

-- cqc/location_lineage: the snapshot of a day
CREATE OR REPLACE MACRO cqc_location_lineage_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_location_lineage_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_lineage_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_location_lineage_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_location_lineage_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_location_lineage."location_id" IS 'a location (archived, or only referenced by a relationship or an inherited rating)';
COMMENT ON COLUMN datasets.cqc_location_lineage."ancestor_location_id" IS 'the location itself (depth 0) or one of its predecessors';
COMMENT ON COLUMN datasets.cqc_location_lineage."depth" IS 're-registrations between the two: 0 for itself, 1 for a direct predecessor, ... (shortest path)';
COMMENT ON COLUMN datasets.cqc_location_lineage."current_location_id" IS 'where location_id''s successor chain ends: the registered end if there is one; NULL when a cycle leaves no end';
COMMENT ON COLUMN datasets.cqc_location_lineage."in_cycle" IS 'true when location_id lies on a predecessor cycle (contradictory data, reported, never followed twice)';
COMMENT ON COLUMN datasets.cqc_location_lineage."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_location_lineage_latest."location_id" IS 'a location (archived, or only referenced by a relationship or an inherited rating)';
COMMENT ON COLUMN datasets.cqc_location_lineage_latest."ancestor_location_id" IS 'the location itself (depth 0) or one of its predecessors';
COMMENT ON COLUMN datasets.cqc_location_lineage_latest."depth" IS 're-registrations between the two: 0 for itself, 1 for a direct predecessor, ... (shortest path)';
COMMENT ON COLUMN datasets.cqc_location_lineage_latest."current_location_id" IS 'where location_id''s successor chain ends: the registered end if there is one; NULL when a cycle leaves no end';
COMMENT ON COLUMN datasets.cqc_location_lineage_latest."in_cycle" IS 'true when location_id lies on a predecessor cycle (contradictory data, reported, never followed twice)';
COMMENT ON COLUMN datasets.cqc_location_lineage_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/rating_sources: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_rating_sources AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_rating_sources_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_rating_sources_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_rating_sources_stored s ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_rating_sources IS 'For every inherited location rating (current and historic): the predecessor location and report it comes from, found through reportLinkId however many generations back. Inherited: the rating carries an organisationId, or (inferred) it carries none but its report is not the location''s own and a predecessor''s reports list it, as the API serves an inherited overall rating. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/rating_sources: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_rating_sources_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_rating_sources_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_rating_sources_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_rating_sources_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_rating_sources_latest IS 'For every inherited location rating (current and historic): the predecessor location and report it comes from, found through reportLinkId however many generations back. Inherited: the rating carries an organisationId, or (inferred) it carries none but its report is not the location''s own and a predecessor''s reports list it, as the API serves an inherited overall rating. The newest snapshot.';

-- cqc/rating_sources: the snapshot of a day
CREATE OR REPLACE MACRO cqc_rating_sources_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_rating_sources_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_rating_sources_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_rating_sources_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_rating_sources_stored s
SEMI JOIN v ON s."location_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_rating_sources."location_id" IS 'location holding the inherited rating';
COMMENT ON COLUMN datasets.cqc_rating_sources."kind" IS 'the rating''s kind (as in location_ratings / location_rating_history)';
COMMENT ON COLUMN datasets.cqc_rating_sources."parent_name" IS 'the rating''s parent_name';
COMMENT ON COLUMN datasets.cqc_rating_sources."name" IS 'the rating''s name';
COMMENT ON COLUMN datasets.cqc_rating_sources."report_link_id" IS 'the rating''s reportLinkId';
COMMENT ON COLUMN datasets.cqc_rating_sources."report_date" IS 'the rating''s report_date';
COMMENT ON COLUMN datasets.cqc_rating_sources."organisation_id" IS 'the rating''s organisationId (the predecessor the API names); NULL when inferred';
COMMENT ON COLUMN datasets.cqc_rating_sources."inferred" IS 'true when the rating carries no organisationId and is inherited because its report is a predecessor''s (the API leaves organisationId off an inherited overall rating while setting it on the key questions)';
COMMENT ON COLUMN datasets.cqc_rating_sources."source_location_id" IS 'the location whose reports list holds the report (organisation_id itself or one of its predecessors); NULL when unresolved';
COMMENT ON COLUMN datasets.cqc_rating_sources."source_report_date" IS 'reportDate of that report';
COMMENT ON COLUMN datasets.cqc_rating_sources."source_report_first_visit_date" IS 'firstVisitDate of that report';
COMMENT ON COLUMN datasets.cqc_rating_sources."source_report_uri" IS 'reportUri of that report';
COMMENT ON COLUMN datasets.cqc_rating_sources."generations" IS 'lineage depth from location_id to source_location_id';
COMMENT ON COLUMN datasets.cqc_rating_sources."resolved" IS 'true when the source report was found';
COMMENT ON COLUMN datasets.cqc_rating_sources."unresolved_reason" IS 'organisation_not_archived, ancestor_not_archived or report_not_found; the missing locations are listed in state/cqc-wanted.json for the next extract';
COMMENT ON COLUMN datasets.cqc_rating_sources."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."location_id" IS 'location holding the inherited rating';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."kind" IS 'the rating''s kind (as in location_ratings / location_rating_history)';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."parent_name" IS 'the rating''s parent_name';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."name" IS 'the rating''s name';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."report_link_id" IS 'the rating''s reportLinkId';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."report_date" IS 'the rating''s report_date';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."organisation_id" IS 'the rating''s organisationId (the predecessor the API names); NULL when inferred';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."inferred" IS 'true when the rating carries no organisationId and is inherited because its report is a predecessor''s (the API leaves organisationId off an inherited overall rating while setting it on the key questions)';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."source_location_id" IS 'the location whose reports list holds the report (organisation_id itself or one of its predecessors); NULL when unresolved';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."source_report_date" IS 'reportDate of that report';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."source_report_first_visit_date" IS 'firstVisitDate of that report';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."source_report_uri" IS 'reportUri of that report';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."generations" IS 'lineage depth from location_id to source_location_id';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."resolved" IS 'true when the source report was found';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."unresolved_reason" IS 'organisation_not_archived, ancestor_not_archived or report_not_found; the missing locations are listed in state/cqc-wanted.json for the next extract';
COMMENT ON COLUMN datasets.cqc_rating_sources_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

-- cqc/clinic_locations: every snapshot
CREATE OR REPLACE VIEW datasets.cqc_clinic_locations AS
WITH v AS (
    SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_clinic_locations_versions WHERE owner IS NOT NULL
), d AS (
    SELECT list(snapshot_date) AS dates FROM (SELECT snapshot_date FROM datasets.cqc_clinic_locations_versions WHERE owner IS NULL)
)
SELECT s.* EXCLUDE (snapshot_date), unnest(list_filter(d.dates, lambda x: x >= v.valid_from AND x < v.valid_to)) AS snapshot_date
FROM v
JOIN datasets.cqc_clinic_locations_stored s ON s."clinic_id" = v.owner AND s.snapshot_date = v.valid_from
CROSS JOIN d
WHERE NOT v.removed;
COMMENT ON VIEW datasets.cqc_clinic_locations IS 'Each clinic of the --clinics mapping with the CQC location it is mapped to and the current location through re-registrations. Every snapshot, rebuilt from the versions in cqc_changes.';

-- cqc/clinic_locations: the newest snapshot
CREATE OR REPLACE VIEW datasets.cqc_clinic_locations_latest AS
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_clinic_locations_versions WHERE owner IS NOT NULL)
    WHERE valid_to = DATE '9999-12-31' AND NOT removed
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_clinic_locations_versions WHERE owner IS NULL)) AS snapshot_date
FROM datasets.cqc_clinic_locations_stored s
SEMI JOIN v ON s."clinic_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON VIEW datasets.cqc_clinic_locations_latest IS 'Each clinic of the --clinics mapping with the CQC location it is mapped to and the current location through re-registrations. The newest snapshot.';

-- cqc/clinic_locations: the snapshot of a day
CREATE OR REPLACE MACRO cqc_clinic_locations_as_of(day) AS TABLE
WITH v AS (
    SELECT owner, valid_from FROM (SELECT owner, snapshot_date AS valid_from, removed,
        coalesce(lead(snapshot_date) OVER (PARTITION BY owner ORDER BY snapshot_date), DATE '9999-12-31') AS valid_to
    FROM datasets.cqc_clinic_locations_versions WHERE owner IS NOT NULL)
    WHERE valid_from <= CAST(day AS DATE) AND CAST(day AS DATE) < valid_to AND NOT removed
        AND (SELECT min(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_clinic_locations_versions WHERE owner IS NULL)) <= CAST(day AS DATE)
)
SELECT s.* EXCLUDE (snapshot_date), (SELECT max(snapshot_date) FROM (SELECT snapshot_date FROM datasets.cqc_clinic_locations_versions WHERE owner IS NULL) WHERE snapshot_date <= CAST(day AS DATE)) AS snapshot_date
FROM datasets.cqc_clinic_locations_stored s
SEMI JOIN v ON s."clinic_id" = v.owner AND s.snapshot_date = v.valid_from;
COMMENT ON COLUMN datasets.cqc_clinic_locations."clinic_id" IS 'clinic_id from the mapping file';
COMMENT ON COLUMN datasets.cqc_clinic_locations."clinic_name" IS 'name from the mapping file';
COMMENT ON COLUMN datasets.cqc_clinic_locations."cqc_location_id" IS 'cqc_location_id from the mapping file';
COMMENT ON COLUMN datasets.cqc_clinic_locations."current_location_id" IS 'the current location (location_lineage.current_location_id of the mapped one); NULL when unknown or in a cycle';
COMMENT ON COLUMN datasets.cqc_clinic_locations."mapping_status" IS 'current (mapped location is itself current), succeeded (re-registered: use current_location_id), unknown_location (not archived yet; wanted by the next extract), deregistered_no_successor, or cycle';
COMMENT ON COLUMN datasets.cqc_clinic_locations."timezone" IS 'the clinic''s IANA time zone (timezone column of the mapping file; Europe/London when it names none): appointments are rated on their date there';
COMMENT ON COLUMN datasets.cqc_clinic_locations."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';
COMMENT ON COLUMN datasets.cqc_clinic_locations_latest."clinic_id" IS 'clinic_id from the mapping file';
COMMENT ON COLUMN datasets.cqc_clinic_locations_latest."clinic_name" IS 'name from the mapping file';
COMMENT ON COLUMN datasets.cqc_clinic_locations_latest."cqc_location_id" IS 'cqc_location_id from the mapping file';
COMMENT ON COLUMN datasets.cqc_clinic_locations_latest."current_location_id" IS 'the current location (location_lineage.current_location_id of the mapped one); NULL when unknown or in a cycle';
COMMENT ON COLUMN datasets.cqc_clinic_locations_latest."mapping_status" IS 'current (mapped location is itself current), succeeded (re-registered: use current_location_id), unknown_location (not archived yet; wanted by the next extract), deregistered_no_successor, or cycle';
COMMENT ON COLUMN datasets.cqc_clinic_locations_latest."timezone" IS 'the clinic''s IANA time zone (timezone column of the mapping file; Europe/London when it names none): appointments are rated on their date there';
COMMENT ON COLUMN datasets.cqc_clinic_locations_latest."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_providers AS
SELECT * FROM datasets.cqc_providers_latest;
COMMENT ON VIEW cqc_providers IS 'One row per CQC provider: every scalar field of the latest good API body, typed, with contacts reduced to a count and roles. Latest snapshot.';
COMMENT ON COLUMN cqc_providers."provider_id" IS 'API providerId (1-... or an ODS code such as RL4)';
COMMENT ON COLUMN cqc_providers."organisation_type" IS 'API organisationType (Provider)';
COMMENT ON COLUMN cqc_providers."ownership_type" IS 'API ownershipType (Organisation, NHS Body, Individual, Partnership)';
COMMENT ON COLUMN cqc_providers."type" IS 'API type';
COMMENT ON COLUMN cqc_providers."name" IS 'API name';
COMMENT ON COLUMN cqc_providers."also_known_as" IS 'API alsoKnownAs';
COMMENT ON COLUMN cqc_providers."brand_id" IS 'API brandId';
COMMENT ON COLUMN cqc_providers."brand_name" IS 'API brandName, verbatim';
COMMENT ON COLUMN cqc_providers."ods_code" IS 'API odsCode';
COMMENT ON COLUMN cqc_providers."registration_status" IS 'API registrationStatus (Registered, Deregistered)';
COMMENT ON COLUMN cqc_providers."registration_date" IS 'API registrationDate';
COMMENT ON COLUMN cqc_providers."deregistration_date" IS 'API deregistrationDate';
COMMENT ON COLUMN cqc_providers."companies_house_number" IS 'API companiesHouseNumber (a string: leading zeros kept)';
COMMENT ON COLUMN cqc_providers."charity_number" IS 'API charityNumber';
COMMENT ON COLUMN cqc_providers."website" IS 'API website';
COMMENT ON COLUMN cqc_providers."main_phone_number" IS 'API mainPhoneNumber';
COMMENT ON COLUMN cqc_providers."uprn" IS 'API uprn';
COMMENT ON COLUMN cqc_providers."postal_address_line1" IS 'API postalAddressLine1';
COMMENT ON COLUMN cqc_providers."postal_address_line2" IS 'API postalAddressLine2';
COMMENT ON COLUMN cqc_providers."postal_address_town_city" IS 'API postalAddressTownCity';
COMMENT ON COLUMN cqc_providers."postal_address_county" IS 'API postalAddressCounty';
COMMENT ON COLUMN cqc_providers."postal_code" IS 'API postalCode';
COMMENT ON COLUMN cqc_providers."region" IS 'API region, CQC spelling (East, Yorkshire & Humberside, ...)';
COMMENT ON COLUMN cqc_providers."onspd_latitude" IS 'API onspdLatitude (WGS84 degrees)';
COMMENT ON COLUMN cqc_providers."onspd_longitude" IS 'API onspdLongitude (WGS84 degrees)';
COMMENT ON COLUMN cqc_providers."onspd_icb_code" IS 'API onspdIcbCode';
COMMENT ON COLUMN cqc_providers."onspd_icb_name" IS 'API onspdIcbName';
COMMENT ON COLUMN cqc_providers."constituency" IS 'API constituency';
COMMENT ON COLUMN cqc_providers."local_authority" IS 'API localAuthority';
COMMENT ON COLUMN cqc_providers."inspection_directorate" IS 'API inspectionDirectorate';
COMMENT ON COLUMN cqc_providers."last_inspection_date" IS 'API lastInspection.date';
COMMENT ON COLUMN cqc_providers."last_report_publication_date" IS 'API lastReport.publicationDate';
COMMENT ON COLUMN cqc_providers."location_count" IS 'number of API locationIds (deregistered locations included); the IDs are in provider_locations';
COMMENT ON COLUMN cqc_providers."contact_count" IS 'number of API contacts (names are personal data and not kept)';
COMMENT ON COLUMN cqc_providers."contact_roles" IS 'distinct personRoles of the contacts, sorted, joined with ''; ''';
COMMENT ON COLUMN cqc_providers."current_ratings_report_date" IS 'API currentRatings.reportDate';
COMMENT ON COLUMN cqc_providers."overall_rating" IS 'overall rating in effect, verbatim (the newer of currentRatings.overall and the assessment block); for a deregistered organisation the one it held when deregistered (its rating rows are no longer in effect); NULL when never rated';
COMMENT ON COLUMN cqc_providers."overall_rating_category" IS 'overall_rating classified: outstanding, good, requires_improvement, inadequate, inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate or unknown';
COMMENT ON COLUMN cqc_providers."overall_rating_date" IS 'report date of the overall rating in effect (for an assessment, the date it was published)';
COMMENT ON COLUMN cqc_providers."overall_rating_report_link_id" IS 'reportLinkId of the overall rating in effect (NULL for assessments)';
COMMENT ON COLUMN cqc_providers."overall_rating_organisation_id" IS 'organisationId on the overall rating in effect: the predecessor it is inherited from';
COMMENT ON COLUMN cqc_providers."overall_rating_inherited" IS 'true when the overall rating in effect carries an organisationId (inherited from a predecessor); NULL when there is no overall rating';
COMMENT ON COLUMN cqc_providers."unpublished_report_count" IS 'number of API unpublishedReports (inspections whose report is not yet published)';
COMMENT ON COLUMN cqc_providers."latest_unpublished_first_visit_date" IS 'latest firstVisitDate among unpublishedReports';
COMMENT ON COLUMN cqc_providers."fetched_at" IS 'when the API response this row comes from arrived (UTC)';
COMMENT ON COLUMN cqc_providers."api_gone_at" IS 'when the API later answered 404 for this ID (the organisation disappeared from the API; the row is the last body it served); NULL while it is served';
COMMENT ON COLUMN cqc_providers."archive_segment" IS 'raw archive segment holding the response, relative to the warehouse root (raw/cqc/date=.../....jsonl.zst)';
COMMENT ON COLUMN cqc_providers."archive_seq" IS 'sequence number of the response within its archive segment (the seq field of the JSON line)';
COMMENT ON COLUMN cqc_providers."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_providers_history AS
SELECT * FROM datasets.cqc_providers;
COMMENT ON VIEW cqc_providers_history IS 'One row per CQC provider: every scalar field of the latest good API body, typed, with contacts reduced to a count and roles. Every snapshot.';
COMMENT ON COLUMN cqc_providers_history."provider_id" IS 'API providerId (1-... or an ODS code such as RL4)';
COMMENT ON COLUMN cqc_providers_history."organisation_type" IS 'API organisationType (Provider)';
COMMENT ON COLUMN cqc_providers_history."ownership_type" IS 'API ownershipType (Organisation, NHS Body, Individual, Partnership)';
COMMENT ON COLUMN cqc_providers_history."type" IS 'API type';
COMMENT ON COLUMN cqc_providers_history."name" IS 'API name';
COMMENT ON COLUMN cqc_providers_history."also_known_as" IS 'API alsoKnownAs';
COMMENT ON COLUMN cqc_providers_history."brand_id" IS 'API brandId';
COMMENT ON COLUMN cqc_providers_history."brand_name" IS 'API brandName, verbatim';
COMMENT ON COLUMN cqc_providers_history."ods_code" IS 'API odsCode';
COMMENT ON COLUMN cqc_providers_history."registration_status" IS 'API registrationStatus (Registered, Deregistered)';
COMMENT ON COLUMN cqc_providers_history."registration_date" IS 'API registrationDate';
COMMENT ON COLUMN cqc_providers_history."deregistration_date" IS 'API deregistrationDate';
COMMENT ON COLUMN cqc_providers_history."companies_house_number" IS 'API companiesHouseNumber (a string: leading zeros kept)';
COMMENT ON COLUMN cqc_providers_history."charity_number" IS 'API charityNumber';
COMMENT ON COLUMN cqc_providers_history."website" IS 'API website';
COMMENT ON COLUMN cqc_providers_history."main_phone_number" IS 'API mainPhoneNumber';
COMMENT ON COLUMN cqc_providers_history."uprn" IS 'API uprn';
COMMENT ON COLUMN cqc_providers_history."postal_address_line1" IS 'API postalAddressLine1';
COMMENT ON COLUMN cqc_providers_history."postal_address_line2" IS 'API postalAddressLine2';
COMMENT ON COLUMN cqc_providers_history."postal_address_town_city" IS 'API postalAddressTownCity';
COMMENT ON COLUMN cqc_providers_history."postal_address_county" IS 'API postalAddressCounty';
COMMENT ON COLUMN cqc_providers_history."postal_code" IS 'API postalCode';
COMMENT ON COLUMN cqc_providers_history."region" IS 'API region, CQC spelling (East, Yorkshire & Humberside, ...)';
COMMENT ON COLUMN cqc_providers_history."onspd_latitude" IS 'API onspdLatitude (WGS84 degrees)';
COMMENT ON COLUMN cqc_providers_history."onspd_longitude" IS 'API onspdLongitude (WGS84 degrees)';
COMMENT ON COLUMN cqc_providers_history."onspd_icb_code" IS 'API onspdIcbCode';
COMMENT ON COLUMN cqc_providers_history."onspd_icb_name" IS 'API onspdIcbName';
COMMENT ON COLUMN cqc_providers_history."constituency" IS 'API constituency';
COMMENT ON COLUMN cqc_providers_history."local_authority" IS 'API localAuthority';
COMMENT ON COLUMN cqc_providers_history."inspection_directorate" IS 'API inspectionDirectorate';
COMMENT ON COLUMN cqc_providers_history."last_inspection_date" IS 'API lastInspection.date';
COMMENT ON COLUMN cqc_providers_history."last_report_publication_date" IS 'API lastReport.publicationDate';
COMMENT ON COLUMN cqc_providers_history."location_count" IS 'number of API locationIds (deregistered locations included); the IDs are in provider_locations';
COMMENT ON COLUMN cqc_providers_history."contact_count" IS 'number of API contacts (names are personal data and not kept)';
COMMENT ON COLUMN cqc_providers_history."contact_roles" IS 'distinct personRoles of the contacts, sorted, joined with ''; ''';
COMMENT ON COLUMN cqc_providers_history."current_ratings_report_date" IS 'API currentRatings.reportDate';
COMMENT ON COLUMN cqc_providers_history."overall_rating" IS 'overall rating in effect, verbatim (the newer of currentRatings.overall and the assessment block); for a deregistered organisation the one it held when deregistered (its rating rows are no longer in effect); NULL when never rated';
COMMENT ON COLUMN cqc_providers_history."overall_rating_category" IS 'overall_rating classified: outstanding, good, requires_improvement, inadequate, inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate or unknown';
COMMENT ON COLUMN cqc_providers_history."overall_rating_date" IS 'report date of the overall rating in effect (for an assessment, the date it was published)';
COMMENT ON COLUMN cqc_providers_history."overall_rating_report_link_id" IS 'reportLinkId of the overall rating in effect (NULL for assessments)';
COMMENT ON COLUMN cqc_providers_history."overall_rating_organisation_id" IS 'organisationId on the overall rating in effect: the predecessor it is inherited from';
COMMENT ON COLUMN cqc_providers_history."overall_rating_inherited" IS 'true when the overall rating in effect carries an organisationId (inherited from a predecessor); NULL when there is no overall rating';
COMMENT ON COLUMN cqc_providers_history."unpublished_report_count" IS 'number of API unpublishedReports (inspections whose report is not yet published)';
COMMENT ON COLUMN cqc_providers_history."latest_unpublished_first_visit_date" IS 'latest firstVisitDate among unpublishedReports';
COMMENT ON COLUMN cqc_providers_history."fetched_at" IS 'when the API response this row comes from arrived (UTC)';
COMMENT ON COLUMN cqc_providers_history."api_gone_at" IS 'when the API later answered 404 for this ID (the organisation disappeared from the API; the row is the last body it served); NULL while it is served';
COMMENT ON COLUMN cqc_providers_history."archive_segment" IS 'raw archive segment holding the response, relative to the warehouse root (raw/cqc/date=.../....jsonl.zst)';
COMMENT ON COLUMN cqc_providers_history."archive_seq" IS 'sequence number of the response within its archive segment (the seq field of the JSON line)';
COMMENT ON COLUMN cqc_providers_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_location_ratings_history AS
SELECT * FROM datasets.cqc_location_ratings;
COMMENT ON VIEW cqc_location_ratings_history IS 'Current ratings of each location, one row per location and rating: overall, key questions (matched by name), services, and Single Assessment Framework ratings marked as such. Every snapshot.';
COMMENT ON COLUMN cqc_location_ratings_history."location_id" IS 'location the rating belongs to';
COMMENT ON COLUMN cqc_location_ratings_history."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN cqc_location_ratings_history."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN cqc_location_ratings_history."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN cqc_location_ratings_history."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN cqc_location_ratings_history."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN cqc_location_ratings_history."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN cqc_location_ratings_history."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN cqc_location_ratings_history."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN cqc_location_ratings_history."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN cqc_location_ratings_history."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN cqc_location_ratings_history."status" IS 'assessment status verbatim (SAF only)';
COMMENT ON COLUMN cqc_location_ratings_history."percentage_score" IS 'assessment key question percentageScore (SAF only; a string in the API)';
COMMENT ON COLUMN cqc_location_ratings_history."assessment_plan_id" IS 'assessmentPlanId of an assessment group rating (SAF only)';
COMMENT ON COLUMN cqc_location_ratings_history."in_effect" IS 'true for the rating in effect for its parent_name and name: the newest report_date, an assessment winning a tie with a legacy rating; false for every rating of a deregistered organisation';
COMMENT ON COLUMN cqc_location_ratings_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_provider_ratings AS
SELECT * FROM datasets.cqc_provider_ratings_latest;
COMMENT ON VIEW cqc_provider_ratings IS 'Current ratings of each provider (mainly NHS trusts), one row per provider and rating. Latest snapshot.';
COMMENT ON COLUMN cqc_provider_ratings."provider_id" IS 'provider the rating belongs to';
COMMENT ON COLUMN cqc_provider_ratings."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN cqc_provider_ratings."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN cqc_provider_ratings."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN cqc_provider_ratings."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN cqc_provider_ratings."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN cqc_provider_ratings."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN cqc_provider_ratings."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN cqc_provider_ratings."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN cqc_provider_ratings."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN cqc_provider_ratings."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN cqc_provider_ratings."status" IS 'assessment status verbatim (SAF only)';
COMMENT ON COLUMN cqc_provider_ratings."percentage_score" IS 'assessment key question percentageScore (SAF only; a string in the API)';
COMMENT ON COLUMN cqc_provider_ratings."assessment_plan_id" IS 'assessmentPlanId of an assessment group rating (SAF only)';
COMMENT ON COLUMN cqc_provider_ratings."in_effect" IS 'true for the rating in effect for its parent_name and name: the newest report_date, an assessment winning a tie with a legacy rating; false for every rating of a deregistered organisation';
COMMENT ON COLUMN cqc_provider_ratings."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_provider_ratings_history AS
SELECT * FROM datasets.cqc_provider_ratings;
COMMENT ON VIEW cqc_provider_ratings_history IS 'Current ratings of each provider (mainly NHS trusts), one row per provider and rating. Every snapshot.';
COMMENT ON COLUMN cqc_provider_ratings_history."provider_id" IS 'provider the rating belongs to';
COMMENT ON COLUMN cqc_provider_ratings_history."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN cqc_provider_ratings_history."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN cqc_provider_ratings_history."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN cqc_provider_ratings_history."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN cqc_provider_ratings_history."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN cqc_provider_ratings_history."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN cqc_provider_ratings_history."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN cqc_provider_ratings_history."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN cqc_provider_ratings_history."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN cqc_provider_ratings_history."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN cqc_provider_ratings_history."status" IS 'assessment status verbatim (SAF only)';
COMMENT ON COLUMN cqc_provider_ratings_history."percentage_score" IS 'assessment key question percentageScore (SAF only; a string in the API)';
COMMENT ON COLUMN cqc_provider_ratings_history."assessment_plan_id" IS 'assessmentPlanId of an assessment group rating (SAF only)';
COMMENT ON COLUMN cqc_provider_ratings_history."in_effect" IS 'true for the rating in effect for its parent_name and name: the newest report_date, an assessment winning a tie with a legacy rating; false for every rating of a deregistered organisation';
COMMENT ON COLUMN cqc_provider_ratings_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_provider_rating_history AS
SELECT * FROM datasets.cqc_provider_rating_history_latest;
COMMENT ON VIEW cqc_provider_rating_history IS 'Rating timeline of each provider: historicRatings plus current ratings, with validity periods. Latest snapshot.';
COMMENT ON COLUMN cqc_provider_rating_history."provider_id" IS 'provider the rating belongs to';
COMMENT ON COLUMN cqc_provider_rating_history."kind" IS 'overall, key_question, service, service_key_question, use_of_resources, combined_quality (legacy framework) or assessment_overall, assessment_key_question, assessment_group, assessment_group_key_question (Single Assessment Framework)';
COMMENT ON COLUMN cqc_provider_rating_history."parent_name" IS 'for a key question of a service or assessment group: that service or group''s name; NULL otherwise';
COMMENT ON COLUMN cqc_provider_rating_history."name" IS '''Overall'', the key question (Safe, Effective, Caring, Responsive, Well-led, matched by name), the service or assessment group name, ''Use of resources'' or ''Combined quality and use of resources''';
COMMENT ON COLUMN cqc_provider_rating_history."rating" IS 'the rating verbatim as the API spells it';
COMMENT ON COLUMN cqc_provider_rating_history."rating_category" IS 'rating classified: outstanding, good, requires_improvement, inadequate (both ''Requires improvement'' and the SAF ''Requires Improvement''), inspected_but_not_rated, no_published_rating, insufficient_evidence_to_rate, or unknown for any other string (kept verbatim in rating)';
COMMENT ON COLUMN cqc_provider_rating_history."report_date" IS 'date of the report the rating comes from (for an assessment, the date it was published or assessed)';
COMMENT ON COLUMN cqc_provider_rating_history."report_link_id" IS 'reportLinkId: the report''s linkId, in this organisation''s reports or, when inherited, in the predecessor''s';
COMMENT ON COLUMN cqc_provider_rating_history."organisation_id" IS 'API organisationId on the rating: the predecessor location the rating is inherited from';
COMMENT ON COLUMN cqc_provider_rating_history."inherited" IS 'true when organisation_id is set (the rating is inherited from a predecessor)';
COMMENT ON COLUMN cqc_provider_rating_history."framework" IS 'legacy (currentRatings/historicRatings) or saf (the 2024+ Single Assessment Framework assessment block)';
COMMENT ON COLUMN cqc_provider_rating_history."source" IS 'where the API lists the rating: currentRatings, historicRatings or assessment';
COMMENT ON COLUMN cqc_provider_rating_history."valid_from" IS 'start of the rating''s period: its report_date';
COMMENT ON COLUMN cqc_provider_rating_history."valid_to" IS 'end (exclusive) of the period: the next newer report_date for the same organisation, parent_name and name, or the deregistration date of a deregistered organisation, whichever is first; NULL for the rating in effect';
COMMENT ON COLUMN cqc_provider_rating_history."is_current" IS 'true for the rating in effect now (valid_to is NULL and the API lists it as current); false for every rating of a deregistered organisation';
COMMENT ON COLUMN cqc_provider_rating_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_reports AS
SELECT * FROM datasets.cqc_reports_latest;
COMMENT ON VIEW cqc_reports IS 'Inspection reports listed by locations and providers (API reports[]); inherited ratings point here through report_link_id = link_id of the predecessor. Latest snapshot.';
COMMENT ON COLUMN cqc_reports."organisation_type" IS 'location or provider: whose reports list holds the report';
COMMENT ON COLUMN cqc_reports."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN cqc_reports."link_id" IS 'API linkId (what ratings'' reportLinkId refers to)';
COMMENT ON COLUMN cqc_reports."report_date" IS 'API reportDate';
COMMENT ON COLUMN cqc_reports."first_visit_date" IS 'API firstVisitDate';
COMMENT ON COLUMN cqc_reports."report_uri" IS 'API reportUri, verbatim (relative to the API base; may end in ?YYYYMMDDhhmmss)';
COMMENT ON COLUMN cqc_reports."report_type" IS 'API reportType (Location, Provider, CoreService); NULL on old reports';
COMMENT ON COLUMN cqc_reports."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_reports_history AS
SELECT * FROM datasets.cqc_reports;
COMMENT ON VIEW cqc_reports_history IS 'Inspection reports listed by locations and providers (API reports[]); inherited ratings point here through report_link_id = link_id of the predecessor. Every snapshot.';
COMMENT ON COLUMN cqc_reports_history."organisation_type" IS 'location or provider: whose reports list holds the report';
COMMENT ON COLUMN cqc_reports_history."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN cqc_reports_history."link_id" IS 'API linkId (what ratings'' reportLinkId refers to)';
COMMENT ON COLUMN cqc_reports_history."report_date" IS 'API reportDate';
COMMENT ON COLUMN cqc_reports_history."first_visit_date" IS 'API firstVisitDate';
COMMENT ON COLUMN cqc_reports_history."report_uri" IS 'API reportUri, verbatim (relative to the API base; may end in ?YYYYMMDDhhmmss)';
COMMENT ON COLUMN cqc_reports_history."report_type" IS 'API reportType (Location, Provider, CoreService); NULL on old reports';
COMMENT ON COLUMN cqc_reports_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_report_related_documents AS
SELECT * FROM datasets.cqc_report_related_documents_latest;
COMMENT ON VIEW cqc_report_related_documents IS 'Documents related to a report (API reports[].relatedDocuments), e.g. Use of Resources. Latest snapshot.';
COMMENT ON COLUMN cqc_report_related_documents."organisation_type" IS 'location or provider';
COMMENT ON COLUMN cqc_report_related_documents."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN cqc_report_related_documents."link_id" IS 'the report''s linkId';
COMMENT ON COLUMN cqc_report_related_documents."document_type" IS 'API documentType';
COMMENT ON COLUMN cqc_report_related_documents."document_uri" IS 'API documentUri (relative to the API base)';
COMMENT ON COLUMN cqc_report_related_documents."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_report_related_documents_history AS
SELECT * FROM datasets.cqc_report_related_documents;
COMMENT ON VIEW cqc_report_related_documents_history IS 'Documents related to a report (API reports[].relatedDocuments), e.g. Use of Resources. Every snapshot.';
COMMENT ON COLUMN cqc_report_related_documents_history."organisation_type" IS 'location or provider';
COMMENT ON COLUMN cqc_report_related_documents_history."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN cqc_report_related_documents_history."link_id" IS 'the report''s linkId';
COMMENT ON COLUMN cqc_report_related_documents_history."document_type" IS 'API documentType';
COMMENT ON COLUMN cqc_report_related_documents_history."document_uri" IS 'API documentUri (relative to the API base)';
COMMENT ON COLUMN cqc_report_related_documents_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_report_inspection_locations AS
SELECT * FROM datasets.cqc_report_inspection_locations_latest;
COMMENT ON VIEW cqc_report_inspection_locations IS 'Locations covered by a (provider) report (API reports[].inspectionLocations). Latest snapshot.';
COMMENT ON COLUMN cqc_report_inspection_locations."organisation_type" IS 'location or provider';
COMMENT ON COLUMN cqc_report_inspection_locations."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN cqc_report_inspection_locations."link_id" IS 'the report''s linkId';
COMMENT ON COLUMN cqc_report_inspection_locations."location_id" IS 'an inspected location';
COMMENT ON COLUMN cqc_report_inspection_locations."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_report_inspection_locations_history AS
SELECT * FROM datasets.cqc_report_inspection_locations;
COMMENT ON VIEW cqc_report_inspection_locations_history IS 'Locations covered by a (provider) report (API reports[].inspectionLocations). Every snapshot.';
COMMENT ON COLUMN cqc_report_inspection_locations_history."organisation_type" IS 'location or provider';
COMMENT ON COLUMN cqc_report_inspection_locations_history."organisation_id" IS 'locationId or providerId whose reports list holds the report';
COMMENT ON COLUMN cqc_report_inspection_locations_history."link_id" IS 'the report''s linkId';
COMMENT ON COLUMN cqc_report_inspection_locations_history."location_id" IS 'an inspected location';
COMMENT ON COLUMN cqc_report_inspection_locations_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_location_relationships AS
SELECT * FROM datasets.cqc_location_relationships_latest;
COMMENT ON VIEW cqc_location_relationships IS 'Re-registration links of locations (API relationships[]): HSCA Predecessor on the new location, HSCA Successor on the old one. Latest snapshot.';
COMMENT ON COLUMN cqc_location_relationships."location_id" IS 'location whose body lists the relationship';
COMMENT ON COLUMN cqc_location_relationships."related_location_id" IS 'API relatedLocationId';
COMMENT ON COLUMN cqc_location_relationships."related_location_name" IS 'API relatedLocationName';
COMMENT ON COLUMN cqc_location_relationships."type" IS 'API type: HSCA Predecessor (related is older) or HSCA Successor (related is newer)';
COMMENT ON COLUMN cqc_location_relationships."reason" IS 'API reason (Legal Entity Change, New Provider, Location Move, NHS Transfer, ...)';
COMMENT ON COLUMN cqc_location_relationships."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_location_relationships_history AS
SELECT * FROM datasets.cqc_location_relationships;
COMMENT ON VIEW cqc_location_relationships_history IS 'Re-registration links of locations (API relationships[]): HSCA Predecessor on the new location, HSCA Successor on the old one. Every snapshot.';
COMMENT ON COLUMN cqc_location_relationships_history."location_id" IS 'location whose body lists the relationship';
COMMENT ON COLUMN cqc_location_relationships_history."related_location_id" IS 'API relatedLocationId';
COMMENT ON COLUMN cqc_location_relationships_history."related_location_name" IS 'API relatedLocationName';
COMMENT ON COLUMN cqc_location_relationships_history."type" IS 'API type: HSCA Predecessor (related is older) or HSCA Successor (related is newer)';
COMMENT ON COLUMN cqc_location_relationships_history."reason" IS 'API reason (Legal Entity Change, New Provider, Location Move, NHS Transfer, ...)';
COMMENT ON COLUMN cqc_location_relationships_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_provider_relationships AS
SELECT * FROM datasets.cqc_provider_relationships_latest;
COMMENT ON VIEW cqc_provider_relationships IS 'Re-registration links of providers (API relationships[]). Latest snapshot.';
COMMENT ON COLUMN cqc_provider_relationships."provider_id" IS 'provider whose body lists the relationship';
COMMENT ON COLUMN cqc_provider_relationships."related_provider_id" IS 'API relatedProviderId';
COMMENT ON COLUMN cqc_provider_relationships."related_provider_name" IS 'API relatedProviderName';
COMMENT ON COLUMN cqc_provider_relationships."type" IS 'API type (HSCA Predecessor, HSCA Successor)';
COMMENT ON COLUMN cqc_provider_relationships."reason" IS 'API reason';
COMMENT ON COLUMN cqc_provider_relationships."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_provider_relationships_history AS
SELECT * FROM datasets.cqc_provider_relationships;
COMMENT ON VIEW cqc_provider_relationships_history IS 'Re-registration links of providers (API relationships[]). Every snapshot.';
COMMENT ON COLUMN cqc_provider_relationships_history."provider_id" IS 'provider whose body lists the relationship';
COMMENT ON COLUMN cqc_provider_relationships_history."related_provider_id" IS 'API relatedProviderId';
COMMENT ON COLUMN cqc_provider_relationships_history."related_provider_name" IS 'API relatedProviderName';
COMMENT ON COLUMN cqc_provider_relationships_history."type" IS 'API type (HSCA Predecessor, HSCA Successor)';
COMMENT ON COLUMN cqc_provider_relationships_history."reason" IS 'API reason';
COMMENT ON COLUMN cqc_provider_relationships_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_regulated_activities AS
SELECT * FROM datasets.cqc_regulated_activities_latest;
COMMENT ON VIEW cqc_regulated_activities IS 'Regulated activities of locations and providers; contacts and nominated individuals reduced to a count and roles. Latest snapshot.';
COMMENT ON COLUMN cqc_regulated_activities."organisation_type" IS 'location or provider';
COMMENT ON COLUMN cqc_regulated_activities."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN cqc_regulated_activities."name" IS 'API name (Personal care, ...)';
COMMENT ON COLUMN cqc_regulated_activities."code" IS 'API code (RA1, ...)';
COMMENT ON COLUMN cqc_regulated_activities."contact_count" IS 'number of contacts (registered managers) plus the nominated individual, if any; names are not kept';
COMMENT ON COLUMN cqc_regulated_activities."contact_roles" IS 'distinct personRoles of those people, sorted, joined with ''; '' (''Nominated Individual'' for the provider''s nominated individual)';
COMMENT ON COLUMN cqc_regulated_activities."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_regulated_activities_history AS
SELECT * FROM datasets.cqc_regulated_activities;
COMMENT ON VIEW cqc_regulated_activities_history IS 'Regulated activities of locations and providers; contacts and nominated individuals reduced to a count and roles. Every snapshot.';
COMMENT ON COLUMN cqc_regulated_activities_history."organisation_type" IS 'location or provider';
COMMENT ON COLUMN cqc_regulated_activities_history."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN cqc_regulated_activities_history."name" IS 'API name (Personal care, ...)';
COMMENT ON COLUMN cqc_regulated_activities_history."code" IS 'API code (RA1, ...)';
COMMENT ON COLUMN cqc_regulated_activities_history."contact_count" IS 'number of contacts (registered managers) plus the nominated individual, if any; names are not kept';
COMMENT ON COLUMN cqc_regulated_activities_history."contact_roles" IS 'distinct personRoles of those people, sorted, joined with ''; '' (''Nominated Individual'' for the provider''s nominated individual)';
COMMENT ON COLUMN cqc_regulated_activities_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_gac_service_types AS
SELECT * FROM datasets.cqc_gac_service_types_latest;
COMMENT ON VIEW cqc_gac_service_types IS 'GAC service types of each location (API gacServiceTypes[]). Latest snapshot.';
COMMENT ON COLUMN cqc_gac_service_types."location_id" IS 'location';
COMMENT ON COLUMN cqc_gac_service_types."name" IS 'API name (Residential homes, ...)';
COMMENT ON COLUMN cqc_gac_service_types."description" IS 'API description (Care home service without nursing, ...)';
COMMENT ON COLUMN cqc_gac_service_types."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_gac_service_types_history AS
SELECT * FROM datasets.cqc_gac_service_types;
COMMENT ON VIEW cqc_gac_service_types_history IS 'GAC service types of each location (API gacServiceTypes[]). Every snapshot.';
COMMENT ON COLUMN cqc_gac_service_types_history."location_id" IS 'location';
COMMENT ON COLUMN cqc_gac_service_types_history."name" IS 'API name (Residential homes, ...)';
COMMENT ON COLUMN cqc_gac_service_types_history."description" IS 'API description (Care home service without nursing, ...)';
COMMENT ON COLUMN cqc_gac_service_types_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_inspection_categories AS
SELECT * FROM datasets.cqc_inspection_categories_latest;
COMMENT ON VIEW cqc_inspection_categories IS 'Inspection categories of locations and providers (API inspectionCategories[]). Latest snapshot.';
COMMENT ON COLUMN cqc_inspection_categories."organisation_type" IS 'location or provider';
COMMENT ON COLUMN cqc_inspection_categories."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN cqc_inspection_categories."code" IS 'API code (S1, P1, H2, ...)';
COMMENT ON COLUMN cqc_inspection_categories."name" IS 'API name';
COMMENT ON COLUMN cqc_inspection_categories."primary" IS 'API primary (the strings "true"/"false" as a boolean; NULL for anything else)';
COMMENT ON COLUMN cqc_inspection_categories."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_inspection_categories_history AS
SELECT * FROM datasets.cqc_inspection_categories;
COMMENT ON VIEW cqc_inspection_categories_history IS 'Inspection categories of locations and providers (API inspectionCategories[]). Every snapshot.';
COMMENT ON COLUMN cqc_inspection_categories_history."organisation_type" IS 'location or provider';
COMMENT ON COLUMN cqc_inspection_categories_history."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN cqc_inspection_categories_history."code" IS 'API code (S1, P1, H2, ...)';
COMMENT ON COLUMN cqc_inspection_categories_history."name" IS 'API name';
COMMENT ON COLUMN cqc_inspection_categories_history."primary" IS 'API primary (the strings "true"/"false" as a boolean; NULL for anything else)';
COMMENT ON COLUMN cqc_inspection_categories_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_specialisms AS
SELECT * FROM datasets.cqc_specialisms_latest;
COMMENT ON VIEW cqc_specialisms IS 'Specialisms of each location: the API''s specialisms[] and the newer specialism[] taxonomy. Latest snapshot.';
COMMENT ON COLUMN cqc_specialisms."location_id" IS 'location';
COMMENT ON COLUMN cqc_specialisms."name" IS 'API name (Dementia, ...)';
COMMENT ON COLUMN cqc_specialisms."code" IS 'API code (newer taxonomy only)';
COMMENT ON COLUMN cqc_specialisms."taxonomy" IS 'which API list: specialisms (name only) or specialism (code and name)';
COMMENT ON COLUMN cqc_specialisms."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_specialisms_history AS
SELECT * FROM datasets.cqc_specialisms;
COMMENT ON VIEW cqc_specialisms_history IS 'Specialisms of each location: the API''s specialisms[] and the newer specialism[] taxonomy. Every snapshot.';
COMMENT ON COLUMN cqc_specialisms_history."location_id" IS 'location';
COMMENT ON COLUMN cqc_specialisms_history."name" IS 'API name (Dementia, ...)';
COMMENT ON COLUMN cqc_specialisms_history."code" IS 'API code (newer taxonomy only)';
COMMENT ON COLUMN cqc_specialisms_history."taxonomy" IS 'which API list: specialisms (name only) or specialism (code and name)';
COMMENT ON COLUMN cqc_specialisms_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_inspection_areas AS
SELECT * FROM datasets.cqc_inspection_areas_latest;
COMMENT ON VIEW cqc_inspection_areas IS 'Inspection areas of locations and providers (API inspectionAreas[]). Latest snapshot.';
COMMENT ON COLUMN cqc_inspection_areas."organisation_type" IS 'location or provider';
COMMENT ON COLUMN cqc_inspection_areas."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN cqc_inspection_areas."inspection_area_id" IS 'API inspectionAreaId (old, problems, ...)';
COMMENT ON COLUMN cqc_inspection_areas."inspection_area_name" IS 'API inspectionAreaName';
COMMENT ON COLUMN cqc_inspection_areas."inspection_area_type" IS 'API inspectionAreaType';
COMMENT ON COLUMN cqc_inspection_areas."status" IS 'API status (Active, Superseded, ...)';
COMMENT ON COLUMN cqc_inspection_areas."superseded_by" IS 'API supersededBy[] joined with ''; ''';
COMMENT ON COLUMN cqc_inspection_areas."end_date" IS 'API endDate';
COMMENT ON COLUMN cqc_inspection_areas."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_inspection_areas_history AS
SELECT * FROM datasets.cqc_inspection_areas;
COMMENT ON VIEW cqc_inspection_areas_history IS 'Inspection areas of locations and providers (API inspectionAreas[]). Every snapshot.';
COMMENT ON COLUMN cqc_inspection_areas_history."organisation_type" IS 'location or provider';
COMMENT ON COLUMN cqc_inspection_areas_history."organisation_id" IS 'locationId or providerId';
COMMENT ON COLUMN cqc_inspection_areas_history."inspection_area_id" IS 'API inspectionAreaId (old, problems, ...)';
COMMENT ON COLUMN cqc_inspection_areas_history."inspection_area_name" IS 'API inspectionAreaName';
COMMENT ON COLUMN cqc_inspection_areas_history."inspection_area_type" IS 'API inspectionAreaType';
COMMENT ON COLUMN cqc_inspection_areas_history."status" IS 'API status (Active, Superseded, ...)';
COMMENT ON COLUMN cqc_inspection_areas_history."superseded_by" IS 'API supersededBy[] joined with ''; ''';
COMMENT ON COLUMN cqc_inspection_areas_history."end_date" IS 'API endDate';
COMMENT ON COLUMN cqc_inspection_areas_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_provider_locations AS
SELECT * FROM datasets.cqc_provider_locations_latest;
COMMENT ON VIEW cqc_provider_locations IS 'The locations of each provider (API locationIds[]; deregistered locations included). Latest snapshot.';
COMMENT ON COLUMN cqc_provider_locations."provider_id" IS 'provider';
COMMENT ON COLUMN cqc_provider_locations."location_id" IS 'one of its locationIds';
COMMENT ON COLUMN cqc_provider_locations."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_provider_locations_history AS
SELECT * FROM datasets.cqc_provider_locations;
COMMENT ON VIEW cqc_provider_locations_history IS 'The locations of each provider (API locationIds[]; deregistered locations included). Every snapshot.';
COMMENT ON COLUMN cqc_provider_locations_history."provider_id" IS 'provider';
COMMENT ON COLUMN cqc_provider_locations_history."location_id" IS 'one of its locationIds';
COMMENT ON COLUMN cqc_provider_locations_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_age_groups AS
SELECT * FROM datasets.cqc_age_groups_latest;
COMMENT ON VIEW cqc_age_groups IS 'Age groups served by each location (API ageGroup[]). Latest snapshot.';
COMMENT ON COLUMN cqc_age_groups."location_id" IS 'location';
COMMENT ON COLUMN cqc_age_groups."code" IS 'API code';
COMMENT ON COLUMN cqc_age_groups."name" IS 'API name';
COMMENT ON COLUMN cqc_age_groups."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_age_groups_history AS
SELECT * FROM datasets.cqc_age_groups;
COMMENT ON VIEW cqc_age_groups_history IS 'Age groups served by each location (API ageGroup[]). Every snapshot.';
COMMENT ON COLUMN cqc_age_groups_history."location_id" IS 'location';
COMMENT ON COLUMN cqc_age_groups_history."code" IS 'API code';
COMMENT ON COLUMN cqc_age_groups_history."name" IS 'API name';
COMMENT ON COLUMN cqc_age_groups_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_setting_services AS
SELECT * FROM datasets.cqc_setting_services_latest;
COMMENT ON VIEW cqc_setting_services IS 'Setting and service types of each location (API settingServices[]). Latest snapshot.';
COMMENT ON COLUMN cqc_setting_services."location_id" IS 'location';
COMMENT ON COLUMN cqc_setting_services."setting_type_code" IS 'API settingtypeCode';
COMMENT ON COLUMN cqc_setting_services."setting_type_name" IS 'API settingtypeName';
COMMENT ON COLUMN cqc_setting_services."service_type_code" IS 'API servicetypeCode';
COMMENT ON COLUMN cqc_setting_services."service_type_name" IS 'API servicetypeName';
COMMENT ON COLUMN cqc_setting_services."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_setting_services_history AS
SELECT * FROM datasets.cqc_setting_services;
COMMENT ON VIEW cqc_setting_services_history IS 'Setting and service types of each location (API settingServices[]). Every snapshot.';
COMMENT ON COLUMN cqc_setting_services_history."location_id" IS 'location';
COMMENT ON COLUMN cqc_setting_services_history."setting_type_code" IS 'API settingtypeCode';
COMMENT ON COLUMN cqc_setting_services_history."setting_type_name" IS 'API settingtypeName';
COMMENT ON COLUMN cqc_setting_services_history."service_type_code" IS 'API servicetypeCode';
COMMENT ON COLUMN cqc_setting_services_history."service_type_name" IS 'API servicetypeName';
COMMENT ON COLUMN cqc_setting_services_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_provider_inspection_areas AS
SELECT * FROM datasets.cqc_provider_inspection_areas_latest;
COMMENT ON VIEW cqc_provider_inspection_areas IS 'Provider-level inspection area reports listed on a location (API providerInspectionAreas[].reports[]; an area with no reports gives one row with NULL report columns). Latest snapshot.';
COMMENT ON COLUMN cqc_provider_inspection_areas."location_id" IS 'location whose body lists them';
COMMENT ON COLUMN cqc_provider_inspection_areas."inspection_area_id" IS 'API inspectionAreaId';
COMMENT ON COLUMN cqc_provider_inspection_areas."inspection_id" IS 'API reports[].inspectionId';
COMMENT ON COLUMN cqc_provider_inspection_areas."report_link_id" IS 'API reports[].reportLinkId';
COMMENT ON COLUMN cqc_provider_inspection_areas."provider_id" IS 'API reports[].providerId';
COMMENT ON COLUMN cqc_provider_inspection_areas."report_location_id" IS 'API reports[].locationId';
COMMENT ON COLUMN cqc_provider_inspection_areas."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_provider_inspection_areas_history AS
SELECT * FROM datasets.cqc_provider_inspection_areas;
COMMENT ON VIEW cqc_provider_inspection_areas_history IS 'Provider-level inspection area reports listed on a location (API providerInspectionAreas[].reports[]; an area with no reports gives one row with NULL report columns). Every snapshot.';
COMMENT ON COLUMN cqc_provider_inspection_areas_history."location_id" IS 'location whose body lists them';
COMMENT ON COLUMN cqc_provider_inspection_areas_history."inspection_area_id" IS 'API inspectionAreaId';
COMMENT ON COLUMN cqc_provider_inspection_areas_history."inspection_id" IS 'API reports[].inspectionId';
COMMENT ON COLUMN cqc_provider_inspection_areas_history."report_link_id" IS 'API reports[].reportLinkId';
COMMENT ON COLUMN cqc_provider_inspection_areas_history."provider_id" IS 'API reports[].providerId';
COMMENT ON COLUMN cqc_provider_inspection_areas_history."report_location_id" IS 'API reports[].locationId';
COMMENT ON COLUMN cqc_provider_inspection_areas_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_assessment_service_groups AS
SELECT * FROM datasets.cqc_assessment_service_groups_latest;
COMMENT ON VIEW cqc_assessment_service_groups IS 'Assessment service groups of each location (API assessmentServiceGroup[], Single Assessment Framework). Latest snapshot.';
COMMENT ON COLUMN cqc_assessment_service_groups."location_id" IS 'location';
COMMENT ON COLUMN cqc_assessment_service_groups."assessment_service_id" IS 'API assessmentServiceId';
COMMENT ON COLUMN cqc_assessment_service_groups."assessment_service_name" IS 'API assessmentServiceName';
COMMENT ON COLUMN cqc_assessment_service_groups."assessment_service_type" IS 'API assessmentServiceType';
COMMENT ON COLUMN cqc_assessment_service_groups."status" IS 'API status';
COMMENT ON COLUMN cqc_assessment_service_groups."start_date" IS 'API startDate (date part)';
COMMENT ON COLUMN cqc_assessment_service_groups."end_date" IS 'API endDate (date part)';
COMMENT ON COLUMN cqc_assessment_service_groups."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_assessment_service_groups_history AS
SELECT * FROM datasets.cqc_assessment_service_groups;
COMMENT ON VIEW cqc_assessment_service_groups_history IS 'Assessment service groups of each location (API assessmentServiceGroup[], Single Assessment Framework). Every snapshot.';
COMMENT ON COLUMN cqc_assessment_service_groups_history."location_id" IS 'location';
COMMENT ON COLUMN cqc_assessment_service_groups_history."assessment_service_id" IS 'API assessmentServiceId';
COMMENT ON COLUMN cqc_assessment_service_groups_history."assessment_service_name" IS 'API assessmentServiceName';
COMMENT ON COLUMN cqc_assessment_service_groups_history."assessment_service_type" IS 'API assessmentServiceType';
COMMENT ON COLUMN cqc_assessment_service_groups_history."status" IS 'API status';
COMMENT ON COLUMN cqc_assessment_service_groups_history."start_date" IS 'API startDate (date part)';
COMMENT ON COLUMN cqc_assessment_service_groups_history."end_date" IS 'API endDate (date part)';
COMMENT ON COLUMN cqc_assessment_service_groups_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_rejects AS
SELECT * FROM datasets.cqc_rejects_latest;
COMMENT ON VIEW cqc_rejects IS 'Raw CQC bodies (or single values) that did not fit the schema, with the reason and a pointer into the raw archive, where the body is kept. Latest snapshot.';
COMMENT ON COLUMN cqc_rejects."entity_type" IS 'location, provider or inspection_areas (the taxonomy)';
COMMENT ON COLUMN cqc_rejects."entity_id" IS 'the ID the body was fetched for';
COMMENT ON COLUMN cqc_rejects."scope" IS 'body: the whole body was rejected and has no rows; field: one value was unusable, stored as NULL, and the rest of the body was loaded';
COMMENT ON COLUMN cqc_rejects."field" IS 'for scope field: the API path of the value (e.g. currentRatings.overall.reportDate)';
COMMENT ON COLUMN cqc_rejects."reason" IS 'why it was rejected';
COMMENT ON COLUMN cqc_rejects."fetched_at" IS 'when the response arrived (UTC)';
COMMENT ON COLUMN cqc_rejects."archive_segment" IS 'raw archive segment holding the body, relative to the warehouse root';
COMMENT ON COLUMN cqc_rejects."archive_seq" IS 'sequence number of the record within its segment';
COMMENT ON COLUMN cqc_rejects."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_rejects_history AS
SELECT * FROM datasets.cqc_rejects;
COMMENT ON VIEW cqc_rejects_history IS 'Raw CQC bodies (or single values) that did not fit the schema, with the reason and a pointer into the raw archive, where the body is kept. Every snapshot.';
COMMENT ON COLUMN cqc_rejects_history."entity_type" IS 'location, provider or inspection_areas (the taxonomy)';
COMMENT ON COLUMN cqc_rejects_history."entity_id" IS 'the ID the body was fetched for';
COMMENT ON COLUMN cqc_rejects_history."scope" IS 'body: the whole body was rejected and has no rows; field: one value was unusable, stored as NULL, and the rest of the body was loaded';
COMMENT ON COLUMN cqc_rejects_history."field" IS 'for scope field: the API path of the value (e.g. currentRatings.overall.reportDate)';
COMMENT ON COLUMN cqc_rejects_history."reason" IS 'why it was rejected';
COMMENT ON COLUMN cqc_rejects_history."fetched_at" IS 'when the response arrived (UTC)';
COMMENT ON COLUMN cqc_rejects_history."archive_segment" IS 'raw archive segment holding the body, relative to the warehouse root';
COMMENT ON COLUMN cqc_rejects_history."archive_seq" IS 'sequence number of the record within its segment';
COMMENT ON COLUMN cqc_rejects_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_inspection_area_taxonomy AS
SELECT * FROM datasets.cqc_inspection_area_taxonomy_latest;
COMMENT ON VIEW cqc_inspection_area_taxonomy IS 'The global inspection-area taxonomy (API GET /inspection-areas), one row per area, with each area''s current successors (supersededBy followed to areas not superseded, cycle-safe). Latest snapshot.';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."inspection_area_id" IS 'API inspectionAreaId (old, maternity, ...): serviceRatings[].name and inspectionAreas[].inspectionAreaId name it';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."inspection_area_name" IS 'API inspectionAreaName';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."inspection_area_type" IS 'API inspectionAreaType (Population group, Core service, ...)';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."status" IS 'API status for new inspections (Active, Superseded, Retired, ...), verbatim';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."end_date" IS 'API endDate';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."org_retirement_date" IS 'API orgInspectionAreaRetirementDate';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."superseded_by" IS 'API supersededBy[] joined with ''; '' (the direct successors); NULL when none';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."inspection_category_codes" IS 'codes of API inspectionCategories[] joined with ''; ''';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."current_area_ids" IS 'the areas in effect for this one, sorted and joined with ''; '': supersededBy followed until areas that name no successor (the area itself when it names none); NULL when every path ends in a cycle';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."current_area_names" IS 'inspection_area_name of each of current_area_ids, in the same order, joined with ''; '' (the ID where the taxonomy lacks the area)';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."supersession_depth" IS 'the most supersededBy steps from this area to a current one (0 when it names no successor)';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."in_cycle" IS 'true when following supersededBy from this area comes back to an area already on the path (never followed twice)';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN cqc_inspection_area_taxonomy."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_inspection_area_taxonomy_history AS
SELECT * FROM datasets.cqc_inspection_area_taxonomy;
COMMENT ON VIEW cqc_inspection_area_taxonomy_history IS 'The global inspection-area taxonomy (API GET /inspection-areas), one row per area, with each area''s current successors (supersededBy followed to areas not superseded, cycle-safe). Every snapshot.';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."inspection_area_id" IS 'API inspectionAreaId (old, maternity, ...): serviceRatings[].name and inspectionAreas[].inspectionAreaId name it';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."inspection_area_name" IS 'API inspectionAreaName';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."inspection_area_type" IS 'API inspectionAreaType (Population group, Core service, ...)';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."status" IS 'API status for new inspections (Active, Superseded, Retired, ...), verbatim';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."end_date" IS 'API endDate';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."org_retirement_date" IS 'API orgInspectionAreaRetirementDate';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."superseded_by" IS 'API supersededBy[] joined with ''; '' (the direct successors); NULL when none';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."inspection_category_codes" IS 'codes of API inspectionCategories[] joined with ''; ''';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."current_area_ids" IS 'the areas in effect for this one, sorted and joined with ''; '': supersededBy followed until areas that name no successor (the area itself when it names none); NULL when every path ends in a cycle';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."current_area_names" IS 'inspection_area_name of each of current_area_ids, in the same order, joined with ''; '' (the ID where the taxonomy lacks the area)';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."supersession_depth" IS 'the most supersededBy steps from this area to a current one (0 when it names no successor)';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."in_cycle" IS 'true when following supersededBy from this area comes back to an area already on the path (never followed twice)';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN cqc_inspection_area_taxonomy_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_report_texts AS
SELECT * FROM datasets.cqc_report_texts_latest;
COMMENT ON VIEW cqc_report_texts IS 'The text of each inspection report document extract fetched with --reports text (GET /reports/{linkId} with Accept: text/plain), one row per document and organisation (location or provider) listing it. Latest snapshot.';
COMMENT ON COLUMN cqc_report_texts."link_id" IS 'the report''s linkId (reports[].linkId; GET /reports/{linkId})';
COMMENT ON COLUMN cqc_report_texts."document_type" IS 'the related document''s type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report';
COMMENT ON COLUMN cqc_report_texts."location_id" IS 'a location whose reports list holds the report (its latest good body); NULL on a provider''s row, and when no organisation lists it';
COMMENT ON COLUMN cqc_report_texts."provider_id" IS 'a provider whose reports list holds the report (its latest good body): an NHS trust''s provider-level (well-led) report, which no location lists; NULL on a location''s row, when no organisation lists it, and in files written before the column was added';
COMMENT ON COLUMN cqc_report_texts."report_date" IS 'reportDate of the report in that organisation''s (location''s or provider''s) list';
COMMENT ON COLUMN cqc_report_texts."text" IS 'the report''s text as the API serves it (UTF-8, verbatim)';
COMMENT ON COLUMN cqc_report_texts."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN cqc_report_texts."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN cqc_report_texts."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN cqc_report_texts."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_report_texts_history AS
SELECT * FROM datasets.cqc_report_texts;
COMMENT ON VIEW cqc_report_texts_history IS 'The text of each inspection report document extract fetched with --reports text (GET /reports/{linkId} with Accept: text/plain), one row per document and organisation (location or provider) listing it. Every snapshot.';
COMMENT ON COLUMN cqc_report_texts_history."link_id" IS 'the report''s linkId (reports[].linkId; GET /reports/{linkId})';
COMMENT ON COLUMN cqc_report_texts_history."document_type" IS 'the related document''s type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report';
COMMENT ON COLUMN cqc_report_texts_history."location_id" IS 'a location whose reports list holds the report (its latest good body); NULL on a provider''s row, and when no organisation lists it';
COMMENT ON COLUMN cqc_report_texts_history."provider_id" IS 'a provider whose reports list holds the report (its latest good body): an NHS trust''s provider-level (well-led) report, which no location lists; NULL on a location''s row, when no organisation lists it, and in files written before the column was added';
COMMENT ON COLUMN cqc_report_texts_history."report_date" IS 'reportDate of the report in that organisation''s (location''s or provider''s) list';
COMMENT ON COLUMN cqc_report_texts_history."text" IS 'the report''s text as the API serves it (UTF-8, verbatim)';
COMMENT ON COLUMN cqc_report_texts_history."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN cqc_report_texts_history."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN cqc_report_texts_history."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN cqc_report_texts_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_report_files AS
SELECT * FROM datasets.cqc_report_files_latest;
COMMENT ON VIEW cqc_report_files IS 'Each inspection report document extract fetched as a PDF (--reports pdf, or --reports text for a report the API has no text for), kept as a file beside the raw archive, one row per document and organisation (location or provider) listing it. Latest snapshot.';
COMMENT ON COLUMN cqc_report_files."link_id" IS 'the report''s linkId (reports[].linkId; GET /reports/{linkId})';
COMMENT ON COLUMN cqc_report_files."document_type" IS 'the related document''s type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report';
COMMENT ON COLUMN cqc_report_files."location_id" IS 'a location whose reports list holds the report (its latest good body); NULL on a provider''s row, and when no organisation lists it';
COMMENT ON COLUMN cqc_report_files."provider_id" IS 'a provider whose reports list holds the report (its latest good body): an NHS trust''s provider-level (well-led) report, which no location lists; NULL on a location''s row, when no organisation lists it, and in files written before the column was added';
COMMENT ON COLUMN cqc_report_files."report_date" IS 'reportDate of the report in that organisation''s (location''s or provider''s) list';
COMMENT ON COLUMN cqc_report_files."path" IS 'the PDF''s path relative to the warehouse root (raw/cqc-files/...)';
COMMENT ON COLUMN cqc_report_files."bytes" IS 'the PDF''s size in bytes';
COMMENT ON COLUMN cqc_report_files."asked_for_text" IS 'true when text was asked for and the API answered the PDF (it has no text for this report)';
COMMENT ON COLUMN cqc_report_files."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN cqc_report_files."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN cqc_report_files."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN cqc_report_files."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_report_files_history AS
SELECT * FROM datasets.cqc_report_files;
COMMENT ON VIEW cqc_report_files_history IS 'Each inspection report document extract fetched as a PDF (--reports pdf, or --reports text for a report the API has no text for), kept as a file beside the raw archive, one row per document and organisation (location or provider) listing it. Every snapshot.';
COMMENT ON COLUMN cqc_report_files_history."link_id" IS 'the report''s linkId (reports[].linkId; GET /reports/{linkId})';
COMMENT ON COLUMN cqc_report_files_history."document_type" IS 'the related document''s type (relatedDocuments[].documentType, e.g. Use of Resources); NULL for the main report';
COMMENT ON COLUMN cqc_report_files_history."location_id" IS 'a location whose reports list holds the report (its latest good body); NULL on a provider''s row, and when no organisation lists it';
COMMENT ON COLUMN cqc_report_files_history."provider_id" IS 'a provider whose reports list holds the report (its latest good body): an NHS trust''s provider-level (well-led) report, which no location lists; NULL on a location''s row, when no organisation lists it, and in files written before the column was added';
COMMENT ON COLUMN cqc_report_files_history."report_date" IS 'reportDate of the report in that organisation''s (location''s or provider''s) list';
COMMENT ON COLUMN cqc_report_files_history."path" IS 'the PDF''s path relative to the warehouse root (raw/cqc-files/...)';
COMMENT ON COLUMN cqc_report_files_history."bytes" IS 'the PDF''s size in bytes';
COMMENT ON COLUMN cqc_report_files_history."asked_for_text" IS 'true when text was asked for and the API answered the PDF (it has no text for this report)';
COMMENT ON COLUMN cqc_report_files_history."fetched_at" IS 'when the answer arrived (UTC)';
COMMENT ON COLUMN cqc_report_files_history."archive_segment" IS 'raw archive segment holding the answer, relative to the warehouse root';
COMMENT ON COLUMN cqc_report_files_history."archive_seq" IS 'sequence number of the answer within its archive segment';
COMMENT ON COLUMN cqc_report_files_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_location_lineage AS
SELECT * FROM datasets.cqc_location_lineage_latest;
COMMENT ON VIEW cqc_location_lineage IS 'Re-registration lineage of every known location: one row per location and ancestor (itself at depth 0), with the current location at the registered end of its successor chain. Latest snapshot.';
COMMENT ON COLUMN cqc_location_lineage."location_id" IS 'a location (archived, or only referenced by a relationship or an inherited rating)';
COMMENT ON COLUMN cqc_location_lineage."ancestor_location_id" IS 'the location itself (depth 0) or one of its predecessors';
COMMENT ON COLUMN cqc_location_lineage."depth" IS 're-registrations between the two: 0 for itself, 1 for a direct predecessor, ... (shortest path)';
COMMENT ON COLUMN cqc_location_lineage."current_location_id" IS 'where location_id''s successor chain ends: the registered end if there is one; NULL when a cycle leaves no end';
COMMENT ON COLUMN cqc_location_lineage."in_cycle" IS 'true when location_id lies on a predecessor cycle (contradictory data, reported, never followed twice)';
COMMENT ON COLUMN cqc_location_lineage."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_location_lineage_history AS
SELECT * FROM datasets.cqc_location_lineage;
COMMENT ON VIEW cqc_location_lineage_history IS 'Re-registration lineage of every known location: one row per location and ancestor (itself at depth 0), with the current location at the registered end of its successor chain. Every snapshot.';
COMMENT ON COLUMN cqc_location_lineage_history."location_id" IS 'a location (archived, or only referenced by a relationship or an inherited rating)';
COMMENT ON COLUMN cqc_location_lineage_history."ancestor_location_id" IS 'the location itself (depth 0) or one of its predecessors';
COMMENT ON COLUMN cqc_location_lineage_history."depth" IS 're-registrations between the two: 0 for itself, 1 for a direct predecessor, ... (shortest path)';
COMMENT ON COLUMN cqc_location_lineage_history."current_location_id" IS 'where location_id''s successor chain ends: the registered end if there is one; NULL when a cycle leaves no end';
COMMENT ON COLUMN cqc_location_lineage_history."in_cycle" IS 'true when location_id lies on a predecessor cycle (contradictory data, reported, never followed twice)';
COMMENT ON COLUMN cqc_location_lineage_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_rating_sources AS
SELECT * FROM datasets.cqc_rating_sources_latest;
COMMENT ON VIEW cqc_rating_sources IS 'For every inherited location rating (current and historic): the predecessor location and report it comes from, found through reportLinkId however many generations back. Inherited: the rating carries an organisationId, or (inferred) it carries none but its report is not the location''s own and a predecessor''s reports list it, as the API serves an inherited overall rating. Latest snapshot.';
COMMENT ON COLUMN cqc_rating_sources."location_id" IS 'location holding the inherited rating';
COMMENT ON COLUMN cqc_rating_sources."kind" IS 'the rating''s kind (as in location_ratings / location_rating_history)';
COMMENT ON COLUMN cqc_rating_sources."parent_name" IS 'the rating''s parent_name';
COMMENT ON COLUMN cqc_rating_sources."name" IS 'the rating''s name';
COMMENT ON COLUMN cqc_rating_sources."report_link_id" IS 'the rating''s reportLinkId';
COMMENT ON COLUMN cqc_rating_sources."report_date" IS 'the rating''s report_date';
COMMENT ON COLUMN cqc_rating_sources."organisation_id" IS 'the rating''s organisationId (the predecessor the API names); NULL when inferred';
COMMENT ON COLUMN cqc_rating_sources."inferred" IS 'true when the rating carries no organisationId and is inherited because its report is a predecessor''s (the API leaves organisationId off an inherited overall rating while setting it on the key questions)';
COMMENT ON COLUMN cqc_rating_sources."source_location_id" IS 'the location whose reports list holds the report (organisation_id itself or one of its predecessors); NULL when unresolved';
COMMENT ON COLUMN cqc_rating_sources."source_report_date" IS 'reportDate of that report';
COMMENT ON COLUMN cqc_rating_sources."source_report_first_visit_date" IS 'firstVisitDate of that report';
COMMENT ON COLUMN cqc_rating_sources."source_report_uri" IS 'reportUri of that report';
COMMENT ON COLUMN cqc_rating_sources."generations" IS 'lineage depth from location_id to source_location_id';
COMMENT ON COLUMN cqc_rating_sources."resolved" IS 'true when the source report was found';
COMMENT ON COLUMN cqc_rating_sources."unresolved_reason" IS 'organisation_not_archived, ancestor_not_archived or report_not_found; the missing locations are listed in state/cqc-wanted.json for the next extract';
COMMENT ON COLUMN cqc_rating_sources."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_rating_sources_history AS
SELECT * FROM datasets.cqc_rating_sources;
COMMENT ON VIEW cqc_rating_sources_history IS 'For every inherited location rating (current and historic): the predecessor location and report it comes from, found through reportLinkId however many generations back. Inherited: the rating carries an organisationId, or (inferred) it carries none but its report is not the location''s own and a predecessor''s reports list it, as the API serves an inherited overall rating. Every snapshot.';
COMMENT ON COLUMN cqc_rating_sources_history."location_id" IS 'location holding the inherited rating';
COMMENT ON COLUMN cqc_rating_sources_history."kind" IS 'the rating''s kind (as in location_ratings / location_rating_history)';
COMMENT ON COLUMN cqc_rating_sources_history."parent_name" IS 'the rating''s parent_name';
COMMENT ON COLUMN cqc_rating_sources_history."name" IS 'the rating''s name';
COMMENT ON COLUMN cqc_rating_sources_history."report_link_id" IS 'the rating''s reportLinkId';
COMMENT ON COLUMN cqc_rating_sources_history."report_date" IS 'the rating''s report_date';
COMMENT ON COLUMN cqc_rating_sources_history."organisation_id" IS 'the rating''s organisationId (the predecessor the API names); NULL when inferred';
COMMENT ON COLUMN cqc_rating_sources_history."inferred" IS 'true when the rating carries no organisationId and is inherited because its report is a predecessor''s (the API leaves organisationId off an inherited overall rating while setting it on the key questions)';
COMMENT ON COLUMN cqc_rating_sources_history."source_location_id" IS 'the location whose reports list holds the report (organisation_id itself or one of its predecessors); NULL when unresolved';
COMMENT ON COLUMN cqc_rating_sources_history."source_report_date" IS 'reportDate of that report';
COMMENT ON COLUMN cqc_rating_sources_history."source_report_first_visit_date" IS 'firstVisitDate of that report';
COMMENT ON COLUMN cqc_rating_sources_history."source_report_uri" IS 'reportUri of that report';
COMMENT ON COLUMN cqc_rating_sources_history."generations" IS 'lineage depth from location_id to source_location_id';
COMMENT ON COLUMN cqc_rating_sources_history."resolved" IS 'true when the source report was found';
COMMENT ON COLUMN cqc_rating_sources_history."unresolved_reason" IS 'organisation_not_archived, ancestor_not_archived or report_not_found; the missing locations are listed in state/cqc-wanted.json for the next extract';
COMMENT ON COLUMN cqc_rating_sources_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_clinic_locations AS
SELECT * FROM datasets.cqc_clinic_locations_latest;
COMMENT ON VIEW cqc_clinic_locations IS 'Each clinic of the --clinics mapping with the CQC location it is mapped to and the current location through re-registrations. Latest snapshot.';
COMMENT ON COLUMN cqc_clinic_locations."clinic_id" IS 'clinic_id from the mapping file';
COMMENT ON COLUMN cqc_clinic_locations."clinic_name" IS 'name from the mapping file';
COMMENT ON COLUMN cqc_clinic_locations."cqc_location_id" IS 'cqc_location_id from the mapping file';
COMMENT ON COLUMN cqc_clinic_locations."current_location_id" IS 'the current location (location_lineage.current_location_id of the mapped one); NULL when unknown or in a cycle';
COMMENT ON COLUMN cqc_clinic_locations."mapping_status" IS 'current (mapped location is itself current), succeeded (re-registered: use current_location_id), unknown_location (not archived yet; wanted by the next extract), deregistered_no_successor, or cycle';
COMMENT ON COLUMN cqc_clinic_locations."timezone" IS 'the clinic''s IANA time zone (timezone column of the mapping file; Europe/London when it names none): appointments are rated on their date there';
COMMENT ON COLUMN cqc_clinic_locations."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_clinic_locations_history AS
SELECT * FROM datasets.cqc_clinic_locations;
COMMENT ON VIEW cqc_clinic_locations_history IS 'Each clinic of the --clinics mapping with the CQC location it is mapped to and the current location through re-registrations. Every snapshot.';
COMMENT ON COLUMN cqc_clinic_locations_history."clinic_id" IS 'clinic_id from the mapping file';
COMMENT ON COLUMN cqc_clinic_locations_history."clinic_name" IS 'name from the mapping file';
COMMENT ON COLUMN cqc_clinic_locations_history."cqc_location_id" IS 'cqc_location_id from the mapping file';
COMMENT ON COLUMN cqc_clinic_locations_history."current_location_id" IS 'the current location (location_lineage.current_location_id of the mapped one); NULL when unknown or in a cycle';
COMMENT ON COLUMN cqc_clinic_locations_history."mapping_status" IS 'current (mapped location is itself current), succeeded (re-registered: use current_location_id), unknown_location (not archived yet; wanted by the next extract), deregistered_no_successor, or cycle';
COMMENT ON COLUMN cqc_clinic_locations_history."timezone" IS 'the clinic''s IANA time zone (timezone column of the mapping file; Europe/London when it names none): appointments are rated on their date there';
COMMENT ON COLUMN cqc_clinic_locations_history."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW cqc_changes AS
SELECT * FROM datasets.cqc_changes;
COMMENT ON VIEW cqc_changes IS 'Versions of the CQC tables stored by change: one row per table, night and owner whose rows changed or disappeared that night, and one row per table and night (owner NULL) marking the snapshot.';
COMMENT ON COLUMN cqc_changes."owner" IS 'the owner''s key (its Owner columns joined by ''/'', e.g. location/1-101) whose rows changed; NULL on the row marking the night''s snapshot';
COMMENT ON COLUMN cqc_changes."removed" IS 'true when the owner has no rows from this night on';
COMMENT ON COLUMN cqc_changes."rows" IS 'the owner''s rows in the snapshot (stored in this night''s partition); on the marking row, every row of the snapshot';
COMMENT ON COLUMN cqc_changes."digest" IS 'a digest of the owner''s rows (the sum of the rows'' 64-bit hashes): a night whose rows hash alike stores nothing';
COMMENT ON COLUMN cqc_changes."table_name" IS 'partition column: the CQC table (cqc/<table_name>) the versions are of';
COMMENT ON COLUMN cqc_changes."snapshot_date" IS 'partition column: the day of the CQC snapshot the rows describe (normalise''s --snapshot-date, by default the UTC day it ran)';

CREATE OR REPLACE VIEW careq_events AS
SELECT * FROM datasets.careq_events;
COMMENT ON VIEW careq_events IS 'Every call the CareQ receiver logged, accepted or rejected, one row per call (a batch is one row); a retry answered from the idempotency store is not logged again.';
COMMENT ON COLUMN careq_events."seq" IS 'sequence number of the call in the receiver''s log (increasing across segments and restarts)';
COMMENT ON COLUMN careq_events."received_at" IS 'when the receiver logged the call (UTC)';
COMMENT ON COLUMN careq_events."log_segment" IS 'receiver log segment holding the call (file name under raw/careq)';
COMMENT ON COLUMN careq_events."endpoint" IS 'endpoint called: patient, doctor, service, appointment, appointment/status, appointment/cancel, batch, health or unknown';
COMMENT ON COLUMN careq_events."method" IS 'HTTP method';
COMMENT ON COLUMN careq_events."path" IS 'request path, only for unknown endpoints';
COMMENT ON COLUMN careq_events."status" IS 'HTTP status answered';
COMMENT ON COLUMN careq_events."error_code" IS 'error code answered (AUTHENTICATION_FAILED, VALIDATION_ERROR, DUPLICATE_RECORD, RECORD_NOT_FOUND, INVALID_REQUEST, SERVER_ERROR, RATE_LIMIT_EXCEEDED)';
COMMENT ON COLUMN careq_events."idempotency_key" IS 'hex SHA-256 of clinic, endpoint and raw body: a CareQ retry carries the same key';
COMMENT ON COLUMN careq_events."body_bytes" IS 'size of the request body in bytes';
COMMENT ON COLUMN careq_events."body_sha256" IS 'hex SHA-256 of the raw request body';
COMMENT ON COLUMN careq_events."record_type" IS 'patient, doctor, service, appointment, appointment_status or appointment_cancel (single-record calls)';
COMMENT ON COLUMN careq_events."careq_id" IS 'careq_id of the record (the appointment''s for status and cancel calls)';
COMMENT ON COLUMN careq_events."internal_id" IS 'the receiver''s internal ID answered (data.id)';
COMMENT ON COLUMN careq_events."event_at" IS 'updated_at (cancelled_at for a cancellation) of the record, UTC';
COMMENT ON COLUMN careq_events."sync_status" IS 'created, updated, unchanged, stale_ignored or failed';
COMMENT ON COLUMN careq_events."appointment_status" IS 'the appointment''s status after the call';
COMMENT ON COLUMN careq_events."batch_id" IS 'batch_id of a batch call';
COMMENT ON COLUMN careq_events."batch_records" IS 'number of records in a batch call';
COMMENT ON COLUMN careq_events."batch_failed" IS 'number of records of a batch call that failed';
COMMENT ON COLUMN careq_events."clinic_id" IS 'partition column: the clinic the CareQ call was made for';
COMMENT ON COLUMN careq_events."event_month" IS 'partition column: the UTC month (YYYY-MM) the receiver logged the call (received_at), not the month of the appointment: filter appointments on start_date';

CREATE OR REPLACE VIEW careq_rejects AS
SELECT * FROM datasets.careq_rejects;
COMMENT ON VIEW careq_rejects IS 'Logged records the CareQ normalise stage could not turn into rows, or only in part, with the reason; the log segment still holds them.';
COMMENT ON COLUMN careq_rejects."seq" IS 'sequence number of the call in the receiver''s log (increasing across segments and restarts)';
COMMENT ON COLUMN careq_rejects."batch_index" IS 'position of the record in a batch call (0-based); NULL for a single-record call';
COMMENT ON COLUMN careq_rejects."received_at" IS 'when the receiver logged the call (UTC)';
COMMENT ON COLUMN careq_rejects."log_segment" IS 'receiver log segment holding the call (file name under raw/careq)';
COMMENT ON COLUMN careq_rejects."record_type" IS 'patient, doctor, service, appointment, appointment_status or appointment_cancel';
COMMENT ON COLUMN careq_rejects."careq_id" IS 'careq_id of the record, when it could be read';
COMMENT ON COLUMN careq_rejects."reason" IS 'why the record (or one of its values) could not be used';
COMMENT ON COLUMN careq_rejects."clinic_id" IS 'partition column: the clinic the CareQ call was made for';
COMMENT ON COLUMN careq_rejects."event_month" IS 'partition column: the UTC month (YYYY-MM) the receiver logged the call (received_at), not the month of the appointment: filter appointments on start_date';
