package normalise

import "errors"

var (
	// ErrNoBodies means the archive holds no location or provider detail body
	// to normalise.
	ErrNoBodies = errors.New("the raw CQC archive holds no good location or provider body: run 'carelake extract' first")
	// ErrSnapshotDate means the snapshot date is not a YYYY-MM-DD date.
	ErrSnapshotDate = errors.New("snapshot date must be YYYY-MM-DD")
)
