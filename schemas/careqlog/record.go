package careqlog

import (
	"encoding/json"
	"time"

	"carelake/schemas"
)

// FormatVersion is the version of the log record format ("v" in every line).
const FormatVersion = 1

// Endpoint names, as logged and as in /metrics. Each is the path under
// /api/v1/careq-sync/.
const (
	EndpointPatient     = "patient"
	EndpointDoctor      = "doctor"
	EndpointService     = "service"
	EndpointAppointment = "appointment"
	EndpointStatus      = "appointment/status"
	EndpointCancel      = "appointment/cancel"
	EndpointBatch       = "batch"
	EndpointHealth      = "health"
	// EndpointUnknown is any other path under the API (answered 404).
	EndpointUnknown = "unknown"
)

// RecordType is the record type of a single-record endpoint (patient,
// appointment_status, ...), or "" for batch, health and unknown endpoints.
func RecordType(endpoint string) string { return endpointRecordType[endpoint] }

var endpointRecordType = map[string]string{
	EndpointPatient:     schemas.CareQPatientType,
	EndpointDoctor:      schemas.CareQDoctorType,
	EndpointService:     schemas.CareQServiceType,
	EndpointAppointment: schemas.CareQAppointmentType,
	EndpointStatus:      schemas.CareQAppointmentStatusType,
	EndpointCancel:      schemas.CareQAppointmentCancelType,
}

// Sync statuses: what a call did to the receiver's state (data.sync_status of
// the response, sync_status of the log record or batch item).
const (
	SyncCreated      = "created"       // new record (201; "synced" in the response, as the specification shows)
	SyncUpdated      = "updated"       // newer version applied (200)
	SyncUnchanged    = "unchanged"     // same updated_at and same content: nothing to do (200)
	SyncStaleIgnored = "stale_ignored" // older than the stored version: ignored (200)
	SyncFailed       = "failed"        // rejected (4xx, or a failed batch item)
)

// Error codes of the specification (error.code of an error response).
const (
	CodeAuthenticationFailed = "AUTHENTICATION_FAILED"
	CodeValidationError      = "VALIDATION_ERROR"
	CodeDuplicateRecord      = "DUPLICATE_RECORD"
	CodeRecordNotFound       = "RECORD_NOT_FOUND"
	CodeInvalidRequest       = "INVALID_REQUEST"
	CodeServerError          = "SERVER_ERROR"
	CodeRateLimitExceeded    = "RATE_LIMIT_EXCEEDED"
)

// LogRecord is one line of the durable log: one HTTP call and its answer.
// See the package documentation for the meaning of every field.
type LogRecord struct {
	V          int       `json:"v"`
	Seq        int64     `json:"seq"`
	ReceivedAt time.Time `json:"received_at"`
	ClinicID   string    `json:"clinic_id,omitempty"`
	Endpoint   string    `json:"endpoint"`
	Method     string    `json:"method"`
	// Path was kept for EndpointUnknown (truncated to 200 bytes) in logs
	// written before unknown endpoints were refused before authentication;
	// it is no longer written.
	Path           string `json:"path,omitempty"`
	Status         int    `json:"status"`
	ErrorCode      string `json:"error_code,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	BodyBytes      int    `json:"body_bytes"`
	BodySHA256     string `json:"body_sha256,omitempty"`
	// Item describes the record of a single-record call (empty for batch,
	// health and calls rejected before the body was trusted and parsed).
	Item
	// BatchID and Records describe a batch call, each record with its result.
	BatchID string `json:"batch_id,omitempty"`
	Records []Item `json:"records,omitempty"`
	// Response is the JSON body that was answered.
	Response json.RawMessage `json:"response,omitempty"`
}

// Item is one CareQ record within a call and what became of it.
type Item struct {
	// RecordType is patient, doctor, service, appointment,
	// appointment_status or appointment_cancel.
	RecordType string `json:"record_type,omitempty"`
	// CareQID is the record's careq_id (the appointment's, for status and
	// cancel), when it could be read.
	CareQID int64 `json:"careq_id,omitempty"`
	// ID is the receiver's internal ID answered as data.id.
	ID string `json:"id,omitempty"`
	// EventAt orders versions of a record: updated_at (cancelled_at for a
	// cancellation); absent when the call carried none.
	EventAt *time.Time `json:"event_at,omitempty"`
	// SyncStatus is created, updated, unchanged, stale_ignored or failed.
	SyncStatus string `json:"sync_status,omitempty"`
	// AppointmentStatus is the appointment's status after the call, for
	// appointment, appointment_status and appointment_cancel records.
	AppointmentStatus string `json:"appointment_status,omitempty"`
	// ContentMAC is a keyed digest of the full payload as received: equal
	// digests mean identical content.
	ContentMAC string `json:"content_mac,omitempty"`
	// CallDigest is the first 16 hex digits of the idempotency key of the
	// call (for a batch item: of the clinic, the item's type and its data),
	// set when the item changed state: the receiver keeps it so that a
	// repeat, however late, changes nothing.
	CallDigest string `json:"call_digest,omitempty"`
	// Replayed marks a batch item answered from the stored result of an
	// earlier call with the same body (a retried batch); it changed nothing.
	Replayed bool `json:"replayed,omitempty"`
	// Payload is the sanitised record (PatientRecord, DoctorRecord,
	// ServiceRecord, AppointmentRecord, StatusRecord or CancelRecord).
	Payload json.RawMessage `json:"payload,omitempty"`
	// ErrorCode and Errors explain a failed batch item (a single call's error
	// is in the record's ErrorCode and Response).
	ErrorCode string              `json:"error_code,omitempty"`
	Errors    schemas.FieldErrors `json:"errors,omitempty"`
}

// Applied reports whether the item changed the receiver's state.
func (it *Item) Applied() bool {
	return it.SyncStatus == SyncCreated || it.SyncStatus == SyncUpdated
}
