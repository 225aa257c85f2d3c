package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one labelled layer of an XY figure: a line, points, or a bundle
// of lines that share x (posterior predictive draws, for example). Build it
// with Line, Scatter or Lines; Dashed and Color restyle it.
type Series struct {
	Label string
	X, Y  []float64
	// Ys holds the y values of a bundle of lines over X (Lines); it is drawn
	// faintly, with one legend entry.
	Ys [][]float64
	// Points draws markers instead of a line.
	Points bool
	// Dash draws a dashed line.
	Dash bool
	// Col overrides the colour (nil: the next colour of the cycle).
	Col color.Color
}

// Line is a labelled line through (x[i], y[i]).
func Line(label string, x, y []float64) Series { return Series{Label: label, X: x, Y: y} }

// Scatter is a labelled set of points (x[i], y[i]).
func Scatter(label string, x, y []float64) Series {
	return Series{Label: label, X: x, Y: y, Points: true}
}

// Lines is a bundle of faint lines over x, one per row of ys, with one
// legend entry: posterior predictive lines, say.
func Lines(label string, x []float64, ys [][]float64) Series {
	return Series{Label: label, X: x, Ys: ys}
}

// Dashed returns the series drawn with a dashed line.
func (s Series) Dashed() Series { s.Dash = true; return s }

// Color returns the series drawn in colour c.
func (s Series) Color(c color.Color) Series { s.Col = c; return s }

// XY draws series over one pair of axes with a legend naming each one: the
// figure for what the Bayesian figures do not cover (a cost curve, data with
// fitted lines). title, xlabel and ylabel may be empty. Size and DPI apply.
// It returns an error naming the series whose x and y lengths differ or
// that has nothing to draw.
func XY(title, xlabel, ylabel string, series []Series, opts ...Option) (*Figure, error) {
	cfg := newConfig(opts)
	if len(series) == 0 {
		return nil, fmt.Errorf("plots: XY: no series to draw")
	}
	fs := defaultFonts()
	p := newPlot(fs)
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	p.Legend.TextStyle.Font = font.From(sans, fs.label)
	p.Legend.Top = true
	p.Legend.Padding = vg.Points(2)
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	grow := func(xs, ys []float64) {
		a, b := minMax(xs)
		xlo, xhi = math.Min(xlo, a), math.Max(xhi, b)
		a, b = minMax(ys)
		ylo, yhi = math.Min(ylo, a), math.Max(yhi, b)
	}
	labelled := 0
	for i, s := range series {
		name := s.Label
		if name == "" {
			name = fmt.Sprintf("series %d", i)
		}
		col := s.Col
		if col == nil {
			col = cfg.color(i)
		}
		rows := s.Ys
		if rows == nil {
			rows = [][]float64{s.Y}
		}
		if len(s.X) == 0 {
			return nil, fmt.Errorf("plots: XY: %s has no points", name)
		}
		var thumb plot.Thumbnailer
		for _, ys := range rows {
			if len(ys) != len(s.X) {
				return nil, fmt.Errorf("plots: XY: %s has %d x values but %d y values", name, len(s.X), len(ys))
			}
			xy := make(plotter.XYs, len(ys))
			for j := range ys {
				xy[j].X, xy[j].Y = s.X[j], ys[j]
			}
			grow(s.X, ys)
			if s.Points {
				sc, err := plotter.NewScatter(xy)
				if err != nil {
					return nil, fmt.Errorf("plots: XY: %s: %w", name, err)
				}
				sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
				p.Add(sc)
				thumb = sc
				continue
			}
			ln, err := plotter.NewLine(xy)
			if err != nil {
				return nil, fmt.Errorf("plots: XY: %s: %w", name, err)
			}
			ln.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.5)}
			if s.Ys != nil {
				ln.LineStyle.Color = withAlpha(col, math.Max(0.08, math.Min(0.5, 3/float64(len(rows)))))
				ln.LineStyle.Width = vg.Points(1)
			}
			if s.Dash {
				ln.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			}
			p.Add(ln)
			thumb = ln
		}
		if s.Label != "" && thumb != nil {
			if s.Ys != nil { // the legend shows the bundle's colour at full strength
				l := &plotter.Line{LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1.5)}}
				thumb = l
			}
			p.Legend.Add(s.Label, thumb)
			labelled++
		}
	}
	setRange(&p.X, xlo, xhi, 0.02)
	setRange(&p.Y, ylo, yhi, 0.05)
	if labelled > 0 {
		// Room above the data for the legend, so it never hides a line.
		p.Y.Max += float64(labelled) * 0.09 * (p.Y.Max - p.Y.Min)
	}
	f := newFigure(cfg, 6, 3.6, title)
	f.addGrid(0, 0, 1, 1, 1, 1).plots[0][0] = p
	return f, nil
}
