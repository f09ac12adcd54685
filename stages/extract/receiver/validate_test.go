package receiver

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"carelake/internal/testkit"
	"carelake/schemas"
)

const specPatient = `{
  "careq_id": 12345, "clinic_id": "clinic_abc", "first_name": "John", "last_name": "Doe",
  "email": "john.doe@example.com", "phone_number": "9876543210", "date_of_birth": "1990-05-15",
  "gender": "male", "address": "123 Main Street", "city": "Mumbai", "state": "Maharashtra",
  "zip_code": "400001", "aadhar_number": "1234-5678-9012", "spouse_name": "Jane Doe",
  "father_name": "Robert Doe", "custom_field_1": "Blood Group: O+", "custom_field_2": "Allergies: None",
  "custom_field_3": null, "custom_field_4": null, "custom_field_5": null,
  "notes": "Regular patient, prefers morning appointments", "timezone": "Asia/Kolkata",
  "language": "en-US", "created_at": "2025-12-10T10:00:00Z", "updated_at": "2025-12-10T10:00:00Z"}`

//nolint:misspell // the specification's wire names
const specAppointment = `{
  "careq_id": 10001, "clinic_id": "clinic_abc", "patient_careq_id": 12345, "doctor_careq_id": 456,
  "service_careq_id": 789, "book_datetime": "2025-12-10T10:00:00Z", "start_datetime": "2025-12-15T14:00:00Z",
  "end_datetime": "2025-12-15T14:30:00Z", "status": "booked", "location": "Consultation Room 1",
  "notes": "Patient has back pain", "prescription": null, "referred_by": "Dr. Kumar",
  "referred_by_address": "City Hospital, Mumbai", "color": "#3498db", "hash": "abc123def456",
  "created_at": "2025-12-10T10:00:00Z", "updated_at": "2025-12-10T10:00:00Z"}`

//nolint:misspell // the specification's wire names
const specService = `{"careq_id": 789, "clinic_id": "clinic_abc", "name": "General Consultation",
  "duration": 30, "price": 500.00, "currency": "INR", "description": "General medical consultation and check-up",
  "location": "Consultation Room 1", "color": "#3498db", "category": "Consultation", "is_private": false,
  "created_at": "2025-12-10T08:00:00Z", "updated_at": "2025-12-10T08:00:00Z"}`

// set returns a JSON object with fields replaced; a nil value deletes.
func set(t *testing.T, body string, kv ...any) []byte {
	t.Helper()
	return []byte(testkit.SetJSON(t, body, kv...))
}

func TestSpecificationExamplesDecode(t *testing.T) {
	//nolint:misspell // the specification's wire names
	for typ, body := range map[string]string{
		schemas.CareQPatientType: specPatient, schemas.CareQAppointmentType: specAppointment, schemas.CareQServiceType: specService,
		schemas.CareQAppointmentStatusType: `{"careq_id": 10001, "clinic_id": "clinic_abc", "status": "completed",
			"notes": "Appointment completed successfully", "updated_at": "2025-12-15T15:00:00Z"}`,
		schemas.CareQAppointmentCancelType: `{"careq_id": 10001, "clinic_id": "clinic_abc", "cancellation_reason": "Patient unavailable",
			"cancelled_by": "patient", "cancelled_at": "2025-12-12T10:00:00Z"}`,
		schemas.CareQDoctorType: `{"careq_id": 456, "clinic_id": "clinic_abc", "first_name": "Dr. Sarah", "last_name": "Smith",
			"email": "dr.sarah@clinic.com", "phone_number": "9123456789", "mobile_number": "9123456789",
			"address": "456 Medical Plaza", "city": "Mumbai", "state": "Maharashtra", "zip_code": "400002",
			"timezone": "Asia/Kolkata", "language": "en-US", "specialization": "Cardiology",
			"notes": "Available Mon-Fri, 9 AM - 5 PM", "is_private": false,
			"created_at": "2025-12-10T09:00:00Z", "updated_at": "2025-12-10T09:00:00Z"}`,
	} {
		v, errs, err := DecodeCareQ(typ, []byte(body))
		if err != nil || len(errs) > 0 {
			t.Errorf("%s: %v %v", typ, err, errs)
			continue
		}
		if typ == schemas.CareQPatientType {
			p := v.(*schemas.CareQPatient)
			if p.CareQID != 12345 || *p.AadharNumber != "1234-5678-9012" || p.CustomField3 != nil || p.UpdatedAt.Hour() != 10 {
				t.Errorf("patient decoded as %+v", p)
			}
		}
		if typ == schemas.CareQServiceType {
			if s := v.(*schemas.CareQService); s.Price.String() != "500.00" || s.Duration != 30 {
				t.Errorf("service decoded as %+v", s)
			}
		}
	}
	// The specification's "Test Patient": no timestamps, still valid.
	_, errs, err := DecodeCareQ(schemas.CareQPatientType, []byte(`{"careq_id": 99999, "clinic_id": "test_clinic",
		"first_name": "Test", "last_name": "Patient", "phone_number": "9999999999", "email": "test@example.com"}`))
	if err != nil || len(errs) > 0 {
		t.Errorf("test patient: %v %v", err, errs)
	}
}

func TestFieldRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	//nolint:misspell // the specification's wire names
	for _, tc := range []struct {
		name  string
		typ   string
		body  []byte
		field string
		msg   string // "" = valid
	}{
		{"careq_id string", schemas.CareQPatientType, set(t, specPatient, "careq_id", "12345"), "careq_id", "must be an integer"},
		{"careq_id float", schemas.CareQPatientType, set(t, specPatient, "careq_id", json.Number("1.5")), "careq_id", "must be an integer"},
		{"careq_id 1e3", schemas.CareQPatientType, set(t, specPatient, "careq_id", json.Number("1e3")), "careq_id", "must be an integer"},
		{"careq_id zero", schemas.CareQPatientType, set(t, specPatient, "careq_id", 0), "careq_id", "must be a positive integer"},
		{"careq_id overflow", schemas.CareQPatientType, set(t, specPatient, "careq_id", json.Number("99999999999999999999")), "careq_id", "must be an integer"},
		{"careq_id missing", schemas.CareQPatientType, set(t, specPatient, "careq_id", nil), "careq_id", "is required"},
		{"first_name empty", schemas.CareQPatientType, set(t, specPatient, "first_name", " "), "first_name", "must not be empty"},
		{"first_name 256", schemas.CareQPatientType, set(t, specPatient, "first_name", long(256)), "", ""},
		{"first_name 257", schemas.CareQPatientType, set(t, specPatient, "first_name", long(257)), "first_name", "must be at most 256 characters"},
		{"name counts characters", schemas.CareQPatientType, set(t, specPatient, "first_name", strings.Repeat("ä", 256)), "", ""},
		{"clinic_id 101", schemas.CareQPatientType, set(t, specPatient, "clinic_id", long(101)), "clinic_id", "must be at most 100 characters"},
		{"phone 9 digits", schemas.CareQPatientType, set(t, specPatient, "phone_number", "987654321"), "phone_number", "Phone number must be 10 digits"},
		{"phone letters", schemas.CareQPatientType, set(t, specPatient, "phone_number", "98765abcde"), "phone_number", "Phone number must be 10 digits"},
		{"phone number type", schemas.CareQPatientType, set(t, specPatient, "phone_number", 9876543210), "phone_number", "must be a string"},
		{"email", schemas.CareQPatientType, set(t, specPatient, "email", "john@"), "email", "Email format is invalid"},
		{"email display name", schemas.CareQPatientType, set(t, specPatient, "email", "John <j@example.com>"), "email", "Email format is invalid"},
		{"email no dot", schemas.CareQPatientType, set(t, specPatient, "email", "j@localhost"), "email", "Email format is invalid"},
		{"email null", schemas.CareQPatientType, set(t, specPatient, "email", json.RawMessage("null")), "", ""},
		{"dob format", schemas.CareQPatientType, set(t, specPatient, "date_of_birth", "15-05-1990"), "date_of_birth", "must be a date in the format YYYY-MM-DD"},
		{"dob impossible", schemas.CareQPatientType, set(t, specPatient, "date_of_birth", "1990-02-30"), "date_of_birth", "must be a date in the format YYYY-MM-DD"},
		{"gender", schemas.CareQPatientType, set(t, specPatient, "gender", "Male"), "gender", "must be one of male, female, other"},
		{"aadhaar 11 digits", schemas.CareQPatientType, set(t, specPatient, "aadhar_number", "1234 5678 901"), "aadhar_number", "Aadhaar number must be 12 digits (spaces and hyphens allowed)"},
		{"aadhaar spaces", schemas.CareQPatientType, set(t, specPatient, "aadhar_number", "2341 2341 2346"), "", ""},
		{"zip 11", schemas.CareQPatientType, set(t, specPatient, "zip_code", long(11)), "zip_code", "must be at most 10 characters"},
		{"language 11", schemas.CareQPatientType, set(t, specPatient, "language", long(11)), "language", "must be at most 10 characters"},
		{"updated_at no offset", schemas.CareQPatientType, set(t, specPatient, "updated_at", "2025-12-10T10:00:00"), "updated_at", "must be an ISO 8601 date and time with an offset, like 2025-12-10T10:00:00Z"},
		{"updated_at offset", schemas.CareQPatientType, set(t, specPatient, "updated_at", "2025-12-10T15:30:00+05:30"), "", ""},
		{"updated_at fraction", schemas.CareQPatientType, set(t, specPatient, "updated_at", "2025-12-10T10:00:00.123Z"), "", ""},
		{"notes object", schemas.CareQPatientType, set(t, specPatient, "notes", map[string]any{"a": 1}), "notes", "must be a string"},
		{"unknown field ignored", schemas.CareQPatientType, set(t, specPatient, "favourite_colour", "blue"), "", ""},
		{"appointment status", schemas.CareQAppointmentType, set(t, specAppointment, "status", "done"), "status", "must be one of booked, confirmed, cancelled, completed, no-show, rescheduled"},
		{"appointment no-show", schemas.CareQAppointmentType, set(t, specAppointment, "status", "no-show"), "", ""},
		{"appointment end before start", schemas.CareQAppointmentType, set(t, specAppointment, "end_datetime", "2025-12-15T13:00:00Z"), "end_datetime", "must not be before start_datetime"},
		{"appointment colour", schemas.CareQAppointmentType, set(t, specAppointment, "color", "blue"), "color", "must be a hex colour like #3498db"},
		{"appointment colour #abc", schemas.CareQAppointmentType, set(t, specAppointment, "color", "#abc"), "", ""},
		{"prescription object", schemas.CareQAppointmentType, set(t, specAppointment, "prescription", map[string]any{"drug": "x"}), "", ""},
		{"prescription number", schemas.CareQAppointmentType, set(t, specAppointment, "prescription", 5), "prescription", "must be a string"},
		{"patient fk string", schemas.CareQAppointmentType, set(t, specAppointment, "patient_careq_id", "12345"), "patient_careq_id", "must be an integer"},
		{"book_datetime missing", schemas.CareQAppointmentType, set(t, specAppointment, "book_datetime", nil), "book_datetime", "is required"},
		{"hash 513", schemas.CareQAppointmentType, set(t, specAppointment, "hash", long(513)), "hash", "must be at most 512 characters"},
		{"price string", schemas.CareQServiceType, set(t, specService, "price", "500"), "price", "must be a number"},
		{"price negative", schemas.CareQServiceType, set(t, specService, "price", -1), "price", "must not be negative"},
		{"price too precise", schemas.CareQServiceType, set(t, specService, "price", 12.34567), "price", "must have at most 14 digits before the decimal point and 4 after"},
		{"price too large", schemas.CareQServiceType, set(t, specService, "price", 1e15), "price", "must have at most 14 digits before the decimal point and 4 after"},
		{"duration zero", schemas.CareQServiceType, set(t, specService, "duration", 0), "duration", "must be a positive integer"},
		{"is_private string", schemas.CareQServiceType, set(t, specService, "is_private", "false"), "is_private", "must be true or false"},
		{"colour 8", schemas.CareQServiceType, set(t, specService, "color", "#3498dbx"), "color", "must be at most 7 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, err := DecodeCareQ(tc.typ, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.msg == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors %v", errs)
				}
				return
			}
			if len(errs) != 1 || len(errs[tc.field]) != 1 || errs[tc.field][0] != tc.msg {
				t.Fatalf("errors %v, want %s: %q", errs, tc.field, tc.msg)
			}
		})
	}
}

func TestNotAnObject(t *testing.T) {
	for _, b := range []string{``, `[]`, `"x"`, `{`, `{"a":1}x`, `{"a":1}{}`, "{\"a\":\"\xff\"}", `null`} {
		if _, _, err := DecodeCareQ(schemas.CareQPatientType, []byte(b)); err == nil {
			t.Errorf("%q accepted as an object", b)
		}
	}
	if _, _, err := DecodeCareQ(schemas.CareQPatientType, []byte(" {} \n")); err != nil {
		t.Errorf("white space around an object: %v", err)
	}
}

// Only valid fields are decoded, so a 422 can still be logged sanitised.
func TestInvalidFieldsAreLeftOut(t *testing.T) {
	v, errs, err := DecodeCareQ(schemas.CareQPatientType, set(t, specPatient, "email", "bad", "phone_number", "1"))
	if err != nil || len(errs) != 2 {
		t.Fatalf("%v %v", err, errs)
	}
	p := v.(*schemas.CareQPatient)
	if p.Email != nil || p.PhoneNumber != "" || p.FirstName != "John" {
		t.Fatalf("decoded %+v", p)
	}
}

func TestBatchEnvelope(t *testing.T) {
	b, errs, err := DecodeCareQBatch([]byte(`{"clinic_id": "c", "batch_id": "b1", "records": [
		{"type": "patient", "data": {"careq_id": 1}}, 5, {"type": 7}]}`))
	if err != nil || len(errs) > 0 {
		t.Fatalf("%v %v", err, errs)
	}
	if len(b.Records) != 3 || b.Records[0].Type != "patient" || b.Records[1].Type != "" || b.Records[2].Type != "" || *b.BatchID != "b1" {
		t.Fatalf("%+v", b)
	}
	many := `{"clinic_id": "c", "records": [` + strings.Repeat(`{},`, schemas.CareQMaxBatchRecords) + `{}]}`
	if _, errs, _ := DecodeCareQBatch([]byte(many)); len(errs["records"]) != 1 {
		t.Fatalf("%d records accepted: %v", schemas.CareQMaxBatchRecords+1, errs)
	}
	if _, errs, _ := DecodeCareQBatch([]byte(`{"records": "x"}`)); len(errs["records"]) != 1 || len(errs["clinic_id"]) != 1 {
		t.Fatalf("%v", errs)
	}
}

func TestUnknownType(t *testing.T) {
	if _, _, err := DecodeCareQObject("invoice", map[string]json.RawMessage{}); err == nil {
		t.Fatal("unknown type accepted")
	}
	if _, _, err := DecodeCareQ(schemas.CareQPatientType, []byte(`{"careq_id": 1}`)); errors.Is(err, ErrCareQNotObject) {
		t.Fatal(err)
	}
}

// FuzzDecodeCareQ: no input panics, and whatever passes validation really
// obeys the rules the receiver relies on.
func FuzzDecodeCareQ(f *testing.F) {
	types := []string{schemas.CareQPatientType, schemas.CareQDoctorType, schemas.CareQServiceType, schemas.CareQAppointmentType,
		schemas.CareQAppointmentStatusType, schemas.CareQAppointmentCancelType}
	f.Add(uint8(0), []byte(specPatient))
	f.Add(uint8(3), []byte(specAppointment))
	f.Add(uint8(2), []byte(specService))
	f.Add(uint8(4), []byte(`{"careq_id": 1, "clinic_id": "c", "status": "no-show"}`))
	f.Add(uint8(5), []byte(`{"careq_id": -0, "clinic_id": null}`))
	f.Add(uint8(0), []byte(`{"careq_id": 1e400, "phone_number": "١٢٣٤٥٦٧٨٩٠"}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		typ := types[int(which)%len(types)]
		v, errs, err := DecodeCareQ(typ, body)
		if err != nil {
			return
		}
		if v == nil || errs == nil {
			t.Fatal("nil value or errors without an error")
		}
		if len(errs) > 0 {
			return
		}
		switch x := v.(type) {
		case *schemas.CareQPatient:
			if x.CareQID <= 0 || len(x.PhoneNumber) != 10 || strings.Trim(x.PhoneNumber, "0123456789") != "" ||
				x.ClinicID == "" || utf8.RuneCountInString(x.FirstName) > 256 {
				t.Fatalf("invalid patient accepted: %+v", x)
			}
			if x.Email != nil && *x.Email != "" && CheckEmail(*x.Email) != "" {
				t.Fatalf("bad email accepted: %q", *x.Email)
			}
		case *schemas.CareQAppointment:
			if x.CareQID <= 0 || x.PatientCareQID <= 0 || x.EndDatetime.Before(x.StartDatetime) {
				t.Fatalf("invalid appointment accepted: %+v", x)
			}
			ok := false
			for _, s := range schemas.CareQAppointmentStatuses {
				ok = ok || s == x.Status
			}
			if !ok {
				t.Fatalf("status %q accepted", x.Status)
			}
		case *schemas.CareQService:
			if x.Duration <= 0 {
				t.Fatalf("duration %d accepted", x.Duration)
			}
			if x.Price != nil {
				if p, err := strconv.ParseFloat(x.Price.String(), 64); err != nil || p < 0 {
					t.Fatalf("price %q accepted", x.Price)
				}
			}
		}
	})
}

// FuzzSplitObject: the hand-written splitter agrees with encoding/json on
// every valid JSON object (keys, escaped keys, repeated keys, nesting).
func FuzzSplitObject(f *testing.F) {
	for _, s := range []string{specPatient, `{}`, ` { "a" : [1, {"b": "}"}], "c\"d": "x\\"y", "a": null } `,
		`{"k":"\u00e9","k2":{"x":[[]]},"n":-1.5e3,"t":true}`, `{"a":"]}","b":"\\\\"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want map[string]json.RawMessage
		if !json.Valid(b) || json.Unmarshal(b, &want) != nil || want == nil || !utf8.Valid(b) {
			return
		}
		got, err := ParseCareQObject(b)
		if err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, encoding/json %d", b, len(got), len(want))
		}
		for k, v := range want {
			if string(got[k]) != string(v) {
				t.Fatalf("%q: member %q = %q, encoding/json %q", b, k, got[k], v)
			}
		}
	})
}
