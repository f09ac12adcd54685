package marts

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/internal/testkit/loadtest"
	"carelake/internal/testkit/parquetcheck"
	"carelake/schemas"
	sqlfiles "carelake/sql"
	"carelake/stages/load"
)

// loadedWarehouse loads a small CQC snapshot (two locations, one rated) into a
// new warehouse.
func loadedWarehouse(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	fetched := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	loc := func(id string) loadtest.Row {
		return loadtest.Row{"location_id": id, "name": "Place " + id, "registration_status": "Registered", "unpublished_report_count": 0,
			"fetched_at": fetched, "archive_segment": "raw/cqc/x.jsonl.zst", "archive_seq": 1}
	}
	loadtest.StageTables(t, root, "normalise-cqc", "run-1", "2026-11-21", schemas.CQCTables(), map[string][]loadtest.Row{
		"cqc/locations": {loc("1-101"), loc("1-102")},
		"cqc/location_ratings": {{"location_id": "1-101", "kind": "overall", "name": "Overall", "rating": "Good", "rating_category": "good",
			"report_date": "2025-01-10", "report_link_id": "r1", "inherited": false, "framework": "legacy", "in_effect": true}},
	})
	if _, err := load.Run(context.Background(), load.Options{Root: root, Version: "test"}); err != nil {
		t.Fatal(err)
	}
	return root
}

// martFiles lists every file under marts/, with its size and time.
func martFiles(t *testing.T, root string) map[string]os.FileInfo {
	t.Helper()
	out := map[string]os.FileInfo{}
	filepath.WalkDir(filepath.Join(root, "marts"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			out[path] = info
		}
		return err
	})
	return out
}

func TestRunWritesEveryMartUnderThePolicy(t *testing.T) {
	root := loadedWarehouse(t)
	sum, err := Run(context.Background(), Options{Root: root, Version: "test", RunID: "20261121T020000.000Z"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Marts) != len(schemas.Marts()) || sum.Rows != 2+1 {
		t.Fatalf("summary %+v", sum)
	}
	files := martFiles(t, root)
	for _, m := range schemas.Marts() {
		if len(m.PartitionBy) > 0 {
			continue // no CareQ rows: no partition
		}
		found := false
		for path := range files {
			if strings.HasPrefix(path, filepath.Join(root, "marts", m.Name)+"/") {
				found = true
				parquetcheck.Compare(t, path)
				parquetcheck.Policy(t, path)
			}
		}
		if !found {
			t.Errorf("mart %s has no file", m.Name)
		}
	}
	if _, err := os.Stat(filepath.Join(root, tmpDirName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary area left: %v", err)
	}
}

// A cancelled run, and one whose view disagrees with its declaration, leave
// every mart as it was and no temporary files.
func TestFailedRunKeepsTheMarts(t *testing.T) {
	root := loadedWarehouse(t)
	if _, err := Run(context.Background(), Options{Root: root, Version: "test"}); err != nil {
		t.Fatal(err)
	}
	before := martFiles(t, root)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{Root: root, Version: "test"}); err == nil {
		t.Fatal("a cancelled run succeeded")
	}

	views, err := fstestViews()
	if err != nil {
		t.Fatal(err)
	}
	bad := slices.Clone(schemas.Marts())
	bad[0].Columns = append(slices.Clone(bad[0].Columns), schemas.Field("extra", arrow.BinaryTypes.String, true, "not in the SQL"))
	_, err = Run(context.Background(), Options{Root: root, Version: "test", views: views, marts: bad})
	if err == nil || !strings.Contains(err.Error(), "change sql/views.sql and schemas/views.go together") {
		t.Fatalf("a view unlike its declaration: %v", err)
	}

	after := martFiles(t, root)
	if len(after) != len(before) {
		t.Fatalf("%d mart files before, %d after", len(before), len(after))
	}
	for path, info := range before {
		if a, ok := after[path]; !ok || !os.SameFile(info, a) {
			t.Errorf("%s replaced", path)
		}
	}
	if _, err := os.Stat(filepath.Join(root, tmpDirName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary area left: %v", err)
	}
}

// fstestViews is sql/views.sql as a file system of its own.
func fstestViews() (fstest.MapFS, error) {
	b, err := sqlfiles.Files.ReadFile(sqlfiles.Views)
	return fstest.MapFS{sqlfiles.Views: {Data: b}}, err
}
