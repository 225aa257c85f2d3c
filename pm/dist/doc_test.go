package dist

import (
	"os"
	"strings"
	"testing"
)

// TestDistDocTable checks the CDF and ICDF columns of the PyMC name table in doc.go against the
// interfaces the constructors' distributions implement.
func TestDistDocTable(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Dist{
		"AsymmetricLaplace": AsymmetricLaplace(1, 0.5, 0), "Beta": Beta(2, 3), "Cauchy": Cauchy(0, 1),
		"ChiSquared": ChiSquared(3), "ExGaussian": ExGaussian(0, 1, 1), "Exponential": Exponential(1),
		"Flat": Flat(), "Gamma": Gamma(2, 1), "GammaMuSigma": GammaMuSigma(2, 1), "Gumbel": Gumbel(0, 1),
		"HalfCauchy": HalfCauchy(1), "HalfNormal": HalfNormal(1), "HalfStudentT": HalfStudentT(3, 1),
		"Interpolated": Interpolated([]float64{0, 1}, []float64{1, 1}), "InverseGamma": InverseGamma(2, 1),
		"Kumaraswamy": Kumaraswamy(2, 3), "Laplace": Laplace(0, 1), "Logistic": Logistic(0, 1),
		"LogitNormal": LogitNormal(0, 1), "LogNormal": LogNormal(0, 1), "Moyal": Moyal(0, 1), "Normal": Normal(0, 1),
		"Pareto": Pareto(2, 1), "PolyaGamma": PolyaGamma(1, 0), "Rice": Rice(1, 1), "SkewNormal": SkewNormal(0, 1, 1),
		"StudentT": StudentT(3, 0, 1), "Triangular": Triangular(0, 0.5, 1), "TruncatedNormal": TruncatedNormal(0, 1, -1, 1),
		"Uniform": Uniform(0, 1), "VonMises": VonMises(0, 1), "Wald": Wald(1, 1), "Weibull": Weibull(1, 1),
		"Bernoulli": Bernoulli(0.3), "BetaBinomial": BetaBinomial(5, 1, 1), "Binomial": Binomial(5, 0.3),
		"Categorical": Categorical([]float64{0.5, 0.5}), "DiscreteUniform": DiscreteUniform(0, 3),
		"DiscreteWeibull": DiscreteWeibull(0.5, 1), "Geometric": Geometric(0.3), "HyperGeometric": HyperGeometric(10, 3, 4),
		"NegativeBinomial": NegativeBinomial(2, 1), "OrderedLogistic": OrderedLogistic(0, []float64{-1, 1}),
		"OrderedProbit": OrderedProbit(0, []float64{-1, 1}, 1), "Poisson": Poisson(2),
		"ZeroInflatedPoisson": ZeroInflatedPoisson(0.5, 2), "ZeroInflatedBinomial": ZeroInflatedBinomial(0.5, 5, 0.3),
		"ZeroInflatedNegativeBinomial": ZeroInflatedNegativeBinomial(0.5, 2, 1), "HurdlePoisson": HurdlePoisson(0.5, 2),
		"HurdleNegativeBinomial": HurdleNegativeBinomial(0.5, 2, 1), "HurdleGamma": HurdleGamma(0.5, 2, 1),
		"HurdleLogNormal": HurdleLogNormal(0.5, 0, 1), "Mixture": Mixture([]float64{0.5, 0.5}, Normal(0, 1), Normal(1, 1)),
	}
	checked := 0
	for _, line := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(line, "//\t") {
			continue
		}
		f := strings.Fields(line[3:])
		if len(f) < 3 {
			continue
		}
		cdf, icdf := f[len(f)-2], f[len(f)-1]
		if (cdf != "yes" && cdf != "-") || (icdf != "yes" && icdf != "-") {
			continue
		}
		// The first gopm constructor: the first field after the PyMC name(s) with a "(".
		var name string
		for _, w := range f {
			if i := strings.Index(w, "("); i > 0 {
				name = strings.TrimSuffix(w[:i], ",")
				break
			}
		}
		if i := strings.Index(line, "Mixture(w"); i > 0 {
			name = "Mixture"
		}
		d, ok := byName[name]
		if !ok {
			t.Errorf("doc table row %q: no instance for %q", line, name)
			continue
		}
		_, hasCDF := d.(CDFer)
		_, hasICDF := d.(ICDFer)
		if hasCDF != (cdf == "yes") || hasICDF != (icdf == "yes") {
			t.Errorf("doc table says %s CDF %s ICDF %s; it implements CDFer %v, ICDFer %v", name, cdf, icdf, hasCDF, hasICDF)
		}
		checked++
	}
	if checked < 50 {
		t.Errorf("only %d rows of the table checked", checked)
	}
}
