package backend_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/debug"
	_ "github.com/gopm-dev/gopm/pm/backend/vm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

func writeConfig(t *testing.T, content string) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	if content == "" {
		return
	}
	if err := os.MkdirAll(filepath.Join(dir, "gopm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gopm", "config.json"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Selection order: per call, then PM_BACKEND, then the config file, then "vm".
func TestResolvePrecedence(t *testing.T) {
	cases := []struct {
		name, perCall, env, config, want string
	}{
		{"default", "", "", "", "vm"},
		{"config", "", "", `{"backend": "debug"}`, "debug"},
		{"env over config", "", "vm", `{"backend": "debug"}`, "vm"},
		{"per call over env", "debug", "vm", `{"backend": "vm"}`, "debug"},
		{"config without backend", "", "", `{}`, "vm"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			writeConfig(t, c.config)
			t.Setenv(backend.EnvVar, c.env)
			got, err := backend.Resolve(c.perCall)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Resolve(%q) = %q, want %q", c.perCall, got, c.want)
			}
			// And a compiled function reports the backend it runs on.
			x := tensor.Scalar("x")
			f, err := backend.Compile([]any{x}, x.Mul(2.0), backend.Use(c.perCall))
			if err != nil {
				t.Fatal(err)
			}
			if f.Backend() != c.want {
				t.Errorf("compiled on %q, want %q", f.Backend(), c.want)
			}
		})
	}
}

func TestSelectionErrors(t *testing.T) {
	writeConfig(t, "")
	t.Setenv(backend.EnvVar, "")
	_, err := backend.Compile(nil, tensor.Const(1.0), backend.Use("xla"))
	want := `pm/backend: unknown backend "xla" (registered: ` + strings.Join(backend.Names(), ", ") + `; forgotten import?)`
	if err == nil || err.Error() != want {
		t.Errorf("unknown backend: %v, want %s", err, want)
	}
	t.Setenv(backend.EnvVar, "jax")
	if _, err := backend.Resolve(""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := backend.Select(""); err == nil || !strings.Contains(err.Error(), `"jax"`) {
		t.Errorf("unknown PM_BACKEND: %v", err)
	}
	t.Setenv(backend.EnvVar, "")
	writeConfig(t, `{"backend": `)
	if _, err := backend.Resolve(""); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("malformed config: %v", err)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "twice") {
			t.Errorf("recover() = %v", r)
		}
	}()
	backend.Register("vm", fake{})
}

// fake is a backend that compiles nothing, for registry tests.
type fake struct{}

func (fake) Compile(*tensor.FunctionGraph) (tensor.Program, error) { return nil, nil }

// An unknown backend name says where it came from: $PM_BACKEND or the config file.
func TestUnknownBackendNamesItsSource(t *testing.T) {
	writeConfig(t, `{"backend": "gpu"}`)
	t.Setenv(backend.EnvVar, "")
	path := backend.ConfigPath()
	_, _, err := backend.Select("")
	want := `pm/backend: unknown backend "gpu" set by the config file ` + path + ` (registered: ` + strings.Join(backend.Names(), ", ") + `)`
	if err == nil || err.Error() != want {
		t.Errorf("config file: got %v\nwant %s", err, want)
	}
	t.Setenv(backend.EnvVar, "nope")
	_, _, err = backend.Select("")
	want = `pm/backend: unknown backend "nope" set by the environment variable PM_BACKEND (registered: ` + strings.Join(backend.Names(), ", ") + `)`
	if err == nil || err.Error() != want {
		t.Errorf("environment: got %v\nwant %s", err, want)
	}
	_, _, err = backend.Select("typo")
	want = `pm/backend: unknown backend "typo" (registered: ` + strings.Join(backend.Names(), ", ") + `; forgotten import?)`
	if err == nil || err.Error() != want {
		t.Errorf("per call: got %v\nwant %s", err, want)
	}
}
