package careqlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Dir is the receiver's default log directory under a warehouse root
// (carelake serve --log-dir overrides it).
func Dir(root string) string { return filepath.Join(root, "raw", "careq") }

// Segment naming: careq-<first seq, 16 digits>.jsonl, and .open while written.
const (
	segmentPrefix = "careq-"
	// SealedSuffix ends the name of a sealed segment.
	SealedSuffix = ".jsonl"
	// OpenSuffix ends the name of the segment being written.
	OpenSuffix = ".jsonl.open"
)

var (
	// ErrSegmentDamaged means a sealed segment holds a line that is not a log
	// record (sealed segments are never torn).
	ErrSegmentDamaged = errors.New("careq log: damaged segment")
	// ErrTorn is where ScanRecords stops: a line that is not a complete
	// record, such as the tail a crashed writer left in its open segment.
	ErrTorn = errors.New("incomplete or malformed line")
)

// SegmentName is the name of the segment whose first record is seq first,
// without its suffix (SealedSuffix or OpenSuffix).
func SegmentName(first int64) string { return fmt.Sprintf("%s%016d", segmentPrefix, first) }

// SealedName is the path an open segment (path ending in OpenSuffix) has
// once sealed.
func SealedName(openPath string) string {
	return openPath[:len(openPath)-len(OpenSuffix)] + SealedSuffix
}

// SealedSegments lists the sealed segments of a log directory in write order
// (by name: careq-<first seq>.jsonl). The segment being written (.open) is
// not listed; a missing directory has none.
func SealedSegments(dir string) ([]string, error) {
	return listSegments(dir, SealedSuffix)
}

// OpenSegments lists the segments of a log directory that are not sealed:
// the one being written, or those a crashed writer left open.
func OpenSegments(dir string) ([]string, error) {
	return listSegments(dir, OpenSuffix)
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

// CheckpointName is the file in the log directory where the receiver keeps
// its state checkpoint (its own format, read by the receiver only).
const CheckpointName = "receiver.checkpoint"

// LoadedKind is the kind of input under which the warehouse records the
// segments it has loaded (schemas/loaded): normalise-careq skips them, the
// receiver may retire them.
const LoadedKind = "careq-segments"

// SegmentFirst is the seq of the first record of a segment, from its name.
func SegmentFirst(path string) (int64, error) {
	name := strings.TrimPrefix(filepath.Base(path), segmentPrefix)
	name = strings.TrimSuffix(strings.TrimSuffix(name, OpenSuffix), SealedSuffix)
	n, err := strconv.ParseInt(name, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("careq log: %s is not a segment name", path)
	}
	return n, nil
}

// ReadSegment calls fn with every record of a sealed segment, in Seq order.
// The record passed to fn is fn's to keep. A line that is not a record is
// an error wrapping ErrSegmentDamaged (sealed segments are never torn).
func ReadSegment(path string, fn func(*LogRecord) error) error {
	return ReadSegmentAfter(path, 0, fn)
}

// ReadSegmentAfter is ReadSegment for the records whose seq is above after:
// lines before them are skipped undecoded (their seq is read from the start
// of the line, where the writer puts it).
func ReadSegmentAfter(path string, after int64, fn func(*LogRecord) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("careq log: %w", err)
	}
	defer f.Close()
	_, err = scan(f, after, func(r *LogRecord, _ int64) error { return fn(r) })
	if errors.Is(err, ErrTorn) {
		return fmt.Errorf("%w: %s: %w", ErrSegmentDamaged, path, err)
	}
	if err != nil {
		return fmt.Errorf("careq log: %s: %w", path, err)
	}
	return nil
}

// ScanRecords reads JSON lines, calling fn with each record and the offset
// just past its line. It stops with ErrTorn at the first line that is not a
// complete record, returning the offset where the good part ends.
func ScanRecords(r io.Reader, fn func(*LogRecord, int64) error) (int64, error) {
	return scan(r, 0, fn)
}

// lineSeq reads the seq at the start of a log line ({"v":1,"seq":N,...}).
func lineSeq(line []byte) (int64, bool) {
	const prefix = `,"seq":`
	i := bytes.Index(line[:min(len(line), 16)], []byte(prefix))
	if i < 0 || !bytes.HasPrefix(line, []byte(`{"v":`)) {
		return 0, false
	}
	rest := line[i+len(prefix):]
	j := bytes.IndexByte(rest[:min(len(rest), 20)], ',')
	if j <= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return n, err == nil
}

func scan(r io.Reader, after int64, fn func(*LogRecord, int64) error) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var good int64
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(line) > 0 {
				return good, ErrTorn
			}
			return good, nil
		}
		if err != nil {
			return good, err
		}
		if seq, ok := lineSeq(line); after > 0 && ok && seq <= after {
			good += int64(len(line))
			continue
		}
		var rec LogRecord
		if err := json.Unmarshal(line, &rec); err != nil || rec.V == 0 || rec.Seq == 0 {
			return good, ErrTorn
		}
		good += int64(len(line))
		if err := fn(&rec, good); err != nil {
			return good, err
		}
	}
}
