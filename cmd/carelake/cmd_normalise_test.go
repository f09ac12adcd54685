package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carelake/pipeline"
	"carelake/schemas/archive"
	"carelake/schemas/staging"
	"carelake/schemas/wanted"
	"carelake/stages/normalise"
)

// archiveBodies writes detail responses (endpoint, id, body) to the raw archive.
func archiveBodies(t *testing.T, root string, recs ...[3]string) {
	t.Helper()
	w, err := archive.Open(root, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		rec := &archive.Record{FetchedAt: time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC), Method: "GET",
			URL: "/" + r[0] + "s/" + r[1], Endpoint: r[0], ID: r[1], Attempt: 1, Status: 200}
		rec.SetBody([]byte(r[2]))
		if err := w.Append(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestNormaliseThenResolveCommands(t *testing.T) {
	root := t.TempDir()
	code, _, errOut := run(t, "normalise", "--out", root)
	if code != 1 || !strings.Contains(errOut, "run 'carelake extract' first") {
		t.Fatalf("empty archive: exit %d, %q", code, errOut)
	}
	code, _, errOut = run(t, "resolve", "--out", root)
	if code != 1 || !strings.Contains(errOut, "\ncarelake: resolve: staging: ") || !strings.Contains(errOut, "run 'carelake normalise' first") {
		t.Fatalf("resolve before normalise: exit %d, %q", code, errOut)
	}

	archiveBodies(t, root,
		[3]string{"location", "1-20", `{"locationId":"1-20","providerId":"1-P","name":"Café Zoë","registrationStatus":"Registered",
			"relationships":[{"relatedLocationId":"1-10","type":"HSCA Predecessor","reason":"New Provider"}],
			"currentRatings":{"overall":{"rating":"Good","reportDate":"2024-01-02","reportLinkId":"r1","organisationId":"1-10","keyQuestionRatings":[]}}}`},
		[3]string{"location", "1-30", `{"locationId":"1-30","numberOfBeds":"many"}`},
		[3]string{"provider", "1-P", `{"providerId":"1-P","locationIds":["1-20"],"name":"P","relationships":[]}`},
	)
	t.Setenv("CARELAKE_SNAPSHOT_DATE", "2026-11-20")
	code, out, errOut := run(t, "normalise", "--out", root, "--log-level", "warn")
	if code != 0 {
		t.Fatalf("normalise: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"snapshot 2026-11-20", "2 locations, 1 providers", "rejects: 1 bodies",
		"cqc/locations                                 1 rows", "next: carelake resolve"} {
		if !strings.Contains(out, want) {
			t.Errorf("normalise output lacks %q:\n%s", want, out)
		}
	}
	m, err := staging.Open(root, normalise.Stage)
	if err != nil || len(m.Find("cqc/locations")) != 1 || m.Find("cqc/locations")[0].Path != "cqc/locations/snapshot_date=2026-11-20" {
		t.Fatalf("staged: %+v %v", m, err)
	}
	if m.Meta["source"] != "CQC Syndication API v1, "+normalise.DefaultAPIBase {
		t.Errorf("source %q", m.Meta["source"])
	}

	clinics := filepath.Join(t.TempDir(), "clinics.csv")
	os.WriteFile(clinics, []byte("clinic_id,cqc_location_id,name\nc1,1-10,Old\nc2,1-20,New\n"), 0o644)
	code, out, errOut = run(t, "resolve", "--out", root, "--clinics", clinics, "--log-level", "warn")
	if code != 0 {
		t.Fatalf("resolve: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"snapshot 2026-11-20", "0 of 1 inherited ratings traced", "clinics: current 1, unknown_location 1",
		"cqc/clinic_locations", "wanted by the next extract: 1 locations, 0 providers", "next: carelake load"} {
		if !strings.Contains(out, want) {
			t.Errorf("resolve output lacks %q:\n%s", want, out)
		}
	}
	var w wanted.List
	b, _ := os.ReadFile(wanted.Path(root))
	if err := json.Unmarshal(b, &w); err != nil || len(w.Locations) != 1 || w.Locations[0] != "1-10" {
		t.Fatalf("wanted %s %v", b, err)
	}
}

func TestNormaliseFlags(t *testing.T) {
	root := filepath.Join(t.TempDir(), "wh")
	code, _, errOut := run(t, "normalise", "--out", root, "--snapshot-date", "21/11/2026")
	if code != 2 || !strings.Contains(errOut, "--snapshot-date") {
		t.Fatalf("bad date: exit %d, %q", code, errOut)
	}
	if code, _, _ := run(t, "normalise", "--out", root, "extra"); code != 2 {
		t.Fatalf("stray argument: exit %d", code)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Fatalf("flags must be checked before any I/O: %v", err)
	}
	lock, err := pipeline.AcquireLock(root, "run")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	code, _, errOut = run(t, "normalise", "--out", root)
	if code != 1 || !strings.Contains(errOut, "another carelake run holds the warehouse lock") {
		t.Errorf("under a held lock: exit %d, %q", code, errOut)
	}
}
