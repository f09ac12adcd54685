package schemas

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// A View is a contract view of sql/views.sql: its name, what it holds and
// every column with its type and doc (the catalog's COMMENTs and the data
// dictionary come from here; the catalog checks the SQL gives exactly these
// columns).
//
// A view with Mart set is a mart: a view whose answer needs a join or a
// resolve rule, materialised by the marts stage at each run as Parquet under
// marts/<Name>/ (hive-partitioned by PartitionBy), so BI tools that read
// files see the same rows as DuckDB; the view of that name in
// carelake.duckdb is a plain read of those files.
type View struct {
	// Name is the view's name (and a mart's directory under marts/).
	Name string
	// Doc describes the view in a sentence or two.
	Doc string
	// Columns are the view's columns in order, each with its type and doc;
	// a mart's partition columns are among them.
	Columns []arrow.Field
	// Mart materialises the view.
	Mart bool
	// PartitionBy lists a mart's hive partition columns (directory names
	// only, not inside the files), outermost first.
	PartitionBy []string
	// Sources are the systems a mart's rows come from ("cqc", "careq"):
	// each one's licence and source travel into the mart's files.
	Sources []string
	// Query, when set, is the SQL of a mart that sql/views.sql does not
	// define: a current copy (CurrentCopies).
	Query string
}

// Dataset is a mart's directory under the warehouse root.
func (m View) Dataset() string { return "marts/" + m.Name }

// Table is a mart as a dataset: the columns stored in its files (every
// column but the partition columns) and its partitioning. Every stored
// column is nullable: DuckDB, which computes the view, cannot say a view's
// column is never NULL.
func (m View) Table() Table {
	var stored []arrow.Field
	for _, f := range m.Columns {
		if !slices.Contains(m.PartitionBy, f.Name) {
			f.Nullable = true
			stored = append(stored, f)
		}
	}
	return Table{Dataset: m.Dataset(), PartitionBy: m.PartitionBy, Schema: arrow.NewSchema(stored, nil), Doc: m.Doc}
}

// Source systems of a mart's rows (Mart.Sources).
const (
	SourceCQC   = "cqc"
	SourceCareQ = "careq"
)

// PartitionType is the type of a hive partition column, by the naming rule
// every table follows: a name ending in "_date" holds a calendar date
// (YYYY-MM-DD, DATE), any other name a string.
func PartitionType(name string) arrow.DataType {
	if strings.HasSuffix(name, "_date") {
		return Date
	}
	return arrow.BinaryTypes.String
}

// PartitionField is partition column name as a column, with its doc.
func PartitionField(name string) arrow.Field {
	return Field(name, PartitionType(name), false, partitionDocs[name])
}

// TableNamed is the registered table of a dataset ("cqc/locations").
func TableNamed(dataset string) (Table, bool) {
	for _, t := range Tables() {
		if t.Dataset == dataset {
			return t, true
		}
	}
	return Table{}, false
}

// columnsOf lists the named columns of a table, partition columns
// included, in the order asked. An unknown name is a programming error:
// every test that touches the marts panics on it.
func columnsOf(t Table, names ...string) []arrow.Field {
	out := make([]arrow.Field, 0, len(names))
	for _, n := range names {
		if slices.Contains(t.PartitionBy, n) {
			out = append(out, PartitionField(n))
			continue
		}
		idx := t.Schema.FieldIndices(n)
		if len(idx) != 1 {
			panic(fmt.Sprintf("schemas: %s has no column %s", t.Dataset, n))
		}
		out = append(out, t.Schema.Field(idx[0]))
	}
	return out
}

// allColumns lists a table's columns (stored then partition ones) except
// those named.
func allColumns(t Table, except ...string) []arrow.Field {
	var out []arrow.Field
	for _, f := range t.Schema.Fields() {
		if !slices.Contains(except, f.Name) {
			out = append(out, f)
		}
	}
	for _, p := range t.PartitionBy {
		if !slices.Contains(except, p) {
			out = append(out, PartitionField(p))
		}
	}
	return out
}

// redoc is f with another doc (and nullability, when the view can leave it
// NULL where the table cannot).
func redoc(f arrow.Field, nullable bool, doc string) arrow.Field {
	return Field(f.Name, f.Type, nullable, doc)
}

func careqTableNamed(name string) Table {
	t, ok := TableNamed("careq/" + name)
	if !ok {
		panic("schemas: no careq/" + name)
	}
	return t
}

// careqCurrentColumns are the columns of a current-state CareQ mart: the
// clinic first, then every column of its change table but batch_index.
func careqCurrentColumns(name string) []arrow.Field {
	t := careqTableNamed(name)
	return append([]arrow.Field{PartitionField("clinic_id")}, allColumns(t, "clinic_id", "batch_index")...)
}

var (
	martInherited = Field("inherited", cqcBool, cqcReq,
		"true when the rating is inherited from a predecessor: it carries an organisation_id, or (inherited_inferred) it carries none but its report is a predecessor's")
	martInheritedInferred = Field("inherited_inferred", cqcBool, cqcReq,
		"true when the rating carries no organisationId and is inherited because its report is a predecessor's (the API leaves organisationId off an inherited overall rating while setting it on the key questions)")
	martSourceColumns = []arrow.Field{
		Field("source_location_id", cqcStr, cqcNull, "location whose report the rating comes from: for an inherited rating the predecessor found by resolve through reportLinkId, however many re-registrations back; for the location's own rating the location itself; NULL while not found (see unresolved_reason)"),
		Field("source_report_date", Date, cqcNull, "reportDate of that report"),
		Field("source_report_first_visit_date", Date, cqcNull, "firstVisitDate of that report: when inspectors first visited"),
		Field("source_report_uri", cqcStr, cqcNull, "reportUri of that report (https://www.cqc.org.uk + this path is the published report)"),
		Field("source_resolved", cqcBool, cqcReq, "true when the report the rating comes from was found"),
		Field("unresolved_reason", cqcStr, cqcNull, "why not: not_resolved_yet (resolve has not seen the rating), organisation_not_archived or ancestor_not_archived (the predecessor is not archived yet: the next extract fetches it), report_not_found, report_not_listed (an own rating whose report the location's reports do not list) or no_report_link (a rating without one, as assessment ratings are); NULL when resolved"),
		Field("generations", cqcInt, cqcNull, "re-registrations between the location and the source of an inherited rating; NULL for an own rating"),
	}
	martSnapshot = PartitionField("snapshot_date")
	// martAreaColumns label service ratings from the global taxonomy
	// (CQCInspectionAreaTaxonomy).
	martAreaColumns = []arrow.Field{
		Field("inspection_area_name", cqcStr, cqcNull, "for a service rating (kind service: name is an inspection area ID), the area's name in the global taxonomy (cqc_inspection_area_taxonomy); NULL for other ratings and areas the taxonomy lacks"),
		Field("inspection_area_current_names", cqcStr, cqcNull, "for a service rating, the areas in effect for its area now, joined with '; ' (supersededBy followed: cqc_inspection_area_taxonomy.current_area_names; the area's own name when not superseded)"),
	}
)

func cqcRatingMartColumns() []arrow.Field {
	cols := columnsOf(CQCLocationRatingHistory, "location_id", "kind", "parent_name", "name", "rating", "rating_category",
		"report_date", "report_link_id", "organisation_id")
	cols = append(cols, martInherited, martInheritedInferred)
	return append(cols, columnsOf(CQCLocationRatings, "framework")...)
}

// Marts lists the views that are marts, in build order: a mart may read the
// ones before it.
func Marts() []View {
	var out []View
	for _, v := range Views() {
		if v.Mart {
			out = append(out, v)
		}
	}
	return out
}

// Views lists every view of the catalog that has a declaration: those of
// sql/views.sql, in its order, then the current copies (CurrentCopies).
func Views() []View {
	contract := contractViews()
	return append(contract, CurrentCopies(contract)...)
}

// CurrentCopies are the marts that hold the latest snapshot of every CQC
// table stored by change whose name (cqc_<table>) is not a view of
// contract: a complete current copy a BI tool reads as files
// (docs/architecture.md, "Views and marts"). Each is the table's columns
// with its snapshot_date, and reads datasets.<table>_latest.
func CurrentCopies(contract []View) []View {
	var out []View
	for _, t := range CQCTables() {
		name := t.Relation()
		if len(t.Owner) == 0 || slices.ContainsFunc(contract, func(v View) bool { return v.Name == name }) {
			continue
		}
		out = append(out, View{
			Name: name, Mart: true, Sources: []string{SourceCQC},
			Doc:     t.Doc + " The latest snapshot: a complete current copy, written at each run (" + name + "_history has every snapshot).",
			Columns: allColumns(t),
			Query:   "SELECT * FROM datasets." + name + "_latest",
		})
	}
	return out
}

// contractViews lists every view of sql/views.sql, in its order.
func contractViews() []View {
	ratingCols := cqcRatingMartColumns()
	locations := allColumns(CQCLocations)
	for i, f := range locations {
		if f.Name == "overall_rating_inherited" {
			locations[i] = redoc(f, true, "true when the overall rating in effect is inherited from a predecessor: it carries an organisationId, or it carries none but its report is a predecessor's (resolve infers it: the API leaves organisationId off an inherited overall rating); NULL when there is no overall rating")
		}
	}
	reports := slices.Concat([]arrow.Field{Field("location_id", cqcStr, cqcReq, "the location whose reports list holds the report")},
		columnsOf(CQCReports, "link_id", "report_date", "first_visit_date", "report_uri", "snapshot_date"))
	changes := func(entity, table string) View {
		t := careqTableNamed(table)
		return View{Name: "careq_" + entity + "_changes", Doc: t.Doc, Columns: allColumns(t)}
	}
	return []View{
		{
			Name:    "cqc_locations_history",
			Doc:     "Every CQC location of every snapshot, one row per location and snapshot_date, as cqc_locations.",
			Columns: locations,
		},
		{
			Name: "cqc_locations", Mart: true,
			Doc:     "Every CQC location of the latest snapshot, one row each: every scalar field of its latest good API body, with the overall rating in effect (inherited ratings included, also those the API leaves without organisationId).",
			Columns: locations,
			Sources: []string{SourceCQC},
		},
		{
			Name:    "cqc_inherited_rating_sources",
			Doc:     "The report each inherited location rating comes from, as resolve found it through the predecessors' reports (latest snapshot), one row per rating.",
			Columns: allColumns(CQCRatingSources),
		},
		{
			Name:    "cqc_location_reports",
			Doc:     "Each location's own inspection reports (latest snapshot), one row per report.",
			Columns: reports,
		},
		{
			Name: "cqc_location_rating_rows",
			Doc:  "Every location rating row of the latest snapshot, current (row_kind current) and timeline (row_kind timeline), with the report it comes from; cqc_location_ratings and cqc_location_rating_history are its two halves.",
			Columns: slices.Concat(
				[]arrow.Field{Field("row_kind", cqcStr, cqcReq, "current (a row of cqc_location_ratings) or timeline (a row of cqc_location_rating_history)")},
				columnsOf(CQCLocationRatings, "location_id", "kind", "parent_name", "name", "rating", "rating_category",
					"report_date", "report_link_id", "organisation_id", "framework", "status", "percentage_score", "assessment_plan_id"),
				[]arrow.Field{redoc(columnsOf(CQCLocationRatings, "in_effect")[0], true, "current rows: as in cqc_location_ratings; NULL on timeline rows")},
				nullable(columnsOf(CQCLocationRatingHistory, "source", "valid_from", "valid_to", "is_current"), "timeline rows: as in cqc_location_rating_history; NULL on current rows"),
				[]arrow.Field{martInherited, martInheritedInferred},
				martSourceColumns, martAreaColumns, []arrow.Field{martSnapshot}),
		},
		{
			Name: "cqc_location_ratings", Mart: true,
			Doc: "One row per location and current rating (latest snapshot): 'Overall', a key question, a service or an assessment group (kind and parent_name say which), in_effect marking the rating in force, and the report it comes from (source_*): for an inherited rating the predecessor's, however many re-registrations back.",
			Columns: slices.Concat(ratingCols,
				columnsOf(CQCLocationRatings, "status", "percentage_score", "assessment_plan_id", "in_effect"),
				martSourceColumns, martAreaColumns, []arrow.Field{martSnapshot}),
			Sources: []string{SourceCQC},
		},
		{
			Name: "cqc_location_rating_history", Mart: true,
			Doc: "Every location's current and historic ratings as a timeline (latest snapshot): one row per location, rating name and report, valid from valid_from until valid_to (exclusive; NULL while in effect; a deregistered location's ratings end at its deregistration date), with the report each comes from as in cqc_location_ratings.",
			Columns: slices.Concat(ratingCols,
				columnsOf(CQCLocationRatingHistory, "source", "valid_from", "valid_to", "is_current"),
				martSourceColumns, martAreaColumns, []arrow.Field{martSnapshot}),
			Sources: []string{SourceCQC},
		},
		{
			Name: "clinic_locations", Mart: true,
			Doc: "Each clinic of the mapping (latest snapshot) with its mapped CQC location, the current location through re-registrations, and that location's overall rating today.",
			Columns: slices.Concat(
				columnsOf(CQCClinicLocations, "clinic_id", "clinic_name", "cqc_location_id", "current_location_id", "mapping_status", "timezone"),
				[]arrow.Field{
					Field("current_location_name", cqcStr, cqcNull, "name of the current location (cqc_locations.name)"),
					Field("current_registration_status", cqcStr, cqcNull, "registration_status of the current location"),
					redoc(CQCLocations.Schema.Field(CQCLocations.Schema.FieldIndices("overall_rating")[0]), cqcNull, "the current location's overall rating today (cqc_locations.overall_rating); NULL when it is unknown or unrated"),
				},
				columnsOf(CQCLocations, "overall_rating_category", "overall_rating_date"),
				[]arrow.Field{Field("overall_rating_inherited", cqcBool, cqcNull, "true when that rating is inherited from a predecessor (cqc_locations.overall_rating_inherited)")},
				[]arrow.Field{martSnapshot}),
			Sources: []string{SourceCQC},
		},
		{
			Name: "careq_patients", Mart: true, PartitionBy: []string{"clinic_id"}, Sources: []string{SourceCareQ},
			Doc:     "The current version of each CareQ patient, pseudonymised, per clinic and careq_id: the last change the receiver applied.",
			Columns: careqCurrentColumns("patients"),
		},
		{
			Name: "careq_doctors", Mart: true, PartitionBy: []string{"clinic_id"}, Sources: []string{SourceCareQ},
			Doc:     "The current version of each CareQ doctor, per clinic and careq_id.",
			Columns: careqCurrentColumns("doctors"),
		},
		{
			Name: "careq_services", Mart: true, PartitionBy: []string{"clinic_id"}, Sources: []string{SourceCareQ},
			Doc:     "The current version of each CareQ service, per clinic and careq_id.",
			Columns: careqCurrentColumns("services"),
		},
		changes("patient", "patients"), changes("doctor", "doctors"), changes("service", "services"), changes("appointment", "appointments"),
		{
			Name: "careq_appointments", Mart: true, PartitionBy: []string{"clinic_id"}, Sources: []string{SourceCareQ},
			Doc:     "The current state of each CareQ appointment, per clinic and careq_id: its latest full record with the later status updates and cancellations applied.",
			Columns: careqAppointmentColumns(),
		},
		{
			Name: "clinic_appointment_ratings", Mart: true, PartitionBy: []string{"clinic_id"}, Sources: []string{SourceCQC, SourceCareQ},
			Doc:     "One row per CareQ appointment (current state) next to the CQC ratings of the place where it happened as they stood on the appointment's date where the clinic is, and today's rating.",
			Columns: clinicAppointmentRatingColumns(),
		},
	}
}

func careqAppointmentColumns() []arrow.Field {
	a := careqTableNamed("appointments")
	return slices.Concat(
		[]arrow.Field{PartitionField("clinic_id")},
		columnsOf(a, "careq_id", "appointment_id", "patient_careq_id", "doctor_careq_id", "service_careq_id",
			"book_datetime", "start_datetime", "start_date", "end_datetime"),
		[]arrow.Field{
			Field("status", careqStr, false, "the appointment's status after the last applied change of any kind: booked, confirmed, cancelled, completed, no-show or rescheduled"),
			Field("last_change", careqStr, false, "what the last applied change was: record (a full appointment), status (a status update) or cancel (a cancellation)"),
			Field("status_changed_at", TimestampUTC, true, "when that change happened by CareQ's clock (updated_at, or cancelled_at for a cancellation; UTC)"),
			Field("cancelled_at", TimestampUTC, true, "when the appointment was cancelled (UTC), while it is cancelled; NULL otherwise"),
			Field("cancelled_by", careqStr, true, "who cancelled it, while it is cancelled"),
			Field("cancellation_reason", careqStr, true, "why, while it is cancelled (free text: NULL unless the receiver keeps free text)"),
		},
		columnsOf(a, "location", "color", "hash", "notes", "prescription", "referred_by", "referred_by_address", "created_at"),
		[]arrow.Field{
			Field("updated_at", TimestampUTC, true, "updated_at of the latest full record (UTC)"),
			Field("last_received_at", TimestampUTC, false, "when the receiver logged the last applied change (UTC)"),
		},
	)
}

func clinicAppointmentRatingColumns() []arrow.Field {
	a := careqTableNamed("appointments")
	rating := func(name, doc string) arrow.Field { return Field(name, cqcStr, cqcNull, doc) }
	return slices.Concat(
		[]arrow.Field{PartitionField("clinic_id")},
		columnsOf(a, "careq_id", "appointment_id", "start_datetime"),
		[]arrow.Field{
			Field("appointment_date", Date, true, "UTC calendar date of start_datetime, kept for compatibility; ratings are looked up on appointment_local_date"),
			Field("appointment_local_date", Date, true, "calendar date of start_datetime where the clinic is (clinic_timezone): the day the ratings in effect are looked up for"),
			Field("clinic_timezone", cqcStr, false, "the clinic's IANA time zone (clinics.csv timezone column; Europe/London when the mapping names none or does not list the clinic)"),
			Field("status", careqStr, false, "the appointment's current status (careq_appointments.status)"),
		},
		columnsOf(a, "patient_careq_id", "doctor_careq_id", "service_careq_id"),
		[]arrow.Field{
			Field("cqc_location_id", cqcStr, cqcNull, "the CQC location the clinic is mapped to (clinics.csv); NULL when the mapping does not list the clinic"),
			Field("current_location_id", cqcStr, cqcNull, "the mapped location's current location through re-registrations"),
			Field("mapping_status", cqcStr, cqcNull, "clinic_locations.mapping_status"),
			Field("rated_location_id", cqcStr, cqcNull, "the location whose ratings applied on the appointment's local date: the current location, or, before it was registered, the predecessor the clinic was at then (the nearest in the lineage registered by that date)"),
			rating("overall_rating_at_appointment", "overall rating of rated_location_id in effect on appointment_local_date (cqc_location_rating_history: legacy and assessment ratings alike, an assessment winning a tie); NULL when the location was not rated then or was deregistered"),
			rating("overall_rating_category_at_appointment", "overall_rating_at_appointment classified (as rating_category: one spelling per rating across frameworks, for grouping)"),
			Field("overall_rating_at_appointment_inherited", cqcBool, cqcNull, "true when that overall rating was itself inherited from a predecessor (as inherited in cqc_location_rating_history)"),
			Field("overall_rating_at_appointment_date", Date, cqcNull, "report date of that overall rating"),
			rating("safe_rating_at_appointment", "Safe key question rating in effect on appointment_local_date"),
			rating("effective_rating_at_appointment", "Effective key question rating in effect on appointment_local_date"),
			rating("caring_rating_at_appointment", "Caring key question rating in effect on appointment_local_date"),
			rating("responsive_rating_at_appointment", "Responsive key question rating in effect on appointment_local_date"),
			rating("well_led_rating_at_appointment", "Well-led key question rating in effect on appointment_local_date"),
			Field("key_question_rating_inherited", cqcBool, cqcNull, "true when any of the five key question ratings in effect then was inherited from a predecessor"),
			rating("current_overall_rating", "today's overall rating of the current location (clinic_locations.overall_rating)"),
			rating("current_overall_rating_category", "current_overall_rating classified"),
			Field("current_overall_rating_date", Date, cqcNull, "report date of today's overall rating"),
			Field("current_overall_rating_inherited", cqcBool, cqcNull, "true when today's overall rating is inherited from a predecessor"),
		},
	)
}

// nullable marks fields nullable and appends a note to each doc.
func nullable(fs []arrow.Field, note string) []arrow.Field {
	out := make([]arrow.Field, len(fs))
	for i, f := range fs {
		doc, _ := f.Metadata.GetValue(DocKey)
		out[i] = redoc(f, true, doc+"; "+note)
	}
	return out
}
