package dist

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Quantile functions that need a numerical inversion of a special function, for the inverse-CDF
// draws of Truncated. Each is an op of float64 tensors of one shape whose last input is the
// probability u.
const (
	qGamma         uint8 = iota // (a, u): the standard gamma quantile, P(a, x) = u
	qBeta                       // (a, b, u): I_x(a, b) = u
	qStudentT                   // (ν, u): the standard Student t quantile
	qPoisson                    // (μ, u): smallest k with Q(k+1, μ) >= u
	qBinomial                   // (n, p, u): smallest k with I_{1-p}(n-k, k+1) >= u
	qNegBinom                   // (α, p, u): smallest k with I_p(α, k+1) >= u, p = α/(α+μ)
	dHyperCDF                   // (N, k, n, x): the hypergeometric P(X <= x)
	dHyperCCDF                  // (N, k, n, x): P(X > x)
	dHyperQuantile              // (N, k, n, u): smallest x with P(X <= x) >= u
	qRice                       // (a, u): the Rice(a, 1) quantile, 1 − Q₁(a, x) = u
	qSkewNormal                 // (α, u): the standard skew-normal quantile
	qBetaBinom                  // (n, α, β, u): smallest k with F(k) >= u
)

var quantileArity = [...]int{2, 3, 2, 2, 3, 3, 4, 4, 4, 2, 2, 4}

// quantileOp is one of the quantile functions above. Its gradient in u (for the continuous
// ones) is 1/density at the quantile; it has none in the parameters (draws are not
// differentiated with respect to them).
type quantileOp struct{ kind uint8 }

// String implements tensor.Op.
func (o quantileOp) String() string {
	return [...]string{"gamma_icdf", "beta_icdf", "studentt_icdf", "poisson_icdf", "binomial_icdf", "negbinomial_icdf",
		"hypergeom_cdf", "hypergeom_ccdf", "hypergeom_icdf", "rice_icdf", "skewnormal_icdf", "betabinomial_icdf"}[o.kind]
}

// Infer implements tensor.Op.
func (o quantileOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if len(in) != quantileArity[o.kind] {
		return nil, fmt.Errorf("dist: %s takes %d inputs, got %d", o, quantileArity[o.kind], len(in))
	}
	return sameShapes(o.String(), in)
}

// sameShapes is the output type of an op whose float64 inputs share one shape (Unknown
// dimensions match anything).
func sameShapes(name string, in []tensor.Type) ([]tensor.Type, error) {
	s := in[len(in)-1].Shape
	for _, t := range in {
		if len(t.Shape) != len(s) {
			return nil, fmt.Errorf("dist: %s: input shapes %s and %s differ", name, tensor.ShapeString(t.Shape), tensor.ShapeString(s))
		}
		for i := range s {
			if t.Shape[i] != s[i] && t.Shape[i] >= 0 && s[i] >= 0 {
				return nil, fmt.Errorf("dist: %s: input shapes %s and %s differ", name, tensor.ShapeString(t.Shape), tensor.ShapeString(s))
			}
		}
	}
	return []tensor.Type{{DType: tensor.Float64, Shape: append([]int{}, s...)}}, nil
}

// sameSizes reports an error when the inputs of op do not all have the output's size.
func sameSizes(op tensor.Op, spec tensor.KernelSpec) error {
	n := spec.Out[0].Size()
	for _, a := range spec.In {
		if a.Size() != n {
			return fmt.Errorf("dist: %s: input shapes differ at run time", op)
		}
	}
	return nil
}

// Kernel implements tensor.Op.
func (o quantileOp) Kernel(spec tensor.KernelSpec) (tensor.Kernel, error) {
	if err := sameSizes(o, spec); err != nil {
		return nil, err
	}
	return func(out, in []*tensor.Array) error {
		y := out[0].Data
		for i := range y {
			switch o.kind {
			case qGamma:
				y[i] = gammaQuantile(in[0].Data[i], in[1].Data[i])
			case qBeta:
				y[i] = betaQuantile(in[0].Data[i], in[1].Data[i], in[2].Data[i])
			case qStudentT:
				y[i] = studentTQuantile(in[0].Data[i], in[1].Data[i])
			case qPoisson:
				mu := in[0].Data[i]
				y[i] = discreteQuantile(in[1].Data[i], mu, math.Sqrt(mu), func(k float64) float64 { return gammaIncQ(k+1, mu) })
			case qBinomial:
				nn, p := in[0].Data[i], in[1].Data[i]
				y[i] = discreteQuantile(in[2].Data[i], nn*p, math.Sqrt(nn*p*(1-p)), func(k float64) float64 {
					if k >= nn {
						return 1
					}
					return regIncBeta(nn-k, k+1, 1-p)
				})
			case qNegBinom:
				a, p := in[0].Data[i], in[1].Data[i]
				m := a * (1 - p) / p
				y[i] = discreteQuantile(in[2].Data[i], m, math.Sqrt(m/p), func(k float64) float64 { return regIncBeta(a, k+1, p) })
			case dHyperCDF, dHyperCCDF, dHyperQuantile:
				y[i] = hyperGeom(o.kind, in[0].Data[i], in[1].Data[i], in[2].Data[i], in[3].Data[i])
			case qRice:
				y[i] = riceQuantile(in[0].Data[i], in[1].Data[i])
			case qSkewNormal:
				y[i] = skewNormalQuantile(in[0].Data[i], in[1].Data[i])
			case qBetaBinom:
				y[i] = betaBinomQuantile(in[0].Data[i], in[1].Data[i], in[2].Data[i], in[3].Data[i])
			}
		}
		return nil
	}, nil
}

func gammaIncQ(a, x float64) float64 {
	if x <= 0 {
		return 1
	}
	return mathext.GammaIncRegComp(a, x)
}

func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	return mathext.RegIncBeta(a, b, x)
}

func gammaQuantile(a, u float64) float64 {
	switch {
	case !(a > 0) || !(u >= 0 && u <= 1):
		return math.NaN()
	case u == 0:
		return 0
	case u == 1:
		return math.Inf(1)
	case u > 0.5:
		return mathext.GammaIncRegCompInv(a, 1-u)
	}
	return mathext.GammaIncRegInv(a, u)
}

func betaQuantile(a, b, u float64) float64 {
	switch {
	case !(a > 0) || !(b > 0) || !(u >= 0 && u <= 1):
		return math.NaN()
	case u == 0:
		return 0
	case u == 1:
		return 1
	case u > 0.5:
		return 1 - mathext.InvRegIncBeta(b, a, 1-u)
	}
	return mathext.InvRegIncBeta(a, b, u)
}

// studentTQuantile inverts P(T <= -|t|) = ½ I_{ν/(ν+t²)}(ν/2, ½).
func studentTQuantile(nu, u float64) float64 {
	switch {
	case !(nu > 0) || !(u >= 0 && u <= 1):
		return math.NaN()
	case u == 0:
		return math.Inf(-1)
	case u == 1:
		return math.Inf(1)
	case u == 0.5:
		return 0
	}
	p := math.Min(u, 1-u)
	x := mathext.InvRegIncBeta(nu/2, 0.5, 2*p)
	t := math.Sqrt(nu * (1 - x) / x)
	if u < 0.5 {
		return -t
	}
	return t
}

// discreteQuantile is the smallest integer k >= 0 with cdf(k) >= u, found by stepping from the
// normal approximation mean + sd·Φ⁻¹(u). It is +Inf for u = 1 and NaN for u outside [0, 1].
func discreteQuantile(u, mean, sd float64, cdf func(k float64) float64) float64 {
	switch {
	case !(u >= 0 && u <= 1) || math.IsNaN(mean):
		return math.NaN()
	case u == 1:
		return math.Inf(1)
	}
	k := 0.0
	if u > 0 {
		k = math.Max(0, math.Floor(mean+sd*mathext.NormalQuantile(u)))
	}
	if math.IsNaN(k) || math.IsInf(k, 0) {
		k = 0
	}
	const maxSteps = 1 << 24
	for i := 0; i < maxSteps && cdf(k) < u; i++ {
		k++
	}
	for i := 0; i < maxSteps && k > 0 && cdf(k-1) >= u; i++ {
		k--
	}
	return k
}

// Grad implements tensor.Op.
func (o quantileOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	gs := make([]*tensor.Tensor, len(in))
	x, g := out[0], gout[0]
	var logDens *tensor.Tensor
	switch o.kind {
	case qGamma:
		a := in[0]
		logDens = tensor.Sub(tensor.Sub(tensor.Mul(tensor.Sub(a, 1.0), tensor.Log(x)), x), tensor.Lgamma(a))
	case qBeta:
		a, b := in[0], in[1]
		logDens = tensor.Sub(tensor.Add(tensor.Mul(tensor.Sub(a, 1.0), tensor.Log(x)), tensor.Mul(tensor.Sub(b, 1.0), tensor.Log1p(tensor.Neg(x)))), lbeta(a, b))
	case qStudentT:
		nu := in[0]
		logDens = StudentT(nu, 0.0, 1.0).Logp(x)
	case qRice:
		logDens = Rice(in[0], 1.0).Logp(x)
	case qSkewNormal:
		logDens = SkewNormal(0.0, 1.0, in[0]).Logp(x)
	default:
		return gs // discrete quantiles are piecewise constant
	}
	gs[len(in)-1] = tensor.Mul(g, tensor.Exp(tensor.Neg(logDens)))
	return gs
}

// hyperGeom is the hypergeometric CDF, CCDF or quantile at v by summing the probabilities
// p(x) = C(k, x) C(N−k, n−x)/C(N, n) over the support max(0, n−N+k)..min(k, n); the sum for
// the CCDF runs from the top, so that small upper tails keep their digits.
func hyperGeom(kind uint8, bigN, k, n, v float64) float64 {
	if math.IsNaN(v) || !(k >= 0 && n >= 0 && k <= bigN && n <= bigN) {
		return math.NaN()
	}
	lc := func(a, b float64) float64 {
		x, _ := math.Lgamma(a + 1)
		y, _ := math.Lgamma(b + 1)
		z, _ := math.Lgamma(a - b + 1)
		return x - y - z
	}
	lo, hi := math.Max(0, n-bigN+k), math.Min(k, n)
	p := func(x float64) float64 { return math.Exp(lc(k, x) + lc(bigN-k, n-x) - lc(bigN, n)) }
	switch kind {
	case dHyperCDF:
		s := 0.0
		for x := lo; x <= math.Min(v, hi); x++ {
			s += p(x)
		}
		return math.Min(s, 1)
	case dHyperCCDF:
		s := 0.0
		for x := hi; x > math.Max(v, lo-1); x-- {
			s += p(x)
		}
		return math.Min(s, 1)
	}
	if !(v >= 0 && v <= 1) {
		return math.NaN()
	}
	s := 0.0
	for x := lo; x < hi; x++ {
		if s += p(x); s >= v {
			return x
		}
	}
	return hi
}

// discreteOp is quantile under the name its other uses read better with.
func discreteOp(kind uint8, args ...*tt) *tt { return quantile(kind, args...) }

// quantile applies a quantile op after broadcasting its inputs to one shape.
func quantile(kind uint8, args ...*tt) *tt {
	for i, a := range args {
		args[i] = tensor.Cast(a, tensor.Float64)
	}
	return tensor.Apply1(quantileOp{kind: kind}, broadcastAll(args)...)
}
