package catalog

import "errors"

// ErrNoCatalog means the warehouse has no catalog yet.
var ErrNoCatalog = errors.New("no catalog")

// ErrFormat means an output format other than table, csv or json.
var ErrFormat = errors.New("unknown output format")
