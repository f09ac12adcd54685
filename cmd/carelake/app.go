package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/urfave/cli/v2"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

// exitUsage is the exit status for a command line that cannot run as given.
const exitUsage = 2

// runApp runs the carelake command line in-process and returns the exit status.
func runApp(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, args)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "carelake: %v\n", err)
	var coder cli.ExitCoder
	if errors.As(err, &coder) {
		return coder.ExitCode()
	}
	return 1
}

// usageError marks an error in the command line itself (exit status 2).
func usageError(format string, args ...any) error {
	return cli.Exit(fmt.Sprintf(format, args...), exitUsage)
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "carelake",
		Usage:   "CQC register and CareQ clinic bookings as partitioned Parquet and a DuckDB catalog",
		Version: version,
		Description: `carelake extracts the CQC register (within a budget of API calls per minute) and
receives CareQ's signed sync calls, then normalises, resolves and loads both as
hive-partitioned Parquet under --out with a DuckDB catalog of views (carelake.duckdb).

Start with 'carelake demo' (no API key needed). Nightly: 'carelake run'.
Every flag can also be set with an environment variable CARELAKE_<FLAG_NAME>,
e.g. --rate-limit as CARELAKE_RATE_LIMIT.`,
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags:           globalFlags(),
		Commands:        commands(),
		HideHelpCommand: true,
		ExitErrHandler:  func(*cli.Context, error) {}, // runApp prints and maps errors
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError("%v (see --help)", err)
		},
	}
	for _, cmd := range app.Commands {
		cmd.Flags = append(cmd.Flags, globalFlags()...)
		if cmd.OnUsageError == nil {
			cmd.OnUsageError = app.OnUsageError
		}
	}
	return app
}

// commands lists every carelake command, one file each.
func commands() []*cli.Command {
	return []*cli.Command{
		runCommand(),
		extractCommand(),
		normaliseCommand(),
		resolveCommand(),
		loadCommand(),
		serveCommand(),
		sqlCommand(),
		statusCommand(),
		demoCommand(),
		cqcSimCommand(),
	}
}

// Global flags are accepted both before and after the command name
// (carelake --out X run, carelake run --out X); the innermost setting wins.
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{
			Name: "out", Value: "./warehouse", EnvVars: envVars("out"),
			Usage: "warehouse root: Parquet, raw archives, state and carelake.duckdb live here",
		},
		&cli.StringFlag{
			Name: "log-format", Value: "text", EnvVars: envVars("log-format"),
			Usage: "log format on stderr: text or json",
		},
		&cli.StringFlag{
			Name: "log-level", Value: "info", EnvVars: envVars("log-level"),
			Usage: "log level: debug, info, warn or error",
		},
	}
}

// envVars names the environment variable that sets a flag: CARELAKE_ then the
// flag name upper-cased with dashes as underscores; extra names come after.
func envVars(flag string, extra ...string) []string {
	name := "CARELAKE_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
	return append([]string{name}, extra...)
}

// globalString returns a global flag's value, preferring the innermost command
// that set it, then the outermost default.
func globalString(c *cli.Context, name string) string {
	for _, x := range c.Lineage() {
		if x.IsSet(name) {
			return x.String(name)
		}
	}
	return c.String(name)
}

// globalIsSet reports whether a global flag was given (before or after the
// command, or from the environment).
func globalIsSet(c *cli.Context, name string) bool {
	for _, x := range c.Lineage() {
		if x.IsSet(name) {
			return true
		}
	}
	return false
}

// outDir is the warehouse root given by --out.
func outDir(c *cli.Context) string { return globalString(c, "out") }

// newLogger builds the process logger from --log-format and --log-level.
func newLogger(c *cli.Context) (*slog.Logger, error) {
	return newLoggerAt(c, globalString(c, "log-level"))
}

// newLoggerAt is newLogger with the level given.
func newLoggerAt(c *cli.Context, name string) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(name)); err != nil {
		return nil, usageError("--log-level %q: use debug, info, warn or error", name)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f := globalString(c, "log-format"); f {
	case "text":
		return slog.New(slog.NewTextHandler(c.App.ErrWriter, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(c.App.ErrWriter, opts)), nil
	default:
		return nil, usageError("--log-format %q: use text or json", f)
	}
}
