package plots

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gopm-dev/gopm/pm"
)

// ELBO draws the ELBO history of a variational fit (pm.Model.Fit), as PyMC users plot
// approx.hist: the estimates against the iteration for ADVI, and one line per path against the
// L-BFGS iteration for Pathfinder, with the best approximation of each path marked. The y axis
// leaves out far lower estimates (its lower end is the 5% quantile of the estimates, and at
// most ten times the climb from the first estimate below the best; the label says so when
// values were cut) so that convergence stays visible.
func ELBO(fit *pm.Approximation, opts ...Option) (*Figure, error) {
	cfg := newConfig(opts)
	if err := configErr(cfg); err != nil {
		return nil, err
	}
	if fit == nil {
		return nil, fmt.Errorf("plots: ELBO: nil approximation")
	}
	type line struct {
		x, y []float64
	}
	var lines []line
	if len(fit.PathELBO) > 0 {
		for _, e := range fit.PathELBO {
			l := line{}
			for i, v := range e {
				l.x = append(l.x, float64(i+1))
				l.y = append(l.y, v)
			}
			lines = append(lines, l)
		}
	} else {
		l := line{}
		for i, v := range fit.ELBO {
			l.x = append(l.x, float64(fit.ELBOIter[i]))
			l.y = append(l.y, v)
		}
		lines = append(lines, l)
	}
	var all []float64
	for _, l := range lines {
		for _, v := range l.y {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				all = append(all, v)
			}
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("plots: ELBO: the fit has no finite ELBO estimate")
	}
	// The first estimate of each line sets the scale: the axis reaches at most ten times the
	// climb from there below the best, so that a path that runs off to −10¹⁷ stays readable.
	first := math.Inf(1)
	for _, l := range lines {
		for _, v := range l.y {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				first = math.Min(first, v)
				break
			}
		}
	}
	sort.Float64s(all)
	lo, hi := all[int(0.05*float64(len(all)-1))], all[len(all)-1]
	if span := hi - first; span > 0 {
		lo = math.Max(lo, hi-10*span)
	}
	cut := all[0] < lo
	f := newFigure(cfg, 6, 3.5, "")
	g := f.addGrid(0, 0, 1, 1, 1, 1)
	p := newPlot(defaultFonts())
	p.Title.Text = fit.Method
	p.X.Label.Text = "iteration"
	if len(fit.PathELBO) > 0 {
		p.X.Label.Text = "L-BFGS iteration"
	}
	p.Y.Label.Text = "ELBO"
	if cut {
		p.Y.Label.Text = "ELBO (lowest values cut)"
	}
	xmax := 1.0
	var entries []legendEntry
	for i, l := range lines {
		l := l
		col := cfg.color(i)
		if len(l.x) > 0 {
			xmax = math.Max(xmax, l.x[len(l.x)-1])
		}
		best := -1
		for j, v := range l.y {
			if !math.IsNaN(v) && !math.IsInf(v, 0) && (best < 0 || v > l.y[best]) {
				best = j
			}
		}
		p.Add(plotterFunc(func(c draw.Canvas, pp *plot.Plot) {
			ys := make([]float64, len(l.y))
			for j, v := range l.y {
				ys[j] = v
				if math.IsInf(v, 0) {
					ys[j] = math.NaN()
				}
			}
			lineXY(c, pp, draw.LineStyle{Color: col, Width: vg.Points(1.2)}, l.x, ys)
			if best >= 0 && len(lines) > 1 || best >= 0 && len(fit.PathELBO) > 0 {
				tx, ty := pp.Transforms(&c)
				pt := vg.Point{X: tx(l.x[best]), Y: ty(l.y[best])}
				if c.Contains(pt) {
					c.DrawGlyph(draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}, pt)
				}
			}
		}))
		if len(lines) > 1 && best >= 0 {
			entries = append(entries, legendEntry{text: fmt.Sprintf("path %d: best %s", i, fmtNum(l.y[best])), color: col})
		}
	}
	if len(lines) == 1 && len(fit.ELBO) > 0 {
		entries = append(entries, legendEntry{text: "final " + fmtNum(fit.ELBO[len(fit.ELBO)-1]), color: cfg.color(0)})
	}
	if len(entries) > 0 {
		p.Add(legend(entries, 8))
	}
	setRange(&p.X, 0, xmax, 0.02)
	setRange(&p.Y, lo, hi, 0.05)
	p.Y.Max += 0.08 * float64(len(entries)) * (hi - lo)
	g.plots[0][0] = p
	return f, nil
}
