package receiver

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas/careqlog"
	"carelake/schemas/loaded"
)

// Retirement policies (serve --retire): what becomes of a sealed segment
// that the warehouse has loaded and the checkpoint covers.
const (
	RetireKeep    = "keep"    // the default: segments stay where they are
	RetireArchive = "archive" // moved to RetireOptions.ArchiveDir
	RetireDelete  = "delete"  // removed
)

// RetireOptions say which sealed segments leave the log directory. A
// segment is retired only when all of these hold: the policy is archive or
// delete; the warehouse at Root records it as loaded (schemas/loaded, kind
// careqlog.LoadedKind), so the warehouse no longer needs it; the last
// checkpoint covers every record in it, so the receiver no longer needs it;
// it is not the newest sealed segment; and it was sealed at least After ago.
// A rebuild of the warehouse from nothing needs every segment: archive keeps
// them for that, delete is the operator's decision that it will not happen.
type RetireOptions struct {
	// Policy is keep (default), archive or delete.
	Policy string
	// After is how long a segment stays after it was sealed (its file's
	// modification time).
	After time.Duration
	// ArchiveDir receives archived segments (default <log dir>/archive); it
	// must be on the log's file system (segments are renamed into it).
	ArchiveDir string
	// Root is the warehouse whose loaded record is consulted.
	Root string
}

// Retire applies the retirement policy once (serve runs it after every
// checkpoint) and returns how many segments it retired.
func (s *Server) Retire() (int, error) {
	o := s.opts.Retire
	if o.Policy == "" || o.Policy == RetireKeep {
		return 0, nil
	}
	covered := s.checkpointed.Load()
	done, err := loaded.Inputs(o.Root, careqlog.LoadedKind)
	if err != nil {
		return 0, fmt.Errorf("careq retire: %w", err)
	}
	paths, err := careqlog.SealedSegments(s.opts.LogDir)
	if err != nil {
		return 0, err
	}
	archive := o.ArchiveDir
	if archive == "" {
		archive = filepath.Join(s.opts.LogDir, "archive")
	}
	n := 0
	for i := 0; i+1 < len(paths); i++ {
		next, err := careqlog.SegmentFirst(paths[i+1])
		if err != nil {
			return n, err
		}
		if next-1 > covered {
			break
		}
		name := filepath.Base(paths[i])
		fi, err := os.Stat(paths[i])
		if err != nil {
			return n, fmt.Errorf("careq retire: %w", err)
		}
		if !done[name] || time.Since(fi.ModTime()) < o.After { // file times are wall-clock times
			continue
		}
		switch o.Policy {
		case RetireArchive:
			if err := os.MkdirAll(archive, 0o750); err != nil {
				return n, fmt.Errorf("careq retire: %w", err)
			}
			if err := os.Rename(paths[i], filepath.Join(archive, name)); err != nil {
				return n, fmt.Errorf("careq retire: %w", err)
			}
			if err := durable.SyncDir(archive); err != nil {
				return n, err
			}
		case RetireDelete:
			if err := os.Remove(paths[i]); err != nil {
				return n, fmt.Errorf("careq retire: %w", err)
			}
		default:
			return n, fmt.Errorf("careq retire: policy %q: use keep, archive or delete", o.Policy)
		}
		n++
	}
	if n > 0 {
		if err := durable.SyncDir(s.opts.LogDir); err != nil {
			return n, err
		}
	}
	return n, nil
}

// checkpointAndRetire writes a checkpoint and then applies the retirement
// policy; failures are logged (the receiver goes on: the next start reads
// more of the log).
func (s *Server) checkpointAndRetire() {
	if _, err := s.Checkpoint(); err != nil {
		s.logger.Error("careq: checkpoint failed: the next start reads more of the log", "err", err)
		return
	}
	n, err := s.Retire()
	if err != nil {
		s.logger.Error("careq: retiring loaded segments failed", "err", err)
	}
	if n > 0 {
		s.logger.Info("careq: retired loaded segments", "policy", s.opts.Retire.Policy, "segments", n)
	}
}
