package cqcsim

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carelake/schemas"
)

const apiPrefix = "/public/v1"

// response is an answer before it is written, so faults can shape it.
type response struct {
	status  int
	ctype   string
	body    []byte
	headers [][2]string
	json200 bool // a 200 JSON body (may be truncated by the Truncate fault)
}

const ctypeJSON = "application/json; charset=utf-8"

func jsonResponse(status int, v any) response {
	return response{status: status, ctype: ctypeJSON, body: marshal(v), json200: status == http.StatusOK}
}

func rawJSON(body []byte) response {
	return response{status: http.StatusOK, ctype: ctypeJSON, body: body, json200: true}
}

func apiError(status int, format string, args ...any) response {
	return response{status: status, ctype: ctypeJSON,
		body: marshal(schemas.APIError{StatusCode: status, Message: fmt.Sprintf(format, args...)})}
}

func gatewayPage(status int, title string) response {
	const c = "center" //nolint:misspell // the HTML tag the real page uses
	page := "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<" + c + "><h1>" + title +
		"</h1></" + c + ">\r\n<hr><" + c + ">Microsoft-Azure-Application-Gateway/v2</" + c + ">\r\n</body>\r\n</html>\r\n"
	return response{status: status, ctype: "text/html", body: []byte(page)}
}

const (
	msgMissingKey = "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."
	msgInvalidKey = "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
)

func (s *Sim) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/_sim/"):
		s.serveControl(w, r)
	case r.URL.Path == apiPrefix || strings.HasPrefix(r.URL.Path, apiPrefix+"/"):
		s.serveAPI(w, r)
	default:
		write(w, apiError(http.StatusNotFound, "Resource not found"))
	}
}

// decision is what the faults decide for one request.
type decision struct {
	gateway403, throttle, status5xx, truncate bool
	code                                      int
	cut                                       float64
	latency                                   time.Duration
	stormWait                                 int
}

func decide(f Faults, n uint64) decision {
	seed := seedBits(f.Seed)
	u := func(salt uint64) float64 { return unit(hash2(seed^salt*0x9e3779b97f4a7c15, n)) }
	d := decision{
		gateway403: u(1) < f.Gateway403,
		throttle:   u(2) < f.Throttle,
		status5xx:  u(3) < f.Status5xx,
		code:       []int{500, 502, 503, 504}[hash2(seed^4, n)%4],
		truncate:   u(5) < f.Truncate,
		cut:        u(6),
		stormWait:  1 + int(hash2(seed^8, n)%5),
	}
	if f.LatencyMax > f.LatencyMin {
		d.latency = f.LatencyMin + time.Duration(u(7)*float64(f.LatencyMax-f.LatencyMin))
	} else {
		d.latency = f.LatencyMin
	}
	return d
}

// serveAPI enforces the gateway's rules, then answers. The order is the
// real stack's, outside in: Application Gateway (outage pages, the
// User-Agent rule), API Management (subscription key, rate limit), backend
// (5xx, the answer itself). Only calls past the key check count against a
// budget, and only admitted ones consume it.
func (s *Sim) serveAPI(w http.ResponseWriter, r *http.Request) {
	params, qerr := parseQuery(r.URL.RawQuery)
	key := r.Header.Get("Ocp-Apim-Subscription-Key")
	if key == "" {
		key, _ = first(params, "subscription-key")
	}
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: stripKey(r.URL.RawQuery)}
	switch {
	case key == "":
	case s.keys[key]:
		rec.Key = key
	default:
		rec.Key = "(invalid)"
	}

	clock := s.Clock()
	// Arrival time, fault decision, limiter and log slot under one lock:
	// the log is in arrival order and its times never go backwards.
	s.mu.Lock()
	now := s.cfg.Now()
	rec.Time = now
	d := decide(s.faults, s.faultSeq)
	s.faultSeq++
	idx := len(s.reqs)
	resp, serve := s.gate(key, r.UserAgent(), d, now, &rec)
	s.reqs = append(s.reqs, rec)
	s.mu.Unlock()

	if serve {
		if qerr != nil {
			resp = apiError(http.StatusBadRequest, "%s", strings.TrimPrefix(qerr.Error(), errBadQuery.Error()+": "))
		} else {
			resp = s.route(r, params, clockSec(clock))
		}
		if d.truncate && resp.json200 && len(resp.body) > 1 {
			resp.body = resp.body[:1+int(d.cut*float64(len(resp.body)-1))]
			rec.Fault = "truncate"
		}
	}
	status := resp.status
	if d.latency > 0 && !waitLatency(r, d.latency) {
		status = 0 // the client went away
	}
	if status != 0 {
		write(w, resp)
	}
	s.mu.Lock()
	s.reqs[idx].Status, s.reqs[idx].Fault = status, rec.Fault
	s.mu.Unlock()
}

// gate is what stands before the backend, outside in: the gateway, the
// subscription key, the throttle and the rate limit, then the backend's
// 5xx. It answers for them, or says the call is to be served; it notes in
// rec whether the call was admitted or throttled and by which fault. The
// caller holds s.mu.
func (s *Sim) gate(key, userAgent string, d decision, now time.Time, rec *Request) (resp response, serve bool) {
	switch {
	case d.gateway403:
		resp, rec.Fault = gatewayPage(http.StatusForbidden, "403 Forbidden"), "gateway-403"
	case userAgent == "":
		resp = gatewayPage(http.StatusForbidden, "403 Forbidden")
	case s.faults.Unauthorized: //nolint:misspell // API field name
		resp, rec.Fault = apiError(http.StatusUnauthorized, msgInvalidKey), "revoked-key"
	case key == "":
		resp = apiError(http.StatusUnauthorized, msgMissingKey)
	case !s.keys[key]:
		resp = apiError(http.StatusUnauthorized, msgInvalidKey)
	case d.throttle:
		wait := d.stormWait
		if _, w := s.admitCheck(key, now); w > 0 {
			wait = w
		}
		resp, rec.Throttled, rec.Fault = s.throttled(wait), true, "throttle"
	default:
		if wait := s.admit(key, now); wait > 0 {
			rec.Throttled = true
			return s.throttled(wait), false
		}
		rec.Admitted = true
		if !d.status5xx {
			return response{}, true
		}
		resp, rec.Fault = serverError(d.code), "5xx"
	}
	return resp, false
}

// serverError is the backend's answer with a 5xx status code.
func serverError(code int) response {
	switch code {
	case 502:
		return gatewayPage(502, "502 Bad Gateway")
	case 504:
		return gatewayPage(504, "504 Gateway Time-out")
	case 503:
		return apiError(503, "Service Unavailable")
	default:
		return apiError(500, "Internal server error")
	}
}

// waitLatency waits d, or less if the request is cancelled; it reports
// whether it waited all of d.
func waitLatency(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func stripKey(raw string) string {
	if !strings.Contains(strings.ToLower(raw), "subscription-key") {
		return raw
	}
	var kept []string
	for _, part := range strings.Split(raw, "&") {
		name, _, _ := strings.Cut(part, "=")
		if !strings.EqualFold(name, "subscription-key") {
			kept = append(kept, part)
		}
	}
	return strings.Join(kept, "&")
}

// admit applies the sliding window of one key at time now (caller holds
// s.mu): it records and admits the call, or returns the whole seconds until
// a slot frees (at least 1).
func (s *Sim) admit(key string, now time.Time) int {
	ok, wait := s.admitCheck(key, now)
	if ok {
		s.windows[key] = append(s.windows[key], now)
	}
	return wait
}

// admitCheck reports whether a call at now would be admitted, and if not
// how long until it would be; it drops calls that left the window.
func (s *Sim) admitCheck(key string, now time.Time) (bool, int) {
	if s.cfg.RateLimit < 0 {
		return true, 0
	}
	ts := s.windows[key]
	for len(ts) > 0 && !ts[0].Add(s.cfg.RateWindow).After(now) {
		ts = ts[1:]
	}
	s.windows[key] = ts
	if len(ts) < s.cfg.RateLimit {
		return true, 0
	}
	wait := int(math.Ceil(ts[0].Add(s.cfg.RateWindow).Sub(now).Seconds()))
	return false, max(wait, 1)
}

// throttled is the answer to a refused call, per Config.Throttle.
func (s *Sim) throttled(wait int) response {
	body := marshal(schemas.APIError{StatusCode: 429,
		Message: "Rate limit is exceeded. Try again in " + strconv.Itoa(wait) + " seconds."})
	switch s.cfg.Throttle {
	case ThrottleSoft:
		return response{status: http.StatusOK, ctype: ctypeJSON, body: body}
	case Throttle429NoRetryAfter:
		return response{status: http.StatusTooManyRequests, ctype: ctypeJSON, body: body}
	default:
		return response{status: http.StatusTooManyRequests, ctype: ctypeJSON, body: body,
			headers: [][2]string{{"Retry-After", strconv.Itoa(wait)}}}
	}
}

func write(w http.ResponseWriter, resp response) {
	h := w.Header()
	h.Set("Content-Type", resp.ctype)
	h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	for _, kv := range resp.headers {
		h.Set(kv[0], kv[1])
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// route answers an admitted call at data clock c.
func (s *Sim) route(r *http.Request, ps []param, c int64) response {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return apiError(http.StatusNotFound, "Resource not found")
	}
	path := strings.TrimPrefix(r.URL.Path, apiPrefix)
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(seg) == 1 && seg[0] == "locations":
		return s.listLocations(ps, c)
	case len(seg) == 1 && seg[0] == "providers":
		return s.listProviders(ps, c)
	case len(seg) == 1 && seg[0] == "inspection-areas":
		return s.taxonomy()
	case len(seg) == 2 && seg[0] == "locations":
		return s.locationDetail(seg[1], c)
	case len(seg) == 2 && seg[0] == "providers":
		return s.providerDetail(seg[1], c)
	case len(seg) == 2 && seg[0] == "changes":
		return s.changes(strings.ToLower(seg[1]), ps, c)
	case len(seg) == 3 && seg[0] == "locations" && seg[2] == "inspection-areas":
		return s.locationAreas(seg[1], c, false)
	case len(seg) == 3 && seg[0] == "locations" && seg[2] == "provider-inspection-areas":
		return s.locationAreas(seg[1], c, true)
	case len(seg) == 3 && seg[0] == "providers" && seg[2] == "locations":
		return s.providerLocations(seg[1], c)
	case len(seg) == 3 && seg[0] == "providers" && seg[2] == "inspection-areas":
		return s.providerAreas(seg[1], c)
	case len(seg) == 2 && seg[0] == "reports":
		return s.report(seg[1], "", r.Header.Get("Accept"), c)
	case len(seg) == 3 && seg[0] == "reports":
		return s.report(seg[1], seg[2], r.Header.Get("Accept"), c)
	}
	return apiError(http.StatusNotFound, "Resource not found")
}

// checkID answers 400 for IDs with lower-case letters (the API serves
// upper-case IDs only; clients retry upper-cased) and 404 for empty ones.
func checkID(kind, id string) (response, bool) {
	if id == "" {
		return apiError(http.StatusNotFound, "Resource not found"), false
	}
	if strings.ToUpper(id) != id {
		return apiError(http.StatusBadRequest, "Invalid %s ID '%s': IDs are upper case", kind, id), false
	}
	return response{}, true
}

func (s *Sim) locationDetail(id string, c int64) response {
	if resp, ok := checkID("location", id); !ok {
		return resp
	}
	i := s.w.findLoc(id)
	if i < 0 || !s.w.locVisible(i, c) {
		return apiError(http.StatusNotFound, "No location found with ID '%s'", id)
	}
	if fx := s.w.locs[i].fix; fx != nil {
		return rawJSON(fx.body)
	}
	return s.withMove(i, c, jsonResponse(http.StatusOK, s.w.renderLocation(i, c)))
}

func (s *Sim) providerDetail(id string, c int64) response {
	if resp, ok := checkID("provider", id); !ok {
		return resp
	}
	p := s.w.findProv(id)
	if p < 0 || !s.w.provVisible(p, c) {
		return apiError(http.StatusNotFound, "No provider found with ID '%s'", id)
	}
	if fx := s.w.provs[p].fix; fx != nil {
		return rawJSON(fx.body)
	}
	return jsonResponse(http.StatusOK, s.w.renderProvider(p, c))
}

func envelope(base string, pg paging, total int, extra string) schemas.PageInfo {
	pages := (total + pg.perPage - 1) / pg.perPage
	info := schemas.PageInfo{Total: total, Page: pg.page, PerPage: pg.perPage, TotalPages: pages,
		FirstPageURI: pageURI(base, 1, pg.perPage, extra),
		LastPageURI:  pageURI(base, max(pages, 1), pg.perPage, extra),
		URI:          base}
	if pg.page > 1 {
		info.PreviousPageURI = pageURI(base, pg.page-1, pg.perPage, extra)
	}
	if pg.page < pages {
		info.NextPageURI = pageURI(base, pg.page+1, pg.perPage, extra)
	}
	return info
}

func (s *Sim) listLocations(ps []param, c int64) response {
	pg, err := parsePaging(ps)
	if err != nil {
		return badQuery(err)
	}
	fs := parseFilters(ps, locationFilters)
	total, onPage := 0, make([]int32, 0, min(pg.perPage, 1000))
	for k, i := range s.w.locSorted {
		if s.w.locFrom[k] <= c && (fs == nil || s.locMatches(i, c, fs)) {
			if pg.holds(total) {
				onPage = append(onPage, i)
			}
			total++
		}
	}
	page := schemas.LocationsPage{PageInfo: envelope("/locations", pg, total, filterEcho(fs)),
		Locations: make([]schemas.LocationSummary, 0, len(onPage))}
	for _, i := range onPage {
		name, postcode := s.w.locSummary(i)
		page.Locations = append(page.Locations, schemas.LocationSummary{LocationID: s.w.locs[i].id, LocationName: name, PostalCode: postcode})
	}
	return jsonResponse(http.StatusOK, page)
}

func (s *Sim) listProviders(ps []param, c int64) response {
	pg, err := parsePaging(ps)
	if err != nil {
		return badQuery(err)
	}
	fs := parseFilters(ps, providerFilters)
	total, onPage := 0, make([]int32, 0, min(pg.perPage, 1000))
	for k, p := range s.w.provSorted {
		if s.w.provFrom[k] <= c && !s.unlisted(p) && (fs == nil || s.w.provMatches(p, c, fs)) {
			if pg.holds(total) {
				onPage = append(onPage, p)
			}
			total++
		}
	}
	page := schemas.ProvidersPage{PageInfo: envelope("/providers", pg, total, filterEcho(fs)),
		Providers: make([]schemas.ProviderSummary, 0, len(onPage))}
	for _, p := range onPage {
		page.Providers = append(page.Providers, schemas.ProviderSummary{ProviderID: s.w.provs[p].id, ProviderName: s.w.provSummaryName(p)})
	}
	return jsonResponse(http.StatusOK, page)
}

func badQuery(err error) response {
	return apiError(http.StatusBadRequest, "%s", strings.TrimPrefix(err.Error(), errBadQuery.Error()+": "))
}

func (s *Sim) changes(kind string, ps []param, c int64) response {
	var isP bool
	switch kind {
	case "location":
	case "provider":
		isP = true
	default:
		return apiError(http.StatusNotFound, "Resource not found")
	}
	q, err := parseChangesQuery(ps)
	if err != nil {
		return badQuery(err)
	}
	ids := s.w.changed(isP, q.start.Unix(), min(q.end.Unix(), c))
	if !isP {
		ids = mergeIDs(ids, s.movedIDs(q.start.Unix(), min(q.end.Unix(), c)))
	}
	base := "/changes/" + kind
	extra := "&startTimeStamp=" + q.startRaw + "&endTimeStamp=" + q.endRaw
	info := envelope(base, q.paging, len(ids), extra)
	info.URI = *pageURI(base, q.page, q.perPage, extra)
	lo, hi := q.window(len(ids))
	return jsonResponse(http.StatusOK, schemas.ChangesPage{PageInfo: info, Changes: append([]string{}, ids[lo:hi]...)})
}

func (s *Sim) providerLocations(id string, c int64) response {
	if resp, ok := checkID("provider", id); !ok {
		return resp
	}
	p := s.w.findProv(id)
	if p < 0 || !s.w.provVisible(p, c) {
		return apiError(http.StatusNotFound, "No provider found with ID '%s'", id)
	}
	out := schemas.ProviderLocationsResponse{Locations: []schemas.LocationSummary{}}
	for _, i := range s.w.providerLocs(p, c) {
		name, postcode := s.w.locSummary(i)
		out.Locations = append(out.Locations, schemas.LocationSummary{LocationID: s.w.locs[i].id, LocationName: name, PostalCode: postcode})
	}
	return jsonResponse(http.StatusOK, out)
}

// providerLocs lists a provider's visible locations by ID.
func (w *world) providerLocs(p int32, c int64) []int32 {
	pr := &w.provs[p]
	var out []int32
	if pr.fix != nil {
		for _, id := range pr.fix.locIDs {
			if i := w.findLoc(id); i >= 0 && w.locVisible(i, c) {
				out = append(out, i)
			}
		}
		return out
	}
	for _, i := range pr.locs {
		if w.locVisible(i, c) {
			out = append(out, i)
		}
	}
	return out
}

func (s *Sim) locationAreas(id string, c int64, providerLevel bool) response {
	if resp, ok := checkID("location", id); !ok {
		return resp
	}
	i := s.w.findLoc(id)
	if i < 0 || !s.w.locVisible(i, c) {
		return apiError(http.StatusNotFound, "No location found with ID '%s'", id)
	}
	if providerLevel {
		l := &s.w.locs[i]
		p := l.prov
		if l.fix != nil {
			p = s.w.findProv(l.fix.providerID)
		}
		if p < 0 {
			return jsonResponse(http.StatusOK, globalAreas([]string{}))
		}
		return jsonResponse(http.StatusOK, globalAreas(s.w.providerAreaIDs(p, c)))
	}
	return jsonResponse(http.StatusOK, globalAreas(s.w.locAreaIDs(i)))
}

func (s *Sim) providerAreas(id string, c int64) response {
	if resp, ok := checkID("provider", id); !ok {
		return resp
	}
	p := s.w.findProv(id)
	if p < 0 || !s.w.provVisible(p, c) {
		return apiError(http.StatusNotFound, "No provider found with ID '%s'", id)
	}
	return jsonResponse(http.StatusOK, globalAreas(s.w.providerAreaIDs(p, c)))
}

func (w *world) locAreaIDs(i int32) []string {
	l := &w.locs[i]
	if l.fix != nil {
		return l.fix.areas
	}
	return kinds[l.kind].areas
}

func (w *world) providerAreaIDs(p int32, c int64) []string {
	seen := map[string]bool{}
	for _, i := range w.providerLocs(p, c) {
		for _, id := range w.locAreaIDs(i) {
			seen[id] = true
		}
	}
	ids := []string{}
	for _, a := range inspectionAreas {
		if seen[a.id] {
			ids = append(ids, a.id)
		}
	}
	return ids
}

// globalAreas renders the taxonomy entries named by ids, in taxonomy
// order; nil means the whole taxonomy. Unknown IDs are left out.
func globalAreas(ids []string) schemas.InspectionAreasResponse {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	out := schemas.InspectionAreasResponse{InspectionAreas: []schemas.GlobalInspectionArea{}}
	for _, a := range inspectionAreas {
		if ids != nil && !want[a.id] {
			continue
		}
		g := schemas.GlobalInspectionArea{InspectionAreaID: a.id, InspectionAreaName: a.name, InspectionAreaType: a.typ,
			Status: a.status, SupersededBy: a.supersededBy}
		if a.endDate != "" {
			g.EndDate = ptr(a.endDate)
		}
		for _, code := range a.categories {
			cat := schemas.GlobalInspectionCategory{Code: code, CoreFlag: "Y", Status: a.status,
				InspectionCategoryName: categoryName(code)}
			if a.endDate != "" {
				cat.EndDate = ptr(a.endDate)
			}
			g.InspectionCategories = append(g.InspectionCategories, cat)
		}
		out.InspectionAreas = append(out.InspectionAreas, g)
	}
	return out
}

func categoryName(code string) string {
	for _, k := range kinds {
		if k.category[0] == code {
			return k.category[1]
		}
	}
	return code
}
