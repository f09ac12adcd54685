package schemas

import "github.com/apache/arrow-go/v18/arrow"

// CareQ output tables: what the CareQ normalise stage stages from the
// receiver's sealed log segments (schemas/careqlog), under
// careq/<table>/clinic_id=<id>/event_month=<YYYY-MM>/, where event_month is
// the UTC year and month the receiver logged the call (received_at). Load
// merges each load's rows into the partition and rewrites it as one
// compacted file, so a year of 50 clinics is at most 6 x 50 x 12 = 3,600
// files, not the 91,000 small ones of the former day layout
// (event_date=<YYYY-MM-DD>), which load folds into months on its first run
// after the change (FormerPartitionBy).
//
// The tables are event-sourced: careq/events has one row per logged call,
// the entity tables one row per change the receiver applied (sync_status
// created or updated), in log order. The catalog's views derive the current
// state (careq_patients, careq_appointments, ...). Every row names the log
// segment it came from (log_segment, the tables' MergeKey; with the UTC day
// of received_at, MergeDay), which is how a segment is loaded exactly once.
// A segment sealed after midnight, or after the end of a month, has rows in
// two partitions; each partition's merge takes its own rows of it.
//
// Personal data arrives already pseudonymised by the receiver (see
// careqlog.PatientRecord): pseudonyms are keyed HMAC-SHA256 hex
// digests, Aadhaar is masked, date of birth is a year; free-text columns are
// NULL unless the receiver ran with --keep-free-text.

// CareQUnauthenticated is the clinic_id partition of calls whose bearer
// token matched no clinic (careq/events only); the receiver refuses it as a
// clinic ID.
const CareQUnauthenticated = "unauthenticated"

var (
	careqStr  = arrow.BinaryTypes.String
	careqInt  = arrow.PrimitiveTypes.Int64
	careqI32  = arrow.PrimitiveTypes.Int32
	careqBool = arrow.FixedWidthTypes.Boolean
	// CareQMoney is the type of prices: DECIMAL(18,4); the receiver refuses
	// prices that do not fit it.
	CareQMoney = &arrow.Decimal128Type{Precision: 18, Scale: 4}
)

const (
	careqMergeKey = "log_segment"
	careqMergeDay = "received_at"
)

func careqTable(name, doc string, fields ...[]arrow.Field) Table {
	var all []arrow.Field
	for _, f := range fields {
		all = append(all, f...)
	}
	return Table{
		Dataset:           "careq/" + name,
		PartitionBy:       []string{"clinic_id", "event_month"},
		FormerPartitionBy: []string{"clinic_id", "event_date"},
		Schema:            arrow.NewSchema(all, nil),
		Doc:               doc,
		MergeKey:          careqMergeKey,
		MergeDay:          careqMergeDay,
	}
}

// careqCallColumns identify the logged call (and, for a batch, the record
// within it) a row comes from.
func careqCallColumns() []arrow.Field {
	return []arrow.Field{
		Field("seq", careqInt, false, "sequence number of the call in the receiver's log (increasing across segments and restarts)"),
		Field("batch_index", careqI32, true, "position of the record in a batch call (0-based); NULL for a single-record call"),
		Field("received_at", TimestampUTC, false, "when the receiver logged the call (UTC)"),
		Field("log_segment", careqStr, false, "receiver log segment holding the call (file name under raw/careq)"),
	}
}

// careqChangeColumns describe the applied change.
func careqChangeColumns(entity string) []arrow.Field {
	return []arrow.Field{
		Field("careq_id", careqInt, false, "CareQ's ID of the "+entity),
		Field(entity+"_id", careqStr, false, "the receiver's internal ID of the "+entity+" (stable across retries and restarts)"),
		Field("sync_status", careqStr, false, "what the change did: created or updated"),
		Field("created_at", TimestampUTC, true, "created_at as sent by CareQ (UTC)"),
		Field("updated_at", TimestampUTC, true, "updated_at as sent by CareQ (UTC); orders versions of the record"),
	}
}

func careqPlaceColumns() []arrow.Field {
	return []arrow.Field{
		Field("city", careqStr, true, "city"),
		Field("state", careqStr, true, "state"),
		Field("zip_code", careqStr, true, "postal (zip) code"),
		Field("timezone", careqStr, true, "IANA time zone, e.g. Asia/Kolkata"),
		Field("language", careqStr, true, "language tag, e.g. en-US"),
	}
}

// CareQTables lists every CareQ output table.
func CareQTables() []Table {
	return []Table{
		careqTable("events",
			"Every call the CareQ receiver logged, accepted or rejected, one row per call (a batch is one row); a retry answered from the idempotency store is not logged again.",
			careqCallColumns()[:1], careqCallColumns()[2:],
			[]arrow.Field{
				Field("endpoint", careqStr, false, "endpoint called: patient, doctor, service, appointment, appointment/status, appointment/cancel, batch, health or unknown"),
				Field("method", careqStr, false, "HTTP method"),
				Field("path", careqStr, true, "request path, only for unknown endpoints"),
				Field("status", careqI32, false, "HTTP status answered"),
				Field("error_code", careqStr, true, "error code answered (AUTHENTICATION_FAILED, VALIDATION_ERROR, DUPLICATE_RECORD, RECORD_NOT_FOUND, INVALID_REQUEST, SERVER_ERROR, RATE_LIMIT_EXCEEDED)"),
				Field("idempotency_key", careqStr, true, "hex SHA-256 of clinic, endpoint and raw body: a CareQ retry carries the same key"),
				Field("body_bytes", careqInt, false, "size of the request body in bytes"),
				Field("body_sha256", careqStr, true, "hex SHA-256 of the raw request body"),
				Field("record_type", careqStr, true, "patient, doctor, service, appointment, appointment_status or appointment_cancel (single-record calls)"),
				Field("careq_id", careqInt, true, "careq_id of the record (the appointment's for status and cancel calls)"),
				Field("internal_id", careqStr, true, "the receiver's internal ID answered (data.id)"),
				Field("event_at", TimestampUTC, true, "updated_at (cancelled_at for a cancellation) of the record, UTC"),
				Field("sync_status", careqStr, true, "created, updated, unchanged, stale_ignored or failed"),
				Field("appointment_status", careqStr, true, "the appointment's status after the call"),
				Field("batch_id", careqStr, true, "batch_id of a batch call"),
				Field("batch_records", careqI32, true, "number of records in a batch call"),
				Field("batch_failed", careqI32, true, "number of records of a batch call that failed"),
			}),
		careqTable("patients",
			"Every applied change to a CareQ patient, pseudonymised: no names, street addresses, raw phone numbers, e-mails or Aadhaar numbers.",
			careqCallColumns(), careqChangeColumns("patient"),
			[]arrow.Field{
				Field("email_pseudonym", careqStr, true, "keyed HMAC-SHA256 pseudonym of the lower-cased e-mail (hex)"),
				Field("phone_pseudonym", careqStr, true, "keyed HMAC-SHA256 pseudonym of the 10-digit phone number (hex)"),
				Field("aadhaar_pseudonym", careqStr, true, "keyed HMAC-SHA256 pseudonym of the 12 Aadhaar digits (hex)"),
				Field("aadhaar_masked", careqStr, true, "Aadhaar masked as XXXX XXXX 1234"),
				Field("birth_year", careqI32, true, "year of birth (the date of birth is not kept)"),
				Field("gender", careqStr, true, "male, female or other"),
			},
			careqPlaceColumns(),
			[]arrow.Field{
				Field("custom_field_1", careqStr, true, "free text; NULL unless the receiver keeps free text"),
				Field("custom_field_2", careqStr, true, "free text; NULL unless the receiver keeps free text"),
				Field("custom_field_3", careqStr, true, "free text; NULL unless the receiver keeps free text"),
				Field("custom_field_4", careqStr, true, "free text; NULL unless the receiver keeps free text"),
				Field("custom_field_5", careqStr, true, "free text; NULL unless the receiver keeps free text"),
				Field("notes", careqStr, true, "free text; NULL unless the receiver keeps free text"),
			}),
		careqTable("doctors",
			"Every applied change to a CareQ doctor; professional name and specialisation kept, contact details pseudonymised.",
			careqCallColumns(), careqChangeColumns("doctor"),
			[]arrow.Field{
				Field("first_name", careqStr, false, "doctor's first name as sent (professional name)"),
				Field("last_name", careqStr, false, "doctor's last name as sent"),
				Field("specialization", careqStr, true, "specialty, e.g. Cardiology"),
				Field("email_pseudonym", careqStr, true, "keyed HMAC-SHA256 pseudonym of the lower-cased e-mail (hex)"),
				Field("phone_pseudonym", careqStr, true, "keyed HMAC-SHA256 pseudonym of the phone number (hex)"),
				Field("mobile_pseudonym", careqStr, true, "keyed HMAC-SHA256 pseudonym of the mobile number (hex)"),
				Field("is_private", careqBool, true, "whether the provider is private"),
			},
			careqPlaceColumns(),
			[]arrow.Field{Field("notes", careqStr, true, "free text; NULL unless the receiver keeps free text")}),
		careqTable("services",
			"Every applied change to a CareQ service (treatment).",
			careqCallColumns(), careqChangeColumns("service"),
			[]arrow.Field{
				Field("name", careqStr, false, "service name"),
				Field("duration_minutes", careqInt, false, "duration in minutes"),
				Field("price", CareQMoney, true, "price in currency units"),
				Field("currency", careqStr, true, "currency code, e.g. INR"),
				Field("description", careqStr, true, "service description"),
				Field("location", careqStr, true, "where the service is given"),
				Field("color", careqStr, true, "hex colour code, e.g. #3498db"),
				Field("category", careqStr, true, "service category"),
				Field("is_private", careqBool, true, "whether the service is private"),
			}),
		careqTable("appointments",
			"Every applied change to a CareQ appointment: full records, status updates and cancellations, in log order.",
			careqCallColumns(),
			[]arrow.Field{
				Field("careq_id", careqInt, false, "CareQ's ID of the appointment"),
				Field("appointment_id", careqStr, false, "the receiver's internal ID of the appointment"),
				Field("change", careqStr, false, "record (a full appointment), status (a status update) or cancel (a cancellation)"),
				Field("sync_status", careqStr, false, "what the change did: created or updated"),
				Field("status", careqStr, false, "the appointment's status after this change: booked, confirmed, cancelled, completed, no-show or rescheduled"),
				Field("event_at", TimestampUTC, true, "when the change happened by CareQ's clock: updated_at, or cancelled_at for a cancellation (UTC)"),
				Field("patient_careq_id", careqInt, true, "patient's careq_id (full records)"),
				Field("doctor_careq_id", careqInt, true, "doctor's careq_id (full records)"),
				Field("service_careq_id", careqInt, true, "service's careq_id (full records)"),
				Field("book_datetime", TimestampUTC, true, "when the booking was made (full records)"),
				Field("start_datetime", TimestampUTC, true, "appointment start (full records)"),
				Field("start_date", Date, true, "UTC calendar date of start_datetime (full records): the day ratings are looked up for"),
				Field("end_datetime", TimestampUTC, true, "appointment end (full records)"),
				Field("location", careqStr, true, "appointment location (full records)"),
				Field("color", careqStr, true, "hex colour code (full records)"),
				Field("hash", careqStr, true, "CareQ's appointment hash (full records)"),
				Field("created_at", TimestampUTC, true, "created_at as sent (full records)"),
				Field("cancelled_by", careqStr, true, "who cancelled (cancellations)"),
				Field("notes", careqStr, true, "free text; NULL unless the receiver keeps free text"),
				Field("prescription", careqStr, true, "prescription as sent (text or JSON); NULL unless the receiver keeps free text"),
				Field("referred_by", careqStr, true, "referring doctor; NULL unless the receiver keeps free text"),
				Field("referred_by_address", careqStr, true, "referring doctor's address; NULL unless the receiver keeps free text"),
				Field("cancellation_reason", careqStr, true, "free text; NULL unless the receiver keeps free text"),
			}),
		careqTable("rejects",
			"Logged records the CareQ normalise stage could not turn into rows, or only in part, with the reason; the log segment still holds them.",
			careqCallColumns(),
			[]arrow.Field{
				Field("record_type", careqStr, true, "patient, doctor, service, appointment, appointment_status or appointment_cancel"),
				Field("careq_id", careqInt, true, "careq_id of the record, when it could be read"),
				Field("reason", careqStr, false, "why the record (or one of its values) could not be used"),
			}),
	}
}
