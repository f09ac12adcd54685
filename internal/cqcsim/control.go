package cqcsim

import (
	"net/http"
	"time"
)

// Control endpoints for tests and demos. They need no key, are never rate
// limited, see no faults and are not recorded in the request log.
//
//	GET  /_sim/requests          every API request so far (JSON list of Request)
//	GET  /_sim/stats             counts by status and key, busiest window per key (Stats)
//	GET  /_sim/clock             {"clock": "<RFC3339>"}
//	POST /_sim/clock?t=<RFC3339> moves the data clock; answers like GET
func (s *Sim) serveControl(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_sim/requests" && r.Method == http.MethodGet:
		write(w, jsonResponse(http.StatusOK, s.Requests()))
	case r.URL.Path == "/_sim/stats" && r.Method == http.MethodGet:
		write(w, jsonResponse(http.StatusOK, s.Stats()))
	case r.URL.Path == "/_sim/clock" && r.Method == http.MethodGet:
		write(w, jsonResponse(http.StatusOK, map[string]time.Time{"clock": s.Clock()}))
	case r.URL.Path == "/_sim/clock" && r.Method == http.MethodPost:
		t, err := time.Parse(time.RFC3339, r.URL.Query().Get("t"))
		if err != nil {
			write(w, apiError(http.StatusBadRequest, "t=%q: give the new data clock as RFC3339, e.g. t=2026-11-01T00:00:00Z", r.URL.Query().Get("t")))
			return
		}
		s.SetClock(t)
		write(w, jsonResponse(http.StatusOK, map[string]time.Time{"clock": s.Clock()}))
	default:
		write(w, apiError(http.StatusNotFound, "unknown simulator endpoint: use /_sim/requests, /_sim/stats or /_sim/clock"))
	}
}
