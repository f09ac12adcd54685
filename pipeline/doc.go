// Package pipeline is carelake's engine: the step contract, the runner that
// records every run (state/runs.jsonl, the pipeline_runs view) and the
// warehouse's run lock. It never imports the stages; the files they write
// durably go through package durable.
//
// The flow of `carelake run`, under the run lock:
//
//	extract  (CQC API -> raw/cqc archive; CareQ's receiver fills raw/careq on its own)
//	normalise (latest good raw bodies -> typed Arrow tables + rejects)
//	resolve  (lineage, inherited ratings, clinic -> current location)
//	load     (Arrow -> hive-partitioned Parquet, atomic per partition)
//	marts    (the contract views' answers as Parquet, swapped in together)
//	catalog  (carelake.duckdb of views, built aside and renamed over the old one)
//
// Each stage also runs alone on the durable output of the one before, so a
// failed run resumes from the last stage that completed.
//
// Durability rules every stage follows: a file others read appears only by
// rename of a fully written, fsynced temporary file, followed by an fsync of
// its directory (durable.WriteFileAtomic, durable.ReplaceDir); state moves
// forward only after the data it describes is durable.
package pipeline
