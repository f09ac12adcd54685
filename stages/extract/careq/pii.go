package careq

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"carelake/schemas"
)

// Pseudonymiser turns identifying values into keyed pseudonyms and builds the
// sanitised payloads that are logged. It is safe for concurrent use.
//
// A pseudonym is the lower-case hex HMAC-SHA256, under CARELAKE_PII_KEY, of
// "<kind>:<normalised value>", kind being email, phone or aadhaar:
//
//   - email: trimmed and lower-cased;
//   - phone: digits only, then an Indian country code (91, 12 digits) or trunk
//     zero (0, 11 digits) removed, so 09876543210, +91 98765 43210 and
//     9876543210 share one pseudonym;
//   - aadhaar: digits only.
//
// The same person therefore has the same pseudonym in every call, every
// table and every clinic, so analysts can join on it, while nobody without the
// key can test a guessed number against it.
type Pseudonymiser struct {
	key          []byte
	keepFreeText bool
}

// NewPseudonymiser returns a pseudonymiser with key (CARELAKE_PII_KEY). With
// keepFreeText, free-text fields (notes, prescriptions, custom fields,
// referrals, cancellation reasons) are kept verbatim: an operator's privacy
// decision, as they may name people or conditions.
func NewPseudonymiser(key []byte, keepFreeText bool) *Pseudonymiser {
	return &Pseudonymiser{key: append([]byte(nil), key...), keepFreeText: keepFreeText}
}

// Pseudonym returns the pseudonym of an already normalised value.
func (p *Pseudonymiser) Pseudonym(kind, normalised string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(kind))
	m.Write([]byte{':'})
	m.Write([]byte(normalised))
	return hex.EncodeToString(m.Sum(nil))
}

// Email returns the pseudonym of an e-mail address.
func (p *Pseudonymiser) Email(s string) string {
	return p.Pseudonym("email", strings.ToLower(strings.TrimSpace(s)))
}

// Phone returns the pseudonym of a phone number, or "" when it has no digits.
func (p *Pseudonymiser) Phone(s string) string {
	d := NormalisePhone(s)
	if d == "" {
		return ""
	}
	return p.Pseudonym("phone", d)
}

// Aadhaar returns the pseudonym of an Aadhaar number.
func (p *Pseudonymiser) Aadhaar(s string) string { return p.Pseudonym("aadhaar", digits(s)) }

// MaskAadhaar keeps only the last four digits: "XXXX XXXX 1234".
func MaskAadhaar(s string) string {
	d := digits(s)
	if len(d) < 4 {
		return "XXXX XXXX XXXX"
	}
	return "XXXX XXXX " + d[len(d)-4:]
}

// NormalisePhone keeps the digits and drops an Indian country code or trunk
// zero from an otherwise 10-digit number.
func NormalisePhone(s string) string {
	d := digits(s)
	switch {
	case len(d) == 12 && strings.HasPrefix(d, "91"):
		return d[2:]
	case len(d) == 11 && d[0] == '0':
		return d[1:]
	}
	return d
}

func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// contentMAC is a keyed digest of a whole payload as received (before
// sanitising), so two versions of a record can be compared without keeping
// the personal data: 32 hex digits.
func (p *Pseudonymiser) contentMAC(v any) string {
	b, _ := json.Marshal(v) // the schemas types always marshal
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte("content:"))
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Sanitised payloads: what the durable log keeps of each call. These types
// are part of the log format (see the package documentation).

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

func (p *Pseudonymiser) free(s *string) *string {
	if p.keepFreeText {
		return s
	}
	return nil
}

func (p *Pseudonymiser) optional(s *string, fn func(string) string) string {
	if s == nil || *s == "" {
		return ""
	}
	return fn(*s)
}

// Sanitise returns the logged form of a decoded payload (*schemas.CareQPatient
// and the other schemas.CareQ* record types).
func (p *Pseudonymiser) Sanitise(v any) any {
	switch x := v.(type) {
	case *schemas.CareQPatient:
		r := &PatientRecord{
			CareQID: x.CareQID, ClinicID: x.ClinicID,
			EmailPseudonym: p.optional(x.Email, p.Email),
			PhonePseudonym: p.optional(&x.PhoneNumber, p.Phone),
			Gender:         x.Gender, City: x.City, State: x.State, ZipCode: x.ZipCode,
			CustomField1: p.free(x.CustomField1), CustomField2: p.free(x.CustomField2),
			CustomField3: p.free(x.CustomField3), CustomField4: p.free(x.CustomField4),
			CustomField5: p.free(x.CustomField5), Notes: p.free(x.Notes),
			Timezone: x.Timezone, Language: x.Language, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt,
		}
		if x.DateOfBirth != nil && len(*x.DateOfBirth) >= 4 {
			if y, err := strconv.Atoi((*x.DateOfBirth)[:4]); err == nil {
				r.BirthYear = &y
			}
		}
		if x.AadharNumber != nil && *x.AadharNumber != "" {
			r.AadhaarPseudonym = p.Aadhaar(*x.AadharNumber)
			r.AadhaarMasked = MaskAadhaar(*x.AadharNumber)
		}
		return r
	case *schemas.CareQDoctor:
		return &DoctorRecord{
			CareQID: x.CareQID, ClinicID: x.ClinicID, FirstName: x.FirstName, LastName: x.LastName,
			EmailPseudonym:  p.optional(x.Email, p.Email),
			PhonePseudonym:  p.optional(x.PhoneNumber, p.Phone),
			MobilePseudonym: p.optional(x.MobileNumber, p.Phone),
			City:            x.City, State: x.State, ZipCode: x.ZipCode, Specialisation: x.Specialisation,
			Notes: p.free(x.Notes), IsPrivate: x.IsPrivate, Timezone: x.Timezone, Language: x.Language,
			CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt,
		}
	case *schemas.CareQService:
		return x
	case *schemas.CareQAppointment:
		r := &AppointmentRecord{
			CareQID: x.CareQID, ClinicID: x.ClinicID, PatientCareQID: x.PatientCareQID,
			DoctorCareQID: x.DoctorCareQID, ServiceCareQID: x.ServiceCareQID,
			BookDatetime: nonZero(x.BookDatetime), StartDatetime: nonZero(x.StartDatetime),
			EndDatetime: nonZero(x.EndDatetime), Status: x.Status, Location: x.Location,
			Notes: p.free(x.Notes), ReferredBy: p.free(x.ReferredBy),
			ReferredByAddress: p.free(x.ReferredByAddress), Colour: x.Colour, Hash: x.Hash,
			CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt,
		}
		if p.keepFreeText {
			r.Prescription = x.Prescription
		}
		return r
	case *schemas.CareQAppointmentStatus:
		return &StatusRecord{CareQID: x.CareQID, ClinicID: x.ClinicID, Status: x.Status,
			Notes: p.free(x.Notes), UpdatedAt: x.UpdatedAt}
	case *schemas.CareQAppointmentCancel:
		return &CancelRecord{CareQID: x.CareQID, ClinicID: x.ClinicID,
			CancellationReason: p.free(x.CancellationReason), CancelledBy: x.CancelledBy, CancelledAt: x.CancelledAt}
	}
	return nil
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
