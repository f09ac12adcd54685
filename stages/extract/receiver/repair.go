package receiver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"carelake/pipeline/durable"
	"carelake/schemas/careqlog"
)

// RepairSegments seals every segment a crashed writer left open: the file is
// cut after its last complete record (a torn tail was never acknowledged),
// fsynced and renamed to its sealed name; an open segment without a complete
// record is removed. It returns how many segments it repaired. Only one
// writer may use a log directory (serve holds a lock on it).
func RepairSegments(dir string) (int, error) {
	paths, err := careqlog.OpenSegments(dir)
	if err != nil {
		return 0, err
	}
	for _, p := range paths {
		if err := repairSegment(p); err != nil {
			return 0, err
		}
	}
	return len(paths), nil
}

func repairSegment(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("careq log: repair: %w", err)
	}
	defer f.Close()
	good, err := careqlog.ScanRecords(f, func(*careqlog.LogRecord, int64) error { return nil })
	if err != nil && !errors.Is(err, careqlog.ErrTorn) {
		return fmt.Errorf("careq log: repair %s: %w", path, err)
	}
	if good == 0 {
		f.Close()
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("careq log: repair: %w", err)
		}
		return durable.SyncDir(filepath.Dir(path))
	}
	if err := f.Truncate(good); err != nil {
		return fmt.Errorf("careq log: repair %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("careq log: repair %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("careq log: repair %s: %w", path, err)
	}
	if err := os.Rename(path, careqlog.SealedName(path)); err != nil {
		return fmt.Errorf("careq log: repair: %w", err)
	}
	return durable.SyncDir(filepath.Dir(path))
}
