package receiver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"carelake/schemas"
	"carelake/schemas/careqlog"
)

// typeNames are the record types' names in answers ("Patient created ...").
var typeNames = map[string]string{
	schemas.CareQPatientType: "Patient", schemas.CareQDoctorType: "Doctor",
	schemas.CareQServiceType: "Service", schemas.CareQAppointmentType: "Appointment",
}

// batchTypes are the record types a batch may hold.
var batchTypes = []string{schemas.CareQPatientType, schemas.CareQDoctorType, schemas.CareQServiceType, schemas.CareQAppointmentType}

// single handles one record (every endpoint but batch and health). It returns
// the answer to store for idempotency, or nil when the call was refused.
func (s *Server) single(c *call, cl *clinic, body []byte) *stored {
	typ := careqlog.RecordType(c.rec.Endpoint)
	v, errs, err := DecodeCareQ(typ, body)
	if err != nil {
		s.reject(c, http.StatusBadRequest, careqlog.CodeInvalidRequest, "Malformed request: "+err.Error(), nil)
		return nil
	}
	item, chg := s.describe(cl, typ, v, c.rec.IdempotencyKey)
	c.rec.Item = item
	if len(errs) > 0 {
		c.rec.SyncStatus = careqlog.SyncFailed
		s.reject(c, http.StatusUnprocessableEntity, careqlog.CodeValidationError, "One or more fields failed validation", errs)
		return nil
	}
	if chg.clinic != cl.ClinicID {
		c.rec.SyncStatus = careqlog.SyncFailed
		s.reject(c, http.StatusForbidden, careqlog.CodeAuthenticationFailed,
			"This bearer token may only write clinic "+cl.ClinicID,
			map[string][]string{"clinic_id": {"does not match the clinic of the bearer token"}})
		return nil
	}

	var (
		d       decision
		status  int
		answer  []byte
		pending *Pending
	)
	// Decide, apply and append under the clinic's lock, so the log's order
	// is the order of the decisions.
	cl.state.locked(func(st *clinicState) {
		d = st.decide(cl.ClinicID, chg)
		c.rec.SyncStatus, c.rec.AppointmentStatus = d.sync, d.apptStatus
		if d.sync == careqlog.SyncFailed {
			c.rec.ErrorCode = d.code
			status, answer = d.httpStatus, errorBody(d.code, d.message, d.details, c.now)
		} else {
			if c.rec.Applied() {
				st.apply(chg)
			} else {
				c.rec.CallDigest = ""
			}
			status, answer = d.httpStatus, s.successBody(cl, typ, &c.rec.Item, c.now)
		}
		c.rec.Status, c.rec.Response = status, answer
		pending, err = s.log.Append(&c.rec)
	})
	if d.sync == careqlog.SyncStaleIgnored {
		s.logger.Info("careq: stale change ignored: a newer version is stored", "clinic_id", cl.ClinicID,
			"record_type", typ, "careq_id", item.CareQID, "seq", c.rec.Seq)
	}
	if err == nil {
		err = pending.Wait()
	}
	if err != nil {
		s.unavailable(c)
		return nil
	}
	c.write(status, answer)
	if d.sync == careqlog.SyncFailed {
		return nil
	}
	return &stored{status: status, body: answer}
}

// describe builds the log item of a decoded record and its intended change;
// key is the idempotency key of the call (of the batch item), whose digest
// the item keeps should it change state.
func (s *Server) describe(cl *clinic, typ string, v any, key string) (careqlog.Item, *change) {
	it := careqlog.Item{RecordType: typ}
	chg := &change{typ: typ, digest: callDigest(key)}
	if chg.digest != 0 {
		it.CallDigest = key[:16]
	}
	switch x := v.(type) {
	case *schemas.CareQPatient:
		chg.clinic, chg.id, chg.at = x.ClinicID, x.CareQID, x.UpdatedAt
	case *schemas.CareQDoctor:
		chg.clinic, chg.id, chg.at = x.ClinicID, x.CareQID, x.UpdatedAt
	case *schemas.CareQService:
		chg.clinic, chg.id, chg.at = x.ClinicID, x.CareQID, x.UpdatedAt
	case *schemas.CareQAppointment:
		chg.clinic, chg.id, chg.at, chg.status = x.ClinicID, x.CareQID, x.UpdatedAt, x.Status
		chg.patient, chg.doctor, chg.service = x.PatientCareQID, x.DoctorCareQID, x.ServiceCareQID
		if x.Hash != nil {
			chg.hash = *x.Hash
		}
	case *schemas.CareQAppointmentStatus:
		chg.clinic, chg.id, chg.at, chg.status = x.ClinicID, x.CareQID, x.UpdatedAt, x.Status
	case *schemas.CareQAppointmentCancel:
		chg.clinic, chg.id, chg.at, chg.status = x.ClinicID, x.CareQID, x.CancelledAt, "cancelled"
	}
	if chg.at != nil {
		t := chg.at.UTC()
		chg.at = &t
	}
	switch typ {
	case schemas.CareQAppointmentStatusType, schemas.CareQAppointmentCancelType:
	default:
		chg.mac = s.pii.contentMAC(v)
	}
	it.CareQID, it.EventAt, it.ContentMAC = chg.id, chg.at, chg.mac
	if chg.id > 0 {
		it.ID = internalID(cl.ClinicID, chg.baseType(), chg.id)
	}
	it.Payload = mustJSON(s.pii.Sanitise(v))
	return it, chg
}

type successResponse struct {
	Success   bool   `json:"success"`
	Message   string `json:"message"`
	Data      any    `json:"data"`
	Timestamp string `json:"timestamp"`
}

type recordData struct {
	ID                 string `json:"id"`
	CareQID            int64  `json:"careq_id"`
	ConfirmationNumber string `json:"confirmation_number,omitempty"`
	Status             string `json:"status,omitempty"`
	SyncStatus         string `json:"sync_status"`
}

// successBody is the 200/201 answer of a single-record call.
func (s *Server) successBody(cl *clinic, typ string, it *careqlog.Item, now time.Time) []byte {
	data := recordData{ID: it.ID, CareQID: it.CareQID, SyncStatus: it.SyncStatus}
	var msg string
	switch typ {
	case schemas.CareQAppointmentStatusType, schemas.CareQAppointmentCancelType:
		data.Status = it.AppointmentStatus
		what := "Appointment status update"
		done := "Appointment status updated successfully"
		if typ == schemas.CareQAppointmentCancelType {
			what, done = "Appointment cancellation", "Appointment cancelled successfully"
		}
		switch it.SyncStatus {
		case careqlog.SyncStaleIgnored:
			msg = what + " ignored: a newer change is already stored"
		case careqlog.SyncUnchanged:
			msg = what + " already applied: nothing changed"
		default:
			msg = done
		}
	default:
		name := typeNames[typ]
		if typ == schemas.CareQAppointmentType {
			data.ConfirmationNumber = confirmationNumber(cl.ClinicID, it.CareQID)
		}
		switch it.SyncStatus {
		case careqlog.SyncCreated:
			msg, data.SyncStatus = name+" created successfully", "synced" // the specification's word
		case careqlog.SyncUpdated:
			msg = name + " updated successfully"
		case careqlog.SyncUnchanged:
			msg = name + " already up to date"
		case careqlog.SyncStaleIgnored:
			msg = name + " update ignored: a newer version is already stored"
		}
	}
	return mustJSON(successResponse{Success: true, Message: msg, Data: data, Timestamp: stamp(now)})
}

type batchData struct {
	BatchID    *string       `json:"batch_id"`
	Total      int           `json:"total"`
	Successful int           `json:"successful"`
	Failed     int           `json:"failed"`
	Results    []batchResult `json:"results"`
}

type batchResult struct {
	Type    string     `json:"type"`
	CareQID int64      `json:"careq_id,omitempty"`
	Status  string     `json:"status"`
	ID      string     `json:"id,omitempty"`
	Error   *errorInfo `json:"error,omitempty"`
	// Replayed: the result stored for this record by an earlier call with
	// the same body, answered again (the record was not processed again).
	Replayed bool `json:"replayed,omitempty"`
}

// batch handles POST batch: records are applied in order (a later record
// sees the earlier ones), each answered in results; the whole batch is one
// log record, so it is durable all or nothing. prior is the stored answer of
// an earlier call with the same body that had failed records (a retry): its
// successful results are answered again, marked replayed, and only its
// failed records are processed.
func (s *Server) batch(c *call, cl *clinic, body []byte, prior *stored) *stored {
	b, errs, err := DecodeCareQBatch(body)
	if err != nil {
		s.reject(c, http.StatusBadRequest, careqlog.CodeInvalidRequest, "Malformed request: "+err.Error(), nil)
		return nil
	}
	if b.BatchID != nil {
		c.rec.BatchID = *b.BatchID
	}
	if len(errs) > 0 {
		s.reject(c, http.StatusUnprocessableEntity, careqlog.CodeValidationError, "One or more fields failed validation", errs)
		return nil
	}
	if b.ClinicID != cl.ClinicID {
		s.reject(c, http.StatusForbidden, careqlog.CodeAuthenticationFailed, "This bearer token may only write clinic "+cl.ClinicID,
			map[string][]string{"clinic_id": {"does not match the clinic of the bearer token"}})
		return nil
	}
	var earlier []batchResult
	if prior != nil {
		var p struct {
			Data batchData `json:"data"`
		}
		if json.Unmarshal(prior.body, &p) == nil && len(p.Data.Results) == len(b.Records) {
			earlier = p.Data.Results
		}
	}
	preps := make([]preparedItem, len(b.Records))
	for i, r := range b.Records {
		if earlier != nil && earlier[i].Status != careqlog.SyncFailed {
			preps[i] = replayedItem(earlier[i])
			continue
		}
		preps[i] = s.prepareBatchItem(cl, r)
	}
	data := batchData{BatchID: b.BatchID, Total: len(preps), Results: make([]batchResult, len(preps))}
	var (
		answer  []byte
		pending *Pending
	)
	cl.state.locked(func(st *clinicState) {
		answer = s.decideBatch(c, cl, st, preps, &data)
		c.rec.Status, c.rec.Response = http.StatusOK, answer
		pending, err = s.log.Append(&c.rec)
	})
	if err == nil {
		err = pending.Wait()
	}
	if err != nil {
		s.unavailable(c)
		return nil
	}
	c.write(http.StatusOK, answer)
	return &stored{status: http.StatusOK, body: answer, partial: data.Failed > 0}
}

// decideBatch decides the records in order, applying each before the next,
// and returns the answer.
func (s *Server) decideBatch(c *call, cl *clinic, st *clinicState, preps []preparedItem, data *batchData) []byte {
	replayed := 0
	for i := range preps {
		p := &preps[i]
		if p.earlier != nil {
			data.Results[i] = *p.earlier
			data.Successful++
			replayed++
			c.rec.Records = append(c.rec.Records, p.item)
			continue
		}
		if p.item.SyncStatus != careqlog.SyncFailed {
			d := st.decide(cl.ClinicID, p.chg)
			p.item.SyncStatus, p.item.AppointmentStatus = d.sync, d.apptStatus
			if d.sync == careqlog.SyncFailed {
				p.item.ErrorCode, p.item.Errors, p.msg = d.code, d.details, d.message
			} else if p.item.Applied() {
				st.apply(p.chg)
			}
		}
		if !p.item.Applied() {
			p.item.CallDigest = ""
		}
		res := batchResult{Type: p.item.RecordType, CareQID: p.item.CareQID, Status: p.item.SyncStatus, ID: p.item.ID}
		if p.item.SyncStatus == careqlog.SyncFailed {
			data.Failed++
			res.ID = ""
			res.Error = &errorInfo{Code: p.item.ErrorCode, Message: p.msg, Details: p.item.Errors}
		} else {
			data.Successful++
		}
		data.Results[i] = res
		c.rec.Records = append(c.rec.Records, p.item)
	}
	msg := "Batch processed successfully"
	if data.Failed > 0 {
		msg = fmt.Sprintf("Batch processed: %d of %d records failed (see results)", data.Failed, data.Total)
	}
	if replayed > 0 {
		msg += fmt.Sprintf("; %d records answered from the earlier call with this body (replayed), the others processed again", replayed)
	}
	return mustJSON(successResponse{Success: true, Message: msg, Data: data, Timestamp: stamp(c.now)})
}

// preparedItem is a batch record, validated, before its decision.
type preparedItem struct {
	item careqlog.Item
	chg  *change
	msg  string // error message of a failed record
	// earlier is the stored result answered again (a retried batch).
	earlier *batchResult
}

// replayedItem is a batch record answered from an earlier call's result: it
// is logged as unchanged and replayed, without its payload.
func replayedItem(r batchResult) preparedItem {
	r.Replayed = true
	return preparedItem{earlier: &r, item: careqlog.Item{RecordType: r.Type, CareQID: r.CareQID, ID: r.ID,
		SyncStatus: careqlog.SyncUnchanged, Replayed: true}}
}

// prepareBatchItem validates one batch record; a failed one keeps its errors.
func (s *Server) prepareBatchItem(cl *clinic, r schemas.CareQBatchRecord) (p preparedItem) {
	failed := func(code string, errs schemas.FieldErrors) {
		p.item.SyncStatus, p.item.ErrorCode, p.item.Errors = careqlog.SyncFailed, code, errs
		p.msg = "One or more fields failed validation"
		if code == careqlog.CodeAuthenticationFailed {
			p.msg = "This bearer token may only write clinic " + cl.ClinicID
		}
	}
	p.item.RecordType = r.Type
	if !slices.Contains(batchTypes, r.Type) {
		p.item.RecordType = ""
		failed(careqlog.CodeValidationError, schemas.FieldErrors{"type": {"must be one of " + strings.Join(batchTypes, ", ")}})
		return p
	}
	obj, err := ParseCareQObject(r.Data)
	if err != nil {
		failed(careqlog.CodeValidationError, schemas.FieldErrors{"data": {"must be a JSON object"}})
		return p
	}
	v, errs, err := DecodeCareQObject(r.Type, obj)
	if err != nil {
		failed(careqlog.CodeValidationError, schemas.FieldErrors{"data": {"must be a JSON object"}})
		return p
	}
	p.item, p.chg = s.describe(cl, r.Type, v, IdempotencyKey(cl.ClinicID, r.Type, r.Data))
	switch {
	case len(errs) > 0:
		failed(careqlog.CodeValidationError, errs)
	case p.chg.clinic != cl.ClinicID:
		failed(careqlog.CodeAuthenticationFailed, schemas.FieldErrors{"clinic_id": {"does not match the clinic of the bearer token"}})
	}
	return p
}
