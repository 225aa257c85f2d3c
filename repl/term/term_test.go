package term

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopm-dev/gopm/display"
	"github.com/gopm-dev/gopm/pm/step"
)

func TestPrinterWritesNumberedImages(t *testing.T) {
	dir := t.TempDir()
	// A file from an earlier session: numbering continues after it.
	os.MkdirAll(filepath.Join(dir, "plots"), 0o755)
	os.WriteFile(filepath.Join(dir, "plots", "plot-007.png"), []byte("x"), 0o644)
	var out, errOut bytes.Buffer
	p := &printer{out: &out, err: &errOut, plotDir: filepath.Join(dir, "plots")}
	p.bundle(display.PNG([]byte("\x89PNG fake")))
	p.bundle(display.SVG("<svg/>"))
	p.bundle(display.HTML("<p>only <b>html</b></p>"))
	want := "[image/png written to " + filepath.Join(dir, "plots", "plot-008.png") + "]\n" +
		"[image/svg+xml written to " + filepath.Join(dir, "plots", "plot-009.svg") + "]\n" +
		"only html\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "plots", "plot-008.png")); string(b) != "\x89PNG fake" {
		t.Errorf("PNG file holds %q", b)
	}
}

func TestSessionScript(t *testing.T) {
	var out, errOut bytes.Buffer
	s, err := NewSession(Config{PlotDir: t.TempDir(), Stdout: &out, Stderr: &errOut, Stdin: io.NopCloser(strings.NewReader(""))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Script(context.Background(), "a.go", "x := 2\nx * 21\nfmt.Println(\"end\")\n"); err != nil {
		t.Fatal(err)
	}
	if out.String() != "42\nend\n" {
		t.Errorf("stdout %q", out.String())
	}
	err = s.Script(context.Background(), "b.go", "x = x +\n\t\"s\"\nfmt.Println(\"not reached\")\n")
	if err == nil || !strings.HasPrefix(errOut.String(), "error: b.go:1:") || strings.Contains(out.String(), "not reached") {
		t.Errorf("failing script: err %v, stderr %q, stdout %q", err, errOut.String(), out.String())
	}
}

func TestProgressLine(t *testing.T) {
	got := progressLine(step.Progress{Chain: 1, Done: 500, Total: 2000, Tuning: true, Divergences: 2, StepSize: 0.4213,
		GradEvals: 12000, Elapsed: 2 * time.Second})
	want := "chain 1 [#####---------------]  25%  500/2000  tune   div 2  step 0.421  6.0k grad/s  2s"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// Issue 10, item 9: a cell typed over several lines is one history entry,
// written on one line that means the same.
func TestOneLineHistoryEntry(t *testing.T) {
	tests := []struct{ in, want string }{
		{"x := 1\n", "x := 1"},
		{"for i := 0; i < 3; i++ {\n\tfmt.Println(i) // each\n}\n", "for i := 0; i < 3; i++ { fmt.Println(i) /* each */; }"},
		{"m.Observe(\"y\", pm.Normal(mu, 1),\n\t[]float64{1, 2})\n", "m.Observe(\"y\", pm.Normal(mu, 1), []float64{1, 2})"},
		{"func f() int {\n\treturn 1\n}\n", "func f() int { return 1; }"},
	}
	for _, tt := range tests {
		got, ok := oneLine(tt.in)
		if !ok || got != tt.want {
			t.Errorf("oneLine(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	if got, ok := oneLine("s := `a\nb`\n"); ok || got != "s := `a\nb`" {
		t.Errorf("raw string over lines: %q, %v", got, ok)
	}
}

// Issue 10, item 6: :doc pm.Sample works as :help says, and a misspelt
// name gets the nearest ones.
func TestDocCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	cfg := Config{PlotDir: t.TempDir(), Stdout: &out, Stderr: &errOut, Stdin: io.NopCloser(strings.NewReader(""))}
	s, err := NewSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.command(":doc pm.Sample", cfg)
	if !strings.Contains(out.String(), "Sample(opts ...SampleOption)") {
		t.Errorf(":doc pm.Sample printed %q (stderr %q)", out.String(), errOut.String())
	}
	s.command(":doc pm.Sumary", cfg)
	if want := "no documentation for \"pm.Sumary\"; did you mean pm.Summary?\n"; errOut.String() != want {
		t.Errorf(":doc pm.Sumary: %q, want %q", errOut.String(), want)
	}
}
