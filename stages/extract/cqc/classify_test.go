package cqc

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"carelake/schemas/archive"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"86400", maxServerWait, true},
		{"99999999999999999999999999", maxServerWait, true},
		{"-3", 0, false},
		{"1e3", 0, false},
		{"Inf", 0, false},
		{"NaN", 0, false},
		{"0x10", 0, false},
		{"soon", 0, false},
		{"Sat, 21 Nov 2026 02:00:30 GMT", 30 * time.Second, true},
		{"Sat, 21 Nov 2026 01:59:00 GMT", 0, true}, // in the past: go now
		{"Sun, 22 Nov 2026 02:00:00 GMT", maxServerWait, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseSoftWait(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"Rate limit is exceeded. Try again in 12 seconds.", 12 * time.Second, true},
		{"Rate limit is exceeded. Try again in 1 second.", time.Second, true},
		{"rate limit is exceeded. try again in 0.5 seconds", 500 * time.Millisecond, true},
		{"Rate limit is exceeded. Try again in 3600 seconds.", maxServerWait, true},
		{"Rate limit is exceeded.", 0, false},
		{"Try again in a few seconds.", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseSoftWait(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseSoftWait(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestClassify(t *testing.T) {
	now := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	loc := archive.EndpointLocation
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	const good = `{"locationId":"1-101","name":"A"}`
	tests := []struct {
		name      string
		endpoint  string
		id        string
		status    int
		header    http.Header
		body      string
		transport string
		want      verdict
		wait      time.Duration
		hinted    bool
		soft      bool
	}{
		{"good detail", loc, "1-101", 200, nil, good, "", vOK, 0, false, false},
		{"detail of another ID", loc, "1-102", 200, nil, good, "", vRetry, 0, false, false},
		{"detail without its ID", loc, "1-101", 200, nil, `{"name":"A"}`, "", vRetry, 0, false, false},
		{"truncated JSON", loc, "1-101", 200, nil, `{"locationId":"1-101","na`, "", vRetry, 0, false, false},
		{"body cut by the connection", loc, "1-101", 200, nil, good, "unexpected EOF", vRetry, 0, false, false},
		{"soft 429 with wait", loc, "1-101", 200, nil, `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 4 seconds."}`, "", vThrottled, 4 * time.Second, true, true},
		{"soft 429 without wait", loc, "1-101", 200, nil, `{ "statusCode": 429, "message": "Rate limit is exceeded." }`, "", vThrottled, 0, false, true},
		{"200 with another gateway error", loc, "1-101", 200, nil, `{"statusCode":500,"message":"x"}`, "", vRetry, 0, false, false},
		{"real 429 Retry-After", loc, "1-101", 429, hdr("Retry-After", "9"), `{"statusCode":429}`, "", vThrottled, 9 * time.Second, true, false},
		{"real 429 message only", loc, "1-101", 429, nil, `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 2 seconds."}`, "", vThrottled, 2 * time.Second, true, false},
		{"real 429 bare", loc, "1-101", 429, nil, ``, "", vThrottled, 0, false, false},
		{"401", loc, "1-101", 401, nil, `{"statusCode":401,"message":"Access denied due to invalid subscription key."}`, "", vUnauthorized, 0, false, false},
		{"404 detail", loc, "1-101", 404, nil, `{"message":"not found"}`, "", vGone, 0, false, false},
		{"404 list page", archive.EndpointLocations, "", 404, nil, ``, "", vFailed, 0, false, false},
		{"400 lower-case", loc, "rl4", 400, nil, ``, "", vUpper, 0, false, false},
		{"400 upper-case", loc, "RL4", 400, nil, ``, "", vFailed, 0, false, false},
		{"gateway 403", loc, "1-101", 403, nil, `<html><hr>Microsoft-Azure-Application-Gateway/v2</html>`, "", vRetry, 0, false, false},
		{"503", loc, "1-101", 503, nil, ``, "", vRetry, 0, false, false},
		{"transport failure", loc, "1-101", 0, nil, ``, "connection reset by peer", vRetry, 0, false, false},
		{"redirect refused", loc, "1-101", 302, nil, ``, "", vFailed, 0, false, false},
		{"good list", archive.EndpointLocations, "", 200, nil, `{"total":1,"page":1,"totalPages":1,"locations":[{"locationId":"1-1"}]}`, "", vOK, 0, false, false},
		{"list without items", archive.EndpointLocations, "", 200, nil, `{"total":5,"page":1,"totalPages":1}`, "", vRetry, 0, false, false},
		{"empty changes", archive.EndpointChangesLocation, "", 200, nil, `{"total":0,"page":1,"totalPages":0}`, "", vOK, 0, false, false},
		{"changes with a number", archive.EndpointChangesLocation, "", 200, nil, `{"total":1,"changes":[5]}`, "", vRetry, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			o := classify(tt.endpoint, tt.id, tt.status, h, []byte(tt.body), tt.transport, now)
			if o.verdict != tt.want || o.wait != tt.wait || o.hinted != tt.hinted || o.soft != tt.soft {
				t.Fatalf("got %+v (%v), want %v wait %v hinted %v soft %v", o, o.verdict, tt.want, tt.wait, tt.hinted, tt.soft)
			}
			if o.verdict != vOK && o.reason == "" {
				t.Fatal("a bad response must say why")
			}
		})
	}
}

func TestParsePage(t *testing.T) {
	body := `{"total":3,"page":1,"perPage":2,"totalPages":2,"firstPageUri":"/locations?page=1&perPage=2",
	  "previousPageUri":null,"nextPageUri":"/locations?page=2&perPage=2","lastPageUri":"/locations?page=2&perPage=2",
	  "uri":"/locations","locations":[{"locationId":"1-1","locationName":"A","postalCode":"X"},{"locationId":"1-2"}]}`
	p, err := parsePage(archive.EndpointLocations, []byte(body))
	if err != nil || len(p.IDs) != 2 || p.IDs[1] != "1-2" || !p.HasNext || p.TotalPages != 2 || p.Total != 3 {
		t.Fatalf("%+v %v", p, err)
	}
	last := `{"total":3,"page":2,"totalPages":2,"nextPageUri":null,"providers":[{"providerId":"1-9"}]}`
	p, err = parsePage(archive.EndpointProviders, []byte(last))
	if err != nil || p.HasNext || len(p.IDs) != 1 {
		t.Fatalf("%+v %v", p, err)
	}
	// No totalPages at all: follow nextPageUri only.
	p, err = parsePage(archive.EndpointChangesProvider, []byte(`{"changes":["1-5"],"nextPageUri":"/changes/provider?page=2"}`))
	if err != nil || !p.HasNext || p.IDs[0] != "1-5" {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := parsePage(archive.EndpointProviders, []byte(`{"total":1,"providers":[{"providerName":"x"}]}`)); err == nil {
		t.Fatal("a row without an ID must be refused")
	}
}

// Outside input: whatever the server sends, classification never panics, a
// good verdict always means a whole JSON body of the right shape and never a
// gateway error body, and a throttle wait is never negative or beyond the cap.
func FuzzClassify(f *testing.F) {
	seeds := []string{
		`{"locationId":"1-101"}`,
		`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 12 seconds."}`,
		`{"statusCode":"429"}`,
		`{"total":1,"page":1,"totalPages":1,"locations":[{"locationId":"1-1"}]}`,
		`{"changes":["1-1",null]}`,
		`<html>Microsoft-Azure-Application-Gateway/v2</html>`,
		`{"locationId":"1-101","na`,
		``,
	}
	for _, s := range seeds {
		for _, st := range []int{200, 429, 403, 404} {
			f.Add(s, st, "Retry-After-value")
		}
	}
	f.Add(`{}`, 429, "Fri, 20 Nov 2026 01:00:00 GMT")
	endpoints := []string{archive.EndpointLocation, archive.EndpointProvider, archive.EndpointLocations,
		archive.EndpointProviders, archive.EndpointChangesLocation, archive.EndpointChangesProvider}
	now := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string, status int, retryAfter string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		for _, ep := range endpoints {
			o := classify(ep, "1-101", status, h, []byte(body), "", now)
			if o.wait < 0 || o.wait > maxServerWait {
				t.Fatalf("wait %v out of range", o.wait)
			}
			if o.verdict == vOK {
				if status != 200 || !json.Valid([]byte(body)) {
					t.Fatalf("%s: OK for status %d body %q", ep, status, body)
				}
				if code, _ := softStatus([]byte(body)); code != 0 {
					t.Fatalf("%s: gateway error body taken as good: %q", ep, body)
				}
			}
			if o.verdict == vThrottled && status != 429 && status != 200 {
				t.Fatalf("throttled on status %d", status)
			}
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "1.25", "-1", "Sat, 21 Nov 2026 02:00:30 GMT", "Saturday, 21-Nov-26 02:00:30 GMT", "1e9", "NaN"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || d > maxServerWait || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", v, d, ok)
		}
	})
}

func FuzzParseSoftWait(f *testing.F) {
	for _, s := range []string{"Rate limit is exceeded. Try again in 12 seconds.", "try again in 0.001 s", "Try again in 99999999999999999999999 seconds", "Try again in -1 seconds"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		d, ok := parseSoftWait(msg)
		if d < 0 || d > maxServerWait || (!ok && d != 0) {
			t.Fatalf("parseSoftWait(%q) = %v, %v", msg, d, ok)
		}
		if ok && !strings.Contains(strings.ToLower(msg), "try again in") {
			t.Fatalf("found a wait in %q", msg)
		}
	})
}

// The envelope parser never panics, and whatever it accepts has no empty IDs.
func FuzzParsePage(f *testing.F) {
	f.Add(`{"total":3,"page":1,"totalPages":2,"nextPageUri":"/x","locations":[{"locationId":"1-1"}]}`)
	f.Add(`{"changes":["1-1","1-2"],"page":1,"totalPages":1,"nextPageUri":null}`)
	f.Add(`{"total":0}`)
	f.Add(`{"providers":[{"providerId":""}]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		for _, ep := range []string{archive.EndpointLocations, archive.EndpointProviders, archive.EndpointChangesLocation} {
			p, err := parsePage(ep, []byte(body))
			if err != nil {
				continue
			}
			for _, id := range p.IDs {
				if id == "" {
					t.Fatalf("%s: empty ID accepted from %q", ep, body)
				}
			}
		}
	})
}

func BenchmarkClassifyDetail(b *testing.B) {
	body := []byte(`{"locationId":"1-10000302982","providerId":"1-101","name":"` + strings.Repeat("x", 8000) + `","relationships":[]}`)
	now := time.Now()
	h := http.Header{}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if o := classify(archive.EndpointLocation, "1-10000302982", 200, h, body, "", now); o.verdict != vOK {
			b.Fatal(o)
		}
	}
}
