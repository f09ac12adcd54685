package cqcsim

import (
	"context"
	"fmt"
	"math"
	"time"

	"carelake/schemas/archive"
)

// ArchiveStats counts what WriteArchive wrote.
type ArchiveStats struct {
	Locations int   `json:"locations"`
	Providers int   `json:"providers"`
	BodyBytes int64 `json:"bodyBytes"`
}

const archiveBatch = 256

// WriteArchive writes what a complete backfill at the current data clock
// would have archived, without HTTP: the inspection-area taxonomy (GET
// /inspection-areas) and one record per listed location and provider (GET
// /locations/<id>, /providers/<id>, status 200, the exact body the API
// serves), as a new session of the raw archive under the warehouse
// root, written with archive.Options{NoSync: true} and sealed on return.
//
// FetchedAt starts at the data clock and advances as a client keeping the
// configured budget would (RateWindow/RateLimit per call), DurationMS is a
// realistic 0.1-0.5 s; both are seeded. The caller holds the warehouse's run
// lock. On cancellation it stops promptly, seals what it wrote and returns
// an error wrapping ctx.Err().
func (s *Sim) WriteArchive(ctx context.Context, root string) (ArchiveStats, error) {
	var st ArchiveStats
	clock := s.Clock()
	c := clockSec(clock)
	wr, err := archive.Open(root, archive.Options{NoSync: true})
	if err != nil {
		return st, fmt.Errorf("cqcsim: write archive: %w", err)
	}
	interval := time.Duration(0)
	if s.cfg.RateLimit > 0 {
		interval = s.cfg.RateWindow / time.Duration(s.cfg.RateLimit)
	}
	r := newRNG(seedBits(s.cfg.Seed), 0xa5c1)
	at := clock
	batch := make([]*archive.Record, 0, archiveBatch)
	flush := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := wr.Append(batch...); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	add := func(endpoint, path, id string, resp response) error {
		d := time.Duration(math.Exp(math.Log(170)+0.35*r.NormFloat64()) * float64(time.Millisecond))
		d = min(max(d, 60*time.Millisecond), 2*time.Second)
		url := path
		if id != "" {
			url += "/" + id
		}
		rec := &archive.Record{FetchedAt: at.Add(d), DurationMS: float64(d.Microseconds()) / 1000, Method: "GET",
			URL: url, Endpoint: endpoint, ID: id, Attempt: 1, Status: resp.status,
			Headers: map[string]string{"Content-Type": resp.ctype}}
		rec.SetBody(resp.body)
		st.BodyBytes += int64(len(resp.body))
		at = at.Add(max(interval, d))
		batch = append(batch, rec)
		if len(batch) == archiveBatch {
			return flush()
		}
		return nil
	}
	err = func() error {
		if err := add(archive.EndpointInspectionAreas, "/inspection-areas", "", s.taxonomy()); err != nil {
			return err
		}
		for _, i := range s.w.locSorted {
			if !s.w.locVisible(i, c) {
				continue
			}
			id := s.w.locs[i].id
			if err := add(archive.EndpointLocation, "/locations", id, s.locationDetail(id, c)); err != nil {
				return err
			}
			st.Locations++
		}
		for _, p := range s.w.provSorted {
			if !s.w.provVisible(p, c) {
				continue
			}
			id := s.w.provs[p].id
			if err := add(archive.EndpointProvider, "/providers", id, s.providerDetail(id, c)); err != nil {
				return err
			}
			st.Providers++
		}
		return flush()
	}()
	if cerr := wr.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return st, fmt.Errorf("cqcsim: write archive under %s: %w", root, err)
	}
	s.log.Info("cqc simulator wrote archive", "root", root, "locations", st.Locations, "providers", st.Providers,
		"body_bytes", st.BodyBytes, "clock", clock)
	return st, nil
}
