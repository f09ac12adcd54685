package receiver

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"carelake/schemas"
	"carelake/schemas/careqlog"
)

// clinicState is what the receiver knows of one clinic's records, for foreign
// keys, ordering and replays. It is restored from the checkpoint and the log
// written after it at start (see the package documentation, "State and
// checkpoints"). It holds every record the clinic ever sent, so an entry is
// kept small: a year of 50 clinics is some 4.5 million records.
type clinicState struct {
	mu      sync.Mutex
	records *table[recKey, entry]
	// hashes maps the digest of an appointment hash (hashDigest) to the
	// appointment's careq_id (0: no longer any).
	hashes *table[uint64, int64]
	// applied holds the digest (callDigest) of every call or batch item that
	// changed a record: a repeat, however late, changes nothing (unchanged).
	applied *table[uint64, struct{}]
}

type recKey struct {
	typ uint8 // index in recordTypes
	id  int64
}

type entry struct {
	at     int64    // latest event time applied, Unix nanoseconds (0: none known)
	mac    [16]byte // content of the latest full record (Item.ContentMAC)
	hash   uint64   // appointments: digest of the current hash (0: none)
	status uint8    // appointments: current status, index in appointmentStatuses
}

// recordTypes are the record types a state entry can have (index 0: none).
var recordTypes = []string{"", schemas.CareQPatientType, schemas.CareQDoctorType, schemas.CareQServiceType, schemas.CareQAppointmentType}

// appointmentStatuses are the appointment statuses the field rules admit
// (index 0: none).
var appointmentStatuses = []string{"", "booked", "confirmed", "cancelled", "completed", "no-show", "rescheduled"}

// indexOf is s's index in list (0, the empty entry, when absent).
func indexOf(list []string, s string) uint8 {
	for i, v := range list {
		if v == s {
			return uint8(i) //nolint:gosec // the lists are short
		}
	}
	return 0
}

func (e entry) statusName() string { return appointmentStatuses[e.status] }

// macBytes is a content MAC (32 hex digits) as bytes.
func macBytes(mac string) (b [16]byte) {
	_, _ = hex.Decode(b[:], []byte(mac)) // a malformed MAC compares as zero
	return b
}

// hashDigest is the digest an appointment's hash is known by (0: no hash).
func hashDigest(h string) uint64 {
	if h == "" {
		return 0
	}
	sum := sha256.Sum256([]byte(h))
	return binary.BigEndian.Uint64(sum[:8]) | 1
}

// callDigest is the compact digest of a call (or batch item) kept in the
// state once it applied: the first 64 bits of its idempotency key (clinic,
// endpoint, body). 0 means none.
func callDigest(key string) uint64 {
	if len(key) < 16 {
		return 0
	}
	d, err := strconv.ParseUint(key[:16], 16, 64)
	if err != nil {
		return 0
	}
	return d | 1
}

// locked runs fn under the state's lock (released even if fn panics, so one
// bad call cannot wedge a clinic).
func (st *clinicState) locked(fn func(*clinicState)) {
	st.mu.Lock()
	defer st.mu.Unlock()
	fn(st)
}

func newClinicState() *clinicState {
	return &clinicState{records: newTable[recKey, entry](compareRecKey), hashes: newTable[uint64, int64](cmp.Compare[uint64]),
		applied: newTable[uint64, struct{}](cmp.Compare[uint64])}
}

// change is one record's intended effect.
type change struct {
	typ    string // a schemas.CareQ*Type
	clinic string // the record's clinic_id (a token may write only its own)
	id     int64
	at     *time.Time
	mac    string
	status string // appointment status the change sets
	hash   string
	// digest is the call's (or batch item's) callDigest.
	digest uint64
	// Foreign keys of an appointment.
	patient, doctor, service int64
}

// baseType is the record a change applies to (status and cancel change an
// appointment).
func (c *change) baseType() string {
	switch c.typ {
	case schemas.CareQAppointmentStatusType, schemas.CareQAppointmentCancelType:
		return schemas.CareQAppointmentType
	}
	return c.typ
}

// decision is what a change does, decided under the clinic's lock.
type decision struct {
	sync       string
	httpStatus int
	code       string
	message    string
	details    schemas.FieldErrors
	// apptStatus is the appointment's status after the change.
	apptStatus string
}

func fail(status int, code, msg string, details schemas.FieldErrors) decision {
	if details == nil {
		details = schemas.FieldErrors{}
	}
	return decision{sync: careqlog.SyncFailed, httpStatus: status, code: code, message: msg, details: details}
}

// decide applies the receiver's rules to a change without applying it:
//
//   - a call (or batch item) whose digest already changed the record is
//     answered unchanged, however old it is (a replay after the idempotency
//     window cannot move the record back);
//   - an appointment needs its patient, doctor and service (404);
//   - an appointment hash used by another appointment is a duplicate (409);
//   - status and cancel need the appointment (404);
//   - a change whose event time is older than the stored one is ignored
//     (200 stale_ignored); a change without an event time is ordered by
//     arrival;
//   - a full record with the same event time as the stored one is unchanged
//     when its content is identical (200) and a duplicate otherwise (409);
//   - otherwise it creates (201) or updates (200).
func (st *clinicState) decide(clinicID string, c *change) decision {
	key := recKey{indexOf(recordTypes, c.baseType()), c.id}
	e, known := st.records.get(key)
	if _, seen := st.applied.get(c.digest); known && seen && c.digest != 0 {
		return decision{sync: careqlog.SyncUnchanged, httpStatus: http.StatusOK, apptStatus: e.statusName()}
	}
	var at int64
	if c.at != nil {
		at = c.at.UnixNano()
	}
	switch c.typ {
	case schemas.CareQAppointmentStatusType, schemas.CareQAppointmentCancelType:
		if !known {
			return fail(http.StatusNotFound, careqlog.CodeRecordNotFound,
				fmt.Sprintf("No appointment with careq_id %d is known for clinic %s: sync the appointment first", c.id, clinicID),
				schemas.FieldErrors{"careq_id": {"unknown appointment"}})
		}
		if c.at != nil && e.at != 0 && at < e.at {
			return decision{sync: careqlog.SyncStaleIgnored, httpStatus: http.StatusOK, apptStatus: e.statusName()}
		}
		return decision{sync: careqlog.SyncUpdated, httpStatus: http.StatusOK, apptStatus: c.status}
	case schemas.CareQAppointmentType:
		missing := schemas.FieldErrors{}
		for _, fk := range []struct {
			field, typ string
			id         int64
		}{
			{"patient_careq_id", schemas.CareQPatientType, c.patient},
			{"doctor_careq_id", schemas.CareQDoctorType, c.doctor},
			{"service_careq_id", schemas.CareQServiceType, c.service},
		} {
			if _, ok := st.records.get(recKey{indexOf(recordTypes, fk.typ), fk.id}); !ok {
				missing.Add(fk.field, fmt.Sprintf("no %s with this careq_id is known for the clinic: sync it first", fk.typ))
			}
		}
		if len(missing) > 0 {
			return fail(http.StatusNotFound, careqlog.CodeRecordNotFound, "The appointment refers to records that are not known", missing)
		}
		if other, ok := st.hashes.get(hashDigest(c.hash)); c.hash != "" && ok && other != 0 && other != c.id {
			return fail(http.StatusConflict, careqlog.CodeDuplicateRecord,
				fmt.Sprintf("Another appointment (careq_id %d) already has this hash", other),
				schemas.FieldErrors{"hash": {"already used by another appointment"}})
		}
	}
	if !known {
		return decision{sync: careqlog.SyncCreated, httpStatus: http.StatusCreated, apptStatus: c.status}
	}
	if c.at != nil && e.at != 0 {
		switch {
		case at < e.at:
			return decision{sync: careqlog.SyncStaleIgnored, httpStatus: http.StatusOK, apptStatus: e.statusName()}
		case at == e.at && macBytes(c.mac) == e.mac:
			return decision{sync: careqlog.SyncUnchanged, httpStatus: http.StatusOK, apptStatus: e.statusName()}
		case at == e.at:
			return fail(http.StatusConflict, careqlog.CodeDuplicateRecord,
				fmt.Sprintf("The %s with careq_id %d was already synced with this updated_at and different content: send the change with a later updated_at",
					c.typ, c.id),
				schemas.FieldErrors{"updated_at": {"same as the stored version, but the content differs"}})
		}
	}
	return decision{sync: careqlog.SyncUpdated, httpStatus: http.StatusOK, apptStatus: c.status}
}

// apply records a created or updated change.
func (st *clinicState) apply(c *change) {
	key := recKey{indexOf(recordTypes, c.baseType()), c.id}
	e, _ := st.records.get(key)
	if c.at != nil {
		if at := c.at.UnixNano(); at >= e.at {
			e.at = at
		}
	}
	if c.digest != 0 {
		st.applied.put(c.digest, struct{}{})
	}
	switch c.typ {
	case schemas.CareQAppointmentStatusType, schemas.CareQAppointmentCancelType:
		e.status = indexOf(appointmentStatuses, c.status)
		st.records.put(key, e)
		return
	case schemas.CareQAppointmentType:
		e.status = indexOf(appointmentStatuses, c.status)
		if h := hashDigest(c.hash); e.hash != h {
			if other, _ := st.hashes.get(e.hash); e.hash != 0 && other == c.id {
				st.hashes.put(e.hash, 0)
			}
			e.hash = h
		}
		if e.hash != 0 {
			st.hashes.put(e.hash, c.id)
		}
	}
	e.mac = macBytes(c.mac)
	st.records.put(key, e)
}

// replayItem applies a logged item that changed state (rebuild at start).
func (st *clinicState) replayItem(it *careqlog.Item) error {
	if !it.Applied() {
		return nil
	}
	c := &change{typ: it.RecordType, id: it.CareQID, at: it.EventAt, mac: it.ContentMAC,
		status: it.AppointmentStatus, digest: callDigest(it.CallDigest)}
	if it.RecordType == schemas.CareQAppointmentType {
		var p struct {
			Hash *string `json:"hash"`
		}
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return fmt.Errorf("appointment %d: payload: %w", it.CareQID, err)
		}
		if p.Hash != nil {
			c.hash = *p.Hash
		}
	}
	st.apply(c)
	return nil
}

// internalID is the receiver's ID of a record (data.id): derived from clinic,
// type and careq_id, so it is the same on every retry and after a restart.
func internalID(clinicID, typ string, id int64) string {
	prefix := map[string]string{
		schemas.CareQPatientType: "pat_", schemas.CareQDoctorType: "doc_",
		schemas.CareQServiceType: "svc_", schemas.CareQAppointmentType: "apt_",
	}[typ]
	sum := idHash(clinicID, typ, id)
	return prefix + hex.EncodeToString(sum[:10])
}

// confirmationNumber is an appointment's data.confirmation_number:
// APPT- and ten digits, derived like internalID.
func confirmationNumber(clinicID string, id int64) string {
	sum := idHash(clinicID, "confirmation", id)
	n := binary.BigEndian.Uint64(sum[:8]) % 10_000_000_000
	return fmt.Sprintf("APPT-%010d", n)
}

func idHash(clinicID, typ string, id int64) [32]byte {
	return sha256.Sum256([]byte("careq-id\x00" + clinicID + "\x00" + typ + "\x00" + strconv.FormatInt(id, 10)))
}
