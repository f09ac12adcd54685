// Package receiver is the CareQ sync receiver (carelake serve) and its durable
// log, the raw input of the warehouse's CareQ tables.
//
// # Endpoints
//
// Under /api/v1/careq-sync/ (APIPrefix): POST patient, doctor, service,
// appointment, appointment/status, appointment/cancel and batch; GET health
// (bearer token required). GET /metrics serves Prometheus text (no
// authentication: bind the receiver to an interface only trusted hosts
// reach, or filter /metrics at the proxy). Answers follow the specification
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
// answers:
//
//  1. intake stopped (the log failed): 503 SERVER_ERROR, Retry-After: 30, not logged;
//  2. draining (shutdown begun): 503 SERVER_ERROR, Retry-After: 5;
//  3. unknown endpoint: 404 INVALID_REQUEST; wrong method: 405 INVALID_REQUEST;
//  4. body larger than the limit (default 1 MiB): 413 INVALID_REQUEST;
//  5. Authorization: Bearer <token>, compared as SHA-256 digests in constant
//     time against every configured token: 401 AUTHENTICATION_FAILED;
//  6. X-API-Key and X-Webhook-Secret, when the clinic configures them: 401;
//  7. X-CareQ-Timestamp, integer Unix seconds within ±300 s of the server's
//     clock (both directions), required on every POST: 401;
//  8. X-CareQ-Signature: sha256=<hex> (several, comma-separated or repeated,
//     while CareQ rotates), HMAC-SHA256 over the raw body bytes
//     (signed_payload: body) or over "<timestamp>.<body>"
//     (signed_payload: timestamp.body), against every active secret of the
//     clinic; required unless the clinic says signed_payload: none: 401;
//  9. the clinic's rate limit, a token bucket of 100 a minute with bursts of
//     200: 429 RATE_LIMIT_EXCEEDED with Retry-After (delta-seconds, >= 1);
//  10. idempotency: a call whose key was already answered 2xx gets the stored
//     status and body again (header Idempotent-Replayed: true) and is not
//     logged again; an identical call still in flight is waited for;
//  11. JSON parse (one object, valid UTF-8): 400 INVALID_REQUEST;
//  12. field rules (CareQ*Rules, validate.go): 422 VALIDATION_ERROR, details per field;
//  13. clinic_id other than the token's clinic: 403 AUTHENTICATION_FAILED
//     (the token is valid, it just may not write that clinic);
//  14. foreign keys: an appointment needs its patient, doctor and service
//     known for the clinic; status and cancel need the appointment: 404
//     RECORD_NOT_FOUND;
//  15. duplicates: 409 DUPLICATE_RECORD when a full record has the same
//     updated_at as the stored version but different content, or an
//     appointment's hash belongs to another appointment of the clinic;
//  16. ordering: a change older (updated_at; cancelled_at for a cancel) than
//     the stored version is answered 200 stale_ignored and changes nothing;
//     a change without a timestamp is ordered by arrival; the same
//     updated_at with the same content is 200 unchanged; a status update or
//     cancellation that is not older than the stored version is applied
//     (200 updated), even when the status does not change, so its time
//     still moves the appointment's clock forward;
//  17. the record is appended to the log and fsynced (group commit), then the
//     answer is sent: 201 created or 200.
//
// Once the bearer token has named the clinic (check 5), every answer carries
// X-RateLimit-Limit (calls a minute),
// X-RateLimit-Remaining (whole tokens left) and X-RateLimit-Reset
// (delta-seconds until the bucket is full again, rounded up; 0 when full).
//
// Idempotency: the key is SHA-256 over (clinic ID, endpoint, raw body)
// (IdempotencyKey); only 2xx answers are stored, for 24 hours, and they are
// rebuilt from the log at start. Errors are not stored, so a retry is
// evaluated again: an appointment refused 404 because its patient had not
// arrived yet succeeds on CareQ's retry once it has. A batch is answered 200
// with a result per record, so its retry replays those results. The table
// holds each stored answer in memory for the retention: at CareQ's 100 calls
// a minute per clinic that is at most ~144,000 answers (~60 MB) per clinic.
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
// (never acknowledged) and seals it (RepairSegments). Segments must be kept:
// the receiver rebuilds its state (known records for foreign keys and
// ordering, idempotency keys) from all of them at start.
//
// Every call answered by the receiver (accepted or rejected) is logged,
// except idempotent replays and the 503s answered because the log itself
// failed.
//
// # Personal data
//
// Nothing identifying reaches the log or the process log (slog): see
// Pseudonymiser for the pseudonyms (keyed HMAC-SHA256 under
// CARELAKE_PII_KEY), careqlog.PatientRecord and the other record types for
// what is kept. Patient and doctor e-mails and phone numbers and patient
// Aadhaar numbers become pseudonyms (Aadhaar also masked XXXX XXXX 1234);
// patient names, spouse and father names and every street address are
// dropped; date of birth becomes the birth year; free text (notes,
// prescription, custom_field_1..5, referred_by, referred_by_address,
// cancellation_reason) is dropped unless the operator passes
// --keep-free-text. Doctors' names and specialisation are kept. Rejected
// calls whose body was not trusted or not parsed keep only body_bytes and
// body_sha256. Unknown fields are never logged.
//
// The process log (slog) says Info at start and stop and for every stale
// change ignored, Warn for segments repaired after a crash, Error when intake
// stops, and Debug once per call (endpoint, clinic_id, careq_id, status,
// code, seq): never a payload, token or secret.
package receiver
