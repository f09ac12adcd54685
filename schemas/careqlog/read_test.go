package careqlog

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestReadSegmentDamaged(t *testing.T) {
	p := filepath.Join(t.TempDir(), SegmentName(1)+SealedSuffix)
	os.WriteFile(p, []byte(`{"v":1,"seq":1,"received_at":"2026-11-20T10:00:00Z","endpoint":"x","method":"POST","status":1,"body_bytes":0}`+"\nnot json\n"), 0o640)
	n := 0
	err := ReadSegment(p, func(*LogRecord) error { n++; return nil })
	if !errors.Is(err, ErrSegmentDamaged) || n != 1 {
		t.Fatalf("%v after %d records", err, n)
	}
}
