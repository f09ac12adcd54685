package schemas

import (
	"strings"
	"testing"
)

func TestReadClinics(t *testing.T) {
	got, err := ReadClinics(strings.NewReader("clinic_id,cqc_location_id,name\nclinic_abc,1-10000792582,Orchids Care\n\nclinic_nhs, rl4x1 ,\"Ward 1, Royal\"\nclinic_x,1-101\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Clinic{
		{ClinicID: "clinic_abc", CQCLocationID: "1-10000792582", Name: "Orchids Care", Timezone: "Europe/London"},
		{ClinicID: "clinic_nhs", CQCLocationID: "RL4X1", Name: "Ward 1, Royal", Timezone: "Europe/London"},
	}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2].ClinicID != "clinic_x" {
		t.Fatalf("got %+v", got)
	}
}

func TestReadClinicsRejectsBadFiles(t *testing.T) {
	for name, tc := range map[string]struct{ in, wantErr string }{
		"empty":                              {"", "empty file"},
		"no header":                          {"clinic_abc,1-101,x\n", "line 1: header"},
		"header only":                        {"clinic_id,cqc_location_id,name\n", "no clinics"},
		"bad id":                             {"clinic_id,cqc_location_id,name\nc1,12345,x\n", `line 2: cqc_location_id "12345"`},
		"duplicate":                          {"clinic_id,cqc_location_id,name\nc1,1-101,x\nc1,1-102,y\n", "line 3: clinic_id \"c1\" already mapped on line 2"},
		"empty clinic":                       {"clinic_id,cqc_location_id,name\n,1-101,x\n", "line 2: empty clinic_id"},
		"many fields":                        {"clinic_id,cqc_location_id,name\nc1,1-101,x,extra\n", "line 2: 4 fields"},
		"many fields with a timezone column": {"clinic_id,cqc_location_id,name,timezone\nc1,1-101,x,UTC,extra\n", "line 2: 5 fields"},
		"unknown zone":                       {"clinic_id,cqc_location_id,name,timezone\nc1,1-101,x,UTC\nc2,1-102,y,Europe/Londn\n", `line 3: timezone "Europe/Londn" is not an IANA zone name`},
		"local zone":                         {"clinic_id,cqc_location_id,name,timezone\nc1,1-101,x,Local\n", `line 2: timezone "Local"`},
		"bad header":                         {"clinic_id,cqc_location_id,name,zone\nc1,1-101,x,UTC\n", "line 1: header"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadClinics(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestReadClinicsTimezones(t *testing.T) {
	got, err := ReadClinics(strings.NewReader("clinic_id,cqc_location_id,name,timezone\n" +
		"london,1-101,A,\nmumbai,1-102,B,Asia/Kolkata\nutc,1-103,C,UTC\nshort,1-104\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Europe/London", "Asia/Kolkata", "UTC", "Europe/London"}
	for i, c := range got {
		if c.Timezone != want[i] {
			t.Errorf("%s: timezone %q, want %q", c.ClinicID, c.Timezone, want[i])
		}
	}
}
