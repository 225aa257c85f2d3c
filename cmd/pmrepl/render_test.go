package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/notebook"
)

const renderSample = `{"cells": [
 {"cell_type": "markdown", "metadata": {}, "source": "# A notebook"},
 {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": "x := 6 * 7\nfmt.Println(\"x =\", x)"},
 {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": "x"}
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`

// pmrepl render executes a notebook, writes it and its HTML page; --check
// passes on the result and fails once a cell is edited; a failing cell
// makes render exit 1 and name the cell.
func TestRender(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "nb.ipynb")
	if err := os.WriteFile(in, []byte(renderSample), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := pmrepl(t, dir, "render", "-q", "nb.ipynb", "-o", "out.ipynb", "--html", "out.html").CombinedOutput()
	if err != nil {
		t.Fatalf("render: %v\n%s", err, out)
	}
	nb, err := notebook.Read(filepath.Join(dir, "out.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if o := nb.Cells[1].Outputs; len(o) != 1 || o[0].Text != "x = 42\n" {
		t.Errorf("cell 1 outputs %+v", o)
	}
	if o := nb.Cells[2].Outputs; len(o) != 1 || o[0].Type != "execute_result" || o[0].Data["text/plain"] != "42" {
		t.Errorf("cell 2 outputs %+v", o)
	}
	page, err := os.ReadFile(filepath.Join(dir, "out.html"))
	if err != nil || !strings.Contains(string(page), "<h1>A notebook</h1>") || !strings.Contains(string(page), "x = 42") {
		t.Errorf("HTML page: %v\n%.300s", err, page)
	}
	if out, err := pmrepl(t, dir, "render", "--check", "out.ipynb").CombinedOutput(); err != nil {
		t.Errorf("--check on fresh outputs: %v\n%s", err, out)
	}
	if out, err := pmrepl(t, dir, "render", "--check", "nb.ipynb").CombinedOutput(); err == nil || !strings.Contains(string(out), "code cell 1 (x := 6 * 7): not executed") {
		t.Errorf("--check on an unexecuted notebook: %v\n%s", err, out)
	}
	nb.Cells[2].Source = "x + 1"
	if err := nb.Write(filepath.Join(dir, "edited.ipynb")); err != nil {
		t.Fatal(err)
	}
	out, err = pmrepl(t, dir, "render", "--check", "edited.ipynb").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "code cell 2 (x + 1): source changed since its outputs were stored") || !strings.Contains(string(out), "notebooks/update") {
		t.Errorf("--check on an edited cell: %v\n%s", err, out)
	}

	bad := strings.Replace(renderSample, `"source": "x"}`, `"source": "undefinedName + 1"}`, 1)
	if err := os.WriteFile(in, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = pmrepl(t, dir, "render", "-q", "nb.ipynb", "-o", "bad.ipynb").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "code cell 2 (undefinedName + 1): cell 2, line 1:1: undefined: undefinedName") {
		t.Errorf("render of a failing notebook: %v\n%s", err, out)
	}
	nb, err = notebook.Read(filepath.Join(dir, "bad.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	// The stored notebook shows the error where it happened.
	if o := nb.Cells[2].Outputs; len(o) != 1 || o[0].Type != "error" || o[0].EName != "CompileError" {
		t.Errorf("failing cell outputs %+v", o)
	}
	// A Jupyter-executed copy with an error or without the stored figure is refused.
	if out, err := pmrepl(t, dir, "render", "--check", "--executed", "bad.ipynb", "out.ipynb").CombinedOutput(); err == nil || !strings.Contains(string(out), "error CompileError") {
		t.Errorf("--executed with an error: %v\n%s", err, out)
	}
}
