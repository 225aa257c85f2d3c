package plots

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gopm-dev/gopm/pm/diag"
)

// legendEntry is one line of a figure's hand-drawn legend.
type legendEntry struct {
	text  string
	color color.Color // nil: text only
	dash  []vg.Length
}

// legend draws entries in the top-right corner of the data area, each with a
// short line in its colour.
func legend(entries []legendEntry, size vg.Length) plot.Plotter {
	return plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		sty := textStyle(size, color.Black, draw.XRight, draw.YTop)
		y := c.Max.Y - vg.Points(2)
		x := c.Max.X - vg.Points(4)
		for _, e := range entries {
			w := sty.Width(e.text)
			c.FillText(sty, vg.Point{X: x, Y: y}, e.text)
			if e.color != nil {
				ly := y - size*0.45
				c.StrokeLine2(draw.LineStyle{Color: e.color, Width: vg.Points(2), Dashes: e.dash}, x-w-vg.Points(20), ly, x-w-vg.Points(4), ly)
			}
			y -= size * 1.35
		}
	})
}

// Energy draws the energy plot of Betancourt (2016) as ArviZ plot_energy does:
// the density of the centred marginal energy and of the energy transitions
// (differences between consecutive draws, centred), with the E-BFMI of each
// chain in the legend. When the transition density is much narrower than the
// marginal one, the sampler explores the energy distribution poorly.
func Energy(src any, opts ...Option) (*Figure, error) {
	s, cfg, err := begin(src, opts)
	if err != nil {
		return nil, err
	}
	if s == nil || len(s.Energy) == 0 {
		return nil, fmt.Errorf("plots: Energy needs Samples.Energy (the Hamiltonian energy of each draw)")
	}
	var marg, trans []float64
	var bfmi []float64
	for c, e := range s.Energy {
		e = finite(e)
		if len(e) < 3 {
			return nil, fmt.Errorf("plots: energy of chain %d has %d finite values, need at least 3", c, len(e))
		}
		marg = append(marg, e...)
		for i := 1; i < len(e); i++ {
			trans = append(trans, e[i]-e[i-1])
		}
		bfmi = append(bfmi, diag.EBFMI(e))
	}
	center(marg)
	center(trans)
	f := newFigure(cfg, 6, 4, "")
	g := f.addGrid(0, 0, 1, 1, 1, 1)
	p := newPlot(defaultFonts())
	p.X.Label.Text = "energy (centred)"
	hideY(p)
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ymax := 0.0
	for i, x := range [][]float64{marg, trans} {
		xs, ys, err := densityCurve(x, false)
		if err != nil {
			return nil, fmt.Errorf("plots: energy density: %w", err)
		}
		col := cfg.color(i)
		p.Add(curve{x: xs, y: ys, color: col, width: vg.Points(1.5), fill: withAlpha(col, 0.3)}.plotter())
		lo, hi := minMax(xs)
		_, yh := minMax(ys)
		xlo, xhi, ymax = math.Min(xlo, lo), math.Max(xhi, hi), math.Max(ymax, yh)
	}
	entries := []legendEntry{{text: "Marginal energy", color: cfg.color(0)}, {text: "Energy transition", color: cfg.color(1)}}
	for c, b := range bfmi {
		entries = append(entries, legendEntry{text: fmt.Sprintf("BFMI chain %d: %.2f", c, b)})
	}
	p.Add(legend(entries, 9))
	setRange(&p.X, xlo, xhi, 0.02)
	p.Y.Min, p.Y.Max = 0, ymax*(1.15+0.09*float64(len(entries)))
	g.plots[0][0] = p
	return f, nil
}

// center subtracts the mean in place.
func center(x []float64) {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	for i := range x {
		x[i] -= m
	}
}

// autocorr returns the sample autocorrelation of x at lags 0..maxLag (the
// biased estimator, normalised by the lag-0 sum, as ArviZ and Stan use).
func autocorr(x []float64, maxLag int) []float64 {
	n := len(x)
	maxLag = min(maxLag, n-1)
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(n)
	d := make([]float64, n)
	for i, v := range x {
		d[i] = v - m
	}
	out := make([]float64, maxLag+1)
	for k := range out {
		s := 0.0
		for t := 0; t+k < n; t++ {
			s += d[t] * d[t+k]
		}
		out[k] = s
	}
	if out[0] == 0 {
		for k := range out {
			out[k] = math.NaN()
		}
		return out
	}
	for k := len(out) - 1; k >= 0; k-- {
		out[k] /= out[0]
	}
	return out
}

// Autocorr draws the autocorrelation of each scalar component against the
// lag, one line per chain in the chain colours, or with Combined(true) the
// average over chains as stems. MaxLag sets the largest lag (default 100).
func Autocorr(src any, opts ...Option) (*Figure, error) {
	s, cfg, err := begin(src, opts)
	if err != nil {
		return nil, err
	}
	series, note, err := selectSeries(s, cfg, maxPanels, "")
	if err != nil {
		return nil, err
	}
	rows, cols := gridShape(len(series))
	f := newFigure(cfg, 3.6*float64(cols), 2.2*float64(rows)+0.2, note)
	g := f.addGrid(0, 0, 1, 1, rows, cols)
	g.padX, g.padY = vg.Points(12), vg.Points(8)
	fs := defaultFonts()
	for i, sr := range series {
		p := newPlot(fs)
		p.Title.Text = shorten(sr.label, labelLen)
		var acs [][]float64
		for c, ch := range sr.chains {
			ch = finite(ch)
			if len(ch) < 2 {
				return nil, fmt.Errorf("plots: variable %q chain %d has %d finite draws, need 2", sr.label, c, len(ch))
			}
			acs = append(acs, autocorr(ch, cfg.maxLag))
		}
		lags := len(acs[0])
		for _, a := range acs {
			lags = min(lags, len(a))
		}
		ymin := -0.2
		if cfg.combined {
			avg := make([]float64, lags)
			for _, a := range acs {
				for k := range avg {
					avg[k] += a[k] / float64(len(acs))
				}
			}
			ymin = math.Min(ymin, minOf(avg))
			col := cfg.color(0)
			p.Add(plotterFunc(func(c draw.Canvas, p *plot.Plot) {
				tx, ty := p.Transforms(&c)
				for k, v := range avg {
					if isFinite(v) {
						c.StrokeLine2(draw.LineStyle{Color: col, Width: vg.Points(1.2)}, tx(float64(k)), ty(0), tx(float64(k)), ty(v))
					}
				}
			}))
		} else {
			for c, a := range acs {
				xs := make([]float64, lags)
				for k := range xs {
					xs[k] = float64(k)
				}
				ymin = math.Min(ymin, minOf(a[:lags]))
				p.Add(curve{x: xs, y: a[:lags], color: cfg.color(c), width: vg.Points(1)}.plotter())
			}
		}
		p.Add(hline(0, color.Gray{Y: 120}, vg.Points(0.5), nil))
		p.X.Min, p.X.Max = 0, float64(max(lags-1, 1))
		p.Y.Min, p.Y.Max = math.Max(-1, ymin-0.05), 1.05
		g.plots[i/cols][i%cols] = p
	}
	return f, nil
}

// PPC draws a posterior predictive check for each variable listed in
// Samples.Observed: the density of NumPredictive randomly chosen predictive
// draws as thin lines, the density of all predictive values pooled (dashed)
// and the density of the observed data (black). The variable of the same name
// in Samples.Vars holds the predictive draws, one component per observation.
// Discrete variables use histogram outlines. Seed fixes the choice of draws.
func PPC(src any, opts ...Option) (*Figure, error) {
	s, cfg, err := begin(src, opts)
	if err != nil {
		return nil, err
	}
	if s == nil || len(s.Observed) == 0 {
		return nil, fmt.Errorf("plots: PPC needs Samples.Observed (observed data per variable)")
	}
	names := cfg.vars
	if len(names) == 0 {
		for name := range s.Observed {
			names = append(names, name)
		}
		sort.Strings(names)
	}
	rows, cols := gridShape(len(names))
	f := newFigure(cfg, 4.5*float64(cols), 3.2*float64(rows)+0.2, "")
	g := f.addGrid(0, 0, 1, 1, rows, cols)
	g.padX, g.padY = vg.Points(12), vg.Points(10)
	fs := defaultFonts()
	rng := rand.New(rand.NewPCG(cfg.seed, 0x5eed))
	for i, name := range names {
		obs, ok := s.Observed[name]
		if !ok {
			return nil, fmt.Errorf("plots: PPC: no observed data for %q", name)
		}
		sel, err := selectVars(s, []string{name})
		if err != nil {
			return nil, fmt.Errorf("plots: PPC needs predictive draws for %q: %w", name, err)
		}
		v := sel.vars[0]
		if numComponents(v.Shape) != len(obs) {
			return nil, fmt.Errorf("plots: PPC: %q has %d observations but its predictive draws have %d components (shape %v)", name, len(obs), numComponents(v.Shape), v.Shape)
		}
		var draws [][]float64
		for _, ch := range v.Draws {
			draws = append(draws, ch...)
		}
		k := min(cfg.numPP, len(draws))
		pick := rng.Perm(len(draws))[:k]
		p := newPlot(fs)
		p.Title.Text = shorten(name, labelLen)
		hideY(p)
		xlo, xhi := math.Inf(1), math.Inf(-1)
		ymax := 0.0
		add := func(x []float64, col color.Color, w vg.Length, dash []vg.Length) error {
			xs, ys, err := densityCurve(x, v.Discrete)
			if err != nil {
				return err
			}
			p.Add(curve{x: xs, y: ys, color: col, width: w, dash: dash}.plotter())
			lo, hi := minMax(xs)
			_, yh := minMax(ys)
			xlo, xhi, ymax = math.Min(xlo, lo), math.Max(xhi, hi), math.Max(ymax, yh)
			return nil
		}
		thin := withAlpha(cfg.color(0), 0.25)
		for _, d := range pick {
			// A draw with fewer than two finite values, or a constant one,
			// has no density; it is left out rather than failing the figure.
			_ = add(draws[d], thin, vg.Points(0.7), nil)
		}
		var all []float64
		for _, d := range draws {
			all = append(all, d...)
		}
		if err := add(all, cfg.color(1), vg.Points(1.5), []vg.Length{vg.Points(5), vg.Points(3)}); err != nil {
			return nil, fmt.Errorf("plots: PPC predictive density of %q: %w", name, err)
		}
		if err := add(obs, color.Black, vg.Points(2), nil); err != nil {
			return nil, fmt.Errorf("plots: PPC observed density of %q: %w", name, err)
		}
		p.Add(legend([]legendEntry{
			{text: "Observed", color: color.Black},
			{text: fmt.Sprintf("Posterior predictive (%d draws)", k), color: cfg.color(0)},
			{text: "Posterior predictive mean", color: cfg.color(1), dash: []vg.Length{vg.Points(4), vg.Points(2)}},
		}, 8))
		setRange(&p.X, xlo, xhi, 0.02)
		p.Y.Min, p.Y.Max = 0, ymax*1.45
		g.plots[i/cols][i%cols] = p
	}
	return f, nil
}

// minOf is the smallest value of x.
func minOf(x []float64) float64 { lo, _ := minMax(x); return lo }
