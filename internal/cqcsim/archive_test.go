package cqcsim

import (
	"context"
	"errors"
	"testing"

	"carelake/schemas/archive"
)

func TestWriteArchiveReadsBack(t *testing.T) {
	s, err := New(Config{Locations: 700})
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	st, err := s.WriteArchive(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	locs, provs := s.LocationIDs(), s.ProviderIDs()
	if st.Locations != len(locs) || st.Providers != len(provs) || st.BodyBytes < int64(len(locs))*1000 {
		t.Fatalf("stats %+v for %d locations, %d providers", st, len(locs), len(provs))
	}
	var n int
	var prev *archive.Record
	stats, err := archive.Scan(root, func(r *archive.Record) error {
		var want []byte
		switch r.Endpoint {
		case archive.EndpointLocation:
			if r.URL != "/locations/"+r.ID {
				t.Fatalf("URL %s for %s", r.URL, r.ID)
			}
			want, _ = s.LocationBody(r.ID)
		case archive.EndpointProvider:
			if r.URL != "/providers/"+r.ID {
				t.Fatalf("URL %s for %s", r.URL, r.ID)
			}
			want, _ = s.ProviderBody(r.ID)
		case archive.EndpointInspectionAreas:
			if r.URL != "/inspection-areas" || r.ID != "" {
				t.Fatalf("taxonomy URL %s, ID %q", r.URL, r.ID)
			}
			want = s.TaxonomyBody()
		default:
			t.Fatalf("endpoint %s", r.Endpoint)
		}
		if r.Status != 200 || r.Method != "GET" || string(r.Body) != string(want) || r.BodyBytes != len(want) {
			t.Fatalf("%s: status %d, body %d bytes (want %d)", r.ID, r.Status, len(r.Body), len(want))
		}
		if r.DurationMS < 60 || r.DurationMS > 2000 || r.FetchedAt.Before(s.Clock()) {
			t.Fatalf("%s: duration %.1f ms, fetched %s", r.ID, r.DurationMS, r.FetchedAt)
		}
		// A client keeping 100 calls a minute starts a call every 0.6 s at most.
		started := func(r *archive.Record) float64 { return float64(r.FetchedAt.UnixMicro())/1e6 - r.DurationMS/1000 }
		if prev != nil && started(r)-started(prev) < 0.599 {
			t.Fatalf("%s started %.3f s after the previous call", r.ID, started(r)-started(prev))
		}
		cp := *r
		prev = &cp
		n++
		return nil
	})
	if err != nil || stats.Torn || n != 1+len(locs)+len(provs) {
		t.Fatalf("scan: %v, %+v, %d records", err, stats, n)
	}
}

func TestWriteArchiveStopsOnCancel(t *testing.T) {
	s, err := New(Config{Locations: 2000})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	root := t.TempDir()
	if _, err := s.WriteArchive(ctx, root); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	// What was written is sealed and readable.
	if _, err := archive.Scan(root, func(*archive.Record) error { return nil }); err != nil {
		t.Fatal(err)
	}
}
