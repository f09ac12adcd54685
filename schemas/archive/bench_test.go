package archive

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkScan reads an archive of 20,000 records with location-sized
// bodies (~3 KB of JSON each), as normalise does twice per run.
func BenchmarkScan(b *testing.B) {
	root := b.TempDir()
	w, err := Open(root, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	filler := strings.Repeat(`{"name":"Safe","rating":"Good","reportDate":"2022-07-15","reportLinkId":"1f9b5629-aaaa-bbbb-cccc-123456789abc"},`, 25)
	var bytes int64
	batch := make([]*Record, 0, 64)
	for i := 0; i < 20000; i++ {
		body := fmt.Sprintf(`{"locationId":"1-%d","name":"Café %d","keyQuestionRatings":[%s{"name":"Caring","rating":"Good"}]}`, 1000000000+i, i, filler)
		bytes += int64(len(body))
		r := &Record{FetchedAt: time.Unix(1700000000, 0), Method: "GET", URL: "/locations/1", Endpoint: EndpointLocation,
			ID: "1", Attempt: 1, Status: 200, Headers: map[string]string{"Content-Type": "application/json"}}
		r.SetBody([]byte(body))
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			if err := w.Append(batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(bytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		if _, err := Scan(root, func(r *Record) error { n += len(r.Body); return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
