// Package careqlog is the format of the CareQ receiver's durable log
// (raw/careq): what carelake serve (stages/extract/receiver) writes and
// normalise-careq (stages/normalise/careqnorm) reads. It holds the record and
// payload types, the segment naming and the reading of sealed segments. The
// writer (group commit, fsync, sealing, crash repair) is the receiver's. The
// log keeps its own format on purpose, apart from the API payloads
// (schemas.CareQPatient and the others): it holds pseudonymised records,
// never what CareQ sent.
//
// # Files
//
//	careq-<first seq, 16 digits>.jsonl        sealed segment: complete, never changes again
//	careq-<first seq, 16 digits>.jsonl.open   the segment being written (at most one)
//	.carelake.lock                            held by the running receiver
//	receiver.checkpoint                       the receiver's state (CheckpointName; its own format)
//	archive/                                  segments retired by serve --retire archive
//
// Names sort in write order. Read only sealed segments: SealedSegments(dir)
// lists them, ReadSegment(path, fn) decodes them.
//
// # Records
//
// Each line is one JSON object, a LogRecord, for every authenticated call
// answered by the receiver (accepted or rejected), except idempotent
// replays and the 503s answered because the log itself failed; calls
// refused before authentication are never logged (since issue 11: older
// logs hold them, with clinic_id absent). Fields:
//
//	v               format version (1)
//	seq             1, 2, 3, ... across segments and restarts
//	received_at     RFC 3339 UTC, nanoseconds
//	clinic_id       the bearer token's clinic (absent only in older logs)
//	endpoint        patient, doctor, service, appointment, appointment/status,
//	                appointment/cancel, batch, health or unknown
//	method, path    the HTTP method; path only for unknown endpoints, in older logs
//	status          the HTTP status answered
//	error_code      the answered error code (AUTHENTICATION_FAILED, ...)
//	idempotency_key hex SHA-256 (from check 10 on)
//	body_bytes      size of the request body
//	body_sha256     hex SHA-256 of the raw body (the only trace of a body that
//	                was rejected before it was trusted and parsed)
//	record_type     patient, doctor, service, appointment, appointment_status
//	                or appointment_cancel (single-record calls, from check 11)
//	careq_id        the record's careq_id (the appointment's for status/cancel)
//	id              the internal ID answered
//	event_at        updated_at (cancelled_at for a cancel), UTC, if sent
//	sync_status     created, updated, unchanged, stale_ignored or failed
//	appointment_status  the appointment's status after the call
//	content_mac     keyed digest of the payload as received (equal = same content)
//	call_digest     16 hex digits identifying the call or batch item (clinic,
//	                endpoint, body) that changed state; a repeat changes nothing
//	replayed        a batch item answered from an earlier call's stored result
//	payload         the sanitised record: PatientRecord, DoctorRecord,
//	                ServiceRecord, AppointmentRecord, StatusRecord or
//	                CancelRecord (only fields that passed validation)
//	errors          field errors of a 422
//	batch_id, records   a batch: each record as an object with the fields
//	                record_type ... payload above plus error_code and errors
//	response        the JSON body answered (replayed as is for a retry)
//
// (Checks are numbered as in the receiver's package documentation.)
//
// State is defined by the records with a 2xx status: items whose
// sync_status is created or updated changed it, in seq order.
//
// DuckDB reads the log directly:
//
//	SELECT seq, received_at, clinic_id, endpoint, status, record_type, careq_id,
//	       payload->>'$.status' AS status_value
//	FROM read_json('warehouse/raw/careq/careq-*.jsonl', format='newline_delimited');
package careqlog
