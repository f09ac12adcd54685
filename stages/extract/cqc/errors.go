package cqc

import "errors"

var (
	// ErrUnauthorized means CQC answered 401: the subscription key is missing,
	// wrong or revoked. The run stops at once; nothing is retried.
	ErrUnauthorized = errors.New("CQC refused the subscription key (401): check CQC_API_KEY (or --cqc-api-key); keys come from https://api-portal.service.cqc.org.uk")

	// ErrNoWatermark means --mode changes was asked for before any backfill
	// began in this scope, so there is no point to read changes from.
	ErrNoWatermark = errors.New("no changes watermark yet in this scope: run a backfill first (--mode auto or --mode backfill)")

	// ErrUnreachable means a run made calls and none got an HTTP answer
	// (DNS, network, nothing listening at --cqc-base-url): nothing moved; the
	// next run retries. A run whose first calls are all refused stops after
	// a few seconds with it.
	ErrUnreachable = errors.New("no call to CQC was answered: check --cqc-base-url, the network and https://www.cqc.org.uk for outages; the next run retries")

	// ErrRefused means a run made calls, the API answered them and none of
	// the answers was of use (every call 404 because --cqc-base-url lacks
	// /public/v1, every call throttled, a 5xx outage). The error's text says
	// what the API answered and what to check; nothing moved.
	ErrRefused = errors.New("the CQC API answered no call usefully")

	// ErrOptions wraps every problem with Options found before any I/O.
	ErrOptions = errors.New("invalid extract options")

	// errBudgetSpent is returned by the rate budget once the run's call
	// budget (--budget N) is used up: the item stays for the next run.
	errBudgetSpent = errors.New("call budget spent")
)
