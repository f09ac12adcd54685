package normalise

import (
	stdjson "encoding/json"
	"fmt"

	"github.com/goccy/go-json"

	"carelake/schemas"
	"carelake/schemas/archive"
)

// entityKind is what a detail body describes.
type entityKind uint8

const (
	kindNone entityKind = iota
	kindLocation
	kindProvider
	kindTaxonomy // the /inspection-areas answer (taxonomy.go)
)

func (k entityKind) String() string {
	switch k {
	case kindLocation:
		return "location"
	case kindProvider:
		return "provider"
	case kindTaxonomy:
		return "inspection_areas"
	}
	return "unknown"
}

// entityOf maps an archive endpoint to the entity its detail bodies describe.
func entityOf(endpoint string) entityKind {
	switch endpoint {
	case archive.EndpointLocation:
		return kindLocation
	case archive.EndpointProvider:
		return kindProvider
	}
	return kindNone
}

// decoded is one body after decoding: a location, a provider, or the reason
// it was rejected.
type decoded struct {
	origin
	loc    *schemas.Location
	prov   *schemas.Provider
	reason string
}

// decode parses a latest good body into the API type of its entity. A body
// that does not fit (not an object, a wrong type, no ID, another ID) gets a
// reject reason instead; decode never panics.
func decode(o origin, body []byte) (d decoded) {
	d.origin = o
	defer func() {
		// The decoder is third-party code facing outside input: a panic in it
		// must reject the body, never stop the run.
		if r := recover(); r != nil {
			d.loc, d.prov = nil, nil
			d.reason = fmt.Sprintf("JSON decoder failed on this body: %v", r)
		}
	}()
	switch o.kind {
	case kindLocation:
		var l schemas.Location
		if err := unmarshal(body, &l); err != nil {
			d.reason = "body does not fit the location schema: " + err.Error()
			return d
		}
		d.reason = checkID("locationId", l.LocationID, o.id)
		if d.reason == "" {
			d.loc = &l
		}
	case kindProvider:
		var p schemas.Provider
		if err := unmarshal(body, &p); err != nil {
			d.reason = "body does not fit the provider schema: " + err.Error()
			return d
		}
		d.reason = checkID("providerId", p.ProviderID, o.id)
		if d.reason == "" {
			d.prov = &p
		}
	default:
		d.reason = "not a location or provider body"
	}
	return d
}

// unmarshal decodes with goccy/go-json, the fast path. When it refuses a
// body, the standard library decodes it again: its error names the JSON
// path of the bad value (goccy's messages do not), and should it accept the
// body, its result is used, so the two decoders can never disagree on what
// is rejected.
func unmarshal[T any](body []byte, v *T) error {
	if err := json.Unmarshal(body, v); err == nil {
		return nil
	}
	var zero T
	*v = zero
	return stdjson.Unmarshal(body, v)
}

func checkID(key, got, want string) string {
	switch {
	case got == "":
		return "body has no " + key
	case got != want:
		return fmt.Sprintf("body's %s is %q but it was fetched as %q", key, got, want)
	}
	return ""
}
