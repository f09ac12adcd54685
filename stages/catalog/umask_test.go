package catalog

import (
	"context"
	"testing"

	"carelake/internal/testkit"
)

// The catalog, its directory and the analyst's scripts follow the process
// umask (0644 and 0755 under 022, 0640 and 0750 under 027), so a BI
// service account in the operator's group can open carelake.duckdb. Not
// parallel: the umask is the whole process's.
func TestCatalogFollowsTheUmask(t *testing.T) {
	counts := testkit.ModesFollowUmask(t, func(root string) error {
		_, err := Run(context.Background(), Options{Root: root, Logger: quiet()})
		return err
	})
	for i, checked := range counts {
		// carelake.duckdb, sql/, sql/carelake.sql, sql/examples/...
		if checked[".duckdb file"] != 1 || checked[" dir"] < 2 || checked[".sql file"] < 2 {
			t.Errorf("umask %03o: walked %v", testkit.UmaskCases[i].Mask, checked)
		}
	}
}
