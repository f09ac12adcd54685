package resolve

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/pipeline/durable"
	"carelake/schemas/loaded"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

// The saved register (docs/architecture.md, "Resolve reads only what a
// night's changes reach"): after each run resolve saves what it read of
// every location, the weakly connected groups of its graph, the clinics'
// locations, the archived providers and the locations it wanted, with the
// run IDs of its input and output. Once load has stored both outputs, that
// is the warehouse's latest snapshot, and the next night, given a partial
// snapshot, reads from it only the locations its changes can reach.

// savedName is the saved register's file in the state directory.
const savedName = "cqc-resolve-register"

// savedFormat numbers the saved register's encoding and the rules resolve
// applies to a place. Raise it with any change to either: the next run
// then reads the whole register again and resolves every location.
const savedFormat = 1

var savedMagic = []byte("carelake resolve register\n")

// saved is a saved register, its places still encoded.
type saved struct {
	snapshot, inputRunID, runID string
	places                      map[string][]byte
	// groups lists the weakly connected groups of two or more locations;
	// group gives each member's index.
	groups     [][]string
	group      map[string]int
	clinics    []string
	providers  map[string]bool
	unarchived []string
}

func savedPath(root string) string { return filepath.Join(warehouse.StateDir(root), savedName) }

// openSaved returns the saved register when it is the warehouse's latest
// snapshot before in's (its input and output both recorded as loaded, none
// since) and in is a partial snapshot; otherwise nil and why not.
func openSaved(root string, in *input) (*saved, string, error) {
	if in.cover == nil {
		return nil, "the input is a whole snapshot", nil
	}
	b, err := os.ReadFile(savedPath(root))
	if errors.Is(err, os.ErrNotExist) {
		return nil, "no saved register", nil
	}
	if err != nil {
		return nil, "", err
	}
	s, err := decodeSaved(b)
	if err != nil {
		return nil, fmt.Sprintf("the saved register is not usable (%v)", err), nil
	}
	st, err := loaded.ReadState(root)
	if err != nil {
		return nil, "", err
	}
	if s.snapshot >= in.snapshot || st.Stages[staging.NormaliseCQC].RunID != s.inputRunID || st.Stages[staging.ResolveCQC].RunID != s.runID {
		return nil, "the saved register is not the warehouse's latest snapshot", nil
	}
	return s, "", nil
}

// save writes s atomically, entry by entry.
func (s *saved) save(root string) error {
	ids := make([]string, 0, len(s.places))
	for id := range s.places {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	providers := make([]string, 0, len(s.providers))
	for p := range s.providers {
		providers = append(providers, p)
	}
	slices.Sort(providers)
	return durable.WriteFileAtomic(savedPath(root), durable.FilePerm, func(w io.Writer) error {
		h := crc32.New(crcTable)
		e := enc{w: io.MultiWriter(w, h)}
		e.b = append(e.b, savedMagic...)
		e.uvarint(savedFormat)
		e.str(s.snapshot)
		e.str(s.inputRunID)
		e.str(s.runID)
		e.uvarint(uint64(len(ids)))
		for _, id := range ids {
			e.str(id)
			e.bytes(s.places[id])
			e.flush()
		}
		e.uvarint(uint64(len(s.groups)))
		for _, g := range s.groups {
			e.strs(g)
			e.flush()
		}
		e.strs(s.clinics)
		e.strs(providers)
		e.strs(s.unarchived)
		if err := e.flush(); err != nil {
			return err
		}
		_, err := w.Write(binary.LittleEndian.AppendUint32(nil, h.Sum32()))
		return err
	})
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func decodeSaved(b []byte) (*saved, error) {
	if len(b) < len(savedMagic)+4 || !bytes.HasPrefix(b, savedMagic) {
		return nil, errors.New("not a saved register")
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, errors.New("checksum mismatch")
	}
	d := dec{b: body[len(savedMagic):]}
	if f := d.uvarint(); f != savedFormat {
		return nil, fmt.Errorf("format %d, this build reads %d", f, savedFormat)
	}
	s := &saved{snapshot: d.str(), inputRunID: d.str(), runID: d.str(), group: map[string]int{}}
	n := d.uvarint()
	s.places = make(map[string][]byte, min(n, uint64(len(d.b))))
	for ; n > 0 && d.err == nil; n-- {
		id := d.str()
		s.places[id] = d.bytes()
	}
	for n := d.uvarint(); n > 0 && d.err == nil; n-- {
		g := d.strs()
		for _, id := range g {
			s.group[id] = len(s.groups)
		}
		s.groups = append(s.groups, g)
	}
	s.clinics = d.strs()
	s.providers = map[string]bool{}
	for _, p := range d.strs() {
		s.providers[p] = true
	}
	s.unarchived = d.strs()
	if d.err == nil && len(d.b) > 0 {
		d.err = errors.New("trailing bytes")
	}
	return s, d.err
}

// encodePlace encodes p for the saved register, in scratch (reused from
// call to call when given), and returns a copy.
func encodePlace(p *place, scratch *[]byte) []byte {
	var e enc
	if scratch != nil {
		e.b = (*scratch)[:0]
		defer func() { *scratch = e.b }()
	}
	flags := uint64(0)
	if p.archived {
		flags |= 1
	}
	if p.unkept {
		flags |= 2
	}
	e.uvarint(flags)
	e.str(p.status)
	e.str(p.provider)
	e.date(p.regDate)
	e.uvarint(uint64(len(p.rels)))
	for _, x := range p.rels {
		e.str(x.related)
		e.str(x.typ)
	}
	e.uvarint(uint64(len(p.ratings)))
	for _, x := range p.ratings {
		e.str(x.kind)
		e.str(x.name)
		e.optStr(x.parent)
		e.optStr(x.link)
		e.optStr(x.org)
		e.date(x.date)
	}
	e.uvarint(uint64(len(p.reports)))
	for _, x := range p.reports {
		e.str(x.link)
		e.date(x.date)
		e.date(x.firstVis)
		e.str(x.uri)
	}
	return slices.Clone(e.b)
}

func decodePlace(b []byte) (*place, error) {
	d := dec{b: b}
	flags := d.uvarint()
	p := &place{archived: flags&1 != 0, unkept: flags&2 != 0, status: d.str(), provider: d.str(), regDate: d.date()}
	for n := d.uvarint(); n > 0 && d.err == nil; n-- {
		p.rels = append(p.rels, rel{related: d.str(), typ: d.str()})
	}
	for n := d.uvarint(); n > 0 && d.err == nil; n-- {
		p.ratings = append(p.ratings, rating{kind: d.str(), name: d.str(), parent: d.optStr(), link: d.optStr(), org: d.optStr(), date: d.date()})
	}
	for n := d.uvarint(); n > 0 && d.err == nil; n-- {
		p.reports = append(p.reports, report{link: d.str(), date: d.date(), firstVis: d.date(), uri: d.str()})
	}
	if d.err == nil && len(d.b) > 0 {
		d.err = errors.New("trailing bytes in a place")
	}
	return p, d.err
}

// enc appends values to b: unsigned varints, and strings as their length
// then their bytes; flush writes b to w (when set) and empties it. The
// first write error sticks.
type enc struct {
	b   []byte
	w   io.Writer
	err error
}

func (e *enc) flush() error {
	if e.err == nil && e.w != nil {
		_, e.err = e.w.Write(e.b)
		e.b = e.b[:0]
	}
	return e.err
}

func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

func (e *enc) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *enc) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.b = append(e.b, b...)
}

func (e *enc) strs(ss []string) {
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *enc) optStr(s optStr) {
	if !s.ok {
		e.uvarint(0)
		return
	}
	e.uvarint(1)
	e.str(s.v)
}

func (e *enc) date(d optDate) {
	if !d.ok {
		e.uvarint(0)
		return
	}
	e.uvarint(1)
	e.b = binary.AppendVarint(e.b, int64(d.d))
}

// dec reads what enc wrote; the first error sticks, and every read after it
// gives zero values.
type dec struct {
	b   []byte
	err error
}

func (d *dec) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errors.New("truncated")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// bytes returns a slice of the input, not a copy.
func (d *dec) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if uint64(len(d.b)) < n {
		d.err = errors.New("truncated")
		return nil
	}
	b := d.b[:n:n]
	d.b = d.b[n:]
	return b
}

func (d *dec) str() string { return string(d.bytes()) }

func (d *dec) strs() []string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) { // each takes a byte at least
		if d.err == nil {
			d.err = errors.New("truncated")
		}
		return nil
	}
	ss := make([]string, 0, n)
	for ; n > 0 && d.err == nil; n-- {
		ss = append(ss, d.str())
	}
	return ss
}

func (d *dec) optStr() optStr {
	if d.uvarint() == 0 {
		return optStr{}
	}
	return optStr{d.str(), d.err == nil}
}

func (d *dec) date() optDate {
	if d.uvarint() == 0 || d.err != nil {
		return optDate{}
	}
	v, n := binary.Varint(d.b)
	if n <= 0 || v < math.MinInt32 || v > math.MaxInt32 {
		d.err = errors.New("not a date")
		return optDate{}
	}
	d.b = d.b[n:]
	return optDate{arrow.Date32(v), true} //nolint:gosec // within int32: checked above
}
