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

// maxForestRows caps Forest; rows are cheap, so the cap is generous.
const maxForestRows = 200

// interval is one line of a forest plot.
type interval struct {
	y                float64
	hdiLo, hdiHi     float64
	q25, median, q75 float64
	color            color.Color
}

// Forest draws one row per scalar component (ArviZ plot_forest): per chain,
// or pooled with Combined(true), the median as a point, the interquartile
// range as a thick line and the HDI as a thin line. RHat(true) and ESS(true)
// add columns with the rank-normalized R-hat (red above 1.01) and the bulk
// effective sample size of each row. Reference adds a steel-blue ring at the
// reference value.
func Forest(src any, opts ...Option) (*Figure, error) {
	s, cfg, err := begin(src, opts)
	if err != nil {
		return nil, err
	}
	series, note, err := selectSeries(s, cfg, maxForestRows, "rows ")
	if err != nil {
		return nil, err
	}
	nch := len(series[0].chains)
	lines := nch
	if cfg.combined {
		lines = 1
	}
	nrow := len(series)
	rowH := 0.2 + 0.07*float64(lines-1)
	extra := 0
	if cfg.rhat {
		extra++
	}
	if cfg.ess {
		extra++
	}
	f := newFigure(cfg, 6+1.3*float64(extra), math.Max(2, rowH*float64(nrow)+0.9), note)
	fs := defaultFonts()
	if nrow > 60 {
		fs.tick = 7
	}
	// Row i (from the top) is centred at y = nrow-1-i; chains spread within
	// +-0.3 of it so a row's lines never touch the next row's.
	var ivs []interval
	ticks := make([]plot.Tick, nrow)
	for i, sr := range series {
		yc := float64(nrow - 1 - i)
		ticks[i] = plot.Tick{Value: yc, Label: shorten(sr.label, 28)}
		groups := sr.chains
		if cfg.combined {
			groups = [][]float64{sr.all()}
		}
		for c, x := range groups {
			x = finite(x)
			if len(x) == 0 {
				return nil, fmt.Errorf("plots: variable %q has no finite draws in chain %d", sr.label, c)
			}
			y := yc
			if len(groups) > 1 {
				y = yc + 0.3 - 0.6*float64(c)/float64(len(groups)-1)
			}
			lo, hi := diag.HDI(x, cfg.hdiProb)
			col := cfg.color(c)
			if cfg.combined {
				col = cfg.color(0)
			}
			ivs = append(ivs, interval{y: y, hdiLo: lo, hdiHi: hi, q25: diag.Quantile(x, 0.25), median: diag.Quantile(x, 0.5), q75: diag.Quantile(x, 0.75), color: col})
		}
	}
	mainW := 1 - 0.16*float64(extra)
	g := f.addGrid(0, 0, mainW, 1, 1, 1)
	p := newPlot(fs)
	p.Title.Text = fmt.Sprintf("%g%% HDI", math.Round(cfg.hdiProb*1000)/10)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.LineStyle.Width = 0
	p.Y.Tick.LineStyle.Width = 0
	p.X.Tick.Marker = fewTicks{n: 7}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for _, iv := range ivs {
		xlo, xhi = math.Min(xlo, iv.hdiLo), math.Max(xhi, iv.hdiHi)
	}
	p.Add(plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		tx, ty := p.Transforms(&c)
		// Faint bands on alternate rows guide the eye along long forests.
		for i := 0; i < nrow; i += 2 {
			y := float64(nrow - 1 - i)
			c.FillPolygon(color.Gray{Y: 245}, []vg.Point{{X: c.Min.X, Y: ty(y - 0.5)}, {X: c.Max.X, Y: ty(y - 0.5)}, {X: c.Max.X, Y: ty(y + 0.5)}, {X: c.Min.X, Y: ty(y + 0.5)}})
		}
		for _, iv := range ivs {
			Y := ty(iv.y)
			c.StrokeLine2(draw.LineStyle{Color: iv.color, Width: vg.Points(1)}, tx(iv.hdiLo), Y, tx(iv.hdiHi), Y)
			c.StrokeLine2(draw.LineStyle{Color: iv.color, Width: vg.Points(3)}, tx(iv.q25), Y, tx(iv.q75), Y)
			c.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}, vg.Point{X: tx(iv.median), Y: Y})
			c.DrawGlyph(draw.GlyphStyle{Color: iv.color, Radius: vg.Points(2.2), Shape: draw.RingGlyph{}}, vg.Point{X: tx(iv.median), Y: Y})
		}
	}))
	for i, sr := range series {
		if v, ok := refFor(cfg, sr); ok {
			y := float64(nrow - 1 - i)
			p.Add(plotterFunc(func(c draw.Canvas, p *plot.Plot) {
				tx, ty := p.Transforms(&c)
				c.DrawGlyph(draw.GlyphStyle{Color: truthColor, Radius: vg.Points(3.5), Shape: draw.PyramidGlyph{}}, vg.Point{X: tx(v), Y: ty(y)})
			}))
			xlo, xhi = math.Min(xlo, v), math.Max(xhi, v)
		}
	}
	setRange(&p.X, xlo, xhi, 0.04)
	p.Y.Min, p.Y.Max = -0.5, float64(nrow)-0.5
	g.plots[0][0] = p

	x0 := mainW
	if cfg.rhat {
		vals := make([]float64, nrow)
		for i, sr := range series {
			vals[i] = diag.RHat(sr.chains)
		}
		cp := statColumn(fs, "r_hat", vals, nrow, func(v float64) color.Color {
			if v > 1.01 { // Vehtari et al. (2021)'s threshold
				return color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 255}
			}
			return color.Black
		})
		lo, hi := minMax(finite(vals))
		setRange(&cp.X, math.Min(lo, 0.995), math.Max(hi, 1.015), 0.1)
		rt := []plot.Tick{{Value: 1, Label: "1"}, {Value: 1.01, Label: "1.01"}}
		if hi > 1.1 {
			rt = append(rt, plot.Tick{Value: hi, Label: fmtNum(hi)})
		}
		cp.X.Tick.Marker = plot.ConstantTicks(rt)
		f.addGrid(x0, 0, x0+0.16, 1, 1, 1).plots[0][0] = cp
		x0 += 0.16
	}
	if cfg.ess {
		vals := make([]float64, nrow)
		for i, sr := range series {
			vals[i] = diag.ESSBulk(sr.chains)
		}
		cp := statColumn(fs, "ess_bulk", vals, nrow, func(float64) color.Color { return color.Black })
		_, hi := minMax(finite(vals))
		setRange(&cp.X, 0, hi, 0.1)
		f.addGrid(x0, 0, x0+0.16, 1, 1, 1).plots[0][0] = cp
	}
	return f, nil
}

// statColumn is a narrow panel plotting one value per forest row.
func statColumn(fs fontSizes, title string, vals []float64, nrow int, colorOf func(float64) color.Color) *plot.Plot {
	p := newPlot(fs)
	p.Title.Text = title
	p.Y.Tick.Marker = noTicks{}
	p.Y.LineStyle.Width = 0
	p.X.Tick.Marker = fewTicks{n: 3}
	p.Add(plotterFunc(func(c draw.Canvas, p *plot.Plot) {
		tx, ty := p.Transforms(&c)
		for i, v := range vals {
			if !isFinite(v) {
				continue
			}
			c.DrawGlyph(draw.GlyphStyle{Color: colorOf(v), Radius: vg.Points(2), Shape: draw.CircleGlyph{}}, vg.Point{X: tx(v), Y: ty(float64(nrow - 1 - i))})
		}
	}))
	p.Y.Min, p.Y.Max = -0.5, float64(nrow)-0.5
	return p
}
