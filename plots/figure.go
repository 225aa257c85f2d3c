package plots

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is a finished figure: the statistics are computed when it is built,
// the pixels when it is written. It shows inline in Jupyter (it has the PNG and
// SVG methods gophernotes looks for) and becomes a file with Save.
type Figure struct {
	width, height vg.Length
	dpi           int
	title         string
	grids         []*grid
}

// grid is a block of aligned panels occupying a rectangle of the figure body,
// given as fractions (origin bottom left). Panels in a row share the height of
// their data area and panels in a column its width, so axes line up.
type grid struct {
	x0, y0, x1, y1 float64
	plots          [][]*plot.Plot
	padX, padY     vg.Length
}

// sans is the figure font: Liberation Sans, metrically compatible with Arial,
// closer to what ArviZ/matplotlib users expect than gonum/plot's serif default.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// fontSizes scale with the figure so that small multiples stay readable.
type fontSizes struct{ title, label, tick vg.Length }

func defaultFonts() fontSizes { return fontSizes{title: 10, label: 9, tick: 8} }

// newPlot returns a plot styled for small multiples: sans fonts, short ticks.
func newPlot(fs fontSizes) *plot.Plot {
	p := plot.New()
	p.Title.TextStyle.Font = font.From(sans, fs.title)
	p.Title.Padding = vg.Points(2)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, fs.label)
		a.Tick.Label.Font = font.From(sans, fs.tick)
		a.Tick.Length = vg.Points(3)
		a.Padding = vg.Points(2)
		a.Label.Padding = vg.Points(1)
	}
	p.X.Tick.Marker = fewTicks{n: 5}
	p.Y.Tick.Marker = fewTicks{n: 5}
	return p
}

// plotterFunc adapts a drawing function to plot.Plotter; figures use it for
// marks gonum/plot has no plotter for (HDI bars with labels, tick rugs).
type plotterFunc func(c draw.Canvas, p *plot.Plot)

// Plot implements plot.Plotter.
func (f plotterFunc) Plot(c draw.Canvas, p *plot.Plot) { f(c, p) }

// newFigure sizes a figure in inches.
func newFigure(cfg *config, defW, defH float64, title string) *Figure {
	w, h := cfg.width, cfg.height
	if w == 0 {
		w = defW
	}
	if h == 0 {
		h = defH
	}
	switch {
	case cfg.title != "" && title != "":
		title = cfg.title + " (" + title + ")"
	case cfg.title != "":
		title = cfg.title
	}
	return &Figure{width: vg.Length(w) * vg.Inch, height: vg.Length(h) * vg.Inch, dpi: cfg.dpi, title: title}
}

// addGrid adds a rows x cols block of panels in the given fractional rectangle.
func (f *Figure) addGrid(x0, y0, x1, y1 float64, rows, cols int) *grid {
	g := &grid{x0: x0, y0: y0, x1: x1, y1: y1, padX: vg.Points(10), padY: vg.Points(6)}
	g.plots = make([][]*plot.Plot, rows)
	for i := range g.plots {
		g.plots[i] = make([]*plot.Plot, cols)
	}
	f.grids = append(f.grids, g)
	return g
}

const titleSize = 12

// layout computes the canvas of every panel of every grid.
func (f *Figure) layout(dc draw.Canvas) [][][]draw.Canvas {
	body := dc
	margin := vg.Points(4)
	body = draw.Crop(body, margin, -margin, margin, -margin)
	if f.title != "" {
		body.Max.Y -= vg.Points(titleSize * 1.6)
	}
	out := make([][][]draw.Canvas, len(f.grids))
	bw := body.Max.X - body.Min.X
	bh := body.Max.Y - body.Min.Y
	for i, g := range f.grids {
		sub := body
		sub.Min.X = body.Min.X + vg.Length(g.x0)*bw
		sub.Max.X = body.Min.X + vg.Length(g.x1)*bw
		sub.Min.Y = body.Min.Y + vg.Length(g.y0)*bh
		sub.Max.Y = body.Min.Y + vg.Length(g.y1)*bh
		t := draw.Tiles{Rows: len(g.plots), Cols: len(g.plots[0]), PadX: g.padX, PadY: g.padY}
		out[i] = plot.Align(g.plots, t, sub)
	}
	return out
}

// draw renders the figure onto any vg canvas.
func (f *Figure) draw(c vg.CanvasSizer) {
	dc := draw.New(c)
	if f.title != "" {
		sty := text.Style{Color: color.Black, Font: font.From(sans, titleSize), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
		dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y - vg.Points(4)}, f.title)
	}
	canvases := f.layout(dc)
	for i, g := range f.grids {
		for r, row := range g.plots {
			for col, p := range row {
				if p != nil {
					p.Draw(canvases[i][r][col])
				}
			}
		}
	}
}

// Image renders the figure to an RGBA image at the figure's DPI.
func (f *Figure) Image() *image.RGBA {
	c := vgimg.NewWith(vgimg.UseWH(f.width, f.height), vgimg.UseDPI(f.dpi), vgimg.UseBackgroundColor(color.White))
	f.draw(c)
	if img, ok := c.Image().(*image.RGBA); ok {
		return img
	}
	b := c.Image().Bounds()
	img := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			img.Set(x, y, c.Image().At(x, y))
		}
	}
	return img
}

// WritePNG renders the figure as PNG into w's buffer.
func (f *Figure) writePNG(buf *bytes.Buffer) error {
	// BestSpeed: figures are mostly flat colour, so the size cost is small and
	// encoding stays a minor part of rendering time.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(buf, f.Image()); err != nil {
		return fmt.Errorf("plots: encoding PNG: %w", err)
	}
	return nil
}

// PNG returns the figure as PNG bytes (nil if encoding fails, which only an
// out-of-memory condition causes). It makes Figure a gophernotes PNGer.
func (f *Figure) PNG() []byte {
	var buf bytes.Buffer
	if err := f.writePNG(&buf); err != nil {
		return nil
	}
	return buf.Bytes()
}

// SVG returns the figure as an SVG document. It makes Figure a gophernotes
// SVGer.
func (f *Figure) SVG() string {
	var buf bytes.Buffer
	if err := f.writeSVG(&buf); err != nil {
		return ""
	}
	return buf.String()
}

func (f *Figure) writeSVG(buf *bytes.Buffer) error {
	c := vgsvg.New(f.width, f.height)
	f.draw(c)
	if _, err := c.WriteTo(buf); err != nil {
		return fmt.Errorf("plots: encoding SVG: %w", err)
	}
	return nil
}

// Save writes the figure to path; the extension chooses the format (.png or
// .svg).
func (f *Figure) Save(path string) error {
	var buf bytes.Buffer
	var err error
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png":
		err = f.writePNG(&buf)
	case ".svg":
		err = f.writeSVG(&buf)
	default:
		return fmt.Errorf("plots: cannot save %q: unknown extension %q (want .png or .svg)", path, ext)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("plots: saving figure: %w", err)
	}
	return nil
}

// Size returns the figure size in pixels at its DPI.
func (f *Figure) Size() (width, height int) {
	w := float64(f.width) / float64(vg.Inch) * float64(f.dpi)
	h := float64(f.height) / float64(vg.Inch) * float64(f.dpi)
	return int(w + 0.5), int(h + 0.5)
}

// String describes the figure, so printing it in the REPL says what it is.
func (f *Figure) String() string {
	w, h := f.Size()
	name := f.title
	if name == "" {
		name = "figure"
	}
	return fmt.Sprintf("%s (%dx%d px; Save(\"file.png\") to write it)", name, w, h)
}

// pixel maps data coordinates of panel (row, col) of grid gi to image pixel
// coordinates (x to the right, y down). Tests use it to find marks in the PNG.
func (f *Figure) pixel(gi, row, col int, x, y float64) (px, py float64) {
	dc := draw.New(sizer{Canvas: new(recorder.Canvas), w: f.width, h: f.height})
	cv := f.layout(dc)[gi][row][col]
	p := f.grids[gi].plots[row][col]
	da := p.DataCanvas(cv)
	tx, ty := p.Transforms(&da)
	scale := float64(f.dpi) / float64(vg.Inch)
	_, hpx := f.Size()
	return float64(tx(x)) * scale, float64(hpx) - float64(ty(y))*scale
}

// sizer gives a recording canvas a size, enough for layout without pixels.
type sizer struct {
	*recorder.Canvas
	w, h vg.Length
}

// Size implements vg.CanvasSizer.
func (s sizer) Size() (vg.Length, vg.Length) { return s.w, s.h }

// textStyle is a helper for annotations.
func textStyle(size vg.Length, col color.Color, xa draw.XAlignment, ya draw.YAlignment) text.Style {
	if col == nil {
		col = color.Black
	}
	return text.Style{Color: col, Font: font.From(sans, size), XAlign: xa, YAlign: ya, Handler: plot.DefaultTextHandler}
}

// withAlpha returns c with opacity a, premultiplied as image/color expects.
func withAlpha(c color.Color, a float64) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA64{R: uint16(r), G: uint16(g), B: uint16(b), A: uint16(a*65535 + 0.5)}
}

// fmtNum prints a value with 3 significant digits, the precision ArviZ labels
// use, without exponent noise for ordinary magnitudes.
func fmtNum(x float64) string {
	ax := math.Abs(x)
	switch {
	case x == 0:
		return "0"
	case ax >= 1e5 || ax < 1e-3:
		return fmt.Sprintf("%.2e", x)
	case ax >= 100:
		return fmt.Sprintf("%.0f", x)
	case ax >= 10:
		return trimZeros(fmt.Sprintf("%.1f", x))
	case ax >= 1:
		return trimZeros(fmt.Sprintf("%.2f", x))
	default:
		return fmt.Sprintf("%.3g", x)
	}
}

// trimZeros drops trailing zeros after a decimal point ("4.00" -> "4").
func trimZeros(s string) string {
	if !strings.Contains(s, ".") || strings.ContainsAny(s, "eE") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// lineXY draws a polyline given in data coordinates, clipped to the canvas.
func lineXY(c draw.Canvas, p *plot.Plot, sty draw.LineStyle, xs, ys []float64) {
	tx, ty := p.Transforms(&c)
	pts := make([]vg.Point, 0, len(xs))
	for i := range xs {
		if math.IsNaN(ys[i]) || math.IsNaN(xs[i]) {
			continue
		}
		pts = append(pts, vg.Point{X: tx(xs[i]), Y: ty(ys[i])})
	}
	if len(pts) > 1 {
		c.StrokeLines(sty, c.ClipLinesXY(pts)...)
	}
}

// setRange sets an axis range with a small margin, guarding zero widths.
func setRange(a *plot.Axis, lo, hi, margin float64) {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		lo, hi = 0, 1
	}
	if hi <= lo {
		d := math.Max(math.Abs(lo)*0.1, 0.5)
		lo, hi = lo-d, hi+d
	}
	w := hi - lo
	a.Min, a.Max = lo-margin*w, hi+margin*w
}

// minMax of a slice ignoring NaN.
func minMax(x []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}
