package dist

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// ksStat is the Kolmogorov-Smirnov distance between the sample and the CDF.
func ksStat(x []float64, cdf func(float64) float64) float64 {
	s := append([]float64{}, x...)
	sort.Float64s(s)
	n := float64(len(s))
	d := 0.0
	for i, v := range s {
		f := cdf(v)
		d = math.Max(d, math.Max(math.Abs(f-float64(i+1)/n), math.Abs(f-float64(i)/n)))
	}
	return d
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// scalarCDFs are independent CDFs (distuv or closed forms) for the KS tests of random draws.
var scalarCDFs = map[string]func(p []float64, x float64) float64{
	"Normal": func(p []float64, x float64) float64 { return distuv.Normal{Mu: p[0], Sigma: p[1]}.CDF(x) },
	"HalfNormal": func(p []float64, x float64) float64 {
		return 2*normCDF(x/p[0]) - 1
	},
	"Uniform":      func(p []float64, x float64) float64 { return distuv.Uniform{Min: p[0], Max: p[1]}.CDF(x) },
	"Beta":         func(p []float64, x float64) float64 { return distuv.Beta{Alpha: p[0], Beta: p[1]}.CDF(x) },
	"Gamma":        func(p []float64, x float64) float64 { return distuv.Gamma{Alpha: p[0], Beta: p[1]}.CDF(x) },
	"ChiSquared":   func(p []float64, x float64) float64 { return distuv.ChiSquared{K: p[0]}.CDF(x) },
	"InverseGamma": func(p []float64, x float64) float64 { return distuv.InverseGamma{Alpha: p[0], Beta: p[1]}.CDF(x) },
	"GammaMuSigma": func(p []float64, x float64) float64 {
		v := p[1] * p[1]
		return distuv.Gamma{Alpha: p[0] * p[0] / v, Beta: p[0] / v}.CDF(x)
	},
	"Exponential": func(p []float64, x float64) float64 { return distuv.Exponential{Rate: p[0]}.CDF(x) },
	"LogNormal":   func(p []float64, x float64) float64 { return distuv.LogNormal{Mu: p[0], Sigma: p[1]}.CDF(x) },
	"StudentT": func(p []float64, x float64) float64 {
		return distuv.StudentsT{Nu: p[0], Mu: p[1], Sigma: p[2]}.CDF(x)
	},
	"HalfStudentT": func(p []float64, x float64) float64 {
		return 2*distuv.StudentsT{Nu: p[0], Mu: 0, Sigma: p[1]}.CDF(x) - 1
	},
	"Cauchy":     func(p []float64, x float64) float64 { return 0.5 + math.Atan((x-p[0])/p[1])/math.Pi },
	"HalfCauchy": func(p []float64, x float64) float64 { return 2 * math.Atan(x/p[0]) / math.Pi },
	"Laplace":    func(p []float64, x float64) float64 { return distuv.Laplace{Mu: p[0], Scale: p[1]}.CDF(x) },
	"Logistic":   func(p []float64, x float64) float64 { return distuv.Logistic{Mu: p[0], S: p[1]}.CDF(x) },
	"Weibull":    func(p []float64, x float64) float64 { return distuv.Weibull{K: p[0], Lambda: p[1]}.CDF(x) },
	"Pareto":     func(p []float64, x float64) float64 { return distuv.Pareto{Alpha: p[0], Xm: p[1]}.CDF(x) },
	"Triangular": func(p []float64, x float64) float64 { return distuv.NewTriangle(p[0], p[2], p[1], nil).CDF(x) },
	"Wald": func(p []float64, x float64) float64 {
		// Chhikara and Folks (1989): Φ(√(λ/x)(x/μ-1)) + e^(2λ/μ) Φ(-√(λ/x)(x/μ+1)).
		mu, lam := p[0], p[1]
		s := math.Sqrt(lam / x)
		return normCDF(s*(x/mu-1)) + math.Exp(2*lam/mu)*normCDF(-s*(x/mu+1))
	},
	"SkewNormal": func(p []float64, x float64) float64 {
		// F(x) = Φ(z) - 2 T(z, α) with Owen's T by quadrature:
		// T(h, a) = (1/2π) ∫₀^a exp(-h²(1+t²)/2)/(1+t²) dt.
		z := (x - p[0]) / p[1]
		a := p[2]
		const m = 2000
		s := 0.0
		for i := 0; i < m; i++ {
			tt := a * (float64(i) + 0.5) / m
			s += math.Exp(-z*z*(1+tt*tt)/2) / (1 + tt*tt)
		}
		return normCDF(z) - 2*s*a/m/(2*math.Pi)
	},
}

// discreteMoments are the means and variances of the discrete distributions (closed forms).
var discreteMoments = map[string]func(p []float64) (float64, float64){
	"Bernoulli":      func(p []float64) (float64, float64) { return p[0], p[0] * (1 - p[0]) },
	"BernoulliLogit": func(p []float64) (float64, float64) { q := sigmoidF(p[0]); return q, q * (1 - q) },
	"Binomial":       func(p []float64) (float64, float64) { return p[0] * p[1], p[0] * p[1] * (1 - p[1]) },
	"BinomialLogit": func(p []float64) (float64, float64) {
		q := sigmoidF(p[1])
		return p[0] * q, p[0] * q * (1 - q)
	},
	"Poisson":          func(p []float64) (float64, float64) { return p[0], p[0] },
	"PoissonLog":       func(p []float64) (float64, float64) { return math.Exp(p[0]), math.Exp(p[0]) },
	"NegativeBinomial": func(p []float64) (float64, float64) { return p[0], p[0] + p[0]*p[0]/p[1] },
	"Geometric":        func(p []float64) (float64, float64) { return 1 / p[0], (1 - p[0]) / (p[0] * p[0]) },
	"DiscreteUniform": func(p []float64) (float64, float64) {
		w := p[1] - p[0] + 1
		return (p[0] + p[1]) / 2, (w*w - 1) / 12
	},
	"BetaBinomial": func(p []float64) (float64, float64) {
		n, a, b := p[0], p[1], p[2]
		return n * a / (a + b), n * a * b * (a + b + n) / ((a + b) * (a + b) * (a + b + 1))
	},
	"ZeroInflatedPoisson": func(p []float64) (float64, float64) {
		return p[0] * p[1], p[0] * p[1] * (1 + (1-p[0])*p[1])
	},
}

// TestDistScalarRandom draws 4000 values from every scalar distribution with a fixed seed and
// checks them: continuous ones by a Kolmogorov-Smirnov test against an independent CDF
// (threshold 1.95/√n, a 0.1% level), discrete ones by mean (within 5 standard errors) and
// variance (within 15%), and all for the support and the requested shape.
func TestDistScalarRandom(t *testing.T) {
	const n = 4000
	for ci, c := range scalarCases() {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(ci), 13))
			p := c.params(r)
			ps := make([]any, len(p))
			for i, v := range p {
				ps[i] = v
			}
			d := c.build(ps)
			draw := evalT(t, d.Random(tensor.NewRandomStream(uint64(100+ci)), []int{n}))
			if !sameInts(draw.Shape, []int{n}) || draw.DType != d.DType() {
				t.Fatalf("draw has type %v%v, want %v[%d]", draw.DType, draw.Shape, d.DType(), n)
			}
			x := draw.Data
			if bad := d.Support().Contains(draw); bad >= 0 {
				t.Fatalf("draw %d = %v is outside the support %s", bad, x[bad], d.Support())
			}
			if c.discrete {
				m, v := discreteMoments[c.name](p)
				em, ev := stat.MeanVariance(x, nil)
				if math.Abs(em-m) > 5*math.Sqrt(v/n) {
					t.Errorf("params %v: sample mean %v, want %v (sd of mean %v)", p, em, m, math.Sqrt(v/n))
				}
				if math.Abs(ev-v) > 0.15*v+1e-9 {
					t.Errorf("params %v: sample variance %v, want %v", p, ev, v)
				}
				return
			}
			cdf := scalarCDFs[c.name]
			if c.name == "VonMises" {
				cdf = vonMisesCDF(p)
			}
			if cdf == nil {
				t.Fatalf("no CDF for %s", c.name)
			}
			if ks := ksStat(x, func(v float64) float64 { return cdf(p, v) }); ks > 1.95/math.Sqrt(n) {
				t.Errorf("params %v: KS distance %v > %v", p, ks, 1.95/math.Sqrt(n))
			}
		})
	}
}

// TestDistRandomShapes checks that a batch of parameters gives draws of the batch shape, that a
// requested shape adds leading dimensions, and that the parameters broadcast per element.
func TestDistRandomShapes(t *testing.T) {
	rs := tensor.NewRandomStream(3)
	d := Normal([]float64{-100, 0, 100}, 0.001)
	x := evalT(t, d.Random(rs, nil))
	if !sameInts(x.Shape, []int{3}) || math.Abs(x.Data[0]+100) > 0.01 || math.Abs(x.Data[2]-100) > 0.01 {
		t.Errorf("batch draw %v", x)
	}
	y := evalT(t, d.Random(rs, []int{5, 3}))
	if !sameInts(y.Shape, []int{5, 3}) || math.Abs(y.Data[14]-100) > 0.01 {
		t.Errorf("draw of shape [5 3]: %v", y)
	}
	if err := tensor.Catch(func() { Flat().Random(rs, nil) }); err == nil {
		t.Error("Flat gave random draws")
	}
}

// TestDistMultivariateRandom checks the multivariate and composite draws by their moments.
func TestDistMultivariateRandom(t *testing.T) {
	const n = 4000
	rs := tensor.NewRandomStream(21)
	// MvNormal: sample mean and covariance.
	r := rand.New(rand.NewPCG(1, 2))
	cov := randomSPD(r, 3)
	mu := []float64{1, -2, 0.5}
	for name, d := range map[string]Dist{"cov": MvNormal(mu, cov), "prec": MvNormalPrec(mu, inverseSym(t, cov))} {
		x := evalT(t, d.Random(rs, []int{n, 3}))
		m := mat.NewDense(n, 3, x.Data)
		var c mat.SymDense
		stat.CovarianceMatrix(&c, m, nil)
		for j := 0; j < 3; j++ {
			col := mat.Col(nil, j, m)
			if mean := stat.Mean(col, nil); math.Abs(mean-mu[j]) > 5*math.Sqrt(cov.At(j, j)/n) {
				t.Errorf("MvNormal %s: mean[%d] %v, want %v", name, j, mean, mu[j])
			}
			for k := 0; k < 3; k++ {
				sd := math.Sqrt(cov.At(j, j) * cov.At(k, k))
				if math.Abs(c.At(j, k)-cov.At(j, k)) > 0.1*sd {
					t.Errorf("MvNormal %s: cov[%d,%d] %v, want %v", name, j, k, c.At(j, k), cov.At(j, k))
				}
			}
		}
	}
	// Dirichlet: on the simplex, mean a/Σa.
	a := []float64{1, 2, 5}
	x := evalT(t, Dirichlet(a).Random(rs, []int{n, 3}))
	if bad := (Support{Kind: Simplex}).Contains(x); bad >= 0 || !constSimplex(tensor.Const(x)) {
		t.Errorf("Dirichlet draws off the simplex")
	}
	for j := range a {
		col := mat.Col(nil, j, mat.NewDense(n, 3, x.Data))
		if mean := stat.Mean(col, nil); math.Abs(mean-a[j]/8) > 0.01 {
			t.Errorf("Dirichlet mean[%d] %v, want %v", j, mean, a[j]/8)
		}
	}
	// Multinomial: counts sum to n, mean n p.
	p := []float64{0.2, 0.3, 0.5}
	xm := evalT(t, Multinomial(20, p).Random(rs, []int{n, 3}))
	sums := make([]float64, 3)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < 3; j++ {
			v := xm.Data[i*3+j]
			s += v
			sums[j] += v
		}
		if s != 20 {
			t.Fatalf("Multinomial draw %v sums to %v", xm.Data[i*3:i*3+3], s)
		}
	}
	for j := range p {
		if m := sums[j] / n; math.Abs(m-20*p[j]) > 5*math.Sqrt(20*p[j]*(1-p[j])/n) {
			t.Errorf("Multinomial mean[%d] %v, want %v", j, m, 20*p[j])
		}
	}
	// LKJCorr: correlation matrices whose off-diagonal entries have variance 1/(2η + n - 1).
	const nd = 800
	eta := 2.0
	lk := LKJCorr(3, eta)
	g := lk.Random(rs, nil)
	var r01 []float64
	for i := 0; i < nd; i++ {
		m := evalT(t, g)
		if !isCorr(m, 3) {
			t.Fatalf("LKJCorr draw is not a correlation matrix: %v", m)
		}
		var ch mat.Cholesky
		if !ch.Factorize(symOf(m)) {
			t.Fatalf("LKJCorr draw is not positive definite: %v", m)
		}
		r01 = append(r01, m.Data[1], m.Data[5])
	}
	if v := stat.Variance(r01, nil); math.Abs(v-1/(2*eta+2)) > 0.02 {
		t.Errorf("LKJCorr off-diagonal variance %v, want %v", v, 1/(2*eta+2))
	}
	// LKJCholeskyCov: lower triangular with row norms drawn from the sd distribution.
	lc := evalT(t, LKJCholeskyCov(3, 2.0, Exponential(1.0)).Random(rs, nil))
	if lc.Data[1] != 0 || lc.Data[2] != 0 || lc.Data[5] != 0 || !(lc.Data[0] > 0 && lc.Data[4] > 0 && lc.Data[8] > 0) {
		t.Errorf("LKJCholeskyCov draw is not a Cholesky factor: %v", lc)
	}
	// Mixture mean, random walk increments, AR lag-1 correlation, truncation bounds.
	mx := evalT(t, NormalMixture([]float64{0.3, 0.7}, []float64{-5, 5}, 1.0).Random(rs, []int{n})).Data
	if m := stat.Mean(mx, nil); math.Abs(m-2) > 5*math.Sqrt(26.2/n) {
		t.Errorf("NormalMixture mean %v, want 2", m)
	}
	w := evalT(t, GaussianRandomWalk(0.5, 2.0, Normal(3.0, 0.01), n).Random(rs, nil)).Data
	inc := make([]float64, n)
	for i := range inc {
		inc[i] = w[i+1] - w[i]
	}
	if m, v := stat.MeanVariance(inc, nil); math.Abs(m-0.5) > 5*2/math.Sqrt(n) || math.Abs(v-4) > 0.4 || math.Abs(w[0]-3) > 0.05 {
		t.Errorf("random walk: x0 %v, increments mean %v variance %v, want 3, 0.5, 4", w[0], m, v)
	}
	ax := evalT(t, AR([]float64{0.6}, 1.0, Normal(0.0, 1.25), n, false).Random(rs, nil)).Data
	if len(ax) != n+1 {
		t.Fatalf("AR draw has %d values, want %d", len(ax), n+1)
	}
	if c := stat.Correlation(ax[:n], ax[1:], nil); math.Abs(c-0.6) > 0.05 {
		t.Errorf("AR(1) lag-1 correlation %v, want 0.6", c)
	}
	tn := evalT(t, TruncatedNormal(0.0, 1.0, -0.5, 2.0).Random(rs, []int{n})).Data
	z := normCDF(2) - normCDF(-0.5)
	phi := func(v float64) float64 { return math.Exp(-v*v/2) / math.Sqrt(2*math.Pi) }
	wantMean := (phi(-0.5) - phi(2)) / z
	for _, v := range tn {
		if v < -0.5 || v > 2 {
			t.Fatalf("TruncatedNormal draw %v outside [-0.5, 2]", v)
		}
	}
	if ks := ksStat(tn, func(v float64) float64 { return (normCDF(v) - normCDF(-0.5)) / z }); ks > 1.95/math.Sqrt(n) {
		t.Errorf("TruncatedNormal KS distance %v (mean %v, want %v)", ks, stat.Mean(tn, nil), wantMean)
	}
	cs := evalT(t, Censored(Normal(0.0, 1.0), -1.0, 1.0).Random(rs, []int{n})).Data
	atLo := 0
	for _, v := range cs {
		if v < -1 || v > 1 {
			t.Fatalf("Censored draw %v outside [-1, 1]", v)
		}
		if v == -1 {
			atLo++
		}
	}
	if f := float64(atLo) / n; math.Abs(f-normCDF(-1)) > 5*math.Sqrt(0.16/n) {
		t.Errorf("Censored: fraction at the lower bound %v, want %v", f, normCDF(-1))
	}
}

func symOf(a *tensor.Array) *mat.SymDense {
	n := a.Shape[0]
	return mat.NewSymDense(n, append([]float64{}, a.Data...))
}

func inverseSym(t *testing.T, s *mat.SymDense) *mat.SymDense {
	var ch mat.Cholesky
	ch.Factorize(s)
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		t.Fatal(err)
	}
	return &inv
}

// vonMisesCDF tabulates the von Mises CDF by the cumulative trapezoid rule on the density
// exp(κ cos(x-μ)) over [-π, π], normalized by the total, and interpolates linearly.
func vonMisesCDF(p []float64) func(p []float64, x float64) float64 {
	const m = 20000
	h := 2 * math.Pi / m
	tab := make([]float64, m+1)
	f := func(t float64) float64 { return math.Exp(p[1] * math.Cos(t-p[0])) }
	for i := 1; i <= m; i++ {
		tab[i] = tab[i-1] + h*(f(-math.Pi+h*float64(i-1))+f(-math.Pi+h*float64(i)))/2
	}
	return func(_ []float64, x float64) float64 {
		u := (x + math.Pi) / h
		i := int(u)
		if i < 0 {
			return 0
		}
		if i >= m {
			return 1
		}
		w := u - float64(i)
		return ((1-w)*tab[i] + w*tab[i+1]) / tab[m]
	}
}

// TestDistVonMisesRandom checks the von Mises sampler by a KS test for small and large κ, with a
// mean direction near π so that wrapping around the circle matters, and κ = 0 (uniform).
func TestDistVonMisesRandom(t *testing.T) {
	const n = 4000
	rs := tensor.NewRandomStream(77)
	for _, p := range [][]float64{{3, 0.5}, {-3, 30}, {1, 0}} {
		x := evalT(t, VonMises(p[0], p[1]).Random(rs, []int{n})).Data
		for _, v := range x {
			if v < -math.Pi || v > math.Pi {
				t.Fatalf("μ = %v, κ = %v: draw %v outside [-π, π]", p[0], p[1], v)
			}
		}
		cdf := vonMisesCDF(p)
		if ks := ksStat(x, func(v float64) float64 { return cdf(p, v) }); ks > 1.95/math.Sqrt(n) {
			t.Errorf("μ = %v, κ = %v: KS distance %v", p[0], p[1], ks)
		}
	}
}
