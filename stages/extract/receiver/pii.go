package receiver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"carelake/schemas"
	"carelake/schemas/careqlog"
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
		r := &careqlog.PatientRecord{
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
		return &careqlog.DoctorRecord{
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
		r := &careqlog.AppointmentRecord{
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
		return &careqlog.StatusRecord{CareQID: x.CareQID, ClinicID: x.ClinicID, Status: x.Status,
			Notes: p.free(x.Notes), UpdatedAt: x.UpdatedAt}
	case *schemas.CareQAppointmentCancel:
		return &careqlog.CancelRecord{CareQID: x.CareQID, ClinicID: x.ClinicID,
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
