package durable_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"carelake/internal/testkit"
	"carelake/pipeline"
	"carelake/pipeline/durable"
	"carelake/schemas/loaded"
	"carelake/schemas/warehouse"
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
	counts := testkit.ModesFollowUmask(t, func(root string) error {
		if err := durable.SaveJSON(filepath.Join(warehouse.StateDir(root), "cursor.json"), map[string]int{"n": 1}); err != nil {
			return err
		}
		atomicFile := filepath.Join(root, "a", "b", "f.txt")
		if err := durable.WriteFileAtomic(atomicFile, durable.FilePerm, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
			return err
		}
		if err := loaded.Mark(root, "test", []string{"s1"}); err != nil {
			return err
		}
		lock, err := pipeline.AcquireLock(filepath.Join(root, "wh"), "test")
		if err != nil {
			return err
		}
		lock.Release()
		dir, err := durable.MkdirUnique(root, ".tmp-*")
		if err != nil {
			return err
		}
		f, err := durable.CreateUnique(root, "part-*.parquet", durable.FilePerm)
		if err != nil {
			return err
		}
		f.Close()
		if !strings.HasPrefix(filepath.Base(dir), ".tmp-") || !strings.HasPrefix(filepath.Base(f.Name()), "part-") ||
			!strings.HasSuffix(f.Name(), ".parquet") {
			t.Errorf("unique names %s and %s do not follow their patterns", dir, f.Name())
		}
		return nil
	})
	for i, checked := range counts {
		dirs := 0
		for kind, n := range checked {
			if strings.HasSuffix(kind, " dir") {
				dirs += n
			}
		}
		// state/, a/, a/b/, wh/, .tmp-*/; the state file, the loaded
		// record, f.txt, the lock file and part-*.parquet.
		if dirs != 5 || checked[".json file"] != 2 ||
			checked[".txt file"] != 1 || checked[".lock file"] != 1 || checked[".parquet file"] != 1 {
			t.Errorf("umask %03o: walked %v", testkit.UmaskCases[i].Mask, checked)
		}
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
