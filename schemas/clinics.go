package schemas

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones of clinics.csv, whatever the host has installed
)

// Clinic maps a CareQ clinic to the CQC location it operates at. The mapping
// file is CSV with the header clinic_id,cqc_location_id,name and an optional
// fourth column, timezone.
type Clinic struct {
	ClinicID      string
	CQCLocationID string
	Name          string
	// Timezone is the IANA zone the clinic is in (DefaultClinicTimezone
	// when the file leaves it out): an appointment's rating is looked up on
	// its date there.
	Timezone string
}

// DefaultClinicTimezone is the zone of a clinic whose mapping names none: a
// clinic mapped to a CQC location is in England.
const DefaultClinicTimezone = "Europe/London"

// checkTimezone accepts an IANA zone name (Europe/London, Asia/Kolkata, UTC).
func checkTimezone(name string) error {
	if name == "" || name == "Local" || strings.HasPrefix(name, "/") {
		return fmt.Errorf("timezone %q is not an IANA zone name (like Europe/London)", name)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("timezone %q is not an IANA zone name (like Europe/London)", name)
	}
	return nil
}

// cqcIDPattern accepts the location IDs the API serves: 1-<digits>, or
// ODS-style codes of NHS trust sites (upper-case letters and digits).
var cqcIDPattern = regexp.MustCompile(`^(1-[0-9]+|[A-Z][A-Z0-9]{2,9})$`)

// ReadClinicsFile reads a clinic mapping file; see ReadClinics.
func ReadClinicsFile(path string) ([]Clinic, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("clinic mapping: %w", err)
	}
	defer f.Close()
	clinics, err := ReadClinics(f)
	if err != nil {
		return nil, fmt.Errorf("clinic mapping %s: %w", path, err)
	}
	return clinics, nil
}

// ReadClinics parses a clinic mapping. Every problem is reported with its
// line number; a file with any bad line is refused as a whole, so a typo
// never silently drops a clinic. Lower-case location IDs are upper-cased
// (the API answers 400 to them). With a fourth header column timezone, each
// line may name the clinic's IANA zone; an empty or missing one is
// DefaultClinicTimezone, an unknown one is an error naming the line.
func ReadClinics(r io.Reader) ([]Clinic, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file: expected the header clinic_id,cqc_location_id,name")
	}
	if err != nil {
		return nil, err
	}
	want := []string{"clinic_id", "cqc_location_id", "name", "timezone"}
	if len(header) < 2 || !equalFold(header[0], want[0]) || !equalFold(header[1], want[1]) {
		return nil, fmt.Errorf("line 1: header is %q, expected clinic_id,cqc_location_id,name[,timezone]", strings.Join(header, ","))
	}
	maxFields, expected := 3, "clinic_id,cqc_location_id,name"
	if len(header) == 4 && equalFold(header[3], want[3]) {
		maxFields, expected = 4, "clinic_id,cqc_location_id,name,timezone"
	} else if len(header) > 3 {
		return nil, fmt.Errorf("line 1: header is %q, expected clinic_id,cqc_location_id,name[,timezone]", strings.Join(header, ","))
	}
	var (
		out  []Clinic
		errs []string
		seen = map[string]int{}
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < 2 || len(rec) > maxFields {
			errs = append(errs, fmt.Sprintf("line %d: %d fields, expected %s", line, len(rec), expected))
			continue
		}
		c := Clinic{ClinicID: strings.TrimSpace(rec[0]), CQCLocationID: strings.ToUpper(strings.TrimSpace(rec[1])),
			Timezone: DefaultClinicTimezone}
		if len(rec) >= 3 {
			c.Name = strings.TrimSpace(rec[2])
		}
		if len(rec) == 4 && strings.TrimSpace(rec[3]) != "" {
			c.Timezone = strings.TrimSpace(rec[3])
		}
		tzErr := checkTimezone(c.Timezone)
		switch {
		case c.ClinicID == "":
			errs = append(errs, fmt.Sprintf("line %d: empty clinic_id", line))
		case len(c.ClinicID) > 100:
			errs = append(errs, fmt.Sprintf("line %d: clinic_id longer than 100 characters", line))
		case !cqcIDPattern.MatchString(c.CQCLocationID):
			errs = append(errs, fmt.Sprintf("line %d: cqc_location_id %q is not a CQC location ID (like 1-10000792582)", line, rec[1]))
		case tzErr != nil:
			errs = append(errs, fmt.Sprintf("line %d: %v", line, tzErr))
		case seen[c.ClinicID] != 0:
			errs = append(errs, fmt.Sprintf("line %d: clinic_id %q already mapped on line %d", line, c.ClinicID, seen[c.ClinicID]))
		default:
			seen[c.ClinicID] = line
			out = append(out, c)
		}
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	if len(out) == 0 {
		return nil, errors.New("no clinics: add lines clinic_id,cqc_location_id,name after the header")
	}
	return out, nil
}

func equalFold(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), b) }
