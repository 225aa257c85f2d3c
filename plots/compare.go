package plots

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gopm-dev/gopm/pm"
)

var (
	warnColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 255} // tab10 red
	okColor   = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 255} // tab10 orange
	greyColor = color.Gray{Y: 120}
)

// Compare draws a model comparison as ArviZ's plot_compare does: one row per model, best at
// the top, with its elpd (filled circle) and standard error, and below it, for every other
// model, the difference to the best model placed at best − elpd_diff (grey triangle) with the
// standard error of the difference. A dashed line marks the best model's elpd. Row labels
// carry the models' weights.
func Compare(cmp *pm.Comparison, opts ...Option) (*Figure, error) {
	if cmp == nil || len(cmp.Rows) == 0 {
		return nil, fmt.Errorf("plots: Compare needs a comparison from pm.Compare")
	}
	cfg := newConfig(opts)
	if err := configErr(cfg); err != nil {
		return nil, err
	}
	n := len(cmp.Rows)
	f := newFigure(cfg, 6.5, math.Max(2.4, 0.6*float64(n)+1.3), "")
	fs := defaultFonts()
	p := newPlot(fs)
	p.Title.Text = "Model comparison (higher is better)"
	p.X.Label.Text = "elpd_" + cmp.IC + " (log)"
	ticks := make([]plot.Tick, n)
	best := cmp.Rows[0]
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, r := range cmp.Rows {
		y := float64(n - 1 - i)
		ticks[i] = plot.Tick{Value: y, Label: fmt.Sprintf("%s (w=%.2f)", shorten(r.Name, 24), r.Weight)}
		lo, hi = math.Min(lo, r.ELPD-r.SE), math.Max(hi, r.ELPD+r.SE)
		if i > 0 {
			d := best.ELPD - r.ELPDDiff
			lo, hi = math.Min(lo, d-r.DSE), math.Max(hi, d+r.DSE)
		}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.LineStyle.Width = 0
	p.Y.Tick.LineStyle.Width = 0
	p.X.Tick.Marker = fewTicks{n: 6}
	p.Add(vline(best.ELPD, greyColor, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(3)}))
	col := cfg.color(0)
	p.Add(plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		tx, ty := p.Transforms(&c)
		for i, r := range cmp.Rows {
			y := float64(n - 1 - i)
			Y := ty(y)
			c.StrokeLine2(draw.LineStyle{Color: col, Width: vg.Points(1.5)}, tx(r.ELPD-r.SE), Y, tx(r.ELPD+r.SE), Y)
			c.DrawGlyph(draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}, vg.Point{X: tx(r.ELPD), Y: Y})
			if i > 0 {
				Yd := ty(y - 0.3)
				d := best.ELPD - r.ELPDDiff
				c.StrokeLine2(draw.LineStyle{Color: greyColor, Width: vg.Points(1.2)}, tx(d-r.DSE), Yd, tx(d+r.DSE), Yd)
				c.DrawGlyph(draw.GlyphStyle{Color: greyColor, Radius: vg.Points(3.5), Shape: draw.TriangleGlyph{}}, vg.Point{X: tx(d), Y: Yd})
			}
		}
	}))
	p.Add(legend([]legendEntry{
		{text: "elpd ± se", color: col},
		{text: "difference to the best ± dse", color: greyColor},
	}, 8))
	setRange(&p.X, lo, hi, 0.08)
	p.Y.Min, p.Y.Max = -0.6, float64(n)+0.4 // room for the legend above the best model
	f.addGrid(0, 0, 1, 1, 1, 1).plots[0][0] = p
	return f, nil
}

// Khat draws the Pareto k̂ diagnostic of every observation of a PSIS-LOO estimate (ArviZ's
// plot_khat): points by observation index, dashed lines at the sample-size-dependent
// threshold min(1 − 1/log10(S), 0.7) and at 1, with the observations above the threshold as
// larger red dots and labelled with their index.
func Khat(loo *pm.ELPD, opts ...Option) (*Figure, error) {
	if loo == nil || len(loo.ParetoK) == 0 {
		return nil, fmt.Errorf("plots: Khat needs a PSIS-LOO estimate from pm.LOO (WAIC has no Pareto k)")
	}
	cfg := newConfig(opts)
	if err := configErr(cfg); err != nil {
		return nil, err
	}
	f := newFigure(cfg, 6.5, 3.4, "")
	fs := defaultFonts()
	p := newPlot(fs)
	p.Title.Text = fmt.Sprintf("PSIS-LOO Pareto k of %q (%d draws)", loo.Var, loo.NDraws)
	p.X.Label.Text = "Observation"
	p.Y.Label.Text = "Pareto shape k"
	n := len(loo.ParetoK)
	ks := make([]float64, n)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, k := range loo.ParetoK {
		if math.IsInf(k, 1) || math.IsNaN(k) {
			k = 1.5 // drawn at the top: the fit failed
		}
		ks[i] = k
		ymin, ymax = math.Min(ymin, k), math.Max(ymax, k)
	}
	thr := loo.KThreshold
	p.Add(hline(thr, okColor, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(3)}))
	p.Add(hline(1, warnColor, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(3)}))
	base := cfg.color(0)
	p.Add(plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		tx, ty := p.Transforms(&c)
		labelled := 0
		r := vg.Points(2.5)
		if n > 500 {
			r = vg.Points(1.5)
		}
		for i, k := range ks {
			pt := vg.Point{X: tx(float64(i)), Y: ty(k)}
			if k > thr {
				c.DrawGlyph(draw.GlyphStyle{Color: warnColor, Radius: r * 1.3, Shape: draw.CircleGlyph{}}, pt)
				if labelled++; labelled <= 20 {
					c.FillText(textStyle(7, warnColor, draw.XLeft, draw.YBottom), vg.Point{X: pt.X + vg.Points(3), Y: pt.Y + vg.Points(2)}, fmt.Sprint(i))
				}
				continue
			}
			c.DrawGlyph(draw.GlyphStyle{Color: withAlpha(base, 0.8), Radius: r, Shape: draw.CircleGlyph{}}, pt)
		}
	}))
	good, bad, vbad := loo.KCounts()
	p.Add(legend([]legendEntry{
		{text: fmt.Sprintf("threshold %.2f (%d good)", thr, good), color: okColor, dash: []vg.Length{vg.Points(4), vg.Points(3)}},
		{text: fmt.Sprintf("k = 1 (%d bad, %d very bad)", bad, vbad), color: warnColor, dash: []vg.Length{vg.Points(4), vg.Points(3)}},
	}, 8))
	setRange(&p.X, 0, float64(max(n-1, 1)), 0.03)
	lo, hi := math.Min(ymin, 0), math.Max(ymax, 1.05)
	setRange(&p.Y, lo, hi, 0.08)
	p.Y.Max += 0.35 * (hi - lo) // room for the legend
	f.addGrid(0, 0, 1, 1, 1, 1).plots[0][0] = p
	return f, nil
}

// LOOPIT draws the density of LOO-PIT values (from pm.LOOPIT) as ArviZ's plot_loo_pit does:
// the kernel density of the values on [0, 1] (thick), against the densities of 100 samples of
// as many uniform values (thin grey, seeded by Seed), whose spread shows how far a calibrated
// model's PIT density wanders by chance, and the uniform density 1 (dashed). A U shape means
// overconfident predictions; a hump, underconfident ones; a slope, bias.
func LOOPIT(pit []float64, opts ...Option) (*Figure, error) {
	cfg := newConfig(opts)
	if err := configErr(cfg); err != nil {
		return nil, err
	}
	if len(pit) < 2 {
		return nil, fmt.Errorf("plots: LOOPIT needs at least 2 LOO-PIT values, got %d", len(pit))
	}
	for i, v := range pit {
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("plots: LOOPIT value %d is %v, outside [0, 1] (pass the output of pm.LOOPIT)", i, v)
		}
	}
	f := newFigure(cfg, 6, 3.6, "")
	fs := defaultFonts()
	p := newPlot(fs)
	p.Title.Text = fmt.Sprintf("LOO-PIT (%d observations)", len(pit))
	p.X.Label.Text = "LOO-PIT"
	p.Y.Label.Text = "density"
	density := func(x []float64) ([]float64, []float64, error) {
		// Silverman's bandwidth: ISJ picks spikes on some small uniform samples, which
		// would widen the reference band for no reason.
		d, err := KDEBandwidth(x, 0, 1, BandwidthSilverman(x))
		if err != nil {
			return nil, nil, err
		}
		return d.X, d.Y, nil
	}
	rng := rand.New(rand.NewPCG(cfg.seed, 0x10017))
	u := make([]float64, len(pit))
	ymax := 1.0
	for range 100 {
		for i := range u {
			u[i] = rng.Float64()
		}
		xs, ys, err := density(u)
		if err != nil {
			continue
		}
		p.Add(curve{x: xs, y: ys, color: withAlpha(greyColor, 0.25), width: vg.Points(0.6)}.plotter())
		_, yh := minMax(ys)
		ymax = math.Max(ymax, yh)
	}
	xs, ys, err := density(pit)
	if err != nil {
		return nil, fmt.Errorf("plots: LOOPIT: %w", err)
	}
	p.Add(curve{x: xs, y: ys, color: cfg.color(0), width: vg.Points(2)}.plotter())
	_, yh := minMax(ys)
	ymax = math.Max(ymax, yh)
	p.Add(hline(1, color.Black, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(3)}))
	p.Add(legend([]legendEntry{
		{text: "LOO-PIT density", color: cfg.color(0)},
		{text: "uniform samples", color: greyColor},
		{text: "uniform", color: color.Black, dash: []vg.Length{vg.Points(4), vg.Points(3)}},
	}, 8))
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = 0, ymax*1.35
	f.addGrid(0, 0, 1, 1, 1, 1).plots[0][0] = p
	return f, nil
}
