package step

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// conjugate is a one-parameter model with a closed-form posterior: the
// sampled coordinate is an unconstrained transform, toModel maps it back,
// and the posterior mean and sd are known in model space.
type conjugate struct {
	name     string
	d        Func
	toModel  func(float64) float64
	mean, sd float64
}

func conjugateModels() []conjugate {
	rng := rand.New(rand.NewPCG(7, 11))

	// Normal-Normal: y_i ~ N(mu, 2²), mu ~ N(1, 3²).
	const sigma, mu0, tau0 = 2.0, 1.0, 3.0
	ys := make([]float64, 25)
	sumY := 0.0
	for i := range ys {
		ys[i] = 0.7 + sigma*rng.NormFloat64()
		sumY += ys[i]
	}
	prec := 1/(tau0*tau0) + float64(len(ys))/(sigma*sigma)
	nn := conjugate{
		name: "normal-normal",
		d: Func{N: 1,
			G: func(x, g []float64) float64 {
				mu := x[0]
				lp := -0.5 * (mu - mu0) * (mu - mu0) / (tau0 * tau0)
				g[0] = -(mu - mu0) / (tau0 * tau0)
				for _, y := range ys {
					lp -= 0.5 * (y - mu) * (y - mu) / (sigma * sigma)
					g[0] += (y - mu) / (sigma * sigma)
				}
				return lp
			}},
		toModel: func(v float64) float64 { return v },
		mean:    (mu0/(tau0*tau0) + sumY/(sigma*sigma)) / prec,
		sd:      math.Sqrt(1 / prec),
	}
	nn.d.F = func(x []float64) float64 { var g [1]float64; return nn.d.G(x, g[:]) }

	// Beta-Binomial: p ~ Beta(2, 3), k = 13 of n = 40, sampled as
	// theta = logit(p); the Jacobian p(1-p) raises both exponents by one.
	const a, b, k, n = 2.0, 3.0, 13.0, 40.0
	ap, bp := a+k, b+n-k
	bb := conjugate{
		name: "beta-binomial",
		d: Func{N: 1,
			F: func(x []float64) float64 {
				return ap*logSigmoid(x[0]) + bp*logSigmoid(-x[0])
			},
			G: func(x, g []float64) float64 {
				p := 1 / (1 + math.Exp(-x[0]))
				g[0] = ap*(1-p) - bp*p
				return ap*logSigmoid(x[0]) + bp*logSigmoid(-x[0])
			}},
		toModel: func(v float64) float64 { return 1 / (1 + math.Exp(-v)) },
		mean:    ap / (ap + bp),
		sd:      math.Sqrt(ap * bp / ((ap + bp) * (ap + bp) * (ap + bp + 1))),
	}

	// Gamma-Poisson: lambda ~ Gamma(3, rate 0.5), y_i ~ Poisson(lambda),
	// sampled as eta = log(lambda) with Jacobian lambda.
	const alpha, beta = 3.0, 0.5
	counts := []float64{4, 7, 3, 5, 6, 2, 5, 8, 4, 6, 3, 5}
	sumC := 0.0
	for _, c := range counts {
		sumC += c
	}
	ga, gb := alpha+sumC, beta+float64(len(counts))
	gp := conjugate{
		name: "gamma-poisson",
		d: Func{N: 1,
			F: func(x []float64) float64 { return ga*x[0] - gb*math.Exp(x[0]) },
			G: func(x, g []float64) float64 {
				e := math.Exp(x[0])
				g[0] = ga - gb*e
				return ga*x[0] - gb*e
			}},
		toModel: math.Exp,
		mean:    ga / gb,
		sd:      math.Sqrt(ga) / gb,
	}
	return []conjugate{nn, bb, gp}
}

func logSigmoid(x float64) float64 {
	if x < 0 {
		return x - math.Log1p(math.Exp(x))
	}
	return -math.Log1p(math.Exp(-x))
}

func TestConjugatePosteriors(t *testing.T) {
	samplers := []struct {
		name string
		make func(d Func) (Method, error)
	}{
		{"NUTS", func(d Func) (Method, error) { return NewNUTS(d, NUTSOptions{}) }},
		{"NUTS-diag", func(d Func) (Method, error) { return NewNUTS(d, NUTSOptions{Adapt: AdaptDiag}) }},
		{"HMC", func(d Func) (Method, error) { return NewHMC(d, HMCOptions{}) }},
		{"Metropolis", func(d Func) (Method, error) { return NewMetropolis(d, MetropolisOptions{}) }},
		{"Metropolis-laplace", func(d Func) (Method, error) {
			return NewMetropolis(d, MetropolisOptions{Proposal: LaplaceProposal})
		}},
		{"Slice", func(d Func) (Method, error) { return NewSlice(d, SliceOptions{}) }},
		{"DEMetropolisZ", func(d Func) (Method, error) { return NewDEMetropolisZ(d, DEMetropolisZOptions{}) }},
	}
	for _, m := range conjugateModels() {
		for _, s := range samplers {
			t.Run(m.name+"/"+s.name, func(t *testing.T) {
				draws := 1000
				if s.name == "DEMetropolisZ" || strings.HasPrefix(s.name, "Metropolis") {
					draws = 4000 // random-walk chains need more draws for ESS
				}
				res := runOK(t, Config{
					NewMethod: func(int) (Method, error) { return s.make(m.d) },
					Init:      [][]float64{{0}}, Tune: 1000, Draws: draws, Chains: 4, Seed: 42,
				})
				checkMoments(t, m.name, transformCol(res, 0, m.toModel), m.mean, m.sd)
			})
		}
	}
}
