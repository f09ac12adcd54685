package cqcsim

import (
	"encoding/hex"
	"math"
	"sort"
	"time"
)

// The world is the simulated register: compact state per organisation,
// immutable after New. Bodies are rendered on request from that state and a
// data clock, so 120,000 locations fit in a few tens of MB and every body is
// a pure function of (seed, fixtures, clock).
//
// Times are Unix seconds. An event at time t is visible at clock c iff t < c
// (see clockSec).

type report struct {
	at      int64    // publication instant; reportDate is its date
	visit   uint16   // days from the first visit to publication
	span    uint8    // days the visit lasted (lastInspection = first visit + span)
	overall uint8    // rating code, rNone when the report rated nothing
	kq      [5]uint8 // per key question (API order), rNone = not rated by this report
	flags   uint8
}

const (
	repNoType      uint8 = 1 << iota // old report: no reportType key
	repNoSuffix                      // reportUri without the ?YYYYMMDDhhmmss suffix
	repNoText                        // no text/plain extract (PDF only)
	repRepublished                   // the suffix names a later re-publication
	repFocused                       // a focused inspection (rated a subset)
)

type edit struct {
	at   int64
	what uint8
}

const (
	editPhone uint8 = iota
	editWebsite
	editManager
	numEdits
)

type loc struct {
	id       string
	fix      *fixtureLoc
	seed     uint64 // static attributes
	nameSeed uint64 // shared by a successor that keeps the name
	addrSeed uint64 // shared by a successor that keeps the address
	regAt    int64
	deregAt  int64 // 0 while registered
	reports  []report
	edits    []edit
	prov     int32 // -1 for gone and fixture locations
	pred     int32 // -1 none
	succ     int32 // -1 none
	place    uint16
	ras      uint16 // bit set over activities
	gac      uint16 // bit set over gacTypes
	spec     uint16 // bit set over specialismNames
	kind     uint8
	reason   uint8 // reason of the link to pred
	inherit  uint8 // 0 none; inheritOverall or inheritKQOnly
	flags    uint8
	gone     bool // appears in the changes feed, answers 404
}

const (
	inheritOverall uint8 = 1 // organisationId on overall and key questions
	inheritKQOnly  uint8 = 2 // organisationId on key questions only (seen live)
)

const (
	locSAF      uint8 = 1 << iota // assessment block and no currentRatings
	locSAFPlus                    // assessment block next to currentRatings
	locDormant                    // dormancy Y while registered
	locNewTaxon                   // carries specialism/ageGroup/settingServices
	locUnpub                      // has an unpublished report
	locODS                        // ODS site code as location ID
)

type prov struct {
	id        string
	fix       *fixtureProv
	seed      uint64
	regAt     int64
	deregAt   int64
	locs      []int32 // every location ever run, sorted by ID after generation
	edits     []edit
	reports   []report // provider-level reports (NHS trusts)
	place     uint16
	pkind     uint8
	ownership uint8
	gone      bool
}

const (
	ownOrganisation = iota
	ownNHSBody
	ownIndividual
	ownPartnership
)

var ownershipNames = []string{"Organisation", "NHS Body", "Individual", "Partnership"}

// change is one entry of the changes feed.
type change struct {
	at  int64
	idx int32
	isP bool // provider
}

type world struct {
	seed       uint64
	start, end int64
	locs       []loc
	provs      []prov
	locSorted  []int32 // every location (gone and fixture ones too), by ID
	provSorted []int32
	// locFrom[k] is the first clock second at which locSorted[k] is listed
	// (its registration + 1; MinInt64 for fixtures, MaxInt64 for gone IDs),
	// so list scans need not touch the organisations themselves.
	locFrom    []int64
	provFrom   []int64
	feed       []change // sorted by time
	linkKeys   [5]uint64
	fixReports map[string]fixtureReport
}

// clockSec converts a data clock to the first whole second not visible:
// an event at second t is visible iff t < clockSec(c).
func clockSec(c time.Time) int64 {
	s := c.Unix()
	if c.Nanosecond() > 0 {
		s++
	}
	return s
}

func dateOf(t int64) string { return time.Unix(t, 0).UTC().Format("2006-01-02") }

const day = 86400

// findLoc returns the index of the location with this ID, or -1.
func (w *world) findLoc(id string) int32 {
	i := sort.Search(len(w.locSorted), func(i int) bool { return w.locs[w.locSorted[i]].id >= id })
	if i < len(w.locSorted) && w.locs[w.locSorted[i]].id == id {
		return w.locSorted[i]
	}
	return -1
}

func (w *world) findProv(id string) int32 {
	i := sort.Search(len(w.provSorted), func(i int) bool { return w.provs[w.provSorted[i]].id >= id })
	if i < len(w.provSorted) && w.provs[w.provSorted[i]].id == id {
		return w.provSorted[i]
	}
	return -1
}

// locVisible: listed and fetchable at clock c. Fixtures are always visible.
func (w *world) locVisible(i int32, c int64) bool {
	l := &w.locs[i]
	return !l.gone && (l.fix != nil || l.regAt < c)
}

func (w *world) provVisible(i int32, c int64) bool {
	p := &w.provs[i]
	return !p.gone && (p.fix != nil || p.regAt < c)
}

func (l *loc) deregisteredAt(c int64) bool { return l.deregAt != 0 && l.deregAt < c }

// ratingSource is one report that may contribute a rating to a location:
// its own, or (when it inherits) one of its predecessor chain's.
type ratingSource struct {
	owner int32 // location index owning the report
	rep   int   // index into owner's reports
}

// sources appends the rating sources of location i at clock c, newest
// first: its own visible reports, then its predecessor chain's when it
// inherits (those are all older than its registration).
func (w *world) sources(i int32, c int64, buf []ratingSource) []ratingSource {
	for depth := 0; i >= 0 && depth < 8; depth++ {
		l := &w.locs[i]
		for k := len(l.reports) - 1; k >= 0; k-- {
			if l.reports[k].at < c {
				buf = append(buf, ratingSource{i, k})
			}
		}
		if l.inherit == 0 {
			break
		}
		i = l.pred
	}
	return buf
}

func (w *world) rep(s ratingSource) *report { return &w.locs[s.owner].reports[s.rep] }

// currentOverall returns the current overall rating code of location i at
// clock c (rNone when it has none), without allocating.
func (w *world) currentOverall(i int32, c int64) uint8 {
	for depth := 0; i >= 0 && depth < 8; depth++ {
		l := &w.locs[i]
		for k := len(l.reports) - 1; k >= 0; k-- {
			if r := &l.reports[k]; r.at < c && realRating(r.overall) {
				return r.overall
			}
		}
		if l.inherit == 0 {
			break
		}
		i = l.pred
	}
	return rNone
}

// Link IDs (report UUIDs) encode which report they name, so the simulator
// needs no table to serve /reports/{linkId}: a keyed 64-bit Feistel
// permutation of (owner kind, index, report) plus a 56-bit tag, laid out as
// a version-4 UUID.

const (
	linkLoc  = 0
	linkProv = 1
)

func linkKey(kind uint64, idx int32, rep int) uint64 {
	return kind<<62 | u64(int(idx))<<20 | u64(rep)&0xfffff
}

// feistel permutes 64 bits: four rounds over two 32-bit halves (the
// truncations to uint32 are the halves and the round function).
func (w *world) feistel(x uint64, inverse bool) uint64 {
	f := func(half uint32, k int) uint32 { return uint32(mix(uint64(half)^w.linkKeys[k]) & 0xffffffff) }
	l, r := uint32(x>>32), uint32(x&0xffffffff)
	if !inverse {
		for i := 0; i < 4; i++ {
			l, r = r, l^f(r, i)
		}
	} else {
		for i := 3; i >= 0; i-- {
			l, r = r^f(l, i), l
		}
	}
	return uint64(l)<<32 | uint64(r)
}

func (w *world) linkID(kind uint64, idx int32, rep int) string {
	y := w.feistel(linkKey(kind, idx, rep), false)
	tag := hash2(y, w.linkKeys[4])
	var n [32]byte
	for k := 0; k < 12; k++ {
		n[k] = byte(y >> (60 - 4*k) & 0xf)
	}
	n[12] = 4
	for k := 0; k < 4; k++ { // y's low 16 bits: positions 13-15 and 17
		n[13+k] = byte(y >> (12 - 4*k) & 0xf)
	}
	n[17], n[16] = n[16], 8|byte(tag&3)
	for k := 0; k < 14; k++ {
		n[18+k] = byte(tag >> (2 + 4*k) & 0xf)
	}
	var out [36]byte
	j := 0
	for k := 0; k < 32; k++ {
		if k == 8 || k == 12 || k == 16 || k == 20 {
			out[j] = '-'
			j++
		}
		out[j] = "0123456789abcdef"[n[k]]
		j++
	}
	return string(out[:])
}

// parseLinkID inverts linkID; ok is false for any string linkID did not make.
func (w *world) parseLinkID(s string) (kind uint64, idx int32, rep int, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return 0, 0, 0, false
	}
	raw := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	var b [16]byte
	if _, err := hex.Decode(b[:], []byte(raw)); err != nil {
		return 0, 0, 0, false
	}
	var n [32]byte
	for k := range b {
		n[2*k], n[2*k+1] = b[k]>>4, b[k]&0xf
	}
	if n[12] != 4 || n[16]&0xc != 8 {
		return 0, 0, 0, false
	}
	var y uint64
	for k := 0; k < 12; k++ {
		y |= uint64(n[k]) << (60 - 4*k)
	}
	for k := 0; k < 3; k++ {
		y |= uint64(n[13+k]) << (12 - 4*k)
	}
	y |= uint64(n[17])
	tag := hash2(y, w.linkKeys[4])
	if byte(tag&3) != n[16]&3 {
		return 0, 0, 0, false
	}
	for k := 0; k < 14; k++ {
		if n[18+k] != byte(tag>>(2+4*k)&0xf) {
			return 0, 0, 0, false
		}
	}
	x := w.feistel(y, true)
	i := x >> 20 & (1<<42 - 1)
	if i > math.MaxInt32 {
		return 0, 0, 0, false
	}
	return x >> 62, int32(i), int(x & 0xfffff), true
}
