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
		{"clinic_abc", "1-10000792582", "Orchids Care"},
		{"clinic_nhs", "RL4X1", "Ward 1, Royal"},
	}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2].ClinicID != "clinic_x" {
		t.Fatalf("got %+v", got)
	}
}

func TestReadClinicsRejectsBadFiles(t *testing.T) {
	for name, tc := range map[string]struct{ in, wantErr string }{
		"empty":        {"", "empty file"},
		"no header":    {"clinic_abc,1-101,x\n", "line 1: header"},
		"header only":  {"clinic_id,cqc_location_id,name\n", "no clinics"},
		"bad id":       {"clinic_id,cqc_location_id,name\nc1,12345,x\n", `line 2: cqc_location_id "12345"`},
		"duplicate":    {"clinic_id,cqc_location_id,name\nc1,1-101,x\nc1,1-102,y\n", "line 3: clinic_id \"c1\" already mapped on line 2"},
		"empty clinic": {"clinic_id,cqc_location_id,name\n,1-101,x\n", "line 2: empty clinic_id"},
		"many fields":  {"clinic_id,cqc_location_id,name\nc1,1-101,x,extra\n", "line 2: 4 fields"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadClinics(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}
