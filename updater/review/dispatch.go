package review

// DispatchEvent is the repository_dispatch event type sent to an external
// reviewer (--review dispatch).
const DispatchEvent = "security-review"

// DispatchPayload is the client_payload of that event: enough for the
// reviewer to fetch the range and find the PR to publish on.
type DispatchPayload struct {
	Server      string `json:"server"`
	PullRequest int    `json:"pull_request"`
	Project     string `json:"project"`
	Directory   string `json:"directory"`
	Base        string `json:"base"`
	Head        string `json:"head"`
}
