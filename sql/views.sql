-- carelake contract views (docs/architecture.md, "Views and marts").
--
-- These names and columns are what analysts and dashboards rely on: extend,
-- never rename without a migration note in the README. Every view reads the
-- Parquet through datasets.<table> (created by tables.sql) or a view defined
-- above it, named after FROM or JOIN without an alias.
--
-- The views whose answer needs a join or a resolve rule are marts
-- (schemas.Marts): the marts stage runs the view at each run and writes its
-- rows as Parquet under marts/<view>/, and the view of that name in
-- carelake.duckdb reads those files, so DuckDB and a BI tool see the same
-- rows. The other views here are installed in carelake.duckdb as written.
-- Every column is documented in schemas (the catalog's COMMENTs and
-- docs/data-dictionary.md come from there).
--
-- Rules: equi-joins only (a join condition must hold an equality; no
-- nested-loop join: TestNoNestedLoopJoins), "latest" means the newest
-- snapshot_date of the table read (datasets.<table>_latest), and a date is compared on the calendar
-- of the place it belongs to.

-- Every scalar field of each location's latest good API body, with the
-- overall rating in effect, one row per location and snapshot_date.
-- overall_rating_inherited is also true when the rating carries no
-- organisationId but its report is a predecessor's (resolve infers it). A
-- left join on the few inferred ratings, not a correlated EXISTS: DuckDB
-- materialises every snapshot of every location for a correlated subquery
-- before a filter on the location applies, so one location's history would
-- cost the whole history.
CREATE OR REPLACE VIEW cqc_locations_history AS
WITH inferred AS (
    SELECT DISTINCT location_id, report_link_id, snapshot_date FROM datasets.cqc_rating_sources
    WHERE inferred AND kind = 'overall' AND parent_name IS NULL
)
SELECT l.* REPLACE (l.overall_rating_inherited OR i.location_id IS NOT NULL AS overall_rating_inherited)
FROM datasets.cqc_locations l
LEFT JOIN inferred i ON i.location_id = l.location_id AND i.report_link_id = l.overall_rating_report_link_id
    AND i.snapshot_date = l.snapshot_date;

-- Mart: the same at the latest snapshot, one row per location (read from
-- the latest versions, not by filtering every snapshot).
CREATE OR REPLACE VIEW cqc_locations AS
WITH inferred AS (
    SELECT DISTINCT location_id, report_link_id FROM datasets.cqc_rating_sources_latest
    WHERE inferred AND kind = 'overall' AND parent_name IS NULL
)
SELECT l.* REPLACE (l.overall_rating_inherited OR i.location_id IS NOT NULL AS overall_rating_inherited)
FROM datasets.cqc_locations_latest l
LEFT JOIN inferred i ON i.location_id = l.location_id AND i.report_link_id = l.overall_rating_report_link_id;

-- The report each inherited rating comes from, as resolve found it through
-- the predecessors' reports (latest snapshot): one row per rating.
CREATE OR REPLACE VIEW cqc_inherited_rating_sources AS
SELECT * FROM datasets.cqc_rating_sources_latest
QUALIFY row_number() OVER (
    PARTITION BY location_id, kind, parent_name, name, report_link_id, report_date
    ORDER BY resolved DESC, source_location_id) = 1;

-- Each location's own inspection reports (latest snapshot), one row per report.
CREATE OR REPLACE VIEW cqc_location_reports AS
SELECT organisation_id AS location_id, link_id, report_date, first_visit_date, report_uri, snapshot_date
FROM datasets.cqc_reports_latest
WHERE organisation_type = 'location'
QUALIFY row_number() OVER (PARTITION BY organisation_id, link_id ORDER BY report_date DESC NULLS LAST) = 1;

-- Every rating row of the latest snapshot, current (row_kind 'current',
-- from location_ratings) and timeline (row_kind 'timeline', from
-- location_rating_history), with the report it comes from: for an
-- inherited rating (organisation_id set, or inherited_inferred) the
-- predecessor's report found by resolve; for the location's own rating its
-- own report; a service rating is labelled from the global inspection-area
-- taxonomy (its name and the areas now in effect for it). The two rating
-- marts read it.
CREATE OR REPLACE VIEW cqc_location_rating_rows AS
WITH r AS (
    SELECT 'current' AS row_kind, * FROM datasets.cqc_location_ratings_latest
    UNION ALL BY NAME
    SELECT 'timeline' AS row_kind, * FROM datasets.cqc_location_rating_history_latest
), src AS (
    SELECT * FROM cqc_inherited_rating_sources
), own AS (
    SELECT * FROM cqc_location_reports
), tax AS (
    SELECT inspection_area_id, inspection_area_name, current_area_names FROM datasets.cqc_inspection_area_taxonomy_latest
)
SELECT
    r.* EXCLUDE (inherited, snapshot_date),
    r.inherited OR coalesce(src.inferred, false) AS inherited,
    coalesce(src.inferred, false) AS inherited_inferred,
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
    tax.inspection_area_name,
    tax.current_area_names AS inspection_area_current_names,
    r.snapshot_date
FROM r
LEFT JOIN src
       ON src.location_id = r.location_id AND src.kind = r.kind AND src.name = r.name
      AND src.parent_name IS NOT DISTINCT FROM r.parent_name
      AND src.report_link_id IS NOT DISTINCT FROM r.report_link_id
      AND src.report_date IS NOT DISTINCT FROM r.report_date
LEFT JOIN own
       ON own.location_id = r.location_id AND own.link_id = r.report_link_id
LEFT JOIN tax
       ON tax.inspection_area_id = r.name AND r.kind = 'service';

-- Mart: one row per location and current rating.
CREATE OR REPLACE VIEW cqc_location_ratings AS
SELECT location_id, kind, parent_name, name, rating, rating_category, report_date, report_link_id, organisation_id,
       inherited, inherited_inferred, framework, status, percentage_score, assessment_plan_id, in_effect,
       source_location_id, source_report_date, source_report_first_visit_date, source_report_uri, source_resolved,
       unresolved_reason, generations, inspection_area_name, inspection_area_current_names, snapshot_date
FROM cqc_location_rating_rows
WHERE row_kind = 'current';

-- Mart: the ratings of each location as a timeline (valid_from until
-- valid_to, exclusive).
CREATE OR REPLACE VIEW cqc_location_rating_history AS
SELECT location_id, kind, parent_name, name, rating, rating_category, report_date, report_link_id, organisation_id,
       inherited, inherited_inferred, framework, source, valid_from, valid_to, is_current,
       source_location_id, source_report_date, source_report_first_visit_date, source_report_uri, source_resolved,
       unresolved_reason, generations, inspection_area_name, inspection_area_current_names, snapshot_date
FROM cqc_location_rating_rows
WHERE row_kind = 'timeline';

-- Mart: each clinic of the mapping with its current location and that
-- location's overall rating today.
CREATE OR REPLACE VIEW clinic_locations AS
SELECT
    c.clinic_id, c.clinic_name, c.cqc_location_id, c.current_location_id, c.mapping_status, c.timezone,
    l.name AS current_location_name, l.registration_status AS current_registration_status,
    l.overall_rating, l.overall_rating_category, l.overall_rating_date, l.overall_rating_inherited,
    c.snapshot_date
FROM datasets.cqc_clinic_locations_latest c
LEFT JOIN cqc_locations l ON l.location_id = c.current_location_id;

-- CareQ -----------------------------------------------------------------------
-- The datasets careq/* hold one row per change the receiver applied, in log
-- order (seq, then batch_index within a batch call). The receiver applies a
-- change only when it is not older (by updated_at) than the version it
-- holds, so the last applied change of a record is its current state. The
-- current-state views find it by k = seq * 1000 + batch_index (a batch holds
-- at most 1,000 records; -1 for a single call): the largest k of a record is
-- its last change.

-- Mart: the current version of each patient (pseudonymised).
CREATE OR REPLACE VIEW careq_patients AS
WITH c AS (
    SELECT *, seq * 1000 + coalesce(batch_index, -1) AS k FROM datasets.careq_patients
), keys AS (
    SELECT clinic_id, careq_id, max(k) AS k FROM c GROUP BY clinic_id, careq_id
)
SELECT c.clinic_id, c.* EXCLUDE (clinic_id, batch_index, k)
FROM c JOIN keys ON keys.clinic_id = c.clinic_id AND keys.careq_id = c.careq_id AND keys.k = c.k;

-- Mart: the current version of each doctor.
CREATE OR REPLACE VIEW careq_doctors AS
WITH c AS (
    SELECT *, seq * 1000 + coalesce(batch_index, -1) AS k FROM datasets.careq_doctors
), keys AS (
    SELECT clinic_id, careq_id, max(k) AS k FROM c GROUP BY clinic_id, careq_id
)
SELECT c.clinic_id, c.* EXCLUDE (clinic_id, batch_index, k)
FROM c JOIN keys ON keys.clinic_id = c.clinic_id AND keys.careq_id = c.careq_id AND keys.k = c.k;

-- Mart: the current version of each service.
CREATE OR REPLACE VIEW careq_services AS
WITH c AS (
    SELECT *, seq * 1000 + coalesce(batch_index, -1) AS k FROM datasets.careq_services
), keys AS (
    SELECT clinic_id, careq_id, max(k) AS k FROM c GROUP BY clinic_id, careq_id
)
SELECT c.clinic_id, c.* EXCLUDE (clinic_id, batch_index, k)
FROM c JOIN keys ON keys.clinic_id = c.clinic_id AND keys.careq_id = c.careq_id AND keys.k = c.k;

-- Every applied change, for history: one row per version.
CREATE OR REPLACE VIEW careq_patient_changes AS SELECT * FROM datasets.careq_patients;
CREATE OR REPLACE VIEW careq_doctor_changes AS SELECT * FROM datasets.careq_doctors;
CREATE OR REPLACE VIEW careq_service_changes AS SELECT * FROM datasets.careq_services;
CREATE OR REPLACE VIEW careq_appointment_changes AS SELECT * FROM datasets.careq_appointments;

-- Mart: the current state of each appointment: its latest full record with
-- the later status updates and cancellations applied. status is the status
-- after the last applied change of any kind (last_change says which);
-- cancelled_* describe the cancellation while the appointment is cancelled.
-- Log order is seq, then batch_index: k = seq * 1000 + batch_index (a batch
-- holds at most 1,000 records; -1 for a single call) orders the changes of
-- an appointment, and keys finds the latest of each kind in one pass.
CREATE OR REPLACE VIEW careq_appointments AS
WITH c AS (
    SELECT *, seq * 1000 + coalesce(batch_index, -1) AS k FROM datasets.careq_appointments
), keys AS (
    SELECT clinic_id, careq_id, max(k) FILTER (WHERE change = 'record') AS record_k, max(k) AS last_k,
           max(k) FILTER (WHERE change = 'cancel') AS cancel_k
    FROM c
    GROUP BY clinic_id, careq_id
), rec AS (
    SELECT c.* FROM c JOIN keys ON keys.clinic_id = c.clinic_id AND keys.careq_id = c.careq_id AND keys.record_k = c.k
), last AS (
    SELECT c.clinic_id, c.careq_id, c.status, c.change, c.event_at, c.received_at FROM c
    JOIN keys ON keys.clinic_id = c.clinic_id AND keys.careq_id = c.careq_id AND keys.last_k = c.k
), cancel AS (
    SELECT c.clinic_id, c.careq_id, c.cancelled_by, c.event_at AS cancelled_at, c.cancellation_reason FROM c
    JOIN keys ON keys.clinic_id = c.clinic_id AND keys.careq_id = c.careq_id AND keys.cancel_k = c.k
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

-- Mart: one row per appointment (current state) next to the CQC ratings of
-- the place where it happened, as they stood on the appointment's date
-- where the clinic is (appointment_local_date, in clinic_timezone: the
-- clinic's zone from the mapping, Europe/London by default).
--
-- rated_location_id is the location whose ratings applied that day: the
-- clinic's current location, or, for a day before the current location was
-- registered, the predecessor the clinic was at then (the nearest in the
-- lineage registered by that day). Each *_at_appointment rating is the one
-- in effect that day in that location's timeline (legacy and assessment
-- ratings alike, an assessment winning a tie); NULL when the location was
-- not rated then. The ratings are looked up once per location and day, then
-- joined to the appointments of that day.
CREATE OR REPLACE VIEW clinic_appointment_ratings AS
WITH cl AS (
    SELECT * FROM clinic_locations
), ap AS (
    SELECT a.clinic_id, a.careq_id, a.appointment_id, a.start_datetime, a.start_date AS appointment_date,
           timezone(coalesce(cl.timezone, 'Europe/London'), a.start_datetime)::DATE AS appointment_local_date,
           coalesce(cl.timezone, 'Europe/London') AS clinic_timezone,
           a.status, a.patient_careq_id, a.doctor_careq_id, a.service_careq_id
    FROM careq_appointments a
    LEFT JOIN cl ON cl.clinic_id = a.clinic_id
), lin AS (
    SELECT lin.location_id, lin.ancestor_location_id, lin.depth, loc.registration_date
    FROM datasets.cqc_location_lineage_latest lin
    LEFT JOIN cqc_locations loc ON loc.location_id = lin.ancestor_location_id
), clinic_days AS (
    SELECT DISTINCT clinic_id, appointment_local_date FROM ap
), rated AS (
    SELECT d.clinic_id, d.appointment_local_date, lin.ancestor_location_id AS rated_location_id
    FROM clinic_days d
    JOIN cl ON cl.clinic_id = d.clinic_id
    JOIN lin ON lin.location_id = cl.current_location_id
    QUALIFY row_number() OVER (
        PARTITION BY d.clinic_id, d.appointment_local_date
        ORDER BY (lin.registration_date IS NULL OR lin.registration_date <= d.appointment_local_date) DESC,
                 CASE WHEN lin.registration_date IS NULL OR lin.registration_date <= d.appointment_local_date
                      THEN lin.depth ELSE -lin.depth END) = 1
), h AS (
    SELECT location_id, name, rating, rating_category, inherited, report_date, valid_from, valid_to, framework
    FROM cqc_location_rating_history
    WHERE parent_name IS NULL
      AND kind IN ('overall', 'assessment_overall', 'key_question', 'assessment_key_question')
), location_days AS (
    SELECT DISTINCT rated_location_id, appointment_local_date FROM rated
), in_effect AS (
    SELECT d.rated_location_id, d.appointment_local_date, h.name, h.rating, h.rating_category, h.inherited, h.report_date
    FROM location_days d
    JOIN h ON h.location_id = d.rated_location_id
          AND h.valid_from <= d.appointment_local_date
          AND (h.valid_to IS NULL OR d.appointment_local_date < h.valid_to)
    QUALIFY row_number() OVER (
        PARTITION BY d.rated_location_id, d.appointment_local_date, h.name
        ORDER BY h.valid_from DESC, h.framework = 'saf' DESC) = 1
), by_name AS (
    SELECT rated_location_id, appointment_local_date,
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
    GROUP BY rated_location_id, appointment_local_date
)
SELECT
    ap.clinic_id, ap.careq_id, ap.appointment_id, ap.start_datetime, ap.appointment_date,
    ap.appointment_local_date, ap.clinic_timezone, ap.status,
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
LEFT JOIN rated ON rated.clinic_id = ap.clinic_id AND rated.appointment_local_date = ap.appointment_local_date
LEFT JOIN by_name ON by_name.rated_location_id = rated.rated_location_id
                 AND by_name.appointment_local_date = rated.appointment_local_date;
