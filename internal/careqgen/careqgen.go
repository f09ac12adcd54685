// Package careqgen writes a realistic CareQ log: what `carelake serve` would
// have logged for a year (or any number of days) of CareQ calls from many
// clinics, as sealed segments a later `carelake run` (normalise-careq) loads.
// It is a test kit for benchmarks and tests; nothing in carelake's own
// commands uses it.
//
// # Faithful by construction
//
// Write does not format log lines itself. It runs the real receiver
// (receiver.New) in-process on the log directory, builds every call with the
// receiver's own signing client (receiver.Client.Request: bearer token,
// X-CareQ-Timestamp, X-CareQ-Signature, and X-API-Key / X-Webhook-Secret for
// the clinics that use them) and hands it to the receiver's handler with an
// httptest.ResponseRecorder. Every answer is checked against what the
// simulation expects (status, sync_status, batch results, idempotent
// replay): an unexpected answer stops Write with an error. The records are
// therefore exactly the receiver's: pseudonyms, content MACs, idempotency
// keys, answers, segment names and sizes.
//
// A simulated clock drives both sides (receiver.ServerOptions.Now and Client.Now):
// it moves through the days in order, every call is stamped when it is sent,
// and the receiver sees it a few tens of milliseconds later, so the ±300 s
// timestamp check, the per-clinic rate limit (100 a minute, bursts of 200),
// the 24-hour idempotency window and the 10-minute segment sealing all run
// on simulated time. The only receiver option that differs from serve is
// receiver.LogOptions.NoSync: no fsync per call (the segments are still
// fsynced when sealed, and every segment is sealed when Write returns).
//
// # What a clinic does
//
// Times are Europe/London. On the first day each clinic creates its
// services (4 to 8) and doctors (3 to 7), one call each or in one batch.
// Every day it calls health once (07:30 to 08:00). Appointments are booked
// Monday to Friday 08:00 to 18:00, Saturday 08:00 to 13:00 and online on
// Sundays 10:00 to 16:00, more in winter than in summer; a clinic's size
// varies (log-normal). Each booking starts 0 to 27 days ahead in a slot of
// the opening hours (Monday to Friday 08:00 to 18:00, Saturday 09:00 to
// 13:00, in 15-minute steps) and lasts its service's duration.
//
// About 30% of bookings are by a new patient, created just before the
// appointment (6% of them as a batch: patient, then appointment); a
// returning patient's details change before 6% of their bookings (a newer
// patient record). 1% of bookings are families booking together: one batch
// of 2 or 3 patients (returning ones re-sent unchanged) and their
// appointments. After the booking: about 10% are cancelled (cancel
// endpoint) before they start, 3% are rescheduled (the full appointment
// again, status rescheduled), 70% are confirmed (status update, usually the
// day before) and, once over, 90% are completed and 6% no-shows (status
// updates); the rest are left as they were. A follow-up that would fall
// after the last day is not sent. A doctor or a service changes about once
// a month per clinic (a service's change is a price rise), and a new doctor
// joins about every four months.
//
// And what goes wrong: 0.4% of new patients are first sent with a phone
// number the receiver refuses (422 VALIDATION_ERROR, logged), corrected a
// few minutes later; for 0.2% the appointment arrives before its patient
// (404 RECORD_NOT_FOUND, logged) and is retried once the patient is in (the
// retry is evaluated again and logged); 0.5% of appointment calls and 0.3%
// of status calls are retried 5 s later with the same body because CareQ
// missed the answer (answered from the idempotency store: not logged
// again); 1 in 2,000 patient updates is followed by a delayed older version
// (200 stale_ignored). One clinic rotates its bearer token and signing
// secret halfway through.
//
// Everything follows from Config.Seed: two runs with the same Config write
// byte-identical segments.
//
// Write runs on one goroutine (plus the log's writer) and is CPU-bound, most
// of it in the receiver; its memory is the receiver's (every record's key
// and version, and a day of stored answers), so it grows with the number of
// appointments. A larger GOGC makes it faster at the cost of memory.
//
// Patient and doctor data are invented (UK-style names and towns, 10-digit
// phone numbers and, for a tenth of the patients, Aadhaar numbers, as the
// CareQ specification has them); e-mail addresses use example domains.
package careqgen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"carelake/pipeline"
	"carelake/schemas"
	"carelake/schemas/careqlog"
	"carelake/stages/extract/receiver"
)

// Defaults of Config.
const (
	DefaultClinics      = 50
	DefaultDays         = 365
	DefaultAppointments = 1_000_000
)

// DefaultStart is the first day when Config.Start is zero.
var DefaultStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultPIIKey is the pseudonymisation key when Config.PIIKey is empty
// (public: generated data only).
const DefaultPIIKey = "careqgen-pii-key-public-not-a-secret-0001"

// Config says what to generate. The zero value is 50 clinics, 365 days from
// 2025-01-01 and 1,000,000 appointments.
type Config struct {
	// Clinics is the number of clinics (default 50, or len(ClinicIDs)).
	Clinics int
	// ClinicIDs names the clinics (default clinic_001, clinic_002, ...).
	// When set, its length is the number of clinics.
	ClinicIDs []string
	// Days is how many days the log covers (default 365).
	Days int
	// Start is the first day (its calendar date, in Europe/London); default
	// 2025-01-01.
	Start time.Time
	// Appointments is how many appointments are created in all (default
	// 1,000,000), spread over the clinics and the days.
	Appointments int
	// Seed makes the run reproducible.
	Seed int64
	// PIIKey is the receiver's CARELAKE_PII_KEY (default DefaultPIIKey).
	PIIKey []byte
	// KeepFreeText runs the receiver with --keep-free-text.
	KeepFreeText bool
	// MaxSegmentBytes and MaxSegmentAge are the log's sealing thresholds
	// (default serve's: 64 MiB and 10 minutes of simulated time). A larger
	// age makes fewer, larger segments.
	MaxSegmentBytes int64
	MaxSegmentAge   time.Duration
}

// Stats describe what Write generated. Record types are the receiver's:
// patient, doctor, service, appointment, appointment_status,
// appointment_cancel.
type Stats struct {
	// Clinics are the clinic IDs, in order.
	Clinics []string
	// First and Last are the simulated times of the first and last call.
	First, Last time.Time
	// Calls counts the calls made per endpoint (idempotent replays included).
	Calls map[string]int64
	// Answers counts the HTTP statuses answered.
	Answers map[int]int64
	// Logged is how many calls the receiver logged: every call but the
	// idempotent replays (the rows of careq/events).
	Logged int64
	// Replayed counts retries answered from the idempotency store (not logged).
	Replayed int64
	// Batches counts logged batch calls, BatchRecords their records.
	Batches, BatchRecords int64
	// Created, Updated, Unchanged, Stale and Failed count records by record
	// type and what the receiver did with them (sync_status), batch records
	// included, replays excluded. Status updates and cancellations are
	// "updated" (they change the appointment).
	Created, Updated, Unchanged, Stale, Failed map[string]int64
	// Segments and Bytes describe the sealed log.
	Segments int
	Bytes    int64
	// Elapsed is the wall time Write took.
	Elapsed time.Duration
}

// TotalCalls is the number of calls made (replays included).
func (s *Stats) TotalCalls() int64 {
	var n int64
	for _, v := range s.Calls {
		n += v
	}
	return n
}

// Appointments is how many appointments were created.
func (s *Stats) Appointments() int64 { return s.Created[schemas.CareQAppointmentType] }

// Cancellations is how many cancellations the receiver applied.
func (s *Stats) Cancellations() int64 { return s.Updated[schemas.CareQAppointmentCancelType] }

// StatusUpdates is how many status updates the receiver applied.
func (s *Stats) StatusUpdates() int64 { return s.Updated[schemas.CareQAppointmentStatusType] }

// Rows is how many rows normalise-careq stages from the log, per table
// (careq/events, careq/patients, ...; careq/rejects has none).
func (s *Stats) Rows() map[string]int64 {
	applied := func(types ...string) int64 {
		var n int64
		for _, t := range types {
			n += s.Created[t] + s.Updated[t]
		}
		return n
	}
	rows := map[string]int64{
		"careq/events":   s.Logged,
		"careq/patients": applied(schemas.CareQPatientType),
		"careq/doctors":  applied(schemas.CareQDoctorType),
		"careq/services": applied(schemas.CareQServiceType),
		"careq/appointments": applied(schemas.CareQAppointmentType, schemas.CareQAppointmentStatusType,
			schemas.CareQAppointmentCancelType),
	}
	for k, v := range rows {
		if v == 0 {
			delete(rows, k)
		}
	}
	return rows
}

// ErrLogNotEmpty means Write was given a directory that already holds a log.
var ErrLogNotEmpty = errors.New("careqgen: the log directory already holds segments")

// withDefaults fills in the defaults and checks the config.
func (c Config) withDefaults() (Config, error) {
	if len(c.ClinicIDs) > 0 {
		if c.Clinics != 0 && c.Clinics != len(c.ClinicIDs) {
			return c, fmt.Errorf("careqgen: Clinics is %d but ClinicIDs has %d", c.Clinics, len(c.ClinicIDs))
		}
		c.Clinics = len(c.ClinicIDs)
	}
	if c.Clinics == 0 {
		c.Clinics = DefaultClinics
	}
	if c.Days == 0 {
		c.Days = DefaultDays
	}
	if c.Appointments == 0 {
		c.Appointments = DefaultAppointments
	}
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	if len(c.PIIKey) == 0 {
		c.PIIKey = []byte(DefaultPIIKey)
	}
	switch {
	case c.Clinics < 0 || c.Days < 0 || c.Appointments < 0:
		return c, errors.New("careqgen: Clinics, Days and Appointments must not be negative")
	case c.Clinics > 10_000:
		return c, errors.New("careqgen: at most 10,000 clinics")
	}
	if len(c.ClinicIDs) == 0 {
		c.ClinicIDs = make([]string, c.Clinics)
		for i := range c.ClinicIDs {
			c.ClinicIDs[i] = fmt.Sprintf("clinic_%03d", i+1)
		}
	}
	return c, nil
}

// ClinicIDs returns the IDs of the clinics Write generates for cfg, in
// order, so a caller can map them to CQC locations (clinics.csv).
func ClinicIDs(cfg Config) ([]string, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return append([]string(nil), c.ClinicIDs...), nil
}

// ReceiverConfig returns the receiver configuration Write uses for cfg: each
// clinic's bearer tokens, signing secrets and optional headers, derived from
// the seed. The same configuration lets a later receiver (serve) continue
// the log.
func ReceiverConfig(cfg Config) (*receiver.Config, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	rc := &receiver.Config{}
	for i, id := range c.ClinicIDs {
		rc.Clinics = append(rc.Clinics, clinicCredentials(c.Seed, i, id, c.Days).config)
	}
	if err := rc.Validate(); err != nil {
		return nil, err
	}
	return rc, nil
}

// Write generates the log described by cfg into dir (created if missing; it
// must not hold a log already) and seals every segment. It holds the
// directory's lock, as serve does, while it writes. On error the directory
// holds the part written so far.
func Write(ctx context.Context, dir string, cfg Config) (Stats, error) {
	began := time.Now()
	c, err := cfg.withDefaults()
	if err != nil {
		return Stats{}, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Stats{}, fmt.Errorf("careqgen: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Stats{}, fmt.Errorf("careqgen: %w", err)
	}
	for _, e := range entries {
		if n := e.Name(); filepath.Ext(n) == ".jsonl" || filepath.Ext(n) == ".open" {
			return Stats{}, fmt.Errorf("%w: %s", ErrLogNotEmpty, dir)
		}
	}
	lock, err := pipeline.AcquireLock(dir, "careqgen")
	if err != nil {
		return Stats{}, fmt.Errorf("careqgen: %w", err)
	}
	defer func() { _ = lock.Release() }()

	g, err := newGenerator(c, dir)
	if err != nil {
		return Stats{}, err
	}
	runErr := g.run(ctx)
	closeErr := g.srv.Close()
	st := g.stats
	if runErr != nil {
		return st, runErr
	}
	if closeErr != nil {
		return st, fmt.Errorf("careqgen: seal the log: %w", closeErr)
	}
	paths, err := careqlog.SealedSegments(dir)
	if err != nil {
		return st, err
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return st, fmt.Errorf("careqgen: %w", err)
		}
		st.Bytes += fi.Size()
	}
	st.Segments = len(paths)
	st.Elapsed = time.Since(began)
	return st, nil
}
