package plots

import (
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestXY(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4}
	y := []float64{1, 3, 2, 5, 4}
	fit := []float64{1, 2, 3, 4, 5}
	draws := [][]float64{{0.5, 1.5, 2.5, 3.5, 4.5}, {1.5, 2.5, 3.5, 4.5, 5.5}}
	fig, err := XY("data and fit", "x", "y", []Series{
		Lines("posterior draws", x, draws),
		Scatter("data", x, y),
		Line("true line", x, fit).Dashed().Color(color.Black),
	})
	if err != nil {
		t.Fatal(err)
	}
	img := fig.Image()
	w, h := fig.Size()
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h || w < 500 {
		t.Fatalf("image %v, size %dx%d", img.Bounds(), w, h)
	}
	// The scatter's colour (tab10's second) appears: the points were drawn.
	want := defaultColors()[1]
	found := false
	for y := 0; y < h && !found; y++ {
		for x := 0; x < w; x++ {
			if img.At(x, y) == color.RGBAModel.Convert(want) {
				found = true
				break
			}
		}
	}
	if !found {
		t.Error("no pixel in the scatter's colour")
	}
	if dir := os.Getenv("PLOTS_OUT"); dir != "" {
		if err := fig.Save(filepath.Join(dir, "xy.png")); err != nil {
			t.Fatal(err)
		}
	}
}

func TestXYErrors(t *testing.T) {
	for _, c := range []struct {
		series []Series
		want   string
	}{
		{nil, "no series"},
		{[]Series{Line("cost", []float64{1, 2}, []float64{1})}, "cost has 2 x values but 1 y values"},
		{[]Series{Lines("draws", []float64{1, 2}, [][]float64{{1, 2}, {3}})}, "draws has 2 x values but 1 y values"},
		{[]Series{Scatter("data", nil, nil)}, "data has no points"},
	} {
		_, err := XY("", "", "", c.series)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
	}
}

// Tick labels name their values exactly: a step of 2.5 is labelled 2.5 and
// 7.5, not 2 and 8.
func TestTickLabels(t *testing.T) {
	for _, c := range []struct {
		min, max float64
		want     string
	}{
		{-0.2, 10.2, "0.0 2.5 5.0 7.5 10.0"},
		{0, 10, "0 2 4 6 8 10"},
		{0, 1, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{0, 0.12, "0.000 0.025 0.050 0.075 0.100"},
		{-3, 3, "-2 0 2"},
	} {
		var got []string
		for _, tk := range (fewTicks{n: 5}).Ticks(c.min, c.max) {
			got = append(got, tk.Label)
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("ticks on [%g, %g]: %q, want %q", c.min, c.max, s, c.want)
		}
	}
}

// Title sets the figure's title, before any note on what the figure left out.
func TestTitleOption(t *testing.T) {
	x := []float64{0, 1}
	fig, err := XY("", "", "", []Series{Line("a", x, x)}, Title("centered"))
	if err != nil {
		t.Fatal(err)
	}
	if fig.title != "centered" {
		t.Errorf("title %q", fig.title)
	}
	if f := newFigure(newConfig([]Option{Title("model A")}), 1, 1, "40 of 50 rows"); f.title != "model A (40 of 50 rows)" {
		t.Errorf("title with note %q", f.title)
	}
}

// A vector variable's trace row is coloured by component, with a legend that
// names them: the component labels take room above the curves.
func TestTraceVectorLegend(t *testing.T) {
	draws := make([][]float64, 200)
	for i := range draws {
		draws[i] = []float64{float64(i%7) / 7, 1 + float64(i%5)/5}
	}
	s := &Samples{Vars: []Var{{Name: "beta", Shape: []int{2}, Draws: [][][]float64{draws}}}}
	cfg := newConfig(nil)
	sel, err := selectVars(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := capRows(rowsOf(sel, false))
	if len(rs) != 1 || len(rs[0].series) != 2 {
		t.Fatalf("rows %d", len(rs))
	}
	p, err := traceDensityPanel(cfg, rs[0], defaultFonts())
	if err != nil {
		t.Fatal(err)
	}
	traceRowLegend(p, cfg, rs[0], defaultFonts(), false)
	ymax := 0.0
	for _, sr := range rs[0].series {
		_, ys, _ := densityCurve(sr.all(), false)
		_, hi := minMax(ys)
		ymax = math.Max(ymax, hi)
	}
	if p.Y.Max < ymax*1.05*1.3 {
		t.Errorf("no room for the legend: y max %v, curves reach %v", p.Y.Max, ymax)
	}
	if dir := os.Getenv("PLOTS_OUT"); dir != "" {
		fig, _ := Trace(s)
		fig.Save(filepath.Join(dir, "trace_vector.png"))
	}
}
