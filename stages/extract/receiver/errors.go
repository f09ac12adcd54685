package receiver

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrConfig means the serve configuration is invalid; the message names the
	// clinic and field.
	ErrConfig = errors.New("careq config")
	// ErrConfigPermissions means the config file is readable or writable by
	// group or others; chmod 600 fixes it.
	ErrConfigPermissions = errors.New("careq config is readable by group or others")
	// ErrPIIKey means CARELAKE_PII_KEY is missing or shorter than 32 bytes.
	ErrPIIKey = errors.New("CARELAKE_PII_KEY must be set to a secret of at least 32 bytes")
	// ErrLogClosed is returned by Append after Close.
	ErrLogClosed = errors.New("careq log: closed")
	// ErrLogFailed wraps the first write or fsync failure of the durable log:
	// intake stops until the process is restarted.
	ErrLogFailed = errors.New("careq log: write or fsync failed, intake stopped")

	// Header problems (all answered 401 AUTHENTICATION_FAILED).
	errNoTimestamp      = errors.New("X-CareQ-Timestamp header is missing")
	errBadTimestamp     = errors.New("X-CareQ-Timestamp must be an integer Unix time in seconds")
	errStaleTimestamp   = errors.New("X-CareQ-Timestamp is more than 300 seconds away from the server's clock")
	errNoSignature      = errors.New("X-CareQ-Signature header is missing")
	errBadSignature     = errors.New("X-CareQ-Signature must be sha256=<64 hex digits>")
	errSignatureInvalid = errors.New("X-CareQ-Signature does not match the body")
)
