package careqgen

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"carelake/schemas"
	"carelake/schemas/careqlog"
	"carelake/schemas/staging"
	"carelake/stages/normalise/careqnorm"
)

var big = flag.Bool("careqgen.big", false, "TestGenerateYear: 50 clinics, 365 days, 1,000,000 appointments (minutes, GBs)")

// small is the default test run: 3 clinics, 30 days, 5,000 appointments.
// Segments are sealed every 6 simulated hours rather than serve's 10
// minutes: normalise-careq writes files per segment, and 1,600 segments
// would take it most of a minute (TestDeterministic keeps serve's sealing).
func small(seed int64) Config {
	return Config{Clinics: 3, Days: 30, Appointments: 5000, Seed: seed,
		Start:         time.Date(2025, 3, 17, 0, 0, 0, 0, time.UTC), // across the change to summer time
		MaxSegmentAge: 6 * time.Hour}
}

// TestGenerateAndNormalise generates a log, stages it with the real
// normalise-careq stage and checks the staged rows against Stats.
func TestGenerateAndNormalise(t *testing.T) {
	root := t.TempDir()
	dir := careqlog.Dir(root)
	cfg := small(7)
	st, err := Write(context.Background(), dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls (%d logged, %d replayed) in %s: %d segments, %d bytes; created %v, updated %v, unchanged %v, stale %v, failed %v",
		st.TotalCalls(), st.Logged, st.Replayed, st.Elapsed, st.Segments, st.Bytes, st.Created, st.Updated, st.Unchanged, st.Stale, st.Failed)

	if got := st.Appointments(); got != int64(cfg.Appointments) {
		t.Errorf("%d appointments created, want %d", got, cfg.Appointments)
	}
	if r := float64(st.Cancellations()) / float64(cfg.Appointments); r < 0.07 || r > 0.12 {
		t.Errorf("%d cancellations: %.1f%% of the appointments, want about 10%%", st.Cancellations(), 100*r)
	}
	for _, want := range []struct {
		what string
		n    int64
	}{
		{"batches", st.Batches}, {"replays", st.Replayed}, {"status updates", st.StatusUpdates()},
		{"patients created", st.Created[schemas.CareQPatientType]},
		{"patients updated", st.Updated[schemas.CareQPatientType]},
		{"doctors created", st.Created[schemas.CareQDoctorType]},
		{"services created", st.Created[schemas.CareQServiceType]},
		{"rescheduled", st.Updated[schemas.CareQAppointmentType]},
		{"unchanged patients", st.Unchanged[schemas.CareQPatientType]},
		{"refused patients", st.Failed[schemas.CareQPatientType]},
		{"refused appointments", st.Failed[schemas.CareQAppointmentType]},
		{"health checks", st.Calls[careqlog.EndpointHealth]},
	} {
		if want.n == 0 {
			t.Errorf("no %s", want.what)
		}
	}
	if st.Answers[429] > 0 || st.Answers[401] > 0 {
		t.Errorf("answers %v: the rate limit or the timestamp check refused calls", st.Answers)
	}
	open, _ := filepath.Glob(filepath.Join(dir, "*.open"))
	if len(open) > 0 {
		t.Errorf("segments left open: %v", open)
	}
	checkCalls(t, dir, st, cfg)

	sum, err := careqnorm.Run(context.Background(), careqnorm.Options{Root: root, LogDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Segments != st.Segments || sum.Calls != st.Logged || sum.Rejects != 0 {
		t.Errorf("normalise staged %d segments, %d calls, %d rejects; want %d, %d, 0",
			sum.Segments, sum.Calls, sum.Rejects, st.Segments, st.Logged)
	}
	want := st.Rows()
	for table, n := range want {
		if sum.Rows[table] != n {
			t.Errorf("%s: %d rows staged, want %d", table, sum.Rows[table], n)
		}
	}
	for table, n := range sum.Rows {
		if _, ok := want[table]; !ok && n > 0 {
			t.Errorf("%s: %d rows staged, want none", table, n)
		}
	}

	// The appointments table, by kind of change.
	changes := stagedChanges(t, root)
	for _, c := range []struct {
		key  string
		want int64
	}{
		{"record/created", st.Appointments()},
		{"record/updated", st.Updated[schemas.CareQAppointmentType]},
		{"status/updated", st.StatusUpdates()},
		{"cancel/updated", st.Cancellations()},
	} {
		if changes[c.key] != c.want {
			t.Errorf("appointments %s: %d rows, want %d", c.key, changes[c.key], c.want)
		}
	}
}

// checkCalls reads the log back: every call of every clinic is in working
// hours-ish, in seq order, and no clinic exceeds the rate limit.
func checkCalls(t *testing.T, dir string, st Stats, cfg Config) {
	t.Helper()
	paths, err := careqlog.SealedSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	var (
		n       int64
		last    time.Time
		seq     int64
		clinics = map[string]bool{}
	)
	london, _ := time.LoadLocation("Europe/London")
	for _, p := range paths {
		err := careqlog.ReadSegment(p, func(r *careqlog.LogRecord) error {
			n++
			if r.Seq != seq+1 {
				t.Fatalf("seq %d after %d", r.Seq, seq)
			}
			seq = r.Seq
			if r.ReceivedAt.Before(last) {
				t.Fatalf("seq %d received at %s, before %s", r.Seq, r.ReceivedAt, last)
			}
			last = r.ReceivedAt
			if h := r.ReceivedAt.In(london).Hour(); h < 7 || h >= 22 {
				t.Errorf("seq %d (%s) at %s local", r.Seq, r.Endpoint, r.ReceivedAt.In(london))
			}
			clinics[r.ClinicID] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n != st.Logged {
		t.Errorf("log holds %d calls, Stats.Logged %d", n, st.Logged)
	}
	if len(clinics) != cfg.Clinics {
		t.Errorf("calls from %d clinics, want %d", len(clinics), cfg.Clinics)
	}
	end := time.Date(cfg.Start.Year(), cfg.Start.Month(), cfg.Start.Day()+cfg.Days, 0, 0, 0, 0, london)
	if !st.Last.Before(end) || st.First.Before(cfg.Start.Add(-time.Hour)) {
		t.Errorf("calls from %s to %s, outside the %d days from %s", st.First, st.Last, cfg.Days, cfg.Start)
	}
}

// stagedChanges counts the staged appointments rows by change/sync_status.
func stagedChanges(t *testing.T, root string) map[string]int64 {
	t.Helper()
	man, err := staging.Open(root, careqnorm.Stage)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, p := range man.Partitions {
		if p.Table != "careq/appointments" {
			continue
		}
		err := man.Read(p, func(r arrow.RecordBatch) error {
			var change, sync *array.String
			for i, f := range r.Schema().Fields() {
				switch f.Name {
				case "change":
					change = r.Column(i).(*array.String)
				case "sync_status":
					sync = r.Column(i).(*array.String)
				}
			}
			for i := 0; i < int(r.NumRows()); i++ {
				out[change.Value(i)+"/"+sync.Value(i)]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestDeterministic: the same seed writes byte-identical segments (here
// with serve's default sealing: every 10 simulated minutes); another seed
// does not.
func TestDeterministic(t *testing.T) {
	cfg := Config{Clinics: 2, Days: 8, Appointments: 1500, Seed: 42,
		Start: time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)} // across the end of summer time
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	sa, err := Write(context.Background(), a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := Write(context.Background(), b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sa.Segments < 50 {
		t.Errorf("%d segments: expected one per 10 minutes with calls", sa.Segments)
	}
	if sa.Segments != sb.Segments || sa.Bytes != sb.Bytes {
		t.Fatalf("runs differ: %d segments, %d bytes vs %d, %d", sa.Segments, sa.Bytes, sb.Segments, sb.Bytes)
	}
	pa, _ := careqlog.SealedSegments(a)
	for _, p := range pa {
		x, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, filepath.Base(p)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Fatalf("%s differs between two runs with the same seed", filepath.Base(p))
		}
	}
	cfg.Seed = 43
	sc, err := Write(context.Background(), c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Bytes == sa.Bytes {
		t.Errorf("seeds 42 and 43 wrote the same number of bytes (%d)", sa.Bytes)
	}
}

// TestRefusesExistingLog: a directory that already holds a log is not
// written to.
func TestRefusesExistingLog(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Clinics: 1, Days: 1, Appointments: 10}
	if _, err := Write(context.Background(), dir, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(context.Background(), dir, cfg); err == nil {
		t.Fatal("a second Write into the same directory succeeded")
	}
}

func TestClinicIDs(t *testing.T) {
	ids, err := ClinicIDs(Config{})
	if err != nil || len(ids) != DefaultClinics || ids[0] != "clinic_001" || ids[49] != "clinic_050" {
		t.Fatalf("ClinicIDs(Config{}) = %v, %v", ids, err)
	}
	ids, err = ClinicIDs(Config{ClinicIDs: []string{"clinic_abc", "clinic_riverside"}})
	if err != nil || len(ids) != 2 {
		t.Fatalf("ClinicIDs with IDs = %v, %v", ids, err)
	}
	if _, err := ReceiverConfig(Config{Clinics: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := ClinicIDs(Config{Clinics: 3, ClinicIDs: []string{"a"}}); err == nil {
		t.Fatal("Clinics and ClinicIDs disagree, no error")
	}
}

// TestGenerateYear is the benchmark-sized run, only with -careqgen.big.
func TestGenerateYear(t *testing.T) {
	if !*big {
		t.Skip("run with -careqgen.big")
	}
	dir := careqlog.Dir(t.TempDir())
	st, err := Write(context.Background(), dir, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls (%d logged, %d replayed) in %s (%.0f calls/s): %d segments, %.2f GB; created %v, updated %v",
		st.TotalCalls(), st.Logged, st.Replayed, st.Elapsed, float64(st.TotalCalls())/st.Elapsed.Seconds(),
		st.Segments, float64(st.Bytes)/1e9, st.Created, st.Updated)
}

// BenchmarkGenerate reports generated calls a second: 3 clinics, 30 days,
// 5,000 appointments a run, with serve's sealing (a segment every 10
// simulated minutes, so about 1,600 segments a run). The year of
// TestGenerateYear has fewer segments per call.
func BenchmarkGenerate(b *testing.B) {
	var (
		calls, bytes int64
		segments     int
		elapsed      time.Duration
	)
	for i := range b.N {
		cfg := small(int64(i))
		cfg.MaxSegmentAge = 0
		st, err := Write(context.Background(), filepath.Join(b.TempDir(), "log"), cfg)
		if err != nil {
			b.Fatal(err)
		}
		calls, bytes, segments, elapsed = calls+st.TotalCalls(), bytes+st.Bytes, segments+st.Segments, elapsed+st.Elapsed
	}
	b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
	b.ReportMetric(float64(segments)/float64(b.N), "segments/op")
	b.ReportMetric(float64(bytes)/float64(calls), "log-bytes/call")
}
