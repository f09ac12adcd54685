package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// run executes the CLI in-process and returns its exit status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runApp(context.Background(), append([]string{"carelake"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := run(t, "--version")
	if code != 0 || !strings.Contains(out, "carelake version "+version) {
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

// Every flag of every command can also be set from CARELAKE_<FLAG>.
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
				found = found || e == want
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
		probe.Flags = globalFlags()
		app.Commands = []*cli.Command{probe}
		if err := app.Run(args); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"/a|info", "/b|debug", "/inner|info", "./warehouse|info"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v, want %v", got, want)
	}
	t.Setenv("CARELAKE_OUT", "/from-env")
	app := newApp(nil, nil)
	probe.Flags = globalFlags()
	app.Commands = []*cli.Command{probe}
	got = nil
	if err := app.Run([]string{"carelake", "probe"}); err != nil || got[0] != "/from-env|info" {
		t.Fatalf("env: %v %v", err, got)
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
