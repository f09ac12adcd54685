package durable_test

import (
	"carelake/pipeline"
	"carelake/pipeline/durable"
	"carelake/schemas/loaded"
	"carelake/schemas/warehouse"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// withUmask runs fn with the process umask set to mask, restoring the old
// one after. The umask is the whole process's: callers must not be
// parallel tests.
func withUmask(t *testing.T, mask int, fn func()) {
	t.Helper()
	old := syscall.Umask(mask)
	defer syscall.Umask(old)
	fn()
}

// mode is the permission bits of path.
func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// The files and directories the pipeline creates follow the umask: a BI
// service account in the operator's group (027) or anyone (022) can read
// them, which os.MkdirTemp's 0700 and os.CreateTemp's 0600 would forbid.
func TestCreatedFilesFollowTheUmask(t *testing.T) {
	for _, tc := range []struct {
		mask      int
		dir, file os.FileMode
	}{{0o022, 0o755, 0o644}, {0o027, 0o750, 0o640}} {
		withUmask(t, tc.mask, func() {
			root := t.TempDir()
			state := filepath.Join(warehouse.StateDir(root), "cursor.json")
			if err := durable.SaveJSON(state, map[string]int{"n": 1}); err != nil {
				t.Fatal(err)
			}
			atomicFile := filepath.Join(root, "a", "b", "f.txt")
			if err := durable.WriteFileAtomic(atomicFile, durable.FilePerm, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
				t.Fatal(err)
			}
			if err := loaded.Mark(root, "test", []string{"s1"}); err != nil {
				t.Fatal(err)
			}
			lock, err := pipeline.AcquireLock(filepath.Join(root, "wh"), "test")
			if err != nil {
				t.Fatal(err)
			}
			lock.Release()
			dir, err := durable.MkdirUnique(root, ".tmp-*")
			if err != nil {
				t.Fatal(err)
			}
			f, err := durable.CreateUnique(root, "part-*.parquet", durable.FilePerm)
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			if !strings.HasPrefix(filepath.Base(dir), ".tmp-") || !strings.HasPrefix(filepath.Base(f.Name()), "part-") ||
				!strings.HasSuffix(f.Name(), ".parquet") {
				t.Errorf("unique names %s and %s do not follow their patterns", dir, f.Name())
			}
			for _, d := range []string{warehouse.StateDir(root), filepath.Join(root, "a"), filepath.Join(root, "a", "b"), filepath.Join(root, "wh"), dir} {
				if got := mode(t, d); got != tc.dir {
					t.Errorf("umask %03o: directory %s has mode %03o, want %03o", tc.mask, d, got, tc.dir)
				}
			}
			for _, p := range []string{state, atomicFile, loaded.File(root, "test"), filepath.Join(root, "wh", ".carelake.lock"), f.Name()} {
				if got := mode(t, p); got != tc.file {
					t.Errorf("umask %03o: file %s has mode %03o, want %03o", tc.mask, p, got, tc.file)
				}
			}
		})
	}
}

// A caller's perm below durable.FilePerm is an upper bound the umask cannot widen.
func TestWriteFileAtomicPermIsAnUpperBound(t *testing.T) {
	withUmask(t, 0o022, func() {
		p := filepath.Join(t.TempDir(), "secret")
		if err := durable.WriteFileAtomic(p, 0o600, func(w io.Writer) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if got := mode(t, p); got != 0o600 {
			t.Fatalf("mode %03o, want 0600", got)
		}
	})
}

func TestUniqueNamesDoNotCollide(t *testing.T) {
	root := t.TempDir()
	seen := map[string]bool{}
	for range 200 {
		d, err := durable.MkdirUnique(root, "x-*")
		if err != nil {
			t.Fatal(err)
		}
		f, err := durable.CreateUnique(root, "y-*.tmp", durable.FilePerm)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if seen[d] || seen[f.Name()] {
			t.Fatalf("name reused: %s %s", d, f.Name())
		}
		seen[d], seen[f.Name()] = true, true
	}
}
