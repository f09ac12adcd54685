package careqreplay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"carelake/internal/testkit"
	"carelake/schemas"
	"carelake/schemas/careqlog"
)

// deliveriesDir is data/careq/deliveries from this package.
var deliveriesDir = filepath.Join("..", "..", "data", "careq", "deliveries")

// sampleClinic describes one generated clinic.
type sampleClinic struct {
	id, file, city, state, zip                     string
	patientBase, doctorBase, serviceBase, apptBase int64
	seed                                           uint64
}

var sampleClinics = []sampleClinic{
	{"clinic_abc", "10-clinic_abc.json", "Mumbai", "Maharashtra", "4000", 20001, 501, 801, 30001, 11},
	{"clinic_riverside", "20-clinic_riverside.json", "Pune", "Maharashtra", "4110", 40001, 601, 901, 50001, 22},
	{"clinic_hillview", "30-clinic_hillview.json", "Bengaluru", "Karnataka", "5600", 60001, 701, 1001, 70001, 33},
}

// Patient and doctor names are disjoint, so a scan for patient names in the
// log cannot be fooled by a doctor's (kept) name.
var (
	patientFirst = []string{"Aarav", "Ishaan", "Vihaan", "Anaya", "Diya", "Kavya", "Rohan", "Nikhil", "Pooja",
		"Sneha", "Arjun", "Meenal", "Tanvi", "Siddharth", "Farhan", "Zoya", "Gurpreet", "Lakshmi"}
	patientLast = []string{"Bhatnagar", "Chaudhary", "Deshpande", "Fernandes", "Gokhale", "Hegde", "Jadhav",
		"Khanna", "Lobo", "Mahajan", "Naidu", "Oberoi", "Parikh", "Qureshi", "Rastogi", "Sawant"}
	fatherFirst = []string{"Prakash", "Suresh", "Mahesh", "Dinesh", "Ramesh", "Girish"}
	spouseFirst = []string{"Neha", "Ritu", "Swati", "Anil", "Vivek", "Komal"}
	streets     = []string{"Linking Road", "Station Road", "Park Street", "Temple Lane", "Lake View Road", "Church Street"}
	doctors     = [][3]string{
		{"Dr. Meera", "Joshi", "General Medicine"}, {"Dr. Alok", "Verma", "Paediatrics"},
		{"Dr. Farah", "Siddiqui", "Dermatology"}, {"Dr. Rajiv", "Menon", "Orthopaedics"},
		{"Dr. Priya", "Raman", "Gynaecology"}, {"Dr. Karan", "Malhotra", "Cardiology"},
		{"Dr. Asha", "Pillai", "ENT"}, {"Dr. Vikram", "Rao", "Physiotherapy"},
		{"Dr. Nandini", "Ghosh", "Dentistry"},
	}
	services = []struct {
		name, category string
		minutes        int64
		price          string
		colour         string
	}{
		{"General Consultation", "Consultation", 30, "500.00", "#3498db"},
		{"Follow-up Visit", "Consultation", 15, "300.00", "#2ecc71"},
		{"Vaccination", "Preventive", 15, "750.00", "#9b59b6"},
		{"Physiotherapy Session", "Therapy", 45, "1200.00", "#e67e22"},
		{"Dental Cleaning", "Dental", 40, "1500.00", "#1abc9c"},
		{"Blood Test Panel", "Diagnostics", 20, "950.50", "#e74c3c"},
	}
)

// sampleEvent is a delivery with the time it happens, for ordering.
type sampleEvent struct {
	at time.Time
	d  Delivery
}

func mustMarshal(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// generateClinic builds a realistic stream of calls for one clinic:
// services, doctors and patients, then appointments spread over the 18 months
// to 2026-11-20 with their status updates and cancellations, one patient
// update, one stale (out-of-order) update, one retry of an appointment call
// and one batch.
func generateClinic(t *testing.T, c sampleClinic) []Delivery {
	rng := rand.New(rand.NewPCG(c.seed, c.seed*7919))
	ist := time.FixedZone("IST", 5*3600+1800)
	start := time.Date(2025, 5, 20, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var events []sampleEvent
	add := func(at time.Time, ep, note string, status int, sync string, body any) {
		events = append(events, sampleEvent{at, Delivery{ClinicID: c.id, Endpoint: ep, Note: note,
			ExpectStatus: status, ExpectSyncStatus: sync, Body: mustMarshal(t, body)}})
	}
	ptr := func(s string) *string { return &s }
	tp := func(x time.Time) *time.Time { x = x.UTC(); return &x }

	setup := start.Add(-30 * 24 * time.Hour) // everything exists before the first booking
	svcIdx := rng.Perm(len(services))[:3]
	var svcIDs []int64
	for i, si := range svcIdx {
		s := services[si]
		id := c.serviceBase + int64(i)
		svcIDs = append(svcIDs, id)
		price := json.Number(s.price)
		at := setup.Add(time.Duration(i) * time.Hour)
		add(at, careqlog.EndpointService, "", 201, "synced", schemas.CareQService{
			CareQID: id, ClinicID: c.id, Name: s.name, Duration: s.minutes, Price: &price, Currency: ptr("INR"),
			Description: ptr(s.name + " at " + c.city), Location: ptr(fmt.Sprintf("Room %d", i+1)),
			Colour: ptr(s.colour), Category: ptr(s.category), IsPrivate: new(bool), CreatedAt: tp(at), UpdatedAt: tp(at),
		})
	}
	docIdx := rng.Perm(len(doctors))[:3]
	var docIDs []int64
	for i, di := range docIdx {
		d := doctors[di]
		id := c.doctorBase + int64(i)
		docIDs = append(docIDs, id)
		at := setup.Add(time.Duration(24+i) * time.Hour)
		add(at, careqlog.EndpointDoctor, "", 201, "synced", schemas.CareQDoctor{
			CareQID: id, ClinicID: c.id, FirstName: d[0], LastName: d[1],
			Email:       ptr(strings.ToLower(strings.TrimPrefix(d[0], "Dr. ")+"."+d[1]) + "@" + strings.ReplaceAll(c.id, "_", "-") + ".example.com"),
			PhoneNumber: ptr(phone(rng)), MobileNumber: ptr("+91 " + phone(rng)),
			Address: ptr(fmt.Sprintf("%d %s", 10+rng.IntN(90), streets[rng.IntN(len(streets))])),
			City:    ptr(c.city), State: ptr(c.state), ZipCode: ptr(c.zip + fmt.Sprintf("%02d", rng.IntN(100))),
			Specialisation: ptr(d[2]), Notes: ptr("Available Mon-Sat"), IsPrivate: new(bool),
			Timezone: ptr("Asia/Kolkata"), Language: ptr("en-IN"), CreatedAt: tp(at), UpdatedAt: tp(at),
		})
	}
	var patients []*schemas.CareQPatient
	firsts, lasts := rng.Perm(len(patientFirst)), rng.Perm(len(patientLast))
	for i := 0; i < 10; i++ {
		first, last := patientFirst[firsts[i]], patientLast[lasts[i]]
		at := setup.Add(time.Duration(48+i*5) * time.Hour)
		gender := []string{"male", "female", "other"}[rng.IntN(3)]
		p := &schemas.CareQPatient{
			CareQID: c.patientBase + int64(i), ClinicID: c.id, FirstName: first, LastName: last,
			Email:       ptr(strings.ToLower(first+"."+last) + fmt.Sprintf("%d@example.com", rng.IntN(90)+10)),
			PhoneNumber: phone(rng),
			DateOfBirth: ptr(time.Date(1950+rng.IntN(60), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)),
			Gender:      &gender,
			Address:     ptr(fmt.Sprintf("Flat %d, %s", 100+rng.IntN(800), streets[rng.IntN(len(streets))])),
			City:        ptr(c.city), State: ptr(c.state), ZipCode: ptr(c.zip + fmt.Sprintf("%02d", rng.IntN(100))),
			FatherName:   ptr(fatherFirst[rng.IntN(len(fatherFirst))] + " " + last),
			CustomField1: ptr("Blood Group: " + []string{"A+", "B+", "O+", "AB+", "O-"}[rng.IntN(5)]),
			Notes:        ptr("Prefers " + []string{"morning", "evening"}[rng.IntN(2)] + " appointments; contact " + first),
			Timezone:     ptr("Asia/Kolkata"), Language: ptr([]string{"en-IN", "hi-IN", "mr-IN", "kn-IN"}[rng.IntN(4)]),
			CreatedAt: tp(at), UpdatedAt: tp(at),
		}
		if i%3 != 2 {
			p.AadharNumber = ptr(aadhaar(rng, i%2 == 0))
		}
		if i%4 == 0 {
			p.SpouseName = ptr(spouseFirst[rng.IntN(len(spouseFirst))] + " " + last)
		}
		patients = append(patients, p)
		add(at, careqlog.EndpointPatient, "", 201, "synced", p)
	}

	// Appointments, evenly spread with jitter, during clinic hours (IST).
	const n = 36
	span := end.Sub(start)
	var retried bool
	for i := 0; i < n; i++ {
		day := start.Add(span * time.Duration(i) / n).Add(time.Duration(rng.IntN(5*24)) * time.Hour)
		if i == n-1 {
			day = end.Add(-24 * time.Hour) // the last one on 2026-11-19/20
		}
		local := time.Date(day.Year(), day.Month(), day.Day(), 9+rng.IntN(8), []int{0, 15, 30, 45}[rng.IntN(4)], 0, 0, ist)
		si := rng.IntN(len(svcIDs))
		svc := services[svcIdx[si]]
		begin, finish := local.UTC(), local.Add(time.Duration(svc.minutes)*time.Minute).UTC()
		booked := begin.Add(-time.Duration(1+rng.IntN(20*24)) * time.Hour)
		p := patients[rng.IntN(len(patients))]
		id := c.apptBase + int64(i)
		appt := schemas.CareQAppointment{
			CareQID: id, ClinicID: c.id, PatientCareQID: p.CareQID, DoctorCareQID: docIDs[rng.IntN(len(docIDs))],
			ServiceCareQID: svcIDs[si], BookDatetime: booked, StartDatetime: begin, EndDatetime: finish,
			Status: "booked", Location: ptr(fmt.Sprintf("Room %d", si+1)),
			Notes: ptr("Booked online by " + p.FirstName), Colour: ptr(svc.colour),
			Hash:      ptr(fmt.Sprintf("%s-%d-%08x", strings.ReplaceAll(c.id, "_", ""), id, rng.Uint32())),
			CreatedAt: tp(booked), UpdatedAt: tp(booked),
		}
		if i%9 == 4 {
			appt.ReferredBy, appt.ReferredByAddress = ptr("Dr. Kumar"), ptr("City Hospital, "+c.city)
		}
		add(booked, careqlog.EndpointAppointment, "", 201, "synced", appt)
		if !retried && i == 7 {
			// CareQ did not get the answer and retried 5 s later: same body, new
			// timestamp and signature; the stored answer comes back.
			events = append(events, sampleEvent{booked.Add(5 * time.Second), Delivery{ClinicID: c.id, Endpoint: careqlog.EndpointAppointment,
				Note: "retry of the appointment call above (same body): the stored answer is replayed", ExpectStatus: 201,
				ExpectSyncStatus: "synced", Body: mustMarshal(t, appt)}})
			retried = true
		}
		if i%5 == 1 {
			at := booked.Add(begin.Sub(booked) / 2)
			add(at, careqlog.EndpointStatus, "", 200, "updated", schemas.CareQAppointmentStatus{
				CareQID: id, ClinicID: c.id, Status: "confirmed", UpdatedAt: tp(at)})
		}
		if i >= n-3 {
			continue // the last few stay booked: nothing has happened yet
		}
		switch r := rng.IntN(100); {
		case r < 12:
			at := begin.Add(-time.Duration(2+rng.IntN(40)) * time.Hour)
			if at.Before(booked) {
				at = booked.Add(time.Hour)
			}
			add(at, careqlog.EndpointCancel, "", 200, "updated", schemas.CareQAppointmentCancel{
				CareQID: id, ClinicID: c.id, CancellationReason: ptr("Patient unavailable"),
				CancelledBy: ptr([]string{"patient", "clinic"}[rng.IntN(2)]), CancelledAt: tp(at)})
		case r < 20:
			at := finish.Add(time.Hour)
			add(at, careqlog.EndpointStatus, "", 200, "updated", schemas.CareQAppointmentStatus{
				CareQID: id, ClinicID: c.id, Status: "no-show", UpdatedAt: tp(at)})
		default:
			at := finish.Add(time.Duration(5+rng.IntN(60)) * time.Minute)
			add(at, careqlog.EndpointStatus, "", 200, "updated", schemas.CareQAppointmentStatus{
				CareQID: id, ClinicID: c.id, Status: "completed", Notes: ptr("Consultation completed; prescription given"),
				UpdatedAt: tp(at)})
		}
	}

	// A patient moves (a newer version), then a delayed older version arrives.
	p0 := *patients[0]
	old := *p0.UpdatedAt
	moved := p0
	movedAt := old.Add(200 * 24 * time.Hour)
	moved.Address, moved.UpdatedAt = ptr("Flat 12, Temple Lane"), tp(movedAt)
	add(movedAt, careqlog.EndpointPatient, "the patient moved: a newer version", 200, "updated", moved)
	stale := p0
	staleAt := old.Add(100 * 24 * time.Hour)
	stale.Language, stale.UpdatedAt = ptr("en-US"), tp(staleAt)
	add(movedAt.Add(time.Minute), careqlog.EndpointPatient,
		"delayed older version (updated_at before the stored one): ignored", 200, "stale_ignored", stale)

	if c.id == "clinic_riverside" {
		// A batch: a new patient and their first appointment, in order.
		at := time.Date(2026, 6, 1, 4, 30, 0, 0, time.UTC)
		np := schemas.CareQPatient{
			CareQID: c.patientBase + 100, ClinicID: c.id, FirstName: patientFirst[firsts[15]], LastName: patientLast[lasts[15]],
			Email:       ptr(strings.ToLower(patientFirst[firsts[15]]) + ".batch@example.com"),
			PhoneNumber: phone(rng), Gender: ptr("female"), DateOfBirth: ptr("1988-02-29"), City: ptr(c.city),
			AadharNumber: ptr(aadhaar(rng, true)), CreatedAt: tp(at), UpdatedAt: tp(at),
		}
		begin := time.Date(2026, 6, 3, 5, 0, 0, 0, time.UTC)
		na := schemas.CareQAppointment{
			CareQID: c.apptBase + 100, ClinicID: c.id, PatientCareQID: np.CareQID, DoctorCareQID: docIDs[0],
			ServiceCareQID: svcIDs[0], BookDatetime: at, StartDatetime: begin, EndDatetime: begin.Add(30 * time.Minute),
			Status: "confirmed", Hash: ptr(fmt.Sprintf("batch-%d", c.apptBase+100)), CreatedAt: tp(at), UpdatedAt: tp(at),
		}
		type rec struct {
			Type string `json:"type"`
			Data any    `json:"data"`
		}
		add(at, careqlog.EndpointBatch, "a batch: a new patient, then their appointment", 200, "", struct {
			ClinicID string `json:"clinic_id"`
			BatchID  string `json:"batch_id"`
			Records  []rec  `json:"records"`
		}{c.id, "batch_20260601_001", []rec{{"patient", np}, {"appointment", na}}})
		done := begin.Add(40 * time.Minute)
		add(done, careqlog.EndpointStatus, "", 200, "updated", schemas.CareQAppointmentStatus{
			CareQID: na.CareQID, ClinicID: c.id, Status: "completed", UpdatedAt: tp(done)})
	}
	if c.id == "clinic_abc" {
		// The first sync also brings past appointments from the clinic's own
		// records, years back: its CQC location re-registered three times
		// since (data/clinics.csv), so each was rated at another location.
		for k, day := range []time.Time{
			time.Date(2015, 11, 10, 0, 0, 0, 0, time.UTC), time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2020, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2022, 6, 15, 0, 0, 0, 0, time.UTC),
		} {
			begin := time.Date(day.Year(), day.Month(), day.Day(), 10, 30, 0, 0, ist).UTC()
			at := start.Add(time.Duration(k-24) * time.Hour) // after every patient and doctor, before the first booking
			add(at, careqlog.EndpointAppointment, "a past appointment imported by the first sync", 201, "synced", schemas.CareQAppointment{
				CareQID: c.apptBase + 100 + int64(k), ClinicID: c.id, PatientCareQID: patients[k].CareQID,
				DoctorCareQID: docIDs[k%len(docIDs)], ServiceCareQID: svcIDs[k%len(svcIDs)],
				BookDatetime: begin.Add(-72 * time.Hour), StartDatetime: begin, EndDatetime: begin.Add(30 * time.Minute),
				Status: "completed", CreatedAt: tp(begin.Add(-72 * time.Hour)), UpdatedAt: tp(begin.Add(time.Hour)),
			})
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })
	out := make([]Delivery, len(events))
	for i, e := range events {
		out[i] = e.d
	}
	return out
}

func phone(rng *rand.Rand) string {
	return fmt.Sprintf("%d%09d", 7+rng.IntN(3), rng.IntN(1_000_000_000))
}

func aadhaar(rng *rand.Rand, hyphens bool) string {
	d := fmt.Sprintf("%d%011d", 2+rng.IntN(8), rng.Int64N(100_000_000_000))
	sep := " "
	if hyphens {
		sep = "-"
	}
	return d[:4] + sep + d[4:8] + sep + d[8:]
}

// TestSampleDeliveriesAreGenerated keeps data/careq/deliveries/1*-3*.json equal
// to what generateClinic makes (run with -update to rewrite them).
func TestSampleDeliveriesAreGenerated(t *testing.T) {
	for _, c := range sampleClinics {
		ds := generateClinic(t, c)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(ds); err != nil {
			t.Fatal(err)
		}
		testkit.Golden(t, filepath.Join(deliveriesDir, c.file), buf.Bytes())
	}
}
