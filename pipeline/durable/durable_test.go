package durable

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestWriteFileAtomicKeepsOldFileOnError(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	if err := WriteFileAtomic(p, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFileAtomic(p, 0o644, func(w io.Writer) error { io.WriteString(w, "partial"); return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("old file changed: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary file left behind: %v", entries)
	}
}

func TestReplaceDir(t *testing.T) {
	for _, name := range []string{"exchange", "renames"} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			dst := filepath.Join(root, "snapshot_date=2026-11-21")
			mk := func(dir string, files ...string) {
				os.MkdirAll(dir, 0o755)
				for _, f := range files {
					os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644)
				}
			}
			replace := ReplaceDir
			if name == "renames" {
				replace = replaceDirByRenames
				mk(dst)
			}
			// First write: no destination yet (exchange path) or empty one.
			mk(filepath.Join(root, ".new1"), "a.parquet")
			if err := replace(filepath.Join(root, ".new1"), dst); err != nil {
				t.Fatal(err)
			}
			mk(filepath.Join(root, ".new2"), "b.parquet", "c.parquet")
			if err := replace(filepath.Join(root, ".new2"), dst); err != nil {
				t.Fatal(err)
			}
			if got := listDir(t, dst); got != "b.parquet,c.parquet" {
				t.Fatalf("partition holds %q", got)
			}
			if got := listDir(t, root); got != "snapshot_date=2026-11-21" {
				t.Fatalf("leftovers beside the partition: %q", got)
			}
		})
	}
}

func TestRecoverDirAfterCrashBetweenRenames(t *testing.T) {
	root := t.TempDir()
	dst := filepath.Join(root, "p")
	os.MkdirAll(dst+".old", 0o755)
	os.WriteFile(filepath.Join(dst+".old", "x"), nil, 0o644)
	if err := RecoverDir(dst); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dst); got != "x" {
		t.Fatalf("not restored: %q", got)
	}
}

func TestStateRoundTripAndDamage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state", "x.json")
	var v struct{ Watermark string }
	if err := LoadJSON(p, &v); err != nil || v.Watermark != "" {
		t.Fatalf("missing state: %v %+v", err, v)
	}
	v.Watermark = "2026-11-21T02:00:00Z"
	if err := SaveJSON(p, v); err != nil {
		t.Fatal(err)
	}
	var w struct{ Watermark string }
	if err := LoadJSON(p, &w); err != nil || w != v {
		t.Fatalf("round trip: %v %+v", err, w)
	}
	os.WriteFile(p, []byte("{"), 0o644)
	if err := LoadJSON(p, &w); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Fatalf("damaged state error should say what to do: %v", err)
	}
}

func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}
