package kernel

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"image/png"
	"os/exec"
	"reflect"
	"strings"
	"time"

	"github.com/gopm-dev/gopm/display"
	"github.com/gopm-dev/gopm/plots"
	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/repl"
)

// renderResult chooses the bundle of a cell's value: gopm's own types get the
// notebook rendering PyMC users know (a figure as one PNG, a model as its graph, a
// trace as an overview); anything else is shown as the engine rendered it
// (gophernotes' rules).
func (k *Kernel) renderResult(res *repl.Result) *display.Data {
	var v any
	n := 0
	for _, x := range res.Values {
		if !isNil(x) {
			v = x
			n++
		}
	}
	if n == 1 {
		switch x := v.(type) {
		case *plots.Figure:
			if d, ok := figureData(x); ok {
				return &d
			}
		case *pm.Model:
			d := modelData(x)
			return &d
		case *pm.Trace:
			d := traceData(x)
			return &d
		}
	}
	return res.Data
}

// isNil reports a nil value or nil pointer (a function's nil error is a nil any).
func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	return v == nil || rv.Kind() == reflect.Pointer && rv.IsNil()
}

// figureData renders a figure as PNG only: Jupyter front-ends prefer SVG to PNG when a
// bundle has both, and gopm's figures are meant to be seen as the PNG they save.
func figureData(f *plots.Figure) (display.Data, bool) {
	img := f.Image()
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return display.Data{}, false
	}
	b := img.Bounds()
	return display.Data{
		Data:     display.MIMEMap{display.MIMETypePNG: buf.Bytes(), display.MIMETypeText: fmt.Sprintf("<Figure %dx%d>", b.Dx(), b.Dy())},
		Metadata: display.MIMEMap{display.MIMETypePNG: display.MIMEMap{"width": b.Dx(), "height": b.Dy()}},
	}, true
}

// modelData renders a model as its graph: SVG drawn by Graphviz's dot when it is
// installed, else the model's text description (with the DOT source for reference).
func modelData(m *pm.Model) display.Data {
	text := m.String()
	d := display.Data{Data: display.MIMEMap{display.MIMETypeText: text}}
	if svg, err := dotSVG(m.Graph()); err == nil {
		d.Data[display.MIMETypeSVG] = svg
	}
	return d
}

// dotSVG runs dot -Tsvg on a graph (for at most 10 seconds).
func dotSVG(dot string) (string, error) {
	path, err := exec.LookPath("dot")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-Tsvg")
	cmd.Stdin = strings.NewReader(dot)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("dot: %v: %s", err, errb.String())
	}
	s := out.String()
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:] // drop the XML prolog and doctype
	}
	return s, nil
}

// traceData renders a trace as a short HTML overview: chains, draws, variables,
// sampler, divergences, time and the run's warnings.
func traceData(t *pm.Trace) display.Data {
	var b strings.Builder
	b.WriteString(`<div class="gopm-trace"><table>`)
	row := func(k, v string) {
		fmt.Fprintf(&b, `<tr><th style="text-align:left">%s</th><td style="text-align:left">%s</td></tr>`, k, v)
	}
	row("chains", fmt.Sprint(t.NChains()))
	row("draws", fmt.Sprintf("%d per chain", t.NDraws()))
	var vars []string
	for _, v := range t.Vars {
		s := html.EscapeString(v.Name)
		if len(v.Shape) > 0 {
			s += " <small>" + html.EscapeString(fmt.Sprint(v.Shape)) + "</small>"
		}
		vars = append(vars, s)
	}
	row("variables", strings.Join(vars, ", "))
	if t.Sampler != "" {
		row("sampler", html.EscapeString(t.Sampler))
	}
	div := t.Divergences()
	divText := fmt.Sprint(div)
	if div > 0 {
		divText = `<span style="color:#b00">` + divText + `</span>`
	}
	row("divergences", divText)
	if len(t.SamplingSeconds) > 0 {
		w, s := 0.0, 0.0
		for i := range t.SamplingSeconds {
			s = max(s, t.SamplingSeconds[i])
			if i < len(t.WarmupSeconds) {
				w = max(w, t.WarmupSeconds[i])
			}
		}
		row("time", fmt.Sprintf("%.2f s warm-up, %.2f s sampling (slowest chain)", w, s))
	}
	if t.Backend != "" {
		row("backend", html.EscapeString(t.Backend))
	}
	if t.Cancelled {
		row("status", `<span style="color:#b00">interrupted: partial trace</span>`)
	}
	b.WriteString("</table>")
	b.WriteString(warningsHTML(t.Warnings))
	b.WriteString("</div>")
	text := t.String()
	for _, w := range t.Warnings {
		text += "\nwarning: " + w
	}
	return display.Data{Data: display.MIMEMap{display.MIMETypeHTML: b.String(), display.MIMETypeText: text}}
}

// warningsHTML is a styled block listing sampling warnings ("" without warnings).
func warningsHTML(ws []string) string {
	if len(ws) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<div style="background:#fdf3e7;border-left:4px solid #e8a33d;padding:4px 8px;margin-top:4px"><b>Sampling warnings</b><ul style="margin:2px 0">`)
	for _, w := range ws {
		b.WriteString("<li>" + html.EscapeString(w) + "</li>")
	}
	b.WriteString("</ul></div>")
	return b.String()
}
