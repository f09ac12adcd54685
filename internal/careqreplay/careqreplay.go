// Package careqreplay replays recorded CareQ calls, the sample deliveries of
// data/careq/deliveries, through a real receiver and checks every answer: the
// CareQ side of the demo and of the tests. The generator of the clinics'
// sample files is its test (TestSampleDeliveriesAreGenerated).
package careqreplay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Delivery is one recorded CareQ call, for replaying sample data through a
// real receiver (the demo, the tests). Sample deliveries live in
// data/careq/deliveries/*.json, each file a JSON array of deliveries, replayed
// in file-name order, then array order.
type Delivery struct {
	ClinicID string `json:"clinic_id"`
	// Endpoint is the path under /api/v1/careq-sync/ ("patient", "batch", ...).
	Endpoint string `json:"endpoint"`
	// Note says what the delivery shows ("retry of #12", "stale update").
	Note string `json:"note,omitempty"`
	// ExpectStatus and ExpectSyncStatus are the answer the receiver must give
	// (sync_status as answered: "synced" for a creation).
	ExpectStatus     int    `json:"expect_status"`
	ExpectSyncStatus string `json:"expect_sync_status,omitempty"`
	// Body is sent as is, after JSON compaction (so a retry is byte-identical
	// to the call it repeats).
	Body json.RawMessage `json:"body"`
	// File names the file the delivery came from.
	File string `json:"-"`
}

// LoadDeliveries reads every *.json file at the root of fsys, in name order.
func LoadDeliveries(fsys fs.FS) ([]Delivery, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("careq deliveries: %w", err)
	}
	sort.Strings(names)
	var out []Delivery
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("careq deliveries: %w", err)
		}
		var ds []Delivery
		if err := json.Unmarshal(b, &ds); err != nil {
			return nil, fmt.Errorf("careq deliveries %s: %w", name, err)
		}
		for i := range ds {
			var buf bytes.Buffer
			if err := json.Compact(&buf, ds[i].Body); err != nil {
				return nil, fmt.Errorf("careq deliveries %s #%d: body: %w", name, i+1, err)
			}
			if ds[i].ClinicID == "" || ds[i].Endpoint == "" || ds[i].ExpectStatus == 0 {
				return nil, fmt.Errorf("careq deliveries %s #%d: clinic_id, endpoint and expect_status are required", name, i+1)
			}
			ds[i].Body, ds[i].File = buf.Bytes(), path.Base(name)
		}
		out = append(out, ds...)
	}
	if len(out) == 0 {
		return nil, errors.New("careq deliveries: no *.json file")
	}
	return out, nil
}

// ReplayResult is the answer one delivery got.
type ReplayResult struct {
	Delivery *Delivery
	Status   int
	Body     []byte
}

// Sender sends one signed call as a clinic: receiver.Client does, and
// receiver.ClinicClients makes one per clinic of a serve configuration.
type Sender interface {
	Send(ctx context.Context, endpoint string, body []byte) (int, []byte, error)
}

// Replay sends deliveries in order, each through its clinic's sender in
// clients (by clinic ID), and checks every answer against the delivery's
// expectation. The error lists every mismatch.
func Replay[S Sender](ctx context.Context, clients map[string]S, ds []Delivery) ([]ReplayResult, error) {
	var (
		results  []ReplayResult
		problems []string
	)
	for i := range ds {
		d := &ds[i]
		c, ok := clients[d.ClinicID]
		if !ok {
			return results, fmt.Errorf("careq replay: %s: clinic %s is not in the configuration", d.File, d.ClinicID)
		}
		status, body, err := c.Send(ctx, d.Endpoint, d.Body)
		if err != nil {
			return results, fmt.Errorf("careq replay: %s #%d: %w", d.File, i+1, err)
		}
		results = append(results, ReplayResult{Delivery: d, Status: status, Body: body})
		if msg := d.check(status, body); msg != "" {
			problems = append(problems, fmt.Sprintf("%s %s %s: %s", d.File, d.ClinicID, d.Endpoint, msg))
		}
	}
	if len(problems) > 0 {
		return results, fmt.Errorf("careq replay: %d unexpected answers: %s", len(problems), strings.Join(problems, "; "))
	}
	return results, nil
}

// check compares an answer with the expectation.
func (d *Delivery) check(status int, body []byte) string {
	if status != d.ExpectStatus {
		return fmt.Sprintf("status %d, expected %d (%s)", status, d.ExpectStatus, truncate(string(body), 300))
	}
	if d.ExpectSyncStatus == "" {
		return ""
	}
	var ans struct {
		Data struct {
			SyncStatus string `json:"sync_status"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ans); err != nil || ans.Data.SyncStatus != d.ExpectSyncStatus {
		return fmt.Sprintf("sync_status %q, expected %q", ans.Data.SyncStatus, d.ExpectSyncStatus)
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
