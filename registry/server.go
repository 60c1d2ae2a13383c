// Package registry reads, checks and re-pins the server.yaml files of an
// MCP server registry (servers/<name>/server.yaml, Docker's schema).
//
// It keeps every file's original bytes beside the parsed model, because
// the one write it makes, SetPin, must change the commit value and not a
// byte more. It does no git and no network.
package registry

// Server types of Docker's schema.
const (
	TypeServer = "server" // an image built from source (or pulled, without source)
	TypeRemote = "remote" // a hosted endpoint, nothing to build
	TypePOCI   = "poci"   // tools run as plain OCI containers
)

// Server is the full server.yaml model. Fields the schema leaves open (JSON
// schemas, future keys) are kept as generic values in Extra maps or
// map[string]any so that nothing a real file holds is dropped or rejected.
type Server struct {
	Name        string   `yaml:"name"`
	Image       string   `yaml:"image,omitempty"`
	Type        string   `yaml:"type"`
	LongLived   bool     `yaml:"longLived,omitempty"`
	Dynamic     *Dynamic `yaml:"dynamic,omitempty"`
	Meta        Meta     `yaml:"meta,omitempty"`
	About       About    `yaml:"about,omitempty"`
	Source      *Source  `yaml:"source,omitempty"`
	Run         *Run     `yaml:"run,omitempty"`
	Config      *Config  `yaml:"config,omitempty"`
	Remote      *Remote  `yaml:"remote,omitempty"`
	OAuth       []OAuth  `yaml:"oauth,omitempty"`
	Tools       []Tool   `yaml:"tools,omitempty"`
	Requirement string   `yaml:"requirement,omitempty"`
	// Extra holds top-level keys this model does not name.
	Extra map[string]any `yaml:",inline"`
}

// Source says where a locally built server's image comes from. It has no
// Extra map on purpose: an unknown key here is most likely a misspelt pin,
// so Validate reports it instead of keeping it quietly.
type Source struct {
	Project     string `yaml:"project,omitempty"`
	Upstream    string `yaml:"upstream,omitempty"`
	Branch      string `yaml:"branch,omitempty"`
	Commit      string `yaml:"commit,omitempty"`
	Directory   string `yaml:"directory,omitempty"`
	Dockerfile  string `yaml:"dockerfile,omitempty"`
	BuildTarget string `yaml:"buildTarget,omitempty"`
}

// sourceKeys are the keys a source mapping may hold, in schema order.
var sourceKeys = []string{"project", "upstream", "branch", "commit", "directory", "dockerfile", "buildTarget"}

// Dynamic marks capabilities discovered at run time.
type Dynamic struct {
	Tools bool           `yaml:"tools,omitempty"`
	Extra map[string]any `yaml:",inline"`
}

// Meta classifies the server in the catalogue.
type Meta struct {
	Category string         `yaml:"category,omitempty"`
	Tags     []string       `yaml:"tags,omitempty"`
	Extra    map[string]any `yaml:",inline"`
}

// About is what the catalogue shows.
type About struct {
	Title       string         `yaml:"title,omitempty"`
	Description string         `yaml:"description,omitempty"`
	Icon        string         `yaml:"icon,omitempty"`
	Extra       map[string]any `yaml:",inline"`
}

// Run is how the container is started.
type Run struct {
	Command        []string          `yaml:"command,omitempty"`
	Volumes        []string          `yaml:"volumes,omitempty"`
	User           string            `yaml:"user,omitempty"`
	Env            map[string]string `yaml:"env,omitempty"`
	AllowHosts     []string          `yaml:"allowHosts,omitempty"`
	DisableNetwork bool              `yaml:"disableNetwork,omitempty"`
	Extra          map[string]any    `yaml:",inline"`
}

// Config is what a user configures before running the server.
type Config struct {
	Description string   `yaml:"description,omitempty"`
	Secrets     []Secret `yaml:"secrets,omitempty"`
	Env         []EnvVar `yaml:"env,omitempty"`
	// Parameters is a JSON schema; its shape is open.
	Parameters map[string]any `yaml:"parameters,omitempty"`
	AnyOf      []any          `yaml:"anyOf,omitempty"`
	Extra      map[string]any `yaml:",inline"`
}

// Secret is a secret the user provides, passed to the container as Env.
type Secret struct {
	Name        string         `yaml:"name,omitempty"`
	Env         string         `yaml:"env,omitempty"`
	Example     string         `yaml:"example,omitempty"`
	Description string         `yaml:"description,omitempty"`
	Required    *bool          `yaml:"required,omitempty"`
	Extra       map[string]any `yaml:",inline"`
}

// EnvVar is an environment variable set from a template over parameters.
type EnvVar struct {
	Name        string         `yaml:"name,omitempty"`
	Example     string         `yaml:"example,omitempty"`
	Value       string         `yaml:"value,omitempty"`
	Description string         `yaml:"description,omitempty"`
	Default     string         `yaml:"default,omitempty"`
	Required    *bool          `yaml:"required,omitempty"`
	Extra       map[string]any `yaml:",inline"`
}

// Remote is the endpoint of a remote server.
type Remote struct {
	TransportType string            `yaml:"transport_type,omitempty"`
	URL           string            `yaml:"url,omitempty"`
	Headers       map[string]string `yaml:"headers,omitempty"`
	Extra         map[string]any    `yaml:",inline"`
}

// OAuth links an OAuth provider to the secret it fills.
type OAuth struct {
	Provider string         `yaml:"provider,omitempty"`
	Secret   string         `yaml:"secret,omitempty"`
	Env      string         `yaml:"env,omitempty"`
	Extra    map[string]any `yaml:",inline"`
}

// Tool is a tool of a poci server.
type Tool struct {
	Name        string         `yaml:"name,omitempty"`
	Description string         `yaml:"description,omitempty"`
	Parameters  map[string]any `yaml:"parameters,omitempty"`
	Container   *ToolContainer `yaml:"container,omitempty"`
	Extra       map[string]any `yaml:",inline"`
}

// ToolContainer is the container a poci tool runs in.
type ToolContainer struct {
	Image   string         `yaml:"image,omitempty"`
	Command []string       `yaml:"command,omitempty"`
	Volumes []string       `yaml:"volumes,omitempty"`
	Extra   map[string]any `yaml:",inline"`
}

// LocallyBuilt reports whether the registry builds the server's image from
// source: a server of type server with a source project. Only those carry a
// pin.
func (s *Server) LocallyBuilt() bool {
	return s.Type == TypeServer && s.Source != nil && s.Source.Project != ""
}

// Pinned reports whether the server is locally built and has a commit.
func (s *Server) Pinned() bool {
	return s.LocallyBuilt() && s.Source.Commit != ""
}
