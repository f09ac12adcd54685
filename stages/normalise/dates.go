package normalise

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// parseDate reads an API date: "YYYY-MM-DD", or the date written at the start
// of a date-time in one of the forms the Single Assessment Framework uses
// ("2024-01-01 00:00:00", "2026-09-17T09:30:00", RFC 3339 with an offset).
// The date is taken as written (no time zone conversion). ok is false for an
// empty string as well as for an unparseable one; callers tell the two apart.
func parseDate(s string) (arrow.Date32, bool) {
	if len(s) < 10 {
		return 0, false
	}
	if len(s) > 10 {
		if _, ok := parseDateTime(s); !ok {
			return 0, false
		}
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return arrow.Date32(daysFromCivil(y, m, d)), true
}

// dateTimeLayouts are the date-time shapes accepted; time.Parse also takes
// fractional seconds after the seconds field of any of them.
var dateTimeLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	time.RFC3339,
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseDateTime parses a date-time leniently; times without an offset are UTC.
func parseDateTime(s string) (time.Time, bool) {
	for _, l := range dateTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil counts days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int32 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468) //nolint:gosec // four-digit years: within ±3.7 million days
}
