package receiver

import (
	"testing"
	"time"

	"carelake/internal/testkit"
	"carelake/schemas/careqlog"
)

// 200 calls pass at once, the 201st is 429; a token comes back every 0.6 s;
// clinics do not share a bucket; the headers say so exactly.
func TestRateLimit(t *testing.T) {
	e := newEnv(t)
	n := 0
	call := func(clinic string) answer {
		n++
		body := testkit.SetJSON(t, specBody(t, "service"), "careq_id", 100000+n, "clinic_id", clinic)
		return e.send(clinic, "service", body)
	}
	headers := func(a answer, remaining, reset string) {
		t.Helper()
		if a.Header.Get("X-RateLimit-Limit") != "100" || a.Header.Get("X-RateLimit-Remaining") != remaining ||
			a.Header.Get("X-RateLimit-Reset") != reset {
			t.Fatalf("headers limit %q remaining %q reset %q, want 100 %s %s", a.Header.Get("X-RateLimit-Limit"),
				a.Header.Get("X-RateLimit-Remaining"), a.Header.Get("X-RateLimit-Reset"), remaining, reset)
		}
	}
	headers(call("clinic_abc").want(t, 201, ""), "199", "1")
	for i := 2; i <= 200; i++ {
		a := call("clinic_abc")
		if a.Status != 201 {
			t.Fatalf("call %d: %d %s", i, a.Status, a.Raw)
		}
		if i == 200 {
			headers(a, "0", "120")
		}
	}
	a := call("clinic_abc").want(t, 429, careqlog.CodeRateLimitExceeded)
	headers(a, "0", "120")
	if a.Header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q, want 1 (a token every 0.6 s)", a.Header.Get("Retry-After"))
	}
	// Another clinic is not affected.
	headers(call("clinic_hillview").want(t, 201, ""), "199", "1")

	e.clock.Advance(599 * time.Millisecond)
	call("clinic_abc").want(t, 429, careqlog.CodeRateLimitExceeded)
	e.clock.Advance(time.Millisecond)
	headers(call("clinic_abc").want(t, 201, ""), "0", "120")
	call("clinic_abc").want(t, 429, careqlog.CodeRateLimitExceeded)

	// A minute refills 100 calls, never more than the burst.
	e.clock.Advance(time.Minute)
	headers(call("clinic_abc").want(t, 201, ""), "99", "61")
	e.clock.Advance(time.Hour)
	headers(call("clinic_abc").want(t, 201, ""), "199", "1")

	// Refused calls are logged (and consume no token).
	limited := 0
	for _, r := range e.records() {
		if r.Status == 429 {
			limited++
		}
	}
	if limited != 3 {
		t.Fatalf("%d 429 records in the log, want 3", limited)
	}
}

// Headers are on every answer once the clinic is known (also errors), not
// before.
func TestRateLimitHeadersOnErrors(t *testing.T) {
	e := newEnv(t)
	a := e.send("clinic_abc", "patient", `{`).want(t, 400, careqlog.CodeInvalidRequest)
	if a.Header.Get("X-RateLimit-Remaining") != "199" {
		t.Fatalf("400: remaining %q", a.Header.Get("X-RateLimit-Remaining"))
	}
	c := e.client("clinic_abc")
	c.Secret = "wrong-secret-for-clinic-abc-0"
	req, _ := c.Request(t.Context(), "patient", []byte(`{}`))
	a = e.do(req).want(t, 401, careqlog.CodeAuthenticationFailed)
	if a.Header.Get("X-RateLimit-Remaining") != "199" {
		t.Fatalf("401 after the token: remaining %q (a refused signature spends no token)", a.Header.Get("X-RateLimit-Remaining"))
	}
}

func TestDeltaSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0", 600 * time.Millisecond: "1", time.Second: "1",
		1500 * time.Millisecond: "2", 90 * time.Second: "90", 120 * time.Second: "120"} {
		if got := deltaSeconds(d); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
}

func TestLimiterExactRefill(t *testing.T) {
	l := newLimiter(100, 200)
	now := time.Unix(0, 0)
	for i := 0; i < 200; i++ {
		if ok, _ := l.take("c", now); !ok {
			t.Fatalf("call %d refused", i)
		}
	}
	for i := 0; i < 1000; i++ { // 1000 tokens over 600 s, exactly
		now = now.Add(600 * time.Millisecond)
		ok, info := l.take("c", now)
		if !ok || info.remaining != 0 {
			t.Fatalf("step %d: %v %+v", i, ok, info)
		}
		if ok, info := l.take("c", now); ok || info.retryAfter != 600*time.Millisecond {
			t.Fatalf("step %d: second call passed or wrong retry %v", i, info.retryAfter)
		}
	}
}
