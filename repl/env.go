package repl

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/gopm-dev/gopm/pm/backend"
)

// sessionEnv is the environment interpreted code sees through package os:
// a copy of Options.Env (or the process's environment) that os.Setenv in a
// cell changes. The variables gopm's compiled code reads (processEnvVars)
// are also set in the process, so that os.Setenv("PM_BACKEND", "debug")
// in a cell chooses the backend of the next Compile or Sample, as it would
// in a compiled program. (yaegi's own virtual environment kept them from
// gopm: the model compiled on vm without a word.)
type sessionEnv struct {
	mu sync.Mutex
	m  map[string]string
}

// processEnvVars are the variables gopm reads with os.Getenv.
var processEnvVars = map[string]bool{backend.EnvVar: true, "XDG_CONFIG_HOME": true}

func newSessionEnv(entries []string) *sessionEnv {
	s := &sessionEnv{m: map[string]string{}}
	for _, kv := range entries {
		if k, v, ok := strings.Cut(kv, "="); ok {
			s.m[k] = v
		}
	}
	return s
}

func (s *sessionEnv) getenv(key string) string {
	v, _ := s.lookup(key)
	return v
}

func (s *sessionEnv) lookup(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok
}

func (s *sessionEnv) setenv(key, value string) error {
	if key == "" || strings.ContainsAny(key, "=\x00") || strings.ContainsRune(value, 0) {
		return os.NewSyscallError("setenv", syscall.EINVAL)
	}
	s.mu.Lock()
	s.m[key] = value
	s.mu.Unlock()
	if processEnvVars[key] {
		return os.Setenv(key, value)
	}
	return nil
}

func (s *sessionEnv) unsetenv(key string) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	if processEnvVars[key] {
		return os.Unsetenv(key)
	}
	return nil
}

func (s *sessionEnv) clearenv() {
	s.mu.Lock()
	s.m = map[string]string{}
	s.mu.Unlock()
	for k := range processEnvVars {
		os.Unsetenv(k)
	}
}

func (s *sessionEnv) environ() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.m))
	for k, v := range s.m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// symbols are the os functions that read and change the environment, for
// the interpreter's package os.
func (s *sessionEnv) symbols() map[string]reflect.Value {
	return map[string]reflect.Value{
		"Getenv":    reflect.ValueOf(s.getenv),
		"LookupEnv": reflect.ValueOf(s.lookup),
		"Setenv":    reflect.ValueOf(s.setenv),
		"Unsetenv":  reflect.ValueOf(s.unsetenv),
		"Clearenv":  reflect.ValueOf(s.clearenv),
		"Environ":   reflect.ValueOf(s.environ),
		"ExpandEnv": reflect.ValueOf(func(v string) string { return os.Expand(v, s.getenv) }),
	}
}
