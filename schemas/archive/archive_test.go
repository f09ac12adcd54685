package archive

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	gojson "github.com/goccy/go-json"
)

func rec(id string, status int, body string) *Record {
	r := &Record{
		FetchedAt: time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC),
		Method:    "GET", URL: "/locations/" + id, Endpoint: EndpointLocation, ID: id,
		Attempt: 1, Status: status, Headers: map[string]string{"Content-Type": "application/json"},
	}
	r.SetBody([]byte(body))
	return r
}

func readAll(t *testing.T, root string) ([]Record, SegmentStats) {
	t.Helper()
	var out []Record
	st, err := Scan(root, func(r *Record) error { out = append(out, *r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out, st
}

func TestRoundTrip(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pretty := "{\n  \"locationId\": \"1-1\",\n  \"name\": \"Caf\u00e9 <&> Care\"\n}"
	if err := w.Append(rec("1-1", 200, pretty)); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(rec("1-2", 403, "<html>Microsoft-Azure-Application-Gateway/v2</html>"), rec("1-3", 200, `{"locationId":"1-3","na`)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, st := readAll(t, root)
	if st.Torn || st.Records != 3 || len(got) != 3 {
		t.Fatalf("stats %+v, %d records", st, len(got))
	}
	if got[0].ID != "1-1" || got[0].Seq != 1 || got[2].Seq != 3 || got[0].Session != w.Session() {
		t.Fatalf("order/seq wrong: %+v", got)
	}
	if string(got[0].Body) != `{"locationId":"1-1","name":"Café <&> Care"}` {
		t.Fatalf("body not kept compact and unescaped: %s", got[0].Body)
	}
	if got[1].Body != nil || !strings.Contains(got[1].BodyText, "Gateway") {
		t.Fatalf("HTML body should be text: %+v", got[1])
	}
	if got[2].Body != nil || got[2].BodyText != `{"locationId":"1-3","na` || got[2].BodyBytes != 23 {
		t.Fatalf("truncated JSON should be kept as text: %+v", got[2])
	}
	segs, _ := Segments(root)
	if len(segs) != 1 || !strings.HasSuffix(segs[0], sealedExt) {
		t.Fatalf("want one sealed segment, got %v", segs)
	}
}

func TestConcurrentAppendsKeepEveryRecord(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{MaxSegmentBytes: 2 << 10})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				id := fmt.Sprintf("1-%d%03d", g, i)
				if err := w.Append(rec(id, 200, `{"locationId":"`+id+`"}`)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, root)
	if len(got) != 400 {
		t.Fatalf("got %d records, want 400", len(got))
	}
	seen := map[string]bool{}
	for i, r := range got {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d has seq %d: segments out of order", i, r.Seq)
		}
		seen[r.ID] = true
	}
	if len(seen) != 400 {
		t.Fatalf("%d distinct IDs", len(seen))
	}
	if segs, _ := Segments(root); len(segs) < 2 {
		t.Fatalf("expected rotation into several segments, got %d", len(segs))
	}
}

// A crash can cut the last frame at any byte: readers must return exactly
// the records of the complete frames before it, and Repair must seal them.
func TestTornTailAtEveryByte(t *testing.T) {
	src := t.TempDir()
	w, err := Open(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := w.Append(rec(fmt.Sprintf("1-%d", i), 200, `{"n":1}`)); err != nil {
			t.Fatal(err)
		}
	}
	// The size before the last frame tells where the cut can fall.
	w.mu.Lock()
	before, path := w.size, w.path
	w.mu.Unlock()
	if err := w.Append(rec("1-last", 200, `{"n":2}`)); err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for cut := int(before); cut < len(full); cut++ {
		root := t.TempDir()
		day := filepath.Join(Dir(root), "date=2026-11-21")
		if err := os.MkdirAll(day, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(day, "s-00001"+openExt), full[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		got, st := readAll(t, root)
		if len(got) != 3 {
			t.Fatalf("cut at %d/%d: %d records, want 3 (stats %+v)", cut, len(full), len(got), st)
		}
		if cut > int(before) && !st.Torn && st.TornBytes == 0 {
			t.Fatalf("cut at %d: torn tail not reported", cut)
		}
		n, err := Repair(root)
		if err != nil || n != 1 {
			t.Fatalf("repair: %d, %v", n, err)
		}
		got, st = readAll(t, root)
		if len(got) != 3 || st.Torn {
			t.Fatalf("after repair at cut %d: %d records, %+v", cut, len(got), st)
		}
	}
	_ = w.Close()
}

func TestOpenRepairsCrashedSegment(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(rec("1-1", 200, `{}`)); err != nil {
		t.Fatal(err)
	}
	// Simulate kill -9: the segment is never sealed.
	w.f.Close()
	w2, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	segs, _ := Segments(root)
	if len(segs) != 1 || !strings.HasSuffix(segs[0], sealedExt) {
		t.Fatalf("crashed segment not sealed: %v", segs)
	}
	if got, _ := readAll(t, root); len(got) != 1 {
		t.Fatalf("lost the crashed session's record: %d", len(got))
	}
}

func TestWriteErrorIsSticky(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(rec("1-1", 200, `{}`)); err != nil {
		t.Fatal(err)
	}
	w.f.Close() // the next write fails as a full or failing disk would
	if err := w.Append(rec("1-2", 200, `{}`)); err == nil {
		t.Fatal("append on a failed file succeeded")
	}
	if err := w.Append(rec("1-3", 200, `{}`)); err == nil {
		t.Fatal("writer accepted records after a failed write")
	}
}

func TestDuckDBReadsSealedSegments(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Append(rec("1-1", 200, `{"locationId":"1-1","name":"Ysbyty Gwynedd – Ward 1"}`))
	_ = w.Append(rec("1-2", 500, `oops`))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The query documented in the package comment.
	q := fmt.Sprintf(`SELECT string_agg(id || ':' || status || ':' || coalesce(body->>'$.name', body_text), '|' ORDER BY seq)
		FROM read_json('%s/*/*.jsonl.zst', format='newline_delimited', ignore_errors=true,
		columns={seq:'BIGINT', fetched_at:'TIMESTAMPTZ', endpoint:'VARCHAR', id:'VARCHAR', status:'INTEGER',
		url:'VARCHAR', body:'JSON', body_text:'VARCHAR'})`, Dir(root))
	var got string
	if err := db.QueryRow(q).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "1-1:200:Ysbyty Gwynedd – Ward 1|1-2:500:oops"; got != want {
		t.Fatalf("DuckDB read %q, want %q", got, want)
	}
}

// Bodies handed to Scan's callback stay intact after later records are read,
// even when the reader's buffers are reused (several MiB of records).
func TestScannedBodiesAreNotOverwritten(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("x", 4000)
	for i := 0; i < 2000; i++ {
		if err := w.Append(rec(fmt.Sprintf("1-%d", i), 200, fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, pad))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var kept [][]byte
	if _, err := Scan(root, func(r *Record) error { kept = append(kept, r.Body); return nil }); err != nil {
		t.Fatal(err)
	}
	for i, b := range kept {
		if want := fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, pad); string(b) != want {
			t.Fatalf("body %d changed after the scan moved on: %.40s", i, b)
		}
	}
}

func TestIsErrorEnvelope(t *testing.T) {
	for body, want := range map[string]bool{
		`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 2 seconds."}`: true,
		`{"statusCode": 500, "message": "Internal"}`:                                     true,
		`{"locationId":"1-1","name":"statusCode"}`:                                       false,
		`{"locationId":"1-1","notes":{"statusCode":1}}`:                                  false,
		`{"locationId":"1-1"}`:                                                           false,
		`["statusCode"]`:                                                                 false,
	} {
		if got := IsErrorEnvelope([]byte(body)); got != want {
			t.Errorf("IsErrorEnvelope(%s) = %v", body, got)
		}
	}
}

// ReadHeads sees what ReadSegment sees, without the bodies, and Good is the
// good-body rule.
func TestReadHeads(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	flagged := rec("1-4", 200, `{"locationId":"1-9"}`)
	flagged.Error = "the body is 1-9's, not 1-4's"
	if err := w.Append(rec("1-1", 200, `{"locationId":"1-1"}`), rec("1-2", 200, `{"statusCode":429,"message":"Rate limit is exceeded."}`),
		rec("1-3", 200, `{"locationId":"1-3","na`), flagged, rec("1-5", 404, `{"statusCode":404,"message":"Not found"}`)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := Segments(root)
	var got []string
	st, err := ReadHeads(segs[0], func(h *Head) error {
		got = append(got, fmt.Sprintf("%d:%s:%t", h.Seq, h.ID, h.Good()))
		return nil
	})
	if err != nil || st.Records != 5 || st.Torn {
		t.Fatalf("stats %+v, %v", st, err)
	}
	if want := "1:1-1:true 2:1-2:false 3:1-3:false 4:1-4:false 5:1-5:false"; strings.Join(got, " ") != want {
		t.Fatalf("heads %q, want %q", strings.Join(got, " "), want)
	}
}

// Keeping only the IDs of the records read must not keep their bodies alive
// (a decoder that returns strings as views of the record's buffer would pin
// every body behind a kept ID: ~3 KB each, 360 MB for a national backfill).
func TestKeptIDsDoNotPinBodies(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("y", 100_000)
	for i := 0; i < 2000; i++ { // 200 MB of bodies
		if err := w.Append(rec(fmt.Sprintf("1-%d", i), 200, `{"pad":"`+pad+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := Segments(root)
	live := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for name, read := range map[string]func(keep func(string)) error{
		"ReadSegment": func(keep func(string)) error {
			for _, s := range segs {
				if _, err := ReadSegment(s, func(r *Record) error { keep(r.ID); return nil }); err != nil {
					return err
				}
			}
			return nil
		},
		"ReadHeads": func(keep func(string)) error {
			for _, s := range segs {
				if _, err := ReadHeads(s, func(h *Head) error { keep(h.ID); return nil }); err != nil {
					return err
				}
			}
			return nil
		},
	} {
		before := live()
		ids := map[string]bool{}
		if err := read(func(id string) { ids[id] = true }); err != nil {
			t.Fatal(err)
		}
		grown := int64(live()) - int64(before)
		if len(ids) != 2000 || grown > 50<<20 {
			t.Errorf("%s: %d IDs kept, live heap grew %d MB: the IDs pin their records", name, len(ids), grown>>20)
		}
		runtime.KeepAlive(ids)
	}
}

// ReadLines with SeqOf and DecodeRecord reads what ReadSegment reads.
func TestReadLinesSeqOfAndDecodeRecord(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		if err := w.Append(rec(fmt.Sprintf("1-%d", i), 200, fmt.Sprintf(`{"seq":%d}`, 1000+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := Segments(root)
	var seqs []int64
	st, err := ReadLines(segs[0], func(line []byte) error {
		seq, err := SeqOf(line)
		if err != nil {
			return err
		}
		seqs = append(seqs, seq)
		if seq%10 == 0 {
			r, err := DecodeRecord(line)
			if err != nil || r.Seq != seq || r.ID != fmt.Sprintf("1-%d", seq-1) {
				t.Fatalf("record %d: %+v %v", seq, r, err)
			}
		}
		return nil
	})
	if err != nil || st.Records != 30 || len(seqs) != 30 || seqs[29] != 30 {
		t.Fatalf("stats %+v, seqs %v, %v", st, seqs, err)
	}
}

func TestSeqOf(t *testing.T) {
	for line, want := range map[string]int64{
		`{"seq":42,"session":"s"}`:           42,
		`{"session":"s","seq":7,"id":"1-1"}`: 7, // not first: decoded
		`{"seq": 9 ,"x":1}`:                  9, // spaces: decoded
		`{"seq":123456789012,"a":{}}`:        123456789012,
	} {
		if got, err := SeqOf([]byte(line)); err != nil || got != want {
			t.Errorf("SeqOf(%s) = %d, %v; want %d", line, got, err, want)
		}
	}
	for _, line := range []string{`{"seq":`, `{"session":"s"}`, `not json`, `{"seq":"7"}`} {
		if _, err := SeqOf([]byte(line)); !errors.Is(err, ErrTorn) {
			t.Errorf("SeqOf(%s): err %v, want ErrTorn", line, err)
		}
	}
}

func FuzzSeqOf(f *testing.F) {
	f.Add([]byte(`{"seq":42,"session":"s"}`))
	f.Add([]byte(`{"session":"s","seq":7}`))
	f.Add([]byte(`{"seq":99999999999999999999,"x":1}`))
	f.Add([]byte(`{"seq":1,"seq":2}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		got, err := SeqOf(line)
		var h struct {
			Seq *int64 `json:"seq"`
		}
		// A valid line with one seq key (as the writer makes them; with
		// duplicate keys encoding/json takes the last): its seq is its seq.
		if json.Unmarshal(line, &h) == nil && h.Seq != nil && bytes.Count(line, []byte(`"seq"`)) == 1 {
			if err != nil || got != *h.Seq {
				t.Fatalf("SeqOf(%q) = %d, %v; encoding/json reads %d", line, got, err, *h.Seq)
			}
		}
	})
}

// encodeLine is one record line exactly as Writer.Append writes it.
func encodeLine(t testing.TB, r *Record) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// The shortcuts through the writer's layout (decodeHead, BodyOf) read every
// record the writer can write exactly as a full decode does, whatever its
// strings, headers and body hold.
func FuzzHeadAndBodyShortcuts(f *testing.F) {
	f.Add("1-1", "", "Content-Type", "application/json", 200, []byte(`{"locationId":"1-1"}`))
	f.Add("1-2", "", "Content-Type", `x,"body":{"a":1},"body_bytes":3}`, 200, []byte(`{"statusCode":429,"message":"Rate limit"}`))
	f.Add("1-3", `cut ,"body":{}`, "body", `{"x":1}`, 200, []byte(`{"locationId":"1-3","na`))
	f.Add(`1-"4`, "", "Retry-After", "2", 429, []byte(`{"a":{"b":[1,{"c":"}"}]},"body_bytes":7}`))
	f.Add("", "timeout", "", "", 0, []byte(nil))
	f.Add("1-5", "", "X", "y", 200, []byte(`[1,2]`))
	f.Add("1-6", "", "X", "y", 200, []byte(`  { "spaced" : true }  `))
	f.Fuzz(func(t *testing.T, id, errText, hk, hv string, status int, body []byte) {
		r := &Record{Seq: 7, Session: "s", FetchedAt: time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC), Method: "GET",
			URL: "/locations/" + id, Endpoint: EndpointLocation, ID: id, Attempt: 1, Status: status, Error: errText,
			Headers: map[string]string{hk: hv}}
		r.SetBody(body)
		line := encodeLine(t, r)

		var full, fast Head
		if err := gojson.Unmarshal(line, &full); err != nil {
			t.Fatalf("a written line does not decode: %v\n%s", err, line)
		}
		var scratch []byte
		if !decodeHead(line, &fast, &scratch) || !reflect.DeepEqual(fast, full) {
			t.Fatalf("head %+v, full decode %+v\n%s", fast, full, line)
		}
		want, err := DecodeRecord(line)
		if err != nil {
			t.Fatal(err)
		}
		got, err := BodyOf(line)
		if err != nil || !bytes.Equal(got, want.Body) {
			t.Fatalf("BodyOf = %q, %v; full decode %q", got, err, want.Body)
		}
	})
}

// A record and the head ReadHeads gives for it answer the good-body rule
// alike, whatever the body: extract judges records, normalise heads.
func TestRecordHeadIsReadHead(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bodies := []string{`{"locationId":"1-1"}`, `null`, `[]`, `{}`, `{"statusCode":429,"message":"Rate limit is exceeded."}`,
		`{"statusCode":429,"locationId":"1-1"}`, ``, `<html>`, `{"locationId":"1-1","na`}
	var recs []*Record
	for i, b := range bodies {
		recs = append(recs, rec(fmt.Sprintf("1-%d", i), 200, b))
	}
	if err := w.Append(recs...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := Segments(root)
	var heads []Head
	if _, err := ReadHeads(segs[0], func(h *Head) error { heads = append(heads, *h); return nil }); err != nil {
		t.Fatal(err)
	}
	i := 0
	if _, err := ReadSegment(segs[0], func(r *Record) error {
		if got := r.Head(); got != heads[i] || got.Good() != recs[i].Head().Good() {
			t.Errorf("body %q: record's head %+v, read head %+v", bodies[i], got, heads[i])
		}
		i++
		return nil
	}); err != nil || i != len(bodies) {
		t.Fatalf("read %d records: %v", i, err)
	}
	if recs[4].Head().Good() || !recs[0].Head().Good() {
		t.Error("the soft 429 envelope is a good body, or an organisation is not")
	}
}

// A binary body is kept whole beside the archive; the record names it.
func TestPutFile(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	pdf := []byte("%PDF-1.4\n\xe2\xe3\xcf\xd3 binary\n%%EOF\n")
	rel, err := w.PutFile("c0ffee-1/Use of Resources.pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	if rel != "raw/cqc-files/c0ffee-1_Use_of_Resources.pdf" {
		t.Fatalf("path %s", rel)
	}
	got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("file %q, %v", got, err)
	}
}
