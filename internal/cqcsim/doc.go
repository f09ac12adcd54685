// Package cqcsim is a faithful offline fake of the CQC Syndication API v1
// (https://api.service.cqc.org.uk/public/v1, see docs/architecture.md,
// "The CQC API"). The extract client, its budget tests, the demo and the
// benchmarks run against it, in-process (Sim.Handler with httptest) or as
// `carelake cqc-sim`.
//
// # Data
//
// New generates a register deterministically from Config.Seed: the same
// seed and fixtures give the same bytes. Config.Locations locations are
// listed at the default data clock (deregistered included), with about 0.4
// providers each, the real vocabularies and the hard cases in realistic
// proportions: deregistered locations, predecessor chains of depth 1 to 3
// linked both ways (HSCA Predecessor/Successor, real reasons), ratings
// inherited from a predecessor (organisationId on overall and key questions,
// or on key questions only, as seen live; the report with the matching
// linkId is in the predecessor's reports, and the inheriting location often
// has none of its own), historic ratings including "Inspected but not rated"
// focused visits, key questions rated by different reports, assessment-only
// locations (SAF block, no currentRatings), never-inspected and dental
// (unrated) locations, NHS trusts with ODS codes (RL4-style providers, some
// RL4X1-style site IDs), reportUri with a ?YYYYMMDDhhmmss suffix, non-ASCII
// names. Bodies are rendered on request from compact state; absent values
// are omitted keys, never null. Fixtures (Config.FixturesDir or
// Config.Fixtures) add hand-pinned bodies served as written.
//
// # Lists and queries
//
// /locations and /providers list organisations registered before the
// clock (deregistered included) in lexicographic ID order, with thin items
// and the real envelope (relative page URIs, null at the ends, filters
// echoed in a fixed order with spaces as +; uri is the bare path). page is
// 1-based; perPage defaults to 500 and goes up to 10000; a page past the end
// is an empty list with the envelope. Filters are the ones the real API
// takes for each endpoint (docs/architecture.md, "CQC API: calls and
// limits"); a repeated filter means OR, different filters AND, values are
// case-sensitive. Parameter names match in any case; unknown
// parameters (partnerCode, ...) are ignored; malformed values answer 400
// with a JSON message, as do IDs with lower-case letters (never 404).
//
// # Time
//
// History spans [End-Days, End). The data clock (Sim.SetClock, POST
// /_sim/clock) decides what the API shows: an event at time t is visible iff
// t < clock; detail bodies reflect exactly the visible events; lists show
// organisations registered before the clock. Events are new reports (the
// current rating moves into historicRatings), minor edits (phone, website,
// registered manager absence), registrations, re-registrations (the old
// location deregistered with an HSCA Successor link, the new one with an
// HSCA Predecessor link and inherited ratings; both in the feed) and
// deregistrations, at the real pace (about 125 location and 54 provider
// changes a day per 120,000 locations); about 1.3% of changed IDs answer
// 404 (Sim.GoneIDs). /changes/{location|provider} returns the IDs with an
// event in [startTimestamp, min(endTimestamp, clock)), sorted and
// deduplicated, paged with the list envelope; the feed is empty outside
// history.
//
// # Enforcement and faults, in the real stack's order
//
//  1. Application Gateway: Faults.Gateway403 answers its 403 HTML page; a
//     request without User-Agent gets the same 403.
//  2. API Management: a revoked key (Faults), a missing or unknown
//     Ocp-Apim-Subscription-Key (header, or subscription-key query
//     parameter) answer 401 in APIM's JSON shape and count against no key.
//  3. Rate limit: a strict sliding window per key over admitted calls only:
//     a call is admitted iff fewer than RateLimit calls were admitted in
//     (now-RateWindow, now]. A refused call (or a Faults.Throttle storm) is
//     answered per Config.Throttle: 429 with Retry-After (whole seconds until
//     a slot frees, at least 1), 429 without it, or HTTP 200 with
//     {"statusCode":429,"message":"Rate limit is exceeded. Try again in N seconds."}.
//  4. Backend: Faults.Status5xx answers 500/503 (JSON) or 502/504 (gateway
//     HTML) to admitted calls; Faults.Truncate cuts 200 JSON bodies
//     (Content-Length matches the cut body); lower-case IDs answer 400.
//
// Every response then waits Faults latency. Fault decisions hash
// (Faults.Seed, request sequence number since the last SetFaults), so a
// sequential client sees the same faults on every run. Every API request is
// recorded (Sim.Requests, GET /_sim/requests); MaxInWindow proves a client
// kept its budget.
//
// # Bulk mode
//
// Sim.WriteArchive writes every detail body straight into the raw archive,
// through the archive's own writer (schemas/archive), for the transform
// benchmark.
package cqcsim
