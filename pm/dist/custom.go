package dist

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// LogpFunc is a log-density written as a Go function building a graph: the value and the
// parameters (as tensors) in, the elementwise log-density out.
type LogpFunc func(value *tensor.Tensor, params []*tensor.Tensor) *tensor.Tensor

// RandomFunc draws from a CustomDist with the given shape using the stream.
type RandomFunc func(rs *tensor.RandomStream, params []*tensor.Tensor, shape []int) *tensor.Tensor

// CustomOption sets an optional part of a CustomDist.
type CustomOption func(*custom)

// WithRandom gives a CustomDist its random draws (for prior and posterior predictive sampling).
func WithRandom(f RandomFunc) CustomOption { return func(c *custom) { c.random = f } }

// WithSupport sets a CustomDist's support (default: all reals); it also picks the default
// transform unless WithTransform sets one: log for Positive, log-odds for UnitInterval, interval
// for Interval.
func WithSupport(s Support) CustomOption { return func(c *custom) { c.support = s } }

// WithTransform sets a CustomDist's default transform (nil for none).
func WithTransform(t Transform) CustomOption {
	return func(c *custom) { c.transform, c.hasTransform = t, true }
}

// WithShape sets the shape of one draw (default: the broadcast shape of the parameters).
func WithShape(shape ...int) CustomOption {
	return func(c *custom) { c.shape = append([]int{}, shape...) }
}

// WithEventNDim sets the number of trailing dimensions forming one event (default 0).
func WithEventNDim(n int) CustomOption { return func(c *custom) { c.eventNDim = n } }

// WithDType sets the value dtype: tensor.Int64 for a discrete distribution (default Float64).
func WithDType(dt tensor.DType) CustomOption { return func(c *custom) { c.dtype = dt } }

// WithInitial sets the initial value: a function of the requested shape.
func WithInitial(f func(shape []int) *tensor.Tensor) CustomOption {
	return func(c *custom) { c.initial = f }
}

type custom struct {
	base
	logp         LogpFunc
	random       RandomFunc
	params       []*tt
	support      Support
	transform    Transform
	hasTransform bool
	initial      func(shape []int) *tt
}

// CustomDist is a distribution whose log-density is the Go function logp of the value and the
// parameters params (float64 values, slices, gonum matrices or tensors, converted to tensors),
// PyMC's CustomDist. logp must build its result from tensor operations so that it has
// gradients and runs on every backend, and must return -Inf outside the support. Options add
// random draws, the support, the transform, the shape, the event rank, the dtype and the
// initial value. For a log-likelihood that is a plain Go function of float64 values (no tensor
// graph), use the model's black-box terms instead.
func CustomDist(name string, logp LogpFunc, params []any, opts ...CustomOption) Dist {
	b := newBuilder(name)
	c := &custom{logp: logp, support: Support{Kind: Real}}
	for i, p := range params {
		c.params = append(c.params, b.param(fmt.Sprintf("params[%d]", i), p))
	}
	if logp == nil {
		b.fail(fmt.Errorf("%s: the log-density function is nil", name))
	}
	c.base = b.base(b.batch(), 0, tensor.Float64)
	for _, o := range opts {
		o(c)
	}
	return c
}

// callUser runs a user function, turning a panic other than *tensor.Error into one that names
// the distribution, so that the model layer reports it like any graph-building mistake.
func (c *custom) callUser(what string, f func() *tt) (r *tt) {
	defer func() {
		if e := recover(); e != nil {
			if te, ok := e.(*tensor.Error); ok {
				panic(te)
			}
			panic(errDist(c.name, fmt.Sprintf("%s panicked: %v", what, e)))
		}
	}()
	r = f()
	if r == nil {
		panic(errDist(c.name, what+" returned nil"))
	}
	return r
}

func (c *custom) Logp(x *tt) *tt {
	if c.logp == nil {
		panic(errDist(c.name, "the log-density function is nil"))
	}
	return c.callUser("the log-density function", func() *tt { return c.logp(x, c.params) })
}

func (c *custom) Random(rs *tensor.RandomStream, shape []int) *tt {
	if c.random == nil {
		panic(errDist(c.name, "no random function was given (use dist.WithRandom)"))
	}
	s := rshape(shape, c.shape)
	return c.callUser("the random function", func() *tt { return c.random(rs, c.params, s) })
}

func (c *custom) Support() Support { return c.support }

func (c *custom) DefaultTransform() Transform {
	if c.hasTransform {
		return c.transform
	}
	if c.dtype == tensor.Int64 {
		return nil
	}
	switch c.support.Kind {
	case Positive:
		return Log()
	case UnitInterval:
		return LogOdds()
	case Interval:
		return IntervalTransform(nilIfNil(c.support.Lower), nilIfNil(c.support.Upper))
	case Simplex:
		return SimplexTransform()
	}
	return nil
}

// InitialValue is the WithInitial function's value, or a point inside the support: 0, 1 for
// positive values, 0.5 in the unit interval, the midpoint or a bound moved by 1 for intervals.
func (c *custom) InitialValue(shape []int) *tt {
	s := shapeOr(shape, c.shape)
	if c.initial != nil {
		return c.callUser("the initial value function", func() *tt { return c.initial(s) })
	}
	var v *tt = tensor.Const(0.0)
	lo, hi := c.support.Lower, c.support.Upper
	switch c.support.Kind {
	case Positive:
		v = tensor.Const(1.0)
	case UnitInterval:
		v = tensor.Const(0.5)
	case Interval, Integers:
		switch {
		case lo != nil && hi != nil:
			v = tensor.Mul(tensor.Add(lo, hi), 0.5)
		case lo != nil:
			v = tensor.Add(lo, 1.0)
		case hi != nil:
			v = tensor.Sub(hi, 1.0)
		}
	case Circular:
		v = tensor.Const(0.0)
	}
	v = fill(v, s)
	if c.dtype == tensor.Int64 {
		return asInt(tensor.Floor(v))
	}
	return v
}
