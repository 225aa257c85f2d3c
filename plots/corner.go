package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gopm-dev/gopm/pm/diag"
)

// maxDims caps Corner and Pair: past a dozen dimensions each panel is too
// small to read at any sensible figure size.
const maxDims = 12

// maxPoints caps the scattered points per panel; beyond it points only add
// ink and time, so draws are thinned with a fixed stride.
const maxPoints = 2000

// cornerLevels are the probability masses enclosed by the 0.5, 1, 1.5 and 2
// sigma contours of a 2-d Gaussian, 1 - exp(-s^2/2) (dfm's corner.py uses
// the same levels).
var cornerLevels = [...]float64{0.5, 1, 1.5, 2}

// truthColor is corner.py's default truth colour, steel blue.
var truthColor = color.RGBA{R: 0x46, G: 0x82, B: 0xb4, A: 255}

// pooled concatenates the chains of a series keeping NaNs, so that series of
// the same draws stay aligned index by index.
func (s *series) pooled() []float64 {
	var out []float64
	for _, c := range s.chains {
		out = append(out, c...)
	}
	return out
}

// dimsOf selects the series for Corner and Pair and caps their number.
func dimsOf(s *Samples, cfg *config) ([]*series, string, error) {
	series, note, err := selectSeries(s, cfg, maxDims, "dimensions ")
	if err != nil {
		return nil, "", err
	}
	n := len(series[0].pooled())
	for _, sr := range series[1:] {
		if m := len(sr.pooled()); m != n {
			return nil, "", fmt.Errorf("plots: %q has %d draws but %q has %d; pairs need the same draws", sr.label, m, series[0].label, n)
		}
	}
	return series, note, nil
}

// Corner draws the corner plot of Foreman-Mackey's corner.py: 1-d histograms
// on the diagonal and, below it, 2-d histograms with contours enclosing the
// mass of the 0.5, 1, 1.5 and 2 sigma regions of a 2-d Gaussian, the density
// shaded inside them and the draws as faint points outside. Titles give the
// median with the distances to the 16% and 84% quantiles; Quantiles adds
// dashed lines on the diagonal, Reference adds truth lines and markers.
func Corner(src any, opts ...Option) (*Figure, error) {
	s, cfg, err := begin(src, opts)
	if err != nil {
		return nil, err
	}
	series, note, err := dimsOf(s, cfg)
	if err != nil {
		return nil, err
	}
	n := len(series)
	side := math.Max(3, 1.9*float64(n)+0.5)
	f := newFigure(cfg, side, side, note)
	g := f.addGrid(0, 0, 1, 1, n, n)
	g.padX, g.padY = vg.Points(4), vg.Points(4)
	fs := defaultFonts()
	if n > 6 {
		fs = fontSizes{title: 8, label: 8, tick: 7}
	}
	data := make([][]float64, n)
	ranges := make([][2]float64, n)
	for i, sr := range series {
		data[i] = sr.pooled()
		lo, hi := minMax(finite(data[i]))
		if math.IsInf(lo, 0) {
			return nil, fmt.Errorf("plots: variable %q has no finite draws", sr.label)
		}
		if v, ok := refFor(cfg, sr); ok {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if hi == lo {
			lo, hi = lo-0.5, hi+0.5
		}
		ranges[i] = [2]float64{lo, hi}
	}
	for i := range n {
		for j := 0; j <= i; j++ {
			p := newPlot(fs)
			p.X.Tick.Marker = fewTicks{n: 3, noLabel: i != n-1}
			p.Y.Tick.Marker = fewTicks{n: 3, noLabel: j != 0 || i == j}
			if i == n-1 {
				p.X.Label.Text = shorten(series[j].label, 18)
			}
			if j == 0 && i != 0 {
				p.Y.Label.Text = shorten(series[i].label, 18)
			}
			if i == j {
				cornerDiag(p, cfg, series[i], data[i], ranges[i], fs)
			} else {
				cornerPair(p, cfg, data[j], data[i], ranges[j], ranges[i])
				if vx, ok := refFor(cfg, series[j]); ok {
					p.Add(vline(vx, truthColor, vg.Points(1), nil))
				}
				if vy, ok := refFor(cfg, series[i]); ok {
					p.Add(hline(vy, truthColor, vg.Points(1), nil))
				}
			}
			setRange(&p.X, ranges[j][0], ranges[j][1], 0)
			if i != j {
				setRange(&p.Y, ranges[i][0], ranges[i][1], 0)
			}
			g.plots[i][j] = p
		}
	}
	return f, nil
}

// cornerDiag fills a diagonal panel: histogram outline, quantile lines,
// truth line and the median title.
func cornerDiag(p *plot.Plot, cfg *config, sr *series, x []float64, rng [2]float64, fs fontSizes) {
	x = finite(x)
	nb := 20
	counts := histogram(x, rng[0], rng[1], nb)
	w := (rng[1] - rng[0]) / float64(nb)
	xs := []float64{rng[0]}
	ys := []float64{0}
	top := 0.0
	for i, c := range counts {
		a := rng[0] + float64(i)*w
		xs = append(xs, a, a+w)
		ys = append(ys, c, c)
		top = math.Max(top, c)
	}
	xs = append(xs, rng[1])
	ys = append(ys, 0)
	p.Add(curve{x: xs, y: ys, color: color.Black, width: vg.Points(1)}.plotter())
	for _, q := range cfg.quantiles {
		p.Add(vline(diag.Quantile(x, q), color.Black, vg.Points(0.8), []vg.Length{vg.Points(3), vg.Points(2)}))
	}
	if v, ok := refFor(cfg, sr); ok {
		p.Add(vline(v, truthColor, vg.Points(1), nil))
	}
	if cfg.titles {
		med := diag.Quantile(x, 0.5)
		lo, hi := diag.Quantile(x, 0.16), diag.Quantile(x, 0.84)
		p.Title.Text = fmt.Sprintf("%s = %s +%s/-%s", shorten(sr.label, 14), fmtNum(med), fmtNum(hi-med), fmtNum(med-lo))
		p.Title.TextStyle.Font.Size = fs.title
	}
	hideY(p)
	p.Y.Min, p.Y.Max = 0, top*1.08
}

// cornerPair fills a 2-d panel with points, shaded density and contours.
func cornerPair(p *plot.Plot, cfg *config, x, y []float64, rx, ry [2]float64) {
	const nb = 30
	px, py := pairs(x, y)
	h := hist2d(px, py, rx, ry, nb)
	smooth2d(h, 1.2)
	levels := massLevels(h)
	p.Add(points(px, py, withAlpha(color.Black, 0.15), vg.Points(0.7)))
	p.Add(plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		tx, ty := p.Transforms(&c)
		// Shade by the number of contour levels a point lies above: darker
		// inside tighter regions, clear outside, as corner.py's filled
		// density does. The shading is an image of the bilinearly
		// interpolated histogram, so its edges follow the contour lines.
		img := shadeImage(h, levels, 4*nb)
		c.DrawImage(vg.Rectangle{Min: vg.Point{X: tx(rx[0]), Y: ty(ry[0])}, Max: vg.Point{X: tx(rx[1]), Y: ty(ry[1])}}, img)
		for _, l := range levels {
			for _, seg := range contourSegments(h, l, rx, ry) {
				c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: vg.Points(0.8)}, tx(seg[0]), ty(seg[1]), tx(seg[2]), ty(seg[3]))
			}
		}
	}))
}

// shadeImage renders h (cell values at cell centres) at res x res pixels,
// grey by how many levels each point exceeds, transparent below all.
func shadeImage(h [][]float64, levels []float64, res int) image.Image {
	nb := len(h)
	img := image.NewNRGBA(image.Rect(0, 0, res, res))
	at := func(i, j int) float64 { return h[min(max(i, 0), nb-1)][min(max(j, 0), nb-1)] }
	for py := range res {
		// Image rows run top to bottom, histogram rows bottom to top.
		fy := (float64(res-1-py)+0.5)/float64(res)*float64(nb) - 0.5
		j := int(math.Floor(fy))
		ty := fy - float64(j)
		for px := range res {
			fx := (float64(px)+0.5)/float64(res)*float64(nb) - 0.5
			i := int(math.Floor(fx))
			tx := fx - float64(i)
			v := (1-tx)*(1-ty)*at(i, j) + tx*(1-ty)*at(i+1, j) + (1-tx)*ty*at(i, j+1) + tx*ty*at(i+1, j+1)
			k := 0
			for _, l := range levels {
				if v >= l {
					k++
				}
			}
			if k > 0 {
				shade := uint8(255 - 45*k)
				img.SetNRGBA(px, py, color.NRGBA{R: shade, G: shade, B: shade, A: 255})
			}
		}
	}
	return img
}

// pairs returns the finite pairs (x[i], y[i]).
func pairs(x, y []float64) (px, py []float64) {
	for i := range x {
		if isFinite(x[i]) && isFinite(y[i]) {
			px = append(px, x[i])
			py = append(py, y[i])
		}
	}
	return px, py
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// points scatters (x, y), thinned to maxPoints with a fixed stride.
func points(x, y []float64, col color.Color, r vg.Length) plot.Plotter {
	return plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		tx, ty := p.Transforms(&c)
		stride := max(1, (len(x)+maxPoints-1)/maxPoints)
		sty := draw.GlyphStyle{Color: col, Radius: r, Shape: draw.CircleGlyph{}}
		for i := 0; i < len(x); i += stride {
			c.DrawGlyph(sty, vg.Point{X: tx(x[i]), Y: ty(y[i])})
		}
	})
}

// hist2d bins pairs into an nb x nb grid h[ix][iy] of counts.
func hist2d(x, y []float64, rx, ry [2]float64, nb int) [][]float64 {
	h := make([][]float64, nb)
	for i := range h {
		h[i] = make([]float64, nb)
	}
	bin := func(v float64, r [2]float64) int {
		k := int((v - r[0]) / (r[1] - r[0]) * float64(nb))
		return min(max(k, 0), nb-1)
	}
	for i := range x {
		h[bin(x[i], rx)][bin(y[i], ry)]++
	}
	return h
}

// smooth2d convolves h in place with a Gaussian of sd bins (separable).
func smooth2d(h [][]float64, sd float64) {
	nb := len(h)
	r := int(math.Ceil(3 * sd))
	k := make([]float64, 2*r+1)
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-0.5 * d * d / (sd * sd))
	}
	tmp := make([]float64, nb)
	pass := func(get func(i int) float64, set func(i int, v float64)) {
		for i := range nb {
			s, w := 0.0, 0.0
			for j := -r; j <= r; j++ {
				if i+j >= 0 && i+j < nb {
					s += k[j+r] * get(i+j)
					w += k[j+r]
				}
			}
			tmp[i] = s / w
		}
		for i := range nb {
			set(i, tmp[i])
		}
	}
	for ix := range nb {
		pass(func(i int) float64 { return h[ix][i] }, func(i int, v float64) { h[ix][i] = v })
	}
	for iy := range nb {
		pass(func(i int) float64 { return h[i][iy] }, func(i int, v float64) { h[i][iy] = v })
	}
}

// massLevels returns, for each of cornerLevels, the density value above
// which the cells hold that share of the total, lowest level (largest mass)
// first.
func massLevels(h [][]float64) []float64 {
	var flat []float64
	total := 0.0
	for _, col := range h {
		for _, v := range col {
			flat = append(flat, v)
			total += v
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(flat)))
	out := make([]float64, 0, len(cornerLevels))
	for i := len(cornerLevels) - 1; i >= 0; i-- {
		s := cornerLevels[i]
		mass := 1 - math.Exp(-0.5*s*s)
		cum := 0.0
		lvl := flat[0]
		for _, v := range flat {
			cum += v
			lvl = v
			if cum >= mass*total {
				break
			}
		}
		out = append(out, lvl)
	}
	return out
}

// contourSegments runs marching squares on the cell centres of h and returns
// line segments (x0, y0, x1, y1) in data coordinates along h = level.
func contourSegments(h [][]float64, level float64, rx, ry [2]float64) [][4]float64 {
	nb := len(h)
	wx := (rx[1] - rx[0]) / float64(nb)
	wy := (ry[1] - ry[0]) / float64(nb)
	cx := func(i float64) float64 { return rx[0] + (i+0.5)*wx }
	cy := func(j float64) float64 { return ry[0] + (j+0.5)*wy }
	var segs [][4]float64
	// Interpolated crossing along an edge between two corners.
	frac := func(a, b float64) float64 {
		if a == b {
			return 0.5
		}
		return (level - a) / (b - a)
	}
	for i := 0; i+1 < nb; i++ {
		for j := 0; j+1 < nb; j++ {
			v := [4]float64{h[i][j], h[i+1][j], h[i+1][j+1], h[i][j+1]} // bl, br, tr, tl
			// Edge crossing points: bottom, right, top, left.
			var pts [][2]float64
			if (v[0] >= level) != (v[1] >= level) {
				pts = append(pts, [2]float64{cx(float64(i) + frac(v[0], v[1])), cy(float64(j))})
			}
			if (v[1] >= level) != (v[2] >= level) {
				pts = append(pts, [2]float64{cx(float64(i + 1)), cy(float64(j) + frac(v[1], v[2]))})
			}
			if (v[3] >= level) != (v[2] >= level) {
				pts = append(pts, [2]float64{cx(float64(i) + frac(v[3], v[2])), cy(float64(j + 1))})
			}
			if (v[0] >= level) != (v[3] >= level) {
				pts = append(pts, [2]float64{cx(float64(i)), cy(float64(j) + frac(v[0], v[3]))})
			}
			switch len(pts) {
			case 2:
				segs = append(segs, [4]float64{pts[0][0], pts[0][1], pts[1][0], pts[1][1]})
			case 4: // saddle: pair the crossings consistently
				segs = append(segs, [4]float64{pts[0][0], pts[0][1], pts[3][0], pts[3][1]})
				segs = append(segs, [4]float64{pts[1][0], pts[1][1], pts[2][0], pts[2][1]})
			}
		}
	}
	return segs
}

// Pair draws the lower triangle of a scatter-plot matrix (ArviZ plot_pair):
// one panel per pair of dimensions, draws as points, divergent draws in red
// when the samples carry divergences, and truth markers from Reference.
func Pair(src any, opts ...Option) (*Figure, error) {
	s, cfg, err := begin(src, opts)
	if err != nil {
		return nil, err
	}
	series, note, err := dimsOf(s, cfg)
	if err != nil {
		return nil, err
	}
	if len(series) < 2 {
		return nil, fmt.Errorf("plots: Pair needs at least 2 dimensions, %q is the only one", series[0].label)
	}
	if err := checkStats(s, selection{}); err != nil {
		return nil, err
	}
	var div []bool
	for _, ch := range s.Diverging {
		div = append(div, ch...)
	}
	n := len(series) - 1
	side := math.Max(3.5, 2.1*float64(n)+0.6)
	f := newFigure(cfg, side, side, note)
	g := f.addGrid(0, 0, 1, 1, n, n)
	g.padX, g.padY = vg.Points(6), vg.Points(6)
	fs := defaultFonts()
	if n > 6 {
		fs = fontSizes{title: 8, label: 8, tick: 7}
	}
	data := make([][]float64, len(series))
	for i, sr := range series {
		data[i] = sr.pooled()
		if len(div) > 0 && len(div) != len(data[i]) {
			return nil, fmt.Errorf("plots: Diverging has %d draws but %q has %d", len(div), sr.label, len(data[i]))
		}
	}
	nDiv := 0
	for _, bad := range div {
		if bad {
			nDiv++
		}
	}
	divColor := color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 255}
	for r := range n {
		i := r + 1
		for j := 0; j < i; j++ {
			p := newPlot(fs)
			if r == 0 && nDiv > 0 { // say what the red points are
				p.Add(legend([]legendEntry{{text: "draws", color: cfg.color(0)}, {text: fmt.Sprintf("divergent (%d)", nDiv), color: divColor}}, fs.label))
			}
			p.X.Tick.Marker = fewTicks{n: 3, noLabel: i != n}
			p.Y.Tick.Marker = fewTicks{n: 3, noLabel: j != 0}
			if i == n {
				p.X.Label.Text = shorten(series[j].label, 18)
			}
			if j == 0 {
				p.Y.Label.Text = shorten(series[i].label, 18)
			}
			px, py := pairs(data[j], data[i])
			if len(px) == 0 {
				return nil, fmt.Errorf("plots: no finite pairs of %q and %q", series[j].label, series[i].label)
			}
			p.Add(points(px, py, withAlpha(cfg.color(0), cfg.alpha*0.6), vg.Points(1)))
			if len(div) > 0 {
				var dx, dy []float64
				for k, bad := range div {
					if bad && isFinite(data[j][k]) && isFinite(data[i][k]) {
						dx = append(dx, data[j][k])
						dy = append(dy, data[i][k])
					}
				}
				p.Add(points(dx, dy, divColor, vg.Points(1.8)))
			}
			xlo, xhi := minMax(px)
			ylo, yhi := minMax(py)
			vx, okx := refFor(cfg, series[j])
			vy, oky := refFor(cfg, series[i])
			if okx {
				p.Add(vline(vx, truthColor, vg.Points(1), nil))
				xlo, xhi = math.Min(xlo, vx), math.Max(xhi, vx)
			}
			if oky {
				p.Add(hline(vy, truthColor, vg.Points(1), nil))
				ylo, yhi = math.Min(ylo, vy), math.Max(yhi, vy)
			}
			setRange(&p.X, xlo, xhi, 0.03)
			setRange(&p.Y, ylo, yhi, 0.03)
			g.plots[r][j] = p
		}
	}
	return f, nil
}
