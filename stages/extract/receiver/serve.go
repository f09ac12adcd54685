package receiver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Options configure Run: the server's options plus how it listens.
type Options struct {
	ServerOptions
	// Addr is HOST:PORT to listen on.
	Addr string
	// TLSCertFile and TLSKeyFile, both set, serve HTTPS.
	TLSCertFile, TLSKeyFile string
	// DrainDelay is how long, after the first signal, health answers
	// "draining" and new calls get 503 before the listener closes, so a load
	// balancer notices (default 0: close at once).
	DrainDelay time.Duration
	// ShutdownTimeout bounds the wait for in-flight calls (default 30 s,
	// CareQ's own request timeout).
	ShutdownTimeout time.Duration
	// OnListen, if set, is told the address once the listener is open.
	OnListen func(net.Addr)
	// MetricsAddr is HOST:PORT of the /metrics listener ("" : no metrics).
	// The metrics name clinics: keep it on loopback or an operations
	// network, never on the API's address.
	MetricsAddr string
	// OnMetricsListen, if set, is told the metrics address once it is open.
	OnMetricsListen func(net.Addr)
	// CheckpointEvery is how often the state is checkpointed (default 10
	// minutes; also at graceful shutdown), so a start reads the checkpoint
	// and at most this much log after it.
	CheckpointEvery time.Duration
}

// DefaultCheckpointEvery is the default checkpoint cadence.
const DefaultCheckpointEvery = 10 * time.Minute

func (o Options) withDefaults() Options {
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 30 * time.Second
	}
	if o.CheckpointEvery <= 0 {
		o.CheckpointEvery = DefaultCheckpointEvery
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Summary tells what one Run logged: calls (records) and bytes appended to
// the log, and segments sealed.
type Summary struct {
	Records, Bytes, Sealed uint64
}

// HTTP server timeouts: CareQ waits 30 s for an answer.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 35 * time.Second
	idleTimeout       = 120 * time.Second
)

// Run serves the receiver until ctx is cancelled, then shuts down
// gracefully: health answers "draining" and new calls 503 for DrainDelay,
// the listener closes, in-flight calls finish (up to ShutdownTimeout) and the
// open log segment is sealed. The caller holds the lock of the log
// directory (carelake serve takes it), so two receivers never write one log.
// A failed log write does not end Run: every call is answered 503 until the
// operator restarts it.
func Run(ctx context.Context, o Options) (Summary, error) {
	var sum Summary
	o = o.withDefaults()
	if (o.TLSCertFile == "") != (o.TLSKeyFile == "") {
		return sum, errors.New("careq: give both a TLS certificate and its key, or neither")
	}
	var tlsConfig *tls.Config
	if o.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCertFile, o.TLSKeyFile)
		if err != nil {
			return sum, fmt.Errorf("careq: TLS certificate: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	s, err := New(o.ServerOptions)
	if err != nil {
		return sum, err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		s.Close()
		return sum, fmt.Errorf("careq: listen on %s: %w", o.Addr, err)
	}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelDebug),
	}
	if o.MetricsAddr != "" {
		mln, err := net.Listen("tcp", o.MetricsAddr)
		if err != nil {
			ln.Close()
			s.Close()
			return sum, fmt.Errorf("careq: metrics: listen on %s: %w", o.MetricsAddr, err)
		}
		if ip := net.ParseIP(source(mln.Addr().String())); ip == nil || !ip.IsLoopback() {
			o.Logger.Warn("careq: /metrics listens beyond loopback: it names clinics, keep that address private", "metrics_addr", mln.Addr().String())
		}
		if o.OnMetricsListen != nil {
			o.OnMetricsListen(mln.Addr())
		}
		metricsSrv := &http.Server{Handler: s.MetricsHandler(), ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout: readTimeout, WriteTimeout: writeTimeout, IdleTimeout: idleTimeout}
		go func() { _ = metricsSrv.Serve(mln) }()
		defer metricsSrv.Close()
	}
	if o.OnListen != nil {
		o.OnListen(ln.Addr())
	}
	o.Logger.Info("careq: serving", "addr", ln.Addr().String(), "tls", tlsConfig != nil, "metrics_addr", o.MetricsAddr,
		"clinics", len(o.Config.Clinics), "log_dir", o.LogDir, "keep_free_text", o.KeepFreeText)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stopCheckpoints := make(chan struct{})
	checkpointsDone := make(chan struct{})
	go func() {
		defer close(checkpointsDone)
		tick := time.NewTicker(o.CheckpointEvery)
		defer tick.Stop()
		for {
			select {
			case <-stopCheckpoints:
				return
			case <-tick.C:
				s.checkpointAndRetire()
			}
		}
	}()

	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
		o.Logger.Info("careq: draining", "delay", o.DrainDelay, "shutdown_timeout", o.ShutdownTimeout)
		s.Drain()
		time.Sleep(o.DrainDelay)
		sctx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
		if err := srv.Shutdown(sctx); err != nil {
			o.Logger.Warn("careq: in-flight calls did not finish in time", "err", err)
			_ = srv.Close()
		}
		cancel()
		serveErr = <-served
	}
	close(stopCheckpoints)
	<-checkpointsDone
	s.checkpointAndRetire()
	closeErr := s.Close()
	st := s.log.Stats()
	sum = Summary{Records: st.Records, Bytes: st.Bytes, Sealed: st.Sealed}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return sum, fmt.Errorf("careq: serve: %w", serveErr)
	}
	if closeErr != nil {
		return sum, fmt.Errorf("careq: seal the log: %w", closeErr)
	}
	o.Logger.Info("careq: stopped; log sealed", "log_dir", o.LogDir, "records", sum.Records, "bytes", sum.Bytes)
	return sum, nil
}
