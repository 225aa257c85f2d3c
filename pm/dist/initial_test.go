package dist

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// allDists builds one instance of every distribution with valid parameters.
func allDists() []Dist {
	return []Dist{
		Normal(1, 2), HalfNormal(2), TruncatedNormal(0, 1, -1, 2), TruncatedNormal(5, 1, nil, 0),
		Uniform(-1, 3), Flat(), HalfFlat(), Beta(2, 3), Gamma(2, 0.5), GammaMuSigma(3, 1),
		InverseGamma(3, 2), Exponential(2), LogNormal(0, 1), StudentT(3, 1, 2), HalfStudentT(3, 1),
		Cauchy(0, 1), HalfCauchy(2), Laplace(0, 1), Logistic(1, 2), Weibull(1.5, 2), Pareto(2, 1),
		ChiSquared(3), VonMises(0.5, 2), SkewNormal(0, 1, 3), Wald(1, 2), Triangular(0, 0.3, 1),
		Bernoulli(0.3), BernoulliLogit(1.2), Binomial(10, 0.3), BinomialLogit(10, -1), Poisson(3.5),
		PoissonLog(1), NegativeBinomial(4, 2), Geometric(0.3), DiscreteUniform(-2, 5),
		Categorical([]float64{0.1, 0.6, 0.3}), CategoricalLogit([]float64{0, 1}), BetaBinomial(10, 2, 3),
		ZeroInflatedPoisson(0.7, 3),
		MvNormal([]float64{0, 1}, [][]float64{{1, 0.5}, {0.5, 2}}), MvNormalPrec([]float64{0, 1}, [][]float64{{2, 0.5}, {0.5, 1}}),
		MvNormalChol([]float64{0, 1}, [][]float64{{1, 0}, {0.5, 2}}), Dirichlet([]float64{1, 2, 3}),
		Multinomial(10, []float64{0.2, 0.3, 0.5}), LKJCorr(3, 2), LKJCholeskyCov(3, 2, HalfNormal(1)),
		Mixture([]float64{0.3, 0.7}, Normal(0, 1), Normal(3, 1)), NormalMixture([]float64{0.5, 0.5}, []float64{-1, 1}, 1),
		Mixture([]float64{0.3, 0.7}, Gamma(2, 1), Exponential(1)),
		GaussianRandomWalk(0, 1, nil, 5), AR([]float64{0.5, 0.2}, 1, nil, 10, false),
		Truncated(Exponential(1), 1, 3), Truncated(Geometric(0.2), 2, 6), Censored(Normal(0, 1), -1, 1),
		Truncated(Gamma(2, 1), 0.5, 4), Truncated(Poisson(3), 1, nil), Censored(Beta(2, 3), 0.1, 0.9),
		AsymmetricLaplace(1, 0.5, 0), ExGaussian(0, 1, 2), Gumbel(0, 2), Kumaraswamy(2, 3),
		LogitNormal(0.5, 1), Moyal(0, 1), Rice(1, 2), DiscreteWeibull(0.6, 1.2),
		HyperGeometric(20, 7, 12), ZeroInflatedBinomial(0.6, 10, 0.3), ZeroInflatedNegativeBinomial(0.6, 3, 2),
		HurdlePoisson(0.7, 2), HurdleNegativeBinomial(0.7, 2, 3), HurdleGamma(0.5, 2, 1), HurdleLogNormal(0.5, 0, 1),
		OrderedLogistic([]float64{0.3, -2}, []float64{-1, 0, 1}), OrderedProbit(0.3, []float64{-1, 1}, 2),
		MvStudentT(4, []float64{0, 1}, [][]float64{{1, 0.5}, {0.5, 2}}), DirichletMultinomial(10, []float64{1, 2, 3}),
		StickBreakingWeights(2, 4), ZeroSumNormal(1, 4), CAR(0, carW, 0.5, 2), ICAR(carW, 1, 0.001),
		MatrixNormal([][]float64{{0, 1}, {2, 3}}, [][]float64{{1, 0}, {0, 1}}, [][]float64{{2, 0.5}, {0.5, 1}}),
		KroneckerNormal([]float64{0, 0, 0, 0}, [][]float64{{1, 0}, {0, 1}}, [][]float64{{2, 0.5}, {0.5, 1}}),
		PolyaGamma(1, 0.5), Interpolated([]float64{0, 1, 2}, []float64{1, 2, 0.5}),
	}
}

// TestDistInitialValues checks, for every distribution, that the initial value has the
// distribution's shape and dtype, lies in the support with a finite log-density, and survives
// the round trip through the default transform with a finite log-density and log-Jacobian.
func TestDistInitialValues(t *testing.T) {
	for _, d := range allDists() {
		if err := d.Err(); err != nil {
			t.Errorf("%s: %v", d.Name(), err)
			continue
		}
		iv := d.InitialValue(nil)
		a := evalT(t, iv)
		if !sameInts(a.Shape, d.Shape()) || a.DType != d.DType() {
			t.Errorf("%s: initial value %v%v, want %v%v", d.Name(), a.DType, a.Shape, d.DType(), d.Shape())
		}
		if bad := d.Support().Contains(a); bad >= 0 && d.Support().Kind != Simplex {
			t.Errorf("%s: initial value %v is outside the support %s", d.Name(), a, d.Support())
		}
		lp := evalT(t, tensor.Sum(d.Logp(tensor.Const(a)))).Data[0]
		if math.IsInf(lp, 0) || math.IsNaN(lp) {
			t.Errorf("%s: log-density %v at the initial value %v", d.Name(), lp, a)
		}
		if tr := d.DefaultTransform(); tr != nil {
			y := tr.Forward(tensor.Const(a))
			x := evalT(t, tr.Backward(y))
			for i := range a.Data {
				if math.Abs(x.Data[i]-a.Data[i]) > 1e-9*math.Max(1, math.Abs(a.Data[i])) {
					t.Errorf("%s: %s transform round trip of %v gives %v", d.Name(), tr.Name(), a, x)
					break
				}
			}
			v := evalT(t, tensor.Add(tensor.Sum(d.Logp(tr.Backward(y))), tensor.Sum(tr.LogJacDet(y)))).Data[0]
			if math.IsInf(v, 0) || math.IsNaN(v) {
				t.Errorf("%s: transformed log-density %v at the initial value", d.Name(), v)
			}
			if ys := evalT(t, y).Shape; !sameInts(ys, tr.UnconstrainedShape(d.Shape())) {
				t.Errorf("%s: unconstrained shape %v, UnconstrainedShape says %v", d.Name(), ys, tr.UnconstrainedShape(d.Shape()))
			}
		}
		if d.DType() == tensor.Int64 && d.DefaultTransform() != nil {
			t.Errorf("%s: discrete distribution with transform %s", d.Name(), d.DefaultTransform().Name())
		}
	}
}

// TestDistDefaultTransforms checks the PyMC defaults: log for positive supports, log-odds for
// the unit interval, interval for bounded ones, simplex for Dirichlet, none for discrete.
func TestDistDefaultTransforms(t *testing.T) {
	cases := []struct {
		d    Dist
		want string
	}{
		{HalfNormal(1), "log"}, {Gamma(1, 1), "log"}, {Exponential(1), "log"}, {HalfCauchy(1), "log"},
		{Beta(1, 1), "logodds"}, {Uniform(0, 1), "interval"}, {Pareto(1, 2), "interval"},
		{Triangular(0, 1, 2), "interval"}, {Dirichlet([]float64{1, 1}), "simplex"},
		{LKJCorr(3, 1), "corr"}, {LKJCholeskyCov(2, 1, Exponential(1)), "cholesky_cov"},
		{Normal(0, 1), ""}, {Poisson(1), ""}, {Bernoulli(0.5), ""},
		{Kumaraswamy(1, 2), "logodds"}, {LogitNormal(0, 1), "logodds"}, {Rice(1, 1), "log"},
		{StickBreakingWeights(1, 3), "simplex"}, {ZeroSumNormal(1, 3), "zerosum"}, {HurdleGamma(0.5, 1, 1), ""},
		{Truncated(Gamma(2, 1), 1, 3), "interval"},
	}
	for _, c := range cases {
		got := ""
		if tr := c.d.DefaultTransform(); tr != nil {
			got = tr.Name()
		}
		if got != c.want {
			t.Errorf("%s: transform %q, want %q", c.d.Name(), got, c.want)
		}
	}
	if s := Uniform(-1, 2.5).Support().String(); s != "-1 < x < 2.5" {
		t.Errorf("Uniform support %q", s)
	}
	if s := Binomial(7, 0.5).Support().String(); s != "integers in [0, 7]" {
		t.Errorf("Binomial support %q", s)
	}
}
