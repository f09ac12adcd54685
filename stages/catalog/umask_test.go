package catalog

import (
	"context"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
)

// The catalog, its directory and the analyst's scripts follow the process
// umask (0644 and 0755 under 022, 0640 and 0750 under 027), so a BI
// service account in the operator's group can open carelake.duckdb. Not
// parallel: the umask is the whole process's.
func TestCatalogFollowsTheUmask(t *testing.T) {
	for _, tc := range []struct {
		mask      int
		dir, file fs.FileMode
	}{{0o022, 0o755, 0o644}, {0o027, 0o750, 0o640}} {
		old := syscall.Umask(tc.mask)
		root := filepath.Join(t.TempDir(), "warehouse")
		_, err := Run(context.Background(), Options{Root: root, Logger: quiet()})
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			want := tc.file
			if d.IsDir() {
				want = tc.dir
			}
			if got := info.Mode().Perm(); got != want {
				t.Errorf("umask %03o: %s has mode %03o, want %03o", tc.mask, path, got, want)
			}
			n++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n < 5 { // root, carelake.duckdb, sql/, sql/carelake.sql, sql/examples/...
			t.Errorf("umask %03o: only %d entries", tc.mask, n)
		}
	}
}
