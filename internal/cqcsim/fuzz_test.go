package cqcsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzQuery feeds arbitrary paths and query strings (timestamps, page,
// perPage, filters, IDs) to the handler: it must never panic or answer 500,
// and every 200 JSON answer must be valid JSON.
func FuzzQuery(f *testing.F) {
	s, err := New(Config{Locations: 150, RateLimit: -1})
	if err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	for _, seed := range []struct{ path, query string }{
		{"/locations", "page=2&perPage=10&region=East&region=London"},
		{"/providers", "perPage=1000&overallRating=Good"},
		{"/changes/location", "startTimestamp=2026-11-01T00:00:00Z&endTimestamp=2026-11-21T00%3A00%3A00Z&perPage=5"},
		{"/changes/PROVIDER", "startTimeStamp=2026-11-01T00:00:00Z&endTimeStamp=2026-11-01T00:00:00Z"},
		{"/changes/location", "startTimestamp=9999-99-99T99:99:99Z&endTimestamp=&page=-1"},
		{"/locations", "page=99999999999999999999&perPage=%zz"},
		{"/locations", "perPage=10000&page=2147483648"},
		{"/locations/rl4x1", ""},
		{"/reports/00000000-0000-4000-8000-000000000000", "20240101120000"},
		{"/providers/RL4/locations", "subscription-key=x"},
	} {
		f.Add(seed.path, seed.query)
	}
	f.Fuzz(func(t *testing.T, path, query string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#") {
			path = "/" + strings.TrimLeft(path, "?#")
		}
		req := httptest.NewRequest(http.MethodGet, "http://sim"+apiPrefix, nil)
		req.URL.Path = apiPrefix + path
		req.URL.RawQuery = query
		req.Header.Set("Ocp-Apim-Subscription-Key", DefaultAPIKey)
		req.Header.Set("User-Agent", "fuzz")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s?%s: %d %s", path, query, rec.Code, rec.Body.Bytes())
		}
		if rec.Code == 200 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s?%s: invalid JSON %s", path, query, rec.Body.Bytes())
		}
	})
}
