// Package receiver is the CareQ sync receiver (carelake serve) and its durable
// log, the raw input of the warehouse's CareQ tables.
//
// # Endpoints
//
// Under /api/v1/careq-sync/ (APIPrefix): POST patient, doctor, service,
// appointment, appointment/status, appointment/cancel and batch; GET health
// (bearer token required). /metrics (Prometheus text) is not on the API's
// listener: Options.MetricsAddr (serve --metrics-addr, off by default) gives
// it one of its own, for loopback or an operations network, since it names
// clinics. Answers follow the specification
// (docs/architecture.md, "The CareQ sync API"):
//
//	{"success": true, "message": "...", "data": {...}, "timestamp": "2025-12-10T10:01:00Z"}
//	{"success": false, "error": {"code": "...", "message": "...", "details": {"field": ["..."]}}, "timestamp": "..."}
//
// data is {id, careq_id, sync_status} (+ confirmation_number for
// appointments; {id, careq_id, status, sync_status} for status and cancel;
// {batch_id, total, successful, failed, results} for batch). sync_status is
// "synced" for a creation (201), "updated", "unchanged" or "stale_ignored"
// (200). details never repeat a submitted value. Health answers
// {"success", "status": "operational"|"draining", "version": "1.0.0",
// "timestamp"}: 200 when operational, 503 while draining; once the log has
// failed every call, health included, gets the 503 SERVER_ERROR of check 1.
//
// # Order of checks
//
// Each call goes through these checks in order; the first that fails
// answers. Until a call is authenticated (checks 3 to 9) a refusal is never
// written to the durable log: it is counted (careq_refused_total, by
// reason), written to the security log if one is configured (SecurityLog:
// time, source address, method, endpoint, the path of an unknown endpoint
// cut to 64 bytes with every byte but letters, digits and "/-_." replaced,
// status, code, reason, declared body size; rotated by size, never fsynced),
// and at most 4 KiB of its body is read (a longer body closes the
// connection). A source address (the proxy's, behind one) that has had more
// than RefusedBurst such refusals, refilled at RefusedPerMinute (defaults
// 120 and 60 a minute), gets 429 RATE_LIMIT_EXCEEDED with Retry-After
// instead, held back a second (RefusedDelay: a client refused again and
// again costs a sleeping goroutine per connection, not CPU) and written
// nowhere; a call from the same address whose token is good is not held
// back (CareQ's calls may share an egress address).
//
//  1. intake stopped (the log failed): 503 SERVER_ERROR, Retry-After: 30, not logged;
//  2. draining (shutdown begun): 503 SERVER_ERROR, Retry-After: 5, not logged
//     (health answers "draining" after check 5);
//  3. unknown endpoint: 404 INVALID_REQUEST; wrong method: 405 INVALID_REQUEST;
//  4. declared body (Content-Length) larger than the limit (default 1 MiB):
//     413 INVALID_REQUEST;
//  5. Authorization: Bearer <token>, compared as SHA-256 digests in constant
//     time against every configured token: 401 AUTHENTICATION_FAILED;
//  6. X-API-Key and X-Webhook-Secret, when the clinic configures them: 401;
//     GET health is answered here (logged);
//  7. the body, read up to the limit (a body without Content-Length is cut
//     there): 413;
//  8. X-CareQ-Timestamp, integer Unix seconds within ±300 s of the server's
//     clock (both directions), required on every POST: 401;
//  9. X-CareQ-Signature: sha256=<hex> (several, comma-separated or repeated,
//     while CareQ rotates), HMAC-SHA256 over the raw body bytes
//     (signed_payload: body) or over "<timestamp>.<body>"
//     (signed_payload: timestamp.body), against every active secret of the
//     clinic; required unless the clinic says signed_payload: none: 401;
//  10. the clinic's rate limit, a token bucket of 100 a minute with bursts of
//     200: 429 RATE_LIMIT_EXCEEDED with Retry-After (delta-seconds, >= 1);
//  11. idempotency: a call whose key was already answered 2xx gets the stored
//     status and body again (header Idempotent-Replayed: true) and is not
//     logged again; an identical call still in flight is waited for (a batch
//     with failed records is the exception: see Batch retries);
//  12. JSON parse (one object, valid UTF-8): 400 INVALID_REQUEST;
//  13. field rules (CareQ*Rules, validate.go): 422 VALIDATION_ERROR, details per field;
//  14. clinic_id other than the token's clinic: 403 AUTHENTICATION_FAILED
//     (the token is valid, it just may not write that clinic);
//  15. a repeat of a call that already changed the record (its digest is in
//     the state): 200 unchanged, however late (see Replays after the window);
//  16. foreign keys: an appointment needs its patient, doctor and service
//     known for the clinic; status and cancel need the appointment: 404
//     RECORD_NOT_FOUND;
//  17. duplicates: 409 DUPLICATE_RECORD when a full record has the same
//     updated_at as the stored version but different content, or an
//     appointment's hash belongs to another appointment of the clinic;
//  18. ordering: a change older (updated_at; cancelled_at for a cancel) than
//     the stored version is answered 200 stale_ignored and changes nothing;
//     a change without a timestamp is ordered by arrival; the same
//     updated_at with the same content is 200 unchanged; a status update or
//     cancellation that is not older than the stored version is applied
//     (200 updated), even when the status does not change, so its time
//     still moves the appointment's clock forward;
//  19. the record is appended to the log and fsynced (group commit), then the
//     answer is sent: 201 created or 200.
//
// Once the bearer token has named the clinic (check 5), every answer carries
// X-RateLimit-Limit (calls a minute),
// X-RateLimit-Remaining (whole tokens left) and X-RateLimit-Reset
// (delta-seconds until the bucket is full again, rounded up; 0 when full).
//
// Idempotency: the key is SHA-256 over (clinic ID, endpoint, raw body)
// (IdempotencyKey); only 2xx answers are stored, for 24 hours, and they are
// restored at start (checkpoint and log). Errors are not stored, so a retry
// is evaluated again: an appointment refused 404 because its patient had not
// arrived yet succeeds on CareQ's retry once it has. The table holds each
// stored answer in memory for the retention: at CareQ's 100 calls a minute
// per clinic that is at most ~144,000 answers (~60 MB) per clinic.
//
// Batch retries: a batch whose every record succeeded is stored and replayed
// like any call. A batch answered with failed records is stored too, but a
// retry with the same body is not replayed: the records that succeeded are
// answered from the stored results, each marked "replayed": true (logged as
// unchanged and replayed, not processed again), and the records that failed
// are processed again, as a fresh call would be; the message says how many
// were replayed. So a batch whose appointment came before its patient
// succeeds on the retry once the patient is known.
//
// Replays after the window: every call (and batch record) that changed a
// record leaves a 64-bit digest of its idempotency key in the clinic's state
// (and call_digest in the log), kept for as long as the state. A call whose
// digest is there is answered 200 unchanged and changes nothing, however
// late it comes: a status update captured and replayed after the 24 hours
// cannot move an appointment from cancelled back to confirmed. The price: a
// body identical to one already applied never applies again, so CareQ must
// send a change with its updated_at (or any differing byte) to re-apply a
// status it has set before.
//
// Internal IDs (data.id: pat_, doc_, svc_, apt_ and 20 hex digits) and
// confirmation numbers (APPT- and 10 digits) are derived from SHA-256 of the
// clinic, record type and careq_id: the same on every retry and restart.
//
// # The durable log (a contract: the warehouse loader reads it)
//
// Directory: --log-dir (default <out>/raw/careq). Its format (segment file
// names, careqlog.LogRecord and the fields of each line) is defined in
// package careqlog (schemas/careqlog), which normalise-careq reads it with;
// this package writes it (Log).
//
// A segment is sealed (fsynced, renamed from .open, directory fsynced) when
// it reaches 64 MiB, when it is 10 minutes old (checked even when idle), and
// on graceful shutdown; after a crash the next start cuts a torn last line
// (never acknowledged) and seals it (RepairSegments).
//
// # State and checkpoints
//
// The state (every record a clinic has sent: its event time, content
// digest, appointment status and hash; the digests of the calls that
// changed them; the idempotency table) is checkpointed to
// <log dir>/receiver.checkpoint (careqlog.CheckpointName) every
// --checkpoint-every (10 minutes) and at graceful shutdown (Checkpoint). A
// checkpoint is a consistent cut: new calls wait while it is encoded, so it
// holds exactly the effect of the records up to one seq, all durable. It is
// written aside, fsynced and renamed over the previous one, and ends with
// the SHA-256 of its content. A start reads the checkpoint and then only the
// records after its seq (segments wholly before it are not opened), so
// start-up time and memory follow the live state, not the number of calls
// ever logged. A checkpoint that is torn, damaged, of another version or
// without a configured clinic is not used: the start rebuilds from the whole
// log and says so (Warn); if segments have been retired it refuses to start,
// naming what to restore. A crash in the middle of a write leaves the
// previous checkpoint whole (the temporary file is removed at the next
// start). Rate-limit buckets are not checkpointed: they start full.
//
// # Retiring segments
//
// --retire (RetireOptions) is keep (the default), archive or delete. A
// sealed segment is retired once the warehouse has loaded it (state/loaded-
// careq-segments.json), the last checkpoint covers it, a newer segment is
// sealed and it was sealed --retire-after ago; archive moves it to
// --archive-dir, delete removes it. A rebuild of the warehouse from nothing
// needs every segment: choose delete only if that will never happen.
//
// Every authenticated call answered by the receiver (accepted or rejected
// from check 10 on, and health) is logged, except idempotent replays and the
// 503s answered because the log itself failed; nothing a stranger sends is.
//
// # Personal data: a rule per field
//
// Nothing identifying reaches the log or the process log (slog). Every
// field of every payload has one rule (StorageRules), shown here: kept (as
// sent, once it passed the field rules), pseudonymised (a keyed HMAC-SHA256
// under CARELAKE_PII_KEY: see Pseudonymiser; careqlog.PatientRecord and the
// other record types name the logged fields), reduced (date of birth to the
// year), dropped, or free text: text about a patient, dropped unless the
// operator passes --keep-free-text. Text about the clinic's own things
// (service name, description and category, rooms) is kept for analysts. A
// kept field holds whatever the clinic's system puts in it: the rule says
// where a person's data would end up, so CareQ integrations must not put
// any there. A value refused by the field rules is never logged; rejected
// calls whose body was not parsed keep only body_bytes and body_sha256;
// unknown fields are never logged. A test generated from this table
// (TestStorageRulesLogAndWarehouse, cmd/carelake) puts a phone number, an
// e-mail address and a full name into every field and checks the log and
// the warehouse against the rule.
//
//	patient.careq_id                       kept           identifies the record or its clinic, needed to apply it
//	patient.clinic_id                      kept           identifies the record or its clinic, needed to apply it
//	patient.first_name                     dropped        names a person; analysts never need it
//	patient.last_name                      dropped        names a person; analysts never need it
//	patient.email                          pseudonymised  lets analysts count and join people across calls without knowing them
//	patient.phone_number                   pseudonymised  lets analysts count and join people across calls without knowing them
//	patient.date_of_birth                  reduced        the birth year is enough for age bands
//	patient.gender                         kept           a value from the specification's list
//	patient.address                        dropped        a street address identifies a household
//	patient.city                           kept           coarse place, for analysis by area; no street address
//	patient.state                          kept           coarse place, for analysis by area; no street address
//	patient.zip_code                       kept           coarse place, for analysis by area; no street address
//	patient.aadhar_number                  pseudonymised  lets analysts count and join people across calls without knowing them; masked XXXX XXXX 1234 for support
//	patient.spouse_name                    dropped        names a person; analysts never need it
//	patient.father_name                    dropped        names a person; analysts never need it
//	patient.custom_field_1                 free text      free text about a patient: may name people or conditions
//	patient.custom_field_2                 free text      free text about a patient: may name people or conditions
//	patient.custom_field_3                 free text      free text about a patient: may name people or conditions
//	patient.custom_field_4                 free text      free text about a patient: may name people or conditions
//	patient.custom_field_5                 free text      free text about a patient: may name people or conditions
//	patient.notes                          free text      free text about a patient: may name people or conditions
//	patient.timezone                       kept           the person's settings, not who they are
//	patient.language                       kept           the person's settings, not who they are
//	patient.created_at                     kept           orders versions and dates events; says nothing about a person
//	patient.updated_at                     kept           orders versions and dates events; says nothing about a person
//	doctor.careq_id                        kept           identifies the record or its clinic, needed to apply it
//	doctor.clinic_id                       kept           identifies the record or its clinic, needed to apply it
//	doctor.first_name                      kept           a doctor's professional name: analysts report by doctor
//	doctor.last_name                       kept           a doctor's professional name: analysts report by doctor
//	doctor.email                           pseudonymised  lets analysts count and join people across calls without knowing them
//	doctor.phone_number                    pseudonymised  lets analysts count and join people across calls without knowing them
//	doctor.mobile_number                   pseudonymised  lets analysts count and join people across calls without knowing them
//	doctor.address                         dropped        a street address identifies a household
//	doctor.city                            kept           coarse place, for analysis by area; no street address
//	doctor.state                           kept           coarse place, for analysis by area; no street address
//	doctor.zip_code                        kept           coarse place, for analysis by area; no street address
//	doctor.specialization                  kept           the doctor's field of practice, for analysts
//	doctor.notes                           free text      free text: may be about patients
//	doctor.is_private                      kept           a value from the specification's list
//	doctor.timezone                        kept           the person's settings, not who they are
//	doctor.language                        kept           the person's settings, not who they are
//	doctor.created_at                      kept           orders versions and dates events; says nothing about a person
//	doctor.updated_at                      kept           orders versions and dates events; says nothing about a person
//	service.careq_id                       kept           identifies the record or its clinic, needed to apply it
//	service.clinic_id                      kept           identifies the record or its clinic, needed to apply it
//	service.name                           kept           the clinic's own description of its service, for analysts
//	service.duration                       kept           the clinic's own figures
//	service.price                          kept           the clinic's own figures
//	service.currency                       kept           the clinic's own figures
//	service.description                    kept           the clinic's own description of its service, for analysts
//	service.location                       kept           the clinic's room or site, for analysts
//	service.color                          kept           the clinic's calendar colour
//	service.category                       kept           the clinic's own description of its service, for analysts
//	service.is_private                     kept           a value from the specification's list
//	service.created_at                     kept           orders versions and dates events; says nothing about a person
//	service.updated_at                     kept           orders versions and dates events; says nothing about a person
//	appointment.careq_id                   kept           identifies the record or its clinic, needed to apply it
//	appointment.clinic_id                  kept           identifies the record or its clinic, needed to apply it
//	appointment.patient_careq_id           kept           CareQ's key of the patient: joins to the pseudonymised patient
//	appointment.doctor_careq_id            kept           identifies the record or its clinic, needed to apply it
//	appointment.service_careq_id           kept           identifies the record or its clinic, needed to apply it
//	appointment.book_datetime              kept           orders versions and dates events; says nothing about a person
//	appointment.start_datetime             kept           orders versions and dates events; says nothing about a person
//	appointment.end_datetime               kept           orders versions and dates events; says nothing about a person
//	appointment.status                     kept           a value from the specification's list
//	appointment.location                   kept           the clinic's room or site, for analysts
//	appointment.notes                      free text      free text about a patient: may name people or conditions
//	appointment.prescription               free text      free text about a patient: may name people or conditions
//	appointment.referred_by                free text      names a referrer
//	appointment.referred_by_address        free text      a referrer's address
//	appointment.color                      kept           the clinic's calendar colour
//	appointment.hash                       kept           CareQ's token for the booking: finds duplicates, matches CareQ's own records
//	appointment.created_at                 kept           orders versions and dates events; says nothing about a person
//	appointment.updated_at                 kept           orders versions and dates events; says nothing about a person
//	appointment_status.careq_id            kept           identifies the record or its clinic, needed to apply it
//	appointment_status.clinic_id           kept           identifies the record or its clinic, needed to apply it
//	appointment_status.status              kept           a value from the specification's list
//	appointment_status.notes               free text      free text about a patient: may name people or conditions
//	appointment_status.updated_at          kept           orders versions and dates events; says nothing about a person
//	appointment_cancel.careq_id            kept           identifies the record or its clinic, needed to apply it
//	appointment_cancel.clinic_id           kept           identifies the record or its clinic, needed to apply it
//	appointment_cancel.cancellation_reason free text      free text about a patient: may name people or conditions
//	appointment_cancel.cancelled_by        kept           who cancelled (patient, clinic, ...), for analysts
//	appointment_cancel.cancelled_at        kept           orders versions and dates events; says nothing about a person
//	batch.clinic_id                        kept           identifies the record or its clinic, needed to apply it
//	batch.batch_id                         kept           CareQ's name for the batch, to trace a delivery
//	batch.records                          kept           each record by the rules of its type
//
// The process log (slog) says Info at start and stop and for every stale
// change ignored, Warn for segments repaired after a crash, Error when intake
// stops, and Debug once per call (endpoint, clinic_id, careq_id, status,
// code, seq): never a payload, token or secret.
package receiver
