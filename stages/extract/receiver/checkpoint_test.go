package receiver

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"carelake/data"
	"carelake/internal/careqreplay"
	"carelake/internal/testkit"
	"carelake/schemas/careqlog"
)

// stateDump is a receiver's whole state in comparable form.
type stateDump struct {
	Records map[string]map[recKey]entry
	Hashes  map[string]map[uint64]int64
	Applied map[string]map[uint64]struct{}
	Idem    map[string]string
}

func dumpState(s *Server) stateDump {
	d := stateDump{Records: map[string]map[recKey]entry{}, Hashes: map[string]map[uint64]int64{},
		Applied: map[string]map[uint64]struct{}{}, Idem: map[string]string{}}
	for _, cl := range s.clinics {
		cl.state.locked(func(st *clinicState) {
			d.Records[cl.ClinicID] = st.records.all()
			d.Hashes[cl.ClinicID] = st.hashes.all()
			for h, id := range d.Hashes[cl.ClinicID] {
				if id == 0 {
					delete(d.Hashes[cl.ClinicID], h) // no longer any appointment's
				}
			}
			d.Applied[cl.ClinicID] = st.applied.all()
		})
	}
	for k, e := range s.idem.entries {
		if e.res != nil {
			d.Idem[k] = e.at.UTC().Format("2006-01-02T15:04:05.999999999") + " " + string(e.res.body) +
				map[bool]string{true: " partial"}[e.res.partial]
		}
	}
	return d
}

// all is every entry of the table, as a map.
func (t *table[K, V]) all() map[K]V {
	m := map[K]V{}
	for _, e := range t.base {
		m[e.k] = e.v
	}
	for k, v := range t.more {
		m[k] = v
	}
	return m
}

// sampleServer opens a receiver with the example configuration on dir.
func sampleServer(t *testing.T, dir string, logger *slog.Logger) *Server {
	t.Helper()
	s, err := New(ServerOptions{Config: sampleConfig(t), PIIKey: []byte(piiKey), LogDir: dir, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sampleConfig(t *testing.T) *Config {
	t.Helper()
	cfgText, err := fs.ReadFile(data.CareQ, "careq/serve.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(cfgText)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// replaySample sends deliveries to s over loopback HTTP.
func replaySample(t *testing.T, s *Server, ds []careqreplay.Delivery) {
	t.Helper()
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	if _, err := careqreplay.Replay(context.Background(), ClinicClients(hs.URL, s.opts.Config), ds); err != nil {
		t.Fatal(err)
	}
}

func sampleDeliveries(t *testing.T) []careqreplay.Delivery {
	t.Helper()
	sub, _ := fs.Sub(data.CareQ, "careq/deliveries")
	ds, err := careqreplay.LoadDeliveries(sub)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// rebuilt is the state a receiver rebuilds from the log of dir alone (a copy
// without the checkpoint).
func rebuilt(t *testing.T, dir string) stateDump {
	t.Helper()
	return rebuiltWith(t, sampleConfig(t), dir)
}

func rebuiltWith(t *testing.T, cfg *Config, dir string) stateDump {
	t.Helper()
	cp := t.TempDir()
	testkit.CopyTree(t, dir, cp)
	os.Remove(filepath.Join(cp, careqlog.CheckpointName))
	s, err := New(ServerOptions{Config: cfg, PIIKey: []byte(piiKey), LogDir: cp})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.checkpointed.Load() != 0 {
		t.Fatal("the copy still had a checkpoint")
	}
	return dumpState(s)
}

// A start from a checkpoint plus the log after it has exactly the state a
// start from the whole log has: records, hashes, applied calls and stored
// answers. A checkpoint at the end of the log reads no record at all.
func TestCheckpointRestoresTheState(t *testing.T) {
	ds := sampleDeliveries(t)
	dir := t.TempDir()
	s := sampleServer(t, dir, nil)
	replaySample(t, s, ds[:len(ds)/2])
	seq, err := s.Checkpoint()
	if err != nil || seq == 0 {
		t.Fatal(seq, err)
	}
	replaySample(t, s, ds[len(ds)/2:])
	want := dumpState(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := sampleServer(t, dir, nil)
	if got := s2.checkpointed.Load(); got != seq {
		t.Fatalf("restored from seq %d, want %d", got, seq)
	}
	if got := dumpState(s2); !reflect.DeepEqual(got, want) {
		t.Fatal("state from checkpoint + log differs from the state before the restart")
	}
	if got := rebuilt(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatal("state from the whole log differs from the state before the restart")
	}
	// Checkpoint at the end: the next start replays nothing.
	if _, err := s2.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	var logs bytes.Buffer
	s3 := sampleServer(t, dir, slog.New(slog.NewTextHandler(&logs, nil)))
	defer s3.Close()
	if !strings.Contains(logs.String(), "records_after_it=0") {
		t.Fatalf("start after a final checkpoint read log records: %s", logs.String())
	}
	if got := dumpState(s3); !reflect.DeepEqual(got, want) {
		t.Fatal("state from a final checkpoint differs")
	}
}

// A torn, damaged or foreign checkpoint is never believed: the receiver
// says so and rebuilds from the whole log, to the same state.
func TestDamagedCheckpointFallsBackToTheLog(t *testing.T) {
	ds := sampleDeliveries(t)
	dir := t.TempDir()
	s := sampleServer(t, dir, nil)
	replaySample(t, s, ds)
	if _, err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	want := dumpState(s)
	s.Close()
	ck := filepath.Join(dir, careqlog.CheckpointName)
	good, err := os.ReadFile(ck)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	for name, content := range map[string][]byte{
		"empty":                    {},
		"torn at 1/3":              good[:len(good)/3],
		"torn before its checksum": good[:len(good)-1],
		"one bit flipped":          flipped,
		"another format":           append([]byte("carelake careq checkpoint 9\n"), good[len(checkpointMagic):]...),
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(ck, content, 0o640); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			s := sampleServer(t, dir, slog.New(slog.NewTextHandler(&logs, nil)))
			got := dumpState(s)
			from := s.checkpointed.Load()
			s.Close()
			if from != 0 || !strings.Contains(logs.String(), "checkpoint not used") {
				t.Fatalf("damaged checkpoint used (from seq %d): %s", from, logs.String())
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatal("state rebuilt from the log differs")
			}
		})
	}
}

// Once segments are retired, the log alone cannot give the state: without a
// usable checkpoint the receiver refuses to start rather than start wrong.
func TestRetiredSegmentsNeedTheCheckpoint(t *testing.T) {
	dir := t.TempDir()
	s := sampleServer(t, dir, nil)
	replaySample(t, s, sampleDeliveries(t)[:20])
	s.Close()
	paths, _ := careqlog.SealedSegments(dir)
	first := paths[0]
	// A later segment so the first can be retired, and a checkpoint covering it.
	s = sampleServer(t, dir, nil)
	replaySample(t, s, sampleDeliveries(t)[20:40])
	if _, err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Remove(first); err != nil {
		t.Fatal(err)
	}
	s = sampleServer(t, dir, nil) // the checkpoint covers what is gone
	s.Close()
	os.WriteFile(filepath.Join(dir, careqlog.CheckpointName), []byte("torn"), 0o640)
	_, err := New(ServerOptions{Config: sampleConfig(t), PIIKey: []byte(piiKey), LogDir: dir})
	if err == nil || !strings.Contains(err.Error(), "segments were retired") {
		t.Fatalf("start without the retired segments' checkpoint: %v", err)
	}
	if errors.Is(err, errCheckpoint) {
		t.Fatalf("the error should tell the operator what to restore: %v", err)
	}
}
