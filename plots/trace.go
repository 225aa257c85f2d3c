package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxPanels caps the rows or panels of one figure, as ArviZ's
// plot.max_subplots does: past it a figure is unreadable and slow. The title
// says what was left out.
const maxPanels = 40

// traceChunk is the number of segments stroked at a time in trace panels.
const traceChunk = 16

// labelLen is the longest panel label; longer ones are shortened in the middle.
const labelLen = 36

// row is one row of a Trace: a scalar series, or the components of a vector.
type row struct {
	label  string
	series []*series
}

// rowsOf groups the selection into rows: one per variable, or one per
// component when split is set.
func rowsOf(sel selection, split bool) []row {
	all := sel.series()
	var rows []row
	if split {
		for _, s := range all {
			rows = append(rows, row{label: s.label, series: []*series{s}})
		}
		return rows
	}
	for _, s := range all {
		if n := len(rows); n > 0 && rows[n-1].series[0].varName == s.varName {
			rows[n-1].series = append(rows[n-1].series, s)
			continue
		}
		rows = append(rows, row{label: s.label, series: []*series{s}})
	}
	for i := range rows {
		if len(rows[i].series) > 1 {
			rows[i].label = rows[i].series[0].varName
		}
	}
	return rows
}

// capRows keeps the first maxPanels rows and describes the cut.
func capRows(rows []row) ([]row, string) {
	if len(rows) <= maxPanels {
		return rows, ""
	}
	return rows[:maxPanels], fmt.Sprintf("first %d of %d shown; choose with plots.Vars", maxPanels, len(rows))
}

// refFor finds the reference value of a series: by component label
// ("beta[2]") first, then by variable name and component index (a single
// value applies to every component).
func refFor(cfg *config, s *series) (float64, bool) {
	if v, ok := cfg.refs[s.label]; ok && len(v) > 0 {
		return v[0], true
	}
	v, ok := cfg.refs[s.varName]
	if !ok || len(v) == 0 {
		return 0, false
	}
	if len(v) == 1 {
		return v[0], true
	}
	if s.comp < len(v) {
		return v[s.comp], true
	}
	return 0, false
}

// checkStats validates the optional sampler statistics against the draws.
func checkStats(s *Samples, sel selection) error {
	if len(s.Diverging) == 0 || len(sel.vars) == 0 {
		return nil
	}
	v := sel.vars[0]
	if len(s.Diverging) != len(v.Draws) {
		return fmt.Errorf("plots: Diverging has %d chains but variable %q has %d", len(s.Diverging), v.Name, len(v.Draws))
	}
	for c := range s.Diverging {
		if len(s.Diverging[c]) != len(v.Draws[c]) {
			return fmt.Errorf("plots: Diverging chain %d has %d draws but variable %q has %d", c, len(s.Diverging[c]), v.Name, len(v.Draws[c]))
		}
	}
	return nil
}

func configErr(cfg *config) error {
	if len(cfg.errs) == 0 {
		return nil
	}
	return errors.New("plots: bad option " + cfg.errs[0])
}

// Trace draws one row per variable: on the left the density of each chain
// (a histogram outline for discrete variables), on the right the draws against
// the iteration, one line per chain, with divergent transitions as black ticks
// along the bottom. A vector variable shares one row, coloured by component
// (chains pooled in the density); SplitComponents(true) gives each component
// its own row. A legend names the components of a vector row (beta[0],
// beta[1], ...) and, once, the chains; axes are labelled (density and value,
// value and draw). Reference adds reference lines; Combined(true) pools chains
// in the density.
func Trace(src any, opts ...Option) (*Figure, error) {
	s, cfg, err := begin(src, opts)
	if err != nil {
		return nil, err
	}
	sel, err := selectVars(s, cfg.vars)
	if err != nil {
		return nil, err
	}
	if err := checkStats(s, sel); err != nil {
		return nil, err
	}
	rows, note := capRows(rowsOf(sel, cfg.split))
	rowH := 1.7
	f := newFigure(cfg, 10, math.Max(2.2, rowH*float64(len(rows))+0.3), note)
	g := f.addGrid(0, 0, 1, 1, len(rows), 2)
	g.padX = vg.Points(16)
	fs := defaultFonts()
	chainLegend := false
	for r, rw := range rows {
		dp, err := traceDensityPanel(cfg, rw, fs)
		if err != nil {
			return nil, err
		}
		tp := traceLinePanel(cfg, s, rw, fs)
		chainLegend = traceRowLegend(dp, cfg, rw, fs, chainLegend)
		// Axis labels: short, so that many rows stay readable; the x labels once, under the
		// last row (the row titles name the variables).
		dp.Y.Label.Text, tp.Y.Label.Text = "density", "value"
		if r == len(rows)-1 {
			dp.X.Label.Text, tp.X.Label.Text = "value", "draw"
		}
		g.plots[r][0], g.plots[r][1] = dp, tp
	}
	return f, nil
}

// traceRowLegend says which colour is which in a trace row's density panel: the components of
// a vector row, and the chains once (in the first row coloured by chain, chainDone false). It
// reports whether the chains have now been named.
func traceRowLegend(dp *plot.Plot, cfg *config, rw row, fs fontSizes, chainDone bool) bool {
	if len(rw.series) > 1 {
		var names []string
		for _, sr := range rw.series {
			names = append(names, sr.label)
		}
		addLegend(dp, cfg, names, fs)
		return chainDone
	}
	if n := len(rw.series[0].chains); n > 1 && !chainDone && !cfg.combined {
		var names []string
		for c := 0; c < n; c++ {
			names = append(names, fmt.Sprintf("chain %d", c))
		}
		addLegend(dp, cfg, names, fs)
		return true
	}
	return chainDone
}

// maxLegend is the most entries a panel legend lists; the rest are counted.
const maxLegend = 8

// addLegend adds a legend of coloured lines (colour i for names[i]) at the top right of p, and
// raises the y range so that the legend sits above the curves.
func addLegend(p *plot.Plot, cfg *config, names []string, fs fontSizes) {
	p.Y.Max = p.Y.Min + (p.Y.Max-p.Y.Min)*(1+0.16*float64(min(len(names), maxLegend)))
	p.Legend.TextStyle.Font = font.From(sans, fs.tick)
	p.Legend.Top = true
	p.Legend.ThumbnailWidth = vg.Points(12)
	p.Legend.Padding = vg.Points(1)
	for i, n := range names {
		if i == maxLegend-1 && len(names) > maxLegend {
			p.Legend.Add(fmt.Sprintf("... %d more (up to %s)", len(names)-i, names[len(names)-1]))
			break
		}
		p.Legend.Add(n, legendLine{color: cfg.color(i)})
	}
}

// legendLine is a legend entry's thumbnail: a short line in the entry's colour.
type legendLine struct{ color color.Color }

// Thumbnail implements plot.Thumbnailer.
func (l legendLine) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(draw.LineStyle{Color: l.color, Width: vg.Points(1.5)}, c.Min.X, y, c.Max.X, y)
}

func traceDensityPanel(cfg *config, rw row, fs fontSizes) (*plot.Plot, error) {
	p := newPlot(fs)
	p.Title.Text = shorten(rw.label, labelLen)
	p.X.Tick.Marker = fewTicks{n: 6}
	p.Y.Tick.Marker = fewTicks{n: 3}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ymax := 0.0
	vector := len(rw.series) > 1
	var curves []curve
	for i, s := range rw.series {
		var groups [][]float64
		if cfg.combined || vector {
			groups = [][]float64{s.all()}
		} else {
			groups = s.chains
		}
		for c, x := range groups {
			xs, ys, err := densityCurve(x, s.discrete)
			if err != nil {
				return nil, fmt.Errorf("plots: density of %q: %w", s.label, err)
			}
			col := cfg.color(c)
			if vector {
				col = cfg.color(i)
			}
			curves = append(curves, curve{x: xs, y: ys, color: col, width: vg.Points(1.2)})
			lo, hi := minMax(xs)
			xlo, xhi = math.Min(xlo, lo), math.Max(xhi, hi)
			_, yh := minMax(ys)
			ymax = math.Max(ymax, yh)
		}
	}
	for _, cv := range curves {
		p.Add(cv.plotter())
	}
	for _, s := range rw.series {
		if v, ok := refFor(cfg, s); ok {
			p.Add(vline(v, color.Black, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(2)}))
			xlo, xhi = math.Min(xlo, v), math.Max(xhi, v)
		}
	}
	setRange(&p.X, xlo, xhi, 0.02)
	p.Y.Min, p.Y.Max = 0, ymax*1.05
	if !(ymax > 0) {
		p.Y.Max = 1
	}
	return p, nil
}

func traceLinePanel(cfg *config, s *Samples, rw row, fs fontSizes) *plot.Plot {
	p := newPlot(fs)
	p.Title.Text = shorten(rw.label, labelLen)
	p.X.Tick.Marker = fewTicks{n: 6}
	p.Y.Tick.Marker = fewTicks{n: 4}
	vector := len(rw.series) > 1
	ylo, yhi := math.Inf(1), math.Inf(-1)
	ndraw := 0
	for _, sr := range rw.series {
		for _, ch := range sr.chains {
			lo, hi := minMax(finite(ch))
			ylo, yhi = math.Min(ylo, lo), math.Max(yhi, hi)
			ndraw = max(ndraw, len(ch))
		}
	}
	series := rw.series
	width := vg.Points(0.8)
	if vector && len(series)*len(series[0].chains) > 40 {
		width = vg.Points(0.5) // many lines: thinner so the band stays legible
	}
	p.Add(plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		tx, ty := p.Transforms(&c)
		for i, sr := range series {
			for ci, ch := range sr.chains {
				col := cfg.color(ci)
				if vector {
					col = cfg.color(i)
				}
				pts := make([]vg.Point, 0, len(ch))
				for d, v := range ch {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						continue
					}
					pts = append(pts, vg.Point{X: tx(float64(d)), Y: ty(v)})
				}
				// Long noisy polylines are slow in the rasterizer (its
				// per-row cell lists grow with the path); short pieces that
				// share their end points draw the same line several times
				// faster.
				sty := draw.LineStyle{Color: withAlpha(col, cfg.alpha), Width: width}
				for a := 0; a+1 < len(pts); a += traceChunk {
					c.StrokeLines(sty, pts[a:min(a+traceChunk+1, len(pts))])
				}
			}
		}
	}))
	if len(s.Diverging) > 0 {
		p.Add(divergenceTicks(s.Diverging))
	}
	for _, sr := range rw.series {
		if v, ok := refFor(cfg, sr); ok {
			p.Add(hline(v, color.Black, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(2)}))
			ylo, yhi = math.Min(ylo, v), math.Max(yhi, v)
		}
	}
	setRange(&p.Y, ylo, yhi, 0.02)
	p.X.Min, p.X.Max = 0, float64(max(ndraw-1, 1))
	return p
}

// divergenceTicks marks divergent draws as short black ticks rising from
// the bottom of the panel ("|" markers in ArviZ), one per divergent draw.
func divergenceTicks(div [][]bool) plot.Plotter {
	return plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		tx, _ := p.Transforms(&c)
		sty := draw.LineStyle{Color: color.Black, Width: vg.Points(1)}
		for _, ch := range div {
			for d, bad := range ch {
				if bad {
					X := tx(float64(d))
					c.StrokeLine2(sty, X, c.Min.Y, X, c.Min.Y+vg.Points(7))
				}
			}
		}
	})
}
