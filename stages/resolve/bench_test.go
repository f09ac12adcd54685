package resolve

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkRun resolves a normalised warehouse: CARELAKE_BENCH_ROOT names one
// (e.g. the archive normalise's BenchmarkRun generated and staged), else the
// test scenario is used.
func BenchmarkRun(b *testing.B) {
	root := os.Getenv("CARELAKE_BENCH_ROOT")
	if root == "" {
		root = normalised(b, filepath.Join(scenario, "records.json"))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sum, err := Run(context.Background(), Options{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.Locations), "locations")
	}
}
