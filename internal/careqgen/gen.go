package careqgen

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Europe/London even where the system has no zoneinfo

	"carelake/schemas"
	"carelake/schemas/careqlog"
	"carelake/stages/extract/receiver"
)

// baseURL is where the simulated CareQ sends its calls; requests go
// straight to the handler, so the host is never resolved.
const baseURL = "http://careq-receiver.invalid"

// First careq_id of each record type (CareQ's IDs are global: they
// interleave across clinics).
const (
	firstPatientID     = 100_001
	firstDoctorID      = 5_001
	firstServiceID     = 8_001
	firstAppointmentID = 1_000_001
)

// simClock is the simulated time both CareQ and the receiver read.
type simClock struct{ ns atomic.Int64 }

func (c *simClock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// advanceTo moves the clock to t unless it is already later.
func (c *simClock) advanceTo(t time.Time) {
	if n := t.UnixNano(); n > c.ns.Load() {
		c.ns.Store(n)
	}
}

func (c *simClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

type patSim struct {
	id               int64
	created, updated int64 // Unix seconds
	version          uint16
}

type docSim struct {
	id               int64
	created, updated int64
	version          uint16
}

type svcSim struct {
	id               int64
	kind, room       int
	created, updated int64
	version          uint16
}

// Steps of an appointment after its booking.
const (
	stepReschedule = iota + 1
	stepConfirm
	stepCancel
	stepComplete
	stepNoShow
)

type step struct {
	kind       uint8
	at         int64 // Unix seconds
	start, end int64 // a reschedule's new slot
}

type apptSim struct {
	id               int64
	patient          int64
	doctor, service  int // indexes into the clinic's lists
	book, start, end int64
	steps            []step
}

type clinicSim struct {
	idx      int
	id       string
	town     town
	rng      *rand.Rand
	clients  [2]*receiver.Client // before and after a rotation
	rotateAt time.Time           // zero: no rotation
	doctors  []docSim
	services []svcSim
	patients []patSim
	daily    []int32 // bookings per day
	batches  int
}

func (cl *clinicSim) client(now time.Time) *receiver.Client {
	if !cl.rotateAt.IsZero() && !now.Before(cl.rotateAt) {
		return cl.clients[1]
	}
	return cl.clients[0]
}

type event struct {
	at  int64 // Unix nanoseconds
	seq uint64
	fn  func(time.Time) error
}

type events []event

func (h events) Len() int { return len(h) }
func (h events) Less(i, j int) bool {
	return h[i].at < h[j].at || h[i].at == h[j].at && h[i].seq < h[j].seq
}
func (h events) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *events) Push(x any)   { *h = append(*h, x.(event)) }
func (h *events) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = event{}
	*h = old[:len(old)-1]
	return e
}

type generator struct {
	cfg     Config
	loc     *time.Location
	first   time.Time // local midnight of the first day
	end     time.Time // local midnight after the last day
	srv     *receiver.Server
	handler http.Handler
	clock   simClock
	ctx     context.Context
	rng     *rand.Rand // network latency
	clinics []*clinicSim
	queue   events
	seq     uint64
	ids     struct{ patient, doctor, service, appointment int64 }
	stats   Stats
}

func newGenerator(c Config, dir string) (*generator, error) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return nil, fmt.Errorf("careqgen: %w", err)
	}
	g := &generator{cfg: c, loc: loc, rng: seeded(c.Seed, domClinic, math.MaxUint64)}
	g.first = time.Date(c.Start.Year(), c.Start.Month(), c.Start.Day(), 0, 0, 0, 0, loc)
	g.end = g.day(c.Days)
	g.clock.advanceTo(g.first)
	g.ids.patient, g.ids.doctor, g.ids.service, g.ids.appointment = firstPatientID, firstDoctorID, firstServiceID, firstAppointmentID
	g.stats = Stats{
		Clinics: append([]string(nil), c.ClinicIDs...),
		Calls:   map[string]int64{}, Answers: map[int]int64{},
		Created: map[string]int64{}, Updated: map[string]int64{}, Unchanged: map[string]int64{},
		Stale: map[string]int64{}, Failed: map[string]int64{},
	}
	rc := &receiver.Config{}
	for i, id := range c.ClinicIDs {
		cr := clinicCredentials(c.Seed, i, id, c.Days)
		rc.Clinics = append(rc.Clinics, cr.config)
		cl := &clinicSim{idx: i, id: id, rng: seeded(c.Seed, domClinic, uint64(i)), //nolint:gosec // an index
			town: towns[int(mix(uint64(c.Seed)^uint64(i))%uint64(len(towns)))]} //nolint:gosec // a seed's bits
		for k, cc := range cr.clients {
			cl.clients[k] = receiver.NewClient(baseURL, cc.token, cc.secret, cr.config.SignedPayload)
			cl.clients[k].APIKey, cl.clients[k].WebhookSecret = cr.config.APIKey, cr.config.WebhookSecret
			cl.clients[k].Now = g.clock.Now
		}
		if cr.rotate {
			cl.rotateAt = g.day(c.Days / 2).Add(12 * time.Hour)
		}
		g.clinics = append(g.clinics, cl)
	}
	g.allocate()
	srv, err := receiver.New(receiver.ServerOptions{
		Config: rc, PIIKey: c.PIIKey, LogDir: dir, KeepFreeText: c.KeepFreeText, Now: g.clock.Now,
		Log:    receiver.LogOptions{NoSync: true, MaxSegmentBytes: c.MaxSegmentBytes, MaxSegmentAge: c.MaxSegmentAge},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return nil, fmt.Errorf("careqgen: start the receiver: %w", err)
	}
	g.srv, g.handler = srv, srv.Handler()
	return g, nil
}

type clientCreds struct{ token, secret string }

type credentials struct {
	config  receiver.ClinicConfig
	clients [2]clientCreds // before and after a rotation (the same without one)
	rotate  bool
}

// clinicCredentials derives a clinic's secrets from the seed. Every third
// clinic signs "<timestamp>.<body>", every fifth also sends X-API-Key and
// X-Webhook-Secret, and the first rotates its token and secret halfway.
func clinicCredentials(seed int64, idx int, id string, days int) credentials {
	rng := seeded(seed, domSecret, uint64(idx)) //nolint:gosec // an index
	secret := func(n int) string {
		var b []byte
		for len(b) < n {
			b = fmt.Appendf(b, "%016x", rng.Uint64())
		}
		return string(b[:n])
	}
	old := clientCreds{token: secret(48), secret: secret(40)}
	cr := credentials{config: receiver.ClinicConfig{ClinicID: id, SignedPayload: receiver.SignedBody}, clients: [2]clientCreds{old, old}}
	if idx%3 == 2 {
		cr.config.SignedPayload = receiver.SignedTimestampBody
	}
	if idx%5 == 1 {
		cr.config.APIKey, cr.config.WebhookSecret = secret(32), secret(32)
	}
	cr.config.Tokens, cr.config.SigningSecrets = []string{old.token}, []string{old.secret}
	if idx == 0 && days >= 2 {
		next := clientCreds{token: secret(48), secret: secret(40)}
		cr.clients[1], cr.rotate = next, true
		cr.config.Tokens = []string{next.token, old.token}
		cr.config.SigningSecrets = []string{next.secret, old.secret}
	}
	return cr
}

// day is the local midnight starting day d.
func (g *generator) day(d int) time.Time {
	return time.Date(g.first.Year(), g.first.Month(), g.first.Day()+d, 0, 0, 0, 0, g.loc)
}

// at is a local time of day on a day, in seconds after midnight.
func (g *generator) at(day time.Time, secs int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, secs, 0, g.loc)
}

// allocate spreads the appointments over the clinics (log-normal sizes) and
// each clinic's over the days (weekdays, winter peak, day-to-day noise),
// exactly.
func (g *generator) allocate() {
	weights := make([]float64, len(g.clinics))
	for i, cl := range g.clinics {
		weights[i] = math.Exp(0.5 * cl.rng.NormFloat64())
	}
	perClinic := largestRemainder(g.cfg.Appointments, weights)
	for i, cl := range g.clinics {
		w := make([]float64, g.cfg.Days)
		for d := range w {
			day := g.day(d)
			f := map[time.Weekday]float64{time.Sunday: 0.15, time.Saturday: 0.45}[day.Weekday()]
			if f == 0 {
				f = 1
			}
			season := 1 + 0.15*math.Cos(2*math.Pi*float64(day.YearDay()-15)/365)
			w[d] = f * season * (0.8 + 0.4*cl.rng.Float64())
		}
		cl.daily = systematic(perClinic[i], w, cl.rng.Float64())
	}
}

// largestRemainder splits n in proportion to weights, exactly.
func largestRemainder(n int, weights []float64) []int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	out := make([]int, len(weights))
	rem := make([]float64, len(weights))
	left := n
	for i, w := range weights {
		x := float64(n) * w / sum
		out[i] = int(x)
		rem[i] = x - float64(out[i])
		left -= out[i]
	}
	for ; left > 0; left-- {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	return out
}

// systematic spreads n over days in proportion to weights, exactly, with
// the offset u in [0, 1).
func systematic(n int, weights []float64, u float64) []int32 {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	out := make([]int32, len(weights))
	var cum float64
	var prev int64 // floor(u)
	for d, w := range weights {
		cum += w
		next := int64(math.Floor(float64(n)*cum/sum + u))
		if d == len(weights)-1 {
			next = int64(n) // no rounding drift on the last day
		}
		out[d] = int32(next - prev) //nolint:gosec // at most n
		prev = next
	}
	return out
}

func (g *generator) schedule(at time.Time, fn func(time.Time) error) {
	if !at.Before(g.end) {
		return // after the last day: not sent
	}
	g.seq++
	heap.Push(&g.queue, event{at: at.UnixNano(), seq: g.seq, fn: fn})
}

func (g *generator) run(ctx context.Context) error {
	g.ctx = ctx
	for d := 0; d < g.cfg.Days; d++ {
		g.planDay(d)
		limit := g.day(d + 1).UnixNano()
		for n := 0; len(g.queue) > 0 && g.queue[0].at < limit; n++ {
			if n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("careqgen: %w", err)
				}
			}
			e := heap.Pop(&g.queue).(event)
			if err := e.fn(time.Unix(0, e.at)); err != nil {
				return err
			}
		}
	}
	return nil
}

// planDay schedules a day's calls that do not follow from earlier ones:
// health checks, the first day's setup, changes to doctors and services,
// and bookings.
func (g *generator) planDay(d int) {
	day := g.day(d)
	wd := day.Weekday()
	open, closing := 8*3600, 18*3600
	switch wd {
	case time.Saturday:
		closing = 13 * 3600
	case time.Sunday:
		open, closing = 10*3600, 16*3600
	}
	if d == 0 {
		open = 9 * 3600 // after the setup
	}
	for _, cl := range g.clinics {
		rng := cl.rng
		g.schedule(g.at(day, 7*3600+1800+rng.IntN(1800)), func(t time.Time) error { return g.health(cl, t) })
		if d == 0 {
			g.schedule(g.at(day, 8*3600+rng.IntN(1200)), func(t time.Time) error { return g.setup(cl, t) })
		} else if wd != time.Sunday {
			if rng.IntN(30) == 0 {
				g.schedule(g.at(day, open+rng.IntN(closing-open)), func(t time.Time) error { return g.change(cl, t) })
			}
			if rng.IntN(120) == 0 {
				g.schedule(g.at(day, open+rng.IntN(closing-open)), func(t time.Time) error { return g.newDoctor(cl, t) })
			}
		}
		for n := int(cl.daily[d]); n > 0; {
			k := 1
			if n >= 2 && rng.IntN(100) == 0 {
				k = min(n, 2+rng.IntN(2))
			}
			g.schedule(g.at(day, open+rng.IntN(closing-open)), func(t time.Time) error { return g.book(cl, t, k) })
			n -= k
		}
	}
}

// expect is the answer a call must get.
type expect struct {
	status int
	sync   string   // single record: data.sync_status as answered ("synced" for a creation)
	code   string   // an error's code
	items  []string // batch: each result's status
	replay bool     // answered from the idempotency store
}

// latency is how long a call takes from CareQ's stamp to the receiver.
func (g *generator) latency() time.Duration {
	return 20*time.Millisecond + time.Duration(g.rng.Int64N(int64(230*time.Millisecond)))
}

// send makes one signed POST at time at (or now, if the clock is past it)
// and checks its answer.
func (g *generator) send(cl *clinicSim, at time.Time, endpoint string, body []byte, exp expect) error {
	g.clock.advanceTo(at)
	req, err := cl.client(g.clock.Now()).Request(g.ctx, endpoint, body)
	if err != nil {
		return fmt.Errorf("careqgen: %w", err)
	}
	return g.serve(cl, req, endpoint, exp)
}

// health makes the clinic's GET health call.
func (g *generator) health(cl *clinicSim, at time.Time) error {
	g.clock.advanceTo(at)
	req, err := cl.client(g.clock.Now()).HealthRequest(g.ctx)
	if err != nil {
		return fmt.Errorf("careqgen: %w", err)
	}
	return g.serve(cl, req, careqlog.EndpointHealth, expect{status: http.StatusOK})
}

type answer struct {
	Data struct {
		Results []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
		} `json:"results"`
	} `json:"data"`
}

func (g *generator) serve(cl *clinicSim, req *http.Request, endpoint string, exp expect) error {
	g.clock.advance(g.latency())
	received := g.clock.Now()
	rec := httptest.NewRecorder()
	g.handler.ServeHTTP(rec, req)
	st := &g.stats
	if st.First.IsZero() {
		st.First = received
	}
	st.Last = received
	st.Calls[endpoint]++
	st.Answers[rec.Code]++
	fail := func(format string, args ...any) error {
		return fmt.Errorf("careqgen: %s %s at %s: %s (answer: %.300s)", cl.id, endpoint,
			received.Format(time.RFC3339Nano), fmt.Sprintf(format, args...), rec.Body.Bytes())
	}
	if rec.Code != exp.status {
		return fail("status %d, expected %d", rec.Code, exp.status)
	}
	if replayed := rec.Header().Get("Idempotent-Replayed") == "true"; replayed != exp.replay {
		return fail("idempotent replay %v, expected %v", replayed, exp.replay)
	}
	if exp.replay {
		st.Replayed++
		return nil
	}
	st.Logged++
	if endpoint == careqlog.EndpointHealth {
		return nil
	}
	if endpoint == careqlog.EndpointBatch {
		var a answer
		if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
			return fail("answer is not JSON: %v", err)
		}
		st.Batches++
		st.BatchRecords += int64(len(a.Data.Results))
		if len(a.Data.Results) != len(exp.items) {
			return fail("%d results, expected %d", len(a.Data.Results), len(exp.items))
		}
		for i, r := range a.Data.Results {
			if r.Status != exp.items[i] {
				return fail("record %d (%s): %s, expected %s", i, r.Type, r.Status, exp.items[i])
			}
			g.count(r.Type, r.Status)
		}
		return nil
	}
	// A single record's answer is small, flat JSON made by the receiver:
	// its one "code" or "sync_status" member is read without decoding it all.
	typ := careqlog.RecordType(endpoint)
	if exp.status >= 300 {
		if code := member(rec.Body.Bytes(), `"code":"`); code != exp.code {
			return fail("error %s, expected %s", code, exp.code)
		}
		st.Failed[typ]++
		return nil
	}
	sync := member(rec.Body.Bytes(), `"sync_status":"`)
	if sync != exp.sync {
		return fail("sync_status %s, expected %s", sync, exp.sync)
	}
	g.count(typ, sync)
	return nil
}

// member returns the string after the first occurrence of key (`"name":"`)
// up to the closing quote.
func member(b []byte, key string) string {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return ""
	}
	v := b[i+len(key):]
	if j := bytes.IndexByte(v, '"'); j >= 0 {
		return string(v[:j])
	}
	return ""
}

// count records what the receiver did with one record.
func (g *generator) count(typ, syncStatus string) {
	st := &g.stats
	switch syncStatus {
	case "synced", careqlog.SyncCreated:
		st.Created[typ]++
	case careqlog.SyncUpdated:
		st.Updated[typ]++
	case careqlog.SyncUnchanged:
		st.Unchanged[typ]++
	case careqlog.SyncStaleIgnored:
		st.Stale[typ]++
	default:
		st.Failed[typ]++
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("careqgen: encode: %v", err)) // only schemas types are encoded
	}
	return b
}

type batchRecord struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

type batchBody struct {
	ClinicID string        `json:"clinic_id"`
	BatchID  string        `json:"batch_id"`
	Records  []batchRecord `json:"records"`
}

func (g *generator) batchID(cl *clinicSim, t time.Time) string {
	cl.batches++
	return fmt.Sprintf("batch_%s_%04d", t.In(g.loc).Format("20060102"), cl.batches)
}

// setup creates the clinic's services and doctors on the first day: one
// call each, or (half the clinics) one batch.
func (g *generator) setup(cl *clinicSim, t time.Time) error {
	rng := cl.rng
	now := t.Unix()
	kinds := []int{0} // every clinic offers the first kind (GP consultations)
	for _, k := range rng.Perm(len(serviceKinds) - 1)[:3+rng.IntN(5)] {
		kinds = append(kinds, k+1)
	}
	var services []svcSim
	for i, k := range kinds {
		services = append(services, svcSim{id: g.ids.service, kind: k, room: i + 1, created: now, updated: now})
		g.ids.service++
	}
	var doctors []docSim
	for range 3 + rng.IntN(5) {
		doctors = append(doctors, docSim{id: g.ids.doctor, created: now, updated: now})
		g.ids.doctor++
	}
	if rng.IntN(2) == 0 {
		b := batchBody{ClinicID: cl.id, BatchID: g.batchID(cl, t)}
		var items []string
		for i := range services {
			b.Records = append(b.Records, batchRecord{schemas.CareQServiceType, serviceVersion(cl, &services[i])})
			items = append(items, careqlog.SyncCreated)
		}
		for i := range doctors {
			b.Records = append(b.Records, batchRecord{schemas.CareQDoctorType, doctorVersion(g.cfg.Seed, cl, &doctors[i])})
			items = append(items, careqlog.SyncCreated)
		}
		if err := g.send(cl, t, careqlog.EndpointBatch, mustJSON(b), expect{status: http.StatusOK, items: items}); err != nil {
			return err
		}
	} else {
		for i := range services {
			t = t.Add(time.Duration(2+rng.IntN(4)) * time.Second)
			body := mustJSON(serviceVersion(cl, &services[i]))
			if err := g.send(cl, t, careqlog.EndpointService, body, expect{status: http.StatusCreated, sync: "synced"}); err != nil {
				return err
			}
		}
		for i := range doctors {
			t = t.Add(time.Duration(2+rng.IntN(4)) * time.Second)
			body := mustJSON(doctorVersion(g.cfg.Seed, cl, &doctors[i]))
			if err := g.send(cl, t, careqlog.EndpointDoctor, body, expect{status: http.StatusCreated, sync: "synced"}); err != nil {
				return err
			}
		}
	}
	cl.services, cl.doctors = services, doctors
	return nil
}

// change updates a doctor (notes, mobile, is_private) or a service (price).
func (g *generator) change(cl *clinicSim, t time.Time) error {
	rng := cl.rng
	ok := expect{status: http.StatusOK, sync: careqlog.SyncUpdated}
	if len(cl.doctors) > 0 && rng.IntN(2) == 0 {
		d := &cl.doctors[rng.IntN(len(cl.doctors))]
		d.version++
		d.updated = max(t.Unix(), d.updated+1)
		return g.send(cl, t, careqlog.EndpointDoctor, mustJSON(doctorVersion(g.cfg.Seed, cl, d)), ok)
	}
	if len(cl.services) == 0 {
		return nil
	}
	s := &cl.services[rng.IntN(len(cl.services))]
	s.version++
	s.updated = max(t.Unix(), s.updated+1)
	return g.send(cl, t, careqlog.EndpointService, mustJSON(serviceVersion(cl, s)), ok)
}

func (g *generator) newDoctor(cl *clinicSim, t time.Time) error {
	d := docSim{id: g.ids.doctor, created: t.Unix(), updated: t.Unix()}
	g.ids.doctor++
	if err := g.send(cl, t, careqlog.EndpointDoctor, mustJSON(doctorVersion(g.cfg.Seed, cl, &d)),
		expect{status: http.StatusCreated, sync: "synced"}); err != nil {
		return err
	}
	cl.doctors = append(cl.doctors, d)
	return nil
}

func (g *generator) newPatient(t time.Time) patSim {
	p := patSim{id: g.ids.patient, created: t.Unix(), updated: t.Unix()}
	g.ids.patient++
	return p
}

var (
	created   = expect{status: http.StatusCreated, sync: "synced"}
	updated   = expect{status: http.StatusOK, sync: careqlog.SyncUpdated}
	createdRe = expect{status: http.StatusCreated, sync: "synced", replay: true}
	updatedRe = expect{status: http.StatusOK, sync: careqlog.SyncUpdated, replay: true}
)

// book books k appointments at t (k > 1: a family, in one batch).
func (g *generator) book(cl *clinicSim, t time.Time, k int) error {
	if len(cl.services) == 0 || len(cl.doctors) == 0 {
		return fmt.Errorf("careqgen: %s books before its setup (a bug)", cl.id)
	}
	if k > 1 {
		return g.family(cl, t, k)
	}
	rng := cl.rng
	seed := g.cfg.Seed
	if len(cl.patients) > 0 && rng.IntN(100) >= 30 {
		p := &cl.patients[rng.IntN(len(cl.patients))]
		if rng.IntN(100) < 6 {
			if err := g.updatePatient(cl, t, p); err != nil {
				return err
			}
			t = t.Add(time.Duration(1+rng.IntN(3)) * time.Second)
		}
		return g.sendAppointment(cl, t, g.newAppointment(cl, t, p.id))
	}
	p := g.newPatient(t)
	a := g.newAppointment(cl, t, p.id)
	pb := mustJSON(patientVersion(seed, cl, &p))
	ab := mustJSON(appointmentRecord(seed, cl, a, "booked", t))
	switch r := rng.IntN(1000); {
	case r < 4:
		// Refused for its phone number, corrected a few minutes later.
		bad := patientVersion(seed, cl, &p)
		bad.PhoneNumber = "+44 " + bad.PhoneNumber
		if err := g.send(cl, t, careqlog.EndpointPatient, mustJSON(bad),
			expect{status: http.StatusUnprocessableEntity, code: careqlog.CodeValidationError}); err != nil {
			return err
		}
		g.schedule(t.Add(time.Duration(120+rng.IntN(360))*time.Second), func(t time.Time) error {
			if err := g.send(cl, t, careqlog.EndpointPatient, pb, created); err != nil {
				return err
			}
			cl.patients = append(cl.patients, p)
			if err := g.send(cl, t.Add(2*time.Second), careqlog.EndpointAppointment, ab, created); err != nil {
				return err
			}
			g.follow(cl, a, 0)
			return nil
		})
		return nil
	case r < 6:
		// The appointment overtakes its patient, and is retried.
		if err := g.send(cl, t, careqlog.EndpointAppointment, ab,
			expect{status: http.StatusNotFound, code: careqlog.CodeRecordNotFound}); err != nil {
			return err
		}
		if err := g.send(cl, t.Add(time.Second), careqlog.EndpointPatient, pb, created); err != nil {
			return err
		}
		if err := g.send(cl, t.Add(6*time.Second), careqlog.EndpointAppointment, ab, created); err != nil {
			return err
		}
	case r < 66:
		b := batchBody{ClinicID: cl.id, BatchID: g.batchID(cl, t), Records: []batchRecord{
			{schemas.CareQPatientType, json.RawMessage(pb)}, {schemas.CareQAppointmentType, json.RawMessage(ab)}}}
		if err := g.send(cl, t, careqlog.EndpointBatch, mustJSON(b),
			expect{status: http.StatusOK, items: []string{careqlog.SyncCreated, careqlog.SyncCreated}}); err != nil {
			return err
		}
	default:
		if err := g.send(cl, t, careqlog.EndpointPatient, pb, created); err != nil {
			return err
		}
		cl.patients = append(cl.patients, p)
		return g.sendAppointment(cl, t.Add(time.Duration(1+rng.IntN(3))*time.Second), a)
	}
	cl.patients = append(cl.patients, p)
	g.follow(cl, a, 0)
	return nil
}

// sendAppointment creates a booked appointment (retried now and then) and
// schedules what follows.
func (g *generator) sendAppointment(cl *clinicSim, t time.Time, a *apptSim) error {
	body := mustJSON(appointmentRecord(g.cfg.Seed, cl, a, "booked", time.Unix(a.book, 0)))
	if err := g.send(cl, t, careqlog.EndpointAppointment, body, created); err != nil {
		return err
	}
	if cl.rng.IntN(1000) < 5 {
		if err := g.send(cl, t.Add(5*time.Second), careqlog.EndpointAppointment, body, createdRe); err != nil {
			return err
		}
	}
	g.follow(cl, a, 0)
	return nil
}

// updatePatient sends a newer version of a returning patient; rarely a
// delayed older version follows and is ignored.
func (g *generator) updatePatient(cl *clinicSim, t time.Time, p *patSim) error {
	prev := p.updated
	p.version++
	p.updated = max(t.Unix(), p.updated+1)
	if err := g.send(cl, t, careqlog.EndpointPatient, mustJSON(patientVersion(g.cfg.Seed, cl, p)), updated); err != nil {
		return err
	}
	if cl.rng.IntN(2000) == 0 && p.updated-prev >= 2 {
		old := *p
		old.updated = prev + (p.updated-prev)/2
		body := mustJSON(patientVersion(g.cfg.Seed, cl, &old))
		return g.send(cl, t.Add(500*time.Millisecond), careqlog.EndpointPatient, body,
			expect{status: http.StatusOK, sync: careqlog.SyncStaleIgnored})
	}
	return nil
}

// family books k appointments in one batch: each patient (new, or a
// returning one re-sent unchanged) before their appointment.
func (g *generator) family(cl *clinicSim, t time.Time, k int) error {
	rng := cl.rng
	b := batchBody{ClinicID: cl.id, BatchID: g.batchID(cl, t)}
	var (
		items   []string
		newOnes []patSim
		appts   []*apptSim
		seen    = map[int64]bool{}
	)
	for range k {
		var p patSim
		status := careqlog.SyncCreated
		returning := len(cl.patients) > 0 && rng.IntN(10) < 3
		if returning {
			p = cl.patients[rng.IntN(len(cl.patients))]
			returning = !seen[p.id]
		}
		if returning {
			status = careqlog.SyncUnchanged
		} else {
			p = g.newPatient(t)
			newOnes = append(newOnes, p)
		}
		seen[p.id] = true
		a := g.newAppointment(cl, t, p.id)
		appts = append(appts, a)
		b.Records = append(b.Records,
			batchRecord{schemas.CareQPatientType, patientVersion(g.cfg.Seed, cl, &p)},
			batchRecord{schemas.CareQAppointmentType, appointmentRecord(g.cfg.Seed, cl, a, "booked", t)})
		items = append(items, status, careqlog.SyncCreated)
	}
	if err := g.send(cl, t, careqlog.EndpointBatch, mustJSON(b), expect{status: http.StatusOK, items: items}); err != nil {
		return err
	}
	cl.patients = append(cl.patients, newOnes...)
	for _, a := range appts {
		g.follow(cl, a, 0)
	}
	return nil
}

// hours are a day's opening hours for appointments (seconds after
// midnight); closed on Sundays.
func hours(wd time.Weekday) (open, closing int, ok bool) {
	switch wd {
	case time.Sunday:
		return 0, 0, false
	case time.Saturday:
		return 9 * 3600, 13 * 3600, true
	}
	return 8 * 3600, 18 * 3600, true
}

// slot picks a 15-minute slot on the first open day from day on, not
// before earliest.
func (g *generator) slot(rng *rand.Rand, day time.Time, earliest time.Time) time.Time {
	for {
		open, closing, ok := hours(day.Weekday())
		if ok {
			first := g.at(day, open)
			if earliest.After(first) {
				// Round up to the next quarter hour.
				secs := int(earliest.Sub(first)/time.Second) + open
				first = g.at(day, (secs+899)/900*900)
			}
			last := g.at(day, closing-900)
			if !first.After(last) {
				n := int(last.Sub(first)/(15*time.Minute)) + 1
				return first.Add(time.Duration(rng.IntN(n)) * 15 * time.Minute)
			}
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, g.loc)
	}
}

// pickService picks the service an appointment is for, by how often each of
// the clinic's services is booked (serviceKind.weight).
func pickService(rng *rand.Rand, services []svcSim) int {
	var total float64
	for _, s := range services {
		total += serviceKinds[s.kind].weight
	}
	x := rng.Float64() * total
	for i, s := range services {
		if x -= serviceKinds[s.kind].weight; x < 0 || i == len(services)-1 {
			return i
		}
	}
	return 0 // no services: not reached, a clinic has some
}

// leadDays is how many days ahead an appointment is booked: the same day for
// 15%, the next for 15%, within the week for 35%, up to four weeks otherwise.
func leadDays(rng *rand.Rand) int {
	switch r := rng.IntN(100); {
	case r < 15:
		return 0
	case r < 30:
		return 1
	case r < 65:
		return 2 + rng.IntN(5)
	default:
		return 7 + rng.IntN(21)
	}
}

// newAppointment books an appointment at t and plans what happens to it.
func (g *generator) newAppointment(cl *clinicSim, t time.Time, patient int64) *apptSim {
	rng := cl.rng
	a := &apptSim{id: g.ids.appointment, patient: patient, book: t.Unix(), doctor: rng.IntN(len(cl.doctors))}
	g.ids.appointment++
	a.service = pickService(rng, cl.services)
	minutes := time.Duration(serviceKinds[cl.services[a.service].kind].minutes) * time.Minute
	local := t.In(g.loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, g.loc)
	startDay := time.Date(today.Year(), today.Month(), today.Day()+leadDays(rng), 0, 0, 0, 0, g.loc)
	slot := g.slot(rng, startDay, t.Add(30*time.Minute))
	a.start, a.end = slot.Unix(), slot.Add(minutes).Unix()

	// What follows, in time order; a reschedule moves the slot the later
	// steps refer to (the appointment itself moves when it is sent).
	prev, start, end := a.book, a.start, a.end
	// daytime picks a time in [lo, hi] at 08:00 to 20:00 local, or reports
	// that the interval has no such time.
	daytime := func(lo, hi int64) (int64, bool) {
		first := time.Unix(lo, 0).In(g.loc)
		days := int(time.Unix(hi, 0).Sub(first).Hours()/24) + 1
		day := time.Date(first.Year(), first.Month(), first.Day()+rng.IntN(days+1), 0, 0, 0, 0, g.loc)
		at := min(max(g.at(day, 8*3600+rng.IntN(12*3600)).Unix(), lo), hi)
		h := time.Unix(at, 0).In(g.loc).Hour()
		return at, h >= 7 && h < 22
	}
	switch r := rng.IntN(1000); {
	case r < 105: // cancelled
		if at, ok := daytime(a.book+600, start-900); ok && a.book+600 < start-900 {
			a.steps = append(a.steps, step{kind: stepCancel, at: at})
			return a
		}
	case r < 135: // rescheduled to a later day
		if at, ok := daytime(a.book+600, start-7200); ok && a.book+600 < start-7200 {
			s := time.Unix(start, 0).In(g.loc)
			newDay := time.Date(s.Year(), s.Month(), s.Day()+1+rng.IntN(14), 0, 0, 0, 0, g.loc)
			ns := g.slot(rng, newDay, newDay)
			prev, start, end = at, ns.Unix(), ns.Add(minutes).Unix()
			a.steps = append(a.steps, step{kind: stepReschedule, at: at, start: start, end: end})
		}
	}
	if rng.IntN(100) < 70 {
		// Usually the day before; never before a corrected patient is in
		// (at most 8 minutes after the booking).
		s := time.Unix(start, 0).In(g.loc)
		at := g.at(time.Date(s.Year(), s.Month(), s.Day()-1, 0, 0, 0, 0, g.loc), 9*3600+rng.IntN(8*3600)).Unix()
		if at <= prev+900 {
			at = prev + 900 + rng.Int64N(600)
		}
		if at < start-900 {
			a.steps = append(a.steps, step{kind: stepConfirm, at: at})
		}
	}
	switch r := rng.IntN(100); {
	case r < 90:
		a.steps = append(a.steps, step{kind: stepComplete, at: end + 300 + rng.Int64N(85*60)})
	case r < 96:
		a.steps = append(a.steps, step{kind: stepNoShow, at: start + 900 + rng.Int64N(45*60)})
	}
	return a
}

// follow schedules step i of an appointment (nothing after the last day).
func (g *generator) follow(cl *clinicSim, a *apptSim, i int) {
	if i >= len(a.steps) {
		return
	}
	g.schedule(time.Unix(a.steps[i].at, 0), func(t time.Time) error {
		if err := g.doStep(cl, a, &a.steps[i], t); err != nil {
			return err
		}
		g.follow(cl, a, i+1)
		return nil
	})
}

func (g *generator) doStep(cl *clinicSim, a *apptSim, s *step, t time.Time) error {
	rng := cl.rng
	id := a.id
	at := utc(time.Unix(s.at, 0))
	status := func(value string, notes *string) error {
		body := mustJSON(schemas.CareQAppointmentStatus{CareQID: id, ClinicID: cl.id, Status: value, Notes: notes, UpdatedAt: at})
		if err := g.send(cl, t, careqlog.EndpointStatus, body, updated); err != nil {
			return err
		}
		if rng.IntN(1000) < 3 {
			return g.send(cl, t.Add(5*time.Second), careqlog.EndpointStatus, body, updatedRe)
		}
		return nil
	}
	switch s.kind {
	case stepReschedule:
		a.start, a.end = s.start, s.end
		body := mustJSON(appointmentRecord(g.cfg.Seed, cl, a, "rescheduled", time.Unix(s.at, 0)))
		return g.send(cl, t, careqlog.EndpointAppointment, body, updated)
	case stepConfirm:
		var notes *string
		if rng.IntN(4) == 0 {
			notes = ptr(pick(rng, []string{"Confirmed by SMS", "Confirmed by phone", "Confirmed in the app"}))
		}
		return status("confirmed", notes)
	case stepCancel:
		body := mustJSON(schemas.CareQAppointmentCancel{CareQID: id, ClinicID: cl.id,
			CancellationReason: ptr(pick(rng, cancelReasons)), CancelledBy: ptr(pick(rng, cancelledBy)), CancelledAt: at})
		return g.send(cl, t, careqlog.EndpointCancel, body, updated)
	case stepComplete:
		var notes *string
		if rng.IntN(3) == 0 {
			notes = ptr(pick(rng, []string{"Seen; no follow-up needed", "Seen; follow-up in 2 weeks", "Referred on", "Prescription issued"}))
		}
		return status("completed", notes)
	default:
		return status("no-show", nil)
	}
}
