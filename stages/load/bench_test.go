package load

import (
	"context"
	"fmt"
	"testing"
	"time"

	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

// BenchmarkLoadLocations loads a locations table of the national register's
// size (120,000 rows of schemas.CQCLocations, values varied like the real
// ones): the hot path of the nightly load.
func BenchmarkLoadLocations(b *testing.B) {
	const rows = 120_000
	root := b.TempDir()
	regions := []string{"London", "South East", "South West", "East", "East Midlands", "West Midlands", "North West", "North East", "Yorkshire & Humberside"}
	ratings := []string{"Good", "Outstanding", "Requires improvement", "Inadequate"}
	w, err := staging.Begin(root, "normalise-cqc", "bench")
	if err != nil {
		b.Fatal(err)
	}
	w.SetMeta(warehouse.MetaLicence, "OGL v3.0")
	w.SetMeta(warehouse.MetaSource, "bench")
	fetched := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	const batch = 8192
	for off := 0; off < rows; off += batch {
		var rs []loadtest.Row
		for i := off; i < min(off+batch, rows); i++ {
			rs = append(rs, loadtest.Row{
				"location_id": fmt.Sprintf("1-%d", 100000000+i*7919), "provider_id": fmt.Sprintf("1-%d", 900000000+i/3),
				"organisation_type": "Location", "type": "Social Care Org", "name": fmt.Sprintf("Care Home %d", i),
				"registration_status": "Registered", "registration_date": "2015-03-01", "dormancy": "N",
				"number_of_beds": i % 120, "website": fmt.Sprintf("www.care-%d.co.uk", i),
				"postal_address_line1": fmt.Sprintf("%d High Street", i%300), "postal_address_town_city": "Doncaster",
				"postal_code": fmt.Sprintf("DN%d %dLX", i%40, i%9), "region": regions[i%len(regions)],
				"onspd_latitude": 50 + float64(i%5000)/1000, "onspd_longitude": -3 + float64(i%4000)/1000,
				"care_home": "Y", "inspection_directorate": "Adult social care", "main_phone_number": fmt.Sprintf("0130%07d", i),
				"constituency": fmt.Sprintf("Constituency %d", i%650), "local_authority": fmt.Sprintf("Authority %d", i%317),
				"last_inspection_date": "2024-06-23", "overall_rating": ratings[i%len(ratings)], "overall_rating_date": "2024-07-15",
				"overall_rating_inherited": i%11 == 0, "unpublished_report_count": 0,
				"fetched_at": fetched.Add(time.Duration(i) * time.Second), "archive_segment": "raw/cqc/date=2026-11-21/s-00001.jsonl.zst", "archive_seq": i,
			})
		}
		rec := loadtest.Record(b, schemas.CQCLocations.Schema, rs)
		err := w.Write(schemas.CQCLocations.Dataset, schemas.CQCLocations.Dataset+"/snapshot_date=2026-11-21", rec)
		rec.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := w.Commit(); err != nil {
		b.Fatal(err)
	}
	o := Options{Root: root, Force: true, Version: "bench"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
