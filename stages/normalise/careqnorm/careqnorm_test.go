package careqnorm

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"carelake/data"
	"carelake/internal/careqreplay"
	"carelake/schemas"
	"carelake/schemas/careqlog"
	"carelake/schemas/loaded"
	"carelake/schemas/staging"
	"carelake/stages/extract/receiver"
	"carelake/stages/load"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const piiKey = "test-pii-key-0123456789abcdef0123456789"

// receive replays deliveries through a real receiver writing logDir, then
// closes it (sealing the log).
func receive(t *testing.T, logDir string, ds []careqreplay.Delivery) {
	t.Helper()
	raw, err := fs.ReadFile(data.CareQ, "careq/serve.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := receiver.ParseConfig(raw)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := receiver.New(receiver.ServerOptions{Config: cfg, PIIKey: []byte(piiKey), LogDir: logDir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	_, err = careqreplay.Replay(context.Background(), receiver.ClinicClients(hs.URL, cfg), ds)
	hs.Close()
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

func deliveries(t *testing.T) []careqreplay.Delivery {
	t.Helper()
	sub, err := fs.Sub(data.CareQ, "careq/deliveries")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := careqreplay.LoadDeliveries(sub)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// expectedRows derives from the deliveries alone how many rows each entity
// table must get per clinic: one per accepted change (created or updated),
// none for a retry (a body already sent: the receiver replays the stored
// answer without logging it) or a stale update, one per record of a batch.
func expectedRows(t *testing.T, ds []careqreplay.Delivery) map[string]map[string]int {
	t.Helper()
	want := map[string]map[string]int{}
	add := func(table, clinic string) {
		if want[table] == nil {
			want[table] = map[string]int{}
		}
		want[table][clinic]++
	}
	tableOf := map[string]string{"patient": "careq/patients", "doctor": "careq/doctors", "service": "careq/services",
		"appointment": "careq/appointments", "appointment/status": "careq/appointments", "appointment/cancel": "careq/appointments"}
	sent := map[string]bool{}
	for _, d := range ds {
		var compact bytes.Buffer
		if err := json.Compact(&compact, d.Body); err != nil {
			t.Fatal(err)
		}
		key := d.ClinicID + " " + d.Endpoint + " " + compact.String()
		retry := sent[key]
		sent[key] = true
		if retry || d.ExpectStatus/100 != 2 {
			continue
		}
		if d.Endpoint == "batch" {
			var b struct {
				Records []struct {
					Type string `json:"type"`
				} `json:"records"`
			}
			if err := json.Unmarshal(d.Body, &b); err != nil {
				t.Fatal(err)
			}
			for _, r := range b.Records {
				add(tableOf[r.Type], d.ClinicID)
			}
			continue
		}
		if d.ExpectSyncStatus == "synced" || d.ExpectSyncStatus == "updated" {
			add(tableOf[d.Endpoint], d.ClinicID)
		}
	}
	return want
}

// staged counts rows per table and clinic, and collects every string value.
func staged(t *testing.T, root string) (map[string]map[string]int, *bytes.Buffer) {
	t.Helper()
	man, err := staging.Open(root, Stage)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]int{}
	values := bytes.NewBufferString("\n")
	for _, p := range man.Partitions {
		clinic := strings.TrimPrefix(strings.Split(strings.TrimPrefix(p.Path, p.Table+"/"), "/")[0], "clinic_id=")
		if got[p.Table] == nil {
			got[p.Table] = map[string]int{}
		}
		err := man.Read(p, func(r arrow.RecordBatch) error {
			got[p.Table][clinic] += int(r.NumRows())
			for _, col := range r.Columns() {
				if s, ok := col.(*array.String); ok {
					for i := 0; i < s.Len(); i++ {
						values.WriteString(s.Value(i) + "\n")
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return got, values
}

func TestStagesEveryLoggedCallAndEveryAppliedChange(t *testing.T) {
	root := t.TempDir()
	logDir := careqlog.Dir(root)
	ds := deliveries(t)
	receive(t, logDir, ds)

	sum, err := Run(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	got, values := staged(t, root)

	// One events row per logged call, in the clinic's partition.
	segs, _ := careqlog.SealedSegments(logDir)
	calls := map[string]int{}
	for _, s := range segs {
		if err := careqlog.ReadSegment(s, func(r *careqlog.LogRecord) error { calls[r.ClinicID]++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for clinic, n := range calls {
		total += n
		if got["careq/events"][clinic] != n {
			t.Errorf("events of %s: %d rows, %d calls logged", clinic, got["careq/events"][clinic], n)
		}
	}
	if int64(total) != sum.Calls || sum.Segments != len(segs) || sum.Rejects != 0 {
		t.Errorf("summary %+v, %d calls in %d segments", sum, total, len(segs))
	}
	for table, byClinic := range expectedRows(t, ds) {
		for clinic, n := range byClinic {
			if got[table][clinic] != n {
				t.Errorf("%s of %s: %d rows, want %d", table, clinic, got[table][clinic], n)
			}
		}
	}

	// Nothing identifying from the deliveries reaches the staged tables.
	for _, d := range ds {
		var fields map[string]any
		_ = json.Unmarshal(d.Body, &fields)
		for _, k := range []string{"phone_number", "email", "aadhar_number", "first_name", "last_name", "address"} {
			v, ok := fields[k].(string)
			if !ok || v == "" || (d.Endpoint == "doctor" && (k == "first_name" || k == "last_name")) {
				continue
			}
			// Long values (phones, e-mails, addresses) must not appear anywhere;
			// short ones (names like "Test") must not be a whole value.
			if (len(v) >= 8 && bytes.Contains(values.Bytes(), []byte(v))) || bytes.Contains(values.Bytes(), []byte("\n"+v+"\n")) {
				t.Errorf("%s %s of %s reached the staged tables", d.Endpoint, k, d.ClinicID)
			}
		}
	}
}

// Segments already loaded are not staged again; new ones are.
func TestStagesOnlySegmentsNotYetLoaded(t *testing.T) {
	root := t.TempDir()
	logDir := careqlog.Dir(root)
	ds := deliveries(t)
	receive(t, logDir, ds[:40])

	if _, err := Run(context.Background(), Options{Root: root}); err != nil {
		t.Fatal(err)
	}
	// Not loaded yet: a second normalise stages the same segments again.
	sum, err := Run(context.Background(), Options{Root: root})
	if err != nil || sum.Segments != 1 || sum.Skipped != 0 {
		t.Fatalf("before load: %+v %v", sum, err)
	}
	if _, err := load.Run(context.Background(), load.Options{Root: root, Stages: []string{Stage}, Version: "test", Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	loaded, _ := loaded.Inputs(root, careqlog.LoadedKind)
	if len(loaded) != 1 {
		t.Fatalf("load did not record the segment: %v", loaded)
	}
	sum, err = Run(context.Background(), Options{Root: root})
	if err != nil || sum.Segments != 0 || sum.Skipped != 1 || sum.Calls != 0 {
		t.Fatalf("after load: %+v %v", sum, err)
	}
	// A later receiver session logs more: only its segment is staged.
	receive(t, logDir, ds[40:])
	sum, err = Run(context.Background(), Options{Root: root})
	if err != nil || sum.Segments != 1 || sum.Skipped != 1 {
		t.Fatalf("after more deliveries: %+v %v", sum, err)
	}
}

func TestEmptyLogStagesNothing(t *testing.T) {
	root := t.TempDir()
	sum, err := Run(context.Background(), Options{Root: root})
	if err != nil || sum.Segments != 0 || sum.Calls != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	man, err := staging.Open(root, Stage)
	if err != nil || len(man.Partitions) != 0 {
		t.Fatalf("%+v %v", man, err)
	}
}

// A logged record whose payload no longer decodes (format drift) becomes a
// rejects row; the call keeps its events row and the run goes on.
func TestUndecodablePayloadIsRejected(t *testing.T) {
	root := t.TempDir()
	logDir := careqlog.Dir(root)
	ds := deliveries(t)[:3]
	receive(t, logDir, ds)
	segs, _ := careqlog.SealedSegments(logDir)
	b, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	// The first payload's careq_id becomes a string: still JSON, no longer a record.
	broken := bytes.Replace(b, []byte(`"payload":{"careq_id":`), []byte(`"payload":{"careq_id":"x","was":`), 1)
	if bytes.Equal(b, broken) {
		t.Fatal("test log has no payload to break")
	}
	if err := os.WriteFile(segs[0], broken, 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	got, values := staged(t, root)
	if sum.Rejects != 1 || got["careq/rejects"][ds[0].ClinicID] != 1 || !strings.Contains(values.String(), "payload does not decode") {
		t.Fatalf("rejects %d, staged %v", sum.Rejects, got)
	}
	if got["careq/events"][ds[0].ClinicID] != len(ds) {
		t.Fatalf("events %v, want %d calls of %s", got["careq/events"], len(ds), ds[0].ClinicID)
	}
}

func TestRegisteredTablesMatchTheStagedSchemas(t *testing.T) {
	for _, tb := range []schemas.Table{tEvents, tPatients, tDoctors, tServices, tAppointments, tRejects} {
		if tb.Schema == nil || tb.MergeKey != "log_segment" {
			t.Fatalf("table %q not registered as expected", tb.Dataset)
		}
	}
}

// A segment sealed after the end of a month has rows in the partitions of
// both months (event_month is the UTC month of received_at), and load takes
// each month's rows once.
func TestSegmentAcrossMonthEndStagesTwoMonths(t *testing.T) {
	root := t.TempDir()
	logDir := careqlog.Dir(root)
	ds := deliveries(t)[:6]
	receive(t, logDir, ds)
	segs, _ := careqlog.SealedSegments(logDir)
	if len(segs) != 1 {
		t.Fatalf("%d segments", len(segs))
	}
	b, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	// Move the calls to either side of midnight UTC on 2026-11-30.
	lines := bytes.SplitAfter(b, []byte("\n"))
	at := regexp.MustCompile(`"received_at":"[^"]*"`)
	before, after := 0, 0
	for i, line := range lines {
		ts := time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC).Add(time.Duration(i*20) * time.Second)
		switch {
		case len(line) == 0:
		case ts.Month() == time.November:
			before++
		default:
			after++
		}
		lines[i] = at.ReplaceAll(line, []byte(`"received_at":"`+ts.Format(time.RFC3339Nano)+`"`))
	}
	if err := os.WriteFile(segs[0], bytes.Join(lines, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), Options{Root: root}); err != nil {
		t.Fatal(err)
	}
	man, err := staging.Open(root, Stage)
	if err != nil {
		t.Fatal(err)
	}
	months := map[string]int64{}
	for _, p := range man.Find("careq/events") {
		months[p.Path[strings.LastIndex(p.Path, "=")+1:]] += p.Rows
	}
	if before == 0 || after == 0 || len(months) != 2 || months["2026-11"] != int64(before) || months["2026-12"] != int64(after) {
		t.Fatalf("events staged by month %v, want %d in 2026-11 and %d in 2026-12", months, before, after)
	}
	for _, p := range man.Partitions {
		if !strings.Contains(p.Path, "/event_month=2026-11") && !strings.Contains(p.Path, "/event_month=2026-12") {
			t.Errorf("staged partition %s", p.Path)
		}
	}
	sum, err := load.Run(context.Background(), load.Options{Root: root, Stages: []string{Stage}, Version: "test", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != rowsOf(man) {
		t.Fatalf("loaded %d rows, staged %d", sum.Rows, rowsOf(man))
	}
}

func rowsOf(man *staging.Manifest) int64 {
	var n int64
	for _, p := range man.Partitions {
		n += p.Rows
	}
	return n
}
