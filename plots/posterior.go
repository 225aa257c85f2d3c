package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gopm-dev/gopm/pm/diag"
)

// gridShape picks columns and rows for n panels: up to 3 columns (4 from 10
// panels on) so that panels stay wide enough for their labels.
func gridShape(n int) (rows, cols int) {
	cols = min(n, 3)
	if n >= 10 {
		cols = 4
	}
	rows = (n + cols - 1) / cols
	return rows, cols
}

// Posterior draws one Kruschke-style panel per scalar component (ArviZ
// plot_posterior): the density of the pooled draws (a histogram outline for
// discrete variables) with the y axis hidden, the highest-density interval as
// a thick black bar along the base with its end values and "94% HDI" above
// it, and the point estimate ("mean=...") at the top. Reference adds a
// vertical line with the share of mass below and above the value; ROPE adds a
// shaded band with the share of mass inside it.
func Posterior(src any, opts ...Option) (*Figure, error) {
	s, cfg, err := begin(src, opts)
	if err != nil {
		return nil, err
	}
	series, note, err := selectSeries(s, cfg, maxPanels, "")
	if err != nil {
		return nil, err
	}
	rows, cols := gridShape(len(series))
	f := newFigure(cfg, 3.6*float64(cols), 2.7*float64(rows)+0.2, note)
	g := f.addGrid(0, 0, 1, 1, rows, cols)
	g.padX, g.padY = vg.Points(14), vg.Points(10)
	fs := defaultFonts()
	for i, sr := range series {
		p, err := posteriorPanel(cfg, sr, fs)
		if err != nil {
			return nil, err
		}
		g.plots[i/cols][i%cols] = p
	}
	return f, nil
}

// posteriorPanel builds the panel for one series.
func posteriorPanel(cfg *config, sr *series, fs fontSizes) (*plot.Plot, error) {
	x := sr.all()
	if len(x) == 0 {
		return nil, fmt.Errorf("plots: variable %q has no finite draws", sr.label)
	}
	xs, ys, err := densityCurve(x, sr.discrete)
	if err != nil {
		return nil, fmt.Errorf("plots: density of %q: %w", sr.label, err)
	}
	p := newPlot(fs)
	p.Title.Text = shorten(sr.label, labelLen)
	p.X.Label.Text = shorten(sr.label, labelLen) // the y axis (density) is hidden, as ArviZ's
	p.X.Tick.Marker = fewTicks{n: 6}
	p.X.Padding = vg.Points(5) // keeps the HDI bar off the axis line
	hideY(p)
	_, ymax := minMax(ys)
	xlo, xhi := minMax(xs)

	if rope, ok := ropeFor(cfg, sr); ok {
		p.Add(ropeBand(rope[0], rope[1], x, cfg.color(2)))
		xlo, xhi = math.Min(xlo, rope[0]), math.Max(xhi, rope[1])
	}
	p.Add(curve{x: xs, y: ys, color: cfg.color(0), width: vg.Points(1.5)}.plotter())

	lo, hi := diag.HDI(x, cfg.hdiProb)
	p.Add(hdiBar(lo, hi, cfg.hdiProb, fs))

	est, name := pointEstimate(cfg.point, x, xs, ys)
	p.Add(labelFrac(0.5, 0.98, fmt.Sprintf("%s=%s", name, fmtNum(est)), fs.title, color.Black, draw.XCenter, draw.YTop))

	if ref, ok := refFor(cfg, sr); ok {
		below := 0
		for _, v := range x {
			if v < ref {
				below++
			}
		}
		pb := 100 * float64(below) / float64(len(x))
		refCol := cfg.color(1)
		p.Add(plotterFunc(func(c draw.Canvas, p *plot.Plot) {
			tx, ty := p.Transforms(&c)
			X := tx(ref)
			// The label sits in the headroom above the density, under the
			// point estimate, so it never crosses the curve.
			top := c.Y(0.83)
			c.StrokeLine2(draw.LineStyle{Color: refCol, Width: vg.Points(1.5)}, X, ty(0), X, top-vg.Points(2))
			c.FillText(textStyle(fs.label, refCol, draw.XCenter, draw.YBottom), vg.Point{X: X, Y: top},
				fmt.Sprintf("%.1f%% < %s < %.1f%%", pb, fmtNum(ref), 100-pb))
		}))
		xlo, xhi = math.Min(xlo, ref), math.Max(xhi, ref)
	}
	setRange(&p.X, xlo, xhi, 0.04)
	p.Y.Min, p.Y.Max = 0, ymax*1.5 // headroom for the point-estimate, reference and ROPE texts
	return p, nil
}

// hdiBar draws the HDI as a thick black bar at the base of the panel, its end
// values above the ends and "94% HDI" above the middle.
func hdiBar(lo, hi, prob float64, fs fontSizes) plot.Plotter {
	return plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		if math.IsNaN(lo) || math.IsNaN(hi) {
			return
		}
		tx, ty := p.Transforms(&c)
		y := ty(0)
		c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: vg.Points(4)}, tx(lo), y, tx(hi), y)
		small := textStyle(fs.tick, color.Black, draw.XCenter, draw.YBottom)
		c.FillText(small, vg.Point{X: tx(lo), Y: y + vg.Points(4)}, fmtNum(lo))
		c.FillText(small, vg.Point{X: tx(hi), Y: y + vg.Points(4)}, fmtNum(hi))
		mid := textStyle(fs.label, color.Black, draw.XCenter, draw.YBottom)
		c.FillText(mid, vg.Point{X: (tx(lo) + tx(hi)) / 2, Y: y + vg.Points(15)}, fmt.Sprintf("%g%% HDI", math.Round(prob*1000)/10))
	})
}

// ropeFor finds the ROPE of a series by label, variable name, or "" (all).
func ropeFor(cfg *config, sr *series) ([2]float64, bool) {
	for _, k := range []string{sr.label, sr.varName, ""} {
		if r, ok := cfg.ropes[k]; ok {
			return r, true
		}
	}
	return [2]float64{}, false
}

// ropeBand shades the ROPE and prints the share of draws inside it.
func ropeBand(lo, hi float64, x []float64, col color.Color) plot.Plotter {
	in := 0
	for _, v := range x {
		if v >= lo && v <= hi {
			in++
		}
	}
	share := 100 * float64(in) / float64(len(x))
	return plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		tx, _ := p.Transforms(&c)
		x0, x1 := tx(lo), tx(hi)
		c.FillPolygon(withAlpha(col, 0.25), c.ClipPolygonX([]vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}}))
		dark := color.RGBA{R: 0x1a, G: 0x6e, B: 0x1a, A: 255}
		c.FillText(textStyle(9, dark, draw.XCenter, draw.YCenter), vg.Point{X: (x0 + x1) / 2, Y: c.Y(0.75)}, fmt.Sprintf("%.1f%% in ROPE", share))
	})
}

// pointEstimate computes the mean, median or mode (the density's peak).
func pointEstimate(kind string, x, xs, ys []float64) (float64, string) {
	switch kind {
	case "median":
		return diag.Quantile(x, 0.5), "median"
	case "mode":
		best := 0
		for i := range ys {
			if ys[i] > ys[best] {
				best = i
			}
		}
		// A histogram outline repeats the peak height at both edges of the
		// modal bin; its centre is the mode.
		end := best
		for end+1 < len(ys) && ys[end+1] == ys[best] {
			end++
		}
		return (xs[best] + xs[end]) / 2, "mode"
	}
	sum := 0.0
	for _, v := range x {
		sum += v
	}
	return sum / float64(len(x)), "mean"
}
