package careqgen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"carelake/schemas"
)

// Invented data: UK-style names and towns, example e-mail domains.

type town struct{ city, county, postcode string }

var towns = []town{
	{"Leeds", "West Yorkshire", "LS"}, {"Bristol", "Bristol", "BS"}, {"Norwich", "Norfolk", "NR"},
	{"Exeter", "Devon", "EX"}, {"York", "North Yorkshire", "YO"}, {"Leicester", "Leicestershire", "LE"},
	{"Brighton", "East Sussex", "BN"}, {"Reading", "Berkshire", "RG"}, {"Derby", "Derbyshire", "DE"},
	{"Oxford", "Oxfordshire", "OX"}, {"Cambridge", "Cambridgeshire", "CB"}, {"Sheffield", "South Yorkshire", "S"},
	{"Nottingham", "Nottinghamshire", "NG"}, {"Manchester", "Greater Manchester", "M"}, {"Liverpool", "Merseyside", "L"},
	{"Newcastle upon Tyne", "Tyne and Wear", "NE"}, {"Plymouth", "Devon", "PL"}, {"Southampton", "Hampshire", "SO"},
	{"Bath", "Somerset", "BA"}, {"Lincoln", "Lincolnshire", "LN"}, {"Ipswich", "Suffolk", "IP"},
	{"Carlisle", "Cumbria", "CA"}, {"Worcester", "Worcestershire", "WR"}, {"Chester", "Cheshire", "CH"},
}

var (
	firstNames = []string{"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy",
		"Leo", "Lily", "Arthur", "Freya", "Muhammad", "Florence", "Oscar", "Grace", "Charlie", "Sophia",
		"Thomas", "Emily", "Jacob", "Poppy", "Alfie", "Evie", "Henry", "Ella", "Aarav", "Priya", "Zofia",
		"Jakub", "Aisha", "Yusuf", "Chloe", "Daniel", "Hannah", "Samuel", "Ruby", "William", "Margaret",
		"Peter", "Susan", "David", "Patricia", "Kwame", "Ngozi", "Siobhan", "Rhys", "Eilidh"}
	lastNames = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
		"Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
		"Wood", "Jackson", "Clarke", "Khan", "Lewis", "Harris", "Hughes", "Edwards", "Ahmed", "Kowalski",
		"Okafor", "Murphy", "Campbell", "Shah", "Begum", "Turner", "Hill", "Moore", "Cooper", "Ward",
		"Morris", "King", "Baker", "Singh", "Mensah", "Nowak", "O'Brien", "Price", "Bennett", "Gray"}
	streets = []string{"High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue",
		"Mill Lane", "The Crescent", "London Road", "Queen Street", "Manor Way", "Orchard Close", "Green Lane"}
	emailDomains = []string{"example.com", "example.org", "example.net", "mail.example.co.uk"}
	languages    = []string{"en-GB", "en-GB", "en-GB", "en-GB", "en-GB", "en-GB", "pl-PL", "ur-PK", "pa-IN", "ro-RO", "cy-GB"}
	bloodGroups  = []string{"A+", "A-", "B+", "B-", "O+", "O-", "AB+", "AB-"}

	doctorFirst = []string{"Dr. Sarah", "Dr. James", "Dr. Aisha", "Dr. Tom", "Dr. Helen", "Dr. Raj", "Dr. Claire",
		"Dr. Ben", "Dr. Fatima", "Dr. Owen", "Dr. Naomi", "Dr. Marek", "Dr. Chidi", "Dr. Laura", "Nurse Emma", "Nurse Paul"}
	doctorLast = []string{"Ashworth", "Bancroft", "Chowdhury", "Dunmore", "Ellison", "Fairbairn", "Gupta",
		"Hargreaves", "Iqbal", "Jennings", "Kaur", "Lindqvist", "Mwangi", "Northcott", "Osei", "Penrose"}
	specialisations = []string{"General Practice", "General Practice", "General Practice", "Paediatrics",
		"Dermatology", "Cardiology", "Physiotherapy", "Practice Nursing", "Dentistry", "Women's Health",
		"Musculoskeletal", "Mental Health"}

	cancelReasons = []string{"Patient unavailable", "Feeling better", "Booked by mistake", "Clinician unavailable",
		"Rebooked at another time", "Transport problems", "Clinic closure"}
	cancelledBy = []string{"patient", "patient", "patient", "clinic", "doctor"}
	apptNotes   = []string{"First visit", "Follow-up requested by clinician", "Medication review",
		"Patient asked for a female clinician", "Interpreter needed", "Results discussion"}
)

type serviceKind struct {
	name, category string
	minutes        int64
	price          string // GBP
	colour         string
	weight         float64 // how often it is booked
}

var serviceKinds = []serviceKind{
	{"GP Consultation", "Consultation", 15, "45.00", "#3498db", 10},
	{"Extended Consultation", "Consultation", 30, "85.00", "#2980b9", 3},
	{"Follow-up Appointment", "Consultation", 10, "30.00", "#2ecc71", 6},
	{"Nurse Appointment", "Nursing", 20, "35.00", "#1abc9c", 5},
	{"Blood Test", "Diagnostics", 10, "25.00", "#e74c3c", 4},
	{"Flu Vaccination", "Vaccination", 10, "18.50", "#9b59b6", 2},
	{"Travel Vaccination", "Vaccination", 15, "65.00", "#8e44ad", 1},
	{"Physiotherapy Session", "Therapy", 45, "60.00", "#e67e22", 2},
	{"Minor Surgery", "Procedures", 40, "150.00", "#c0392b", 0.5},
	{"Health Check", "Preventive", 30, "99.00", "#16a085", 1.5},
	{"Dental Check-up", "Dental", 20, "55.00", "#f1c40f", 2},
	{"ECG", "Diagnostics", 20, "75.00", "#d35400", 1},
	{"Cervical Screening", "Screening", 15, "40.00", "#27ae60", 1},
}

func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

func ptr[T any](v T) *T { return &v }

func utc(t time.Time) *time.Time {
	u := t.UTC()
	return &u
}

// postcodeLetters are the letters of a UK inward code.
const postcodeLetters = "ABDEFGHJLNPQRSTUWXYZ"

func postcode(rng *rand.Rand, prefix string) string {
	return fmt.Sprintf("%s%d %d%c%c", prefix, 1+rng.IntN(29), rng.IntN(10),
		postcodeLetters[rng.IntN(len(postcodeLetters))], postcodeLetters[rng.IntN(len(postcodeLetters))])
}

// phone10 is a 10-digit mobile number (a UK mobile without its trunk zero).
func phone10(rng *rand.Rand) string { return fmt.Sprintf("7%09d", rng.IntN(1_000_000_000)) }

func aadhaar(rng *rand.Rand) string {
	d := fmt.Sprintf("%d%011d", 2+rng.IntN(8), rng.Int64N(100_000_000_000))
	sep := []string{" ", "-", ""}[rng.IntN(3)]
	return d[:4] + sep + d[4:8] + sep + d[8:]
}

// seeded returns a generator for one entity: the same (seed, parts) always
// gives the same values, whatever was generated before.
func seeded(seed int64, parts ...uint64) *rand.Rand {
	h := mix(uint64(seed)) //nolint:gosec // a seed's bits
	for _, p := range parts {
		h = mix(h ^ p)
	}
	return rand.New(rand.NewPCG(h, mix(h^0x9e3779b97f4a7c15))) //nolint:gosec // reproducible test data, not secrets
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Seed domains, so entities of different kinds never share a generator.
const (
	domPatient uint64 = iota + 1
	domPatientVersion
	domDoctor
	domService
	domAppointment
	domClinic
	domSecret
)

// patientVersion builds version v of a patient: version 0 as created, each
// later version one change (phone, e-mail, address, language or notes).
func patientVersion(seed int64, cl *clinicSim, p *patSim) *schemas.CareQPatient {
	rng := seeded(seed, domPatient, uint64(p.id)) //nolint:gosec // IDs are positive
	first, last := pick(rng, firstNames), pick(rng, lastNames)
	x := &schemas.CareQPatient{
		CareQID: p.id, ClinicID: cl.id, FirstName: first, LastName: last,
		PhoneNumber: phone10(rng),
		City:        ptr(cl.town.city), State: ptr(cl.town.county),
		Timezone: ptr("Europe/London"), Language: ptr(pick(rng, languages)),
		CreatedAt: utc(time.Unix(p.created, 0)),
	}
	if rng.IntN(100) < 85 {
		x.Email = ptr(fmt.Sprintf("%s.%s%d@%s", strings.ToLower(first), strings.ToLower(strings.ReplaceAll(last, "'", "")),
			rng.IntN(100), pick(rng, emailDomains)))
	}
	if rng.IntN(100) < 95 {
		y := 1930 + rng.IntN(95)
		x.DateOfBirth = ptr(time.Date(y, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
	}
	switch r := rng.IntN(100); {
	case r < 49:
		x.Gender = ptr("female")
	case r < 97:
		x.Gender = ptr("male")
	case r < 98:
		x.Gender = ptr("other")
	}
	if rng.IntN(100) < 90 {
		x.Address = ptr(fmt.Sprintf("%d %s", 1+rng.IntN(180), pick(rng, streets)))
		x.ZipCode = ptr(postcode(rng, cl.town.postcode))
	}
	if rng.IntN(100) < 10 {
		x.AadharNumber = ptr(aadhaar(rng))
	}
	if rng.IntN(100) < 25 {
		x.SpouseName = ptr(pick(rng, firstNames) + " " + last)
	}
	if rng.IntN(100) < 10 {
		x.FatherName = ptr(pick(rng, firstNames) + " " + last)
	}
	if rng.IntN(100) < 30 {
		x.CustomField1 = ptr("Blood Group: " + pick(rng, bloodGroups))
	}
	if rng.IntN(100) < 15 {
		x.CustomField2 = ptr("Allergies: " + pick(rng, []string{"None", "Penicillin", "Latex", "Nuts"}))
	}
	if rng.IntN(100) < 20 {
		x.Notes = ptr("Prefers " + pick(rng, []string{"morning", "afternoon", "telephone"}) + " appointments")
	}
	for v := uint16(1); v <= p.version; v++ {
		vr := seeded(seed, domPatientVersion, uint64(p.id), uint64(v)) //nolint:gosec // IDs are positive
		switch vr.IntN(5) {
		case 0:
			x.PhoneNumber = phone10(vr)
		case 1:
			x.Email = ptr(fmt.Sprintf("%s%d@%s", strings.ToLower(first), 100+vr.IntN(900), pick(vr, emailDomains)))
		case 2:
			x.Address = ptr(fmt.Sprintf("%d %s", 1+vr.IntN(180), pick(vr, streets)))
			x.ZipCode = ptr(postcode(vr, cl.town.postcode))
		case 3:
			x.Language = ptr(pick(vr, languages))
		default:
			x.Notes = ptr(fmt.Sprintf("Details updated at visit %d", v))
		}
	}
	x.UpdatedAt = utc(time.Unix(p.updated, 0))
	return x
}

// doctorVersion builds version v of a doctor (later versions change the
// notes, the phone or is_private).
func doctorVersion(seed int64, cl *clinicSim, d *docSim) *schemas.CareQDoctor {
	rng := seeded(seed, domDoctor, uint64(d.id)) //nolint:gosec // IDs are positive
	first, last := pick(rng, doctorFirst), pick(rng, doctorLast)
	_, given, _ := strings.Cut(first, " ")
	x := &schemas.CareQDoctor{
		CareQID: d.id, ClinicID: cl.id, FirstName: first, LastName: last,
		Email:       ptr(strings.ToLower(given+"."+last) + "@" + strings.ReplaceAll(cl.id, "_", "-") + ".example.org"),
		PhoneNumber: ptr("0" + fmt.Sprintf("%d", 1100000000+rng.IntN(900000000))),
		Address:     ptr(fmt.Sprintf("%d %s", 1+rng.IntN(60), pick(rng, streets))),
		City:        ptr(cl.town.city), State: ptr(cl.town.county), ZipCode: ptr(postcode(rng, cl.town.postcode)),
		Specialisation: ptr(pick(rng, specialisations)),
		Notes:          ptr(pick(rng, []string{"Available Mon-Fri", "Mornings only", "Tue-Sat", "Part time"})),
		IsPrivate:      ptr(rng.IntN(10) == 0),
		Timezone:       ptr("Europe/London"), Language: ptr("en-GB"),
		CreatedAt: utc(time.Unix(d.created, 0)),
	}
	if rng.IntN(3) > 0 {
		x.MobileNumber = ptr("+44 " + phone10(rng))
	}
	for v := uint16(1); v <= d.version; v++ {
		vr := seeded(seed, domDoctor, uint64(d.id), uint64(v)) //nolint:gosec // IDs are positive
		switch vr.IntN(3) {
		case 0:
			x.Notes = ptr(pick(vr, []string{"On leave in August", "Now also on Saturdays", "Reduced hours", "Back from leave"}))
		case 1:
			x.MobileNumber = ptr("+44 " + phone10(vr))
		default:
			x.IsPrivate = ptr(!*x.IsPrivate)
		}
	}
	x.UpdatedAt = utc(time.Unix(d.updated, 0))
	return x
}

// serviceVersion builds version v of a service (each version a price rise).
func serviceVersion(cl *clinicSim, s *svcSim) *schemas.CareQService {
	k := serviceKinds[s.kind]
	price := json.Number(k.price)
	if s.version > 0 {
		var pounds, pence int64
		if _, err := fmt.Sscanf(k.price, "%d.%d", &pounds, &pence); err != nil {
			panic("careqgen: service price " + k.price + ": " + err.Error()) // the table above is ours
		}
		p := (pounds*100 + pence) * (100 + 4*int64(s.version)) / 100
		price = json.Number(fmt.Sprintf("%d.%02d", p/100, p%100))
	}
	return &schemas.CareQService{
		CareQID: s.id, ClinicID: cl.id, Name: k.name, Duration: k.minutes, Price: &price, Currency: ptr("GBP"),
		Description: ptr(k.name + " at " + cl.town.city), Location: ptr(fmt.Sprintf("Room %d", s.room)),
		Colour: ptr(k.colour), Category: ptr(k.category), IsPrivate: ptr(false),
		CreatedAt: utc(time.Unix(s.created, 0)), UpdatedAt: utc(time.Unix(s.updated, 0)),
	}
}

// appointmentRecord is the full appointment as CareQ sends it, with the
// status and updated_at given.
func appointmentRecord(seed int64, cl *clinicSim, a *apptSim, status string, updated time.Time) *schemas.CareQAppointment {
	rng := seeded(seed, domAppointment, uint64(a.id)) //nolint:gosec // IDs are positive
	svc := &cl.services[a.service]
	x := &schemas.CareQAppointment{
		CareQID: a.id, ClinicID: cl.id, PatientCareQID: a.patient, DoctorCareQID: cl.doctors[a.doctor].id,
		ServiceCareQID: svc.id, BookDatetime: time.Unix(a.book, 0).UTC(),
		StartDatetime: time.Unix(a.start, 0).UTC(), EndDatetime: time.Unix(a.end, 0).UTC(),
		Status: status, Location: ptr(fmt.Sprintf("Room %d", svc.room)), Colour: ptr(serviceKinds[svc.kind].colour),
		Hash:      ptr(fmt.Sprintf("%x%08x", a.id, rng.Uint32())),
		CreatedAt: utc(time.Unix(a.book, 0)), UpdatedAt: utc(updated),
	}
	if rng.IntN(100) < 30 {
		x.Notes = ptr(pick(rng, apptNotes))
	}
	if rng.IntN(100) < 3 {
		x.Prescription = json.RawMessage(`"Repeat prescription review"`)
	}
	if rng.IntN(100) < 5 {
		x.ReferredBy = ptr("Dr. " + pick(rng, lastNames))
		x.ReferredByAddress = ptr(cl.town.city + " General Hospital")
	}
	return x
}
