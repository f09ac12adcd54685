package receiver

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"
)

// DefaultIdempotencyRetention is how long an answered call is replayed.
const DefaultIdempotencyRetention = 24 * time.Hour

// IdempotencyKey is the key of a call: the hex SHA-256 of the clinic ID, the
// endpoint and the raw body bytes (each length-prefixed). A CareQ retry sends
// the same body with a new timestamp and signature, so it has the same key.
func IdempotencyKey(clinicID, endpoint string, body []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(clinicID), []byte(endpoint), body} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stored is the answer replayed for a key.
type stored struct {
	status int
	body   []byte
	// partial: a batch answered with failed records. A retry is not
	// replayed: it processes the failed records again (Server.batch).
	partial bool
}

type idemEntry struct {
	done chan struct{} // closed when the first call is answered
	res  *stored       // nil: not stored (the waiters run the call themselves)
	at   time.Time
}

// idempotency is the table of answered calls. Only 2xx answers are stored:
// they are durable in the log, so they are rebuilt after a restart. Errors
// are not stored (Stripe does the same for validation errors): a retry is
// evaluated again, so an appointment refused with 404 because its patient
// had not arrived yet succeeds once it has.
type idemTable struct {
	retention time.Duration

	mu      sync.Mutex
	entries map[string]*idemEntry
	inserts int
}

func newIdemTable(retention time.Duration) *idemTable {
	return &idemTable{retention: retention, entries: map[string]*idemEntry{}}
}

// begin looks key up and, when absent, inserts an in-flight entry owned by
// the caller (atomic insert-if-absent). A call that finds an in-flight entry
// waits for its outcome. It returns the stored answer to replay (owned
// false), or owned=true when the caller must run the call and then finish
// or abandon; then res is the partial answer it takes over, if any.
func (t *idemTable) begin(ctx context.Context, key string, now time.Time) (res *stored, owned bool, err error) {
	for {
		t.mu.Lock()
		e, ok := t.entries[key]
		if ok && e.res != nil && now.Sub(e.at) > t.retention {
			delete(t.entries, key)
			ok = false
		}
		if !ok || (e.res != nil && e.res.partial) {
			var prior *stored
			if ok {
				prior = e.res
			}
			t.entries[key] = &idemEntry{done: make(chan struct{}), at: now}
			t.inserts++
			if t.inserts%4096 == 0 {
				t.pruneLocked(now)
			}
			t.mu.Unlock()
			return prior, true, nil
		}
		t.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
		if e.res != nil {
			return e.res, false, nil
		}
		// The first call's answer was not stored: run it again (loop).
	}
}

// finish stores the owner's answer and wakes the waiters.
func (t *idemTable) finish(key string, res *stored, at time.Time) {
	t.mu.Lock()
	e := t.entries[key]
	e.res, e.at = res, at
	t.mu.Unlock()
	close(e.done)
}

// abandon removes the owner's entry without an answer; waiters retry.
func (t *idemTable) abandon(key string) {
	t.mu.Lock()
	e := t.entries[key]
	delete(t.entries, key)
	t.mu.Unlock()
	close(e.done)
}

// restore puts a logged answer back (rebuild at start).
func (t *idemTable) restore(key string, res *stored, at time.Time, now time.Time) {
	if now.Sub(at) > t.retention {
		return
	}
	done := make(chan struct{})
	close(done)
	t.mu.Lock()
	t.entries[key] = &idemEntry{done: done, res: res, at: at}
	t.mu.Unlock()
}

func (t *idemTable) pruneLocked(now time.Time) {
	for k, e := range t.entries {
		if e.res != nil && now.Sub(e.at) > t.retention {
			delete(t.entries, k)
		}
	}
}

func (t *idemTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries)
}
