package cqcsim

import (
	"testing"
)

// BenchmarkGenerate120k generates a national-size register (120,000
// locations, 30 days of history).
func BenchmarkGenerate120k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Config{Locations: 120000}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderLocation renders (and encodes) one location detail body,
// cycling through the register.
func BenchmarkRenderLocation(b *testing.B) {
	s, err := New(Config{Locations: 20000})
	if err != nil {
		b.Fatal(err)
	}
	ids := s.LocationIDs()
	b.ReportAllocs()
	var bytes int64
	i := 0
	for b.Loop() {
		body, ok := s.LocationBody(ids[i%len(ids)])
		if !ok {
			b.Fatal("404")
		}
		bytes += int64(len(body))
		i++
	}
	b.ReportMetric(float64(bytes)/float64(i), "body-bytes/op")
}

// BenchmarkListPage serves a 1000-item list page with a filter.
func BenchmarkListPage(b *testing.B) {
	s, err := New(Config{Locations: 120000})
	if err != nil {
		b.Fatal(err)
	}
	ps, _ := parseQuery("perPage=1000&page=3")
	c := clockSec(s.Clock())
	b.ReportAllocs()
	for b.Loop() {
		if r := s.listLocations(ps, c); r.status != 200 {
			b.Fatal(r.status)
		}
	}
}
