package backend

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Backend compiles function graphs into programs. Implementations register themselves by name
// in an init function, as database/sql drivers do.
type Backend interface {
	// Compile turns a checked function graph into a program. The graph is already rewritten;
	// a backend must not change what it computes, only how.
	Compile(fg *tensor.FunctionGraph) (tensor.Program, error)
}

// The registry: the one piece of package-level mutable state, written at init time.
var (
	mu       sync.RWMutex
	backends = map[string]Backend{}
)

// Register makes a backend available by name. It panics if the name is taken or b is nil: both
// are programming errors at init time.
func Register(name string, b Backend) {
	mu.Lock()
	defer mu.Unlock()
	if b == nil {
		panic("pm/backend: Register backend is nil")
	}
	if _, dup := backends[name]; dup {
		panic("pm/backend: Register called twice for backend " + name)
	}
	backends[name] = b
}

// Names returns the registered backends' names, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	var l []string
	for n := range backends {
		l = append(l, n)
	}
	sort.Strings(l)
	return l
}

// Get returns the backend registered under name.
func Get(name string) (Backend, error) {
	mu.RLock()
	b, ok := backends[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("pm/backend: unknown backend %q (registered: %s; forgotten import?)", name, strings.Join(Names(), ", "))
	}
	return b, nil
}

// EnvVar is the environment variable that selects the default backend.
const EnvVar = "PM_BACKEND"

// DefaultName is the backend used when nothing selects another.
const DefaultName = "vm"

// Config is the JSON configuration file's content, e.g. {"backend": "vm"}.
type Config struct {
	Backend string `json:"backend"`
}

// ConfigPath is where the configuration file is read: $XDG_CONFIG_HOME/gopm/config.json,
// else ~/.config/gopm/config.json. It returns "" if neither base directory is known.
func ConfigPath() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "gopm", "config.json")
	}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		return filepath.Join(h, ".config", "gopm", "config.json")
	}
	return ""
}

// LoadConfig reads the configuration file. A missing file gives the zero Config and no error;
// a file that is not valid JSON is an error naming the file.
func LoadConfig() (Config, error) {
	var c Config
	p := ConfigPath()
	if p == "" {
		return c, nil
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("pm/backend: reading config: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("pm/backend: config file %s: %w", p, err)
	}
	return c, nil
}

// Resolve names the backend to use: name if not empty (a per-call choice), else $PM_BACKEND,
// else the config file's "backend", else "vm".
func Resolve(name string) (string, error) {
	n, _, err := resolve(name)
	return n, err
}

// resolve is Resolve that also says where the name came from, for error messages.
func resolve(name string) (n, source string, err error) {
	if name != "" {
		return name, "", nil
	}
	if e := os.Getenv(EnvVar); e != "" {
		return e, "the environment variable " + EnvVar, nil
	}
	c, err := LoadConfig()
	if err != nil {
		return "", "", err
	}
	if c.Backend != "" {
		return c.Backend, "the config file " + ConfigPath(), nil
	}
	return DefaultName, "", nil
}

// Select resolves name (see Resolve) and returns that backend. An unknown name is an error
// naming where it came from ($PM_BACKEND or the config file) and the registered backends.
func Select(name string) (Backend, string, error) {
	n, source, err := resolve(name)
	if err != nil {
		return nil, "", err
	}
	b, err := Get(n)
	if err != nil && source != "" {
		err = fmt.Errorf("pm/backend: unknown backend %q set by %s (registered: %s)", n, source, strings.Join(Names(), ", "))
	}
	return b, n, err
}

// CompileGraph rewrites fg (tensor.Rewrite) and compiles it on the named backend ("" selects the
// default, see Resolve).
func CompileGraph(fg *tensor.FunctionGraph, name string) (tensor.Program, error) {
	b, _, err := Select(name)
	if err != nil {
		return nil, err
	}
	fg, err = tensor.Rewrite(fg)
	if err != nil {
		return nil, err
	}
	return b.Compile(fg)
}
