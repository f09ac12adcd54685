// Package archive is the append-only raw archive of every CQC API response.
//
// Every call the extract stage makes, good or bad, becomes one Record: request
// URL, status, the headers that matter, fetch time, duration and body. Later
// stages read only this archive, so re-running them never spends an API call.
//
// Layout under the warehouse root:
//
//	raw/cqc/date=YYYY-MM-DD/<session>-<NNNNN>.jsonl.zst       sealed segment
//	raw/cqc/date=YYYY-MM-DD/<session>-<NNNNN>.jsonl.zst.open  being written (or left by a crash)
//	raw/cqc-files/<name>                                      a binary body (a report's PDF), Record.File
//
// A segment is a sequence of independent zstd frames, each holding one or more
// complete JSON lines. Append writes one frame and (unless Options.NoSync)
// fsyncs it before returning, so a kill -9 can tear only the frame in flight.
// Readers skip a torn tail; Open repairs segments a crashed writer left open.
// Segment paths sort in write order. DuckDB reads sealed segments directly:
//
//	SELECT fetched_at, endpoint, id, status, body->>'$.name' AS name, body_text
//	FROM read_json('warehouse/raw/cqc/*/*.jsonl.zst', format='newline_delimited',
//	     ignore_errors=true, columns={seq:'BIGINT', fetched_at:'TIMESTAMPTZ',
//	     endpoint:'VARCHAR', id:'VARCHAR', status:'INTEGER', url:'VARCHAR',
//	     error:'VARCHAR', body:'JSON', body_text:'VARCHAR'})
//	WHERE status = 200 AND error IS NULL;   -- the good bodies
//
// (ignore_errors skips a torn tail, if a crashed segment has not yet been
// repaired by the next writer; the test TestDuckDBReadsSealedSegments runs
// this query.)
package archive

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	gojson "github.com/goccy/go-json"
)

// Endpoint names the kind of call a Record answers.
const (
	EndpointLocations       = "locations"          // list page of /locations
	EndpointProviders       = "providers"          // list page of /providers
	EndpointLocation        = "location"           // /locations/{id}
	EndpointProvider        = "provider"           // /providers/{id}
	EndpointChangesLocation = "changes_location"   // page of /changes/location
	EndpointChangesProvider = "changes_provider"   // page of /changes/provider
	EndpointInspectionAreas = "inspection_areas"   // /inspection-areas
	EndpointLocationAreas   = "location_areas"     // /locations/{id}/inspection-areas
	EndpointProviderAreas   = "provider_areas"     // /providers/{id}/inspection-areas
	EndpointProviderLocs    = "provider_locations" // /providers/{id}/locations
	EndpointReport          = "report"             // /reports/{linkId}[/{relatedDocumentType}]
)

// Record is one API call and its outcome, one JSON line in a segment.
type Record struct {
	// Seq orders records within one writer session; Session names the session.
	Seq     int64  `json:"seq"`
	Session string `json:"session"`
	// FetchedAt is when the response (or the failure) arrived, UTC.
	FetchedAt  time.Time `json:"fetched_at"`
	DurationMS float64   `json:"duration_ms"`
	// WallAt is FetchedAt by the wall clock. FetchedAt is by extract's data
	// clock, which is the wall clock except in tests and the demo (driven by
	// the simulator); the rate budget of the next run reads WallAt to count
	// the calls still inside the server's window. Zero in records written
	// before it existed and in generated archives.
	WallAt time.Time `json:"wall_at,omitzero"`
	Method string    `json:"method"`
	// URL is the request path and query relative to the API base URL
	// (e.g. /locations/1-101?x=y). It never holds the subscription key.
	URL      string `json:"url"`
	Endpoint string `json:"endpoint"`
	// ID is the location or provider ID of a detail call, the report's
	// document of a report call (its linkId, or linkId/relatedDocumentType),
	// empty otherwise.
	ID string `json:"id,omitempty"`
	// Accept is the Accept header of a call that asked for something other
	// than JSON (a report as text/plain or application/pdf).
	Accept  string `json:"accept,omitempty"`
	Attempt int    `json:"attempt"`
	// Status is the HTTP status; 0 when no response came (see Error).
	Status int `json:"status"`
	// Error says why the call failed when no response came, or why a
	// response is not a usable body (a soft 429, a cut or invalid JSON
	// body, another organisation's body). A record holds a good body only
	// when Status is 200 and Error is empty.
	Error string `json:"error,omitempty"`
	// Headers holds the response headers that matter (Content-Type,
	// Retry-After, Date, ...), canonical names.
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the response body when it is valid JSON; BodyText holds any
	// other body (HTML error pages, truncated JSON, plain text) verbatim.
	Body      json.RawMessage `json:"body,omitempty"`
	BodyText  string          `json:"body_text,omitempty"`
	BodyBytes int             `json:"body_bytes"`
	// File is where a binary body (a report's PDF) is kept beside the
	// archive, relative to the warehouse root (Writer.PutFile); Body and
	// BodyText are then empty.
	File string `json:"file,omitempty"`
}

// SetBody stores b as Body when it is valid JSON, else as BodyText.
func (r *Record) SetBody(b []byte) {
	r.BodyBytes = len(b)
	r.Body, r.BodyText = nil, ""
	if len(b) == 0 {
		return
	}
	if json.Valid(b) {
		r.Body = json.RawMessage(b)
		return
	}
	r.BodyText = string(b)
}

// Head is a Record without its body: what a reader needs to choose records
// (ReadHeads).
type Head struct {
	Seq       int64     `json:"seq"`
	FetchedAt time.Time `json:"fetched_at"`
	WallAt    time.Time `json:"wall_at"`
	Endpoint  string    `json:"endpoint"`
	ID        string    `json:"id"`
	Status    int       `json:"status"`
	Error     string    `json:"error"`
	Body      BodyShape `json:"body"`
}

// Head returns the record's head: what ReadHeads gives for it.
func (r *Record) Head() Head {
	return Head{Seq: r.Seq, FetchedAt: r.FetchedAt, WallAt: r.WallAt, Endpoint: r.Endpoint, ID: r.ID,
		Status: r.Status, Error: r.Error, Body: ShapeOf(r.Body)}
}

// Good is the good-body rule, the one rule by which extract counts an ID as
// archived and normalise chooses the body it uses. A record holds a usable
// body when it is HTTP 200, has no Error, and has a JSON body that is not
// the API gateway's error envelope (a soft 429 in an archive written before
// extract named it in Error). A record's own is r.Head().Good().
func (h Head) Good() bool {
	return h.Status == http.StatusOK && h.Error == "" && h.Body.JSON && !h.Body.ErrorEnvelope
}

// BodyShape says what a record's body is, without keeping it.
type BodyShape struct {
	// JSON is set when the body is JSON (Record.Body), not text.
	JSON bool
	// ErrorEnvelope is set for the API gateway's error object,
	// {"statusCode": 429, "message": "..."}, which stands in for a body.
	ErrorEnvelope bool
}

// ShapeOf is the shape of a record's JSON body (Record.Body).
func ShapeOf(body []byte) BodyShape {
	return BodyShape{
		JSON:          len(body) > 0, // even null: a 200 answering null is a reject, not nothing
		ErrorEnvelope: IsErrorEnvelope(body),
	}
}

// UnmarshalJSON reads the shape of a body without copying it.
func (b *BodyShape) UnmarshalJSON(data []byte) error {
	*b = ShapeOf(data)
	return nil
}

var statusCodeKey = []byte(`"statusCode"`)

// IsErrorEnvelope reports whether a JSON body is the API gateway's error
// object (a statusCode and no locationId or providerId) rather than an
// organisation: the soft 429 arrives as HTTP 200 with such a body.
func IsErrorEnvelope(body []byte) bool {
	if !bytes.Contains(body, statusCodeKey) {
		return false
	}
	var env struct {
		StatusCode json.RawMessage `json:"statusCode"`
		LocationID string          `json:"locationId"`
		ProviderID string          `json:"providerId"`
	}
	if gojson.Unmarshal(body, &env) != nil {
		return false // not an object of that shape: decoding rejects it later
	}
	return env.StatusCode != nil && env.LocationID == "" && env.ProviderID == ""
}
