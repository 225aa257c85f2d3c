package dist

import (
	"fmt"
	"math"
	"strings"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// ParamError is an invalid constant parameter found when a distribution is built: the
// distribution, the parameter, the flat index of the offending element in a parameter with more
// than one element (-1 otherwise), its value and the rule it breaks.
type ParamError struct {
	Dist  string
	Param string
	Index []int // position of the element in the parameter; nil for a single value
	Value float64
	Must  string // e.g. "positive" or "in [0, 1]"
}

// Error prints e.g. "Normal: sigma is -1, but must be positive" or with the index of the
// offending element, "Normal: sigma[2] is -1, but must be positive".
func (e *ParamError) Error() string {
	name := e.Param
	if e.Index != nil {
		s := make([]string, len(e.Index))
		for i, k := range e.Index {
			s[i] = fmt.Sprint(k)
		}
		name += "[" + strings.Join(s, ", ") + "]"
	}
	return fmt.Sprintf("%s: %s is %v, but must be %s", e.Dist, name, e.Value, e.Must)
}

// base holds what every distribution shares: its name, the shape of one draw, its event rank and
// dtype, and the first problem found with its parameters.
type base struct {
	name      string
	shape     []int
	eventNDim int
	dtype     tensor.DType
	err       error
}

// Name implements Dist.
func (b *base) Name() string { return b.name }

// Shape implements Dist.
func (b *base) Shape() []int { return append([]int{}, b.shape...) }

// EventNDim implements Dist.
func (b *base) EventNDim() int { return b.eventNDim }

// DType implements Dist.
func (b *base) DType() tensor.DType { return b.dtype }

// Err implements Dist.
func (b *base) Err() error { return b.err }

// builder converts and checks parameters while a distribution is built. It records the first
// error; later steps keep going with placeholders so that a constructor never panics.
type builder struct {
	name   string
	err    error
	shapes [][]int
	pnames []string
	// Storage for the first three parameters' shapes and names: a distribution's builder then
	// allocates nothing of its own.
	shapeBuf [3][]int
	pnameBuf [3]string
}

func newBuilder(name string) *builder {
	b := &builder{name: name}
	b.shapes, b.pnames = b.shapeBuf[:0], b.pnameBuf[:0]
	return b
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// param converts v to a tensor; constants become float64 so that integer literals such as
// Normal(0, 1) mix with float values without surprises. A value that does not convert is
// recorded as an error and replaced by the scalar 1.
func (b *builder) param(pname string, v any) *tensor.Tensor {
	t, err := asTensor(v)
	if err != nil {
		b.fail(fmt.Errorf("%s: parameter %s: %v", b.name, pname, err))
		t = tensor.Const(1.0)
	}
	b.shapes = append(b.shapes, t.Shape())
	b.pnames = append(b.pnames, pname)
	return t
}

// asTensor converts a parameter value, catching conversion failures.
func asTensor(v any) (t *tensor.Tensor, err error) {
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("is nil")
	case float64:
		return tensor.Const(x), nil
	case int:
		// Normal(0, 1): the float constant directly, not an integer one converted.
		return tensor.Const(float64(x)), nil
	}
	err = tensor.Catch(func() { t = tensor.As(v) })
	if err != nil {
		return nil, err
	}
	if a := t.Value(); a != nil && a.DType != tensor.Float64 {
		c := a.Clone()
		c.DType = tensor.Float64
		t = tensor.Const(c)
	}
	return t, nil
}

// check records an error for the first element of a constant parameter t that fails ok.
func (b *builder) check(pname string, t *tensor.Tensor, must string, ok func(float64) bool) {
	a := t.Value()
	if a == nil || b.err != nil {
		return
	}
	for i, v := range a.Data {
		if !ok(v) {
			e := &ParamError{Dist: b.name, Param: pname, Value: v, Must: must}
			if a.Size() > 1 {
				e.Index = unravel(i, a.Shape)
			}
			b.fail(e)
			return
		}
	}
}

func (b *builder) positive(pname string, t *tensor.Tensor) {
	b.check(pname, t, "positive", func(v float64) bool { return v > 0 })
	b.check(pname, t, "finite", func(v float64) bool { return !math.IsInf(v, 1) })
}

func (b *builder) nonNegative(pname string, t *tensor.Tensor) {
	b.check(pname, t, "non-negative", func(v float64) bool { return v >= 0 })
	b.check(pname, t, "finite", func(v float64) bool { return !math.IsInf(v, 1) })
}

// sumsToOne records an error where a row (last axis) of constant probabilities t does not sum
// to 1 within tol.
func (b *builder) sumsToOne(pname string, t *tensor.Tensor, tol float64) {
	a := t.Value()
	if a == nil || b.err != nil || len(a.Shape) == 0 {
		return
	}
	k := a.Shape[len(a.Shape)-1]
	for i := 0; k > 0 && i+k <= len(a.Data); i += k {
		s := 0.0
		for _, v := range a.Data[i : i+k] {
			s += v
		}
		if math.Abs(s-1) > tol {
			name := pname
			if len(a.Shape) > 1 {
				name = fmt.Sprintf("%s[%d]", pname, i/k)
			}
			b.fail(fmt.Errorf("%s: %s sums to %.12g, but must sum to 1 (within %g)", b.name, name, s, tol))
			return
		}
	}
}

func (b *builder) probability(pname string, t *tensor.Tensor) {
	b.check(pname, t, "in [0, 1]", func(v float64) bool { return v >= 0 && v <= 1 })
}

func (b *builder) finite(pname string, t *tensor.Tensor) {
	b.check(pname, t, "finite", func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) })
}

func (b *builder) integer(pname string, t *tensor.Tensor) {
	b.check(pname, t, "a non-negative integer", func(v float64) bool { return v >= 0 && !math.IsInf(v, 1) && v == math.Trunc(v) })
}

// less records an error where constant lo >= hi elementwise (after broadcasting).
func (b *builder) less(loName, hiName string, lo, hi *tensor.Tensor, strict bool) {
	if b.err != nil || lo == nil || hi == nil || lo.Value() == nil || hi.Value() == nil {
		return
	}
	l, h := lo.Value(), hi.Value()
	n := l.Size()
	if h.Size() > n {
		n = h.Size()
	}
	for i := 0; i < n; i++ {
		lv, hv := l.Data[i%l.Size()], h.Data[i%h.Size()]
		if lv > hv || (strict && lv == hv) || math.IsNaN(lv) || math.IsNaN(hv) {
			rel := "less than"
			if !strict {
				rel = "at most"
			}
			b.fail(fmt.Errorf("%s: %s is %v, but must be %s %s (%v)", b.name, loName, lv, rel, hiName, hv))
			return
		}
	}
}

// batch broadcasts the shapes of the parameters seen so far (with extra shapes appended), and
// records an error naming both shapes when they do not broadcast.
func (b *builder) batch(extra ...[]int) []int {
	var out []int
	for i := range len(b.shapes) + len(extra) {
		s, name := []int(nil), "shape"
		if i < len(b.shapes) {
			s, name = b.shapes[i], b.pnames[i]
		} else {
			s = extra[i-len(b.shapes)]
		}
		r, ok := broadcast2(out, s)
		if !ok {
			b.fail(fmt.Errorf("%s: parameter shapes %s (%s) and %s do not broadcast",
				b.name, tensor.ShapeString(s), name, tensor.ShapeString(out)))
			return []int{}
		}
		out = r
	}
	if out == nil {
		out = []int{}
	}
	return out
}

// base finishes the build.
func (b *builder) base(shape []int, eventNDim int, dt tensor.DType) base {
	return base{name: b.name, shape: shape, eventNDim: eventNDim, dtype: dt, err: b.err}
}

// broadcast2 is NumPy's broadcasting rule on static shapes, where only dimensions equal to 1
// stretch and an Unknown dimension takes the known length it meets.
func broadcast2(a, b []int) ([]int, bool) {
	n := len(a)
	if len(b) > n {
		n = len(b)
	}
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if k := i - (n - len(a)); k >= 0 {
			da = a[k]
		}
		if k := i - (n - len(b)); k >= 0 {
			db = b[k]
		}
		switch {
		case da == db:
			out[i] = da
		case da == 1:
			out[i] = db
		case db == 1:
			out[i] = da
		case da == tensor.Unknown:
			out[i] = db
		case db == tensor.Unknown:
			out[i] = da
		default:
			return nil, false
		}
	}
	return out, true
}

func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			idx[k] = i % shape[k]
			i /= shape[k]
		}
	}
	return idx
}

// allConst reports whether t is a constant whose every element satisfies ok.
func allConst(t *tensor.Tensor, ok func(float64) bool) bool {
	a := t.Value()
	if a == nil {
		return false
	}
	for _, v := range a.Data {
		if !ok(v) {
			return false
		}
	}
	return true
}

// opName is the name of the op computing t, or "".
func opName(t *tensor.Tensor) string {
	if t.Owner() == nil {
		return ""
	}
	return t.Owner().Op.String()
}

// knownPositive reports whether t is positive by construction: a positive constant or the
// output of exp (the log transform's backward map). Checks on such tensors are left out of the
// graph, which keeps the log-densities of transformed models small.
func knownPositive(t *tensor.Tensor) bool {
	return allConst(t, func(v float64) bool { return v > 0 }) || opName(t) == "exp"
}

// Conditions for bound. Each returns nil when the condition holds by construction.

func condPos(t *tensor.Tensor) *tensor.Tensor {
	if knownPositive(t) {
		return nil
	}
	return tensor.Gt(t, 0.0)
}

func condNonNeg(t *tensor.Tensor) *tensor.Tensor {
	if knownPositive(t) || allConst(t, func(v float64) bool { return v >= 0 }) {
		return nil
	}
	return tensor.Ge(t, 0.0)
}

func condProb(t *tensor.Tensor) *tensor.Tensor {
	if opName(t) == "sigmoid" || allConst(t, func(v float64) bool { return v >= 0 && v <= 1 }) {
		return nil
	}
	return tensor.And(tensor.Ge(t, 0.0), tensor.Le(t, 1.0))
}

func condUnit(t *tensor.Tensor) *tensor.Tensor {
	if opName(t) == "sigmoid" || allConst(t, func(v float64) bool { return v > 0 && v < 1 }) {
		return nil
	}
	return tensor.And(tensor.Gt(t, 0.0), tensor.Lt(t, 1.0))
}

// condCount: a non-negative integer.
func condCount(t *tensor.Tensor) *tensor.Tensor {
	if allConst(t, func(v float64) bool { return v >= 0 && v == math.Trunc(v) }) {
		return nil
	}
	return tensor.And(tensor.Ge(t, 0.0), tensor.Eq(tensor.Floor(t), t))
}

// condInt: an integer in [lo, hi] (lo, hi may be nil).
func condInt(t, lo, hi *tensor.Tensor) *tensor.Tensor {
	if lo != nil && hi != nil && lo.Value() != nil && hi.Value() != nil && lo.Value().Size() == 1 && hi.Value().Size() == 1 {
		l, h := lo.Value().Data[0], hi.Value().Data[0]
		if allConst(t, func(v float64) bool { return v >= l && v <= h && v == math.Trunc(v) }) {
			return nil
		}
	}
	c := tensor.Eq(tensor.Floor(t), t)
	if lo != nil {
		c = tensor.And(c, tensor.Ge(t, lo))
	}
	if hi != nil {
		c = tensor.And(c, tensor.Le(t, hi))
	}
	return c
}

func condBetween(t, lo, hi *tensor.Tensor, strict bool) *tensor.Tensor {
	if lo != nil && hi != nil && lo.Value() != nil && hi.Value() != nil && lo.Value().Size() == 1 && hi.Value().Size() == 1 {
		l, h := lo.Value().Data[0], hi.Value().Data[0]
		if allConst(t, func(v float64) bool { return v > l && v < h || !strict && (v == l || v == h) }) {
			return nil
		}
	}
	var c *tensor.Tensor
	if lo != nil {
		if strict {
			c = tensor.Gt(t, lo)
		} else {
			c = tensor.Ge(t, lo)
		}
	}
	if hi != nil {
		var d *tensor.Tensor
		if strict {
			d = tensor.Lt(t, hi)
		} else {
			d = tensor.Le(t, hi)
		}
		if c == nil {
			c = d
		} else {
			c = tensor.And(c, d)
		}
	}
	return c
}

// bound is lp where every condition holds and -Inf elsewhere. Switch (rather than adding a log
// of an indicator) keeps the gradient finite where the conditions hold: the discarded branch
// gets a zero gradient.
func bound(lp *tensor.Tensor, conds ...*tensor.Tensor) *tensor.Tensor {
	var c *tensor.Tensor
	for _, k := range conds {
		if k == nil {
			continue
		}
		if c == nil {
			c = k
		} else {
			c = tensor.And(c, k)
		}
	}
	if c == nil {
		return lp
	}
	return tensor.Switch(c, lp, math.Inf(-1))
}

// Graph helpers for log-densities.

const (
	logSqrt2Pi = 0.91893853320467274178032973640561764 // log(sqrt(2 pi))
	logPi      = 1.14472988584940017414342735135305871 // log(pi)
)

// lbeta is log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b).
func lbeta(a, b any) *tensor.Tensor {
	return tensor.Sub(tensor.Add(tensor.Lgamma(a), tensor.Lgamma(b)), tensor.Lgamma(tensor.Add(a, b)))
}

// lchoose is log(n choose k) through lgamma.
func lchoose(n, k any) *tensor.Tensor {
	return tensor.Sub(tensor.Sub(tensor.Lgamma(tensor.Add(n, 1.0)), tensor.Lgamma(tensor.Add(k, 1.0))),
		tensor.Lgamma(tensor.Add(tensor.Sub(n, k), 1.0)))
}

// xlogy is x*log(y) with the convention 0*log(0) = 0 (needed where a probability is exactly 0
// or 1, which a sigmoid reaches in float64). Where x = 0 the log is taken of 1 instead of y, so
// that the branch Switch discards has a finite gradient too (0 times an infinite derivative
// would otherwise make the gradient NaN).
func xlogy(x, y *tensor.Tensor) *tensor.Tensor {
	if knownPositive(y) || allConst(x, func(v float64) bool { return v != 0 }) {
		return tensor.Mul(x, tensor.Log(y))
	}
	zero := tensor.Eq(x, 0.0)
	return tensor.Switch(zero, 0.0, tensor.Mul(x, tensor.Log(tensor.Switch(zero, 1.0, y))))
}

// xlog1py is x*log1p(y) with 0*log(0) = 0, safe in the same way as xlogy.
func xlog1py(x, y *tensor.Tensor) *tensor.Tensor {
	if allConst(y, func(v float64) bool { return v > -1 }) || allConst(x, func(v float64) bool { return v != 0 }) {
		return tensor.Mul(x, tensor.Log1p(y))
	}
	zero := tensor.Eq(x, 0.0)
	return tensor.Switch(zero, 0.0, tensor.Mul(x, tensor.Log1p(tensor.Switch(zero, 0.0, y))))
}

// logAddExp is log(exp(a) + exp(b)) without overflow.
func logAddExp(a, b *tensor.Tensor) *tensor.Tensor {
	m := tensor.Maximum(a, b)
	d := tensor.Neg(tensor.Abs(tensor.Sub(a, b)))
	// Where both are -Inf the difference is NaN; the result is -Inf there.
	r := tensor.Add(m, tensor.Log1p(tensor.Exp(d)))
	return tensor.Switch(tensor.Eq(m, math.Inf(-1)), math.Inf(-1), r)
}

// logSubExp is log(exp(a) - exp(b)) for a >= b.
func logSubExp(a, b *tensor.Tensor) *tensor.Tensor {
	return tensor.Add(a, tensor.Log1mexp(tensor.Sub(b, a)))
}

// normLogCDF is log Φ(z), accurate in the lower tail: through erfc (Φ(z) = erfc(-z/√2)/2) for
// z >= -30, and below, where erfc underflows, by the asymptotic series
// log Φ(z) = -z²/2 - log(-z) - log √(2π) + log(1 - 1/z² + 3/z⁴ - 15/z⁶ + 105/z⁸)
// (Abramowitz & Stegun 26.2.12; the next term is below 1e-12 there). Each branch is evaluated at
// an argument clamped to its own range, so that the branch Switch discards stays finite and
// the gradient is never NaN.
func normLogCDF(z *tensor.Tensor) *tensor.Tensor {
	const cut = -30.0
	zc := tensor.Maximum(z, cut)
	direct := tensor.Sub(tensor.Log(tensor.Erfc(tensor.Mul(zc, -math.Sqrt2/2))), math.Ln2)
	if allConst(z, func(v float64) bool { return v >= cut }) {
		return direct
	}
	za := tensor.Minimum(z, cut)
	w := tensor.Div(1.0, tensor.Square(za))
	series := tensor.Add(1.0, tensor.Mul(w, tensor.Add(-1.0, tensor.Mul(w, tensor.Add(3.0, tensor.Mul(w, tensor.Add(-15.0, tensor.Mul(w, 105.0))))))))
	asym := tensor.Sub(tensor.Add(tensor.Mul(-0.5, tensor.Square(za)), tensor.Log(series)), tensor.Add(tensor.Log(tensor.Neg(za)), logSqrt2Pi))
	return tensor.Switch(tensor.Lt(z, cut), asym, direct)
}

// fill broadcasts x to shape (nil: x's own shape), as a float64 tensor.
func fill(x any, shape []int) *tensor.Tensor {
	t := tensor.Cast(x, tensor.Float64)
	if shape == nil {
		return t
	}
	for _, d := range shape {
		if d < 0 {
			return t
		}
	}
	if len(t.Shape()) > len(shape) {
		return t
	}
	return tensor.BroadcastTo(t, shape...)
}

// or returns shape, or def when shape is nil.
func shapeOr(shape, def []int) []int {
	if shape == nil {
		return def
	}
	return shape
}

// errDist reports that a distribution cannot do something (draw values, for Flat); graph
// builders panic with *tensor.Error, which the model layer catches with tensor.Catch.
func errDist(name, msg string) *tensor.Error {
	return &tensor.Error{Op: name, Msg: msg}
}
