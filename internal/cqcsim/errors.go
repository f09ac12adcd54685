package cqcsim

import "errors"

var (
	// ErrConfig means a Config (or a CLI flag behind it) cannot work as given.
	ErrConfig = errors.New("cqcsim: invalid configuration")
	// ErrFixture means a fixture file is not a usable detail body.
	ErrFixture = errors.New("cqcsim: invalid fixture")
)
