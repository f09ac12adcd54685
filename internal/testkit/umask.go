package testkit

import (
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
)

// UmaskCase is a process umask and the modes that directories and files
// created under it must have.
type UmaskCase struct {
	Mask      int
	Dir, File fs.FileMode
}

// UmaskCases are the umasks the warehouse is tested under: the usual 022
// and the group-only 027 an operator sets so that a BI service account in
// the group reads the warehouse.
var UmaskCases = []UmaskCase{{0o022, 0o755, 0o644}, {0o027, 0o750, 0o640}}

// ModesFollowUmask runs write into a fresh directory under each of
// UmaskCases and fails t for every entry below it whose mode is not the
// case's. It returns, per case, how many entries it checked by kind: the
// extension and "file" or "dir" (".parquet file", " dir"). Tests calling it
// must not run in parallel: the umask is the whole process's.
func ModesFollowUmask(t *testing.T, write func(root string) error) []map[string]int {
	t.Helper()
	var counts []map[string]int
	for _, tc := range UmaskCases {
		root := filepath.Join(t.TempDir(), "warehouse")
		old := syscall.Umask(tc.Mask)
		err := write(root)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		checked := map[string]int{}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || path == root {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			want, kind := tc.File, "file"
			if d.IsDir() {
				want, kind = tc.Dir, "dir"
			}
			rel, _ := filepath.Rel(root, path)
			if got := info.Mode().Perm(); got != want {
				t.Errorf("umask %03o: %s %s has mode %03o, want %03o", tc.Mask, kind, rel, got, want)
			}
			checked[filepath.Ext(path)+" "+kind]++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, checked)
	}
	return counts
}
