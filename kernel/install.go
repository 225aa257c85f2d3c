package kernel

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// SpecName is the name of gopm's kernelspec (the directory under kernels/).
const SpecName = "gopm"

// Spec is the content of a kernel.json.
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata,omitempty"`
}

// Location says where a kernelspec is installed, as jupyter kernelspec install's flags
// do: User for the per-user data directory, Prefix for PREFIX/share/jupyter, SysPrefix
// for the prefix of the Python that runs jupyter; none of them means the system-wide
// directory (/usr/local/share/jupyter on Linux).
type Location struct {
	User      bool
	Prefix    string
	SysPrefix bool
}

// KernelsDir returns the kernels directory of a location.
func (l Location) KernelsDir() (string, error) {
	switch {
	case l.User:
		d, err := userDataDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(d, "kernels"), nil
	case l.Prefix != "":
		p, err := filepath.Abs(l.Prefix)
		if err != nil {
			return "", err
		}
		return filepath.Join(p, "share", "jupyter", "kernels"), nil
	case l.SysPrefix:
		p, err := jupyterSysPrefix()
		if err != nil {
			return "", err
		}
		return filepath.Join(p, "share", "jupyter", "kernels"), nil
	}
	if runtime.GOOS == "windows" {
		return filepath.Join(os.Getenv("PROGRAMDATA"), "jupyter", "kernels"), nil
	}
	return "/usr/local/share/jupyter/kernels", nil
}

// userDataDir is Jupyter's per-user data directory: $JUPYTER_DATA_DIR, else
// ~/Library/Jupyter on macOS, %APPDATA%\jupyter on Windows, $XDG_DATA_HOME/jupyter or
// ~/.local/share/jupyter elsewhere.
func userDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("kernel: no home directory for --user: %w", err)
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		return filepath.Join(os.Getenv("APPDATA"), "jupyter"), nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "jupyter"), nil
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// jupyterSysPrefix asks the Python that runs the jupyter command for its sys.prefix.
func jupyterSysPrefix() (string, error) {
	var py string
	if j, err := exec.LookPath("jupyter"); err == nil {
		if b, err := os.ReadFile(j); err == nil && strings.HasPrefix(string(b), "#!") {
			line := strings.SplitN(string(b), "\n", 2)[0]
			if f := strings.Fields(strings.TrimPrefix(line, "#!")); len(f) > 0 {
				py = f[0]
				if filepath.Base(py) == "env" && len(f) > 1 {
					py = f[1]
				}
			}
		}
	}
	if py == "" {
		py = "python3"
	}
	out, err := exec.Command(py, "-c", "import sys; print(sys.prefix)").Output()
	if err != nil {
		return "", fmt.Errorf("kernel: --sys-prefix: cannot ask %s for sys.prefix: %w", py, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Install writes the gopm kernelspec (kernel.json and 32x32 and 64x64 logos) into the
// location's kernels directory and returns the spec's directory. bin is the absolute
// path of the pmrepl binary.
func Install(loc Location, bin string) (string, error) {
	if !filepath.IsAbs(bin) {
		return "", fmt.Errorf("kernel: install: %q is not an absolute path", bin)
	}
	kd, err := loc.KernelsDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(kd, SpecName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("kernel: install: %w", err)
	}
	spec := Spec{
		Argv:          []string{bin, "kernel", "{connection_file}"},
		DisplayName:   "Go (gopm)",
		Language:      "go",
		InterruptMode: "message",
		Metadata:      map[string]any{"debugger": false},
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "kernel.json"), append(b, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("kernel: install: %w", err)
	}
	for _, size := range []int{32, 64} {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("logo-%dx%d.png", size, size)))
		if err != nil {
			return "", fmt.Errorf("kernel: install: %w", err)
		}
		err = png.Encode(f, Logo(size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("kernel: install: logo: %w", err)
		}
	}
	return dir, nil
}

// Uninstall removes the gopm kernelspec from a location; with the zero Location it
// removes the first one Jupyter would find (JUPYTER_PATH, the user's directory, then
// the system directories). It returns the directory removed.
func Uninstall(loc Location) (string, error) {
	var cands []string
	if loc != (Location{}) {
		kd, err := loc.KernelsDir()
		if err != nil {
			return "", err
		}
		cands = []string{kd}
	} else {
		for _, p := range filepath.SplitList(os.Getenv("JUPYTER_PATH")) {
			if p != "" {
				cands = append(cands, filepath.Join(p, "kernels"))
			}
		}
		if d, err := userDataDir(); err == nil {
			cands = append(cands, filepath.Join(d, "kernels"))
		}
		cands = append(cands, "/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels")
	}
	for _, kd := range cands {
		dir := filepath.Join(kd, SpecName)
		if _, err := os.Stat(filepath.Join(dir, "kernel.json")); err == nil {
			if err := os.RemoveAll(dir); err != nil {
				return "", fmt.Errorf("kernel: uninstall: %w", err)
			}
			return dir, nil
		}
	}
	return "", errors.New("kernel: uninstall: no gopm kernelspec found in " + strings.Join(cands, ", "))
}

// Logo draws gopm's logo at size x size: a Go-blue disc with a white bell curve (a
// normal density) over a baseline.
func Logo(size int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	blue := color.NRGBA{0x00, 0xad, 0xd8, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	s := float64(size)
	c, r := s/2, s/2-0.5
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			d := math.Hypot(fx-c, fy-c)
			if d > r+0.5 {
				continue
			}
			a := math.Min(1, r+0.5-d) // anti-aliased rim
			col := blue
			// The curve: x in [-3, 3] over 70% of the width, height 55% of the size.
			u := (fx - c) / (0.35 * s) * 3
			top := 0.72*s - 0.5*s*math.Exp(-u*u/2)
			if fy >= top && fy <= 0.72*s && math.Abs(fx-c) < 0.4*s {
				col = white
			}
			if math.Abs(fy-0.75*s) < math.Max(0.5, s/32) && math.Abs(fx-c) < 0.38*s {
				col = white
			}
			col.A = uint8(255 * a)
			img.SetNRGBA(x, y, col)
		}
	}
	return img
}
