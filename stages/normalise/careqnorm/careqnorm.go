// Package careqnorm is the CareQ half of the normalise stage: it turns the
// receiver's sealed log segments (format: schemas/careqlog) into the CareQ
// tables (schemas.CareQTables), staged for load as "normalise-careq".
//
// Input: every sealed segment of the log directory (default
// <root>/raw/careq) that the pipeline has not recorded as loaded
// (loaded.Inputs, kind careqlog.LoadedKind). The segment being written is
// never read. The output declares the segments it consumes, and load marks
// them loaded once its partitions are in place, so the next run stages only
// newer segments. Should a crash fall between load and that mark, the
// segments are staged again and load's merge (the tables' MergeKey,
// log_segment) drops the rows a partition already holds: every logged call
// reaches the warehouse exactly once.
//
// Output, one partition per table, clinic and UTC month the receiver logged
// the call (careq/<table>/clinic_id=<id>/event_month=<YYYY-MM>; a segment
// sealed after the end of a month has rows in two):
//   - events: one row per logged call, accepted or rejected (calls no token
//     matched go to clinic_id=unauthenticated);
//   - patients, doctors, services, appointments: one row per change the
//     receiver applied (sync_status created or updated), batch records
//     included, in log order; appointments holds full records, status
//     updates and cancellations (column change);
//   - rejects: a logged record that cannot be decoded, or a value that does
//     not fit its column (the row is kept with NULL there).
//
// The receiver pseudonymised the payloads before logging them; this stage
// adds no personal data and reads nothing else.
package careqnorm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
	"carelake/schemas/batch"
	"carelake/schemas/careqlog"
	"carelake/schemas/loaded"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

// Stage names the staged output.
const Stage = staging.NormaliseCareQ

// Licence is the terms carried in every CareQ Parquet file's metadata.
const Licence = "Confidential: CareQ clinic booking data, pseudonymised by carelake serve. " +
	"For the clinics' own analysis under their data processing agreement; not for redistribution."

// Options configures Run.
type Options struct {
	// Root is the warehouse root.
	Root string
	// LogDir is the receiver's log directory (default <Root>/raw/careq).
	LogDir string
	// RunID names the staged output (default: from the start time).
	RunID string
	// Logger receives progress; default: discarded.
	Logger *slog.Logger
}

func (o Options) withDefaults(now time.Time) Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.LogDir == "" {
		o.LogDir = careqlog.Dir(o.Root)
	}
	if o.RunID == "" {
		o.RunID = warehouse.NewRunID(now)
	}
	return o
}

// Summary describes a Run.
type Summary struct {
	// Segments is how many sealed segments were staged; Skipped how many
	// were already loaded.
	Segments int `json:"segments"`
	Skipped  int `json:"segments_already_loaded"`
	// Calls counts logged calls read.
	Calls   int64            `json:"calls"`
	Rows    map[string]int64 `json:"rows"`
	Rejects int64            `json:"rejects"`
}

// Run stages the CareQ tables from the sealed segments not yet loaded; see
// the package comment. The caller holds the warehouse run lock.
func Run(ctx context.Context, opts Options) (Summary, error) {
	sum := Summary{Rows: map[string]int64{}}
	if opts.Root == "" {
		return sum, errors.New("no warehouse root given")
	}
	opts = opts.withDefaults(time.Now())
	logger := opts.Logger
	sealed, err := careqlog.SealedSegments(opts.LogDir)
	if err != nil {
		return sum, err
	}
	loaded, err := loaded.Inputs(opts.Root, careqlog.LoadedKind)
	if err != nil {
		return sum, err
	}
	var todo []string
	for _, path := range sealed {
		if loaded[filepath.Base(path)] {
			sum.Skipped++
			continue
		}
		todo = append(todo, path)
	}
	logger.Info("normalise careq start", "log_dir", opts.LogDir, "segments", len(todo), "already_loaded", sum.Skipped)

	w, err := staging.Begin(opts.Root, Stage, opts.RunID)
	if err != nil {
		return sum, err
	}
	w.SetMeta(warehouse.MetaSource, "CareQ sync calls received by carelake serve (log "+opts.LogDir+")")
	w.SetMeta(warehouse.MetaLicence, Licence)
	st := &stager{w: w, builders: map[string]*batch.Builder{}, sum: &sum}
	for _, path := range todo {
		if err := ctx.Err(); err != nil {
			st.release()
			w.Abort()
			return sum, err
		}
		segment := filepath.Base(path)
		err := careqlog.ReadSegment(path, func(rec *careqlog.LogRecord) error {
			sum.Calls++
			return st.call(segment, rec)
		})
		if err == nil && st.full() {
			err = st.flush()
		}
		if err != nil {
			st.release()
			w.Abort()
			return sum, fmt.Errorf("normalise careq %s: %w", segment, err)
		}
		w.Consumes(careqlog.LoadedKind, segment)
		sum.Segments++
		logger.Debug("segment staged", "segment", segment)
	}
	if err := st.flush(); err != nil {
		st.release()
		return sum, err
	}
	if _, err := w.Commit(); err != nil {
		return sum, err
	}
	logger.Info("normalise careq done", "segments", sum.Segments, "calls", sum.Calls, "rejects", sum.Rejects)
	return sum, nil
}

// stager turns log records into rows of the staged tables, one builder per
// partition. A builder hands its rows to staging every batch.DefaultRows
// rows; every partition is flushed and its file closed once the stager holds
// flushPartitions partitions or flushRows rows since the last flush (checked
// between segments), and at the end. A segment's calls are a few minutes of
// every clinic, so a partition (a clinic's month) stays open across many
// segments and is staged in a few large files, not one small file per
// segment.
type stager struct {
	w        *staging.Writer
	builders map[string]*batch.Builder
	sum      *Summary
	rows     int64 // rows since the last flush
}

// Limits of what a stager holds between flushes: open staging files (one
// per partition) and rows in memory.
const (
	flushPartitions = 256
	flushRows       = 1 << 20
)

// full reports whether the stager should flush before the next segment.
func (s *stager) full() bool {
	return len(s.builders) >= flushPartitions || s.rows >= flushRows
}

var tEvents, tPatients, tDoctors, tServices, tAppointments, tRejects = tables()

func tables() (events, patients, doctors, services, appointments, rejects schemas.Table) {
	byName := map[string]schemas.Table{}
	for _, t := range schemas.CareQTables() {
		byName[t.Dataset] = t
	}
	return byName["careq/events"], byName["careq/patients"], byName["careq/doctors"],
		byName["careq/services"], byName["careq/appointments"], byName["careq/rejects"]
}

// row starts a row of t in the partition of the call's clinic and UTC month.
func (s *stager) row(t schemas.Table, clinic string, at time.Time) *batch.Builder {
	path := fmt.Sprintf("%s/clinic_id=%s/event_month=%s", t.Dataset, clinic, at.UTC().Format("2006-01"))
	b := s.builders[path]
	if b == nil {
		b = batch.New(t, batch.DefaultRows, func(rec arrow.RecordBatch) error { return s.w.Write(t.Dataset, path, rec) })
		s.builders[path] = b
	}
	return b
}

// end completes a row and counts it.
func (s *stager) end(b *batch.Builder) error {
	s.sum.Rows[b.Table().Dataset]++
	s.rows++
	return b.EndRow()
}

// flush hands every partition's rows to staging and closes its files.
func (s *stager) flush() error {
	for path, b := range s.builders {
		delete(s.builders, path)
		if err := b.Close(); err != nil {
			return err
		}
	}
	s.rows = 0
	return s.w.ClosePartitions()
}

func (s *stager) release() {
	for _, b := range s.builders {
		b.Release()
	}
}

// call stages one logged call: its events row, then a row per applied record.
func (s *stager) call(segment string, rec *careqlog.LogRecord) error {
	clinic := rec.ClinicID
	if clinic == "" {
		clinic = schemas.CareQUnauthenticated
	}
	if err := s.event(segment, clinic, rec); err != nil {
		return err
	}
	if rec.Endpoint == careqlog.EndpointBatch {
		for i := range rec.Records {
			idx := int32(i) //nolint:gosec // a batch holds at most schemas.CareQMaxBatchRecords
			if err := s.item(&logged{segment, clinic, rec, &idx, &rec.Records[i]}); err != nil {
				return err
			}
		}
		return nil
	}
	return s.item(&logged{segment, clinic, rec, nil, &rec.Item})
}

// logged is one record of a logged call and where its rows go.
type logged struct {
	segment string              // log_segment
	clinic  string              // the clinic_id partition
	call    *careqlog.LogRecord // the call that carried it
	idx     *int32              // batch_index: its place in a batch (nil outside one)
	it      *careqlog.Item
}

// callRow starts a row of t for r in its partition, with the columns every
// record's row has: seq, batch_index, received_at and log_segment.
func (s *stager) callRow(t schemas.Table, r *logged) *batch.Builder {
	b := s.row(t, r.clinic, r.call.ReceivedAt)
	b.Int64("seq", r.call.Seq)
	b.Int32Ptr("batch_index", r.idx)
	b.Time("received_at", r.call.ReceivedAt)
	b.String("log_segment", r.segment)
	return b
}

// changeRow starts the row of an entity's change (patients, doctors,
// services): callRow's columns, then careq_id, <entity>_id, sync_status,
// created_at and updated_at.
func (s *stager) changeRow(t schemas.Table, entity string, r *logged, created, updated *time.Time) *batch.Builder {
	b := s.callRow(t, r)
	b.Int64("careq_id", r.it.CareQID)
	b.String(entity+"_id", r.it.ID)
	b.String("sync_status", r.it.SyncStatus)
	b.TimePtr("created_at", created)
	b.TimePtr("updated_at", updated)
	return b
}

func (s *stager) event(segment, clinic string, rec *careqlog.LogRecord) error {
	b := s.row(tEvents, clinic, rec.ReceivedAt)
	b.Int64("seq", rec.Seq)
	b.Time("received_at", rec.ReceivedAt)
	b.String("log_segment", segment)
	b.String("endpoint", rec.Endpoint)
	b.String("method", rec.Method)
	b.NonEmpty("path", rec.Path)
	b.Int32("status", int32(rec.Status)) //nolint:gosec // an HTTP status fits

	b.NonEmpty("error_code", rec.ErrorCode)
	b.NonEmpty("idempotency_key", rec.IdempotencyKey)
	b.Int64("body_bytes", int64(rec.BodyBytes))
	b.NonEmpty("body_sha256", rec.BodySHA256)
	b.NonEmpty("record_type", rec.RecordType)
	b.Int64Ptr("careq_id", positive(rec.CareQID))
	b.NonEmpty("internal_id", rec.ID)
	b.TimePtr("event_at", rec.EventAt)
	b.NonEmpty("sync_status", rec.SyncStatus)
	b.NonEmpty("appointment_status", rec.AppointmentStatus)
	b.NonEmpty("batch_id", rec.BatchID)
	if rec.Endpoint == careqlog.EndpointBatch {
		failed := int32(0)
		for i := range rec.Records {
			if rec.Records[i].SyncStatus == careqlog.SyncFailed {
				failed++
			}
		}
		n := int32(len(rec.Records)) //nolint:gosec // at most schemas.CareQMaxBatchRecords
		b.Int32Ptr("batch_records", &n)
		b.Int32Ptr("batch_failed", &failed)
	} else {
		b.Null("batch_records")
		b.Null("batch_failed")
	}
	return s.end(b)
}

// item stages the row of one applied record; other records have only their
// events row.
func (s *stager) item(r *logged) error {
	if !r.it.Applied() {
		return nil
	}
	var err error
	switch r.it.RecordType {
	case schemas.CareQPatientType:
		err = s.patient(r)
	case schemas.CareQDoctorType:
		err = s.doctor(r)
	case schemas.CareQServiceType:
		err = s.service(r)
	case schemas.CareQAppointmentType, schemas.CareQAppointmentStatusType, schemas.CareQAppointmentCancelType:
		err = s.appointment(r)
	default:
		err = rejectf("unknown record type %q", r.it.RecordType)
	}
	var why reject
	if errors.As(err, &why) {
		return s.reject(r, string(why))
	}
	return err
}

// reject is a reason a record cannot be staged; the run goes on.
type reject string

func (r reject) Error() string { return string(r) }

func rejectf(format string, args ...any) error { return reject(fmt.Sprintf(format, args...)) }

func (s *stager) reject(r *logged, reason string) error {
	b := s.callRow(tRejects, r)
	b.NonEmpty("record_type", r.it.RecordType)
	b.Int64Ptr("careq_id", positive(r.it.CareQID))
	b.String("reason", reason)
	s.sum.Rejects++
	return s.end(b)
}

// decode reads an item's payload into v; a payload that does not decode is
// rejected (the receiver validated it, so this means a format drift).
func decode(it *careqlog.Item, v any) error {
	if len(it.Payload) == 0 {
		return rejectf("%s record without payload", it.RecordType)
	}
	if err := json.Unmarshal(it.Payload, v); err != nil {
		return rejectf("%s payload does not decode: %v", it.RecordType, err)
	}
	return nil
}

func placeColumns(b *batch.Builder, city, state, zip, tz, lang *string) {
	b.StringPtr("city", city)
	b.StringPtr("state", state)
	b.StringPtr("zip_code", zip)
	b.StringPtr("timezone", tz)
	b.StringPtr("language", lang)
}

func (s *stager) patient(r *logged) error {
	var p careqlog.PatientRecord
	if err := decode(r.it, &p); err != nil {
		return err
	}
	b := s.changeRow(tPatients, "patient", r, p.CreatedAt, p.UpdatedAt)
	b.NonEmpty("email_pseudonym", p.EmailPseudonym)
	b.NonEmpty("phone_pseudonym", p.PhonePseudonym)
	b.NonEmpty("aadhaar_pseudonym", p.AadhaarPseudonym)
	b.NonEmpty("aadhaar_masked", p.AadhaarMasked)
	b.Int32Ptr("birth_year", int32Ptr(p.BirthYear))
	b.StringPtr("gender", p.Gender)
	placeColumns(b, p.City, p.State, p.ZipCode, p.Timezone, p.Language)
	b.StringPtr("custom_field_1", p.CustomField1)
	b.StringPtr("custom_field_2", p.CustomField2)
	b.StringPtr("custom_field_3", p.CustomField3)
	b.StringPtr("custom_field_4", p.CustomField4)
	b.StringPtr("custom_field_5", p.CustomField5)
	b.StringPtr("notes", p.Notes)
	return s.end(b)
}

func (s *stager) doctor(r *logged) error {
	var d careqlog.DoctorRecord
	if err := decode(r.it, &d); err != nil {
		return err
	}
	b := s.changeRow(tDoctors, "doctor", r, d.CreatedAt, d.UpdatedAt)
	b.String("first_name", d.FirstName)
	b.String("last_name", d.LastName)
	b.StringPtr("specialization", d.Specialisation)
	b.NonEmpty("email_pseudonym", d.EmailPseudonym)
	b.NonEmpty("phone_pseudonym", d.PhonePseudonym)
	b.NonEmpty("mobile_pseudonym", d.MobilePseudonym)
	b.BoolPtr("is_private", d.IsPrivate)
	placeColumns(b, d.City, d.State, d.ZipCode, d.Timezone, d.Language)
	b.StringPtr("notes", d.Notes)
	return s.end(b)
}

func (s *stager) service(r *logged) error {
	var v careqlog.ServiceRecord
	if err := decode(r.it, &v); err != nil {
		return err
	}
	b := s.changeRow(tServices, "service", r, v.CreatedAt, v.UpdatedAt)
	b.String("name", v.Name)
	b.Int64("duration_minutes", v.Duration)
	price := ""
	if v.Price != nil {
		price = v.Price.String()
	}
	priceErr := b.Decimal("price", price)
	b.StringPtr("currency", v.Currency)
	b.StringPtr("description", v.Description)
	b.StringPtr("location", v.Location)
	b.StringPtr("color", v.Colour)
	b.StringPtr("category", v.Category)
	b.BoolPtr("is_private", v.IsPrivate)
	if err := s.end(b); err != nil {
		return err
	}
	if priceErr != nil {
		return s.reject(r, "kept with price NULL: "+priceErr.Error())
	}
	return nil
}

// appointment stages a full record, a status update or a cancellation.
func (s *stager) appointment(r *logged) error {
	it := r.it
	var (
		full   careqlog.AppointmentRecord
		status careqlog.StatusRecord
		cancel careqlog.CancelRecord
		change string
		target any
	)
	switch it.RecordType {
	case schemas.CareQAppointmentType:
		change, target = "record", &full
	case schemas.CareQAppointmentStatusType:
		change, target = "status", &status
	default:
		change, target = "cancel", &cancel
	}
	if err := decode(it, target); err != nil {
		return err
	}
	state := it.AppointmentStatus
	if state == "" {
		state = map[string]string{"record": full.Status, "status": status.Status, "cancel": "cancelled"}[change]
	}
	if state == "" {
		return rejectf("%s record without the appointment's status", it.RecordType)
	}
	b := s.callRow(tAppointments, r)
	b.Int64("careq_id", it.CareQID)
	b.String("appointment_id", it.ID)
	b.String("change", change)
	b.String("sync_status", it.SyncStatus)
	b.String("status", state)
	b.TimePtr("event_at", it.EventAt)
	b.Int64Ptr("patient_careq_id", positive(full.PatientCareQID))
	b.Int64Ptr("doctor_careq_id", positive(full.DoctorCareQID))
	b.Int64Ptr("service_careq_id", positive(full.ServiceCareQID))
	b.TimePtr("book_datetime", full.BookDatetime)
	b.TimePtr("start_datetime", full.StartDatetime)
	if full.StartDatetime != nil {
		b.Date("start_date", arrow.Date32FromTime(full.StartDatetime.UTC()), true)
	} else {
		b.Null("start_date")
	}
	b.TimePtr("end_datetime", full.EndDatetime)
	b.StringPtr("location", full.Location)
	b.StringPtr("color", full.Colour)
	b.StringPtr("hash", full.Hash)
	b.TimePtr("created_at", full.CreatedAt)
	b.StringPtr("cancelled_by", cancel.CancelledBy)
	b.StringPtr("notes", firstNonNil(full.Notes, status.Notes))
	b.NonEmpty("prescription", prescription(full.Prescription))
	b.StringPtr("referred_by", full.ReferredBy)
	b.StringPtr("referred_by_address", full.ReferredByAddress)
	b.StringPtr("cancellation_reason", cancel.CancellationReason)
	return s.end(b)
}

// prescription is the prescription as text: a JSON string's value, or the
// JSON of an object or array; empty when absent or null.
func prescription(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func positive(n int64) *int64 {
	if n <= 0 {
		return nil
	}
	return &n
}

func int32Ptr(v *int) *int32 {
	if v == nil {
		return nil
	}
	n := int32(*v) //nolint:gosec // a birth year fits
	return &n
}

func firstNonNil(vs ...*string) *string {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}
