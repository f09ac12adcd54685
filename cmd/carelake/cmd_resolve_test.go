package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"carelake/pipeline"
)

func TestResolveFlags(t *testing.T) {
	root := filepath.Join(t.TempDir(), "wh")
	bad := filepath.Join(t.TempDir(), "clinics.csv")
	os.WriteFile(bad, []byte("clinic_id,cqc_location_id,name\nc1,not-an-id,X\n"), 0o644)
	code, _, errOut := run(t, "resolve", "--out", root, "--clinics", bad)
	if code != 2 || !strings.Contains(errOut, "--clinics") || !strings.Contains(errOut, "line 2") {
		t.Fatalf("bad clinics: exit %d, %q", code, errOut)
	}
	t.Setenv("CARELAKE_CLINICS", filepath.Join(t.TempDir(), "missing.csv"))
	code, _, errOut = run(t, "resolve", "--out", root)
	if code != 2 || !strings.Contains(errOut, "missing.csv") {
		t.Fatalf("clinics from the environment: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Fatalf("flags must be checked before any I/O: %v", err)
	}
	if code, _, _ := run(t, "resolve", "--out", root, "extra"); code != 2 {
		t.Fatalf("stray argument: exit %d", code)
	}
	t.Setenv("CARELAKE_CLINICS", "")
	lock, err := pipeline.AcquireLock(root, "run")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	code, _, errOut = run(t, "resolve", "--out", root)
	if code != 1 || !strings.Contains(errOut, "another carelake run holds the warehouse lock") {
		t.Errorf("under a held lock: exit %d, %q", code, errOut)
	}
}
