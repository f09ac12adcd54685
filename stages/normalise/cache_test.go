package normalise

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"carelake/schemas/archive"
	"carelake/schemas/leftscope"
)

// cacheLeft is the left-scope list of cacheArchive: 1-1 left when its
// segment 2 body was fetched (segment 2's saved index cannot say what it
// was before, segment 1's can); 1-5 after all of its bodies (every saved
// index can).
var cacheLeft = map[string]time.Time{"1-1": t0.Add(9 * time.Minute), "1-5": t0.Add(30 * time.Minute)}

// cacheArchive writes an archive of three segments (the last with a torn
// tail) holding good bodies, 404s before and after them, soft 429s (as an
// envelope and named in Error), a record without an ID, a taxonomy and a
// report, and the left-scope list cacheLeft when left is set. It returns
// the root and the segments.
func cacheArchive(t *testing.T, left bool) (string, []string) {
	t.Helper()
	loc := func(id, region string) json.RawMessage {
		return json.RawMessage(`{"locationId":"` + id + `","name":"Loc ` + id + `","region":"` + region + `"}`)
	}
	soft429 := json.RawMessage(`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 1 seconds."}`)
	gone := json.RawMessage(`{"statusCode":404,"message":"Location not found"}`)
	specs := []recordSpec{ // record i fetched at t0 + i minutes
		{Endpoint: "location", ID: "1-1", Status: 200, Body: loc("1-1", "London")},
		{Endpoint: "location", ID: "1-2", Status: 200, Body: loc("1-2", "London")},
		{Endpoint: "location", ID: "1-3", Status: 200, Body: soft429},
		{Endpoint: "provider", ID: "P1", Status: 200, Body: json.RawMessage(`{"providerId":"P1","name":"Old name"}`)},
		{Endpoint: "inspection_areas", Status: 200, Body: json.RawMessage(`{"inspectionAreas":[{"inspectionAreaId":"a","inspectionAreaName":"A","status":"Active"}]}`)},
		{Endpoint: "report", ID: "rep-1", Status: 200, Accept: "text/plain", BodyText: "Care Quality Commission\nA report\n"},
		{Endpoint: "location", ID: "1-4", Status: 404, Body: gone},
		{Endpoint: "location", ID: "1-5", Status: 200, Body: loc("1-5", "London")},
		{NewSession: true},
		{Endpoint: "location", ID: "1-1", Status: 200, Body: loc("1-1", "East")}, // t0+9m: found outside
		{Endpoint: "location", ID: "1-2", Status: 200, Body: soft429, Error: "soft 429"},
		{Endpoint: "location", ID: "1-4", Status: 200, Body: loc("1-4", "London")},
		{Endpoint: "location", ID: "1-2", Status: 404, Body: gone},
		{Endpoint: "provider", ID: "P1", Status: 200, Body: json.RawMessage(`{"providerId":"P1","name":"New name"}`)},
		{Endpoint: "location", Status: 200, Body: loc("1-9", "London")},
		{NewSession: true},
		{Endpoint: "location", ID: "1-6", Status: 200, Body: loc("1-6", "London")},
		{Endpoint: "location", ID: "1-1", Status: 404, Body: gone},
		{Endpoint: "location", ID: "1-5", Status: 200, Body: loc("1-5", "North")},
		{Endpoint: "location", ID: "1-3", Status: 503, BodyText: "<html>Gateway</html>"},
	}
	root := t.TempDir()
	writeRecords(t, root, specs)
	segments, err := archive.Segments(root)
	if err != nil || len(segments) != 3 {
		t.Fatalf("segments %v: %v", segments, err)
	}
	appendBytes(t, segments[2], []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00}) // a frame cut by a crash
	if left {
		if err := leftscope.Write(root, leftscope.List{GeneratedAt: "2026-11-21T03:00:00Z", Locations: cacheLeft}); err != nil {
			t.Fatal(err)
		}
	}
	return root, segments
}

func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// runCached runs normalise and returns every staged table and the summary
// (without its duration).
func runCached(t *testing.T, root string) (map[string][]byte, Summary) {
	t.Helper()
	sum, err := Run(context.Background(), Options{Root: root, SnapshotDate: snapshot, RunID: "20261121T030000Z-cache", Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	sum.Duration = 0
	return dumpNormalised(t, root), sum
}

// sameRun fails unless a run staged exactly what another did, and
// summarised it the same but for the segments read.
func sameRun(t *testing.T, what string, got, want map[string][]byte, gotSum, wantSum Summary) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d tables, want %d", what, len(got), len(want))
	}
	for table, rows := range want {
		if !bytes.Equal(got[table], rows) {
			t.Errorf("%s: %s differs:\n%s\nwant\n%s", what, table, got[table], rows)
		}
	}
	gotSum.SegmentsRead, wantSum.SegmentsRead = 0, 0
	if !reflect.DeepEqual(gotSum, wantSum) {
		t.Errorf("%s: summary %+v, want %+v", what, gotSum, wantSum)
	}
}

// A run that finds every segment's index saved stages exactly what a run
// without any does, with and without a left-scope list; with it, the one
// segment holding a leaver's body from after it left is read again.
func TestSavedIndexStagesTheSame(t *testing.T) {
	for _, left := range []bool{false, true} {
		root, segments := cacheArchive(t, left)
		cold, coldSum := runCached(t, root)
		if coldSum.SegmentsRead != 3 || coldSum.TornSegments != 1 || coldSum.Gone != 2 || coldSum.NoID != 1 || coldSum.Unusable != 1 {
			t.Fatalf("left %v: cold summary %+v", left, coldSum)
		}
		for _, p := range segments {
			if _, err := os.Stat(filepath.Join(cacheDir(root), filepath.Base(p)+cacheExt)); err != nil {
				t.Fatalf("no saved index: %v", err)
			}
		}
		rows := rowsOf(t, cold)
		if r := one(t, rows["locations"], "location_id", "1-1"); left != (r["region"] == "London") || left != (r["left_scope_at"] != nil) {
			t.Fatalf("left %v: 1-1 %v", left, r)
		}
		if len(rows["report_texts"]) != 1 || len(rows["inspection_area_taxonomy"]) != 1 {
			t.Fatalf("left %v: reports %v, taxonomy %v", left, rows["report_texts"], rows["inspection_area_taxonomy"])
		}
		warm, warmSum := runCached(t, root)
		sameRun(t, "warm", warm, cold, warmSum, coldSum)
		if want := map[bool]int{false: 0, true: 1}[left]; warmSum.SegmentsRead != want {
			t.Errorf("left %v: %d segments read with their index saved, want %d", left, warmSum.SegmentsRead, want)
		}
	}
}

// The saved index of a segment, loaded, is what indexSegment gives: without
// the left-scope list, and with it where cachedIndexSegment takes it.
func TestSavedIndexIsTheSegmentsIndex(t *testing.T) {
	root, segments := cacheArchive(t, false)
	ctx := context.Background()
	dir := cacheDir(root)
	for _, left := range []map[string]time.Time{nil, cacheLeft} {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for si, p := range segments {
			want, err := indexSegment(ctx, si, p, left)
			if err != nil {
				t.Fatal(err)
			}
			for _, warm := range []bool{false, true} {
				got, read, err := cachedIndexSegment(ctx, dir, si, p, left)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("segment %d, left %v, warm %v:\n%+v\nwant\n%+v", si, left, warm, got, want)
				}
				bypass := left != nil && si == 1
				if read != (!warm || bypass) {
					t.Errorf("segment %d, left %v, warm %v: read %v", si, left, warm, read)
				}
			}
			// A saved index is stamped with the segment's place now.
			if sx, ok := loadCache(filepath.Join(dir, filepath.Base(p)+cacheExt), fileSize(t, p), si+5); !ok || sx.taxonomy.ok && sx.taxonomy.at.seg != si+5 {
				t.Errorf("segment %d loaded at 5 further: %v %+v", si, ok, sx.taxonomy)
			} else {
				for k, e := range sx.entries {
					if e.hasGood && e.good.seg != si+5 || e.hasGone && e.gone.seg != si+5 {
						t.Fatalf("segment %d, %v at %+v", si, k, e)
					}
				}
			}
		}
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// A damaged, cut, empty or other-version saved index, or one of a segment
// that grew since, is not used: the segment is read in full, the run stages
// what it would without any saved index, and the index is saved again.
func TestDamagedSavedIndexIsRebuilt(t *testing.T) {
	rewrite := func(t *testing.T, file string, change func(c *segmentCache)) {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		var c segmentCache
		err = gob.NewDecoder(f).Decode(&c)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		change(&c)
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(&c); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, damage := range map[string]func(t *testing.T, file, segment string){
		"garbage": func(t *testing.T, file, _ string) {
			if err := os.WriteFile(file, []byte("not a saved index\x00\xff"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"cut": func(t *testing.T, file, _ string) {
			if err := os.Truncate(file, fileSize(t, file)/2); err != nil {
				t.Fatal(err)
			}
		},
		"empty": func(t *testing.T, file, _ string) {
			if err := os.Truncate(file, 0); err != nil {
				t.Fatal(err)
			}
		},
		"other version": func(t *testing.T, file, _ string) {
			// Taken for valid, it would say segment 1 holds no bodies.
			rewrite(t, file, func(c *segmentCache) {
				c.Version++
				c.Kinds, c.IDs, c.HasGood, c.HasGone, c.Good, c.Gone, c.GoodAt, c.GoneAt = nil, nil, nil, nil, nil, nil, nil, nil
			})
		},
		"columns of other lengths": func(t *testing.T, file, _ string) {
			rewrite(t, file, func(c *segmentCache) { c.GoodAt = c.GoodAt[1:] })
		},
		"segment grew": func(t *testing.T, _, segment string) {
			appendBytes(t, segment, []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00}) // now torn: TornSegments tells
		},
	} {
		t.Run(name, func(t *testing.T) {
			root, segments := cacheArchive(t, false)
			runCached(t, root)
			file := filepath.Join(cacheDir(root), filepath.Base(segments[0])+cacheExt)
			damage(t, file, segments[0])
			got, gotSum := runCached(t, root)
			if gotSum.SegmentsRead != 1 {
				t.Errorf("%d segments read, want the damaged one's", gotSum.SegmentsRead)
			}
			if _, ok := loadCache(file, fileSize(t, segments[0]), 0); !ok {
				t.Error("the index is not saved again")
			}
			if err := os.RemoveAll(cacheDir(root)); err != nil {
				t.Fatal(err)
			}
			want, wantSum := runCached(t, root)
			sameRun(t, name, got, want, gotSum, wantSum)
		})
	}
}

// The saved indexes of segments no longer in the archive are removed, and
// so is anything else in the directory (a killed run's temporary file); a
// segment being written is read in full every time and never saved.
func TestSavedIndexesFollowTheArchive(t *testing.T) {
	root, segments := cacheArchive(t, false)
	runCached(t, root)
	dir := cacheDir(root)
	if err := os.Remove(segments[1]); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"20250101T000000.000000000Z-00001.jsonl.zst.gob", ".x.gob.tmp-123"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	open := segments[2] + ".open"
	if err := os.Rename(segments[2], open); err != nil {
		t.Fatal(err)
	}
	segments = []string{segments[0], open}
	for range 2 {
		ix, err := buildIndex(context.Background(), dir, segments, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ix.read != 1 {
			t.Errorf("%d segments read, want the open one", ix.read)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{filepath.Base(segments[0]) + cacheExt}; !slices.Equal(names, want) {
		t.Errorf("saved indexes %v, want %v", names, want)
	}
}
