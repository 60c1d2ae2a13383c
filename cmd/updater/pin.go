package main

import (
	"context"
	"errors"
	"flag"
)

// pinCommand is a placeholder until its issue lands.
func pinCommand() command {
	return command{
		name:    "pin",
		summary: "(not yet built)",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			return func(ctx context.Context) error { return errors.New("pin: not yet built") }
		},
	}
}
