package durable

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// LoadJSON reads a state file into v. A missing file leaves v untouched and
// returns nil: no state yet is the normal first run.
func LoadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read state %s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("state file %s is damaged (%w): restore it from backup or delete it to start over", path, err)
	}
	return nil
}

// SaveJSON replaces a state file atomically and durably with v.
func SaveJSON(path string, v any) error {
	return WriteFileAtomic(path, FilePerm, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}
