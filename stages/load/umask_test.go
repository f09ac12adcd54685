package load

import (
	"os"
	"path/filepath"
	"testing"

	"carelake/internal/testkit"
	"carelake/internal/testkit/loadtest"
)

// Everything a staging write and a load create in the warehouse follows the
// process umask, so a BI service account sees the partitions: directories
// 0755 and files 0644 under umask 022, 0750 and 0640 under 027 (never the
// 0700 of os.MkdirTemp). Not parallel: the umask is the whole process's.
func TestWarehouseFollowsTheUmask(t *testing.T) {
	var roots []string
	counts := testkit.ModesFollowUmask(t, func(root string) error {
		roots = append(roots, root)
		loadtest.Stage(t, root, "normalise-test", "run-1", 10, day)
		mustRun(t, opts(root))
		// A merge rewrites the partition through the temporary area too.
		stageEvents(t, root, "run-2", map[string]int{"s1": 2}, partA)
		_, err := Run(t.Context(), mergeOpts(root))
		return err
	})
	for i, checked := range counts {
		mask := testkit.UmaskCases[i].Mask
		// The walk saw partition directories, Parquet files, staged files,
		// the manifests and the state files.
		for _, p := range []string{partDir, eventsTable.Dataset + "/" + partA, ManifestName, "state/load.json",
			"staging/normalise-test/manifest.json", tmpDirName} {
			if _, err := os.Stat(filepath.Join(roots[i], p)); err != nil {
				t.Errorf("umask %03o: %v", mask, err)
			}
		}
		if checked[".parquet file"] < 2 || checked[".arrow file"] < 1 || checked[".json file"] < 4 {
			t.Errorf("umask %03o: walked %v", mask, checked)
		}
	}
}
