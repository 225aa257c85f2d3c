package plots

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// curve is a line to draw in a panel.
type curve struct {
	x, y  []float64
	color color.Color
	width vg.Length
	dash  []vg.Length
	fill  color.Color // optional fill down to y = 0
}

func (cv curve) plotter() plot.Plotter {
	return plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		if cv.fill != nil {
			tx, ty := p.Transforms(&c)
			poly := make([]vg.Point, 0, len(cv.x)+2)
			poly = append(poly, vg.Point{X: tx(cv.x[0]), Y: ty(0)})
			for i := range cv.x {
				poly = append(poly, vg.Point{X: tx(cv.x[i]), Y: ty(cv.y[i])})
			}
			poly = append(poly, vg.Point{X: tx(cv.x[len(cv.x)-1]), Y: ty(0)})
			c.FillPolygon(cv.fill, c.ClipPolygonXY(poly))
		}
		w := cv.width
		if w == 0 {
			w = vg.Points(1)
		}
		lineXY(c, p, draw.LineStyle{Color: cv.color, Width: w, Dashes: cv.dash}, cv.x, cv.y)
	})
}

// densityCurve is a KDE for continuous draws (reflected at the data's
// extremes, as ArviZ's bound correction does) or, for discrete draws, a step
// outline of the share of draws at each integer (or bin, for wide ranges).
func densityCurve(x []float64, discrete bool) (xs, ys []float64, err error) {
	x = finite(x)
	lo, hi := minMax(x)
	if discrete || lo == hi {
		return stepHistogram(x, lo, hi, discrete)
	}
	// ArviZ's default ("experimental") bandwidth: the mean of ISJ and
	// Silverman. MCMC draws are autocorrelated, which makes ISJ alone
	// undersmooth (it assumes independent draws); Silverman alone
	// oversmooths multimodal posteriors. The average is robust to both.
	h := BandwidthSilverman(x)
	if isj, method := BandwidthISJ(x); method == "isj" {
		h = 0.5 * (h + isj)
	}
	if !(h > 0) {
		return stepHistogram(x, lo, hi, discrete)
	}
	d, err := KDEBandwidth(x, lo, hi, h)
	if err != nil {
		return nil, nil, err
	}
	return d.X, d.Y, nil
}

// stepHistogram returns the outline of a density-scaled histogram: one bin
// per integer for discrete data with a modest range, else up to 40 bins.
func stepHistogram(x []float64, lo, hi float64, discrete bool) (xs, ys []float64, err error) {
	if len(x) == 0 {
		return nil, nil, errNoFinite
	}
	var edges []float64
	if discrete && hi-lo <= 60 {
		for v := lo - 0.5; v <= hi+0.5+1e-9; v++ {
			edges = append(edges, v)
		}
	} else {
		if lo == hi {
			lo, hi = lo-0.5, hi+0.5
		}
		nb := 40
		for i := 0; i <= nb; i++ {
			edges = append(edges, lo+(hi-lo)*float64(i)/float64(nb))
		}
	}
	nb := len(edges) - 1
	counts := histogram(x, edges[0], edges[nb], nb)
	n := float64(len(x))
	xs = append(xs, edges[0])
	ys = append(ys, 0)
	for i, c := range counts {
		h := c / (n * (edges[i+1] - edges[i]))
		xs = append(xs, edges[i], edges[i+1])
		ys = append(ys, h, h)
	}
	xs = append(xs, edges[nb])
	ys = append(ys, 0)
	return xs, ys, nil
}

type plotsError string

func (e plotsError) Error() string { return string(e) }

const errNoFinite = plotsError("plots: no finite draws")

// vline draws a vertical line at x across the panel.
func vline(x float64, col color.Color, w vg.Length, dash []vg.Length) plot.Plotter {
	return plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		tx, _ := p.Transforms(&c)
		X := tx(x)
		if X < c.Min.X || X > c.Max.X {
			return
		}
		c.StrokeLine2(draw.LineStyle{Color: col, Width: w, Dashes: dash}, X, c.Min.Y, X, c.Max.Y)
	})
}

// hline draws a horizontal line at y across the panel.
func hline(y float64, col color.Color, w vg.Length, dash []vg.Length) plot.Plotter {
	return plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		_, ty := p.Transforms(&c)
		Y := ty(y)
		if Y < c.Min.Y || Y > c.Max.Y {
			return
		}
		c.StrokeLine2(draw.LineStyle{Color: col, Width: w, Dashes: dash}, c.Min.X, Y, c.Max.X, Y)
	})
}

// labelFrac writes text at a fraction of the data area (0..1 each way).
func labelFrac(fx, fy float64, s string, size vg.Length, col color.Color, xa draw.XAlignment, ya draw.YAlignment) plot.Plotter {
	return plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		c.FillText(textStyle(size, col, xa, ya), vg.Point{X: c.X(fx), Y: c.Y(fy)}, s)
	})
}

// fewTicks puts about n ticks at round values (1, 2 or 5 times a power of
// ten), so narrow panels (corner plots, many columns) do not print
// overlapping numbers; noLabel keeps the ticks but drops their labels.
type fewTicks struct {
	n       int
	noLabel bool
}

// Ticks implements plot.Ticker.
func (t fewTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		return nil
	}
	n := t.n
	if n < 2 {
		n = 2
	}
	step := niceStep((max - min) / float64(n))
	// Decimals needed to write every multiple of the step exactly (a step of
	// 2.5 needs one: 0.0, 2.5, 5.0, 7.5, not 0, 2, 5, 8).
	prec := 0
	for ; prec < 12; prec++ {
		s := step * math.Pow(10, float64(prec))
		if math.Abs(s-math.Round(s)) <= 1e-9*s {
			break
		}
	}
	big := math.Max(math.Abs(min), math.Abs(max))
	var out []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max+step*1e-9; v += step {
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		tk := plot.Tick{Value: v}
		if !t.noLabel {
			if big >= 1e5 || (big < 1e-3 && big > 0) {
				tk.Label = strconv.FormatFloat(v, 'g', 3, 64)
			} else {
				tk.Label = strconv.FormatFloat(v, 'f', prec, 64)
			}
		}
		out = append(out, tk)
	}
	return out
}

// niceStep rounds a raw step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// noTicks hides an axis's ticks and labels but keeps the axis itself.
type noTicks struct{}

// Ticks implements plot.Ticker.
func (noTicks) Ticks(min, max float64) []plot.Tick { return nil }

// hideY removes the y axis entirely (ArviZ hides it on posterior densities,
// whose height has no meaning to a reader).
func hideY(p *plot.Plot) {
	p.Y.Tick.Marker = noTicks{}
	p.Y.LineStyle.Width = 0
}
