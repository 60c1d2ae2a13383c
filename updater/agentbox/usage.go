package agentbox

import (
	"fmt"
	"time"
)

// PlaceholderKey is the API key a sandboxed agent is given: any value
// works, the inference proxy outside replaces it with the real one.
const PlaceholderKey = "sk-updater-sandbox-placeholder"

// Usage is what one review spent through its inference proxy, the
// sandbox's one way out (package inference counts it).
type Usage struct {
	Requests      int           `json:"requests"`
	Refused       int           `json:"refused,omitempty"`
	RequestBytes  int64         `json:"request_bytes"`
	ResponseBytes int64         `json:"response_bytes"`
	Duration      time.Duration `json:"duration"`
	// Capped says which cap stopped a request, if one did.
	Capped string `json:"capped,omitempty"`
}

func (u Usage) String() string {
	s := fmt.Sprintf("%d request%s, %d bytes sent, %d bytes received, %s",
		u.Requests, plural(u.Requests), u.RequestBytes, u.ResponseBytes, u.Duration.Round(time.Millisecond))
	if u.Refused > 0 {
		s += fmt.Sprintf(", %d refused", u.Refused)
	}
	if u.Capped != "" {
		s += ", stopped by the " + u.Capped + " cap"
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
