package notebook

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gopm-dev/gopm/display"
	"github.com/gopm-dev/gopm/repl"
)

// Options configure Execute.
type Options struct {
	// CellTimeout bounds each cell's run (0: no bound); a cell that runs
	// longer is interrupted and reported as an error.
	CellTimeout time.Duration
	// OnCell, when set, is called after each code cell with its number
	// (1, 2, ... over code cells), the cell and how long it ran.
	OnCell func(n int, c *Cell, took time.Duration)
	// Engine overrides the engine options (tests load fewer packages).
	Engine repl.Options
}

// CellError is the error of the first code cell that failed.
type CellError struct {
	N      int    // code cell number, from 1
	Source string // its first line
	Err    error
}

func (e *CellError) Error() string {
	return fmt.Sprintf("code cell %d (%s): %v", e.N, firstLine(e.Source), e.Err)
}

func (e *CellError) Unwrap() error { return e.Err }

// Execute runs the code cells of nb in order in a fresh engine session and
// stores their outputs, execution counts and source hashes. It stops at the
// first cell that fails, as Jupyter's nbconvert does: that cell gets an
// error output and the cells after it are left unexecuted (no outputs, no
// count), and Execute returns a *CellError. Cells run under ctx; cancelling
// it interrupts the running cell.
func Execute(ctx context.Context, nb *Notebook, opts Options) error {
	eo := opts.Engine
	if eo.Stdin == nil {
		eo.Stdin = strings.NewReader("")
	}
	e, err := repl.New(eo)
	if err != nil {
		return err
	}
	defer e.Close()
	n := 0
	var failed error
	for _, c := range nb.Cells {
		if c.Type != "code" {
			continue
		}
		n++
		if failed != nil {
			c.Outputs, c.ExecutionCount = nil, 0
			delete(c.Metadata, metaKey)
			continue
		}
		start := time.Now()
		cctx, cancel := ctx, context.CancelFunc(func() {})
		if opts.CellTimeout > 0 {
			cctx, cancel = context.WithTimeout(ctx, opts.CellTimeout)
		}
		res, err := e.EvalSource(cctx, repl.Source{Code: c.Source})
		timedOut := errors.Is(cctx.Err(), context.DeadlineExceeded)
		cancel()
		c.ExecutionCount = res.Cell
		c.Outputs = outputs(res)
		c.setHash()
		if err != nil {
			if timedOut {
				err = fmt.Errorf("%w (the cell ran longer than %v)", err, opts.CellTimeout)
			}
			c.Outputs = append(c.Outputs, errorOutput(err))
			failed = &CellError{N: n, Source: c.Source, Err: err}
		}
		if opts.OnCell != nil {
			opts.OnCell(n, c, time.Since(start))
		}
	}
	return failed
}

// outputs converts a cell's results to nbformat outputs.
func outputs(res *repl.Result) []Output {
	var out []Output
	for _, o := range res.Outputs {
		switch o.Name {
		case "stdout", "stderr":
			out = append(out, Output{Type: "stream", Name: o.Name, Text: o.Text})
		case "display":
			out = append(out, Output{Type: "display_data", Data: mimeData(o.Data.Data), Metadata: metadata(o.Data.Metadata)})
		}
	}
	if res.Data != nil {
		out = append(out, Output{Type: "execute_result", ExecutionCount: res.Cell,
			Data: mimeData(res.Data.Data), Metadata: metadata(res.Data.Metadata)})
	}
	return out
}

// mimeData converts a display bundle to nbformat's representation: binary
// types as base64 text, text as strings, JSON types as values. When a PNG is
// there, the SVG of the same figure is left out: the notebook stays small and
// every front-end shows the PNG.
func mimeData(d display.MIMEMap) map[string]any {
	out := map[string]any{}
	for k, v := range d {
		switch v := v.(type) {
		case []byte:
			if isBinary(k) {
				out[k] = base64.StdEncoding.EncodeToString(v)
			} else {
				out[k] = string(v)
			}
		case string:
			out[k] = v
		default:
			out[k] = v
		}
	}
	if _, ok := out["image/png"]; ok {
		delete(out, "image/svg+xml")
	}
	return out
}

// metadata keeps the JSON-encodable part of display metadata: image sizes
// are nested per MIME type, as Jupyter expects.
func metadata(m display.MIMEMap) map[string]any {
	if len(m) == 0 {
		return map[string]any{}
	}
	out := map[string]any{}
	for k, v := range m {
		if k == "image/svg+xml" {
			continue
		}
		out[k] = v
	}
	return out
}

// errorOutput is the error output of a failed cell: ename is the kind of
// error, evalue its message with the position in the cell, the traceback its
// lines and the interpreted call chain.
func errorOutput(err error) Output {
	o := Output{Type: "error", EName: "Error", EValue: err.Error()}
	var re *repl.Error
	if errors.As(err, &re) {
		o.EName = re.Kind.String()
	}
	o.Traceback = strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
	if re != nil && len(re.Trace) > 1 {
		for _, f := range re.Trace {
			o.Traceback = append(o.Traceback, "\tat "+f)
		}
	}
	return o
}
