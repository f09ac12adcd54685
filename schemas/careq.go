package schemas

import (
	"encoding/json"
	"sort"
	"time"
)

// CareQ sync payloads, as CareQ's platform sends them to the receiver
// (CareQ's Third-Party Integration API Specification, "API Endpoints
// Required" and "Data Models"; docs/architecture.md, "The CareQ sync API"). These are the payloads as received, before pseudonymisation: they
// exist only in memory inside the receiver and are never written to disk.
// The receiver validates them against the specification's field tables
// (stages/extract/receiver, validate.go).

// CareQ record types: the batch "type" values, plus the two appointment
// change calls.
const (
	CareQPatientType           = "patient"
	CareQDoctorType            = "doctor"
	CareQServiceType           = "service"
	CareQAppointmentType       = "appointment"
	CareQAppointmentStatusType = "appointment_status"
	CareQAppointmentCancelType = "appointment_cancel"
)

// CareQAppointmentStatuses are the valid appointment status values.
var CareQAppointmentStatuses = []string{"booked", "confirmed", "cancelled", "completed", "no-show", "rescheduled"}

// CareQGenders are the valid gender values.
var CareQGenders = []string{"male", "female", "other"}

// CareQPatient is POST /api/v1/careq-sync/patient.
type CareQPatient struct {
	CareQID      int64      `json:"careq_id"`
	ClinicID     string     `json:"clinic_id"`
	FirstName    string     `json:"first_name"`
	LastName     string     `json:"last_name"`
	Email        *string    `json:"email,omitempty"`
	PhoneNumber  string     `json:"phone_number"`
	DateOfBirth  *string    `json:"date_of_birth,omitempty"`
	Gender       *string    `json:"gender,omitempty"`
	Address      *string    `json:"address,omitempty"`
	City         *string    `json:"city,omitempty"`
	State        *string    `json:"state,omitempty"`
	ZipCode      *string    `json:"zip_code,omitempty"`
	AadharNumber *string    `json:"aadhar_number,omitempty"`
	SpouseName   *string    `json:"spouse_name,omitempty"`
	FatherName   *string    `json:"father_name,omitempty"`
	CustomField1 *string    `json:"custom_field_1,omitempty"`
	CustomField2 *string    `json:"custom_field_2,omitempty"`
	CustomField3 *string    `json:"custom_field_3,omitempty"`
	CustomField4 *string    `json:"custom_field_4,omitempty"`
	CustomField5 *string    `json:"custom_field_5,omitempty"`
	Notes        *string    `json:"notes,omitempty"`
	Timezone     *string    `json:"timezone,omitempty"`
	Language     *string    `json:"language,omitempty"`
	CreatedAt    *time.Time `json:"created_at,omitempty"`
	UpdatedAt    *time.Time `json:"updated_at,omitempty"`
}

// CareQDoctor is POST /api/v1/careq-sync/doctor.
type CareQDoctor struct {
	CareQID        int64      `json:"careq_id"`
	ClinicID       string     `json:"clinic_id"`
	FirstName      string     `json:"first_name"`
	LastName       string     `json:"last_name"`
	Email          *string    `json:"email,omitempty"`
	PhoneNumber    *string    `json:"phone_number,omitempty"`
	MobileNumber   *string    `json:"mobile_number,omitempty"`
	Address        *string    `json:"address,omitempty"`
	City           *string    `json:"city,omitempty"`
	State          *string    `json:"state,omitempty"`
	ZipCode        *string    `json:"zip_code,omitempty"`
	Specialisation *string    `json:"specialization,omitempty"` //nolint:misspell // the specification's field name
	Notes          *string    `json:"notes,omitempty"`
	IsPrivate      *bool      `json:"is_private,omitempty"`
	Timezone       *string    `json:"timezone,omitempty"`
	Language       *string    `json:"language,omitempty"`
	CreatedAt      *time.Time `json:"created_at,omitempty"`
	UpdatedAt      *time.Time `json:"updated_at,omitempty"`
}

// CareQService is POST /api/v1/careq-sync/service.
type CareQService struct {
	CareQID     int64        `json:"careq_id"`
	ClinicID    string       `json:"clinic_id"`
	Name        string       `json:"name"`
	Duration    int64        `json:"duration"`
	Price       *json.Number `json:"price,omitempty"`
	Currency    *string      `json:"currency,omitempty"`
	Description *string      `json:"description,omitempty"`
	Location    *string      `json:"location,omitempty"`
	Colour      *string      `json:"color,omitempty"` //nolint:misspell // the specification's field name
	Category    *string      `json:"category,omitempty"`
	IsPrivate   *bool        `json:"is_private,omitempty"`
	CreatedAt   *time.Time   `json:"created_at,omitempty"`
	UpdatedAt   *time.Time   `json:"updated_at,omitempty"`
}

// CareQAppointment is POST /api/v1/careq-sync/appointment.
type CareQAppointment struct {
	CareQID        int64     `json:"careq_id"`
	ClinicID       string    `json:"clinic_id"`
	PatientCareQID int64     `json:"patient_careq_id"`
	DoctorCareQID  int64     `json:"doctor_careq_id"`
	ServiceCareQID int64     `json:"service_careq_id"`
	BookDatetime   time.Time `json:"book_datetime"`
	StartDatetime  time.Time `json:"start_datetime"`
	EndDatetime    time.Time `json:"end_datetime"`
	Status         string    `json:"status"`
	Location       *string   `json:"location,omitempty"`
	Notes          *string   `json:"notes,omitempty"`
	// Prescription is a string or a JSON object ("text/json"), kept as JSON.
	Prescription      json.RawMessage `json:"prescription,omitempty"`
	ReferredBy        *string         `json:"referred_by,omitempty"`
	ReferredByAddress *string         `json:"referred_by_address,omitempty"`
	Colour            *string         `json:"color,omitempty"` //nolint:misspell // the specification's field name
	Hash              *string         `json:"hash,omitempty"`
	CreatedAt         *time.Time      `json:"created_at,omitempty"`
	UpdatedAt         *time.Time      `json:"updated_at,omitempty"`
}

// CareQAppointmentStatus is POST /api/v1/careq-sync/appointment/status.
type CareQAppointmentStatus struct {
	CareQID   int64      `json:"careq_id"`
	ClinicID  string     `json:"clinic_id"`
	Status    string     `json:"status"`
	Notes     *string    `json:"notes,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// CareQAppointmentCancel is POST /api/v1/careq-sync/appointment/cancel.
type CareQAppointmentCancel struct {
	CareQID            int64      `json:"careq_id"`
	ClinicID           string     `json:"clinic_id"`
	CancellationReason *string    `json:"cancellation_reason,omitempty"`
	CancelledBy        *string    `json:"cancelled_by,omitempty"`
	CancelledAt        *time.Time `json:"cancelled_at,omitempty"`
}

// CareQBatch is POST /api/v1/careq-sync/batch. Records stay raw: each is
// validated on its own and answered in the batch results.
type CareQBatch struct {
	ClinicID string             `json:"clinic_id"`
	BatchID  *string            `json:"batch_id,omitempty"`
	Records  []CareQBatchRecord `json:"records"`
}

// CareQBatchRecord is one entry of a batch: a record type and its object.
type CareQBatchRecord struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// CareQMaxBatchRecords caps the records of one batch call.
const CareQMaxBatchRecords = 1000

// FieldErrors maps a field name to what is wrong with it, the "details" of a
// 422 VALIDATION_ERROR, as answered and as logged (careqlog.Item.Errors).
// Messages never repeat the submitted value (it may be
// personal data).
type FieldErrors map[string][]string

// Add records a problem with a field.
func (e FieldErrors) Add(field, msg string) { e[field] = append(e[field], msg) }

// Fields lists the fields with errors, sorted.
func (e FieldErrors) Fields() []string {
	out := make([]string, 0, len(e))
	for k := range e {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
