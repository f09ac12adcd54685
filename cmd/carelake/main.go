// Command carelake keeps an analytical copy of the CQC register and CareQ clinic
// bookings as hive-partitioned Parquet with a DuckDB catalog of views.
//
// main only wires the process (signals, exit code); the app itself is built by
// newApp and runs in-process in tests through runApp.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signalContext()
	defer stop()
	os.Exit(runApp(ctx, os.Args, os.Stdout, os.Stderr))
}

// signalContext cancels the context on the first SIGINT or SIGTERM so long work
// drains and exits cleanly; a second signal exits at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		cancel()
		<-sig
		os.Exit(exitInterrupted)
	}()
	return ctx, func() { signal.Stop(sig); cancel() }
}
