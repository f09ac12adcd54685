package archive

import (
	"bufio"
	"bytes"
	"carelake/pipeline/durable"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	gojson "github.com/goccy/go-json"
	"github.com/klauspost/compress/zstd"
)

// Segments lists every segment under the warehouse root in write order,
// sealed and open alike.
func Segments(root string) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(Dir(root), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, sealedExt) || strings.HasSuffix(p, openExt)) {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("archive: list segments: %w", err)
	}
	sort.Strings(paths)
	return paths, nil
}

// SegmentStats describes what reading one segment found.
type SegmentStats struct {
	Records int
	// TornBytes counts trailing decompressed bytes that did not form a
	// complete record (a frame cut by a crash); they are skipped.
	TornBytes int
	// Torn is set when the compressed stream ended mid-frame.
	Torn bool
}

// ReadSegment calls fn with every complete record of one segment, in order.
// A torn tail (a frame cut by a crash) is skipped and reported in the stats,
// not as an error. fn may keep the Record it is given (and its Body), or any
// of its strings alone.
func ReadSegment(path string, fn func(*Record) error) (SegmentStats, error) {
	return readLines(path, func(line []byte) error {
		var rec Record
		if err := decodeRecord(line, &rec); err != nil {
			return ErrTorn
		}
		return fn(&rec)
	})
}

// decodeRecord decodes one record line. goccy/go-json decodes a record
// about twice as fast as encoding/json (BenchmarkScan), but its strings are
// views of a copy of the whole line: the short ones a caller may keep on
// their own (an ID as a map key) are copied, so they do not pin the body.
func decodeRecord(line []byte, r *Record) error {
	if err := gojson.Unmarshal(line, r); err != nil {
		return err
	}
	r.Session, r.Method, r.URL = strings.Clone(r.Session), strings.Clone(r.Method), strings.Clone(r.URL)
	r.Endpoint, r.ID, r.Error = strings.Clone(r.Endpoint), strings.Clone(r.ID), strings.Clone(r.Error)
	return nil
}

// ReadHeads is ReadSegment without the bodies: fn gets each record's Head,
// decoded without copying or keeping the body, which is what a reader that
// first chooses records (and reads bodies only for those) wants. The Head is
// only valid during the call, but its strings may be kept: they are copied
// (goccy/go-json decodes strings as views of the record's buffer, so a kept
// ID would pin the whole record, body included).
func ReadHeads(path string, fn func(*Head) error) (SegmentStats, error) {
	var h Head
	var scratch []byte
	return readLines(path, func(line []byte) error {
		if !decodeHead(line, &h, &scratch) {
			return ErrTorn
		}
		h.Endpoint, h.ID, h.Error = strings.Clone(h.Endpoint), strings.Clone(h.ID), strings.Clone(h.Error)
		return fn(&h)
	})
}

// decodeHead decodes a record line's head into h. A line in the writer's
// layout has its head decoded alone (scratch holds it): the JSON decoder
// never scans the body, which is only searched for the error envelope's
// key. Any other line is decoded in full. It reports whether the line is a
// record.
func decodeHead(line []byte, h *Head, scratch *[]byte) bool {
	*h = Head{}
	if head, body, ok := splitBody(line); ok {
		*scratch = append(append((*scratch)[:0], head...), '}')
		if gojson.Unmarshal(*scratch, h) == nil {
			h.Body = ShapeOf(body)
			return true
		}
		*h = Head{}
	}
	return gojson.Unmarshal(line, h) == nil
}

// BodyOf returns a copy of a record line's JSON body (from ReadLines), nil
// when the record has none. Like SeqOf it takes the writer's layout as a
// shortcut and decodes any other line in full.
func BodyOf(line []byte) ([]byte, error) {
	if _, body, ok := splitBody(line); ok {
		return bytes.Clone(body), nil
	}
	r, err := DecodeRecord(line)
	if err != nil {
		return nil, err
	}
	return r.Body, nil
}

var (
	bodyKey      = []byte(`,"body":`)
	bodyBytesKey = []byte(`,"body_bytes":`)
)

// splitBody splits a record line as the Writer writes it, an object whose
// last two fields are an object body and body_bytes,
//
//	{"seq":1,...,"status":200,"headers":{...},"body":{...},"body_bytes":1234}
//
// into its head (the line up to the body, without a closing brace) and its
// body, without scanning the body. ok is false for every other line (no
// body, a body_text, a body that is not an object, another layout): those
// must be decoded in full. The first `,"body":` is the body's key: a comma
// followed by a quote cannot occur inside a JSON string (its quotes are
// escaped), so it is a key, and one inside a nested object (the headers)
// would leave the head unbalanced and fail to decode.
func splitBody(line []byte) (head, body []byte, ok bool) {
	i := bytes.Index(line, bodyKey)
	j := bytes.LastIndex(line, bodyBytesKey)
	if i < 0 || j < i+len(bodyKey)+2 || len(line) < j+len(bodyBytesKey)+2 || line[len(line)-1] != '}' {
		return nil, nil, false
	}
	for _, c := range line[j+len(bodyBytesKey) : len(line)-1] {
		if c < '0' || c > '9' {
			return nil, nil, false
		}
	}
	body = line[i+len(bodyKey) : j]
	if body[0] != '{' || body[len(body)-1] != '}' {
		return nil, nil, false
	}
	return line[:i], body, true
}

// ErrTorn, returned by a ReadLines callback, says a line does not decode:
// only a crash cuts a record, and nothing after the cut is readable, so the
// segment ends there as a torn tail.
var ErrTorn = errors.New("archive: torn record")

// ReadLines calls fn with the text of every complete record of a segment
// (one JSON line without its newline; fn must not keep it), in order. It is
// the fastest way through a segment for a reader that needs few of its
// records: SeqOf tells a record apart without decoding it, BodyOf takes the
// body of the ones wanted, DecodeRecord decodes them whole. An unterminated last line, or one fn refuses with
// ErrTorn, ends the segment as a torn tail.
func ReadLines(path string, fn func(line []byte) error) (SegmentStats, error) {
	return readLines(path, fn)
}

// SeqOf returns a record line's seq without decoding the rest of it: the
// writer puts seq first. A line that does not start so is decoded.
func SeqOf(line []byte) (int64, error) {
	const prefix = `{"seq":`
	if bytes.HasPrefix(line, []byte(prefix)) {
		var n int64
		i := len(prefix)
		for ; i < len(line) && line[i] >= '0' && line[i] <= '9' && i-len(prefix) < 18; i++ {
			n = n*10 + int64(line[i]-'0')
		}
		if i > len(prefix) && i < len(line) && line[i] == ',' {
			return n, nil
		}
	}
	var h struct {
		Seq *int64 `json:"seq"`
	}
	if err := gojson.Unmarshal(line, &h); err != nil || h.Seq == nil {
		return 0, fmt.Errorf("archive: a record without seq: %w", ErrTorn)
	}
	return *h.Seq, nil
}

// DecodeRecord decodes one record line (from ReadLines).
func DecodeRecord(line []byte) (*Record, error) {
	var r Record
	if err := decodeRecord(line, &r); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return &r, nil
}

// readLines calls fn with every complete line of a segment (without its
// newline; fn must not keep it). An unterminated last line, or one fn
// refuses with ErrTorn, ends the segment as a torn tail.
func readLines(path string, fn func(line []byte) error) (SegmentStats, error) {
	var st SegmentStats
	// Reading the (bounded) compressed segment first keeps I/O errors apart
	// from a damaged stream: any decode error below means a torn tail.
	raw, err := os.ReadFile(path)
	if err != nil {
		return st, fmt.Errorf("archive: %w", err)
	}
	dec, err := zstd.NewReader(bytes.NewReader(raw), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return st, fmt.Errorf("archive: %s: %w", path, err)
	}
	defer dec.Close()

	br := bufio.NewReaderSize(dec, 1<<20)
	for {
		line, err := readLine(br)
		if err != nil {
			if !errors.Is(err, io.EOF) || len(line) > 0 {
				st.Torn = true
				st.TornBytes += len(line)
			}
			return st, nil
		}
		if err := fn(line); errors.Is(err, ErrTorn) {
			st.Torn = true
			st.TornBytes += len(line)
			return st, nil
		} else if err != nil {
			return st, err
		}
		st.Records++
	}
}

// readLine returns the next line without its '\n'. At the end of the stream
// it returns the unterminated remainder (if any) with the error.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil {
		return line, err
	}
	return line[:len(line)-1], nil
}

// Scan reads every segment under the warehouse root in write order.
func Scan(root string, fn func(*Record) error) (SegmentStats, error) {
	var total SegmentStats
	paths, err := Segments(root)
	if err != nil {
		return total, err
	}
	for _, p := range paths {
		st, err := ReadSegment(p, fn)
		total.Records += st.Records
		total.TornBytes += st.TornBytes
		total.Torn = total.Torn || st.Torn
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Repair rewrites every segment left open by a crashed writer into a sealed
// segment holding its complete records, and removes the open file. It
// returns how many segments it repaired. Callers hold the run lock.
func Repair(root string) (int, error) {
	paths, err := Segments(root)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range paths {
		if !strings.HasSuffix(p, openExt) {
			continue
		}
		if err := repairOne(p); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func repairOne(open string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if _, err := ReadSegment(open, func(r *Record) error { return enc.Encode(r) }); err != nil {
		return err
	}
	zenc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		return fmt.Errorf("archive: zstd: %w", err)
	}
	defer zenc.Close()
	var frame []byte
	if buf.Len() > 0 {
		frame = zenc.EncodeAll(buf.Bytes(), nil)
	}
	sealed := strings.TrimSuffix(open, openExt) + sealedExt
	err = durable.WriteFileAtomic(sealed, durable.FilePerm, func(w io.Writer) error {
		_, err := w.Write(frame)
		return err
	})
	if err != nil {
		return fmt.Errorf("archive: repair %s: %w", open, err)
	}
	if err := os.Remove(open); err != nil {
		return fmt.Errorf("archive: repair %s: %w", open, err)
	}
	return durable.SyncDir(filepath.Dir(open))
}
