// Package schemas declares, once, the shapes carelake reads and writes: the Go
// types of CQC API payloads (cqc.go) and CareQ webhook payloads, the CareQ
// field rules, and the Arrow schema of every output table. The data
// dictionary in docs/ is generated from here.
package schemas
