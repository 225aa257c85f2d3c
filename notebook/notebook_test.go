package notebook

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nbformatCheck validates a notebook file against the nbformat schema with
// Debian's python3-nbformat, and skips when it is not installed.
func nbformatCheck(t *testing.T, path string) {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3: nbformat validation skipped")
	}
	if exec.Command(py, "-c", "import nbformat").Run() != nil {
		t.Skip("python3-nbformat is not installed (apt-get install python3-nbformat): validation skipped")
	}
	script := `import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)
assert nb.nbformat == 4, nb.nbformat
nbformat.validate(nb)`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("%s is not a valid nbformat 4 notebook: %v\n%s", path, err, out)
	}
}

const sample = `{
 "cells": [
  {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# Title\n", "Some *text* and ` + "`code`" + `."]},
  {"cell_type": "code", "id": "c1", "execution_count": null, "metadata": {"tags": ["x"]}, "outputs": [], "source": ["x := 40\n", "fmt.Println(\"x is\", x)\n", "x + 2"]},
  {"cell_type": "code", "id": "c2", "execution_count": null, "metadata": {}, "outputs": [], "source": "import \"os\"\nfmt.Fprintln(os.Stderr, \"to stderr\")\nDisplay(display.HTML(\"<b>bold</b>\"))"},
  {"cell_type": "code", "id": "c3", "execution_count": null, "metadata": {}, "outputs": [], "source": "display.PNG(png)"},
  {"cell_type": "code", "id": "c4", "execution_count": null, "metadata": {}, "outputs": [], "source": "var s []int\ns[3] = 1"},
  {"cell_type": "code", "id": "c5", "execution_count": null, "metadata": {}, "outputs": [], "source": "fmt.Println(\"never\")"}
 ],
 "metadata": {"kernelspec": {"display_name": "Go (gopm)", "language": "go", "name": "gopm"}},
 "nbformat": 4,
 "nbformat_minor": 5
}`

// A tiny valid PNG (1x1, white).
var pngBytes, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC")

func TestExecute(t *testing.T) {
	src := strings.Replace(sample, `"source": "display.PNG(png)"`, `"source": "import \"encoding/base64\"\npng, _ := base64.StdEncoding.DecodeString(\"`+base64.StdEncoding.EncodeToString(pngBytes)+`\")\ndisplay.PNG(png)"`, 1)
	nb, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	err = Execute(context.Background(), nb, Options{CellTimeout: time.Minute})
	var ce *CellError
	if !errors.As(err, &ce) || ce.N != 4 || !strings.Contains(err.Error(), "index out of range") {
		t.Fatalf("error %v, want a CellError for code cell 4 naming the index", err)
	}
	c := nb.Cells
	// Cell 1: a stream then the value.
	if got := c[1].Outputs; len(got) != 2 || got[0].Type != "stream" || got[0].Text != "x is 40\n" ||
		got[1].Type != "execute_result" || got[1].Data["text/plain"] != "42" || got[1].ExecutionCount != 1 {
		t.Errorf("cell 1 outputs %+v", got)
	}
	if c[1].ExecutionCount != 1 || c[1].StoredHash() != SourceHash(c[1].Source) || c[1].Metadata["tags"] == nil {
		t.Errorf("cell 1: count %d, hash %q, metadata %v", c[1].ExecutionCount, c[1].StoredHash(), c[1].Metadata)
	}
	// Cell 2: stderr, then display_data with HTML.
	if got := c[2].Outputs; len(got) != 2 || got[1].Type != "display_data" || got[1].Data["text/html"] != "<b>bold</b>" ||
		got[0].Type != "stream" || got[0].Name != "stderr" || got[0].Text != "to stderr\n" {
		t.Errorf("cell 2 outputs %+v", got)
	}
	// Cell 3: the PNG as base64.
	if got := c[3].Outputs; len(got) != 1 || got[0].Data["image/png"] != base64.StdEncoding.EncodeToString(pngBytes) {
		t.Errorf("cell 3 outputs %+v", got)
	}
	// Cell 4: the error output; cell 5 not run.
	if got := c[4].Outputs; len(got) != 1 || got[0].Type != "error" || got[0].EName != "Panic" ||
		!strings.Contains(got[0].EValue, "cell 4, line 2") {
		t.Errorf("cell 4 outputs %+v", got)
	}
	if c[5].ExecutionCount != 0 || len(c[5].Outputs) != 0 || c[5].StoredHash() != "" {
		t.Errorf("cell 5 ran after the error: %+v", c[5])
	}
	stale := nb.Stale()
	if len(stale) != 2 || !strings.Contains(stale[0], "code cell 4") || !strings.Contains(stale[1], "code cell 5 (fmt.Println(\"never\")): not executed") {
		t.Errorf("stale %q", stale)
	}

	path := filepath.Join(t.TempDir(), "out.ipynb")
	if err := nb.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := nb.Marshal()
	b2, _ := back.Marshal()
	if string(b1) != string(b2) {
		t.Error("a written notebook does not read back the same")
	}
	nbformatCheck(t, path)
}

// Editing a cell's source after execution makes its outputs stale.
func TestStale(t *testing.T) {
	nb, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	nb.Cells = nb.Cells[:2]
	if err := Execute(context.Background(), nb, Options{}); err != nil {
		t.Fatal(err)
	}
	if s := nb.Stale(); len(s) != 0 {
		t.Fatalf("fresh outputs reported stale: %q", s)
	}
	nb.Cells[1].Source += " + 1"
	if s := nb.Stale(); len(s) != 1 || !strings.Contains(s[0], "source changed") {
		t.Errorf("edited cell: %q", s)
	}
	nb.Cells[1].Metadata = map[string]any{}
	if s := nb.Stale(); len(s) != 1 || !strings.Contains(s[0], "no source hash") {
		t.Errorf("cell without hash: %q", s)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{`, "not a JSON notebook"},
		{`{"nbformat": 3, "cells": []}`, "nbformat 3 is not supported"},
		{`{"nbformat": 4, "cells": [{"source": "x"}]}`, "cell 1: no cell_type"},
	} {
		if _, err := Parse([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%s): %v, want %q", c.in, err, c.want)
		}
	}
}

func TestMarkdown(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"# A *b*", "<h1>A <em>b</em></h1>\n"},
		{"text with `a<b` and **bold**", "<p>text with <code>a&lt;b</code> and <strong>bold</strong></p>\n"},
		{"- one\n- two `x`", "<ul>\n<li>one</li>\n<li>two <code>x</code></li>\n</ul>\n"},
		{"1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"},
		{"```go\nx := 1 < 2\n```", "<pre><code>x := 1 &lt; 2</code></pre>\n"},
		{"    indented code", "<pre><code>indented code</code></pre>\n"},
		{"a [link](http://x.org/a_b) here", "<p>a <a href=\"http://x.org/a_b\">link</a> here</p>\n"},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<table>\n<thead><tr><th>a</th><th>b</th></tr></thead>\n<tbody>\n<tr><td>1</td><td>2</td></tr>\n</tbody></table>\n"},
		{"snake_case_name stays", "<p>snake_case_name stays</p>\n"},
	} {
		if got := Markdown(c.in); got != c.want {
			t.Errorf("Markdown(%q) =\n%q\nwant\n%q", c.in, got, c.want)
		}
	}
}

func TestHTML(t *testing.T) {
	nb, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	nb.Cells = nb.Cells[:2]
	if err := Execute(context.Background(), nb, Options{}); err != nil {
		t.Fatal(err)
	}
	page := string(nb.HTML("sample <1>"))
	for _, want := range []string{"<title>sample &lt;1&gt;</title>", "<h1>Title</h1>", "In [1]:", "Out [1]:", "<pre class=\"stdout\">x is 40\n</pre>",
		`<span class="n">40</span>`, `<span class="s">&#34;x is&#34;</span>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// A Jupyter run that drops a figure or fails a cell is reported, cell by cell.
func TestFigureProblems(t *testing.T) {
	stored := &Notebook{Cells: []*Cell{
		{Type: "markdown", Source: "# x"},
		{Type: "code", Source: "plots.Trace(tr)", Outputs: []Output{{Type: "execute_result", Data: map[string]any{"image/png": "iVBOR", "text/plain": "figure"}}}},
		{Type: "code", Source: "x := 1", Outputs: nil},
	}}
	same := &Notebook{Cells: []*Cell{stored.Cells[0], stored.Cells[1], stored.Cells[2]}}
	if p := FigureProblems(stored, same); len(p) != 0 {
		t.Errorf("identical notebooks: %q", p)
	}
	executed := &Notebook{Cells: []*Cell{
		stored.Cells[0],
		{Type: "code", Source: "plots.Trace(tr)", Outputs: []Output{{Type: "execute_result", Data: map[string]any{"text/plain": "figure"}}}},
		{Type: "code", Source: "x := 1", Outputs: []Output{{Type: "error", EName: "Panic", EValue: "boom"}}},
	}}
	p := FigureProblems(stored, executed)
	if len(p) != 2 || !strings.Contains(p[0], "code cell 1 (plots.Trace(tr)): makes a figure but has no image/png output") ||
		!strings.Contains(p[1], "code cell 2 (x := 1): error Panic: boom") {
		t.Errorf("problems %q", p)
	}
	if p := FigureProblems(stored, &Notebook{}); len(p) != 1 || !strings.Contains(p[0], "has 0 cells, the stored one 3") {
		t.Errorf("different cell counts: %q", p)
	}
}
