package dist

import (
	"fmt"
	"math"
	"sort"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Distributions evaluated by Go code inside ops: Interpolated (a tabulated density) and
// PolyaGamma (a series density).

// interpTable is a normalized piecewise-linear density: values p at increasing points x, the
// CDF at each point, and the slopes between them.
type interpTable struct {
	x, p, cdf, slope []float64
}

func newInterpTable(x, p []float64) (*interpTable, error) {
	if len(x) != len(p) || len(x) < 2 {
		return nil, fmt.Errorf("x_points and pdf_points must have the same length, at least 2; got %d and %d", len(x), len(p))
	}
	t := &interpTable{x: append([]float64{}, x...), p: append([]float64{}, p...)}
	for i := range x {
		if i > 0 && !(x[i] > x[i-1]) {
			return nil, fmt.Errorf("x_points must be increasing, but x_points[%d] = %v follows %v", i, x[i], x[i-1])
		}
		if !(p[i] >= 0) || math.IsInf(p[i], 1) {
			return nil, fmt.Errorf("pdf_points[%d] is %v, but must be finite and non-negative", i, p[i])
		}
	}
	t.cdf = make([]float64, len(x))
	t.slope = make([]float64, len(x)-1)
	for i := 1; i < len(x); i++ {
		t.cdf[i] = t.cdf[i-1] + 0.5*(p[i]+p[i-1])*(x[i]-x[i-1])
	}
	z := t.cdf[len(x)-1]
	if !(z > 0) {
		return nil, fmt.Errorf("pdf_points are all zero")
	}
	for i := range x {
		t.p[i] /= z
		t.cdf[i] /= z
	}
	for i := range t.slope {
		t.slope[i] = (t.p[i+1] - t.p[i]) / (x[i+1] - x[i])
	}
	return t, nil
}

// seg is the index of the interval [x_i, x_{i+1}] holding v (v inside the table).
func (t *interpTable) seg(v float64) int {
	i := sort.SearchFloat64s(t.x, v) - 1
	if i < 0 {
		i = 0
	}
	if i > len(t.slope)-1 {
		i = len(t.slope) - 1
	}
	return i
}

const (
	interpPDF   uint8 = iota // the density, 0 outside
	interpSlope              // its derivative in x
	interpCDF                // the CDF
	interpICDF               // the quantile function
)

// interpOp evaluates a table elementwise. The table pointer makes the op comparable.
type interpOp struct {
	kind uint8
	t    *interpTable
}

// String implements tensor.Op.
func (o interpOp) String() string {
	return [...]string{"interp_pdf", "interp_slope", "interp_cdf", "interp_icdf"}[o.kind]
}

// Infer implements tensor.Op.
func (o interpOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("dist: %s takes 1 input, got %d", o, len(in))
	}
	return []tensor.Type{{DType: tensor.Float64, Shape: append([]int{}, in[0].Shape...)}}, nil
}

// Kernel implements tensor.Op.
func (o interpOp) Kernel(tensor.KernelSpec) (tensor.Kernel, error) {
	t := o.t
	n := len(t.x)
	return func(out, in []*tensor.Array) error {
		for i, v := range in[0].Data {
			out[0].Data[i] = o.eval(t, n, v)
		}
		return nil
	}, nil
}

func (o interpOp) eval(t *interpTable, n int, v float64) float64 {
	if math.IsNaN(v) {
		return v
	}
	if o.kind == interpICDF {
		if !(v >= 0 && v <= 1) {
			return math.NaN()
		}
		i := sort.SearchFloat64s(t.cdf, v) - 1
		if i < 0 {
			i = 0
		}
		if i > n-2 {
			i = n - 2
		}
		// Solve cdf_i + p_i d + slope d²/2 = v for d in [0, x_{i+1} - x_i].
		r, a, s := v-t.cdf[i], t.p[i], t.slope[i]
		var d float64
		if math.Abs(s) < 1e-300 {
			d = r / a
		} else {
			d = 2 * r / (a + math.Sqrt(math.Max(a*a+2*s*r, 0)))
		}
		return math.Min(t.x[i]+d, t.x[i+1])
	}
	switch {
	case v < t.x[0]:
		return 0
	case v > t.x[n-1]:
		if o.kind == interpCDF {
			return 1
		}
		return 0
	}
	i := t.seg(v)
	d := v - t.x[i]
	switch o.kind {
	case interpPDF:
		return t.p[i] + t.slope[i]*d
	case interpSlope:
		return t.slope[i]
	}
	return math.Min(t.cdf[i]+t.p[i]*d+0.5*t.slope[i]*d*d, 1)
}

// Grad implements tensor.Op: the density's derivative is the slope; the CDF's is the density;
// the quantile's is 1/density.
func (o interpOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	x, g := in[0], gout[0]
	switch o.kind {
	case interpPDF:
		return []*tensor.Tensor{tensor.Mul(g, tensor.Apply1(interpOp{kind: interpSlope, t: o.t}, x))}
	case interpCDF:
		return []*tensor.Tensor{tensor.Mul(g, tensor.Apply1(interpOp{kind: interpPDF, t: o.t}, x))}
	case interpICDF:
		return []*tensor.Tensor{tensor.Div(g, tensor.Apply1(interpOp{kind: interpPDF, t: o.t}, out[0]))}
	}
	return []*tensor.Tensor{tensor.ZerosLike(x)}
}

type interpolated struct {
	base
	t *interpTable
}

// Interpolated is the distribution whose density is the linear interpolation of pdfPoints at
// the increasing xPoints, normalized by the trapezoid rule (PyMC's Interpolated):
//
//	p(x) = (p_i + (p_{i+1} - p_i)(x - x_i)/(x_{i+1} - x_i)) / Z,   x_i <= x <= x_{i+1}
//
// with Z = Σ_i (p_i + p_{i+1})(x_{i+1} - x_i)/2. Its CDF is the exact integral (quadratic in
// each interval) and draws are by the inverse CDF. Support: x_0 <= x <= x_{n-1} (interval
// transform). Both tables must be constants.
func Interpolated(xPoints, pdfPoints []float64) Dist {
	b := newBuilder("Interpolated")
	t, err := newInterpTable(xPoints, pdfPoints)
	if err != nil {
		b.fail(fmt.Errorf("Interpolated: %v", err))
		t, _ = newInterpTable([]float64{0, 1}, []float64{1, 1})
	}
	d := &interpolated{t: t}
	d.base = b.base([]int{}, 0, tensor.Float64)
	return d
}

func (d *interpolated) op(kind uint8, x *tt) *tt {
	return tensor.Apply1(interpOp{kind: kind, t: d.t}, tensor.Cast(x, tensor.Float64))
}

func (d *interpolated) Logp(x *tt) *tt   { return tensor.Log(d.op(interpPDF, x)) }
func (d *interpolated) LogCDF(x *tt) *tt { return tensor.Log(d.op(interpCDF, x)) }
func (d *interpolated) LogCCDF(x *tt) *tt {
	return tensor.Log1p(tensor.Neg(d.op(interpCDF, x)))
}
func (d *interpolated) ICDF(u *tt) *tt { return d.op(interpICDF, u) }

func (d *interpolated) Random(rs *tensor.RandomStream, shape []int) *tt {
	return d.ICDF(rs.Uniform(0.0, 1.0, rshape(shape, d.shape)...))
}
func (d *interpolated) lo() *tt { return tensor.Const(d.t.x[0]) }
func (d *interpolated) hi() *tt { return tensor.Const(d.t.x[len(d.t.x)-1]) }
func (d *interpolated) Support() Support {
	return Support{Kind: Interval, Lower: d.lo(), Upper: d.hi()}
}
func (d *interpolated) DefaultTransform() Transform { return IntervalTransform(d.lo(), d.hi()) }

// InitialValue is the median.
func (d *interpolated) InitialValue(shape []int) *tt {
	return fill(d.ICDF(tensor.Const(0.5)), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

// pgLogDensity0 is log p(x | h, 0), the Pólya-Gamma PG(h, 0) density, by the alternating series
// of Polson, Scott and Windle (2013, eq. 2 with the Jacobi density):
//
//	p(x | h, 0) = 2^(h-1)/Γ(h) Σ_n (-1)^n Γ(n+h)/Γ(n+1) (2n+h)/√(2π x³) exp(-(2n+h)²/(8x))
//
// summed until the terms are below 1e-17 of the sum (at most 2000 terms; the series converges
// fast for x up to a few units, where the mass of PG(h, z) lies for moderate h).
func pgLogDensity0(x, h float64) float64 {
	if !(h > 0) || math.IsNaN(x) {
		return math.NaN()
	}
	if !(x > 0) || math.IsInf(x, 1) {
		return math.Inf(-1)
	}
	lgh, _ := math.Lgamma(h)
	sum := 0.0
	for n := 0; n < 2000; n++ {
		fn := float64(n)
		lg1, _ := math.Lgamma(fn + h)
		lg2, _ := math.Lgamma(fn + 1)
		c := 2*fn + h
		lt := lg1 - lg2 + math.Log(c) - c*c/(8*x)
		term := math.Exp(lt)
		if n%2 == 1 {
			term = -term
		}
		sum += term
		if math.Abs(term) < 1e-17*math.Abs(sum) && fn > 2 {
			break
		}
	}
	if !(sum > 0) {
		return math.Inf(-1)
	}
	return (h-1)*math.Ln2 - lgh - 0.5*math.Log(2*math.Pi*x*x*x) + math.Log(sum)
}

// pgOp is log p(x | h, 0) elementwise on (x, h) of one shape; it has no gradient (x is data
// and h a count in the models PG variables appear in).
type pgOp struct{}

// String implements tensor.Op.
func (pgOp) String() string { return "polyagamma_logp0" }

// Infer implements tensor.Op.
func (o pgOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("dist: %s takes 2 inputs, got %d", o, len(in))
	}
	return sameShapes(o.String(), in)
}

// Kernel implements tensor.Op.
func (o pgOp) Kernel(tensor.KernelSpec) (tensor.Kernel, error) {
	return func(out, in []*tensor.Array) error {
		for i := range out[0].Data {
			out[0].Data[i] = pgLogDensity0(in[0].Data[i], in[1].Data[i])
		}
		return nil
	}, nil
}

// Grad implements tensor.Op.
func (pgOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	panic(errDist("PolyaGamma", "the log-density is not differentiable in x or h"))
}

type polyaGamma struct {
	base
	h, z *tt
}

// pgTerms is the number of gamma variables in a Pólya-Gamma draw; the rest of the infinite sum
// is replaced by its mean (its standard deviation is below 1e-6 of the draw's).
const pgTerms = 64

// PolyaGamma is the Pólya-Gamma distribution PG(h, z) of Polson, Scott and Windle (2013), the
// law of (1/(2π²)) Σ_k g_k/((k-½)² + z²/(4π²)) with g_k ~ Gamma(h, 1). Its log-density is
//
//	log p(x | h, z) = h log cosh(z/2) - z²x/2 + log p(x | h, 0)
//
// with p(x | h, 0) the alternating series of pgLogDensity0 (differentiable in z only). Draws
// sum the first 64 gamma terms and add the mean of the rest, from
// E[PG(h, z)] = h tanh(z/2)/(2z). Support: x > 0. Constraints: h > 0.
func PolyaGamma(h, z any) Dist {
	b := newBuilder("PolyaGamma")
	d := &polyaGamma{h: b.param("h", h), z: b.param("z", z)}
	b.positive("h", d.h)
	b.finite("z", d.z)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

// logCoshHalf is log cosh(z/2) = |z|/2 + log1p(e^(-|z|)) - log 2, without overflow.
func logCoshHalf(z *tt) *tt {
	a := tensor.Abs(z)
	return tensor.Sub(tensor.Add(tensor.Mul(a, 0.5), tensor.Log1p(tensor.Exp(tensor.Neg(a)))), math.Ln2)
}

func (d *polyaGamma) Logp(x *tt) *tt {
	ts := broadcastAll([]*tt{tensor.Cast(x, tensor.Float64), tensor.Cast(d.h, tensor.Float64)})
	l0 := tensor.Apply1(pgOp{}, ts[0], ts[1])
	return tensor.Add(tensor.Sub(tensor.Mul(d.h, logCoshHalf(d.z)), tensor.Mul(tensor.Mul(0.5, tensor.Square(d.z)), x)), l0)
}

// pgMean is E[PG(h, z)] = h tanh(z/2)/(2z), h/4 at z = 0.
func pgMean(h, z *tt) *tt {
	small := tensor.Lt(tensor.Abs(z), 1e-6)
	zs := tensor.Switch(small, 1.0, z)
	return tensor.Mul(h, tensor.Switch(small, 0.25, tensor.Div(tensor.Tanh(tensor.Mul(zs, 0.5)), tensor.Mul(2.0, zs))))
}

func (d *polyaGamma) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	ks := make([]float64, pgTerms)
	for i := range ks {
		ks[i] = (float64(i) + 0.5) * (float64(i) + 0.5)
	}
	c2 := tensor.ExpandDims(tensor.Div(tensor.Square(d.z), 4*math.Pi*math.Pi), d.z.NDim())
	w := tensor.Div(1.0/(2*math.Pi*math.Pi), tensor.Add(tensor.Const(ks), c2)) // [..., K]
	hs := fill(tensor.ExpandDims(d.h, d.h.NDim()), append(append([]int{}, s...), pgTerms))
	g := rs.Gamma(hs, 1.0)
	ax := len(s)
	head := tensor.Sum(tensor.Mul(g, w), ax)
	tail := tensor.Sub(pgMean(d.h, d.z), tensor.Mul(d.h, tensor.Sum(w, w.NDim()-1)))
	return tensor.Add(head, tail)
}
func (d *polyaGamma) Support() Support            { return Support{Kind: Positive} }
func (d *polyaGamma) DefaultTransform() Transform { return Log() }
func (d *polyaGamma) InitialValue(shape []int) *tt {
	return fill(pgMean(d.h, d.z), shapeOr(shape, d.shape))
}
