package receiver

import (
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
// keys and ordering. It is rebuilt from the log at start.
type clinicState struct {
	mu      sync.Mutex
	records map[recKey]*entry
	hashes  map[string]int64 // appointment hash -> appointment careq_id
}

type recKey struct {
	typ string // patient, doctor, service or appointment
	id  int64
}

type entry struct {
	at     time.Time // latest event time applied (zero: none known)
	mac    string    // content of the latest full record
	status string    // appointments: current status
	hash   string    // appointments: current hash
}

// locked runs fn under the state's lock (released even if fn panics, so one
// bad call cannot wedge a clinic).
func (st *clinicState) locked(fn func(*clinicState)) {
	st.mu.Lock()
	defer st.mu.Unlock()
	fn(st)
}

func newClinicState() *clinicState {
	return &clinicState{records: map[recKey]*entry{}, hashes: map[string]int64{}}
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
	key := recKey{c.baseType(), c.id}
	e := st.records[key]
	switch c.typ {
	case schemas.CareQAppointmentStatusType, schemas.CareQAppointmentCancelType:
		if e == nil {
			return fail(http.StatusNotFound, careqlog.CodeRecordNotFound,
				fmt.Sprintf("No appointment with careq_id %d is known for clinic %s: sync the appointment first", c.id, clinicID),
				schemas.FieldErrors{"careq_id": {"unknown appointment"}})
		}
		if c.at != nil && !e.at.IsZero() && c.at.Before(e.at) {
			return decision{sync: careqlog.SyncStaleIgnored, httpStatus: http.StatusOK, apptStatus: e.status}
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
			if st.records[recKey{fk.typ, fk.id}] == nil {
				missing.Add(fk.field, fmt.Sprintf("no %s with this careq_id is known for the clinic: sync it first", fk.typ))
			}
		}
		if len(missing) > 0 {
			return fail(http.StatusNotFound, careqlog.CodeRecordNotFound, "The appointment refers to records that are not known", missing)
		}
		if other, ok := st.hashes[c.hash]; c.hash != "" && ok && other != c.id {
			return fail(http.StatusConflict, careqlog.CodeDuplicateRecord,
				fmt.Sprintf("Another appointment (careq_id %d) already has this hash", other),
				schemas.FieldErrors{"hash": {"already used by another appointment"}})
		}
	}
	if e == nil {
		return decision{sync: careqlog.SyncCreated, httpStatus: http.StatusCreated, apptStatus: c.status}
	}
	if c.at != nil && !e.at.IsZero() {
		switch {
		case c.at.Before(e.at):
			return decision{sync: careqlog.SyncStaleIgnored, httpStatus: http.StatusOK, apptStatus: e.status}
		case c.at.Equal(e.at) && c.mac == e.mac:
			return decision{sync: careqlog.SyncUnchanged, httpStatus: http.StatusOK, apptStatus: e.status}
		case c.at.Equal(e.at):
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
	key := recKey{c.baseType(), c.id}
	e := st.records[key]
	if e == nil {
		e = &entry{}
		st.records[key] = e
	}
	if c.at != nil && !c.at.Before(e.at) {
		e.at = *c.at
	}
	switch c.typ {
	case schemas.CareQAppointmentStatusType, schemas.CareQAppointmentCancelType:
		e.status = c.status
		return
	case schemas.CareQAppointmentType:
		e.status = c.status
		if e.hash != c.hash {
			if e.hash != "" && st.hashes[e.hash] == c.id {
				delete(st.hashes, e.hash)
			}
			e.hash = c.hash
		}
		if c.hash != "" {
			st.hashes[c.hash] = c.id
		}
	}
	e.mac = c.mac
}

// replayItem applies a logged item that changed state (rebuild at start).
func (st *clinicState) replayItem(it *careqlog.Item) error {
	if !it.Applied() {
		return nil
	}
	c := &change{typ: it.RecordType, id: it.CareQID, at: it.EventAt, mac: it.ContentMAC, status: it.AppointmentStatus}
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
