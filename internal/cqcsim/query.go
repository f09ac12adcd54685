package cqcsim

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Query parsing for the API's paging, filter and changes parameters.
// Parameter names match case-insensitively (the real API echoes
// startTimeStamp for startTimestamp); values are case-sensitive. The first
// occurrence of a single-valued parameter wins; filters may repeat (OR).

const (
	DefaultPerPage = 500
	MaxPerPage     = 10000
	maxPage        = 1 << 31
	// TimestampLayout is the only timestamp format /changes accepts.
	TimestampLayout = "2006-01-02T15:04:05Z"
)

// errBadQuery marks a query the API answers with 400.
var errBadQuery = errors.New("bad query")

type param struct{ name, value string }

// parseQuery splits a raw query string in order, decoding %XX and '+'.
func parseQuery(raw string) ([]param, error) {
	var out []param
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		n, err1 := url.QueryUnescape(name)
		v, err2 := url.QueryUnescape(value)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%w: malformed query parameter %q", errBadQuery, part)
		}
		out = append(out, param{n, v})
	}
	return out, nil
}

// first returns the first value of the parameter named name (any case).
func first(ps []param, name string) (string, bool) {
	for _, p := range ps {
		if strings.EqualFold(p.name, name) {
			return p.value, true
		}
	}
	return "", false
}

type paging struct{ page, perPage int }

func parsePaging(ps []param) (paging, error) {
	pg := paging{page: 1, perPage: DefaultPerPage}
	if v, ok := first(ps, "page"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			return pg, fmt.Errorf("%w: page %q must be a whole number from 1", errBadQuery, v)
		}
		pg.page = n
	}
	if v, ok := first(ps, "perPage"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPerPage {
			return pg, fmt.Errorf("%w: perPage %q must be a whole number from 1 to %d", errBadQuery, v, MaxPerPage)
		}
		pg.perPage = n
	}
	return pg, nil
}

// holds reports whether the item at 0-based position n is on this page.
func (pg paging) holds(n int) bool {
	lo := int64(pg.page-1) * int64(pg.perPage)
	return int64(n) >= lo && int64(n) < lo+int64(pg.perPage)
}

// window returns the [lo, hi) slice bounds of this page over total items.
func (pg paging) window(total int) (lo, hi int) {
	off := int64(pg.page-1) * int64(pg.perPage)
	if off >= int64(total) {
		return total, total
	}
	lo = int(off)
	return lo, min(total, lo+pg.perPage)
}

// parseTimestamp accepts exactly YYYY-MM-DDTHH:MM:SSZ.
func parseTimestamp(s string) (time.Time, error) {
	if len(s) != len(TimestampLayout) {
		return time.Time{}, fmt.Errorf("%w: timestamp %q: use YYYY-MM-DDTHH:MM:SSZ (UTC)", errBadQuery, s)
	}
	t, err := time.Parse(TimestampLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: timestamp %q: use YYYY-MM-DDTHH:MM:SSZ (UTC)", errBadQuery, s)
	}
	return t, nil
}

type changesQuery struct {
	paging
	start, end       time.Time
	startRaw, endRaw string
}

func parseChangesQuery(ps []param) (changesQuery, error) {
	var q changesQuery
	pg, err := parsePaging(ps)
	if err != nil {
		return q, err
	}
	q.paging = pg
	var ok bool
	if q.startRaw, ok = first(ps, "startTimestamp"); !ok {
		return q, fmt.Errorf("%w: startTimestamp is required (YYYY-MM-DDTHH:MM:SSZ, inclusive)", errBadQuery)
	}
	if q.endRaw, ok = first(ps, "endTimestamp"); !ok {
		return q, fmt.Errorf("%w: endTimestamp is required (YYYY-MM-DDTHH:MM:SSZ, exclusive)", errBadQuery)
	}
	if q.start, err = parseTimestamp(q.startRaw); err != nil {
		return q, err
	}
	if q.end, err = parseTimestamp(q.endRaw); err != nil {
		return q, err
	}
	if q.end.Before(q.start) {
		return q, fmt.Errorf("%w: endTimestamp %s is before startTimestamp %s", errBadQuery, q.endRaw, q.startRaw)
	}
	return q, nil
}

// Filters each list accepts (docs/architecture.md, "CQC API: calls and
// limits"), in the order page URIs echo them.
var locationFilters = []string{"region", "localAuthority", "careHome", "inspectionDirectorate", "overallRating",
	"constituency", "regulatedActivity", "gacServiceTypeDescription", "primaryInspectionCategoryCode"}

var providerFilters = []string{"region", "localAuthority", "inspectionDirectorate", "overallRating",
	"constituency", "regulatedActivity", "primaryInspectionCategoryCode"}

type filter struct {
	name   string
	values []string
}

// parseFilters collects the known filters, values in request order.
// Unknown parameters (partnerCode, subscription-key, ...) are ignored.
func parseFilters(ps []param, known []string) []filter {
	var fs []filter
	for _, name := range known {
		var vs []string
		for _, p := range ps {
			if strings.EqualFold(p.name, name) {
				vs = append(vs, p.value)
			}
		}
		if vs != nil {
			fs = append(fs, filter{name, vs})
		}
	}
	return fs
}

// pageURI builds a relative page URI: base?page=N&perPage=M then extra,
// already encoded.
func pageURI(base string, page, perPage int, extra string) *string {
	s := base + "?page=" + strconv.Itoa(page) + "&perPage=" + strconv.Itoa(perPage) + extra
	return &s
}

func filterEcho(fs []filter) string {
	var b strings.Builder
	for _, f := range fs {
		for _, v := range f.values {
			b.WriteString("&" + f.name + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}
