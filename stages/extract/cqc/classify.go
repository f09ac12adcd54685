package cqc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"carelake/schemas/archive"
)

// verdict is what to do with one response.
type verdict int

const (
	vOK           verdict = iota // a good body: done
	vGone                        // 404 on a detail: the ID is gone
	vThrottled                   // real or soft 429: every worker pauses, then the call repeats
	vRetry                       // 5xx, 403, transport failure, truncated or invalid body: back off and retry
	vUpper                       // 400 on an ID with lower-case letters: retry it upper-cased
	vFailed                      // any other answer: the item fails for this run
	vUnauthorized                // 401: the run stops
)

func (v verdict) String() string {
	return [...]string{"ok", "gone", "throttled", "retry", "upper-case", "failed", "unauthorised"}[v]
}

// outcome is a classified response.
type outcome struct {
	verdict verdict
	// wait is the pause the server asked for (Retry-After or "Try again in
	// N seconds"); hinted says whether it named one at all.
	wait   time.Duration
	hinted bool
	soft   bool // throttled with HTTP 200 and a statusCode 429 body
	// reason says in a few words why a response is not good.
	reason string
}

// softThrottleRE finds the wait in the soft 429 message, e.g.
// "Rate limit is exceeded. Try again in 12 seconds."
var softThrottleRE = regexp.MustCompile(`(?i)try again in\s+(\d+(?:\.\d+)?)\s*(?:second|sec|s\b)`)

// secondsRE is a Retry-After in seconds (RFC 9110 says digits; a fraction is tolerated).
var secondsRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// maxServerWait caps a wait the server asks for: longer hints are honoured
// only up to this, then the call is tried again (and throttled again if need be).
const maxServerWait = 5 * time.Minute

// parseRetryAfter reads a Retry-After header: delta-seconds (a decimal is
// tolerated) or an HTTP-date, relative to now. ok is false for anything else.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secondsRE.MatchString(v) {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		return capWait(secs), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxServerWait), true
}

// parseSoftWait reads the wait out of a soft-429 message.
func parseSoftWait(msg string) (time.Duration, bool) {
	m := softThrottleRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, false
	}
	secs, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	return capWait(secs), true
}

func capWait(secs float64) time.Duration {
	if secs >= maxServerWait.Seconds() {
		return maxServerWait
	}
	return time.Duration(secs * float64(time.Second))
}

// apiError is the gateway's JSON error body ({"statusCode":429,"message":...}).
type apiError struct {
	StatusCode *int   `json:"statusCode"`
	Message    string `json:"message"`
}

// softStatus returns the statusCode of a gateway error body served with
// HTTP 200 (the "soft" 429), or 0.
func softStatus(body []byte) (int, string) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' || !bytes.Contains(b, []byte(`"statusCode"`)) {
		return 0, ""
	}
	var e apiError
	if json.Unmarshal(b, &e) != nil || e.StatusCode == nil {
		return 0, ""
	}
	return *e.StatusCode, e.Message
}

// classify decides what a response means. endpoint is an archive.Endpoint*
// constant, id the requested ID of a detail call. transportErr is set when no
// complete response arrived (connection failure, timeout, body cut short);
// status and body then hold what did arrive, if anything.
func classify(endpoint, id string, status int, header http.Header, body []byte, transportErr string, now time.Time) outcome {
	switch {
	case status == 0:
		return outcome{verdict: vRetry, reason: "no response: " + transportErr}
	case status == http.StatusTooManyRequests:
		o := outcome{verdict: vThrottled, reason: "429 Too Many Requests"}
		o.wait, o.hinted = parseRetryAfter(header.Get("Retry-After"), now)
		if !o.hinted {
			if _, msg := softStatus(body); msg != "" {
				o.wait, o.hinted = parseSoftWait(msg)
			}
		}
		return o
	case status == http.StatusUnauthorized:
		return outcome{verdict: vUnauthorized, reason: "401 " + http.StatusText(http.StatusUnauthorized)}
	case status == http.StatusNotFound && (isDetail(endpoint) || endpoint == archive.EndpointReport):
		return outcome{verdict: vGone, reason: "404 Not Found"}
	case status == http.StatusBadRequest && isDetail(endpoint) && strings.ToUpper(id) != id:
		return outcome{verdict: vUpper, reason: "400 on a lower-case ID"}
	case status == http.StatusForbidden:
		if bytes.Contains(body, []byte("Microsoft-Azure-Application-Gateway")) {
			return outcome{verdict: vRetry, reason: "403 from the Azure gateway (outage)"}
		}
		return outcome{verdict: vRetry, reason: "403 Forbidden"}
	case status >= 500:
		return outcome{verdict: vRetry, reason: strconv.Itoa(status) + " " + http.StatusText(status)}
	case status != http.StatusOK:
		return outcome{verdict: vFailed, reason: strconv.Itoa(status) + " " + http.StatusText(status)}
	}
	// 200: the body must be whole, JSON, not a gateway error and of the right shape.
	if transportErr != "" {
		return outcome{verdict: vRetry, reason: "body cut short: " + transportErr}
	}
	if code, msg := softStatus(body); code != 0 {
		if code == http.StatusTooManyRequests {
			o := outcome{verdict: vThrottled, soft: true, reason: "soft 429 (HTTP 200)"}
			o.wait, o.hinted = parseSoftWait(msg)
			return o
		}
		return outcome{verdict: vRetry, reason: fmt.Sprintf("HTTP 200 with an error body (statusCode %d)", code)}
	}
	if err := checkShape(endpoint, id, body); err != "" {
		return outcome{verdict: vRetry, reason: err}
	}
	return outcome{verdict: vOK}
}

func isDetail(endpoint string) bool {
	return endpoint == archive.EndpointLocation || endpoint == archive.EndpointProvider
}

// checkShape checks a 200 body is the JSON the endpoint serves. It returns a
// reason when not, "" when it is.
func checkShape(endpoint, id string, body []byte) string {
	if endpoint == archive.EndpointReport {
		return checkReport(body)
	}
	if !json.Valid(body) {
		return "invalid or truncated JSON"
	}
	switch endpoint {
	case archive.EndpointLocation, archive.EndpointProvider:
		var d detailID
		if json.Unmarshal(body, &d) != nil {
			return "detail body is not a JSON object"
		}
		got := d.LocationID
		if endpoint == archive.EndpointProvider {
			got = d.ProviderID
		}
		if got == "" {
			return "detail body has no " + idKey(endpoint)
		}
		if !strings.EqualFold(got, id) {
			return fmt.Sprintf("detail body is for %s, not %s", got, id)
		}
	case archive.EndpointLocations, archive.EndpointProviders, archive.EndpointChangesLocation, archive.EndpointChangesProvider:
		if _, err := parsePage(endpoint, body); err != nil {
			return err.Error()
		}
	case archive.EndpointInspectionAreas:
		return checkTaxonomy(body)
	}
	return ""
}

type detailID struct {
	LocationID string `json:"locationId"`
	ProviderID string `json:"providerId"`
}

// itemsKey names the array of a paged endpoint's body.
func itemsKey(endpoint string) string {
	switch endpoint {
	case archive.EndpointLocations:
		return "locations"
	case archive.EndpointProviders:
		return "providers"
	default:
		return "changes"
	}
}

func idKey(endpoint string) string {
	if endpoint == archive.EndpointProvider {
		return "providerId"
	}
	return "locationId"
}

// page is a list or changes page reduced to what extract needs.
type page struct {
	IDs        []string
	Page       int
	TotalPages int
	Total      int
	HasNext    bool
}

type pageBody struct {
	Total       int      `json:"total"`
	Page        int      `json:"page"`
	TotalPages  int      `json:"totalPages"`
	NextPageURI *string  `json:"nextPageUri"`
	Locations   *[]idRow `json:"locations"`
	Providers   *[]idRow `json:"providers"`
	Changes     *[]any   `json:"changes"`
}

type idRow struct {
	LocationID string `json:"locationId"`
	ProviderID string `json:"providerId"`
}

// parsePage reads the envelope of a list or changes page. The item array
// must be present unless the page says there is nothing (total 0); IDs are
// never empty. A next page exists when nextPageUri is set or page <
// totalPages (servers that omit one of the two are tolerated).
func parsePage(endpoint string, body []byte) (page, error) {
	var b pageBody
	if err := json.Unmarshal(body, &b); err != nil {
		return page{}, fmt.Errorf("page envelope: %w", err)
	}
	p := page{Page: b.Page, TotalPages: b.TotalPages, Total: b.Total}
	p.HasNext = (b.NextPageURI != nil && *b.NextPageURI != "") || (b.Page > 0 && b.Page < b.TotalPages)
	var rows *[]idRow
	switch endpoint {
	case archive.EndpointLocations:
		rows = b.Locations
	case archive.EndpointProviders:
		rows = b.Providers
	case archive.EndpointChangesLocation, archive.EndpointChangesProvider:
		if b.Changes == nil {
			break
		}
		for i, v := range *b.Changes {
			s, ok := v.(string)
			if !ok || s == "" {
				return page{}, fmt.Errorf("changes[%d] is not an ID", i)
			}
			p.IDs = append(p.IDs, s)
		}
		return p, nil
	default:
		return page{}, fmt.Errorf("%s is not a paged endpoint", endpoint)
	}
	if rows == nil {
		if b.Total == 0 && b.Changes == nil {
			p.HasNext = false
			return p, nil
		}
		return page{}, fmt.Errorf("page has no %q array", itemsKey(endpoint))
	}
	for i, r := range *rows {
		id := r.LocationID
		if endpoint == archive.EndpointProviders {
			id = r.ProviderID
		}
		if id == "" {
			return page{}, fmt.Errorf("%s[%d] has no ID", endpoint, i)
		}
		p.IDs = append(p.IDs, id)
	}
	return p, nil
}
