package careqlog

import (
	"encoding/json"
	"time"

	"carelake/schemas"
)

// Sanitised payloads: what the durable log keeps of each call (Item.Payload),
// made by the receiver's Pseudonymiser from the payloads CareQ sent.

// PatientRecord is a patient as logged: no names, street address, spouse or
// father; e-mail, phone and Aadhaar as pseudonyms (Aadhaar also masked); date
// of birth as the year; custom fields and notes only with --keep-free-text.
type PatientRecord struct {
	CareQID          int64      `json:"careq_id"`
	ClinicID         string     `json:"clinic_id"`
	EmailPseudonym   string     `json:"email_pseudonym,omitempty"`
	PhonePseudonym   string     `json:"phone_pseudonym,omitempty"`
	BirthYear        *int       `json:"birth_year,omitempty"`
	Gender           *string    `json:"gender,omitempty"`
	City             *string    `json:"city,omitempty"`
	State            *string    `json:"state,omitempty"`
	ZipCode          *string    `json:"zip_code,omitempty"`
	AadhaarPseudonym string     `json:"aadhaar_pseudonym,omitempty"`
	AadhaarMasked    string     `json:"aadhaar_masked,omitempty"`
	CustomField1     *string    `json:"custom_field_1,omitempty"`
	CustomField2     *string    `json:"custom_field_2,omitempty"`
	CustomField3     *string    `json:"custom_field_3,omitempty"`
	CustomField4     *string    `json:"custom_field_4,omitempty"`
	CustomField5     *string    `json:"custom_field_5,omitempty"`
	Notes            *string    `json:"notes,omitempty"`
	Timezone         *string    `json:"timezone,omitempty"`
	Language         *string    `json:"language,omitempty"`
	CreatedAt        *time.Time `json:"created_at,omitempty"`
	UpdatedAt        *time.Time `json:"updated_at,omitempty"`
}

// DoctorRecord is a doctor as logged: professional name and specialisation
// kept; e-mail and phone numbers as pseudonyms; no street address; notes only
// with --keep-free-text.
type DoctorRecord struct {
	CareQID         int64      `json:"careq_id"`
	ClinicID        string     `json:"clinic_id"`
	FirstName       string     `json:"first_name"`
	LastName        string     `json:"last_name"`
	EmailPseudonym  string     `json:"email_pseudonym,omitempty"`
	PhonePseudonym  string     `json:"phone_pseudonym,omitempty"`
	MobilePseudonym string     `json:"mobile_pseudonym,omitempty"`
	City            *string    `json:"city,omitempty"`
	State           *string    `json:"state,omitempty"`
	ZipCode         *string    `json:"zip_code,omitempty"`
	Specialisation  *string    `json:"specialization,omitempty"` //nolint:misspell // the specification's field name
	Notes           *string    `json:"notes,omitempty"`
	IsPrivate       *bool      `json:"is_private,omitempty"`
	Timezone        *string    `json:"timezone,omitempty"`
	Language        *string    `json:"language,omitempty"`
	CreatedAt       *time.Time `json:"created_at,omitempty"`
	UpdatedAt       *time.Time `json:"updated_at,omitempty"`
}

// ServiceRecord is a service as logged: everything (it describes no person).
// Price keeps the JSON number as sent (a decimal).
type ServiceRecord = schemas.CareQService

// AppointmentRecord is an appointment as logged: notes, prescription and
// referrals only with --keep-free-text.
type AppointmentRecord struct {
	CareQID           int64           `json:"careq_id"`
	ClinicID          string          `json:"clinic_id"`
	PatientCareQID    int64           `json:"patient_careq_id"`
	DoctorCareQID     int64           `json:"doctor_careq_id"`
	ServiceCareQID    int64           `json:"service_careq_id"`
	BookDatetime      *time.Time      `json:"book_datetime,omitempty"`
	StartDatetime     *time.Time      `json:"start_datetime,omitempty"`
	EndDatetime       *time.Time      `json:"end_datetime,omitempty"`
	Status            string          `json:"status,omitempty"`
	Location          *string         `json:"location,omitempty"`
	Notes             *string         `json:"notes,omitempty"`
	Prescription      json.RawMessage `json:"prescription,omitempty"`
	ReferredBy        *string         `json:"referred_by,omitempty"`
	ReferredByAddress *string         `json:"referred_by_address,omitempty"`
	Colour            *string         `json:"color,omitempty"` //nolint:misspell // the specification's field name
	Hash              *string         `json:"hash,omitempty"`
	CreatedAt         *time.Time      `json:"created_at,omitempty"`
	UpdatedAt         *time.Time      `json:"updated_at,omitempty"`
}

// StatusRecord is an appointment status update as logged.
type StatusRecord struct {
	CareQID   int64      `json:"careq_id"`
	ClinicID  string     `json:"clinic_id"`
	Status    string     `json:"status,omitempty"`
	Notes     *string    `json:"notes,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// CancelRecord is an appointment cancellation as logged; the reason is free
// text (kept only with --keep-free-text).
type CancelRecord struct {
	CareQID            int64      `json:"careq_id"`
	ClinicID           string     `json:"clinic_id"`
	CancellationReason *string    `json:"cancellation_reason,omitempty"`
	CancelledBy        *string    `json:"cancelled_by,omitempty"`
	CancelledAt        *time.Time `json:"cancelled_at,omitempty"`
}
