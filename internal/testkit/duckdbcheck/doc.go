// Package duckdbcheck proves, in its test, that DuckDB reads the raw archive
// the CQC extract writes with the query documented in package cqc
// (stages/extract/cqc: "the latest good body of each ID"). It is apart so
// that only this test links DuckDB; it has no code of its own, and as test
// support it lives outside the stage tree.
package duckdbcheck
