package receiver

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"carelake/internal/testkit"
	"carelake/schemas"
)

// Every field of every payload type has exactly one rule, and every rule
// names a field that exists.
func TestStorageRulesCoverEveryField(t *testing.T) {
	types := map[string]any{
		schemas.CareQPatientType: schemas.CareQPatient{}, schemas.CareQDoctorType: schemas.CareQDoctor{},
		schemas.CareQServiceType: schemas.CareQService{}, schemas.CareQAppointmentType: schemas.CareQAppointment{},
		schemas.CareQAppointmentStatusType: schemas.CareQAppointmentStatus{}, schemas.CareQAppointmentCancelType: schemas.CareQAppointmentCancel{},
		BatchEnvelope: schemas.CareQBatch{},
	}
	want := map[string]bool{}
	for typ, v := range types {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			want[typ+"."+name] = true
		}
	}
	got := map[string]bool{}
	for _, r := range StorageRules {
		k := r.Type + "." + r.Field
		if got[k] {
			t.Errorf("%s has two rules", k)
		}
		got[k] = true
		if !slices.Contains([]string{RuleKept, RulePseudonymised, RuleReduced, RuleDropped, RuleFreeText}, r.Rule) || r.Why == "" {
			t.Errorf("%s: rule %q, why %q", k, r.Rule, r.Why)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("%s has no rule", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("rule for %s, which no payload has", k)
		}
	}
}

// The package documentation shows the table as StorageRules has it.
func TestStorageRulesDocumented(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var doc strings.Builder
	for _, l := range strings.Split(string(src), "\n") {
		if l, ok := strings.CutPrefix(l, "//\t"); ok {
			doc.WriteString(l + "\n")
		}
	}
	if !strings.Contains(doc.String(), StorageRulesText()) {
		t.Fatalf("doc.go does not show the field rules as StorageRules has them; it should hold, as //\\t lines:\n%s", StorageRulesText())
	}
}

// The sanitised payloads hold no field the rules drop, whatever is sent:
// every field of every type is filled, and the logged form of each is
// compared with its rule (pseudonymised and reduced fields under another
// name; free text only with keepFreeText). The whole path through the
// receiver and the warehouse is checked from the command (cmd/carelake,
// TestStorageRulesLogAndWarehouse).
func TestSanitisedFieldsFollowTheRules(t *testing.T) {
	for _, keep := range []bool{false, true} {
		p := NewPseudonymiser([]byte(piiKey), keep)
		for _, r := range StorageRules {
			if r.Type == BatchEnvelope {
				continue
			}
			logged := map[string]json.RawMessage{}
			v := fullPayload(t, r.Type)
			json.Unmarshal(mustJSON(p.Sanitise(v)), &logged)
			_, present := logged[r.Field]
			wantPresent := r.Rule == RuleKept || r.Rule == RuleFreeText && keep
			if present != wantPresent {
				t.Errorf("keep-free-text %v: %s.%s (%s) present=%v", keep, r.Type, r.Field, r.Rule, present)
			}
		}
	}
}

// fullPayload decodes a payload of typ with every field set.
func fullPayload(t *testing.T, typ string) any {
	t.Helper()
	body := map[string]any{}
	for _, r := range StorageRules {
		if r.Type == typ {
			body[r.Field] = "x"
		}
	}
	full := map[string]string{
		schemas.CareQPatientType:           specBody(t, "patient"),
		schemas.CareQDoctorType:            specBody(t, "doctor"),
		schemas.CareQServiceType:           specBody(t, "service"),
		schemas.CareQAppointmentType:       specBody(t, "appointment"),
		schemas.CareQAppointmentStatusType: specBody(t, "appointment/status"),
		schemas.CareQAppointmentCancelType: specBody(t, "appointment/cancel"),
	}[typ]
	kv := []any{}
	for f := range body {
		kv = append(kv, f, fillValue(f))
	}
	v, errs, err := DecodeCareQ(typ, []byte(testkit.SetJSON(t, full, kv...)))
	if err != nil || len(errs) > 0 {
		t.Fatalf("%s: %v %v", typ, err, errs)
	}
	return v
}

// fillValue is a valid value for a field (the specification's formats).
func fillValue(field string) any {
	switch field {
	case "careq_id", "patient_careq_id", "doctor_careq_id", "service_careq_id", "duration":
		return 1
	case "price":
		return 10
	case "is_private":
		return true
	case "email":
		return "someone@example.com"
	case "phone_number", "mobile_number":
		return "9876543210"
	case "aadhar_number":
		return "1234 5678 9012"
	case "date_of_birth":
		return "1990-01-01"
	case "gender":
		return "female"
	case "status":
		return "confirmed"
	case "color": //nolint:misspell // the specification's field name
		return "#abc"
	case "prescription":
		return "take with water"
	case "clinic_id":
		return "clinic_abc"
	case "language":
		return "en"
	}
	if strings.HasSuffix(field, "_at") || strings.HasSuffix(field, "_datetime") {
		return "2025-12-10T10:00:00Z"
	}
	return "some text"
}
