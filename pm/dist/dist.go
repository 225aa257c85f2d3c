package dist

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Dist is a probability distribution whose parameters are tensors (constants, data or other
// random variables). Distributions are compiled types built by this package's constructors;
// users never implement Dist (CustomDist takes plain functions instead).
type Dist interface {
	// Name is the distribution's name as users write it, e.g. "Normal".
	Name() string
	// Logp is the log-density (log-mass for discrete distributions) of value, elementwise over
	// the batch: its shape is the broadcast of value's batch shape and the parameters' batch
	// shape; multivariate distributions reduce their EventNDim trailing dimensions. Values
	// outside the support give -Inf, never NaN.
	Logp(value *tensor.Tensor) *tensor.Tensor
	// Random builds a graph that draws from the distribution with the given shape (the batch
	// shape followed by the event shape; nil means Shape()), using the stream's state.
	Random(rs *tensor.RandomStream, shape []int) *tensor.Tensor
	// Shape is the static shape of one draw implied by the parameters (batch then event dims).
	Shape() []int
	// EventNDim is the number of trailing dimensions that form one event: 0 for scalar
	// distributions, 1 for MvNormal, Dirichlet and Multinomial, 2 for LKJ matrices.
	EventNDim() int
	// DType is Float64 for continuous distributions and Int64 for discrete ones.
	DType() tensor.DType
	// Support describes the set of values with positive density.
	Support() Support
	// DefaultTransform maps the support to unconstrained space for samplers; nil for none.
	DefaultTransform() Transform
	// InitialValue is a point inside the support, of the given shape, where samplers start
	// (PyMC's support_point: the mean, median or mode where it exists and is finite).
	InitialValue(shape []int) *tensor.Tensor
	// Err is the first problem found in the parameters when the distribution was built (a
	// constant sd <= 0, a p outside [0, 1], shapes that do not broadcast), or nil. The model
	// reports it with the variable's name.
	Err() error
}

// SupportKind names the kinds of support.
type SupportKind int

// The kinds of support.
const (
	Real             SupportKind = iota // all reals
	Positive                            // x > 0
	NonNegative                         // x >= 0 (as for discrete counts)
	UnitInterval                        // 0 < x < 1
	Interval                            // Lower < x < Upper (either bound may be a tensor)
	Integers                            // integers in [Lower, Upper] (infinite bounds allowed)
	Simplex                             // vectors on the simplex (event dimension)
	Circular                            // angles in [-pi, pi]
	CorrCholesky                        // Cholesky factors of correlation matrices
	CovCholesky                         // Cholesky factors of covariance matrices
	PositiveDefinite                    // symmetric positive definite matrices
)

// Support is the set of values with positive density.
type Support struct {
	Kind         SupportKind
	Lower, Upper *tensor.Tensor // bounds for Interval and Integers; nil where unbounded
}

// String names the support, e.g. "x > 0" or "integers in [0, 10]".
func (s Support) String() string {
	b := func(t *tensor.Tensor, def string) string {
		if t == nil {
			return def
		}
		if v := t.Value(); v != nil && v.Size() == 1 {
			return fmt.Sprint(v.Data[0])
		}
		return tensor.PP(t)
	}
	switch s.Kind {
	case Real:
		return "real"
	case Positive:
		return "x > 0"
	case NonNegative:
		return "x >= 0"
	case UnitInterval:
		return "0 < x < 1"
	case Interval:
		return fmt.Sprintf("%s < x < %s", b(s.Lower, "-inf"), b(s.Upper, "inf"))
	case Integers:
		return fmt.Sprintf("integers in [%s, %s]", b(s.Lower, "-inf"), b(s.Upper, "inf"))
	case Simplex:
		return "simplex"
	case Circular:
		return "-pi <= x <= pi"
	case CorrCholesky:
		return "Cholesky factor of a correlation matrix"
	case CovCholesky:
		return "Cholesky factor of a covariance matrix"
	case PositiveDefinite:
		return "positive definite matrix"
	}
	return "unknown support"
}

// Contains reports whether a constant value lies in the support, for checking observed data.
// It returns the flat index of the first value outside it, or -1. Supports with tensor bounds
// that are not constants are checked only for finiteness.
func (s Support) Contains(a *tensor.Array) int {
	lo, hi := math.Inf(-1), math.Inf(1)
	if s.Lower != nil && s.Lower.Value() != nil && s.Lower.Value().Size() == 1 {
		lo = s.Lower.Value().Data[0]
	}
	if s.Upper != nil && s.Upper.Value() != nil && s.Upper.Value().Size() == 1 {
		hi = s.Upper.Value().Data[0]
	}
	for i, v := range a.Data {
		if math.IsNaN(v) {
			return i
		}
		switch s.Kind {
		case Positive:
			if !(v > 0) {
				return i
			}
		case NonNegative:
			if !(v >= 0) {
				return i
			}
		case UnitInterval:
			if !(v > 0 && v < 1) {
				return i
			}
		case Interval:
			if !(v > lo && v < hi) {
				return i
			}
		case Integers:
			if v != math.Trunc(v) || v < lo || v > hi {
				return i
			}
		}
	}
	return -1
}

// Transform maps a constrained value to unconstrained space and back. Samplers work on the
// unconstrained value; the model adds the log-Jacobian of Backward to the log-density.
type Transform interface {
	// Name is used in the value variable's name, PyMC style: "log" gives "sigma_log__".
	Name() string
	// Forward maps a constrained value x to unconstrained space.
	Forward(x *tensor.Tensor) *tensor.Tensor
	// Backward maps an unconstrained value y to the constrained space.
	Backward(y *tensor.Tensor) *tensor.Tensor
	// LogJacDet is log|det dBackward/dy| at y, elementwise over the batch (summed over the
	// transform's event dimensions).
	LogJacDet(y *tensor.Tensor) *tensor.Tensor
	// UnconstrainedShape is the shape of y for a constrained value of the given shape (the
	// same for elementwise transforms; one shorter last dimension for the simplex).
	UnconstrainedShape(shape []int) []int
}
