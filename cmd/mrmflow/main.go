// Command mrmflow is the validation-and-deployment workflow service of a model risk management
// inventory: one binary that serves the API, migrates its database and manages users.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"mrmflow/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `mrmflow — model validation and deployment workflow service

Usage:
  mrmflow serve [--dev]        serve the HTTP API (configuration from the environment)
  mrmflow migrate              create the database if missing and apply pending migrations
  mrmflow user create --email E --name N --role R
                               create a user; prints its API token alone on the last line
  mrmflow demo                 fire 10 parallel validation requests for one model (DATA-01)
  mrmflow version              print the version

Run "mrmflow <command> --help" for a command's flags.
`

func main() { cli.Main("mrmflow", run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serveCommand(ctx, rest, stdout, stderr)
	case "migrate":
		return migrateCommand(rest, stdout, stderr)
	case "user":
		return userCommand(ctx, rest, stdout, stderr)
	case "demo":
		return demoCommand(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "mrmflow", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// newFlagSet returns a flag set whose --help prints the command's usage and returns ErrHelp.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: mrmflow %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}
