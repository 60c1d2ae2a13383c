package main

import (
	"context"
	"errors"
	"flag"
)

// validateCommand is a placeholder until its issue lands.
func validateCommand() command {
	return command{
		name:    "validate",
		summary: "(not yet built)",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			return func(ctx context.Context) error { return errors.New("validate: not yet built") }
		},
	}
}
