-- carelake contract views (DESIGN.md, "Views in carelake.duckdb").
--
-- These names and columns are what analysts and dashboards rely on: extend,
-- never rename without a migration note in the README. The views read the
-- Parquet through datasets.<table> (created by tables.sql). A view may build
-- on a view defined above it, naming it after FROM or JOIN without an alias;
-- the catalog builder inlines both kinds of reference, so every view of
-- carelake.duckdb stands alone (DuckDB 1.1 cannot resolve them in a catalog
-- ATTACHed under another name). "Latest" means the newest snapshot_date of
-- the table the view is about.

-- Every scalar field of the latest good API body of each location, with the
-- overall rating in effect (overall_rating, overall_rating_date,
-- overall_rating_inherited), one row per location and snapshot_date.
-- overall_rating_inherited is true when the rating carries an organisationId,
-- and also when it carries none but its report is a predecessor's (resolve
-- infers it: the API leaves organisationId off an inherited overall rating
-- while setting it on the key questions).
CREATE OR REPLACE VIEW cqc_locations_history AS
WITH inferred AS (
    SELECT DISTINCT snapshot_date, location_id, report_link_id FROM datasets.cqc_rating_sources
    WHERE inferred AND kind = 'overall' AND parent_name IS NULL
)
SELECT l.* REPLACE (l.overall_rating_inherited OR inferred.location_id IS NOT NULL AS overall_rating_inherited)
FROM datasets.cqc_locations l
LEFT JOIN inferred
       ON inferred.snapshot_date = l.snapshot_date AND inferred.location_id = l.location_id
      AND inferred.report_link_id = l.overall_rating_report_link_id;

-- The same at the latest snapshot: one row per location.
CREATE OR REPLACE VIEW cqc_locations AS
SELECT * FROM cqc_locations_history
WHERE snapshot_date = (SELECT max(snapshot_date) FROM datasets.cqc_locations);

CREATE OR REPLACE VIEW cqc_providers AS
SELECT * FROM datasets.cqc_providers
WHERE snapshot_date = (SELECT max(snapshot_date) FROM datasets.cqc_providers);

-- The report each inherited rating comes from, as resolve found it through
-- the predecessors' reports (latest snapshot): one row per rating (location,
-- kind, parent_name, name, report_link_id, report_date); resolved is false,
-- with unresolved_reason, while the predecessor is not archived.
CREATE OR REPLACE VIEW cqc_inherited_rating_sources AS
SELECT * FROM datasets.cqc_rating_sources
WHERE snapshot_date = (SELECT max(snapshot_date) FROM datasets.cqc_rating_sources)
QUALIFY row_number() OVER (
    PARTITION BY location_id, kind, parent_name, name, report_link_id, report_date
    ORDER BY resolved DESC, source_location_id) = 1;

-- Each location's own inspection reports (latest snapshot), one row per report.
CREATE OR REPLACE VIEW cqc_location_reports AS
SELECT organisation_id AS location_id, link_id, report_date, first_visit_date, report_uri, snapshot_date
FROM datasets.cqc_reports
WHERE organisation_type = 'location' AND snapshot_date = (SELECT max(snapshot_date) FROM datasets.cqc_reports)
QUALIFY row_number() OVER (PARTITION BY organisation_id, link_id ORDER BY report_date DESC NULLS LAST) = 1;

-- One row per location and current rating: name is 'Overall', a key question
-- (Safe, Effective, Caring, Responsive, Well-led) or a service or assessment
-- group (kind and parent_name say which); in_effect marks the rating in force.
-- source_* name the report the rating comes from: for an inherited rating
-- (organisation_id set, or inherited_inferred: no organisation_id but the
-- report is a predecessor's) the predecessor's report found by resolve,
-- however many re-registrations back (source_resolved is false while it is
-- not found: see unresolved_reason); for the location's own rating, its own
-- report (unresolved_reason report_not_listed when its reports do not list
-- it, no_report_link for a rating without one, as assessment ratings are).
CREATE OR REPLACE VIEW cqc_location_ratings AS
WITH latest AS (
    SELECT max(snapshot_date) AS snapshot_date FROM datasets.cqc_location_ratings
), r AS (
    SELECT * FROM datasets.cqc_location_ratings
    WHERE snapshot_date = (SELECT snapshot_date FROM latest)
), src AS (
    SELECT * FROM cqc_inherited_rating_sources
), own AS (
    SELECT * FROM cqc_location_reports
)
SELECT
    r.location_id, r.kind, r.parent_name, r.name, r.rating, r.rating_category,
    r.report_date, r.report_link_id, r.organisation_id,
    r.inherited OR coalesce(src.inferred, false) AS inherited, coalesce(src.inferred, false) AS inherited_inferred,
    r.framework,
    r.status, r.percentage_score, r.assessment_plan_id, r.in_effect,
    CASE WHEN r.inherited OR src.inferred THEN src.source_location_id
         WHEN own.link_id IS NOT NULL THEN r.location_id END AS source_location_id,
    CASE WHEN r.inherited OR src.inferred THEN src.source_report_date ELSE own.report_date END AS source_report_date,
    CASE WHEN r.inherited OR src.inferred THEN src.source_report_first_visit_date ELSE own.first_visit_date END AS source_report_first_visit_date,
    CASE WHEN r.inherited OR src.inferred THEN src.source_report_uri ELSE own.report_uri END AS source_report_uri,
    CASE WHEN r.inherited OR src.inferred THEN coalesce(src.resolved, false) ELSE own.link_id IS NOT NULL END AS source_resolved,
    CASE WHEN r.inherited AND src.location_id IS NULL THEN 'not_resolved_yet'
         WHEN r.inherited OR src.inferred THEN src.unresolved_reason
         WHEN r.report_link_id IS NULL THEN 'no_report_link'
         WHEN own.link_id IS NULL THEN 'report_not_listed' END AS unresolved_reason,
    src.generations,
    r.snapshot_date
FROM r
LEFT JOIN src
       ON src.location_id = r.location_id AND src.kind = r.kind AND src.name = r.name
      AND src.parent_name IS NOT DISTINCT FROM r.parent_name
      AND src.report_link_id IS NOT DISTINCT FROM r.report_link_id
      AND src.report_date IS NOT DISTINCT FROM r.report_date
LEFT JOIN own
       ON NOT r.inherited AND own.location_id = r.location_id AND own.link_id = r.report_link_id;

-- Current and historic ratings of each location as a timeline: one row per
-- location, rating name and report, valid from valid_from until valid_to
-- (exclusive; NULL for the rating in effect), with the source report as in
-- cqc_location_ratings.
CREATE OR REPLACE VIEW cqc_location_rating_history AS
WITH latest AS (
    SELECT max(snapshot_date) AS snapshot_date FROM datasets.cqc_location_rating_history
), h AS (
    SELECT * FROM datasets.cqc_location_rating_history
    WHERE snapshot_date = (SELECT snapshot_date FROM latest)
), src AS (
    SELECT * FROM cqc_inherited_rating_sources
), own AS (
    SELECT * FROM cqc_location_reports
)
SELECT
    h.location_id, h.kind, h.parent_name, h.name, h.rating, h.rating_category,
    h.report_date, h.report_link_id, h.organisation_id,
    h.inherited OR coalesce(src.inferred, false) AS inherited, coalesce(src.inferred, false) AS inherited_inferred,
    h.framework,
    h.source, h.valid_from, h.valid_to, h.is_current,
    CASE WHEN h.inherited OR src.inferred THEN src.source_location_id
         WHEN own.link_id IS NOT NULL THEN h.location_id END AS source_location_id,
    CASE WHEN h.inherited OR src.inferred THEN src.source_report_date ELSE own.report_date END AS source_report_date,
    CASE WHEN h.inherited OR src.inferred THEN src.source_report_first_visit_date ELSE own.first_visit_date END AS source_report_first_visit_date,
    CASE WHEN h.inherited OR src.inferred THEN src.source_report_uri ELSE own.report_uri END AS source_report_uri,
    CASE WHEN h.inherited OR src.inferred THEN coalesce(src.resolved, false) ELSE own.link_id IS NOT NULL END AS source_resolved,
    h.snapshot_date
FROM h
LEFT JOIN src
       ON src.location_id = h.location_id AND src.kind = h.kind AND src.name = h.name
      AND src.parent_name IS NOT DISTINCT FROM h.parent_name
      AND src.report_link_id IS NOT DISTINCT FROM h.report_link_id
      AND src.report_date IS NOT DISTINCT FROM h.report_date
LEFT JOIN own
       ON NOT h.inherited AND own.location_id = h.location_id AND own.link_id = h.report_link_id;

-- Re-registration lineage: one row per location and ancestor (itself at depth
-- 0), with current_location_id, the registered end of its successor chain.
CREATE OR REPLACE VIEW cqc_location_lineage AS
SELECT location_id, ancestor_location_id, depth, current_location_id, in_cycle, snapshot_date
FROM datasets.cqc_location_lineage
WHERE snapshot_date = (SELECT max(snapshot_date) FROM datasets.cqc_location_lineage);

-- Each clinic of the mapping with its mapped location, the current location
-- through re-registrations, and that current location's overall rating today
-- (the latest snapshot of cqc_locations).
CREATE OR REPLACE VIEW clinic_locations AS
WITH c AS (
    SELECT * FROM datasets.cqc_clinic_locations
    WHERE snapshot_date = (SELECT max(snapshot_date) FROM datasets.cqc_clinic_locations)
), l AS (
    SELECT * FROM cqc_locations
)
SELECT
    c.clinic_id, c.clinic_name, c.cqc_location_id, c.current_location_id, c.mapping_status,
    l.name AS current_location_name, l.registration_status AS current_registration_status,
    l.overall_rating, l.overall_rating_category, l.overall_rating_date, l.overall_rating_inherited,
    c.snapshot_date
FROM c
LEFT JOIN l ON l.location_id = c.current_location_id;

-- Bodies and values normalise could not use, with the reason and where the raw
-- body is kept in the archive (archive_segment, archive_seq).
CREATE OR REPLACE VIEW cqc_rejects AS
SELECT * FROM datasets.cqc_rejects
WHERE snapshot_date = (SELECT max(snapshot_date) FROM datasets.cqc_rejects);

-- CareQ -----------------------------------------------------------------------
-- The datasets careq/* hold one row per change the receiver applied, in log
-- order (seq, then batch_index within a batch call). The receiver applies a
-- change only when it is not older (by updated_at) than the version it
-- holds, so the last applied change of a record is its current state.
-- careq_events and careq_rejects are the plain views of their datasets.

-- The current version of each patient (pseudonymised), per clinic and careq_id.
CREATE OR REPLACE VIEW careq_patients AS
SELECT * EXCLUDE (batch_index) FROM datasets.careq_patients
QUALIFY row_number() OVER (PARTITION BY clinic_id, careq_id ORDER BY seq DESC, batch_index DESC) = 1;

-- The current version of each doctor, per clinic and careq_id.
CREATE OR REPLACE VIEW careq_doctors AS
SELECT * EXCLUDE (batch_index) FROM datasets.careq_doctors
QUALIFY row_number() OVER (PARTITION BY clinic_id, careq_id ORDER BY seq DESC, batch_index DESC) = 1;

-- The current version of each service, per clinic and careq_id.
CREATE OR REPLACE VIEW careq_services AS
SELECT * EXCLUDE (batch_index) FROM datasets.careq_services
QUALIFY row_number() OVER (PARTITION BY clinic_id, careq_id ORDER BY seq DESC, batch_index DESC) = 1;

-- Every applied change, for history: one row per version.
CREATE OR REPLACE VIEW careq_patient_changes AS SELECT * FROM datasets.careq_patients;
CREATE OR REPLACE VIEW careq_doctor_changes AS SELECT * FROM datasets.careq_doctors;
CREATE OR REPLACE VIEW careq_service_changes AS SELECT * FROM datasets.careq_services;
CREATE OR REPLACE VIEW careq_appointment_changes AS SELECT * FROM datasets.careq_appointments;

-- The current state of each appointment, per clinic and careq_id: its latest
-- full record with the later status updates and cancellations applied.
-- status is the status after the last applied change of any kind
-- (last_change says which: record, status or cancel); cancelled_* describe
-- the cancellation when the appointment is cancelled.
CREATE OR REPLACE VIEW careq_appointments AS
WITH c AS (
    SELECT * FROM datasets.careq_appointments
), rec AS (
    SELECT * FROM c WHERE change = 'record'
    QUALIFY row_number() OVER (PARTITION BY clinic_id, careq_id ORDER BY seq DESC, batch_index DESC) = 1
), last AS (
    SELECT clinic_id, careq_id, status, change, event_at, received_at FROM c
    QUALIFY row_number() OVER (PARTITION BY clinic_id, careq_id ORDER BY seq DESC, batch_index DESC) = 1
), cancel AS (
    SELECT clinic_id, careq_id, cancelled_by, event_at AS cancelled_at, cancellation_reason FROM c
    WHERE change = 'cancel'
    QUALIFY row_number() OVER (PARTITION BY clinic_id, careq_id ORDER BY seq DESC, batch_index DESC) = 1
)
SELECT
    rec.clinic_id, rec.careq_id, rec.appointment_id,
    rec.patient_careq_id, rec.doctor_careq_id, rec.service_careq_id,
    rec.book_datetime, rec.start_datetime, rec.start_date, rec.end_datetime,
    last.status, last.change AS last_change, last.event_at AS status_changed_at,
    CASE WHEN last.status = 'cancelled' THEN cancel.cancelled_at END AS cancelled_at,
    CASE WHEN last.status = 'cancelled' THEN cancel.cancelled_by END AS cancelled_by,
    CASE WHEN last.status = 'cancelled' THEN cancel.cancellation_reason END AS cancellation_reason,
    rec.location, rec.color, rec.hash, rec.notes, rec.prescription, rec.referred_by, rec.referred_by_address,
    rec.created_at, rec.event_at AS updated_at, last.received_at AS last_received_at
FROM rec
JOIN last ON last.clinic_id = rec.clinic_id AND last.careq_id = rec.careq_id
LEFT JOIN cancel ON cancel.clinic_id = rec.clinic_id AND cancel.careq_id = rec.careq_id;

-- One row per appointment (current state) next to the CQC ratings of the place
-- where it happened, as they stood on the appointment date.
--
-- appointment_date is the UTC date of start_datetime. The clinic's CQC
-- location comes from clinic_locations (cqc_location_id as mapped,
-- current_location_id through re-registrations). rated_location_id is the
-- location whose ratings applied that day: the current location, or, for an
-- appointment before the current location was registered, the predecessor
-- the clinic was at then (the nearest in the lineage registered by that
-- date). Each *_at_appointment rating is the one in effect on
-- appointment_date in that location's timeline (cqc_location_rating_history:
-- legacy and assessment ratings alike); NULL when the location was not rated
-- then. *_category is the rating classified (as rating_category: one
-- spelling per rating across frameworks, for grouping). *_inherited is true
-- when that rating was itself inherited from a predecessor (as inherited in
-- cqc_location_rating_history); key_question_rating_inherited when any of the
-- five key questions was. current_overall_rating is today's overall rating
-- of the current location.
CREATE OR REPLACE VIEW clinic_appointment_ratings AS
WITH ap AS (
    SELECT *, start_date AS appointment_date FROM careq_appointments
), cl AS (
    SELECT * FROM clinic_locations
), loc AS (
    SELECT location_id, registration_date FROM datasets.cqc_locations
    WHERE snapshot_date = (SELECT max(snapshot_date) FROM datasets.cqc_locations)
), lin AS (
    SELECT lin.location_id, lin.ancestor_location_id, lin.depth, loc.registration_date
    FROM datasets.cqc_location_lineage lin
    LEFT JOIN loc ON loc.location_id = lin.ancestor_location_id
    WHERE lin.snapshot_date = (SELECT max(snapshot_date) FROM datasets.cqc_location_lineage)
), rated AS (
    SELECT ap.clinic_id, ap.careq_id, lin.ancestor_location_id AS rated_location_id
    FROM ap
    JOIN cl ON cl.clinic_id = ap.clinic_id
    JOIN lin ON lin.location_id = cl.current_location_id
    QUALIFY row_number() OVER (
        PARTITION BY ap.clinic_id, ap.careq_id
        ORDER BY (lin.registration_date IS NULL OR lin.registration_date <= ap.appointment_date) DESC,
                 CASE WHEN lin.registration_date IS NULL OR lin.registration_date <= ap.appointment_date
                      THEN lin.depth ELSE -lin.depth END) = 1
), hist AS (
    SELECT * FROM cqc_location_rating_history
), h AS (
    SELECT location_id, name, rating, rating_category, inherited, report_date, valid_from, valid_to, framework
    FROM hist
    WHERE parent_name IS NULL
      AND kind IN ('overall', 'assessment_overall', 'key_question', 'assessment_key_question')
), in_effect AS (
    SELECT rated.clinic_id, rated.careq_id, h.name, h.rating, h.rating_category, h.inherited, h.report_date
    FROM rated
    JOIN ap ON ap.clinic_id = rated.clinic_id AND ap.careq_id = rated.careq_id
    JOIN h ON h.location_id = rated.rated_location_id
          AND h.valid_from <= ap.appointment_date
          AND (h.valid_to IS NULL OR ap.appointment_date < h.valid_to)
    QUALIFY row_number() OVER (
        PARTITION BY rated.clinic_id, rated.careq_id, h.name
        ORDER BY h.valid_from DESC, h.framework = 'saf' DESC) = 1
), by_name AS (
    SELECT clinic_id, careq_id,
        first(rating) FILTER (WHERE name = 'Overall') AS overall_rating_at_appointment,
        first(rating_category) FILTER (WHERE name = 'Overall') AS overall_rating_category_at_appointment,
        first(inherited) FILTER (WHERE name = 'Overall') AS overall_rating_at_appointment_inherited,
        first(report_date) FILTER (WHERE name = 'Overall') AS overall_rating_at_appointment_date,
        first(rating) FILTER (WHERE name = 'Safe') AS safe_rating_at_appointment,
        first(rating) FILTER (WHERE name = 'Effective') AS effective_rating_at_appointment,
        first(rating) FILTER (WHERE name = 'Caring') AS caring_rating_at_appointment,
        first(rating) FILTER (WHERE name = 'Responsive') AS responsive_rating_at_appointment,
        first(rating) FILTER (WHERE name = 'Well-led') AS well_led_rating_at_appointment,
        bool_or(inherited) FILTER (WHERE name <> 'Overall') AS key_question_rating_inherited
    FROM in_effect
    GROUP BY clinic_id, careq_id
)
SELECT
    ap.clinic_id, ap.careq_id, ap.appointment_id, ap.start_datetime, ap.appointment_date, ap.status,
    ap.patient_careq_id, ap.doctor_careq_id, ap.service_careq_id,
    cl.cqc_location_id, cl.current_location_id, cl.mapping_status, rated.rated_location_id,
    by_name.overall_rating_at_appointment, by_name.overall_rating_category_at_appointment,
    by_name.overall_rating_at_appointment_inherited,
    by_name.overall_rating_at_appointment_date,
    by_name.safe_rating_at_appointment, by_name.effective_rating_at_appointment,
    by_name.caring_rating_at_appointment, by_name.responsive_rating_at_appointment,
    by_name.well_led_rating_at_appointment, by_name.key_question_rating_inherited,
    cl.overall_rating AS current_overall_rating, cl.overall_rating_category AS current_overall_rating_category,
    cl.overall_rating_date AS current_overall_rating_date,
    cl.overall_rating_inherited AS current_overall_rating_inherited
FROM ap
LEFT JOIN cl ON cl.clinic_id = ap.clinic_id
LEFT JOIN rated ON rated.clinic_id = ap.clinic_id AND rated.careq_id = ap.careq_id
LEFT JOIN by_name ON by_name.clinic_id = ap.clinic_id AND by_name.careq_id = ap.careq_id;
