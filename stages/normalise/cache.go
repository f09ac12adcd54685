package normalise

import (
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas/warehouse"
)

// cacheVersion is the layout of the saved segment indexes (and the rules
// indexSegment keeps by); files of another version are rebuilt.
const cacheVersion = 1

// cacheExt ends the name of a segment's saved index: the segment's file
// name and this.
const cacheExt = ".gob"

// cacheDir holds the index of each sealed archive segment, as indexSegment
// gives it without any left-scope list. A sealed segment never changes, so
// its index is computed once and a run reads in full only the segments
// written since the last run (the first pass over a national archive took
// 1.6 s a night for what it already knew). It is normalise's own, beside
// extract's summaries (state/cqc-extract-segments/). Deleting the directory
// is always safe: it is rebuilt.
func cacheDir(root string) string {
	return filepath.Join(warehouse.StateDir(root), "cqc-normalise-segments")
}

// segmentCache is a segmentIndex on disk. Positions are seqs alone: the
// segment's place in the archive is stamped when it is loaded, as it moves
// when segments are added before it (a repaired crash) or removed. The
// entries are columns, their times Unix nanoseconds (an instant is all
// normalise uses of a fetch time), in gob: a national segment's 166k entries
// decode in about 0.1 s (5 MB), where the same as JSON took 0.18 s (9.5 MB),
// and a warm first pass takes 0.11 s where reading the segment took 1.4 s
// (BenchmarkIndexPass).
type segmentCache struct {
	Version       int
	Size          int64 // of the segment file indexed
	Records, NoID int
	Torn          bool
	Taxonomy      cachedLatest
	Reports       map[string]cachedLatest
	// Entries, entry i of each column.
	Kinds            []entityKind
	IDs              []string
	HasGood, HasGone []bool
	Good, Gone       []int64 // seqs
	GoodAt, GoneAt   []int64 // Unix nanoseconds
}

type cachedLatest struct {
	Seq int64
	OK  bool
	Got time.Time
}

// cachedIndexSegment is indexSegment through the cache in dir: a sealed
// segment's index comes from its saved file when that is valid (of this
// version and the segment's size), else the segment is read in full and its
// index saved. An unreadable or damaged file is only a miss. It reports
// whether the segment was read in full.
//
// The saved index is made without left, so it stays valid when the list
// changes. With left, indexSegment differs only for a listed location's
// good bodies fetched at or after it left: they count as not good, though
// the location is still seen (it has an entry, as here) and its 404s are
// the same. So when the saved entry's latest good body was fetched before
// it left, that body is also the latest good one with left, and the saved
// entry is the one. Otherwise the saved index cannot say which older body
// is the latest from before it left: the segment is read again with left
// (read twice when it had no saved index, a rare case), and its saved
// index kept as it is.
func cachedIndexSegment(ctx context.Context, dir string, si int, path string, left map[string]time.Time) (segmentIndex, bool, error) {
	if strings.HasSuffix(path, ".open") { // being written: not sealed, never saved
		sx, err := indexSegment(ctx, si, path, left)
		return sx, true, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return segmentIndex{}, false, err
	}
	file := filepath.Join(dir, filepath.Base(path)+cacheExt)
	sx, ok := loadCache(file, fi.Size(), si)
	read := !ok
	if !ok {
		if sx, err = indexSegment(ctx, si, path, nil); err != nil {
			return sx, true, err
		}
		if err := saveCache(file, fi.Size(), &sx); err != nil {
			return sx, true, fmt.Errorf("save the index of archive segment %s: %w", path, err)
		}
	}
	if leftSince(&sx, left) {
		sx, err = indexSegment(ctx, si, path, left)
		read = true
	}
	return sx, read, err
}

// leftSince reports whether some location of left has its latest good body
// in sx fetched at or after it left (sx was indexed without left).
func leftSince(sx *segmentIndex, left map[string]time.Time) bool {
	for id, at := range left {
		if e, ok := sx.entries[entityKey{kindLocation, id}]; ok && e.hasGood && !e.goodAt.Before(at) {
			return true
		}
	}
	return false
}

// loadCache reads a saved segment index as segment si's, if it is valid
// for a segment of size bytes.
func loadCache(file string, size int64, si int) (segmentIndex, bool) {
	f, err := os.Open(file)
	if err != nil {
		return segmentIndex{}, false
	}
	defer f.Close()
	var c segmentCache
	if err := gob.NewDecoder(f).Decode(&c); err != nil || c.Version != cacheVersion || c.Size != size {
		return segmentIndex{}, false
	}
	n := len(c.IDs)
	if len(c.Kinds) != n || len(c.HasGood) != n || len(c.HasGone) != n || len(c.Good) != n || len(c.Gone) != n || len(c.GoodAt) != n || len(c.GoneAt) != n {
		return segmentIndex{}, false
	}
	// A position is stamped only where there is one (as indexSegment
	// leaves the others zero).
	at := func(l cachedLatest) latest {
		if !l.OK {
			return latest{}
		}
		return latest{pos{si, l.Seq}, true, l.Got}
	}
	sx := segmentIndex{entries: make(map[entityKey]entry, n), reports: make(map[string]latest, len(c.Reports)),
		records: c.Records, noID: c.NoID, torn: c.Torn, taxonomy: at(c.Taxonomy)}
	for id, l := range c.Reports {
		sx.reports[id] = at(l)
	}
	for i, id := range c.IDs {
		var e entry
		if c.HasGood[i] {
			e.good, e.hasGood, e.goodAt = pos{si, c.Good[i]}, true, time.Unix(0, c.GoodAt[i]).UTC()
		}
		if c.HasGone[i] {
			e.gone, e.hasGone, e.goneAt = pos{si, c.Gone[i]}, true, time.Unix(0, c.GoneAt[i]).UTC()
		}
		sx.entries[entityKey{c.Kinds[i], id}] = e
	}
	return sx, true
}

// saveCache saves sx as the index of a segment of size bytes, atomically:
// a run killed while saving leaves the old file or none, never a part.
func saveCache(file string, size int64, sx *segmentIndex) error {
	n := len(sx.entries)
	c := segmentCache{Version: cacheVersion, Size: size, Records: sx.records, NoID: sx.noID, Torn: sx.torn,
		Taxonomy: cachedLatest{sx.taxonomy.at.seq, sx.taxonomy.ok, sx.taxonomy.got},
		Reports:  make(map[string]cachedLatest, len(sx.reports)),
		Kinds:    make([]entityKind, 0, n), IDs: make([]string, 0, n), HasGood: make([]bool, 0, n), HasGone: make([]bool, 0, n),
		Good: make([]int64, 0, n), Gone: make([]int64, 0, n), GoodAt: make([]int64, 0, n), GoneAt: make([]int64, 0, n)}
	for id, l := range sx.reports {
		c.Reports[id] = cachedLatest{l.at.seq, l.ok, l.got}
	}
	nanos := func(t time.Time, ok bool) int64 {
		if !ok {
			return 0
		}
		return t.UnixNano()
	}
	for k, e := range sx.entries {
		c.Kinds, c.IDs = append(c.Kinds, k.kind), append(c.IDs, k.id)
		c.HasGood, c.HasGone = append(c.HasGood, e.hasGood), append(c.HasGone, e.hasGone)
		c.Good, c.Gone = append(c.Good, e.good.seq), append(c.Gone, e.gone.seq)
		c.GoodAt, c.GoneAt = append(c.GoodAt, nanos(e.goodAt, e.hasGood)), append(c.GoneAt, nanos(e.goneAt, e.hasGone))
	}
	return durable.WriteFileAtomic(file, durable.FilePerm, func(w io.Writer) error { return gob.NewEncoder(w).Encode(&c) })
}

// pruneCache removes the saved indexes of segments no longer in the archive,
// and anything else in dir (a temporary file a killed run left).
func pruneCache(dir string, segments []string) {
	keep := make(map[string]bool, len(segments))
	for _, p := range segments {
		keep[filepath.Base(p)+cacheExt] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !keep[e.Name()] {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
