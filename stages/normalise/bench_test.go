package normalise

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/batch"
)

// fixtureBodies returns the compacted fixture bodies of one kind ("location_"
// or "provider_") with the ID each one carries.
func fixtureBodies(t testing.TB, prefix string) (bodies [][]byte, ids []string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "bodies", prefix+"*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, b); err != nil {
			t.Fatal(err)
		}
		var head struct{ LocationID, ProviderID string }
		json.Unmarshal(b, &head)
		bodies = append(bodies, compact.Bytes())
		if prefix == "location_" {
			ids = append(ids, head.LocationID)
		} else {
			ids = append(ids, head.ProviderID)
		}
	}
	return bodies, ids
}

// variant returns fixture body i (mod the fixtures) re-identified as id.
func variant(bodies [][]byte, ids []string, key string, i int, id string) []byte {
	k := i % len(bodies)
	return bytes.Replace(bodies[k], []byte(`"`+key+`":"`+ids[k]+`"`), []byte(`"`+key+`":"`+id+`"`), 1)
}

func discardTables() *tables {
	return newTables(batch.DefaultRows, func(schemas.Table) batch.Sink { return func(arrow.RecordBatch) error { return nil } })
}

// FuzzDecodeBody feeds arbitrary bodies through the soft-429 check, decoding
// and row building: it must never panic, and each body gives either its rows
// or one reject. Large seeds make minimisation slow: run it with
// -fuzzminimizetime 2s.
func FuzzDecodeBody(f *testing.F) {
	locs, _ := fixtureBodies(f, "location_")
	provs, _ := fixtureBodies(f, "provider_")
	for _, b := range locs {
		f.Add(b, false)
	}
	for _, b := range provs {
		f.Add(b, true)
	}
	for _, s := range []string{`null`, `[]`, `{}`, `{"locationId":"1-1","numberOfBeds":1e400}`, `{"locationId":"1-1","currentRatings":{"overall":null}}`,
		`{"locationId":"1-1","historicRatings":[{"overall":{"keyQuestionRatings":[{}]}}]}`, `{"locationId":"1-1","assessment":[{"ratings":{"overall":[{}]}}]}`,
		`{"locationId":"1-1","registrationDate":"9999-99-99"}`, `{"providerId":"1-1","locationIds":[null]}`} {
		f.Add([]byte(s), strings.Contains(s, "providerId"))
	}
	// One table set for every input (batches go nowhere): a fresh set per
	// input would make each run, and so minimisation, 50 times slower.
	tb := discardTables()
	em := &emitter{t: tb}
	f.Fuzz(func(t *testing.T, body []byte, provider bool) {
		o := origin{kind: kindLocation, id: "1-1", segment: "raw/cqc/x.jsonl.zst", seq: 1, fetchedAt: t0}
		main := tb.locations
		if provider {
			o.kind, main = kindProvider, tb.providers
		}
		rows, rejects, bodyRejects := main.Rows(), tb.rejects.Rows(), em.bodyRejects
		archive.IsErrorEnvelope(body) // the index pass's check must not panic either
		d := decode(o, body)
		if err := em.emit(&d); err != nil {
			t.Fatal(err)
		}
		switch {
		case d.reason != "":
			if main.Rows() != rows || em.bodyRejects != bodyRejects+1 || tb.rejects.Rows() != rejects+1 {
				t.Fatalf("rejected body left rows: %s", d.reason)
			}
		case main.Rows() != rows+1:
			t.Fatalf("accepted body gave %d rows", main.Rows()-rows)
		}
	})
}

// BenchmarkDecodeBuildLocations measures the hot path per location body:
// JSON decoding into schemas.Location plus appending every table's rows.
func BenchmarkDecodeBuildLocations(b *testing.B) {
	bodies, ids := fixtureBodies(b, "location_")
	const n = 1024
	set := make([][]byte, n)
	size := 0
	for i := range set {
		set[i] = variant(bodies, ids, "locationId", i, "1-"+strconv.Itoa(100000+i))
		size += len(set[i])
	}
	tb := discardTables()
	defer tb.close()
	em := &emitter{t: tb}
	b.SetBytes(int64(size / n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % n
		d := decode(origin{kind: kindLocation, id: "1-" + strconv.Itoa(100000+k), fetchedAt: t0}, set[k])
		if err := em.emit(&d); err != nil {
			b.Fatal(err)
		}
	}
}

// genArchive writes an archive of nLoc location and nProv provider bodies,
// varied from the fixtures, as the extract would (one record per Append).
func genArchive(b testing.TB, root string, nLoc, nProv int) {
	locs, locIDs := fixtureBodies(b, "location_")
	provs, provIDs := fixtureBodies(b, "provider_")
	w, err := archive.Open(root, archive.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < nLoc+nProv; i++ {
		r := &archive.Record{FetchedAt: t0.Add(time.Duration(i) * time.Millisecond), Method: "GET", Attempt: 1, Status: 200}
		if i < nLoc {
			r.ID = "1-" + strconv.Itoa(1000000+i)
			r.Endpoint, r.URL = archive.EndpointLocation, "/locations/"+r.ID
			r.SetBody(variant(locs, locIDs, "locationId", i, r.ID))
		} else {
			r.ID = "1-" + strconv.Itoa(9000000+i)
			r.Endpoint, r.URL = archive.EndpointProvider, "/providers/"+r.ID
			r.SetBody(variant(provs, provIDs, "providerId", i, r.ID))
		}
		if err := w.Append(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRun measures a whole normalise run (index pass, decode, stage)
// over a generated archive; CARELAKE_BENCH_BODIES sets the number of bodies
// (default 10000, 70% locations); CARELAKE_BENCH_ROOT keeps the generated
// archive in that directory for later runs.
func BenchmarkRun(b *testing.B) {
	n := 10000
	if s := os.Getenv("CARELAKE_BENCH_BODIES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	nLoc := n * 7 / 10
	root := os.Getenv("CARELAKE_BENCH_ROOT")
	if root == "" {
		root = b.TempDir()
	}
	if segs, _ := archive.Segments(root); len(segs) == 0 {
		genArchive(b, root, nLoc, n-nLoc)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sum, err := Run(context.Background(), Options{Root: root, SnapshotDate: snapshot})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Locations != nLoc || sum.RejectedBodies != 1*nLoc/len(mustGlob(b, "location_")) {
			// location_wrong_type.json is one fixture in len(fixtures): exactly its variants are rejected.
			b.Fatalf("summary %+v", sum)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "bodies/s")
}

func mustGlob(b testing.TB, prefix string) []string {
	files, _ := filepath.Glob(filepath.Join("testdata", "bodies", prefix+"*.json"))
	if len(files) == 0 {
		b.Fatalf("no %s fixtures", prefix)
	}
	return files
}

// BenchmarkIndexPass measures the first pass (buildIndex) over the archive
// of BenchmarkRun (CARELAKE_BENCH_ROOT: e.g. a national one) without saved
// segment indexes (cold: every segment read in full, its index saved) and
// with them (warm), and reports the size of the saved indexes.
func BenchmarkIndexPass(b *testing.B) {
	root := os.Getenv("CARELAKE_BENCH_ROOT")
	if root == "" {
		root = b.TempDir()
	}
	segments, _ := archive.Segments(root)
	if len(segments) == 0 {
		genArchive(b, root, 7000, 3000)
		segments, _ = archive.Segments(root)
	}
	dir := cacheDir(root)
	pass := func(b *testing.B) *index {
		ix, err := buildIndex(context.Background(), dir, segments, runtime.GOMAXPROCS(0), nil)
		if err != nil {
			b.Fatal(err)
		}
		return ix
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			if err := os.RemoveAll(dir); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if ix := pass(b); ix.read != len(segments) {
				b.Fatalf("%d of %d segments read", ix.read, len(segments))
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		pass(b)
		for b.Loop() {
			if ix := pass(b); ix.read != 0 {
				b.Fatalf("%d segments read with their index saved", ix.read)
			}
		}
		var size int64
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			if fi, err := f.Info(); err == nil {
				size += fi.Size()
			}
		}
		b.ReportMetric(float64(size), "saved_bytes")
	})
}
