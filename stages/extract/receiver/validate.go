package receiver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"carelake/schemas"
)

// Validation of the CareQ payloads (schemas.CareQPatient and the others).
//
// Field rules follow the specification's field tables. Where the tables and
// the TypeScript models disagree, the tables win, because the specification's
// own "Test Patient" omits created_at and updated_at: both are optional
// everywhere. Decisions the specification leaves open:
//
//   - A JSON null counts as absent (the examples send "custom_field_3": null);
//     a null required field is "is required".
//   - Integers must be JSON integers (12345, not "12345" or 12345.0); CareQ IDs
//     and durations must be positive.
//   - Max lengths count Unicode characters, not bytes.
//   - ISO 8601 timestamps must carry an offset (RFC 3339: 2025-12-10T10:00:00Z
//     or +05:30): a timestamp without one is ambiguous.
//   - Patient phone_number is exactly 10 ASCII digits; doctor phone and mobile
//     numbers are free-form up to 128 characters.
//   - aadhar_number (the specification's spelling) must hold 12 digits once
//     spaces and hyphens are removed; no checksum, as the specification's own
//     example 1234-5678-9012 would fail the Verhoeff check.
//   - Colours are #RGB or #RRGGBB.
//   - Appointment and status values: booked, confirmed, cancelled, completed,
//     no-show, rescheduled (the model's list, a superset of the table's).
//   - An appointment's end_datetime may not be before its start_datetime.
//   - Unknown fields are ignored (and not logged: they could hold anything).

// FieldKind is the JSON shape a CareQ field must have.
type FieldKind int

// The field kinds of the specification's tables.
const (
	KindString     FieldKind = iota // JSON string
	KindText                        // JSON string, no length limit ("text")
	KindInteger                     // JSON integer that fits int64
	KindDecimal                     // JSON number
	KindBool                        // JSON true/false
	KindDate                        // string YYYY-MM-DD
	KindDateTime                    // string, RFC 3339 with offset
	KindTextOrJSON                  // string or JSON object/array ("text/json")
	KindObject                      // JSON object
	KindArray                       // JSON array
)

// FieldRule is one row of a specification field table.
type FieldRule struct {
	Name     string
	Kind     FieldKind
	Required bool
	// MaxLen limits strings, in characters; 0 means no limit.
	MaxLen int
	// Positive requires an integer or decimal above zero (decimals: >= 0).
	Positive bool
	// Enum lists the accepted values of a string, if restricted.
	Enum []string
	// Format checks a string further; it returns a message or "".
	Format func(string) string
}

// ErrCareQNotObject means a body or batch record is not a JSON object.
var ErrCareQNotObject = errors.New("not a JSON object")

func str(name string, required bool, maxLen int) FieldRule {
	return FieldRule{Name: name, Kind: KindString, Required: required, MaxLen: maxLen}
}

func text(name string) FieldRule { return FieldRule{Name: name, Kind: KindText} }

func careqID(name string) FieldRule {
	return FieldRule{Name: name, Kind: KindInteger, Required: true, Positive: true}
}

func timestamps() []FieldRule {
	return []FieldRule{
		{Name: "created_at", Kind: KindDateTime},
		{Name: "updated_at", Kind: KindDateTime},
	}
}

var hexColour = regexp.MustCompile(`^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$`)

// CheckEmail accepts a plain address (local@domain.tld, no display name).
func CheckEmail(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "Email format is invalid"
	}
	at := strings.LastIndexByte(s, '@')
	if domain := s[at+1:]; !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "Email format is invalid"
	}
	return ""
}

// CheckPhone10 accepts exactly 10 ASCII digits.
func CheckPhone10(s string) string {
	if len(s) != 10 || strings.Trim(s, "0123456789") != "" {
		return "Phone number must be 10 digits"
	}
	return ""
}

// CheckAadhaar accepts 12 digits, optionally grouped with spaces or hyphens.
func CheckAadhaar(s string) string {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-':
		default:
			return "Aadhaar number must be 12 digits (spaces and hyphens allowed)"
		}
	}
	if digits != 12 {
		return "Aadhaar number must be 12 digits (spaces and hyphens allowed)"
	}
	return ""
}

// CheckColour accepts #RGB and #RRGGBB.
func CheckColour(s string) string {
	if !hexColour.MatchString(s) {
		return "must be a hex colour like #3498db"
	}
	return ""
}

// CareQPatientRules is the patient field table.
var CareQPatientRules = append([]FieldRule{
	careqID("careq_id"),
	str("clinic_id", true, 100),
	str("first_name", true, 256),
	str("last_name", true, 256),
	{Name: "email", Kind: KindString, MaxLen: 512, Format: CheckEmail},
	{Name: "phone_number", Kind: KindString, Required: true, MaxLen: 10, Format: CheckPhone10},
	{Name: "date_of_birth", Kind: KindDate},
	{Name: "gender", Kind: KindString, MaxLen: 10, Enum: schemas.CareQGenders},
	str("address", false, 256),
	str("city", false, 256),
	str("state", false, 256),
	str("zip_code", false, 10),
	{Name: "aadhar_number", Kind: KindString, MaxLen: 20, Format: CheckAadhaar},
	str("spouse_name", false, 256),
	str("father_name", false, 256),
	text("custom_field_1"), text("custom_field_2"), text("custom_field_3"),
	text("custom_field_4"), text("custom_field_5"),
	text("notes"),
	str("timezone", false, 256),
	str("language", false, 10),
}, timestamps()...)

// CareQDoctorRules is the doctor field table.
var CareQDoctorRules = append([]FieldRule{
	careqID("careq_id"),
	str("clinic_id", true, 100),
	str("first_name", true, 256),
	str("last_name", true, 256),
	{Name: "email", Kind: KindString, MaxLen: 512, Format: CheckEmail},
	str("phone_number", false, 128),
	str("mobile_number", false, 128),
	str("address", false, 256),
	str("city", false, 256),
	str("state", false, 256),
	str("zip_code", false, 10),
	str("specialization", false, 256), //nolint:misspell // the specification's field name
	text("notes"),
	{Name: "is_private", Kind: KindBool},
	str("timezone", false, 256),
	str("language", false, 10),
}, timestamps()...)

// CareQServiceRules is the service field table.
var CareQServiceRules = append([]FieldRule{
	careqID("careq_id"),
	str("clinic_id", true, 100),
	str("name", true, 256),
	{Name: "duration", Kind: KindInteger, Required: true, Positive: true},
	{Name: "price", Kind: KindDecimal, Positive: true},
	str("currency", false, 10),
	text("description"),
	str("location", false, 256),
	{Name: "color", Kind: KindString, MaxLen: 7, Format: CheckColour}, //nolint:misspell // the specification's field name
	str("category", false, 256),
	{Name: "is_private", Kind: KindBool},
}, timestamps()...)

// CareQAppointmentRules is the appointment field table.
var CareQAppointmentRules = append([]FieldRule{
	careqID("careq_id"),
	str("clinic_id", true, 100),
	careqID("patient_careq_id"),
	careqID("doctor_careq_id"),
	careqID("service_careq_id"),
	{Name: "book_datetime", Kind: KindDateTime, Required: true},
	{Name: "start_datetime", Kind: KindDateTime, Required: true},
	{Name: "end_datetime", Kind: KindDateTime, Required: true},
	{Name: "status", Kind: KindString, Required: true, MaxLen: 50, Enum: schemas.CareQAppointmentStatuses},
	str("location", false, 256),
	text("notes"),
	{Name: "prescription", Kind: KindTextOrJSON},
	str("referred_by", false, 256),
	str("referred_by_address", false, 512),
	{Name: "color", Kind: KindString, MaxLen: 7, Format: CheckColour}, //nolint:misspell // the specification's field name
	str("hash", false, 512),
}, timestamps()...)

// CareQAppointmentStatusRules is the status update (no table in the
// specification: the fields of its example, updated_at optional as elsewhere).
var CareQAppointmentStatusRules = []FieldRule{
	careqID("careq_id"),
	str("clinic_id", true, 100),
	{Name: "status", Kind: KindString, Required: true, MaxLen: 50, Enum: schemas.CareQAppointmentStatuses},
	text("notes"),
	{Name: "updated_at", Kind: KindDateTime},
}

// CareQAppointmentCancelRules is the cancellation (no table in the
// specification: the fields of its example).
var CareQAppointmentCancelRules = []FieldRule{
	careqID("careq_id"),
	str("clinic_id", true, 100),
	text("cancellation_reason"),
	str("cancelled_by", false, 50),
	{Name: "cancelled_at", Kind: KindDateTime},
}

// CareQBatchRules is the batch envelope; its records are checked one by one.
var CareQBatchRules = []FieldRule{
	str("clinic_id", true, 100),
	str("batch_id", false, 256),
	{Name: "records", Kind: KindArray, Required: true},
}

// CareQRules returns the field table of a record type.
func CareQRules(recordType string) ([]FieldRule, bool) {
	switch recordType {
	case schemas.CareQPatientType:
		return CareQPatientRules, true
	case schemas.CareQDoctorType:
		return CareQDoctorRules, true
	case schemas.CareQServiceType:
		return CareQServiceRules, true
	case schemas.CareQAppointmentType:
		return CareQAppointmentRules, true
	case schemas.CareQAppointmentStatusType:
		return CareQAppointmentStatusRules, true
	case schemas.CareQAppointmentCancelType:
		return CareQAppointmentCancelRules, true
	}
	return nil, false
}

// ParseCareQObject splits a JSON object into its members. A body that is not
// one JSON object (malformed, an array, trailing data, invalid UTF-8) is an
// error: the receiver answers 400 INVALID_REQUEST.
func ParseCareQObject(raw []byte) (map[string]json.RawMessage, error) {
	if !utf8.Valid(raw) {
		return nil, errors.New("body is not valid UTF-8")
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, ErrCareQNotObject
	}
	if !json.Valid(trimmed) { // also refuses data after the object
		var v any
		err := json.Unmarshal(trimmed, &v)
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	return splitObject(trimmed)
}

// DecodeCareQ validates a record of the given type (one JSON object) against
// its field table and decodes it into its Go type (*CareQPatient, ...).
// The error is for a body that is not a JSON object (400); FieldErrors, when
// not empty, is the 422 answer. The value is always returned, holding only the
// fields that passed their rule, so a rejected call can still be logged
// sanitised.
func DecodeCareQ(recordType string, raw []byte) (any, schemas.FieldErrors, error) {
	obj, err := ParseCareQObject(raw)
	if err != nil {
		return nil, nil, err
	}
	return DecodeCareQObject(recordType, obj)
}

// DecodeCareQObject is DecodeCareQ on an already split object.
func DecodeCareQObject(recordType string, obj map[string]json.RawMessage) (any, schemas.FieldErrors, error) {
	rules, ok := CareQRules(recordType)
	if !ok {
		return nil, nil, fmt.Errorf("unknown CareQ record type %q", recordType)
	}
	errs := ValidateFields(rules, obj)
	var v any
	switch recordType {
	case schemas.CareQPatientType:
		v = &schemas.CareQPatient{}
	case schemas.CareQDoctorType:
		v = &schemas.CareQDoctor{}
	case schemas.CareQServiceType:
		v = &schemas.CareQService{}
	case schemas.CareQAppointmentType:
		v = &schemas.CareQAppointment{}
	case schemas.CareQAppointmentStatusType:
		v = &schemas.CareQAppointmentStatus{}
	case schemas.CareQAppointmentCancelType:
		v = &schemas.CareQAppointmentCancel{}
	}
	if err := decodeValid(rules, obj, errs, v); err != nil {
		return nil, nil, err
	}
	if a, ok := v.(*schemas.CareQAppointment); ok && errs["start_datetime"] == nil && errs["end_datetime"] == nil &&
		!a.StartDatetime.IsZero() && a.EndDatetime.Before(a.StartDatetime) {
		errs.Add("end_datetime", "must not be before start_datetime")
	}
	return v, errs, nil
}

// DecodeCareQBatch validates a batch envelope; records are left raw.
func DecodeCareQBatch(raw []byte) (*schemas.CareQBatch, schemas.FieldErrors, error) {
	obj, err := ParseCareQObject(raw)
	if err != nil {
		return nil, nil, err
	}
	errs := ValidateFields(CareQBatchRules, obj)
	b := &schemas.CareQBatch{}
	// records are split below, one by one: a bad one must not fail the decode.
	if err := decodeValid(CareQBatchRules[:2], obj, errs, b); err != nil {
		return nil, nil, err
	}
	if errs["records"] == nil {
		var items []json.RawMessage
		_ = json.Unmarshal(obj["records"], &items) // KindArray checked it is an array
		switch {
		case len(items) == 0:
			errs.Add("records", "must hold at least one record")
		case len(items) > schemas.CareQMaxBatchRecords:
			errs.Add("records", fmt.Sprintf("at most %d records per batch", schemas.CareQMaxBatchRecords))
		}
		b.Records = make([]schemas.CareQBatchRecord, len(items))
		for i, it := range items {
			var rec schemas.CareQBatchRecord
			if err := json.Unmarshal(it, &rec); err == nil {
				b.Records[i] = rec
			} else {
				// A record of the wrong shape keeps no type: it fails on its own.
				b.Records[i] = schemas.CareQBatchRecord{Data: it}
			}
		}
	}
	return b, errs, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// ValidateFields checks an object's members against a field table. Members
// without a rule are ignored.
func ValidateFields(rules []FieldRule, obj map[string]json.RawMessage) schemas.FieldErrors {
	errs := schemas.FieldErrors{}
	for _, r := range rules {
		raw, ok := obj[r.Name]
		if !ok || isNull(raw) {
			if r.Required {
				errs.Add(r.Name, "is required")
			}
			continue
		}
		if msg := checkField(r, bytes.TrimSpace(raw)); msg != "" {
			errs.Add(r.Name, msg)
		}
	}
	return errs
}

func checkField(r FieldRule, raw []byte) string {
	switch r.Kind {
	case KindInteger:
		return checkInteger(r, raw)
	case KindDecimal:
		return checkDecimal(r, raw)
	case KindBool:
		if string(raw) != "true" && string(raw) != "false" {
			return "must be true or false"
		}
		return ""
	case KindObject:
		if raw[0] != '{' {
			return "must be an object"
		}
		return ""
	case KindArray:
		if raw[0] != '[' {
			return "must be an array"
		}
		return ""
	case KindTextOrJSON:
		if raw[0] == '{' || raw[0] == '[' {
			return ""
		}
	}
	if raw[0] != '"' {
		return "must be a string"
	}
	s, err := unquote(raw)
	if err != nil {
		return "must be a string"
	}
	return checkString(r, s)
}

func checkString(r FieldRule, s string) string {
	if r.Required && strings.TrimSpace(s) == "" {
		return "must not be empty"
	}
	if r.MaxLen > 0 && utf8.RuneCountInString(s) > r.MaxLen {
		return fmt.Sprintf("must be at most %d characters", r.MaxLen)
	}
	switch r.Kind {
	case KindDate:
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return "must be a date in the format YYYY-MM-DD"
		}
	case KindDateTime:
		if _, err := ParseCareQTime(s); err != nil {
			return "must be an ISO 8601 date and time with an offset, like 2025-12-10T10:00:00Z"
		}
	}
	if len(r.Enum) > 0 && !slices.Contains(r.Enum, s) {
		return "must be one of " + strings.Join(r.Enum, ", ")
	}
	if r.Format != nil && s != "" {
		return r.Format(s)
	}
	return ""
}

// ParseCareQTime parses a CareQ timestamp (RFC 3339, offset required), the
// same way the Go types decode it.
func ParseCareQTime(s string) (time.Time, error) {
	var t time.Time
	err := t.UnmarshalText([]byte(s))
	return t, err
}

func checkInteger(r FieldRule, raw []byte) string {
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return "must be an integer"
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return "must be an integer"
	}
	if r.Positive && n <= 0 {
		return "must be a positive integer"
	}
	return ""
}

func checkDecimal(r FieldRule, raw []byte) string {
	var n json.Number
	if raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
		return "must be a number"
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "must be a number"
	}
	if r.Positive && f < 0 {
		return "must not be negative"
	}
	if _, err := schemas.ParseDecimal(n.String(), schemas.CareQMoney); err != nil {
		return "must have at most 14 digits before the decimal point and 4 after"
	}
	return ""
}

// The receiver's hot path reads small JSON objects: encoding/json's
// reflection into map[string]json.RawMessage cost half of a call's CPU, so
// the top level is split by hand after json.Valid has vouched for the syntax,
// and the members are decoded into their fields directly.

// splitObject splits a syntactically valid JSON object (checked with
// json.Valid by the caller) into its members. A repeated key keeps its last
// value, as encoding/json does.
func splitObject(b []byte) (map[string]json.RawMessage, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, ErrCareQNotObject
	}
	obj := make(map[string]json.RawMessage, 32)
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return obj, nil
	}
	for i < len(b) {
		end := stringEnd(b, i)
		key, err := unquote(b[i:end])
		if err != nil {
			return nil, err
		}
		i = skipSpace(b, end)
		i = skipSpace(b, i+1) // ':'
		vend := valueEnd(b, i)
		obj[key] = b[i:vend:vend]
		i = skipSpace(b, vend)
		if i < len(b) && b[i] == '}' {
			return obj, nil
		}
		i = skipSpace(b, i+1) // ','
	}
	return nil, errors.New("malformed JSON object")
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

// unquote decodes a JSON string literal (quotes included).
func unquote(raw []byte) (string, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", errors.New("not a JSON string")
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), nil // valid JSON: no control characters; UTF-8 checked by the caller
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return s, nil
}

var fieldIndexes sync.Map // reflect.Type -> map[string]int

// jsonFields maps a struct's JSON field names to field indexes.
func jsonFields(t reflect.Type) map[string]int {
	if m, ok := fieldIndexes.Load(t); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	fieldIndexes.Store(t, m)
	return m
}

var (
	typString    = reflect.TypeFor[string]()
	typStringPtr = reflect.TypeFor[*string]()
	typInt64     = reflect.TypeFor[int64]()
	typBoolPtr   = reflect.TypeFor[*bool]()
	typTime      = reflect.TypeFor[time.Time]()
	typTimePtr   = reflect.TypeFor[*time.Time]()
	typNumberPtr = reflect.TypeFor[*json.Number]()
	typRaw       = reflect.TypeFor[json.RawMessage]()
)

// setField stores a validated JSON value into a struct field.
func setField(f reflect.Value, raw json.RawMessage) error {
	switch f.Type() {
	case typString, typStringPtr:
		s, err := unquote(raw)
		if err != nil {
			return err
		}
		if f.Type() == typString {
			f.SetString(s)
		} else {
			f.Set(reflect.ValueOf(&s))
		}
	case typInt64:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return err
		}
		f.SetInt(n)
	case typBoolPtr:
		v := string(raw) == "true"
		f.Set(reflect.ValueOf(&v))
	case typTime, typTimePtr:
		s, err := unquote(raw)
		if err != nil {
			return err
		}
		t, err := ParseCareQTime(s)
		if err != nil {
			return err
		}
		if f.Type() == typTime {
			f.Set(reflect.ValueOf(t))
		} else {
			f.Set(reflect.ValueOf(&t))
		}
	case typNumberPtr:
		n := json.Number(raw)
		f.Set(reflect.ValueOf(&n))
	case typRaw:
		f.SetBytes(append([]byte(nil), raw...))
	default:
		return json.Unmarshal(raw, f.Addr().Interface())
	}
	return nil
}

// decodeValid stores the members that passed validation into v's fields,
// matched by their exact JSON names (encoding/json would also match
// "Phone_Number" to phone_number, past the validation).
func decodeValid(rules []FieldRule, obj map[string]json.RawMessage, errs schemas.FieldErrors, v any) error {
	rv := reflect.ValueOf(v).Elem()
	idx := jsonFields(rv.Type())
	for _, r := range rules {
		raw, ok := obj[r.Name]
		if !ok || errs[r.Name] != nil || isNull(raw) {
			continue
		}
		i, ok := idx[r.Name]
		if !ok {
			return fmt.Errorf("rule %s has no field in %s", r.Name, rv.Type()) // a bug
		}
		if err := setField(rv.Field(i), raw); err != nil {
			return fmt.Errorf("decode %s: %w", r.Name, err) // a rule that lets through what the type refuses: a bug
		}
	}
	return nil
}
