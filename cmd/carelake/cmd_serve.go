package main

import (
	"fmt"
	"net"
	"time"

	"github.com/urfave/cli/v2"

	"carelake/pipeline"
	"carelake/schemas/careqlog"
	"carelake/stages/extract/receiver"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "receive CareQ's signed sync calls into the durable log (raw/careq)",
		Description: `serve implements the CareQ sync API (POST /api/v1/careq-sync/patient, doctor,
service, appointment, appointment/status, appointment/cancel, batch; GET health)
and, on --metrics-addr, /metrics. Every authenticated call, accepted or
rejected, is pseudonymised and fsynced to the log in --log-dir before it is
answered; calls refused before authentication are only counted (and written to
--security-log, if set). 'carelake run' loads the sealed segments into the
warehouse. The state is checkpointed every --checkpoint-every and at shutdown,
so a start reads the checkpoint and the log after it.

The config file (--config, mode 0600) lists each clinic's bearer tokens, HMAC
signing secrets and optional X-API-Key / X-Webhook-Secret; see
data/careq/serve.example.yaml. The pseudonymisation key comes from the
environment variable CARELAKE_PII_KEY (at least 32 bytes; keep it: changing it
changes every pseudonym).

The first SIGINT/SIGTERM drains (health answers "draining", new calls 503),
waits for in-flight calls and seals the log; a second one exits at once.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", EnvVars: envVars("serve-addr"),
				Usage: "HOST:PORT to listen on (use 0.0.0.0:PORT, or a proxy, to reach it from CareQ)"},
			&cli.StringFlag{Name: "metrics-addr", EnvVars: envVars("metrics-addr"),
				Usage: "HOST:PORT for /metrics, a listener of its own (off when empty); the metrics name clinics: use loopback, like 127.0.0.1:9464"},
			&cli.StringFlag{Name: "security-log", EnvVars: envVars("security-log"),
				Usage: "file for the calls refused before authentication (bounded, rotated, not fsynced; off when empty); they never reach the durable log"},
			&cli.Int64Flag{Name: "security-log-bytes", Value: receiver.DefaultSecurityLogBytes, EnvVars: envVars("security-log-bytes"),
				Usage: "rotate the security log at this size; 3 rotated files are kept"},
			&cli.StringFlag{Name: "config", EnvVars: envVars("config"),
				Usage: "clinic tokens and secrets, YAML, readable by the owner only (chmod 600)"},
			&cli.StringFlag{Name: "log-dir", EnvVars: envVars("log-dir"), DefaultText: "<out>/raw/careq",
				Usage: "durable log directory"},
			&cli.StringFlag{Name: "tls-cert", EnvVars: envVars("tls-cert"),
				Usage: "TLS certificate (PEM) to serve HTTPS; needs --tls-key"},
			&cli.StringFlag{Name: "tls-key", EnvVars: envVars("tls-key"),
				Usage: "TLS private key (PEM) for --tls-cert"},
			&cli.BoolFlag{Name: "keep-free-text", EnvVars: envVars("keep-free-text"),
				Usage: "privacy decision: keep free text (notes, prescriptions, custom fields, referrals, cancellation reasons) in the log; it may name people or conditions"},
			&cli.Int64Flag{Name: "max-body-bytes", Value: receiver.DefaultMaxBodyBytes, EnvVars: envVars("max-body-bytes"),
				Usage: "largest request body accepted; larger ones get 413"},
			&cli.IntFlag{Name: "clinic-rate-limit", Value: receiver.DefaultRatePerMinute, EnvVars: envVars("clinic-rate-limit"),
				Usage: "calls a minute each clinic may make (token bucket refill)"},
			&cli.IntFlag{Name: "clinic-burst", Value: receiver.DefaultRateBurst, EnvVars: envVars("clinic-burst"),
				Usage: "calls a clinic may make at once (token bucket size)"},
			&cli.DurationFlag{Name: "idempotency-retention", Value: receiver.DefaultIdempotencyRetention, EnvVars: envVars("idempotency-retention"),
				Usage: "how long an answered call is replayed to a retry instead of being run again"},
			&cli.Int64Flag{Name: "segment-max-bytes", Value: receiver.DefaultMaxSegmentBytes, EnvVars: envVars("segment-max-bytes"),
				Usage: "seal a log segment once it holds this many bytes"},
			&cli.DurationFlag{Name: "segment-max-age", Value: receiver.DefaultMaxSegmentAge, EnvVars: envVars("segment-max-age"),
				Usage: "seal a non-empty log segment this long after it was opened, so the nightly load sees recent calls"},
			&cli.DurationFlag{Name: "checkpoint-every", Value: receiver.DefaultCheckpointEvery, EnvVars: envVars("checkpoint-every"),
				Usage: "checkpoint the receiver's state this often (and at shutdown): a start reads the checkpoint and the log after it"},
			&cli.StringFlag{Name: "retire", Value: receiver.RetireKeep, EnvVars: envVars("retire"),
				Usage: "what becomes of sealed segments the warehouse has loaded and the checkpoint covers: keep, archive (moved to --archive-dir) or delete (a warehouse rebuilt from nothing needs them)"},
			&cli.DurationFlag{Name: "retire-after", Value: 30 * 24 * time.Hour, EnvVars: envVars("retire-after"),
				Usage: "retire a segment only this long after it was sealed"},
			&cli.StringFlag{Name: "archive-dir", EnvVars: envVars("archive-dir"), DefaultText: "<log-dir>/archive",
				Usage: "where --retire archive moves segments (on the log's file system)"},
			&cli.DurationFlag{Name: "drain-delay", Value: 2 * time.Second, EnvVars: envVars("drain-delay"),
				Usage: "after the first signal, answer health 'draining' and new calls 503 this long before closing the listener"},
			&cli.DurationFlag{Name: "shutdown-timeout", Value: 30 * time.Second, EnvVars: envVars("shutdown-timeout"),
				Usage: "longest wait for in-flight calls at shutdown"},
		},
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	addr := c.String("addr")
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usageError("--addr %q: use HOST:PORT, like 127.0.0.1:8080", addr)
	}
	if m := c.String("metrics-addr"); m != "" {
		if _, _, err := net.SplitHostPort(m); err != nil || m == addr {
			return usageError("--metrics-addr %q: use HOST:PORT, like 127.0.0.1:9464, other than --addr", m)
		}
	}
	cfgPath := c.String("config")
	if cfgPath == "" {
		return usageError("--config is required: the clinics' tokens and secrets (see data/careq/serve.example.yaml)")
	}
	if (c.String("tls-cert") == "") != (c.String("tls-key") == "") {
		return usageError("--tls-cert and --tls-key go together: give both or neither")
	}
	for _, f := range []string{"max-body-bytes", "segment-max-bytes", "security-log-bytes"} {
		if c.Int64(f) <= 0 {
			return usageError("--%s must be positive", f)
		}
	}
	for _, f := range []string{"clinic-rate-limit", "clinic-burst"} {
		if c.Int(f) <= 0 {
			return usageError("--%s must be positive", f)
		}
	}
	switch c.String("retire") {
	case receiver.RetireKeep, receiver.RetireArchive, receiver.RetireDelete:
	default:
		return usageError("--retire %q: use keep, archive or delete", c.String("retire"))
	}
	if c.Duration("retire-after") < 0 {
		return usageError("--retire-after must not be negative")
	}
	for _, f := range []string{"idempotency-retention", "segment-max-age", "checkpoint-every"} {
		if c.Duration(f) <= 0 {
			return usageError("--%s must be positive", f)
		}
	}
	logger, err := newLogger(c)
	if err != nil {
		return err
	}
	key, err := receiver.PIIKeyFromEnv()
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	cfg, err := receiver.LoadConfig(cfgPath)
	if err != nil {
		return err
	}
	logDir := c.String("log-dir")
	if logDir == "" {
		logDir = careqlog.Dir(outDir(c))
	}
	lock, err := lockLogDir(logDir)
	if err != nil {
		return err
	}
	defer func() { _ = lock.Release() }() // closing the lock file cannot lose data
	_, err = receiver.Run(c.Context, receiver.Options{
		ServerOptions: receiver.ServerOptions{
			Config:               cfg,
			PIIKey:               key,
			LogDir:               logDir,
			KeepFreeText:         c.Bool("keep-free-text"),
			MaxBodyBytes:         c.Int64("max-body-bytes"),
			RatePerMinute:        c.Int("clinic-rate-limit"),
			RateBurst:            c.Int("clinic-burst"),
			IdempotencyRetention: c.Duration("idempotency-retention"),
			Log: receiver.LogOptions{
				MaxSegmentBytes: c.Int64("segment-max-bytes"),
				MaxSegmentAge:   c.Duration("segment-max-age"),
			},
			SecurityLog: receiver.SecurityLogOptions{Path: c.String("security-log"), MaxBytes: c.Int64("security-log-bytes")},
			Retire: receiver.RetireOptions{
				Policy: c.String("retire"), After: c.Duration("retire-after"),
				ArchiveDir: c.String("archive-dir"), Root: outDir(c),
			},
			Logger: logger,
		},
		CheckpointEvery: c.Duration("checkpoint-every"),
		MetricsAddr:     c.String("metrics-addr"),
		Addr:            addr,
		TLSCertFile:     c.String("tls-cert"),
		TLSKeyFile:      c.String("tls-key"),
		DrainDelay:      c.Duration("drain-delay"),
		ShutdownTimeout: c.Duration("shutdown-timeout"),
	})
	return err
}

// lockLogDir takes the lock of a receiver's log directory, held while the
// receiver runs, so two receivers (serve, the demo's) never write one log.
func lockLogDir(dir string) (*pipeline.Lock, error) {
	lock, err := pipeline.AcquireLock(dir, "serve")
	if err != nil {
		return nil, fmt.Errorf("careq: log directory %s: %w", dir, err)
	}
	return lock, nil
}
