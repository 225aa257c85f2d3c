package term

import (
	"bytes"
	"context"
	"io"
	"math"
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

// A variational fit's bar names the method and shows the latest ELBO.
func TestProgressLineFit(t *testing.T) {
	got := progressLine(step.Progress{Fit: "ADVI (mean-field)", Done: 2500, Total: 10000, ELBO: -1234.567,
		GradEvals: 2500, Elapsed: time.Second})
	want := "ADVI (mean-field) [#####---------------]  25%  2500/10000  ELBO -1234.57  1s"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	got = progressLine(step.Progress{Fit: "Pathfinder (4 paths)", Done: 40, Total: 4000, ELBO: math.NaN(), Finished: true})
	if !strings.Contains(got, "ELBO -  done") {
		t.Errorf("no ELBO yet: %q", got)
	}
}
