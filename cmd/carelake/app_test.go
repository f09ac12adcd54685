package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// run executes the CLI in-process and returns its exit status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runContext(t, context.Background(), args...)
}

// runContext is run with a context, which a test cancels as Ctrl-C does.
func runContext(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runApp(ctx, append([]string{"carelake"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := run(t, "--version")
	if code != 0 || !strings.Contains(out, "carelake version "+version+" (build "+commit+")") {
		t.Fatalf("--version: %d %q", code, out)
	}
	code, out, _ = run(t, "--help")
	if code != 0 || !strings.Contains(out, "CARELAKE_") {
		t.Fatalf("--help: %d %q", code, out)
	}
	for _, cmd := range newApp(nil, nil).Commands {
		code, out, errOut := run(t, cmd.Name, "--help")
		if code != 0 || !strings.Contains(out, cmd.Name) || cmd.Usage == "" {
			t.Errorf("%s --help: exit %d, usage %q, stdout %q, stderr %q", cmd.Name, code, cmd.Usage, out, errOut)
		}
	}
}

// Every flag of every command can also be set from CARELAKE_<FLAG>, or
// CARELAKE_<COMMAND>_<FLAG> where two commands use a flag name for different
// things.
func TestEveryFlagHasAnEnvironmentVariable(t *testing.T) {
	check := func(where string, flags []cli.Flag) {
		for _, f := range flags {
			name := f.Names()[0]
			if name == "help" || name == "version" {
				continue
			}
			env, ok := f.(interface{ GetEnvVars() []string })
			if !ok {
				t.Errorf("%s --%s: flag type %T has no environment variables", where, name, f)
				continue
			}
			want := envVars(name)[0]
			found := false
			for _, e := range env.GetEnvVars() {
				found = found || e == want || e == envVars(where + "-" + name)[0]
			}
			if !found {
				t.Errorf("%s --%s: missing environment variable %s (has %v)", where, name, want, env.GetEnvVars())
			}
			if u, ok := f.(interface{ GetUsage() string }); ok && u.GetUsage() == "" {
				t.Errorf("%s --%s: no usage text", where, name)
			}
		}
	}
	app := newApp(nil, nil)
	check("carelake", app.Flags)
	for _, cmd := range app.Commands {
		check(cmd.Name, cmd.Flags)
	}
}

func TestGlobalFlagsBeforeOrAfterTheCommand(t *testing.T) {
	var got []string
	probe := &cli.Command{Name: "probe", Usage: "test", Action: func(c *cli.Context) error {
		got = append(got, outDir(c)+"|"+globalString(c, "log-level"))
		return nil
	}}
	for _, args := range [][]string{
		{"carelake", "--out", "/a", "probe"},
		{"carelake", "probe", "--out", "/b", "--log-level", "debug"},
		{"carelake", "--out", "/outer", "probe", "--out", "/inner"},
		{"carelake", "probe"},
	} {
		app := newApp(nil, nil)
		probe.Flags = globalFlags(defaultOut, defaultLogLevel)
		app.Commands = []*cli.Command{probe}
		if err := app.Run(args); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"/a|info", "/b|debug", "/inner|info", "./warehouse|info"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v, want %v", got, want)
	}
	// The environment gives a value the command line has not given, before
	// or after the command.
	t.Setenv("CARELAKE_OUT", "/from-env")
	got = nil
	for _, args := range [][]string{
		{"carelake", "probe"},
		{"carelake", "--out", "/a", "probe"},
		{"carelake", "probe", "--out", "/b"},
	} {
		app := newApp(nil, nil)
		probe.Flags = globalFlags(defaultOut, defaultLogLevel)
		app.Commands = []*cli.Command{probe}
		if err := app.Run(args); err != nil {
			t.Fatal(err)
		}
	}
	if want := "/from-env|info,/a|info,/b|info"; strings.Join(got, ",") != want {
		t.Fatalf("with CARELAKE_OUT: got %v, want %s", got, want)
	}
}

func TestUnknownFlagIsAUsageError(t *testing.T) {
	code, _, errOut := run(t, "--no-such-flag")
	if code != exitUsage || !strings.Contains(errOut, "no-such-flag") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestBadLogSettingsNameTheFlag(t *testing.T) {
	for _, args := range [][]string{{"--log-level", "loud"}, {"--log-format", "xml"}} {
		app := newApp(nil, nil)
		var err error
		app.Action = func(c *cli.Context) error { _, err = newLogger(c); return nil }
		if runErr := app.Run(append([]string{"carelake"}, args...)); runErr != nil {
			t.Fatal(runErr)
		}
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: err = %v", args, err)
		}
	}
}

// No command takes words it does not use: each refuses them (exit 2)
// before any I/O, saying which; sql is the one that takes an argument.
func TestStrayArgumentsAreRefused(t *testing.T) {
	out := filepath.Join(t.TempDir(), "never-created")
	for _, cmd := range newApp(nil, nil).Commands {
		if cmd.Name == "sql" {
			continue
		}
		code, _, errOut := run(t, cmd.Name, "--out", out, "stray", "words")
		if want := fmt.Sprintf("carelake: %s takes no arguments, got \"stray words\"\n", cmd.Name); code != exitUsage || errOut != want {
			t.Errorf("%s: exit %d, stderr %q; want exit 2, %q", cmd.Name, code, errOut, want)
		}
	}
	// A value of two words: the second is not silently dropped.
	code, _, errOut := run(t, "extract", "--out", out, "--budget", "2", "hours")
	if code != exitUsage || !strings.Contains(errOut, `extract takes no arguments, got "hours"`) {
		t.Errorf("--budget 2 hours: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a refused command line touched the warehouse: %v", err)
	}
}

func TestUnknownCommandAndHelpCommand(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"frobnicate"}, exitUsage, "", "carelake: unknown command \"frobnicate\"; see carelake --help\n"},
		{[]string{"runn"}, exitUsage, "", "carelake: unknown command \"runn\" (did you mean \"run\"?); see carelake --help\n"},
		{[]string{"--out", "x", "extarct"}, exitUsage, "", "carelake: unknown command \"extarct\" (did you mean \"extract\"?); see carelake --help\n"},
		{[]string{"help", "frobnicate"}, exitUsage, "", "carelake: unknown command \"frobnicate\"; see carelake --help\n"},
		{[]string{"help", "run"}, 0, "carelake run - the nightly job", ""},
		{[]string{"help"}, 0, "COMMANDS:", ""},
		{nil, 0, "COMMANDS:", ""},
	} {
		code, out, errOut := run(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.stdout) || errOut != tc.stderr {
			t.Errorf("%q: exit %d, stdout %.80q, stderr %q; want exit %d, stdout with %q, stderr %q",
				tc.args, code, out, errOut, tc.code, tc.stdout, tc.stderr)
		}
	}
}

// Each default is stated once, and is the one the command uses.
func TestHelpStatesTheRealDefaultsOnce(t *testing.T) {
	_, top, _ := run(t, "--help")
	for _, want := range []string{"Exit status:", "0    done", "1    failed", "2    the command line", "130  interrupted"} {
		if !strings.Contains(top, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	for _, cmd := range newApp(nil, nil).Commands {
		_, out, _ := run(t, cmd.Name, "--help")
		for _, line := range strings.Split(out, "\n") {
			if strings.Count(line, "default") > 1 {
				t.Errorf("%s --help states a default twice: %s", cmd.Name, line)
			}
		}
	}
	_, demo, _ := run(t, "demo", "--help")
	for _, want := range []string{`(default: "` + demoOut + `")`, `--log-level value   log level: debug, info, warn or error (default: "warn")`} {
		if !strings.Contains(demo, want) {
			t.Errorf("demo --help lacks %q:\n%s", want, demo)
		}
	}
	_, extract, _ := run(t, "extract", "--help")
	_, sim, _ := run(t, "cqc-sim", "--help")
	if !strings.Contains(extract, "http://"+cqcSimAddr+"/public/v1") || !strings.Contains(sim, `(default: "`+cqcSimAddr+`")`) {
		t.Errorf("extract's --cqc-base-url example is not cqc-sim's default address %s", cqcSimAddr)
	}
}

// Every command refuses bad log settings, whether it logs or not.
func TestEveryCommandChecksTheLogFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "never-created")
	for _, cmd := range newApp(nil, nil).Commands {
		for _, flag := range []string{"--log-level", "--log-format"} {
			code, _, errOut := run(t, cmd.Name, "--out", out, flag, "loud", "SELECT 1")
			if cmd.Name != "sql" {
				code, _, errOut = run(t, cmd.Name, "--out", out, flag, "loud")
			}
			if code != exitUsage || !strings.Contains(errOut, flag+` "loud"`) {
				t.Errorf("%s %s loud: exit %d, %q", cmd.Name, flag, code, errOut)
			}
		}
	}
}

// A refused value that came from the environment names the variable; one
// given on the command line wins over the environment. sql's and status's
// --format (different values) have a variable each.
func TestRefusedValuesNameTheirEnvironmentVariable(t *testing.T) {
	root := t.TempDir()
	t.Setenv("CARELAKE_STATUS_FORMAT", "csv")
	code, _, errOut := run(t, "status", "--out", root)
	if want := "carelake: --format \"csv\": use text or json (--format is set by CARELAKE_STATUS_FORMAT)\n"; code != exitUsage || errOut != want {
		t.Errorf("CARELAKE_STATUS_FORMAT=csv: exit %d, %q; want %q", code, errOut, want)
	}
	if code, _, errOut := run(t, "status", "--out", root, "--format", "text"); code != 0 {
		t.Errorf("--format text with CARELAKE_STATUS_FORMAT=csv: exit %d, %q", code, errOut)
	}
	os.Unsetenv("CARELAKE_STATUS_FORMAT")  // t.Setenv restores it
	t.Setenv("CARELAKE_SQL_FORMAT", "csv") // sql's, not status's
	if code, _, errOut := run(t, "status", "--out", root); code != 0 {
		t.Errorf("status with CARELAKE_SQL_FORMAT=csv: exit %d, %q", code, errOut)
	}

	t.Setenv("CARELAKE_LOG_LEVEL", "loud")
	for _, args := range [][]string{{"normalise", "--out", root}, {"sql", "--out", root, "SELECT 1"}} {
		code, _, errOut := run(t, args...)
		if code != exitUsage || !strings.Contains(errOut, `--log-level "loud": use debug, info, warn or error (--log-level is set by CARELAKE_LOG_LEVEL)`) {
			t.Errorf("%s with CARELAKE_LOG_LEVEL=loud: exit %d, %q", args[0], code, errOut)
		}
	}
	for _, args := range [][]string{{"--log-level", "warn", "status", "--out", root}, {"status", "--out", root, "--log-level", "warn"}} {
		if code, _, errOut := run(t, args...); code != 0 {
			t.Errorf("%q with CARELAKE_LOG_LEVEL=loud: exit %d, %q", args, code, errOut)
		}
	}
	code, _, errOut = run(t, "status", "--out", root, "--log-level", "louder")
	if code != exitUsage || strings.Contains(errOut, "CARELAKE_LOG_LEVEL") {
		t.Errorf("--log-level louder: exit %d, %q: the value is the command line's", code, errOut)
	}
}

// The commands that read a warehouse never create one, --out given or not.
func TestReadersNeedAWarehouse(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nonexist", "deep")
	for _, name := range []string{"normalise", "resolve", "load", "status"} {
		code, _, errOut := run(t, name, "--out", missing)
		want := fmt.Sprintf("carelake: no warehouse at %s: run 'carelake extract --out %s' (or 'carelake run') first, or give the right --out\n", missing, missing)
		if code != 1 || errOut != want {
			t.Errorf("%s: exit %d, %q; want exit 1, %q", name, code, errOut, want)
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Fatalf("a reader created the warehouse: %v", err)
	}
	cwd := t.TempDir()
	t.Chdir(cwd)
	for _, name := range []string{"normalise", "resolve", "load", "status", "sql"} {
		args := []string{name}
		if name == "sql" {
			args = append(args, "SELECT 1")
		}
		if code, _, _ := run(t, args...); code != 1 {
			t.Errorf("%s without --out: exit %d", name, code)
		}
	}
	if entries, _ := os.ReadDir(cwd); len(entries) > 0 {
		t.Fatalf("a reader without --out created %s", entries[0].Name())
	}
}
