package careq

import (
	"bufio"
	"carelake/pipeline/durable"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// SealedSegments lists the sealed segments of a log directory in write order
// (by name: careq-<first seq>.jsonl). The segment being written (.open) is
// not listed; a missing directory has none.
func SealedSegments(dir string) ([]string, error) {
	return listSegments(dir, sealedSuffix)
}

func listSegments(dir, suffix string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("careq log: list %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasPrefix(n, segmentPrefix) && strings.HasSuffix(n, suffix) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	sort.Strings(out)
	return out, nil
}

// ReadSegment calls fn with every record of a sealed segment, in Seq order.
// The record passed to fn is fn's to keep. A line that is not a record is
// an error wrapping ErrSegmentDamaged (sealed segments are never torn).
func ReadSegment(path string, fn func(*LogRecord) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("careq log: %w", err)
	}
	defer f.Close()
	_, err = scanRecords(f, func(r *LogRecord, _ int64) error { return fn(r) })
	if errors.Is(err, errTorn) {
		return fmt.Errorf("%w: %s: %w", ErrSegmentDamaged, path, err)
	}
	if err != nil {
		return fmt.Errorf("careq log: %s: %w", path, err)
	}
	return nil
}

var errTorn = errors.New("incomplete or malformed line")

// scanRecords reads JSON lines, calling fn with each record and the offset
// just past its line. It stops with errTorn at the first line that is not a
// complete record, returning the offset where the good part ends.
func scanRecords(r io.Reader, fn func(*LogRecord, int64) error) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var good int64
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(line) > 0 {
				return good, errTorn
			}
			return good, nil
		}
		if err != nil {
			return good, err
		}
		var rec LogRecord
		if err := json.Unmarshal(line, &rec); err != nil || rec.V == 0 || rec.Seq == 0 {
			return good, errTorn
		}
		good += int64(len(line))
		if err := fn(&rec, good); err != nil {
			return good, err
		}
	}
}

// RepairSegments seals every segment a crashed writer left open: the file is
// cut after its last complete record (a torn tail was never acknowledged),
// fsynced and renamed to its sealed name; an open segment without a complete
// record is removed. It returns how many segments it repaired. Only one
// writer may use a log directory (serve holds a lock on it).
func RepairSegments(dir string) (int, error) {
	paths, err := listSegments(dir, openSuffix)
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
	good, err := scanRecords(f, func(*LogRecord, int64) error { return nil })
	if err != nil && !errors.Is(err, errTorn) {
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
	if err := os.Rename(path, sealedName(path)); err != nil {
		return fmt.Errorf("careq log: repair: %w", err)
	}
	return durable.SyncDir(filepath.Dir(path))
}
