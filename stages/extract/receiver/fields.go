package receiver

import (
	"fmt"
	"strings"

	"carelake/schemas"
)

// What the receiver does with a field before it reaches the durable log
// (and so the warehouse): StorageRule.Rule.
const (
	// RuleKept: stored as sent (once it passed the field rules).
	RuleKept = "kept"
	// RulePseudonymised: stored as a keyed pseudonym (Pseudonymiser), never
	// as sent; Aadhaar numbers also masked to their last four digits.
	RulePseudonymised = "pseudonymised"
	// RuleReduced: stored coarser than sent (date of birth as the year).
	RuleReduced = "reduced"
	// RuleDropped: never stored.
	RuleDropped = "dropped"
	// RuleFreeText: text about a patient, dropped unless the operator
	// passes --keep-free-text (then kept).
	RuleFreeText = "free text"
)

// BatchEnvelope is the StorageRule.Type of the batch call's own fields.
const BatchEnvelope = "batch"

// StorageRule is the rule of one field of a CareQ payload, and why.
type StorageRule struct {
	Type  string // a schemas.CareQ*Type, or BatchEnvelope
	Field string // the field's JSON name
	Rule  string // RuleKept, RulePseudonymised, RuleReduced, RuleDropped or RuleFreeText
	Why   string
}

// Reasons shared by many fields.
const (
	whyKey       = "identifies the record or its clinic, needed to apply it"
	whyTime      = "orders versions and dates events; says nothing about a person"
	whyPlace     = "coarse place, for analysis by area; no street address"
	whyPrefs     = "the person's settings, not who they are"
	whyPatText   = "free text about a patient: may name people or conditions"
	whyClinic    = "the clinic's own description of its service, for analysts"
	whyJoinable  = "lets analysts count and join people across calls without knowing them"
	whyName      = "names a person; analysts never need it"
	whyVocab     = "a value from the specification's list"
	whyOwnNumber = "the clinic's own figures"
)

// StorageRules is every field of every CareQ payload and what becomes of it;
// the package documentation shows it (StorageRulesText), and a test generated
// from it puts a phone number, an e-mail address and a full name into each
// field and checks the log and the warehouse against the rule.
var StorageRules = []StorageRule{
	{schemas.CareQPatientType, "careq_id", RuleKept, whyKey},
	{schemas.CareQPatientType, "clinic_id", RuleKept, whyKey},
	{schemas.CareQPatientType, "first_name", RuleDropped, whyName},
	{schemas.CareQPatientType, "last_name", RuleDropped, whyName},
	{schemas.CareQPatientType, "email", RulePseudonymised, whyJoinable},
	{schemas.CareQPatientType, "phone_number", RulePseudonymised, whyJoinable},
	{schemas.CareQPatientType, "date_of_birth", RuleReduced, "the birth year is enough for age bands"},
	{schemas.CareQPatientType, "gender", RuleKept, whyVocab},
	{schemas.CareQPatientType, "address", RuleDropped, "a street address identifies a household"},
	{schemas.CareQPatientType, "city", RuleKept, whyPlace},
	{schemas.CareQPatientType, "state", RuleKept, whyPlace},
	{schemas.CareQPatientType, "zip_code", RuleKept, whyPlace},
	{schemas.CareQPatientType, "aadhar_number", RulePseudonymised, whyJoinable + "; masked XXXX XXXX 1234 for support"},
	{schemas.CareQPatientType, "spouse_name", RuleDropped, whyName},
	{schemas.CareQPatientType, "father_name", RuleDropped, whyName},
	{schemas.CareQPatientType, "custom_field_1", RuleFreeText, whyPatText},
	{schemas.CareQPatientType, "custom_field_2", RuleFreeText, whyPatText},
	{schemas.CareQPatientType, "custom_field_3", RuleFreeText, whyPatText},
	{schemas.CareQPatientType, "custom_field_4", RuleFreeText, whyPatText},
	{schemas.CareQPatientType, "custom_field_5", RuleFreeText, whyPatText},
	{schemas.CareQPatientType, "notes", RuleFreeText, whyPatText},
	{schemas.CareQPatientType, "timezone", RuleKept, whyPrefs},
	{schemas.CareQPatientType, "language", RuleKept, whyPrefs},
	{schemas.CareQPatientType, "created_at", RuleKept, whyTime},
	{schemas.CareQPatientType, "updated_at", RuleKept, whyTime},

	{schemas.CareQDoctorType, "careq_id", RuleKept, whyKey},
	{schemas.CareQDoctorType, "clinic_id", RuleKept, whyKey},
	{schemas.CareQDoctorType, "first_name", RuleKept, "a doctor's professional name: analysts report by doctor"},
	{schemas.CareQDoctorType, "last_name", RuleKept, "a doctor's professional name: analysts report by doctor"},
	{schemas.CareQDoctorType, "email", RulePseudonymised, whyJoinable},
	{schemas.CareQDoctorType, "phone_number", RulePseudonymised, whyJoinable},
	{schemas.CareQDoctorType, "mobile_number", RulePseudonymised, whyJoinable},
	{schemas.CareQDoctorType, "address", RuleDropped, "a street address identifies a household"},
	{schemas.CareQDoctorType, "city", RuleKept, whyPlace},
	{schemas.CareQDoctorType, "state", RuleKept, whyPlace},
	{schemas.CareQDoctorType, "zip_code", RuleKept, whyPlace},
	{schemas.CareQDoctorType, "specialization", RuleKept, "the doctor's field of practice, for analysts"}, //nolint:misspell // the specification's field name
	{schemas.CareQDoctorType, "notes", RuleFreeText, "free text: may be about patients"},
	{schemas.CareQDoctorType, "is_private", RuleKept, whyVocab},
	{schemas.CareQDoctorType, "timezone", RuleKept, whyPrefs},
	{schemas.CareQDoctorType, "language", RuleKept, whyPrefs},
	{schemas.CareQDoctorType, "created_at", RuleKept, whyTime},
	{schemas.CareQDoctorType, "updated_at", RuleKept, whyTime},

	{schemas.CareQServiceType, "careq_id", RuleKept, whyKey},
	{schemas.CareQServiceType, "clinic_id", RuleKept, whyKey},
	{schemas.CareQServiceType, "name", RuleKept, whyClinic},
	{schemas.CareQServiceType, "duration", RuleKept, whyOwnNumber},
	{schemas.CareQServiceType, "price", RuleKept, whyOwnNumber},
	{schemas.CareQServiceType, "currency", RuleKept, whyOwnNumber},
	{schemas.CareQServiceType, "description", RuleKept, whyClinic},
	{schemas.CareQServiceType, "location", RuleKept, "the clinic's room or site, for analysts"},
	{schemas.CareQServiceType, "color", RuleKept, "the clinic's calendar colour"}, //nolint:misspell // the specification's field name
	{schemas.CareQServiceType, "category", RuleKept, whyClinic},
	{schemas.CareQServiceType, "is_private", RuleKept, whyVocab},
	{schemas.CareQServiceType, "created_at", RuleKept, whyTime},
	{schemas.CareQServiceType, "updated_at", RuleKept, whyTime},

	{schemas.CareQAppointmentType, "careq_id", RuleKept, whyKey},
	{schemas.CareQAppointmentType, "clinic_id", RuleKept, whyKey},
	{schemas.CareQAppointmentType, "patient_careq_id", RuleKept, "CareQ's key of the patient: joins to the pseudonymised patient"},
	{schemas.CareQAppointmentType, "doctor_careq_id", RuleKept, whyKey},
	{schemas.CareQAppointmentType, "service_careq_id", RuleKept, whyKey},
	{schemas.CareQAppointmentType, "book_datetime", RuleKept, whyTime},
	{schemas.CareQAppointmentType, "start_datetime", RuleKept, whyTime},
	{schemas.CareQAppointmentType, "end_datetime", RuleKept, whyTime},
	{schemas.CareQAppointmentType, "status", RuleKept, whyVocab},
	{schemas.CareQAppointmentType, "location", RuleKept, "the clinic's room or site, for analysts"},
	{schemas.CareQAppointmentType, "notes", RuleFreeText, whyPatText},
	{schemas.CareQAppointmentType, "prescription", RuleFreeText, whyPatText},
	{schemas.CareQAppointmentType, "referred_by", RuleFreeText, "names a referrer"},
	{schemas.CareQAppointmentType, "referred_by_address", RuleFreeText, "a referrer's address"},
	{schemas.CareQAppointmentType, "color", RuleKept, "the clinic's calendar colour"}, //nolint:misspell // the specification's field name
	{schemas.CareQAppointmentType, "hash", RuleKept, "CareQ's token for the booking: finds duplicates, matches CareQ's own records"},
	{schemas.CareQAppointmentType, "created_at", RuleKept, whyTime},
	{schemas.CareQAppointmentType, "updated_at", RuleKept, whyTime},

	{schemas.CareQAppointmentStatusType, "careq_id", RuleKept, whyKey},
	{schemas.CareQAppointmentStatusType, "clinic_id", RuleKept, whyKey},
	{schemas.CareQAppointmentStatusType, "status", RuleKept, whyVocab},
	{schemas.CareQAppointmentStatusType, "notes", RuleFreeText, whyPatText},
	{schemas.CareQAppointmentStatusType, "updated_at", RuleKept, whyTime},

	{schemas.CareQAppointmentCancelType, "careq_id", RuleKept, whyKey},
	{schemas.CareQAppointmentCancelType, "clinic_id", RuleKept, whyKey},
	{schemas.CareQAppointmentCancelType, "cancellation_reason", RuleFreeText, whyPatText},
	{schemas.CareQAppointmentCancelType, "cancelled_by", RuleKept, "who cancelled (patient, clinic, ...), for analysts"},
	{schemas.CareQAppointmentCancelType, "cancelled_at", RuleKept, whyTime},

	{BatchEnvelope, "clinic_id", RuleKept, whyKey},
	{BatchEnvelope, "batch_id", RuleKept, "CareQ's name for the batch, to trace a delivery"},
	{BatchEnvelope, "records", RuleKept, "each record by the rules of its type"},
}

// StorageRulesText renders StorageRules as the package documentation shows them.
func StorageRulesText() string {
	var b strings.Builder
	for _, r := range StorageRules {
		fmt.Fprintf(&b, "%-38s %-14s %s\n", r.Type+"."+r.Field, r.Rule, r.Why)
	}
	return b.String()
}
