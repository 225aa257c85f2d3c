// Package gp is Gaussian processes for gopm models, after PyMC's pm.gp: covariance functions
// (stationary, periodic, linear, white noise; sums, products and scaling of them; active
// dimensions and a lengthscale per dimension), mean functions, Latent (a GP prior on a function
// through a Cholesky factor, non-centred), Marginal (a GP regression with the function
// integrated out, and its conditional at new points), and HSGP, the Hilbert-space
// approximation of Riutort-Mayol et al. (2022) whose cost is O(n·m) in n points and m basis
// functions.
//
// Inputs are matrices n×d (a vector is taken as n×1). Covariance parameters are tensors, so
// they may be model variables:
//
//	ls := m.Var("ls", pm.Gamma(2, 1))
//	eta := m.Var("eta", pm.HalfNormal(1))
//	cov := gp.Scale(eta.Square(), gp.ExpQuad(1, ls))
//	g := &gp.Marginal{Cov: cov}
//	g.MarginalLikelihood(m, "y", X, y, sigma)
package gp

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Cov is a covariance function k(x, x') of inputs with d columns.
type Cov interface {
	// K is the covariance matrix between the rows of x (n×d) and of xs (m×d); xs nil means x.
	K(x, xs *tensor.Tensor) *tensor.Tensor
	// Diag is the diagonal of K(x, x), a vector of length n.
	Diag(x *tensor.Tensor) *tensor.Tensor
}

// PSDer is implemented by the stationary covariances with a closed-form power spectral density,
// which HSGP needs.
type PSDer interface {
	// PSD is the spectral density S(ω) at the rows of omega (m×d active dimensions).
	PSD(omega *tensor.Tensor) *tensor.Tensor
}

func fail(format string, args ...any) {
	panic(&tensor.Error{Op: "gp", Msg: fmt.Sprintf(format, args...)})
}

// AsMatrix converts inputs to an n×d float64 matrix tensor: a vector becomes n×1.
func AsMatrix(x any) *tensor.Tensor {
	t := tensor.Cast(tensor.As(x), tensor.Float64)
	switch t.NDim() {
	case 1:
		return tensor.ExpandDims(t, 1)
	case 2:
		return t
	}
	fail("inputs must be a vector or an n×d matrix, got shape %s", tensor.ShapeString(t.Shape()))
	return nil
}

// CovOption sets an option of a stationary or periodic covariance.
type CovOption func(*stationary)

// ActiveDims restricts a covariance to the given input columns (by default all inputDim).
func ActiveDims(dims ...int) CovOption {
	return func(s *stationary) { s.active = append([]int{}, dims...) }
}

// stationary holds what the stationary covariances share: the input dimension, the active
// columns and the lengthscales (a scalar, or one per active column).
type stationary struct {
	inputDim int
	active   []int
	ls       *tensor.Tensor
	kind     string
	alpha    *tensor.Tensor // RatQuad's α
	period   *tensor.Tensor // Periodic's period
}

func newStationary(kind string, inputDim int, ls any, opts []CovOption) *stationary {
	s := &stationary{inputDim: inputDim, kind: kind}
	if inputDim < 1 {
		fail("%s: input_dim is %d, but must be at least 1", kind, inputDim)
	}
	for _, o := range opts {
		o(s)
	}
	if s.active == nil {
		for i := 0; i < inputDim; i++ {
			s.active = append(s.active, i)
		}
	}
	for _, a := range s.active {
		if a < 0 || a >= inputDim {
			fail("%s: active dimension %d is outside 0..%d", kind, a, inputDim-1)
		}
	}
	s.ls = tensor.Cast(tensor.As(ls), tensor.Float64)
	if n := s.ls.NDim(); n > 1 || (n == 1 && s.ls.Shape()[0] != len(s.active)) {
		fail("%s: ls must be a scalar or have one lengthscale per active dimension (%d), got shape %s", kind, len(s.active), tensor.ShapeString(s.ls.Shape()))
	}
	if v := s.ls.Value(); v != nil {
		for _, l := range v.Data {
			if !(l > 0) {
				fail("%s: ls is %v, but must be positive", kind, l)
			}
		}
	}
	return s
}

// cols selects the active columns of x.
func (s *stationary) cols(x *tensor.Tensor) *tensor.Tensor {
	if x.Shape()[1] >= 0 && x.Shape()[1] != s.inputDim {
		fail("%s: the inputs have %d columns, but input_dim is %d", s.kind, x.Shape()[1], s.inputDim)
	}
	if len(s.active) == s.inputDim {
		ok := true
		for i, a := range s.active {
			ok = ok && a == i
		}
		if ok {
			return x
		}
	}
	idx := make([]float64, len(s.active))
	for i, a := range s.active {
		idx[i] = float64(a)
	}
	return tensor.Take(x, tensor.Cast(tensor.Const(idx), tensor.Int64), 1)
}

// sqDist is the matrix of squared scaled distances Σ_d ((x_d - x'_d)/ℓ_d)², clipped at 0.
func (s *stationary) sqDist(x, xs *tensor.Tensor) *tensor.Tensor {
	a := tensor.Div(s.cols(x), s.ls)
	if xs == nil {
		n2 := tensor.Sum(tensor.Square(a), 1)
		r2 := tensor.Add(tensor.Sub(tensor.ExpandDims(n2, 1), tensor.Mul(2.0, tensor.Dot(a, tensor.Transpose(a)))), tensor.ExpandDims(n2, 0))
		return tensor.Maximum(r2, 0.0)
	}
	b := tensor.Div(s.cols(xs), s.ls)
	na, nb := tensor.Sum(tensor.Square(a), 1), tensor.Sum(tensor.Square(b), 1)
	r2 := tensor.Add(tensor.Sub(tensor.ExpandDims(na, 1), tensor.Mul(2.0, tensor.Dot(a, tensor.Transpose(b)))), tensor.ExpandDims(nb, 0))
	return tensor.Maximum(r2, 0.0)
}

// rdist is √(r² + 1e-12), PyMC's guard that keeps the gradient finite at r = 0.
func rdist(r2 *tensor.Tensor) *tensor.Tensor { return tensor.Sqrt(tensor.Add(r2, 1e-12)) }

func (s *stationary) K(x, xs *tensor.Tensor) *tensor.Tensor {
	x = AsMatrix(x)
	if xs != nil {
		xs = AsMatrix(xs)
	}
	if s.kind == "Periodic" {
		return s.periodic(x, xs)
	}
	r2 := s.sqDist(x, xs)
	switch s.kind {
	case "ExpQuad":
		return tensor.Exp(tensor.Mul(-0.5, r2))
	case "Matern12":
		return tensor.Exp(tensor.Neg(rdist(r2)))
	case "Exponential":
		return tensor.Exp(tensor.Mul(-0.5, rdist(r2)))
	case "Matern32":
		r := tensor.Mul(math.Sqrt(3), rdist(r2))
		return tensor.Mul(tensor.Add(1.0, r), tensor.Exp(tensor.Neg(r)))
	case "Matern52":
		r := tensor.Mul(math.Sqrt(5), rdist(r2))
		return tensor.Mul(tensor.Add(tensor.Add(1.0, r), tensor.Div(tensor.Square(r), 3.0)), tensor.Exp(tensor.Neg(r)))
	case "RatQuad":
		return tensor.Pow(tensor.Add(1.0, tensor.Div(r2, tensor.Mul(2.0, s.alpha))), tensor.Neg(s.alpha))
	case "Cosine":
		return tensor.Cos(tensor.Mul(2*math.Pi, rdist(r2)))
	}
	fail("unknown covariance %s", s.kind)
	return nil
}

// periodic is exp(-½ Σ_d (sin(π|x_d - x'_d|/T)/ℓ_d)²) (PyMC's Periodic).
func (s *stationary) periodic(x, xs *tensor.Tensor) *tensor.Tensor {
	a := s.cols(x)
	b := a
	if xs != nil {
		b = s.cols(xs)
	}
	diff := tensor.Sub(tensor.ExpandDims(a, 1), tensor.ExpandDims(b, 0)) // n×m×d
	sn := tensor.Div(tensor.Sin(tensor.Mul(tensor.Div(math.Pi, s.period), diff)), s.ls)
	return tensor.Exp(tensor.Mul(-0.5, tensor.Sum(tensor.Square(sn), 2)))
}

func (s *stationary) Diag(x *tensor.Tensor) *tensor.Tensor {
	x = AsMatrix(x)
	return tensor.Add(tensor.ZerosLike(tensor.Slice(x, 1, 0, 1, 1)).Reshape(-1), 1.0)
}

// PSD is the spectral density of the stationary kernels with unit variance, in d active
// dimensions with lengthscales ℓ (Rasmussen & Williams 2006, eqs. 4.15 and 4.20; Riutort-Mayol
// et al. 2022, eq. 1):
//
//	ExpQuad:  (2π)^(d/2) Π ℓ exp(-½ Σ ℓ²ω²)
//	Matern ν: 2^d π^(d/2) Γ(ν+d/2) (2ν)^ν / Γ(ν) Π ℓ (2ν + Σ ℓ²ω²)^(-(ν+d/2))
func (s *stationary) PSD(omega *tensor.Tensor) *tensor.Tensor {
	d := float64(len(s.active))
	w2 := tensor.Square(tensor.Mul(omega, s.ls))
	if s.ls.NDim() == 0 {
		w2 = tensor.Mul(tensor.Square(omega), tensor.Square(s.ls))
	}
	q := tensor.Sum(w2, 1)
	prodLs := tensor.Prod(tensor.Mul(tensor.OnesLike(tensor.Slice(omega, 0, 0, 1, 1)).Reshape(-1), s.ls))
	var nu float64
	switch s.kind {
	case "ExpQuad":
		return tensor.Mul(tensor.Mul(math.Pow(2*math.Pi, d/2), prodLs), tensor.Exp(tensor.Mul(-0.5, q)))
	case "Matern12":
		nu = 0.5
	case "Matern32":
		nu = 1.5
	case "Matern52":
		nu = 2.5
	default:
		fail("%s has no spectral density for HSGP", s.kind)
	}
	lg1, _ := math.Lgamma(nu + d/2)
	lg2, _ := math.Lgamma(nu)
	c := math.Exp(d*math.Ln2 + d/2*math.Log(math.Pi) + lg1 - lg2 + nu*math.Log(2*nu))
	return tensor.Mul(tensor.Mul(c, prodLs), tensor.Pow(tensor.Add(2*nu, q), -(nu+d/2)))
}

// ExpQuad is the squared exponential covariance exp(-r²/2), r² = Σ_d ((x_d - x'_d)/ℓ_d)².
func ExpQuad(inputDim int, ls any, opts ...CovOption) Cov {
	return newStationary("ExpQuad", inputDim, ls, opts)
}

// Matern12 is the Matérn covariance with ν = 1/2, exp(-r).
func Matern12(inputDim int, ls any, opts ...CovOption) Cov {
	return newStationary("Matern12", inputDim, ls, opts)
}

// Matern32 is the Matérn covariance with ν = 3/2, (1 + √3 r) exp(-√3 r).
func Matern32(inputDim int, ls any, opts ...CovOption) Cov {
	return newStationary("Matern32", inputDim, ls, opts)
}

// Matern52 is the Matérn covariance with ν = 5/2, (1 + √5 r + 5r²/3) exp(-√5 r).
func Matern52(inputDim int, ls any, opts ...CovOption) Cov {
	return newStationary("Matern52", inputDim, ls, opts)
}

// Exponential is PyMC's exponential covariance exp(-r/2).
func Exponential(inputDim int, ls any, opts ...CovOption) Cov {
	return newStationary("Exponential", inputDim, ls, opts)
}

// RatQuad is the rational quadratic covariance (1 + r²/(2α))^(-α).
func RatQuad(inputDim int, alpha, ls any, opts ...CovOption) Cov {
	s := newStationary("RatQuad", inputDim, ls, opts)
	s.alpha = tensor.Cast(tensor.As(alpha), tensor.Float64)
	return s
}

// Cosine is the cosine covariance cos(2π r).
func Cosine(inputDim int, ls any, opts ...CovOption) Cov {
	return newStationary("Cosine", inputDim, ls, opts)
}

// Periodic is the periodic covariance exp(-½ Σ_d (sin(π|x_d - x'_d|/T)/ℓ_d)²) with period T.
func Periodic(inputDim int, period, ls any, opts ...CovOption) Cov {
	s := newStationary("Periodic", inputDim, ls, opts)
	s.period = tensor.Cast(tensor.As(period), tensor.Float64)
	return s
}

// ---------------------------------------------------------------------------------------------

type linear struct {
	s *stationary
	c *tensor.Tensor
}

// Linear is the linear covariance (x - c)(x' - c)ᵀ over the active dimensions.
func Linear(inputDim int, c any, opts ...CovOption) Cov {
	return &linear{s: newStationary("Linear", inputDim, 1.0, opts), c: tensor.Cast(tensor.As(c), tensor.Float64)}
}

func (l *linear) K(x, xs *tensor.Tensor) *tensor.Tensor {
	a := tensor.Sub(l.s.cols(AsMatrix(x)), l.c)
	b := a
	if xs != nil {
		b = tensor.Sub(l.s.cols(AsMatrix(xs)), l.c)
	}
	return tensor.Dot(a, tensor.Transpose(b))
}

func (l *linear) Diag(x *tensor.Tensor) *tensor.Tensor {
	a := tensor.Sub(l.s.cols(AsMatrix(x)), l.c)
	return tensor.Sum(tensor.Square(a), 1)
}

type whiteNoise struct{ sigma *tensor.Tensor }

// WhiteNoise is σ² on the diagonal of K(x, x) and 0 between different input sets.
func WhiteNoise(sigma any) Cov {
	return &whiteNoise{sigma: tensor.Cast(tensor.As(sigma), tensor.Float64)}
}

func (w *whiteNoise) K(x, xs *tensor.Tensor) *tensor.Tensor {
	x = AsMatrix(x)
	if xs != nil {
		return tensor.Mul(tensor.ZerosLike(tensor.Dot(x, tensor.Transpose(AsMatrix(xs)))), 0.0)
	}
	return tensor.Diag(w.Diag(x))
}

func (w *whiteNoise) Diag(x *tensor.Tensor) *tensor.Tensor {
	x = AsMatrix(x)
	return tensor.Add(tensor.ZerosLike(tensor.Slice(x, 1, 0, 1, 1)).Reshape(-1), tensor.Square(w.sigma))
}

type constant struct{ c *tensor.Tensor }

// Constant is the constant covariance c.
func Constant(c any) Cov { return &constant{c: tensor.Cast(tensor.As(c), tensor.Float64)} }

func (k *constant) K(x, xs *tensor.Tensor) *tensor.Tensor {
	x = AsMatrix(x)
	if xs == nil {
		xs = x
	}
	return tensor.Add(tensor.ZerosLike(tensor.Dot(tensor.Slice(x, 1, 0, 1, 1), tensor.Transpose(tensor.Slice(AsMatrix(xs), 1, 0, 1, 1)))), k.c)
}

func (k *constant) Diag(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Add(tensor.ZerosLike(tensor.Slice(AsMatrix(x), 1, 0, 1, 1)).Reshape(-1), k.c)
}

// ---------------------------------------------------------------------------------------------

type combined struct {
	a, b Cov
	prod bool
}

// Add is the sum of two covariances, k_a + k_b.
func Add(a, b Cov) Cov { return &combined{a: a, b: b} }

// Mul is the elementwise product of two covariances, k_a · k_b.
func Mul(a, b Cov) Cov { return &combined{a: a, b: b, prod: true} }

func (c *combined) K(x, xs *tensor.Tensor) *tensor.Tensor {
	if c.prod {
		return tensor.Mul(c.a.K(x, xs), c.b.K(x, xs))
	}
	return tensor.Add(c.a.K(x, xs), c.b.K(x, xs))
}

func (c *combined) Diag(x *tensor.Tensor) *tensor.Tensor {
	if c.prod {
		return tensor.Mul(c.a.Diag(x), c.b.Diag(x))
	}
	return tensor.Add(c.a.Diag(x), c.b.Diag(x))
}

type scaled struct {
	s *tensor.Tensor
	c Cov
}

// Scale multiplies a covariance by s (a tensor, typically η²): PyMC's eta**2 * cov.
func Scale(s any, c Cov) Cov { return &scaled{s: tensor.Cast(tensor.As(s), tensor.Float64), c: c} }

func (c *scaled) K(x, xs *tensor.Tensor) *tensor.Tensor { return tensor.Mul(c.s, c.c.K(x, xs)) }
func (c *scaled) Diag(x *tensor.Tensor) *tensor.Tensor  { return tensor.Mul(c.s, c.c.Diag(x)) }

// PSD scales the inner covariance's spectral density.
func (c *scaled) PSD(omega *tensor.Tensor) *tensor.Tensor {
	p, ok := c.c.(PSDer)
	if !ok {
		fail("the scaled covariance has no spectral density")
	}
	return tensor.Mul(c.s, p.PSD(omega))
}
