package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// isVersionRequest reports whether args ask for the version: `updater
// version`, `updater --version` or `updater -version`.
func isVersionRequest(args []string) bool {
	return len(args) == 1 && (args[0] == "version" || args[0] == "--version" || args[0] == "-version")
}

// writeVersion prints the module version and VCS revision the binary was
// built from, as the Go toolchain recorded them: "updater v1.2.0" for a
// `go install …@v1.2.0`, "updater (devel) rev 0123456789ab (modified)" for
// a build from a checkout.
func writeVersion(w io.Writer, info *debug.BuildInfo, ok bool) {
	if !ok {
		fmt.Fprintln(w, "updater (unknown version: built without module information)")
		return
	}
	line := "updater " + info.Main.Version
	if line == "updater " {
		line += "(devel)"
	}
	var rev, modified, when string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		case "vcs.time":
			when = s.Value
		}
	}
	if rev != "" {
		line += " rev " + rev[:min(len(rev), 12)]
		if modified == "true" {
			line += " (modified)"
		}
		if when != "" {
			line += " " + when
		}
	}
	fmt.Fprintf(w, "%s %s\n", line, info.GoVersion)
}
