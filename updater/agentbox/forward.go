package agentbox

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
)

// ForwardCommand is the bot's hidden subcommand that runs inside the
// sandbox: it listens on ForwardAddr in the sandbox's network namespace,
// relays each connection to the proxy's unix socket, and runs the agent
// command as its child. Listening before the agent starts means the
// agent's first request never races the forwarder.
const ForwardCommand = "sandbox-forward"

// ForwardMain is ForwardCommand: args are what follows it
// (--listen ADDR --socket PATH -- argv...). It returns the agent's exit
// status.
func ForwardMain(args []string) int {
	fs := flag.NewFlagSet(ForwardCommand, flag.ContinueOnError)
	listen := fs.String("listen", ForwardAddr, "loopback address to listen on")
	socket := fs.String("socket", SocketPath, "the proxy's unix socket")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	argv := fs.Args()
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "sandbox-forward: no command")
		return 2
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox-forward:", err)
		return 1
	}
	go relay(ln, *socket)

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exitErr.ExitCode()
	default:
		fmt.Fprintln(os.Stderr, "sandbox-forward:", err)
		return 127
	}
}

func relay(ln net.Listener, socket string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			u, err := net.Dial("unix", socket)
			if err != nil {
				return
			}
			defer u.Close()
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = io.Copy(u, c)
				if cw, ok := u.(interface{ CloseWrite() error }); ok {
					_ = cw.CloseWrite()
				}
			}()
			_, _ = io.Copy(c, u)
			if cw, ok := c.(interface{ CloseWrite() error }); ok {
				_ = cw.CloseWrite()
			}
			wg.Wait()
		}()
	}
}
