package loaded

import (
	"testing"
)

func TestInputs(t *testing.T) {
	root := t.TempDir()
	if got, err := Inputs(root, "careq-segments"); err != nil || len(got) != 0 {
		t.Fatalf("fresh: %v %v", got, err)
	}
	if err := Mark(root, "careq-segments", []string{"b", "a"}); err != nil {
		t.Fatal(err)
	}
	if err := Mark(root, "careq-segments", []string{"c", "a"}); err != nil {
		t.Fatal(err)
	}
	got, err := Inputs(root, "careq-segments")
	if err != nil || len(got) != 3 || !got["a"] || !got["c"] {
		t.Fatalf("got %v %v", got, err)
	}
	if other, _ := Inputs(root, "other"); len(other) != 0 {
		t.Fatalf("kinds leak into each other: %v", other)
	}
}
