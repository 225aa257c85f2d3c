package dist

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// evalT evaluates a graph without inputs with the reference evaluator.
func evalT(t *testing.T, x *tensor.Tensor) *tensor.Array {
	t.Helper()
	r, err := tensor.Eval(x)
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	return r[0]
}

// logpAt evaluates d's log-density at constant values.
func logpAt(t *testing.T, d Dist, x any) []float64 {
	t.Helper()
	if err := d.Err(); err != nil {
		t.Fatalf("%s: unexpected error %v", d.Name(), err)
	}
	return evalT(t, d.Logp(tensor.Const(x))).Data
}

func closeTo(a, b, tol float64) bool {
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// scalarCase describes a scalar distribution for the table-driven tests: a random valid
// parameter set, a random point of the support, the constructor, and an independent reference
// log-density (gonum's distuv where it has the distribution, a closed form otherwise).
type scalarCase struct {
	name     string
	params   func(r *rand.Rand) []float64
	point    func(r *rand.Rand, p []float64) float64
	build    func(p []any) Dist
	ref      func(p []float64, x float64) float64
	outside  float64 // a value outside the support for the first parameter set, or NaN
	discrete bool
}

func u(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

func sigmoidF(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// besselI0Quad is I₀(κ) = (1/π) ∫₀^π exp(κ cos t) dt (Abramowitz & Stegun 9.6.16) by the
// trapezoid rule, which converges geometrically for this periodic integrand: an independent
// check of the series in ops.go.
func besselI0Quad(k float64) float64 {
	const n = 4000
	s := 0.0
	for i := 0; i <= n; i++ {
		w := 1.0
		if i == 0 || i == n {
			w = 0.5
		}
		s += w * math.Exp(k*math.Cos(math.Pi*float64(i)/n))
	}
	return s / n
}

func scalarCases() []scalarCase {
	anyR := func(r *rand.Rand, p []float64) float64 { return u(r, -5, 5) }
	posR := func(r *rand.Rand, p []float64) float64 { return u(r, 0.05, 6) }
	nan := math.NaN()
	return []scalarCase{
		{name: "Normal", params: func(r *rand.Rand) []float64 { return []float64{u(r, -3, 3), u(r, 0.2, 4)} },
			point: anyR, build: func(p []any) Dist { return Normal(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 { return distuv.Normal{Mu: p[0], Sigma: p[1]}.LogProb(x) }, outside: nan},
		{name: "HalfNormal", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.2, 4)} },
			point: posR, build: func(p []any) Dist { return HalfNormal(p[0]) },
			ref: func(p []float64, x float64) float64 {
				return math.Ln2 + distuv.Normal{Mu: 0, Sigma: p[0]}.LogProb(x)
			}, outside: -1},
		{name: "Uniform", params: func(r *rand.Rand) []float64 { a := u(r, -3, 3); return []float64{a, a + u(r, 0.5, 4)} },
			point: func(r *rand.Rand, p []float64) float64 { return u(r, p[0], p[1]) },
			build: func(p []any) Dist { return Uniform(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.Uniform{Min: p[0], Max: p[1]}.LogProb(x)
			}, outside: 100},
		{name: "Beta", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.3, 5), u(r, 0.3, 5)} },
			point: func(r *rand.Rand, p []float64) float64 { return u(r, 0.01, 0.99) },
			build: func(p []any) Dist { return Beta(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.Beta{Alpha: p[0], Beta: p[1]}.LogProb(x)
			}, outside: 1.5},
		{name: "Gamma", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.3, 6), u(r, 0.2, 3)} },
			point: posR, build: func(p []any) Dist { return Gamma(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.Gamma{Alpha: p[0], Beta: p[1]}.LogProb(x)
			}, outside: -2},
		{name: "GammaMuSigma", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.5, 5), u(r, 0.3, 3)} },
			point: posR, build: func(p []any) Dist { return GammaMuSigma(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				v := p[1] * p[1]
				return distuv.Gamma{Alpha: p[0] * p[0] / v, Beta: p[0] / v}.LogProb(x)
			}, outside: -2},
		{name: "ChiSquared", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.5, 8)} },
			point: posR, build: func(p []any) Dist { return ChiSquared(p[0]) },
			ref: func(p []float64, x float64) float64 { return distuv.ChiSquared{K: p[0]}.LogProb(x) }, outside: -1},
		{name: "InverseGamma", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.3, 6), u(r, 0.2, 3)} },
			point: posR, build: func(p []any) Dist { return InverseGamma(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.InverseGamma{Alpha: p[0], Beta: p[1]}.LogProb(x)
			}, outside: -1},
		{name: "Exponential", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.2, 4)} },
			point: posR, build: func(p []any) Dist { return Exponential(p[0]) },
			ref: func(p []float64, x float64) float64 { return distuv.Exponential{Rate: p[0]}.LogProb(x) }, outside: -1},
		{name: "LogNormal", params: func(r *rand.Rand) []float64 { return []float64{u(r, -1, 1), u(r, 0.2, 2)} },
			point: posR, build: func(p []any) Dist { return LogNormal(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.LogNormal{Mu: p[0], Sigma: p[1]}.LogProb(x)
			}, outside: -1},
		{name: "StudentT", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.5, 10), u(r, -2, 2), u(r, 0.3, 3)} },
			point: anyR, build: func(p []any) Dist { return StudentT(p[0], p[1], p[2]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.StudentsT{Nu: p[0], Mu: p[1], Sigma: p[2]}.LogProb(x)
			}, outside: nan},
		{name: "HalfStudentT", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.5, 10), u(r, 0.3, 3)} },
			point: posR, build: func(p []any) Dist { return HalfStudentT(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return math.Ln2 + distuv.StudentsT{Nu: p[0], Mu: 0, Sigma: p[1]}.LogProb(x)
			}, outside: -1},
		{name: "Cauchy", params: func(r *rand.Rand) []float64 { return []float64{u(r, -2, 2), u(r, 0.3, 3)} },
			point: anyR, build: func(p []any) Dist { return Cauchy(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				z := (x - p[0]) / p[1]
				return -math.Log(math.Pi * p[1] * (1 + z*z))
			}, outside: nan},
		{name: "HalfCauchy", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.3, 3)} },
			point: posR, build: func(p []any) Dist { return HalfCauchy(p[0]) },
			ref: func(p []float64, x float64) float64 {
				z := x / p[0]
				return math.Log(2 / (math.Pi * p[0] * (1 + z*z)))
			}, outside: -1},
		{name: "Laplace", params: func(r *rand.Rand) []float64 { return []float64{u(r, -2, 2), u(r, 0.3, 3)} },
			point: anyR, build: func(p []any) Dist { return Laplace(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.Laplace{Mu: p[0], Scale: p[1]}.LogProb(x)
			}, outside: nan},
		{name: "Logistic", params: func(r *rand.Rand) []float64 { return []float64{u(r, -2, 2), u(r, 0.3, 3)} },
			point: anyR, build: func(p []any) Dist { return Logistic(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				// gonum v0.17's Logistic.LogProb ignores Mu and S; its Prob is right.
				return math.Log(distuv.Logistic{Mu: p[0], S: p[1]}.Prob(x))
			}, outside: nan},
		{name: "Weibull", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.5, 4), u(r, 0.3, 3)} },
			point: posR, build: func(p []any) Dist { return Weibull(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.Weibull{K: p[0], Lambda: p[1]}.LogProb(x)
			}, outside: -1},
		{name: "Pareto", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.5, 4), u(r, 0.3, 3)} },
			point: func(r *rand.Rand, p []float64) float64 { return p[1] + u(r, 0, 5) },
			build: func(p []any) Dist { return Pareto(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.Pareto{Alpha: p[0], Xm: p[1]}.LogProb(x)
			}, outside: 0.1},
		{name: "VonMises", params: func(r *rand.Rand) []float64 { return []float64{u(r, -2, 2), u(r, 0, 40)} },
			point: func(r *rand.Rand, p []float64) float64 { return u(r, -math.Pi, math.Pi) },
			build: func(p []any) Dist { return VonMises(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return p[1]*math.Cos(x-p[0]) - math.Log(2*math.Pi*besselI0Quad(p[1]))
			}, outside: 4},
		{name: "SkewNormal", params: func(r *rand.Rand) []float64 { return []float64{u(r, -2, 2), u(r, 0.3, 3), u(r, -4, 4)} },
			point: anyR, build: func(p []any) Dist { return SkewNormal(p[0], p[1], p[2]) },
			ref: func(p []float64, x float64) float64 {
				z := (x - p[0]) / p[1]
				return math.Ln2 - math.Log(p[1]) + distuv.UnitNormal.LogProb(z) + math.Log(distuv.UnitNormal.CDF(p[2]*z))
			}, outside: nan},
		{name: "Wald", params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.3, 3), u(r, 0.3, 5)} },
			point: posR, build: func(p []any) Dist { return Wald(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				mu, lam := p[0], p[1]
				return math.Log(math.Sqrt(lam/(2*math.Pi*x*x*x))) - lam*(x-mu)*(x-mu)/(2*mu*mu*x)
			}, outside: -1},
		{name: "Triangular", params: func(r *rand.Rand) []float64 {
			a := u(r, -3, 0)
			b := a + u(r, 1, 4)
			return []float64{a, u(r, a+0.1, b-0.1), b}
		},
			point: func(r *rand.Rand, p []float64) float64 { return u(r, p[0], p[2]) },
			build: func(p []any) Dist { return Triangular(p[0], p[1], p[2]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.NewTriangle(p[0], p[2], p[1], nil).LogProb(x)
			}, outside: 10},

		// Discrete.
		{name: "Bernoulli", discrete: true, params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.05, 0.95)} },
			point: func(r *rand.Rand, p []float64) float64 { return float64(r.IntN(2)) },
			build: func(p []any) Dist { return Bernoulli(p[0]) },
			ref:   func(p []float64, x float64) float64 { return distuv.Bernoulli{P: p[0]}.LogProb(x) }, outside: 2},
		{name: "BernoulliLogit", discrete: true, params: func(r *rand.Rand) []float64 { return []float64{u(r, -4, 4)} },
			point: func(r *rand.Rand, p []float64) float64 { return float64(r.IntN(2)) },
			build: func(p []any) Dist { return BernoulliLogit(p[0]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.Bernoulli{P: sigmoidF(p[0])}.LogProb(x)
			}, outside: -1},
		{name: "Binomial", discrete: true, params: func(r *rand.Rand) []float64 { return []float64{float64(1 + r.IntN(20)), u(r, 0.05, 0.95)} },
			point: func(r *rand.Rand, p []float64) float64 { return float64(r.IntN(int(p[0]) + 1)) },
			build: func(p []any) Dist { return Binomial(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.Binomial{N: p[0], P: p[1]}.LogProb(x)
			}, outside: 0.5},
		{name: "BinomialLogit", discrete: true, params: func(r *rand.Rand) []float64 { return []float64{float64(1 + r.IntN(20)), u(r, -3, 3)} },
			point: func(r *rand.Rand, p []float64) float64 { return float64(r.IntN(int(p[0]) + 1)) },
			build: func(p []any) Dist { return BinomialLogit(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.Binomial{N: p[0], P: sigmoidF(p[1])}.LogProb(x)
			}, outside: 100},
		{name: "Poisson", discrete: true, params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.1, 20)} },
			point: func(r *rand.Rand, p []float64) float64 { return float64(r.IntN(30)) },
			build: func(p []any) Dist { return Poisson(p[0]) },
			ref:   func(p []float64, x float64) float64 { return distuv.Poisson{Lambda: p[0]}.LogProb(x) }, outside: -1},
		{name: "PoissonLog", discrete: true, params: func(r *rand.Rand) []float64 { return []float64{u(r, -2, 3)} },
			point: func(r *rand.Rand, p []float64) float64 { return float64(r.IntN(30)) },
			build: func(p []any) Dist { return PoissonLog(p[0]) },
			ref: func(p []float64, x float64) float64 {
				return distuv.Poisson{Lambda: math.Exp(p[0])}.LogProb(x)
			}, outside: 1.5},
		{name: "NegativeBinomial", discrete: true, params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.3, 10), u(r, 0.3, 10)} },
			point: func(r *rand.Rand, p []float64) float64 { return float64(r.IntN(30)) },
			build: func(p []any) Dist { return NegativeBinomial(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				// Number of failures before the r-th success, r = α, success probability
				// q = α/(α+μ): C(x+r-1, x) q^r (1-q)^x with C through the beta function.
				mu, r := p[0], p[1]
				q := r / (r + mu)
				lc := 0.0
				if x > 0 {
					lc = -math.Log(x) - mathext.Lbeta(x, r)
				}
				return lc + r*math.Log(q) + x*math.Log1p(-q)
			}, outside: -3},
		{name: "Geometric", discrete: true, params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.05, 0.95)} },
			point: func(r *rand.Rand, p []float64) float64 { return float64(1 + r.IntN(20)) },
			build: func(p []any) Dist { return Geometric(p[0]) },
			ref: func(p []float64, x float64) float64 {
				return math.Log(p[0] * math.Pow(1-p[0], x-1))
			}, outside: 0},
		{name: "DiscreteUniform", discrete: true, params: func(r *rand.Rand) []float64 {
			a := float64(r.IntN(10) - 5)
			return []float64{a, a + float64(r.IntN(10))}
		},
			point: func(r *rand.Rand, p []float64) float64 { return p[0] + float64(r.IntN(int(p[1]-p[0])+1)) },
			build: func(p []any) Dist { return DiscreteUniform(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				return -math.Log(p[1] - p[0] + 1)
			}, outside: 100},
		{name: "BetaBinomial", discrete: true, params: func(r *rand.Rand) []float64 { return []float64{float64(1 + r.IntN(20)), u(r, 0.3, 5), u(r, 0.3, 5)} },
			point: func(r *rand.Rand, p []float64) float64 { return float64(r.IntN(int(p[0]) + 1)) },
			build: func(p []any) Dist { return BetaBinomial(p[0], p[1], p[2]) },
			ref: func(p []float64, x float64) float64 {
				n, a, b := p[0], p[1], p[2]
				lc := distuv.Binomial{N: n, P: 0.5}.LogProb(x) + n*math.Ln2
				return lc + mathext.Lbeta(x+a, n-x+b) - mathext.Lbeta(a, b)
			}, outside: 50},
		{name: "ZeroInflatedPoisson", discrete: true, params: func(r *rand.Rand) []float64 { return []float64{u(r, 0.05, 0.95), u(r, 0.1, 10)} },
			point: func(r *rand.Rand, p []float64) float64 { return float64(r.IntN(4) * r.IntN(8)) },
			build: func(p []any) Dist { return ZeroInflatedPoisson(p[0], p[1]) },
			ref: func(p []float64, x float64) float64 {
				pr := p[0] * distuv.Poisson{Lambda: p[1]}.Prob(x)
				if x == 0 {
					pr += 1 - p[0]
				}
				return math.Log(pr)
			}, outside: 2.5},
	}
}

// TestDistScalarLogp checks every scalar log-density at 40 random parameter sets and points
// (parameters given as vectors, so broadcasting against the value vector is exercised too)
// against the reference, and a value outside the support against -Inf.
func TestDistScalarLogp(t *testing.T) {
	const n = 40
	for ci, c := range scalarCases() {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(ci), 7))
			var ps [][]float64
			xs := make([]float64, n)
			for i := 0; i < n; i++ {
				p := c.params(r)
				ps = append(ps, p)
				xs[i] = c.point(r, p)
			}
			cols := make([]any, len(ps[0]))
			for j := range cols {
				col := make([]float64, n)
				for i := range col {
					col[i] = ps[i][j]
				}
				cols[j] = col
			}
			d := c.build(cols)
			got := logpAt(t, d, xs)
			for i := range xs {
				want := c.ref(ps[i], xs[i])
				if !closeTo(got[i], want, 1e-9) {
					t.Errorf("params %v, x = %v: logp %v, want %v", ps[i], xs[i], got[i], want)
				}
			}
			if !math.IsNaN(c.outside) {
				p := make([]any, len(ps[0]))
				for j := range p {
					p[j] = ps[0][j]
				}
				v := logpAt(t, c.build(p), c.outside)
				if !math.IsInf(v[0], -1) {
					t.Errorf("params %v, x = %v outside the support: logp %v, want -Inf", ps[0], c.outside, v[0])
				}
			}
		})
	}
}

// TestDistScalarGrad checks the gradient of every scalar log-density with respect to all
// parameters (and the value, for continuous distributions) by finite differences, with the
// parameters as variables so that the parameter checks (Switch) are in the graph.
func TestDistScalarGrad(t *testing.T) {
	for ci, c := range scalarCases() {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(ci), 11))
			for k := 0; k < 3; k++ {
				p := c.params(r)
				x := c.point(r, p)
				pt := []any{}
				if !c.discrete {
					pt = append(pt, x)
				}
				for _, v := range p {
					pt = append(pt, v)
				}
				// Integer parameters (Binomial's n, DiscreteUniform's bounds) stay constants.
				intParam := map[int]bool{}
				switch c.name {
				case "Binomial", "BinomialLogit", "BetaBinomial":
					intParam[0] = true
				case "DiscreteUniform":
					intParam[0], intParam[1] = true, true
				}
				var vars []any
				var idx []int
				off := len(pt) - len(p)
				for i, v := range pt {
					if i >= off && intParam[i-off] {
						continue
					}
					vars = append(vars, v)
					idx = append(idx, i)
				}
				f := func(in []*tensor.Tensor) *tensor.Tensor {
					all := make([]any, len(pt))
					copy(all, pt)
					for j, i := range idx {
						all[i] = in[j]
					}
					xv := any(x)
					if !c.discrete {
						xv = all[0]
						all = all[1:]
					}
					return c.build(all).Logp(tensor.As(xv))
				}
				if len(vars) == 0 {
					continue
				}
				if err := tensor.VerifyGrad(f, vars, &tensor.VerifyOptions{RelTol: 1e-4, AbsTol: 1e-5}); err != nil {
					t.Errorf("params %v, x = %v: %v", p, x, err)
				}
			}
		})
	}
}

// TestDistInvalidVariableParams checks that a parameter that is not a constant (a shared
// variable here) and is out of range gives -Inf, not NaN, and no construction error.
func TestDistInvalidVariableParams(t *testing.T) {
	cases := []struct {
		d Dist
		x any
	}{
		{Normal(0.0, tensor.Shared("s", -1.0)), 0.5},
		{HalfNormal(tensor.Shared("s", 0.0)), 0.5},
		{Beta(tensor.Shared("a", -1.0), 2.0), 0.5},
		{Gamma(2.0, tensor.Shared("b", -1.0)), 0.5},
		{StudentT(tensor.Shared("nu", -1.0), 0.0, 1.0), 0.5},
		{Bernoulli(tensor.Shared("p", 1.5)), 1},
		{Binomial(5, tensor.Shared("p", -0.5)), 2},
		{Poisson(tensor.Shared("mu", -1.0)), 2},
		{Exponential(tensor.Shared("lam", -1.0)), 2.0},
		{VonMises(0.0, tensor.Shared("kappa", -1.0)), 0.1},
	}
	for _, c := range cases {
		if c.d.Err() != nil {
			t.Errorf("%s: unexpected construction error %v", c.d.Name(), c.d.Err())
			continue
		}
		v := evalT(t, c.d.Logp(tensor.As(c.x))).Data[0]
		if !math.IsInf(v, -1) {
			t.Errorf("%s with an invalid variable parameter: logp %v, want -Inf", c.d.Name(), v)
		}
	}
}

// TestDistParamErrors lists invalid constant parameters with the exact error text.
func TestDistParamErrors(t *testing.T) {
	cases := []struct {
		d    Dist
		want string
	}{
		{Normal(0, -1), "Normal: sigma is -1, but must be positive"},
		{Normal(0, []float64{1, 2, -1}), "Normal: sigma[2] is -1, but must be positive"},
		{Normal(0, [][]float64{{1, 2}, {3, 0}}), "Normal: sigma[1, 1] is 0, but must be positive"},
		{Normal(math.NaN(), 1), "Normal: mu is NaN, but must be finite"},
		{HalfNormal(0), "HalfNormal: sigma is 0, but must be positive"},
		{Beta(0, 1), "Beta: alpha is 0, but must be positive"},
		{Gamma(1, -2), "Gamma: beta is -2, but must be positive"},
		{GammaMuSigma(-1, 2), "Gamma: mu is -1, but must be positive"},
		{Exponential(0), "Exponential: lam is 0, but must be positive"},
		{Uniform(1, 0), "Uniform: lower is 1, but must be less than upper (0)"},
		{Triangular(0, 2, 1), "Triangular: c is 2, but must be at most upper (1)"},
		{StudentT(-1, 0, 1), "StudentT: nu is -1, but must be positive"},
		{VonMises(0, -1), "VonMises: kappa is -1, but must be non-negative"},
		{Bernoulli(1.5), "Bernoulli: p is 1.5, but must be in [0, 1]"},
		{Binomial(2.5, 0.5), "Binomial: n is 2.5, but must be a non-negative integer"},
		{Binomial(10, []float64{0.1, -0.2}), "Binomial: p[1] is -0.2, but must be in [0, 1]"},
		{Poisson(-3), "Poisson: mu is -3, but must be non-negative"},
		{Geometric(0), "Geometric: p is 0, but must be in (0, 1]"},
		{DiscreteUniform(0.5, 3), "DiscreteUniform: lower is 0.5, but must be an integer"},
		{Categorical([]float64{0.5, -0.5}), "Categorical: p[1] is -0.5, but must be non-negative"},
		{ZeroInflatedPoisson(2, 1), "ZeroInflatedPoisson: psi is 2, but must be in [0, 1]"},
		{Normal([]float64{1, 2}, []float64{1, 2, 3}), "Normal: parameter shapes [3] (sigma) and [2] do not broadcast"},
		{Categorical(0.5), "Categorical: p must be a vector of probabilities, got a scalar"},
		{MvNormal([]float64{0, 0}, [][]float64{{1, 2}, {2, 1}}), "MvNormal: cov is not positive definite"},
		{MvNormal([]float64{0, 0}, [][]float64{{1, 0.5}, {0.4, 1}}), "MvNormal: cov is not symmetric: [1, 0] is 0.4 but [0, 1] is 0.5"},
		{MvNormal([]float64{0, 0, 0}, [][]float64{{1, 0}, {0, 1}}), "MvNormal: mu has shape [3], so the matrix must be 3×3, got shape [2 2]"},
		{MvNormalChol([]float64{0, 0}, [][]float64{{1, 0}, {0.5, -1}}), "MvNormal: chol[1, 1] is -1, but must be positive (a Cholesky factor's diagonal)"},
		{Dirichlet([]float64{1, 0}), "Dirichlet: a[1] is 0, but must be positive"},
		{Multinomial(5, []float64{0.5, -0.5}), "Multinomial: p[1] is -0.5, but must be non-negative"},
		{LKJCorr(1, 1), "LKJCorr: n is 1, but must be at least 2"},
		{LKJCorr(3, 0), "LKJCorr: eta is 0, but must be positive"},
		{LKJCholeskyCov(3, 1, HalfNormal(-1)), "LKJCholeskyCov: sdDist: HalfNormal: sigma is -1, but must be positive"},
		{LKJCholeskyCov(3, 1, HalfNormal([]float64{1, 2})), "LKJCholeskyCov: sdDist must be a scalar distribution of shape [] or [3], got HalfNormal of shape [2]"},
		{GaussianRandomWalk(0, 1, nil, 0), "GaussianRandomWalk: steps is 0, but must be at least 1"},
		{AR([]float64{0.5}, -1, nil, 10, false), "AR: sigma is -1, but must be positive"},
		{TruncatedNormal(0, 1, 2, 1), "TruncatedNormal: lower is 2, but must be less than upper (1)"},
		{Censored(Normal(0, 1), 1, 1), "Censored: lower is 1, but must be less than upper (1)"},
		{Normal("a", 1), "Normal: parameter mu: tensor: const: tensor: cannot convert a value of type string to an array (use float64, int, bool, slices of them, [][]float64, gonum matrices or *tensor.Array)"},
	}
	for _, c := range cases {
		err := c.d.Err()
		if err == nil {
			t.Errorf("no error, want %q", c.want)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("error %q, want %q", err, c.want)
		}
	}
}
