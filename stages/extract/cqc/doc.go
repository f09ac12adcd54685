// Package cqc is the CQC extract stage: it pulls the CQC Syndication API into
// the raw archive (package archive, <out>/raw/cqc) within a budget of calls
// per minute, never spends a call twice and survives being stopped at any
// point. Extract is its Go API; `carelake extract` its command.
//
// # The budget
//
// One budget is shared by every worker of a run: at most RateLimit calls in
// any sliding RateWindow, retries included (a log of the last RateLimit calls,
// not a token bucket). Concurrency workers (a sourcegraph/conc pool) keep the
// budget full while answers are slow. A 429, real or "soft" (HTTP 200 with
// {"statusCode":429,...}), pauses every worker for the Retry-After or the
// "Try again in N seconds" the server gave. 5xx, 403 gateway pages,
// transport failures and truncated or invalid bodies are retried with
// jittered exponential backoff; after MaxAttempts tries the item is recorded
// as failed and retried first by the next run. 401 stops the run at once
// (ErrUnauthorized). 404 on a detail marks the ID gone. A 400 on an ID with
// lower-case letters is retried upper-cased. A run whose first calls are all
// refused (nothing listens at --cqc-base-url) stops after a few seconds
// (ErrUnreachable); one whose every call is answered uselessly (404s, 429s,
// 5xx) fails with an ErrRefused saying what the API answered.
//
// The server counts calls whatever process made them, so a run starts with
// the calls of earlier runs still inside the window: it reads them from the
// newest archive segments (wall_at, by the wall clock: an answered call
// counts until a window after its answer, one without an answer a margin
// longer), and if the last run was killed (a segment left open) it also
// counts Concurrency calls at start, for the calls that run had in flight
// and never archived. A rerun right after Ctrl-C or kill -9 therefore waits
// rather than breaching the budget.
//
// # The archive is the checkpoint
//
// Every answer, good or bad, is appended (and fsynced) to the archive before
// it is acted on: URL relative to the base (never the key), status, the
// headers that matter, fetch time (by the data clock, and wall_at by the
// wall clock), duration, attempt and body. A good answer
// is status 200 with no Error; a 200 that is not a good body (a soft 429, a
// cut or invalid body, a body for another ID) carries the reason in Error,
// so readers need only "status 200 and Error empty" (normalise reads "the
// latest good body of each ID"). The one rule, archive.Head.Good, by which
// extract counts an ID as archived and normalise picks its body, also
// refuses a 200 whose body is the gateway's error envelope: archives written
// before extract named the soft 429 in Error hold it so. In DuckDB, for
// locations (the test in
// internal/testkit/duckdbcheck runs this query):
//
//	SELECT id, body
//	FROM read_json('warehouse/raw/cqc/*/*.jsonl.zst', format='newline_delimited', ignore_errors=true,
//	     columns={seq:'BIGINT', session:'VARCHAR', fetched_at:'TIMESTAMPTZ', endpoint:'VARCHAR',
//	              id:'VARCHAR', status:'INTEGER', error:'VARCHAR', body:'JSON'})
//	WHERE endpoint = 'location' AND status = 200 AND error IS NULL
//	QUALIFY row_number() OVER (PARTITION BY id ORDER BY fetched_at DESC, session DESC, seq DESC) = 1;
//
// A run rebuilds what is archived from the
// archive itself (each sealed segment once; later from its summary under
// <out>/state/cqc-extract-segments/), so a kill -9 loses only the calls in
// flight.
//
// # Modes
//
//   - backfill: walk the list pages (perPage 1000), fetch every detail not
//     archived since the backfill began. The list walk is checkpointed after
//     every page; pages archived since the backfill began are not fetched
//     again. A complete backfill asked for again starts afresh (a refresh).
//   - changes: read /changes/{location,provider} from the watermark to now
//     (start inclusive, end exclusive) and fetch every changed item in scope
//     not archived after its window. The watermark moves only over windows
//     whose every item is archived or recorded gone; windows that are not
//     stay apart (PendingEnds) so the next run fetches only what is missing.
//     An optional look-back re-reads the feed before the watermark, cut at
//     the ends of recent windows, and fetches only what those runs missed.
//   - auto (default): backfill until complete, then changes; the first
//     changes window starts where the backfill began.
//
// Every run, whatever its mode and scope, also fetches the IDs resolve lists
// in <out>/state/cqc-wanted.json unless archived, and retries the items that
// failed last time.
//
// # Scopes
//
//   - all: /locations and /providers, every item.
//   - all with filters (region, localAuthority, careHome,
//     inspectionDirectorate; several values of one filter mean any): the
//     locations the /locations list returns for them, plus the providers of
//     those locations (read from their bodies). Changes runs check the
//     changed locations' bodies, or re-read the filtered list when that
//     costs fewer calls, to know which are in scope; a member found outside
//     the filters leaves the scope and is listed in
//     state/cqc-left-scope.json (schemas/leftscope) for normalise.
//   - clinics: the locations of a clinic mapping file, the closure of their
//     predecessor and successor chains (relationships, and organisationId of
//     inherited ratings; cycle-safe) and the providers of all of them. An item
//     reached as a predecessor is fetched once, ever, unless the changes feed
//     names it; the others are kept as fresh as the scope's backfill.
//
// # State
//
// <out>/state/cqc-extract.json (type State) holds, per scope: the backfill's
// start (data time), completion and list walk progress; per kind the changes
// watermark, pending window ends, recent window ends and failed items. It is
// written atomically after every list page and at the end of each phase.
//
// # Clock
//
// Options.Now is the data clock: it stamps records, starts backfills and
// ends changes windows. The budget always runs on the wall clock.
//
// Run holds no global state; the caller holds the warehouse run lock.
package cqc
