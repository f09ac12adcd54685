package receiver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"carelake/internal/careqreplay"
	"carelake/internal/testkit"
	"carelake/schemas"
	"carelake/schemas/careqlog"
)

func TestPseudonyms(t *testing.T) {
	p := NewPseudonymiser([]byte(piiKey), false)
	ref := func(kind, v string) string {
		m := hmac.New(sha256.New, []byte(piiKey))
		m.Write([]byte(kind + ":" + v))
		return hex.EncodeToString(m.Sum(nil))
	}
	if p.Email(" John.Doe@Example.COM ") != ref("email", "john.doe@example.com") {
		t.Error("e-mail pseudonym is not HMAC(key, email:<trimmed lower-case>)")
	}
	for _, v := range []string{"9876543210", "+91 98765 43210", "09876543210", "98765-43210", "919876543210"} {
		if p.Phone(v) != ref("phone", "9876543210") {
			t.Errorf("phone %q does not normalise to 9876543210", v)
		}
	}
	if p.Aadhaar("1234-5678-9012") != ref("aadhaar", "123456789012") || p.Aadhaar("1234 5678 9012") != p.Aadhaar("123456789012") {
		t.Error("aadhaar pseudonym")
	}
	if MaskAadhaar("1234-5678-9012") != "XXXX XXXX 9012" {
		t.Errorf("mask %q", MaskAadhaar("1234-5678-9012"))
	}
	other := NewPseudonymiser([]byte(strings.Repeat("k", 32)), false)
	if other.Phone("9876543210") == p.Phone("9876543210") {
		t.Error("pseudonym does not depend on the key")
	}
	if p.Email("a@example.com") == p.Pseudonym("phone", "a@example.com") {
		t.Error("kinds are not separated")
	}
}

// The sanitised form of each specification example is pinned by a golden
// file (go test -run TestSanitisedGolden -update rewrites them).
func TestSanitisedGolden(t *testing.T) {
	for _, keep := range []bool{false, true} {
		p := NewPseudonymiser([]byte(piiKey), keep)
		out := map[string]json.RawMessage{}
		for _, d := range specDeliveries(t) {
			typ := careqlog.RecordType(d.Endpoint)
			v, errs, err := DecodeCareQ(typ, d.Body)
			if err != nil || len(errs) > 0 {
				t.Fatal(err, errs)
			}
			out[d.ClinicID+" "+d.Endpoint] = mustJSON(p.Sanitise(v))
		}
		got, _ := json.MarshalIndent(out, "", "  ")
		name := "testdata/sanitised.golden.json"
		if keep {
			name = "testdata/sanitised-keep-free-text.golden.json"
		}
		testkit.Golden(t, name, append(got, '\n'))
	}
}

// rawPII collects every identifying value of the sample deliveries: patient
// and doctor phone numbers and e-mails, Aadhaar numbers in every spelling,
// patient names and street addresses.
func rawPII(t *testing.T, ds []careqreplay.Delivery) []string {
	t.Helper()
	set := map[string]bool{}
	addPatient := func(p *schemas.CareQPatient) {
		for _, s := range []*string{&p.FirstName, &p.LastName, p.SpouseName, p.FatherName, p.Address, p.Email, &p.PhoneNumber} {
			if s != nil && *s != "" {
				set[*s] = true
			}
		}
		if p.Email != nil {
			set[strings.ToLower(*p.Email)] = true
		}
		if p.AadharNumber != nil {
			d := digits(*p.AadharNumber)
			set[*p.AadharNumber], set[d], set[d[:4]+" "+d[4:8]+" "+d[8:]], set[d[:4]+"-"+d[4:8]+"-"+d[8:]] = true, true, true, true
		}
	}
	for _, d := range ds {
		var bodies []json.RawMessage
		types := []string{}
		if d.Endpoint == careqlog.EndpointBatch {
			b, _, err := DecodeCareQBatch(d.Body)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range b.Records {
				bodies, types = append(bodies, r.Data), append(types, r.Type)
			}
		} else {
			bodies, types = append(bodies, d.Body), append(types, careqlog.RecordType(d.Endpoint))
		}
		for i, b := range bodies {
			v, _, err := DecodeCareQ(types[i], b)
			if err != nil {
				t.Fatal(err)
			}
			switch x := v.(type) {
			case *schemas.CareQPatient:
				addPatient(x)
			case *schemas.CareQDoctor:
				for _, s := range []*string{x.Email, x.PhoneNumber, x.MobileNumber, x.Address} {
					if s != nil {
						set[*s] = true
						if x.MobileNumber == s {
							set[NormalisePhone(*s)] = true
						}
					}
				}
			}
		}
	}
	// The specification's test patient is named "Test Patient": words every
	// answer uses ("Patient created successfully"), not identifying.
	delete(set, "Test")
	delete(set, "Patient")
	var out []string
	for s := range set {
		out = append(out, s)
	}
	if len(out) < 100 {
		t.Fatalf("only %d identifying values in the sample data", len(out))
	}
	return out
}

// syncBuffer is a concurrency-safe buffer for slog output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// All sample deliveries (the specification's examples and three clinics'
// streams) replayed through the receiver with the example configuration:
// every answer is as the data expects, and neither the log directory nor the
// process log (at debug level) holds any raw phone number, e-mail, Aadhaar
// number, patient name or street address.
func TestSampleDeliveriesAndPIIScan(t *testing.T) {
	ds, cfg := sampleDeliveries(t), sampleConfig(t)
	var logs syncBuffer
	dir := t.TempDir()
	s, err := New(ServerOptions{Config: cfg, PIIKey: []byte(piiKey), LogDir: dir,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	results, err := careqreplay.Replay(context.Background(), ClinicClients(hs.URL, cfg), ds)
	hs.Close()
	if cerr := s.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(ds) || len(ds) < 250 {
		t.Fatalf("%d results for %d deliveries", len(results), len(ds))
	}
	recs := readAll(t, dir)
	if len(recs) != len(ds)-3 { // three retries were replayed, not logged
		t.Fatalf("%d log records for %d deliveries with 3 retries", len(recs), len(ds))
	}
	stale := 0
	for _, r := range recs {
		if r.Status >= 300 {
			t.Errorf("record %d: %d %s", r.Seq, r.Status, r.Response)
		}
		if r.SyncStatus == careqlog.SyncStaleIgnored {
			stale++
		}
	}
	if stale != 3 {
		t.Errorf("%d stale updates logged, want 3", stale)
	}

	var haystack bytes.Buffer
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			haystack.Write(b)
		}
		return nil
	})
	if haystack.Len() < 100_000 {
		t.Fatalf("log holds only %d bytes", haystack.Len())
	}
	haystack.Write(logs.b.Bytes())
	// JSON escapes nothing in these values, so a plain search is exact.
	for _, v := range rawPII(t, ds) {
		if bytes.Contains(haystack.Bytes(), []byte(v)) {
			t.Errorf("raw identifying value %q found in the log directory or process log", v)
		}
	}
	// Free text is gone too, and Aadhaar is kept only masked.
	for _, v := range []string{"Regular patient", "Patient has back pain", "Blood Group", "Patient unavailable", "Dr. Kumar"} {
		if bytes.Contains(haystack.Bytes(), []byte(v)) {
			t.Errorf("free text %q kept without --keep-free-text", v)
		}
	}
	if !regexp.MustCompile(`"aadhaar_masked":"XXXX XXXX \d{4}"`).Match(haystack.Bytes()) {
		t.Error("no masked Aadhaar in the log")
	}
	// Doctors' professional names are kept.
	if !bytes.Contains(haystack.Bytes(), []byte(`"first_name":"Dr. Sarah","last_name":"Smith"`)) {
		t.Error("doctor's name not kept")
	}
}

// --keep-free-text keeps notes (the operator's decision), never identifiers.
func TestKeepFreeText(t *testing.T) {
	e := newEnv(t, func(o *ServerOptions) { o.KeepFreeText = true })
	e.send("clinic_abc", "patient", specBody(t, "patient")).want(t, 201, "")
	recs := e.records()
	var p careqlog.PatientRecord
	json.Unmarshal(recs[0].Payload, &p)
	if p.Notes == nil || *p.Notes != "Regular patient, prefers morning appointments" || p.CustomField1 == nil {
		t.Fatalf("free text dropped: %s", recs[0].Payload)
	}
	if bytes.Contains(recs[0].Payload, []byte("9876543210")) || bytes.Contains(recs[0].Payload, []byte("John")) {
		t.Fatalf("identifiers kept: %s", recs[0].Payload)
	}
}
