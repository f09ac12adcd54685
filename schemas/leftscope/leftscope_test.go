package leftscope

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestReadWrite(t *testing.T) {
	root := t.TempDir()
	if l, err := Read(root); err != nil || len(l.Locations) != 0 {
		t.Fatalf("no file: %+v, %v", l, err)
	}
	at := time.Date(2026, 11, 21, 3, 4, 5, 123456789, time.UTC)
	want := List{GeneratedAt: "2026-11-21T03:00:00Z", Locations: map[string]time.Time{"1-1": at}}
	if err := Write(root, want); err != nil {
		t.Fatal(err)
	}
	if Path(root) != filepath.Join(root, "state", "cqc-left-scope.json") {
		t.Errorf("path %s", Path(root))
	}
	got, err := Read(root)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read %+v, %v; want %+v (the instant to the nanosecond)", got, err, want)
	}
	if err := os.WriteFile(Path(root), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(root); err == nil {
		t.Error("a damaged file reads")
	}
}
