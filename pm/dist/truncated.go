package dist

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// CDFer is implemented by the distributions with a closed-form cumulative distribution
// function or one through special functions (the regularized incomplete gamma and beta
// functions, Marcum's Q, Owen's T), which Truncated and Censored need: every univariate
// distribution except VonMises, PolyaGamma, Categorical, OrderedLogistic and OrderedProbit, and
// the mixtures whose components all have one (see the table in the package documentation).
// Flat and HalfFlat have PyMC's conventional log-CDFs, which Censored accepts; Truncated refuses
// them.
type CDFer interface {
	// LogCDF is log P(X <= x), elementwise.
	LogCDF(x *tensor.Tensor) *tensor.Tensor
	// LogCCDF is log P(X > x), elementwise.
	LogCCDF(x *tensor.Tensor) *tensor.Tensor
}

// ICDFer is implemented by the distributions with a quantile function, closed-form or by a
// numerical inversion (Gamma, Beta, StudentT, Rice and SkewNormal by a safeguarded Newton
// iteration on the log-CDF; Poisson, Binomial, NegativeBinomial, BetaBinomial and
// ZeroInflatedPoisson by a search over the CDF), which Truncated uses for random draws.
type ICDFer interface {
	// ICDF is the quantile function F⁻¹(u), elementwise.
	ICDF(u *tensor.Tensor) *tensor.Tensor
}

type truncated struct {
	base
	d      Dist
	cdf    CDFer
	lo, hi *tt // nil where unbounded
	slo    *tt // the support's lower and upper bounds (truncation bounds within the base's)
	shi    *tt
}

// Truncated is the distribution d restricted to [lower, upper] and renormalized (a nil bound
// means none). Its log-density is
//
//	log p(x) = log p_d(x) - log(F(upper) - F(lower))   for lower <= x <= upper
//
// with F the CDF of d (d must implement CDFer; for discrete d the mass at lower is kept,
// F(lower - 1) is used). The difference of CDFs is taken in the tail where it is accurate.
// Support: the interval (interval transform for continuous d). Constraints: lower < upper.
func Truncated(d Dist, lower, upper any) Dist {
	return truncate("Truncated", d, lower, upper)
}

// TruncatedNormal is the normal distribution with mean mu and standard deviation sigma
// truncated to [lower, upper] (nil for none). Its log-density is
//
//	log p(x) = log N(x | μ, σ) - log(Φ((upper-μ)/σ) - Φ((lower-μ)/σ))
//
// Support: lower <= x <= upper (interval transform). Constraints: σ > 0, lower < upper. Random
// draws by the inverse CDF, or, where P(X > lower) < 1e-6, by inverting the survival function.
func TruncatedNormal(mu, sigma, lower, upper any) Dist {
	return truncate("TruncatedNormal", Normal(mu, sigma), lower, upper)
}

func truncate(name string, d Dist, lower, upper any) Dist {
	b := newBuilder(name)
	t := &truncated{d: d}
	if d == nil {
		b.fail(fmt.Errorf("%s: the distribution is nil", name))
		d = Normal(0.0, 1.0)
		t.d = d
	}
	if d.Err() != nil {
		b.fail(d.Err())
	}
	cdf, ok := d.(CDFer)
	if !ok {
		b.fail(fmt.Errorf("%s: %s has no closed-form CDF, so it cannot be truncated", name, d.Name()))
		d = Normal(0.0, 1.0)
		t.d, cdf = d, d.(CDFer)
	}
	if d.EventNDim() != 0 {
		b.fail(fmt.Errorf("%s: %s is multivariate; only scalar distributions can be truncated", name, d.Name()))
	}
	if _, improper := d.(*flat); improper {
		b.fail(fmt.Errorf("%s: %s is improper, so it cannot be truncated (use Uniform for a flat density on an interval)", name, d.Name()))
	}
	t.cdf = cdf
	if lower != nil {
		t.lo = b.param("lower", lower)
		if allConst(t.lo, func(v float64) bool { return math.IsInf(v, -1) }) {
			t.lo = nil
		}
	}
	if upper != nil {
		t.hi = b.param("upper", upper)
		if allConst(t.hi, func(v float64) bool { return math.IsInf(v, 1) }) {
			t.hi = nil
		}
	}
	b.less("lower", "upper", t.lo, t.hi, true)
	if t.lo == nil && t.hi == nil {
		b.fail(fmt.Errorf("%s: both bounds are missing", name))
	}
	if name == "Truncated" {
		name += d.Name()
	}
	b.name = name
	// Combine with the base support's bounds so that the transform maps onto the right interval.
	s := d.Support()
	var blo, bhi *tt
	switch s.Kind {
	case Positive, NonNegative:
		blo = tensor.Const(0.0)
	case UnitInterval:
		blo, bhi = tensor.Const(0.0), tensor.Const(1.0)
	case Interval, Integers, Circular:
		blo, bhi = s.Lower, s.Upper
	}
	t.slo, t.shi = tighter(t.lo, blo, tensor.Maximum), tighter(t.hi, bhi, tensor.Minimum)
	t.base = b.base(b.batch(d.Shape()), 0, d.DType())
	t.name = name
	return t
}

func tighter(a, b *tt, f func(x, y any) *tensor.Tensor) *tt {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return f(a, b)
}

func (t *truncated) discrete() bool { return t.dtype == tensor.Int64 }

// logNorm is log P(lower <= X <= upper).
func (t *truncated) logNorm() *tt {
	lo := t.lo
	if lo != nil && t.discrete() {
		lo = tensor.Sub(lo, 1.0)
	}
	switch {
	case lo == nil:
		return t.cdf.LogCDF(t.hi)
	case t.hi == nil:
		return t.cdf.LogCCDF(lo)
	}
	// In the upper tail F(hi) - F(lo) loses the digits that S(lo) - S(hi) keeps (S = 1 - F).
	// The pair is chosen before the subtraction, so that the branch not taken never produces
	// an infinite value whose zero-weighted gradient would be NaN.
	lcLo := t.cdf.LogCDF(lo)
	upper := tensor.Gt(lcLo, -math.Ln2)
	a := tensor.Switch(upper, t.cdf.LogCCDF(lo), t.cdf.LogCDF(t.hi))
	b := tensor.Switch(upper, t.cdf.LogCCDF(t.hi), lcLo)
	return logSubExp(a, b)
}

func (t *truncated) Logp(x *tt) *tt {
	lp := tensor.Sub(t.d.Logp(x), t.logNorm())
	return bound(lp, condBetween(xf(x), t.lo, t.hi, false))
}

func (t *truncated) LogCDF(x *tt) *tt {
	lo := t.lo
	if lo == nil {
		return tensor.Sub(t.cdf.LogCDF(tensor.Minimum(x, t.hi)), t.logNorm())
	}
	if t.discrete() {
		lo = tensor.Sub(lo, 1.0)
	}
	xc := tensor.Maximum(x, lo)
	if t.hi != nil {
		xc = tensor.Minimum(xc, t.hi)
	}
	return tensor.Sub(logSubExp(t.cdf.LogCDF(xc), t.cdf.LogCDF(lo)), t.logNorm())
}

func (t *truncated) LogCCDF(x *tt) *tt {
	hi := t.hi
	if hi == nil {
		xc := x
		if t.lo != nil {
			xc = tensor.Maximum(x, t.lo)
		}
		return tensor.Sub(t.cdf.LogCCDF(xc), t.logNorm())
	}
	xc := tensor.Minimum(x, hi)
	if t.lo != nil {
		xc = tensor.Maximum(xc, t.lo)
	}
	return tensor.Sub(logSubExp(t.cdf.LogCCDF(xc), t.cdf.LogCCDF(hi)), t.logNorm())
}

// Random draws by the inverse CDF: u uniform between F(lower) and F(upper), x = F⁻¹(u); where
// lower is deep in the upper tail, by upperTailDraw.
func (t *truncated) Random(rs *tensor.RandomStream, shape []int) *tt {
	ic, ok := t.d.(ICDFer)
	if !ok {
		panic(errDist(t.name, fmt.Sprintf("random draws need the quantile function of %s, which is not available", t.d.Name())))
	}
	s := rshape(shape, t.shape)
	// lo is the lower bound of the CDF's argument: for discrete d, lower − 1 keeps the mass at
	// lower.
	var lo, logSlo *tt
	tail := constNone
	if t.lo != nil {
		lo = t.lo
		if t.discrete() {
			lo = tensor.Sub(lo, 1.0)
		}
		// Where S(lower) = P(X > lower) is below 1e-6, F(lower) is too close to 1 for u to
		// resolve the interval (beyond about 8 standard deviations of a normal it rounds to 1
		// and F⁻¹(u) is +Inf): there x is drawn by inverting the survival function instead.
		// A constant bound decides the branch here, so only the one taken is built.
		logSlo = t.cdf.LogCCDF(lo)
		tail = constState(logSlo, func(v float64) bool { return v < logDeepTail })
	}
	var x *tt
	if tail != constAll {
		var flo, fhi *tt = tensor.Const(0.0), tensor.Const(1.0)
		if lo != nil {
			flo = tensor.Exp(t.cdf.LogCDF(lo))
		}
		if t.hi != nil {
			fhi = tensor.Exp(t.cdf.LogCDF(t.hi))
		}
		x = ic.ICDF(rs.Uniform(fill(flo, s), fhi))
	}
	switch tail {
	case constAll:
		x = t.upperTailDraw(rs, s, logSlo)
	case constNotConst, constSome:
		x = tensor.Switch(tensor.Lt(logSlo, logDeepTail), t.upperTailDraw(rs, s, logSlo), x)
	}
	if t.discrete() {
		x = asInt(x)
	}
	if t.lo != nil {
		x = tensor.Maximum(x, t.lo)
	}
	if t.hi != nil {
		x = tensor.Minimum(x, t.hi)
	}
	return x
}

// logDeepTail is log 1e-6: below it, log P(X > lower) puts the truncation too deep in the
// upper tail for the inverse CDF, and Random inverts the survival function.
const logDeepTail = -13.815510557964274 // log 1e-6

// Outcomes of constState.
const (
	constNotConst = iota // the tensor depends on inputs, shared variables or random draws
	constNone            // constant, and no element satisfies the condition
	constSome            // constant, and some elements do
	constAll             // constant, and every element does
)

// constState evaluates t when it is computed from constants only and reports whether the
// condition holds for none, some or all of its elements, so that a graph can leave out a
// branch no element takes (the branches are expensive); otherwise it reports constNotConst.
func constState(t *tt, cond func(float64) bool) int {
	seen := map[*tt]bool{}
	var pure func(*tt) bool
	pure = func(u *tt) bool {
		if seen[u] {
			return true
		}
		seen[u] = true
		a := u.Owner()
		if a == nil {
			return u.IsConstant()
		}
		switch a.Op.(type) {
		case tensor.RandomOp, tensor.MvRandomOp:
			return false
		}
		for _, in := range a.Inputs {
			if !pure(in) {
				return false
			}
		}
		return true
	}
	if !pure(t) {
		return constNotConst
	}
	v, err := tensor.Eval(t)
	if err != nil {
		return constNotConst
	}
	n := 0
	for _, x := range v[0].Data {
		if cond(x) {
			n++
		}
	}
	switch n {
	case 0:
		return constNone
	case len(v[0].Data):
		return constAll
	}
	return constSome
}

// upperTailDraw draws x from the truncated distribution by solving S(x) = v, where
// S(x) = P(X > x) and v is uniform between S(upper) and S(lower) = exp(logSlo), all in log
// space, so that it stays exact however deep in the upper tail the interval lies. Continuous
// distributions take a Newton step on log S (its derivative is -p(x)/S(x)) wherever that stays
// inside the current bracket, and otherwise bisect the bracket, or double its length while it
// has no upper end. Discrete ones search the integers: the draw is the largest k >= lower with
// P(X >= k) >= v, found by doubling and then bisection.
func (t *truncated) upperTailDraw(rs *tensor.RandomStream, s []int, logSlo *tt) *tt {
	lo := fill(t.lo, s)
	logSlo = fill(logSlo, s)
	w := rs.Uniform(0.0, 1.0, s...)
	// log v = log(S(hi) + w (S(lo) - S(hi))) = log S(lo) + log(w + (1-w) S(hi)/S(lo)).
	ratio := tensor.Const(0.0)
	hi := tensor.Const(math.Inf(1))
	if t.hi != nil {
		hi = fill(t.hi, s)
		ratio = tensor.Exp(tensor.Sub(t.cdf.LogCCDF(t.hi), logSlo))
	}
	logv := tensor.Add(logSlo, tensor.Log(tensor.Add(w, tensor.Mul(tensor.Sub(1.0, w), ratio))))
	// a always satisfies S(a) >= v (P(X >= a) >= v for discrete), b (once finite) the opposite.
	a, b := lo, tensor.Add(hi, 0.0)
	if t.discrete() {
		b = tensor.Add(hi, 1.0)
		// Doubling reaches 2^62 steps and bisection then needs as many halvings.
		for i := 0; i < 128; i++ {
			mid := tensor.Switch(tensor.Gt(b, math.MaxFloat64),
				tensor.Add(a, tensor.Add(tensor.Sub(a, lo), 1.0)),
				tensor.Floor(tensor.Mul(tensor.Add(a, b), 0.5)))
			ge := tensor.Ge(t.cdf.LogCCDF(tensor.Sub(mid, 1.0)), logv)
			a = tensor.Switch(ge, mid, a)
			b = tensor.Switch(ge, b, mid)
		}
		return a
	}
	// The scale of the tail, S(lo)/p(lo), sets the first doubling step.
	scale := tensor.Exp(tensor.Sub(logSlo, t.d.Logp(lo)))
	scale = tensor.Switch(tensor.And(tensor.Gt(scale, 0.0), tensor.Lt(scale, math.MaxFloat64)), scale, 1.0)
	x := lo
	for i := 0; i < 60; i++ {
		logS := t.cdf.LogCCDF(x)
		f := tensor.Sub(logS, logv)
		above := tensor.Ge(f, 0.0)
		a = tensor.Switch(above, x, a)
		b = tensor.Switch(above, b, x)
		newton := tensor.Add(x, tensor.Mul(f, tensor.Exp(tensor.Sub(logS, t.d.Logp(x)))))
		fallback := tensor.Switch(tensor.Gt(b, math.MaxFloat64),
			tensor.Add(a, tensor.Add(tensor.Mul(tensor.Sub(a, lo), 2.0), scale)),
			tensor.Mul(tensor.Add(a, b), 0.5))
		x = tensor.Switch(tensor.And(tensor.Gt(newton, a), tensor.Lt(newton, b)), newton, fallback)
	}
	return x
}

func (t *truncated) Support() Support {
	if t.discrete() {
		return Support{Kind: Integers, Lower: t.slo, Upper: t.shi}
	}
	return Support{Kind: Interval, Lower: t.slo, Upper: t.shi}
}

func (t *truncated) DefaultTransform() Transform {
	if t.discrete() {
		return nil
	}
	return IntervalTransform(nilIfNil(t.slo), nilIfNil(t.shi))
}

func nilIfNil(t *tt) any {
	if t == nil {
		return nil
	}
	return t
}

// InitialValue is the base distribution's when it lies strictly inside the bounds, else the
// midpoint (both bounds), or the bound moved by 1 into the support.
func (t *truncated) InitialValue(shape []int) *tt {
	s := shapeOr(shape, t.shape)
	iv := tensor.Cast(t.d.InitialValue(s), tensor.Float64)
	lo, hi := t.slo, t.shi
	var r *tt
	switch {
	case lo != nil && hi != nil:
		r = tensor.Switch(tensor.And(tensor.Gt(iv, lo), tensor.Lt(iv, hi)), iv, tensor.Mul(tensor.Add(lo, hi), 0.5))
	case lo != nil:
		r = tensor.Switch(tensor.Gt(iv, lo), iv, tensor.Add(lo, 1.0))
	case hi != nil:
		r = tensor.Switch(tensor.Lt(iv, hi), iv, tensor.Sub(hi, 1.0))
	default:
		r = iv
	}
	r = fill(r, s)
	if t.discrete() {
		return asInt(tensor.Round(r))
	}
	return r
}

// ---------------------------------------------------------------------------------------------

type censored struct {
	base
	d      Dist
	cdf    CDFer
	lo, hi *tt
}

// Censored is the distribution d censored at lower and upper (a nil bound means none): values
// below lower are recorded as lower and values above upper as upper, so
//
//	log p(x) = log F(lower) at x = lower,  log(1 - F(upper)) at x = upper,  log p_d(x) between
//
// (for discrete d, P(X >= upper) = 1 - F(upper - 1)). d must implement CDFer. It is meant for
// observed data; it has no default transform. Support: [lower, upper].
func Censored(d Dist, lower, upper any) Dist {
	b := newBuilder("Censored")
	c := &censored{d: d}
	if d == nil {
		b.fail(fmt.Errorf("Censored: the distribution is nil"))
		d = Normal(0.0, 1.0)
		c.d = d
	}
	if d.Err() != nil {
		b.fail(d.Err())
	}
	cdf, ok := d.(CDFer)
	if !ok {
		b.fail(fmt.Errorf("Censored: %s has no closed-form CDF, so it cannot be censored", d.Name()))
		d = Normal(0.0, 1.0)
		c.d, cdf = d, d.(CDFer)
	}
	if d.EventNDim() != 0 {
		b.fail(fmt.Errorf("Censored: %s is multivariate; only scalar distributions can be censored", d.Name()))
	}
	c.cdf = cdf
	if lower != nil {
		c.lo = b.param("lower", lower)
	}
	if upper != nil {
		c.hi = b.param("upper", upper)
	}
	b.less("lower", "upper", c.lo, c.hi, true)
	c.base = b.base(b.batch(d.Shape()), 0, d.DType())
	c.name = "Censored" + d.Name()
	return c
}

func (c *censored) Logp(x *tt) *tt {
	lp := c.d.Logp(x)
	xv := xf(x)
	if c.lo != nil {
		lp = tensor.Switch(tensor.Le(xv, c.lo), c.cdf.LogCDF(c.lo), lp)
	}
	if c.hi != nil {
		h := c.hi
		if c.dtype == tensor.Int64 {
			h = tensor.Sub(h, 1.0)
		}
		lp = tensor.Switch(tensor.Ge(xv, c.hi), c.cdf.LogCCDF(h), lp)
	}
	return bound(lp, condBetween(xv, c.lo, c.hi, false))
}

func (c *censored) Random(rs *tensor.RandomStream, shape []int) *tt {
	x := c.d.Random(rs, rshape(shape, c.shape))
	if c.lo != nil {
		x = tensor.Maximum(x, c.lo)
	}
	if c.hi != nil {
		x = tensor.Minimum(x, c.hi)
	}
	if c.dtype == tensor.Int64 {
		return asInt(x)
	}
	return x
}

// Support is the base's for continuous d: observed values lie on the closed interval
// [lower, upper], with point masses at the bounds, which the open Interval kind would reject.
func (c *censored) Support() Support {
	if c.dtype == tensor.Int64 {
		return Support{Kind: Integers, Lower: c.lo, Upper: c.hi}
	}
	return c.d.Support()
}

func (c *censored) DefaultTransform() Transform { return nil }

func (c *censored) InitialValue(shape []int) *tt {
	iv := c.d.InitialValue(shapeOr(shape, c.shape))
	if c.lo != nil {
		iv = tensor.Maximum(iv, c.lo)
	}
	if c.hi != nil {
		iv = tensor.Minimum(iv, c.hi)
	}
	if c.dtype == tensor.Int64 {
		return asInt(iv)
	}
	return iv
}
