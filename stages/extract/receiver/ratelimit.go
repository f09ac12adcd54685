package receiver

import (
	"strconv"
	"sync"
	"time"
)

// Default rate limit per clinic (the specification's recommendation).
const (
	DefaultRatePerMinute = 100
	DefaultRateBurst     = 200
)

// limiter is a token bucket per clinic: perMinute tokens a minute, up to
// burst; a new clinic starts full. Tokens are counted in fixed point (one
// token = tokenUnit units, perMinute units a nanosecond), so refills are exact:
// at 100 a minute a token comes back every 600 ms to the nanosecond.
type limiter struct {
	perMinute int64
	burst     int64 // in units

	mu      sync.Mutex
	buckets map[string]*bucket
}

const tokenUnit = int64(time.Minute) // units per token

type bucket struct {
	units int64
	last  time.Time
}

// rateInfo is what the X-RateLimit-* headers say after a call.
type rateInfo struct {
	limit     int64
	remaining int64
	// reset is the time until the bucket is full again.
	reset time.Duration
	// retryAfter is the time until the next token, when refused.
	retryAfter time.Duration
}

func newLimiter(perMinute, burst int) *limiter {
	return &limiter{perMinute: int64(perMinute), burst: int64(burst) * tokenUnit, buckets: map[string]*bucket{}}
}

// take spends one token of a clinic's bucket if it has one.
func (l *limiter) take(clinic string, now time.Time) (bool, rateInfo) {
	return l.use(clinic, now, tokenUnit)
}

// peek reports a clinic's bucket without spending.
func (l *limiter) peek(clinic string, now time.Time) rateInfo {
	_, info := l.use(clinic, now, 0)
	return info
}

func (l *limiter) use(clinic string, now time.Time, cost int64) (bool, rateInfo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[clinic]
	if b == nil {
		b = &bucket{units: l.burst, last: now}
		l.buckets[clinic] = b
	}
	if dt := now.Sub(b.last); dt > 0 {
		full := (l.burst - b.units) / l.perMinute // ns to fill up
		if int64(dt) >= full {
			b.units = l.burst
		} else {
			b.units += int64(dt) * l.perMinute
		}
		b.last = now
	}
	ok := b.units >= cost
	if ok {
		b.units -= cost
	}
	info := rateInfo{limit: l.perMinute, remaining: b.units / tokenUnit, reset: l.timeFor(l.burst - b.units)}
	if !ok {
		info.retryAfter = l.timeFor(cost - b.units)
	}
	return ok, info
}

// timeFor is how long the bucket takes to gain units (rounded up to a ns).
func (l *limiter) timeFor(units int64) time.Duration {
	if units <= 0 {
		return 0
	}
	return time.Duration((units + l.perMinute - 1) / l.perMinute)
}

// deltaSeconds renders a duration as whole seconds, rounded up.
func deltaSeconds(d time.Duration) string {
	s := int64(d / time.Second)
	if d%time.Second != 0 {
		s++
	}
	return strconv.FormatInt(s, 10)
}
