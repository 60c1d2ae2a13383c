package main

import (
	"context"
	"errors"
	"flag"
)

// reviewCommand is a placeholder until its issue lands.
func reviewCommand() command {
	return command{
		name:    "review",
		summary: "(not yet built)",
		setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context) error {
			return func(ctx context.Context) error { return errors.New("review: not yet built") }
		},
	}
}
