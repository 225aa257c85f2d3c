package plots

import (
	"image/color"
)

// Option changes how a figure is drawn. Options are plain functions so that
// interpreted code (yaegi) can pass them without implementing anything.
type Option func(*config)

// config holds every setting; each figure reads the ones it understands.
type config struct {
	vars      []string
	hdiProb   float64
	combined  bool
	split     bool
	width     float64 // inches; 0 means the figure's default
	height    float64
	dpi       int
	colors    []color.Color
	refs      map[string][]float64
	ropes     map[string][2]float64
	point     string
	quantiles []float64
	titles    bool
	rhat      bool
	ess       bool
	maxLag    int
	numPP     int
	alpha     float64
	seed      uint64
	title     string
	errs      []string
}

// tab10 is matplotlib's default "tab10" cycle, which ArviZ's 0.x plots use;
// its ten hues stay distinguishable in print and for most colour-blind readers.
var tab10 = [...]uint32{0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf}

func defaultColors() []color.Color {
	out := make([]color.Color, len(tab10))
	for i, h := range tab10 {
		out[i] = color.RGBA{R: uint8(h >> 16), G: uint8(h >> 8), B: uint8(h), A: 255}
	}
	return out
}

func newConfig(opts []Option) *config {
	c := &config{
		hdiProb:   0.94, // ArviZ 0.x default (rcParams stats.hdi_prob)
		dpi:       96,
		colors:    defaultColors(),
		point:     "mean",
		quantiles: nil,
		titles:    true,
		maxLag:    100,
		numPP:     100,
		alpha:     0.6,
		seed:      1,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// color returns the i-th colour of the cycle.
func (c *config) color(i int) color.Color { return c.colors[i%len(c.colors)] }

// Vars selects and orders the variables to draw. A name is a variable
// ("beta") or one component ("beta[2]", "L[1,0]"; 0-based). Unknown names make
// the figure constructor return an error.
func Vars(names ...string) Option {
	return func(c *config) { c.vars = append(c.vars, names...) }
}

// HDIProb sets the probability mass of highest-density intervals (default
// 0.94, ArviZ's). Values outside (0, 1) are ignored.
func HDIProb(p float64) Option {
	return func(c *config) {
		if p > 0 && p < 1 {
			c.hdiProb = p
		}
	}
}

// Combined pools all chains into one density or interval instead of one per
// chain.
func Combined(on bool) Option { return func(c *config) { c.combined = on } }

// SplitComponents draws one row per component of a vector variable instead of
// one row with a line per component (Trace, Posterior).
func SplitComponents(on bool) Option { return func(c *config) { c.split = on } }

// Size sets the figure size in inches. Zero keeps the default for that side.
func Size(width, height float64) Option {
	return func(c *config) {
		if width > 0 {
			c.width = width
		}
		if height > 0 {
			c.height = height
		}
	}
}

// DPI sets the PNG resolution in dots per inch (default 96).
func DPI(dpi int) Option {
	return func(c *config) {
		if dpi > 0 {
			c.dpi = dpi
		}
	}
}

// Colors replaces the colour cycle used for chains, components and series.
func Colors(cs ...color.Color) Option {
	return func(c *config) {
		if len(cs) > 0 {
			c.colors = append([]color.Color(nil), cs...)
		}
	}
}

// Reference sets reference (true) values for a variable, one per component:
// a line in Trace, the reference value with the mass below and above it in
// Posterior, a truth marker in Corner and Pair, a point in Forest.
func Reference(name string, values ...float64) Option {
	return func(c *config) {
		if c.refs == nil {
			c.refs = map[string][]float64{}
		}
		c.refs[name] = append([]float64(nil), values...)
	}
}

// ROPE sets a region of practical equivalence [lo, hi] for a variable (all
// variables when name is ""); Posterior shades it and prints the mass inside.
func ROPE(name string, lo, hi float64) Option {
	return func(c *config) {
		if c.ropes == nil {
			c.ropes = map[string][2]float64{}
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		c.ropes[name] = [2]float64{lo, hi}
	}
}

// PointEstimate chooses "mean" (default), "median" or "mode" in Posterior.
func PointEstimate(kind string) Option {
	return func(c *config) {
		switch kind {
		case "mean", "median", "mode":
			c.point = kind
		default:
			c.errs = append(c.errs, "PointEstimate "+kind+" (want mean, median or mode)")
		}
	}
}

// Quantiles draws dashed vertical lines at these quantiles on Corner's
// diagonal (for example 0.16, 0.5, 0.84).
func Quantiles(qs ...float64) Option {
	return func(c *config) { c.quantiles = append([]float64(nil), qs...) }
}

// Titles turns Corner's titles (median with 16% and 84% quantiles) on or off.
func Titles(on bool) Option { return func(c *config) { c.titles = on } }

// RHat adds an R-hat column to Forest.
func RHat(on bool) Option { return func(c *config) { c.rhat = on } }

// ESS adds a bulk effective sample size column to Forest.
func ESS(on bool) Option { return func(c *config) { c.ess = on } }

// MaxLag sets the largest lag drawn by Autocorr (default 100).
func MaxLag(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxLag = n
		}
	}
}

// NumPredictive sets how many posterior predictive draws PPC overlays
// (default 100).
func NumPredictive(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.numPP = n
		}
	}
}

// Alpha sets the opacity of trace lines and scattered points, in (0, 1].
func Alpha(a float64) Option {
	return func(c *config) {
		if a > 0 && a <= 1 {
			c.alpha = a
		}
	}
}

// Seed fixes the random choice of predictive draws in PPC and of thinned
// points in Pair and Corner, so that figures are reproducible.
func Seed(s uint64) Option { return func(c *config) { c.seed = s } }

// Title puts a title above the whole figure (a note on what a figure left
// out, if any, follows it).
func Title(s string) Option {
	return func(c *config) { c.title = s }
}
