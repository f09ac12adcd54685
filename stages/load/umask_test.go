package load

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"carelake/internal/testkit/loadtest"
)

// Everything a staging write and a load create in the warehouse follows the
// process umask, so a BI service account sees the partitions: directories
// 0755 and files 0644 under umask 022, 0750 and 0640 under 027 (never the
// 0700 of os.MkdirTemp). Not parallel: the umask is the whole process's.
func TestWarehouseFollowsTheUmask(t *testing.T) {
	for _, tc := range []struct {
		mask      int
		dir, file fs.FileMode
	}{{0o022, 0o755, 0o644}, {0o027, 0o750, 0o640}} {
		old := syscall.Umask(tc.mask)
		root := t.TempDir()
		loadtest.Stage(t, root, "normalise-test", "run-1", 10, day)
		mustRun(t, opts(root))
		// A merge rewrites the partition through the temporary area too.
		stageEvents(t, root, "run-2", map[string]int{"s1": 2}, partA)
		_, err := Run(t.Context(), mergeOpts(root))
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
			want, kind := tc.file, "file"
			if d.IsDir() {
				want, kind = tc.dir, "dir"
			}
			rel, _ := filepath.Rel(root, path)
			if got := info.Mode().Perm(); got != want {
				t.Errorf("umask %03o: %s %s has mode %03o, want %03o", tc.mask, kind, rel, got, want)
			}
			checked[filepath.Ext(path)+" "+kind]++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The walk saw partition directories, Parquet files, staged files,
		// the manifests and the state files.
		for _, p := range []string{partDir, eventsTable.Dataset + "/" + partA, ManifestName, "state/load.json",
			"staging/normalise-test/manifest.json", tmpDirName} {
			if _, err := os.Stat(filepath.Join(root, p)); err != nil {
				t.Errorf("umask %03o: %v", tc.mask, err)
			}
		}
		if checked[".parquet file"] < 2 || checked[".arrow file"] < 1 || checked[".json file"] < 4 {
			t.Errorf("umask %03o: walked %v", tc.mask, checked)
		}
	}
}
