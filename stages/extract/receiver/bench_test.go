package receiver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"carelake/schemas"
	"carelake/schemas/careqlog"
)

// benchPatient is a realistic patient call (the specification's example with
// a unique careq_id, phone and e-mail), so every call is a new record.
func benchPatient(i int) []byte {
	return []byte(fmt.Sprintf(`{"careq_id": %d, "clinic_id": "clinic_abc", "first_name": "John", "last_name": "Doe",`+
		` "email": "john.doe%d@example.com", "phone_number": "9%09d", "date_of_birth": "1990-05-15", "gender": "male",`+
		` "address": "123 Main Street", "city": "Mumbai", "state": "Maharashtra", "zip_code": "400001",`+
		` "aadhar_number": "1234-5678-9012", "spouse_name": "Jane Doe", "father_name": "Robert Doe",`+
		` "custom_field_1": "Blood Group: O+", "notes": "Regular patient, prefers morning appointments",`+
		` "timezone": "Asia/Kolkata", "language": "en-US", "created_at": "2025-12-10T10:00:00Z",`+
		` "updated_at": "2025-12-10T10:00:00Z"}`, 2_000_000+i, i, i))
}

// intakeScenario is one constant-rate run against a fresh receiver.
type intakeScenario struct {
	name    string
	noSync  bool
	rate    float64
	dur     time.Duration
	workers int
}

// BenchmarkIntake measures signed, validated, pseudonymised and durably
// logged calls over loopback HTTP with a constant-arrival-rate load
// generator (latency from each call's scheduled time), with fsync and,
// side by side, without (the cost of durability). The receiver is a
// separate process; reported: achieved calls/s, calls dropped because the
// receiver fell behind, p50/p99/max latency in ms, and the receiver's CPU
// time per call. The load generator shares the machine's cores.
func BenchmarkIntake(b *testing.B) {
	for _, sc := range []intakeScenario{
		// Latency at the target rate of 1,000 calls/s.
		{"durable-1000rps", false, 1000, 3 * time.Second, 64},
		{"nofsync-1000rps", true, 1000, 3 * time.Second, 64},
		// Throughput: offered 4,000 calls/s, above the 3,000 target; an
		// overloaded server shows as achieved < offered, latency and drops.
		{"durable-4000rps", false, 4000, 3 * time.Second, 256},
		{"nofsync-4000rps", true, 4000, 3 * time.Second, 256},
	} {
		b.Run(sc.name, func(b *testing.B) {
			for range b.N {
				runIntake(b, sc)
			}
		})
	}
}

func runIntake(b *testing.B, sc intakeScenario) {
	// The receiver runs as its own process (the test binary re-executed, as
	// in TestKill9UnderLoad), so its CPU time can be read apart from the
	// load generator's.
	env := []string{}
	if sc.noSync {
		env = append(env, "CAREQ_TEST_NOSYNC=1")
	}
	c := startChild(b, writeTestConfig(b), b.TempDir(), env...)
	defer func() {
		c.cmd.Process.Signal(syscall.SIGTERM)
		c.cmd.Wait()
	}()

	cpu0 := processCPU(b, c.cmd.Process.Pid)
	b.ResetTimer()
	res := clinicLoad(b, c.addr, sc.rate, sc.dur, sc.workers)
	b.StopTimer()
	cpu := processCPU(b, c.cmd.Process.Pid) - cpu0
	if res.Failed > 0 {
		b.Errorf("%d calls failed", res.Failed)
	}
	if res.Dropped > 0 {
		b.Logf("%d of %d calls dropped: the receiver could not keep up", res.Dropped, res.Scheduled)
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(res.rate(), "calls/s")
	b.ReportMetric(float64(res.Dropped), "dropped")
	b.ReportMetric(ms(res.quantile(0.50)), "p50-ms")
	b.ReportMetric(ms(res.quantile(0.99)), "p99-ms")
	b.ReportMetric(ms(res.quantile(1)), "max-ms")
	if m := scrapeMetrics(b, "http://"+c.metricsAddr+"/metrics"); m["careq_log_group_commits_total"] > 0 {
		b.ReportMetric(m["careq_log_records_total"]/m["careq_log_group_commits_total"], "calls/commit")
	}
	if res.OK > 0 {
		// The receiver's own CPU per answered call: what two dedicated cores
		// would sustain is 2 s / this.
		b.ReportMetric(float64(cpu.Microseconds())/float64(res.OK), "server-cpu-us/call")
	}
}

// clinicLoad sends new patients of clinic_abc, signed, at rate for dur to the
// receiver at addr (runLoad). Bodies and signatures are made first, so the
// load generator spends its share of the CPU on HTTP only.
func clinicLoad(b *testing.B, addr string, rate float64, dur time.Duration, workers int) loadResult {
	b.StopTimer()
	n := int(rate * dur.Seconds())
	ts := time.Now().Unix()
	bodies, sigs := make([][]byte, n), make([]string, n)
	for i := range n {
		bodies[i] = benchPatient(i)
		sigs[i] = Sign(secA1, SignedBody, ts, bodies[i])
	}
	hc := loadClient(workers)
	url := "http://" + addr + APIPrefix + careqlog.EndpointPatient
	tsHeader := strconv.FormatInt(ts, 10)
	b.StartTimer()
	return runLoad(context.Background(), rate, dur, workers, func(i int) bool {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bodies[i]))
		req.Header.Set("Authorization", "Bearer "+tokA1)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(HeaderTimestamp, tsHeader)
		req.Header.Set(HeaderSignature, sigs[i])
		resp, err := hc.Do(req)
		if err != nil {
			return false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusCreated
	})
}

// BenchmarkFlood: a clinic sends 1,000 signed calls a second for 10 s to a
// receiver process, once alone and, side by side in the same run, once
// while one unauthenticated client sends calls (a wrong bearer token, 1 KiB
// bodies) as fast as 64 connections allow. Reported: the clinic's p99 alone
// and beside the flood and their ratio (target <= 2), the flood's answered
// calls a second, and the bytes the flood added to the durable log (target
// 0: the log is read back after the run and every line not of the clinic
// counted).
func BenchmarkFlood(b *testing.B) {
	for range b.N {
		alone, _, _ := runFlood(b, false)
		flooded, floodCalls, floodBytes := runFlood(b, true)
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(alone.quantile(0.99)), "alone-p99-ms")
		b.ReportMetric(ms(flooded.quantile(0.99)), "flooded-p99-ms")
		b.ReportMetric(float64(flooded.quantile(0.99))/float64(alone.quantile(0.99)), "p99-ratio")
		b.ReportMetric(float64(floodCalls)/flooded.Elapsed.Seconds(), "flood-calls/s")
		b.ReportMetric(float64(floodBytes), "flood-log-bytes")
		b.ReportMetric(flooded.rate(), "clinic-calls/s")
		if floodBytes != 0 {
			b.Errorf("the flood wrote %d bytes to the durable log", floodBytes)
		}
	}
}

// runFlood runs the clinic's load against a fresh receiver process, beside
// the flood or not; it returns the clinic's result, the flood's answered
// calls and the bytes of the durable log that are not the clinic's.
func runFlood(b *testing.B, flood bool) (res loadResult, floodCalls, floodLogBytes int64) {
	dir := b.TempDir()
	c := startChild(b, writeTestConfig(b), dir)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var answered atomic.Int64
	if flood {
		hc := loadClient(64)
		body := bytes.Repeat([]byte("x"), 1024)
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+c.addr+APIPrefix+"patient", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer stolen-or-guessed-token-00000000000000")
					resp, err := hc.Do(req)
					if err != nil {
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					answered.Add(1)
				}
			}()
		}
	}
	res = clinicLoad(b, c.addr, 1000, 10*time.Second, 64)
	cancel()
	wg.Wait()
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()
	if res.Failed > 0 || res.Dropped > 0 {
		b.Logf("flood %v: %d clinic calls failed, %d dropped", flood, res.Failed, res.Dropped)
	}
	paths, _ := careqlog.SealedSegments(dir)
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range bytes.SplitAfter(raw, []byte("\n")) {
			if len(line) > 0 && !bytes.Contains(line, []byte(`"clinic_id":"clinic_abc"`)) {
				floodLogBytes += int64(len(line))
			}
		}
	}
	return res, answered.Load(), floodLogBytes
}

// scrapeMetrics reads the unlabelled samples of a /metrics page.
func scrapeMetrics(b *testing.B, url string) map[string]float64 {
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	out := map[string]float64{}
	for _, line := range strings.Split(string(text), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if ok && !strings.HasPrefix(line, "#") && !strings.Contains(name, "{") {
			out[name], _ = strconv.ParseFloat(value, 64)
		}
	}
	return out
}

// processCPU is a process's user+system CPU time so far (from /proc).
func processCPU(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command name (which is in parentheses): utime and
	// stime are the 12th and 13th, in clock ticks (USER_HZ, 100 on Linux).
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// BenchmarkHandlePatient is the receiver's CPU cost per call (no network, no
// fsync): signature, validation, pseudonymisation, state, log encoding.
func BenchmarkHandlePatient(b *testing.B) {
	s, err := New(ServerOptions{Config: testConfig(b), PIIKey: []byte(piiKey), LogDir: b.TempDir(),
		RatePerMinute: 1 << 30, RateBurst: 1 << 20, Log: LogOptions{NoSync: true}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	ts := time.Now().Unix()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		body := benchPatient(i)
		req := httptest.NewRequest(http.MethodPost, APIPrefix+"patient", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tokA1)
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		req.Header.Set(HeaderSignature, Sign(secA1, SignedBody, ts, body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

func BenchmarkVerifySignature(b *testing.B) {
	body := benchPatient(1)
	sig := []string{Sign(secA2, SignedBody, 0, body)}
	b.SetBytes(int64(len(body)))
	for range b.N {
		if err := VerifySignature(sig, []string{secA1, secA2}, SignedBody, 0, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeAndSanitise(b *testing.B) {
	p := NewPseudonymiser([]byte(piiKey), false)
	body := benchPatient(1)
	b.ReportAllocs()
	for range b.N {
		v, errs, err := DecodeCareQ(schemas.CareQPatientType, body)
		if err != nil || len(errs) > 0 {
			b.Fatal(err, errs)
		}
		_ = mustJSON(p.Sanitise(v))
	}
}
