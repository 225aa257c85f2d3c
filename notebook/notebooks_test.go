package notebook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	// pmrepl and the kernel register the gorgonia backends; the notebooks see them here too.
	_ "github.com/gopm-dev/gopm/pm/backend/gorgonia"
)

// The tutorials in notebooks/ run top to bottom through the engine, as
// `pmrepl render` runs them: no cell fails, every cell whose stored outputs
// hold a figure makes one again, the stored outputs are current (each cell's
// source hash matches), and the result is a valid nbformat 4 notebook.
func TestNotebooks(t *testing.T) {
	paths, err := filepath.Glob("../notebooks/*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no notebooks in ../notebooks")
	}
	// Figures saved by a notebook land in a scratch directory.
	dir := t.TempDir()
	wd, _ := os.Getwd()
	abs := make([]string, len(paths))
	for i, p := range paths {
		abs[i] = filepath.Join(wd, p)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, path := range abs {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".ipynb"), func(t *testing.T) {
			stored, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range stored.Stale() {
				t.Errorf("stored outputs are stale (run notebooks/update): %s", s)
			}
			nb, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if err := Execute(context.Background(), nb, Options{CellTimeout: 5 * time.Minute}); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %.1fs", name, time.Since(start).Seconds())
			for _, p := range FigureProblems(stored, nb) {
				t.Error(p)
			}
			out := filepath.Join(dir, name)
			if err := nb.Write(out); err != nil {
				t.Fatal(err)
			}
			nbformatCheck(t, out)
		})
	}
}
