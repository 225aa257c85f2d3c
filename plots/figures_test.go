package plots

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/diag"
)

// shiftedChains returns a scalar variable whose chain c is centred at 10c,
// so each chain's trace occupies its own horizontal band.
func shiftedChains(nch, ndraw int, seed uint64) *Samples {
	r := rand.New(rand.NewPCG(seed, 1))
	v := Var{Name: "x", Draws: make([][][]float64, nch)}
	for c := range v.Draws {
		v.Draws[c] = make([][]float64, ndraw)
		for d := range v.Draws[c] {
			v.Draws[c][d] = []float64{10*float64(c) + r.NormFloat64()}
		}
	}
	div := make([][]bool, nch)
	for c := range div {
		div[c] = make([]bool, ndraw)
	}
	return &Samples{Vars: []Var{v}, Diverging: div}
}

// panelRect returns the pixel rectangle of a panel's data area given two
// opposite data corners.
func panelRect(f *Figure, gi, r, c int, x0, y0, x1, y1 float64) image.Rectangle {
	ax, ay := f.pixel(gi, r, c, x0, y0)
	bx, by := f.pixel(gi, r, c, x1, y1)
	return image.Rect(int(math.Min(ax, bx)), int(math.Min(ay, by)), int(math.Max(ax, bx)), int(math.Max(ay, by)))
}

func TestTraceOneLinePerChain(t *testing.T) {
	const nch, ndraw = 4, 500
	s := shiftedChains(nch, ndraw, 1)
	s.Diverging[0][250] = true
	// Opaque lines at 192 dpi are over two pixels wide, so their centres
	// carry the exact chain colour despite anti-aliasing.
	f, err := Trace(s, Alpha(1), DPI(192))
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, f)
	cfg := newConfig(nil)
	p := f.grids[0].plots[0][1]
	// Bands: chain c lives in [10c-4, 10c+4] in data units.
	total := panelRect(f, 0, 0, 1, p.X.Min, p.Y.Min, p.X.Max, p.Y.Max)
	for c := range nch {
		band := panelRect(f, 0, 0, 1, p.X.Min, 10*float64(c)-4, p.X.Max, 10*float64(c)+4).Intersect(total)
		own := countColor(img, cfg.color(c), 12, band.Min.X, band.Min.Y, band.Max.X, band.Max.Y)
		// A line across the panel covers at least one pixel per column.
		if own < band.Dx() {
			t.Errorf("chain %d: %d pixels of its colour in its band, want >= %d (panel width)", c, own, band.Dx())
		}
		for o := range nch + 1 { // chain colours plus one unused colour
			if o == c {
				continue
			}
			if n := countColor(img, cfg.color(o), 12, band.Min.X, band.Min.Y, band.Max.X, band.Max.Y); n > own/50 {
				t.Errorf("band of chain %d holds %d pixels of colour %d (own %d)", c, n, o, own)
			}
		}
	}
	if n := countColor(img, cfg.color(nch), 12, total.Min.X, total.Min.Y, total.Max.X, total.Max.Y); n != 0 {
		t.Errorf("unused colour %d appears on %d pixels", nch, n)
	}
	// The divergence tick rises from the panel bottom at draw 250 only.
	x250, yb := f.pixel(0, 0, 1, 250, p.Y.Min)
	x100, _ := f.pixel(0, 0, 1, 100, p.Y.Min)
	darkAt := func(x float64) int {
		n := 0
		for dx := -1; dx <= 1; dx++ {
			for y := int(yb) - 12; y < int(yb)-2; y++ {
				if isDark(img.At(int(math.Round(x))+dx, y)) {
					n++
				}
			}
		}
		return n
	}
	if darkAt(x250) < 8 {
		t.Errorf("no divergence tick at draw 250 (dark pixels %d)", darkAt(x250))
	}
	if darkAt(x100) != 0 {
		t.Errorf("tick at draw 100 where nothing diverged (dark pixels %d)", darkAt(x100))
	}
}

func TestPosteriorHDIBarSpansInterval(t *testing.T) {
	x := gammaDraws(4000, 3, 1, 3) // skewed, so HDI differs from the ETI
	rows := make([][]float64, len(x))
	for i, v := range x {
		rows[i] = []float64{v}
	}
	s, err := FromMatrix([]string{"tau"}, rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, prob := range []float64{0.94, 0.5} {
		f, err := Posterior(s, HDIProb(prob), DPI(144))
		if err != nil {
			t.Fatal(err)
		}
		img := decode(t, f)
		lo, hi := diag.HDI(x, prob)
		xlo, y0 := f.pixel(0, 0, 0, lo, 0)
		xhi, _ := f.pixel(0, 0, 0, hi, 0)
		row := int(y0)
		mid := int((xlo + xhi) / 2)
		if !isDark(img.At(mid, row)) {
			t.Fatalf("prob %v: no bar at the middle of the HDI (pixel %d,%d)", prob, mid, row)
		}
		l, r := mid, mid
		for isDark(img.At(l-1, row)) {
			l--
		}
		for isDark(img.At(r+1, row)) {
			r++
		}
		if math.Abs(float64(l)-xlo) > 2 || math.Abs(float64(r)-xhi) > 2 {
			t.Errorf("prob %v: bar spans pixels [%d, %d], HDI [%.3f, %.3f] maps to [%.1f, %.1f]", prob, l, r, lo, hi, xlo, xhi)
		}
	}
}

func TestForestRHatColumnFlagsShiftedChain(t *testing.T) {
	s := shiftedChains(4, 300, 2) // chains far apart: R-hat far above 1.01
	good := synth{chains: 4, draws: 300, seed: 2}.samples()
	s.Vars = append(s.Vars, good.Vars[1]) // "sigma": iid draws, R-hat near 1
	red := color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 255}
	for _, c := range []struct {
		name    string
		wantRed bool
	}{{"x", true}, {"sigma", false}} {
		f, err := Forest(s, Vars(c.name), RHat(true), ESS(true), Combined(true))
		if err != nil {
			t.Fatal(err)
		}
		img := decode(t, f)
		p := f.grids[1].plots[0][0]
		rect := panelRect(f, 1, 0, 0, p.X.Min, p.Y.Min, p.X.Max, p.Y.Max)
		n := countColor(img, red, 20, rect.Min.X, rect.Min.Y, rect.Max.X, rect.Max.Y)
		if (n > 0) != c.wantRed {
			t.Errorf("%s: %d red pixels in the r_hat column, want red=%v", c.name, n, c.wantRed)
		}
		if len(f.grids) != 3 {
			t.Errorf("%s: %d panels, want main, r_hat and ess", c.name, len(f.grids))
		}
	}
}

func TestForestMedianMarkerPosition(t *testing.T) {
	s := shiftedChains(2, 400, 3)
	f, err := Forest(s, DPI(144))
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, f)
	cfg := newConfig(nil)
	for c := range 2 {
		med := diag.Quantile(s.Vars[0].component(0)[c], 0.5)
		y := 0.3 - 0.6*float64(c) // chain offsets within the row
		px, py := f.pixel(0, 0, 0, med, y)
		// The median is a white dot ringed in the chain colour: white at
		// its centre, the chain colour 2.2 points to either side.
		if !near(img.At(int(px), int(py)), color.White, 30) {
			t.Errorf("chain %d: centre of median marker not white", c)
		}
		ring := 0
		for dx := -6; dx <= 6; dx++ {
			if near(img.At(int(px)+dx, int(py)), cfg.color(c), 40) {
				ring++
			}
		}
		if ring == 0 {
			t.Errorf("chain %d: no ring of the chain colour around the median at %.1f", c, px)
		}
	}
}

func TestCornerContoursAreGaussianCircles(t *testing.T) {
	// For a standard 2-d normal, the region holding 1 - exp(-s^2/2) of the
	// mass is the disk of radius s, so the contours must be near circles of
	// radius 0.5, 1, 1.5, 2 (inflated slightly by the smoothing).
	r := rand.New(rand.NewPCG(4, 4))
	n := 200000
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = r.NormFloat64(), r.NormFloat64()
	}
	rng := [2]float64{-4.5, 4.5}
	h := hist2d(x, y, rng, rng, 30)
	smooth2d(h, 1.2)
	levels := massLevels(h)
	for i, l := range levels {
		s := cornerLevels[len(cornerLevels)-1-i]
		segs := contourSegments(h, l, rng, rng)
		if len(segs) < 8 {
			t.Fatalf("level %v: %d segments", s, len(segs))
		}
		sum := 0.0
		for _, sg := range segs {
			sum += math.Hypot(sg[0], sg[1])
		}
		mean := sum / float64(len(segs))
		if math.Abs(mean-s)/s > 0.12 {
			t.Errorf("sigma %v contour: mean radius %.3f", s, mean)
		}
	}
}

func TestReadableManyVariables(t *testing.T) {
	// 20 scalar variables: one row each, every row tall enough for its
	// title and ticks.
	r := rand.New(rand.NewPCG(5, 5))
	var vars []Var
	for i := range 20 {
		v := Var{Name: strings.Repeat("long_parameter_name_", 3) + string(rune('a'+i)), Draws: make([][][]float64, 2)}
		for c := range v.Draws {
			v.Draws[c] = make([][]float64, 100)
			for d := range v.Draws[c] {
				v.Draws[c][d] = []float64{r.NormFloat64()}
			}
		}
		vars = append(vars, v)
	}
	s := &Samples{Vars: vars}
	f, err := Trace(s)
	if err != nil {
		t.Fatal(err)
	}
	decode(t, f)
	for i := range 20 {
		p := f.grids[0].plots[i][1]
		if len([]rune(p.Title.Text)) > labelLen {
			t.Errorf("row %d title %q longer than %d", i, p.Title.Text, labelLen)
		}
		_, top := f.pixel(0, i, 1, 0, p.Y.Max)
		_, bot := f.pixel(0, i, 1, 0, p.Y.Min)
		if bot-top < 60 {
			t.Errorf("row %d data area is %.0f px tall, too small to read", i, bot-top)
		}
		if i > 0 {
			_, prevBot := f.pixel(0, i-1, 1, 0, f.grids[0].plots[i-1][1].Y.Min)
			// Room between rows for the x tick labels and the next title.
			if top-prevBot < 20 {
				t.Errorf("rows %d and %d are %.0f px apart; labels would overlap", i-1, i, top-prevBot)
			}
		}
	}
	// Distinct long names stay distinct after shortening.
	seen := map[string]bool{}
	for i := range 20 {
		seen[f.grids[0].plots[i][0].Title.Text] = true
	}
	if len(seen) != 20 {
		t.Errorf("shortened names collide: %d distinct of 20", len(seen))
	}
}

func TestReadableVectorOf100(t *testing.T) {
	s := synth{chains: 2, draws: 200, vecLen: 100, seed: 6}.samples()
	f, err := Trace(s, Vars("theta"))
	if err != nil {
		t.Fatal(err)
	}
	decode(t, f)
	if got := len(f.grids[0].plots); got != 1 {
		t.Errorf("vector trace has %d rows, want 1", got)
	}
	// Forest gives each component a row; rows must be further apart than
	// the tick-label font is tall.
	f, err = Forest(s, Vars("theta"), Combined(true))
	if err != nil {
		t.Fatal(err)
	}
	decode(t, f)
	_, y0 := f.pixel(0, 0, 0, 0, 0)
	_, y1 := f.pixel(0, 0, 0, 0, 1)
	fontPx := 7.0 * float64(f.dpi) / 72
	if math.Abs(y1-y0) < fontPx*1.2 {
		t.Errorf("forest rows %.1f px apart, labels %.1f px tall: they overlap", math.Abs(y1-y0), fontPx)
	}
	// Posterior caps panels and says so.
	f, err = Posterior(s, Vars("theta"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, row := range f.grids[0].plots {
		for _, p := range row {
			if p != nil {
				n++
			}
		}
	}
	if n != maxPanels || !strings.Contains(f.title, "of 100") {
		t.Errorf("posterior of 100 components: %d panels, title %q", n, f.title)
	}
}

func TestShorten(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"alpha", 10, "alpha"},
		{"a_very_long_variable_name[12]", 12, "a_ver…me[12]"},
	}
	for _, c := range cases {
		if got := shorten(c.in, c.max); got != c.want || len([]rune(got)) > c.max {
			t.Errorf("shorten(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestErrorsNameTheVariable(t *testing.T) {
	base := func() *Samples { return synth{chains: 2, draws: 50, seed: 7}.samples() }
	nan := base()
	for c := range nan.Vars[0].Draws {
		for d := range nan.Vars[0].Draws[c] {
			nan.Vars[0].Draws[c][d][0] = math.NaN()
		}
	}
	empty := base()
	empty.Vars[1].Draws[1] = nil
	ragged := base()
	ragged.Vars[3].Draws[0][3] = []float64{1}
	type fig func(any, ...Option) (*Figure, error)
	figs := map[string]fig{"Trace": Trace, "Posterior": Posterior, "Corner": Corner, "Pair": Pair, "Forest": Forest, "Autocorr": Autocorr}
	for fname, fn := range figs {
		for _, c := range []struct {
			s    *Samples
			opts []Option
			want string
		}{
			{base(), []Option{Vars("nope")}, `"nope"`},
			{base(), []Option{Vars("ab[5]")}, `"ab"`},
			{nan, nil, `"mu"`},
			{empty, nil, `"sigma"`},
			{ragged, nil, `"ab"`},
			{nil, nil, "nil"},
			{base(), []Option{PointEstimate("avg")}, "avg"},
		} {
			_, err := fn(c.s, c.opts...)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "plots: ") {
				t.Errorf("%s: error %v, want one naming %s", fname, err, c.want)
			}
		}
	}
	if _, err := Energy(base()); err == nil || !strings.Contains(err.Error(), "Energy") {
		t.Errorf("Energy without energies: %v", err)
	}
	if _, err := PPC(base()); err == nil || !strings.Contains(err.Error(), "Observed") {
		t.Errorf("PPC without observed data: %v", err)
	}
	s := base()
	s.Observed = map[string][]float64{"mu": {1, 2, 3}}
	if _, err := PPC(s); err == nil || !strings.Contains(err.Error(), `"mu" has 3 observations`) {
		t.Errorf("PPC shape mismatch: %v", err)
	}
	s = base()
	s.Diverging = s.Diverging[:1]
	if _, err := Trace(s); err == nil || !strings.Contains(err.Error(), "Diverging") {
		t.Errorf("Trace with mismatched Diverging: %v", err)
	}
	// A bad variable that was not asked for does not block a figure.
	if _, err := Trace(nan, Vars("sigma")); err != nil {
		t.Errorf("Trace of a good variable next to a NaN one: %v", err)
	}
}

func TestFromMatrix(t *testing.T) {
	s, err := FromMatrix([]string{"a", "k"}, [][]float64{{0.5, 1}, {1.5, 2}, {2.5, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Vars) != 2 || s.Vars[0].Discrete || !s.Vars[1].Discrete {
		t.Fatalf("vars %+v", s.Vars)
	}
	if got := s.Vars[0].Draws[0][2][0]; got != 2.5 {
		t.Errorf("a draw 2 = %v", got)
	}
	for _, c := range []struct {
		names []string
		rows  [][]float64
		want  string
	}{
		{nil, [][]float64{{1}}, "name"},
		{[]string{"a"}, nil, `"a"`},
		{[]string{"a", "b"}, [][]float64{{1}}, "row 0"},
		{[]string{"a", "a"}, [][]float64{{1, 2}}, `"a" appears twice`},
	} {
		if _, err := FromMatrix(c.names, c.rows); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("FromMatrix(%v): error %v, want %s", c.names, err, c.want)
		}
	}
}

func TestSaveFormats(t *testing.T) {
	s := synth{chains: 2, draws: 100, seed: 8}.samples()
	f, err := Posterior(s, Vars("mu"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := f.Save(filepath.Join(dir, "p.png")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "p.png"))
	if string(b[1:4]) != "PNG" {
		t.Errorf("p.png does not start with the PNG signature")
	}
	if err := f.Save(filepath.Join(dir, "p.svg")); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "p.svg"))
	if !strings.Contains(string(b), "<svg") || !strings.Contains(f.SVG(), "94% HDI") {
		t.Errorf("SVG lacks the svg element or the HDI label")
	}
	if err := f.Save(filepath.Join(dir, "p.jpg")); err == nil || !strings.Contains(err.Error(), ".jpg") {
		t.Errorf("saving .jpg: %v", err)
	}
}

func TestLookOfEveryFigure(t *testing.T) {
	// Every figure renders to a PNG of its declared size from realistic
	// input; with PLOTS_OUT set the PNGs are kept for inspection.
	s := withEnergyAndPP(synth{chains: 4, draws: 300, vecLen: 4, seed: 9}.samples(), 9)
	s.Diverging[2][40] = true
	for _, c := range []struct {
		name string
		fn   func(any, ...Option) (*Figure, error)
		opts []Option
	}{
		{"trace", Trace, []Option{Vars("mu", "sigma", "count", "theta"), Reference("mu", 1.5)}},
		{"trace_split", Trace, []Option{Vars("theta"), SplitComponents(true), Combined(true)}},
		{"posterior", Posterior, []Option{Vars("mu", "sigma", "count"), Reference("mu", 1), ROPE("sigma", 0, 1)}},
		{"corner", Corner, []Option{Vars("mu", "sigma", "ab"), Quantiles(0.16, 0.5, 0.84), Reference("ab", 0, 2)}},
		{"pair", Pair, []Option{Vars("mu", "sigma", "ab")}},
		{"forest", Forest, []Option{Vars("mu", "sigma", "theta"), RHat(true), ESS(true)}},
		{"energy", Energy, nil},
		{"autocorr", Autocorr, []Option{Vars("mu", "ab"), Combined(true)}},
		{"ppc", PPC, []Option{NumPredictive(30)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := c.fn(s, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			img := decode(t, f)
			// Not blank: a real figure inks a few percent of its pixels.
			b := img.Bounds()
			ink := 0
			for y := b.Min.Y; y < b.Max.Y; y += 2 {
				for x := b.Min.X; x < b.Max.X; x += 2 {
					if !near(img.At(x, y), color.White, 10) {
						ink++
					}
				}
			}
			if frac := float64(ink) / float64(b.Dx()*b.Dy()/4); frac < 0.01 {
				t.Errorf("only %.2f%% of pixels inked", 100*frac)
			}
		})
	}
}

// TestTraceSaysWhichLineIsWhich: a vector variable's row has a legend naming each component,
// chains are named once, and the axes are labelled.
func TestTraceSaysWhichLineIsWhich(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	beta := Var{Name: "beta", Shape: []int{3}, Draws: make([][][]float64, 2)}
	alpha := Var{Name: "alpha", Draws: make([][][]float64, 2)}
	for c := range 2 {
		for range 200 {
			beta.Draws[c] = append(beta.Draws[c], []float64{r.NormFloat64(), 2 + r.NormFloat64(), -2 + r.NormFloat64()})
			alpha.Draws[c] = append(alpha.Draws[c], []float64{r.NormFloat64()})
		}
	}
	f, err := Trace(&Samples{Vars: []Var{beta, alpha}})
	if err != nil {
		t.Fatal(err)
	}
	svg := f.SVG()
	for _, want := range []string{">beta[0]<", ">beta[1]<", ">beta[2]<", ">chain 0<", ">chain 1<", ">density<", ">draw<", ">value<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the trace figure has no text %s", want)
		}
	}
	g := f.grids[0]
	if g.plots[1][0].X.Label.Text != "value" || g.plots[1][1].X.Label.Text != "draw" || g.plots[0][0].Y.Label.Text != "density" || g.plots[0][1].Y.Label.Text != "value" {
		t.Errorf("axis labels: %q %q %q %q", g.plots[1][0].X.Label.Text, g.plots[1][1].X.Label.Text, g.plots[0][0].Y.Label.Text, g.plots[0][1].Y.Label.Text)
	}
	p, err := Posterior(&Samples{Vars: []Var{beta}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"beta[0]", "beta[1]", "beta[2]"} {
		if got := p.grids[0].plots[0][i].X.Label.Text; got != want {
			t.Errorf("posterior panel %d x label %q, want %q", i, got, want)
		}
	}
}
