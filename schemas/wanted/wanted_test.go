package wanted

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestReadWrite(t *testing.T) {
	root := t.TempDir()
	if l, err := Read(root); err != nil || l.Len() != 0 {
		t.Fatalf("no file: %+v, %v", l, err)
	}
	want := List{GeneratedAt: "2026-11-21T03:00:00Z", Locations: []string{"1-1", "1-2"}, Providers: []string{"1-P"}}
	if err := Write(root, want); err != nil {
		t.Fatal(err)
	}
	if Path(root) != filepath.Join(root, "state", "cqc-wanted.json") {
		t.Errorf("path %s", Path(root))
	}
	got, err := Read(root)
	if err != nil || !reflect.DeepEqual(got, want) || got.Len() != 3 {
		t.Fatalf("read %+v, %v; want %+v", got, err, want)
	}
	if err := os.WriteFile(Path(root), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(root); err == nil {
		t.Error("a damaged file reads")
	}
}
