package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/urfave/cli/v2"
)

// version and commit are set at build time (the Makefile does):
// go build -ldflags "-X main.version=v1.2.3 -X main.commit=$(git rev-parse --short HEAD)".
// Every Parquet file names both in its created_by.
var (
	version = "dev"
	commit  = "unknown"
)

// Exit statuses besides 0 (done) and 1 (failed), as the app's help lists them.
const (
	// exitUsage: the command line cannot run as given.
	exitUsage = 2
	// exitInterrupted: stopped by SIGINT or SIGTERM (main exits with it at
	// once on a second signal).
	exitInterrupted = 130
)

// Defaults of the global flags (the demo has its own).
const (
	defaultOut      = "./warehouse"
	defaultLogLevel = "info"
)

// runApp runs the carelake command line in-process and returns the exit status.
func runApp(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, queryArgs(args))
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

// queryArgs keeps an SQL query that starts with a "--" comment, or that
// spans lines, from being parsed as a flag (it never is a valid one): with a
// space in front, the parser takes it for the argument it is.
func queryArgs(args []string) []string {
	out := slices.Clone(args)
	for i := 1; i < len(out); i++ { // out[0] is the program
		a := out[i]
		comment := len(a) > 2 && strings.HasPrefix(a, "--") && unicode.IsSpace(rune(a[2]))
		if comment || strings.HasPrefix(a, "-") && strings.Contains(a, "\n") {
			out[i] = " " + a
		}
	}
	return out
}

// usageError marks an error in the command line itself (exit status 2).
func usageError(format string, args ...any) error {
	return cli.Exit(fmt.Sprintf(format, args...), exitUsage)
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "carelake",
		Usage:   "CQC register and CareQ clinic bookings as partitioned Parquet and a DuckDB catalog",
		Version: version + " (build " + commit + ")",
		Description: `carelake extracts the CQC register (within a budget of API calls per minute) and
receives CareQ's signed sync calls, then normalises, resolves and loads both as
hive-partitioned Parquet under --out with a DuckDB catalog of views (carelake.duckdb).

Start with 'carelake demo' (no API key needed). Nightly: 'carelake run'.
'carelake help COMMAND' or 'carelake COMMAND --help' explains a command.
Every flag can also be set with an environment variable CARELAKE_<FLAG_NAME>,
e.g. --rate-limit as CARELAKE_RATE_LIMIT; the flags two commands use for
different things are CARELAKE_<COMMAND>_<FLAG_NAME>: CARELAKE_SQL_FORMAT,
CARELAKE_STATUS_FORMAT, CARELAKE_SERVE_ADDR, CARELAKE_CQC_SIM_ADDR.

Exit status:
  0    done
  1    failed: the message says why and what to do
  2    the command line cannot run as given (a flag, an argument, a command)
  130  interrupted (Ctrl-C or SIGTERM): what was done is kept; run the same
       command again to continue (a second signal exits at once)`,
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags:           globalFlags(defaultOut, defaultLogLevel),
		Commands:        commands(),
		HideHelpCommand: true,
		Action:          runNoCommand,
		ExitErrHandler:  func(*cli.Context, error) {}, // runApp prints and maps errors
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError("%v (see --help)", err)
		},
	}
	for _, cmd := range app.Commands {
		if !slices.ContainsFunc(cmd.Flags, func(f cli.Flag) bool { return f.Names()[0] == "out" }) {
			cmd.Flags = append(cmd.Flags, globalFlags(defaultOut, defaultLogLevel)...) // the demo has its own
		}
		if cmd.OnUsageError == nil {
			cmd.OnUsageError = app.OnUsageError
		}
		cmd.Action = checked(cmd)
	}
	return app
}

// runNoCommand runs when no command matched: 'carelake' alone and
// 'carelake help [COMMAND]' show help; any other word is an unknown command.
func runNoCommand(c *cli.Context) error {
	name := c.Args().First()
	if name == "help" {
		name = c.Args().Get(1)
		if c.App.Command(name) != nil {
			return cli.ShowCommandHelp(c, name)
		}
	}
	if name == "" {
		return cli.ShowAppHelp(c)
	}
	return usageError("unknown command %q%s; see carelake --help", name, didYouMean(c.App.Commands, name))
}

// didYouMean suggests the command a mistyped name is closest to, if it is
// at most two edits away.
func didYouMean(cmds []*cli.Command, name string) string {
	best, dist := "", 3
	for _, cmd := range cmds {
		if d := editDistance(name, cmd.Name); d < dist {
			best, dist = cmd.Name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// checked wraps a command's action with what every command does alike,
// before any I/O: stray arguments are refused (unless the command takes
// arguments: it has an ArgsUsage), so are bad --log-* settings (even where
// the command logs nothing), and a refused flag value that came from the
// environment is said to.
func checked(cmd *cli.Command) cli.ActionFunc {
	action := cmd.Action
	return func(c *cli.Context) error {
		if cmd.ArgsUsage == "" && c.NArg() > 0 {
			return usageError("%s takes no arguments, got %q", cmd.Name, strings.Join(c.Args().Slice(), " "))
		}
		if _, err := newLogger(c); err != nil {
			return nameEnvVars(c, err)
		}
		return nameEnvVars(c, action(c))
	}
}

// nameEnvVars adds to a usage error the environment variables that set the
// flags it names, since whoever reads it may not know they are set. Values
// are not repeated: a variable may hold a key.
func nameEnvVars(c *cli.Context, err error) error {
	var coder cli.ExitCoder
	if !errors.As(err, &coder) || coder.ExitCode() != exitUsage {
		return err
	}
	msg := err.Error()
	var from []string
	for _, f := range c.Command.Flags {
		name := f.Names()[0]
		named := regexp.MustCompile(`--` + regexp.QuoteMeta(name) + `([^a-z0-9-]|$)`).MatchString(msg)
		if _, env := flagSetting(c, name); env != "" && named {
			from = append(from, fmt.Sprintf("--%s is set by %s", name, env))
		}
	}
	if len(from) == 0 {
		return err
	}
	return usageError("%s (%s)", msg, strings.Join(from, "; "))
}

// commands lists every carelake command, one file each.
func commands() []*cli.Command {
	return []*cli.Command{
		runCommand(),
		extractCommand(),
		normaliseCommand(),
		resolveCommand(),
		loadCommand(),
		martsCommand(),
		serveCommand(),
		sqlCommand(),
		statusCommand(),
		demoCommand(),
		cqcSimCommand(),
	}
}

// Global flags are accepted both before and after the command name
// (carelake --out X run, carelake run --out X); the innermost setting wins.
// out and logLevel are the defaults of --out and --log-level.
func globalFlags(out, logLevel string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{
			Name: "out", Value: out, EnvVars: envVars("out"),
			Usage: "warehouse root: Parquet, raw archives, state and carelake.duckdb live here",
		},
		&cli.StringFlag{
			Name: "log-format", Value: "text", EnvVars: envVars("log-format"),
			Usage: "log format on stderr: text or json",
		},
		&cli.StringFlag{
			Name: "log-level", Value: logLevel, EnvVars: envVars("log-level"),
			Usage: "log level: debug, info, warn or error",
		},
	}
}

// envVars names the environment variable that sets a flag: CARELAKE_ then the
// name upper-cased with dashes as underscores; extra names come after. The
// name is the flag's, or "command-flag" for a flag that two commands use for
// different things (sql's and status's --format), so that one variable
// never means two things.
func envVars(name string, extra ...string) []string {
	env := "CARELAKE_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	return append([]string{env}, extra...)
}

// globalString returns a global flag's value: from the innermost command
// line that gives it, else from the environment, else the default.
func globalString(c *cli.Context, name string) string {
	x, _ := flagSetting(c, name)
	return x.String(name)
}

// flagSetting finds where flag name takes its value: the innermost context
// with the flag on its command line, else the environment (env names the
// variable), else the default (both read through c).
func flagSetting(c *cli.Context, name string) (from *cli.Context, env string) {
	for _, x := range c.Lineage() {
		if x.IsSet(name) && envSetting(x, name) == "" {
			return x, ""
		}
	}
	return c, envSetting(c, name)
}

// envSetting names the environment variable that gave flag name its value
// in c, or returns "". urfave/cli applies the environment as the flag's
// default, so a value still equal to it was not given on the command line.
func envSetting(c *cli.Context, name string) string {
	if c.Command == nil {
		return ""
	}
	for _, f := range c.Command.Flags {
		df, ok := f.(cli.DocGenerationFlag)
		if !ok || !slices.Contains(f.Names(), name) || !f.IsSet() || c.String(name) != df.GetValue() {
			continue
		}
		for _, env := range df.GetEnvVars() {
			if _, set := os.LookupEnv(env); set {
				return env
			}
		}
	}
	return ""
}

// outDir is the warehouse root given by --out.
func outDir(c *cli.Context) string { return globalString(c, "out") }

// existingWarehouse is --out for a command that reads a warehouse: it must
// be there already. Only the commands that bring data in (extract, run,
// serve, demo, cqc-sim --write-archive) create one.
func existingWarehouse(c *cli.Context) (string, error) {
	root := outDir(c)
	if info, err := os.Stat(root); err != nil || !info.IsDir() {
		return "", fmt.Errorf("no warehouse at %s: run 'carelake extract --out %s' (or 'carelake run') first, or give the right --out", root, root)
	}
	return root, nil
}

// newLogger builds the process logger from --log-format and --log-level.
func newLogger(c *cli.Context) (*slog.Logger, error) {
	var level slog.Level
	if name := globalString(c, "log-level"); level.UnmarshalText([]byte(name)) != nil {
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
