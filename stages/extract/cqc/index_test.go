package cqc

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas/archive"
)

func detailRecord(endpoint, id string, status int, at time.Time, body string) *archive.Record {
	r := &archive.Record{FetchedAt: at, Method: "GET", URL: "/x/" + id, Endpoint: endpoint, ID: id, Attempt: 1, Status: status}
	r.SetBody([]byte(body))
	return r
}

// The archive is the checkpoint: what counts as archived is exactly what
// normalise reads as good (status 200, no error) or a 404, whatever else the
// archive holds.
func TestIndexFromArchive(t *testing.T) {
	root := t.TempDir()
	w, err := archive.Open(root, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	loc, prov := archive.EndpointLocation, archive.EndpointProvider
	recs := []*archive.Record{
		detailRecord(loc, "1-1", 200, at(1), `{"locationId":"1-1","providerId":"1-P","relationships":[{"relatedLocationId":"1-0","type":"HSCA Predecessor"}],
			"currentRatings":{"overall":{"rating":"Good","reportDate":"2026-01-01","reportLinkId":"x","keyQuestionRatings":[{"name":"Safe","rating":"Good","organisationId":"1-OLD"}]}}}`),
		detailRecord(loc, "1-2", 200, at(1), `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 1 seconds."}`),
		detailRecord(loc, "1-3", 200, at(1), `{"locationId":"1-3","na`),
		detailRecord(loc, "1-4", 503, at(1), ``),
		detailRecord(loc, "1-5", 404, at(1), `{"message":"gone"}`),
		detailRecord(loc, "1-6", 0, at(1), ``),
		detailRecord(prov, "1-P", 200, at(2), `{"providerId":"1-P"}`),
		detailRecord(loc, "1-1", 200, at(3), `{"locationId":"1-1","providerId":"1-Q","relationships":[{"relatedLocationId":"1-9","type":"HSCA Successor"}]}`),
		detailRecord(loc, "RL4", 200, at(1), `{"locationId":"RL4"}`),
	}
	recs[5].Error = "connection reset by peer"
	// Extract notes why a 200 is no good body when it archives it.
	recs[1].Error = "soft 429 (HTTP 200)"
	recs[2].Error = "invalid or truncated JSON"
	page := &archive.Record{FetchedAt: at(2), Method: "GET", URL: "/locations?page=2&perPage=2", Endpoint: archive.EndpointLocations, Status: 200}
	page.SetBody([]byte(`{"total":3,"page":2,"totalPages":2,"nextPageUri":null,"locations":[{"locationId":"1-3"}]}`))
	old := &archive.Record{FetchedAt: at(0), Method: "GET", URL: "/locations?page=1&perPage=2", Endpoint: archive.EndpointLocations, Status: 200}
	old.SetBody([]byte(`{"total":3,"page":1,"totalPages":2,"nextPageUri":"/locations?page=2&perPage=2","locations":[{"locationId":"1-1"},{"locationId":"1-2"}]}`))
	recs = append(recs, page, old)
	for _, r := range recs {
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	idx, err := buildIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	if idx.read != 1 {
		t.Fatalf("read %d segments in full, want 1", idx.read)
	}
	tests := []struct {
		k     key
		since time.Time
		want  bool
	}{
		{key{kindLocation, "1-1"}, at(3), true},
		{key{kindLocation, "1-1"}, at(4), false},
		{key{kindLocation, "1-2"}, time.Time{}, false}, // soft 429 is not a body
		{key{kindLocation, "1-3"}, time.Time{}, false}, // truncated
		{key{kindLocation, "1-4"}, time.Time{}, false}, // 503
		{key{kindLocation, "1-5"}, at(1), true},        // 404 = gone counts
		{key{kindLocation, "1-6"}, time.Time{}, false}, // no response
		{key{kindProvider, "1-P"}, at(2), true},
		{key{kindLocation, "1-P"}, time.Time{}, false}, // kinds are apart
		{key{kindLocation, "rl4"}, at(1), true},        // lower-case finds the upper-cased fetch
	}
	for _, tt := range tests {
		if got := idx.archivedSince(tt.k, tt.since); got != tt.want {
			t.Errorf("archivedSince(%v, %v) = %v, want %v", tt.k, tt.since, got, tt.want)
		}
	}
	if s, _ := idx.lookup(key{kindLocation, "1-5"}); !s.gone || s.everGood {
		t.Errorf("1-5: %+v", s)
	}
	// Links come from the latest good body.
	if l := idx.links["1-1"]; l.provider != "1-Q" || !slices.Equal(l.succ, []string{"1-9"}) || len(l.pred) != 0 {
		t.Errorf("links of 1-1 = %+v", l)
	}
	// Pages: only those fetched at or after the backfill start replay.
	w2 := &walk{endpoint: archive.EndpointLocations, query: map[string][]string{"perPage": {"2"}}, replay: true}
	if _, ok := idx.replayPage(w2, 1, at(1)); ok {
		t.Error("a page from before the backfill began replayed")
	}
	if p, ok := idx.replayPage(w2, 2, at(1)); !ok || !slices.Equal(p.IDs, []string{"1-3"}) || p.HasNext {
		t.Errorf("page 2: %+v %v", p, ok)
	}
}

// A kill -9 can leave a torn frame at the end of an open segment: the index
// skips it and keeps every complete record.
func TestIndexSkipsTornTail(t *testing.T) {
	root := t.TempDir()
	w, err := archive.Open(root, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"1-1", "1-2"} {
		if err := w.Append(detailRecord(archive.EndpointLocation, id, 200, t0, `{"locationId":"`+id+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	segs, _ := archive.Segments(root)
	f, err := os.OpenFile(segs[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00}) // the start of a zstd frame, cut
	f.Close()
	// The writer is abandoned as a crash would leave it.
	idx, err := buildIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	if !idx.torn.Torn || len(idx.last) != 2 {
		t.Fatalf("torn=%v, %d IDs", idx.torn.Torn, len(idx.last))
	}
}

// A sealed segment is read once: later runs use its summary, unless the
// file changed; summaries of vanished segments go.
func TestIndexSummariesAreReused(t *testing.T) {
	root := t.TempDir()
	for s := 0; s < 2; s++ {
		w, err := archive.Open(root, archive.Options{Now: func() time.Time { return t0.Add(time.Duration(s) * time.Hour) }})
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("1-%d", s)
		if err := w.Append(detailRecord(archive.EndpointLocation, id, 200, t0, `{"locationId":"`+id+`","providerId":"1-P"}`)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	first, err := buildIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	again, err := buildIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	if first.read != 2 || again.read != 0 {
		t.Fatalf("segments read in full: %d then %d, want 2 then 0", first.read, again.read)
	}
	if !reflect.DeepEqual(first.last, again.last) || !reflect.DeepEqual(first.links, again.links) {
		t.Fatalf("index from summaries differs:\n%+v\n%+v", first, again)
	}
	segs, _ := archive.Segments(root)
	if err := os.Remove(segs[0]); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(segs[1], os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte{0x28, 0xb5, 0x2f, 0xfd}) // the file changed: its summary is stale
	f.Close()
	third, err := buildIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	if third.read != 1 || len(third.last) != 1 {
		t.Fatalf("after a change: read %d, %d items", third.read, len(third.last))
	}
	entries, _ := os.ReadDir(summaryDir(root))
	if len(entries) != 1 {
		t.Fatalf("%d summaries left, want 1", len(entries))
	}
}

func TestParseLinks(t *testing.T) {
	body := `{"locationId":"1-5","providerId":"1-P",
	  "relationships":[{"relatedLocationId":"1-4","type":"HSCA Predecessor"},{"relatedLocationId":"1-6","type":"HSCA Successor"},{"relatedLocationId":"","type":"HSCA Successor"}],
	  "currentRatings":{"overall":{"rating":"Good","reportDate":"d","reportLinkId":"r","organisationId":"1-3",
	     "keyQuestionRatings":[{"name":"Safe","rating":"Good","organisationId":"1-2"},{"name":"Caring","rating":"Good","organisationId":"1-5"}]},
	     "serviceRatings":[{"name":"old","rating":"Good","organisationId":"1-7"}]},
	  "historicRatings":[{"reportDate":"d","reportLinkId":"r","organisationId":"1-1"}]}`
	l, err := parseLinks([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if l.provider != "1-P" || !slices.Equal(l.succ, []string{"1-6"}) || !slices.Equal(l.pred, []string{"1-4", "1-3", "1-2", "1-7", "1-1"}) {
		t.Fatalf("%+v", l)
	}
}

func TestMakeSlices(t *testing.T) {
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	w := at(0)
	ks := &KindState{Watermark: &w, PendingEnds: []time.Time{at(5), at(9)}, RecentEnds: []time.Time{at(-30), at(-2), at(0)}}
	got := makeSlices(kindLocation, ks, at(24), 3*time.Hour)
	want := [][2]int{{-3, -2}, {-2, 0}, {0, 5}, {5, 9}, {9, 24}}
	if len(got) != len(want) {
		t.Fatalf("%d slices", len(got))
	}
	for i, s := range got {
		if s.start != at(want[i][0]) || s.end != at(want[i][1]) || s.lookback != (i < 2) {
			t.Errorf("slice %d = [%v, %v) lookback %v", i, s.start, s.end, s.lookback)
		}
	}
	// Clock not moved: nothing new to read.
	if got := makeSlices(kindLocation, &KindState{Watermark: &w}, w, 0); len(got) != 0 {
		t.Fatalf("empty window read: %d slices", len(got))
	}
}

func TestParseBudget(t *testing.T) {
	tests := []struct {
		in    string
		calls int
		d     time.Duration
		bad   bool
	}{
		{"", 0, 0, false},
		{"5000", 5000, 0, false},
		{"2h", 0, 2 * time.Hour, false},
		{"90m", 0, 90 * time.Minute, false},
		{"0", 0, 0, true},
		{"-5", 0, 0, true},
		{"-1h", 0, 0, true},
		{"lots", 0, 0, true},
	}
	for _, tt := range tests {
		calls, d, err := ParseBudget(tt.in)
		if calls != tt.calls || d != tt.d || (err != nil) != tt.bad {
			t.Errorf("ParseBudget(%q) = %d, %v, %v", tt.in, calls, d, err)
		}
	}
}

// An archive written before extract named the soft 429 in Error holds it as
// a 200 with no Error and the gateway's error envelope for a body. Normalise
// never uses such a body (archive.Head.Good), so extract must not count it
// as archived either: the ID is fetched again, and the list page is walked
// again rather than replayed as an empty last page. (Extract's index once
// took any 200 with no Error and a body for good, and its segment summaries
// kept that answer: those of the old version are rebuilt.)
func TestIndexLegacySoft429IsNoBody(t *testing.T) {
	root := t.TempDir()
	w, err := archive.Open(root, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const soft = `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 1 seconds."}`
	detail := detailRecord(archive.EndpointLocation, "1-1", 200, t0, soft)
	list := &archive.Record{FetchedAt: t0, Method: "GET", URL: "/locations?page=1&perPage=2", Endpoint: archive.EndpointLocations, Status: 200}
	list.SetBody([]byte(soft))
	if err := w.Append(detail, list); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if detail.Head().Good() || list.Head().Good() {
		t.Fatal("a soft 429 without its Error is a good body")
	}
	check := func(when string) {
		t.Helper()
		idx, err := buildIndex(root)
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := idx.lookup(key{kindLocation, "1-1"}); ok || s.everGood {
			t.Errorf("%s: the soft 429 of 1-1 counts as archived: %+v", when, s)
		}
		lw := &walk{endpoint: archive.EndpointLocations, query: map[string][]string{"perPage": {"2"}}, replay: true}
		if p, ok := idx.replayPage(lw, 1, t0); ok {
			t.Errorf("%s: the soft 429 of page 1 replays as %+v", when, p)
		}
	}
	check("read in full")
	check("from its summary")

	// A summary an older carelake saved, which took the soft 429 for a body.
	segs, _ := archive.Segments(root)
	name := filepath.Join(summaryDir(root), filepath.Base(segs[0])+".json")
	var sum segmentSummary
	if err := durable.LoadJSON(name, &sum); err != nil {
		t.Fatal(err)
	}
	sum.Version = 1
	sum.Seen["location/1-1"] = summarySeen{At: t0, EverGood: true}
	if err := durable.SaveJSON(name, &sum); err != nil {
		t.Fatal(err)
	}
	check("after a version 1 summary")
}
