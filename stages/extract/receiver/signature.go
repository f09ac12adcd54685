package receiver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Header names of the CareQ security scheme.
const (
	HeaderSignature     = "X-CareQ-Signature" //nolint:gosec // a header name, not a credential
	HeaderTimestamp     = "X-CareQ-Timestamp" //nolint:gosec // a header name, not a credential
	HeaderAPIKey        = "X-API-Key"         //nolint:gosec // a header name, not a credential
	HeaderWebhookSecret = "X-Webhook-Secret"  //nolint:gosec // a header name, not a credential
)

// TimestampTolerance is how far X-CareQ-Timestamp may be from the server's
// clock, in either direction ("reject requests older than 5 minutes"; a
// timestamp from the future is refused the same way).
const TimestampTolerance = 300 * time.Second

// maxSignatures bounds the MACs one header may carry (rotation needs two).
const maxSignatures = 8

// Sign returns the X-CareQ-Signature value for a body: "sha256=" and the hex
// HMAC-SHA256 of the body (SignedBody) or of "<ts>.<body>"
// (SignedTimestampBody) under secret.
func Sign(secret, signedPayload string, ts int64, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, signedPayload, ts, body))
}

func mac(secret, signedPayload string, ts int64, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	if signedPayload == SignedTimestampBody {
		m.Write([]byte(strconv.FormatInt(ts, 10)))
		m.Write([]byte{'.'})
	}
	m.Write(body)
	return m.Sum(nil)
}

// ParseTimestamp parses X-CareQ-Timestamp: a decimal Unix time in seconds,
// ASCII digits only (no sign, no spaces, no fraction or exponent, at most 12
// digits so the arithmetic below cannot overflow).
func ParseTimestamp(v string) (int64, error) {
	if v == "" {
		return 0, errNoTimestamp
	}
	if len(v) > 12 {
		return 0, errBadTimestamp
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, errBadTimestamp
		}
	}
	ts, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errBadTimestamp
	}
	return ts, nil
}

// CheckTimestamp parses X-CareQ-Timestamp and checks it is within
// TimestampTolerance of now (inclusive: ±300 s passes, ±301 s fails).
func CheckTimestamp(v string, now time.Time) (int64, error) {
	ts, err := ParseTimestamp(v)
	if err != nil {
		return 0, err
	}
	d := now.Unix() - ts
	if d > int64(TimestampTolerance/time.Second) || -d > int64(TimestampTolerance/time.Second) {
		return ts, errStaleTimestamp
	}
	return ts, nil
}

// ParseSignatures parses X-CareQ-Signature values: one or more
// "sha256=<64 hex digits>" entries, comma-separated or in repeated headers
// (a sender rotating secrets may send one per secret). Anything else in the
// header fails the whole header.
func ParseSignatures(values []string) ([][]byte, error) {
	var out [][]byte
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			hexSig, ok := strings.CutPrefix(part, "sha256=")
			if !ok || len(hexSig) != 2*sha256.Size {
				return nil, errBadSignature
			}
			sig, err := hex.DecodeString(hexSig)
			if err != nil {
				return nil, errBadSignature
			}
			out = append(out, sig)
			if len(out) > maxSignatures {
				return nil, errBadSignature
			}
		}
	}
	if len(out) == 0 {
		return nil, errNoSignature
	}
	return out, nil
}

// VerifySignature checks the X-CareQ-Signature header values against every
// active secret of a clinic: any (signature, secret) pair that matches
// passes. MACs are compared with hmac.Equal (constant time).
func VerifySignature(values []string, secrets []string, signedPayload string, ts int64, body []byte) error {
	sigs, err := ParseSignatures(values)
	if err != nil {
		return err
	}
	ok := false
	for _, secret := range secrets {
		want := mac(secret, signedPayload, ts, body)
		for _, sig := range sigs {
			if hmac.Equal(sig, want) {
				ok = true // keep going: the time taken does not depend on which matched
			}
		}
	}
	if !ok {
		return errSignatureInvalid
	}
	return nil
}
