// Package agentbox is the trust boundary around an untrusted agent
// reviewer: it builds the bubblewrap sandbox one agent run gets (new user,
// PID, network, IPC, UTS and cgroup namespaces; a read-only minimal root;
// the code read-only, one writable output directory, a tmpfs scratch; an
// environment built from nothing; resource caps, Limits) and the forwarder that runs inside that
// sandbox's network namespace to reach the inference proxy through a
// bound unix socket.
//
// It owns no policy about what a review is: the caller (updater/review)
// says which directories to bind and which variables to set. It must not
// import the bot's GitHub or upstream code (gitops), nor anything that
// holds a credential: nothing it is given may be secret, because all of it
// is visible inside the sandbox.
package agentbox
