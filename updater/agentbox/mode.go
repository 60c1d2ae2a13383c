package agentbox

import "fmt"

// Mode is how an agent run is contained.
type Mode int

const (
	// Bwrap runs the agent in a bubblewrap sandbox: the default.
	Bwrap Mode = iota
	// None runs the agent as a plain child process (scrubbed environment,
	// its own process group, nobody when the bot is root). It must be
	// asked for, and the review report says the agent ran unsandboxed.
	None
)

func (m Mode) String() string {
	switch m {
	case Bwrap:
		return "bwrap"
	case None:
		return "none"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode reads the value of --agent-sandbox.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "bwrap":
		return Bwrap, nil
	case "none":
		return None, nil
	}
	return 0, fmt.Errorf("agent sandbox %q: want bwrap or none", s)
}

// Set and the String above make *Mode a flag.Value.
func (m *Mode) Set(s string) error {
	v, err := ParseMode(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}
