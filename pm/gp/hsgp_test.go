package gp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// levinson solves T x = b for the symmetric positive definite Toeplitz matrix T with first row
// r, in O(n²) (Levinson's algorithm as in Golub & Van Loan, Matrix Computations, 4th ed.,
// algorithm 4.7.2, on T/r₀): the exact GP on a regular grid, independent of pm/gp.
func levinson(r, b []float64) []float64 {
	n := len(r)
	t := make([]float64, n)
	for i := range r {
		t[i] = r[i] / r[0]
	}
	x := make([]float64, n)
	y := make([]float64, n)
	z := make([]float64, n)
	x[0] = b[0] / r[0]
	if n == 1 {
		return x
	}
	y[0] = -t[1]
	beta, alpha := 1.0, -t[1]
	for k := 1; k < n; k++ {
		beta *= 1 - alpha*alpha
		s := 0.0
		for i := 0; i < k; i++ {
			s += t[i+1] * x[k-1-i]
		}
		mu := (b[k]/r[0] - s) / beta
		for i := 0; i < k; i++ {
			z[i] = x[i] + mu*y[k-1-i]
		}
		copy(x[:k], z[:k])
		x[k] = mu
		if k < n-1 {
			s = 0
			for i := 0; i < k; i++ {
				s += t[i+1] * y[k-1-i]
			}
			alpha = -(t[k+1] + s) / beta
			for i := 0; i < k; i++ {
				z[i] = y[i] + alpha*y[k-1-i]
			}
			copy(y[:k], z[:k])
			y[k] = alpha
		}
	}
	return x
}

// exactGP solves the exact GP regression (ExpQuad(ls) scaled by eta², noise sigma) on the
// regular grid x by Levinson's algorithm: it returns the posterior mean at every (n/500)th
// point and, with withSD, the smallest posterior sd of 8 computed exactly across that subset.
func exactGP(x, y []float64, ls, eta, sigma float64, withSD bool) (mean []float64, sd float64) {
	n := len(x)
	k := func(d float64) float64 { return eta * eta * math.Exp(-d*d/(2*ls*ls)) }
	row := make([]float64, n)
	for i := range row {
		row[i] = k(x[i] - x[0])
	}
	row[0] += sigma * sigma
	alpha := levinson(row, y)
	sd = math.Inf(1)
	for j := 0; withSD && j < 8; j++ {
		s := n/16 + j*n/8 // spread over the subset
		ks := make([]float64, n)
		for i := range ks {
			ks[i] = k(x[i] - x[s])
		}
		w := levinson(row, ks)
		v := k(0)
		for i := range ks {
			v -= ks[i] * w[i]
		}
		sd = math.Min(sd, math.Sqrt(v))
	}
	for s := 0; s < n; s += n / 500 {
		mu := 0.0
		for i := range x {
			mu += k(x[i]-x[s]) * alpha[i]
		}
		mean = append(mean, mu)
	}
	return mean, sd
}

// largestDiff is the largest |a[i] − b[i]|/sd and the x (of the 500-point subset) where it is.
func largestDiff(x, a, b []float64, sd float64) (worst, at float64) {
	for i := range a {
		if d := math.Abs(a[i]-b[i]) / sd; d > worst {
			worst, at = d, x[i*(len(x)/500)]
		}
	}
	return worst, at
}

// TestHSGPMatchesExact: on 10,000 points of a regular grid, with fixed hyperparameters, the
// HSGP posterior mean of f (the MAP of its Gaussian posterior) is within 0.05 posterior sd of
// the exact GP's at a 500-point subset. The exact GP is solved by Levinson's algorithm on the
// Toeplitz covariance; its posterior sd is computed exactly at 8 of the subset points and the
// smallest is the yardstick.
func TestHSGPMatchesExact(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the exact GP on 10,000 points takes a few seconds")
	}
	const n = 10000
	const ls, eta, sigma = 0.8, 1.2, 0.5
	r := rand.New(rand.NewPCG(9, 9))
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = 10 * float64(i) / (n - 1)
		y[i] = math.Sin(x[i]) + 0.6*math.Cos(2.3*x[i]) + sigma*r.NormFloat64()
	}
	// ApproxParams's advice (c = 1.2 here) is for the prior; the posterior near the ends of the
	// data with 10,000 points is sharper than the boundary effect of c = 1.2 allows for 0.05
	// sd, so the box is wider (c = 2) and m grows with it by the same rule, doubled.
	c := 2.0
	mBasis := 2 * int(math.Ceil(1.75*c*5/ls))
	g := &HSGP{M: []int{mBasis}, C: c, Cov: Scale(eta*eta, ExpQuad(1, ls))}
	m := pm.NewModel()
	f := g.Prior(m, "f", x)
	m.Observe("y", dist.Normal(f, sigma), y)
	res, err := pm.FindMAP(m, pm.MAPMaxIter(5000))
	if err != nil {
		t.Fatal(err)
	}
	fh := res.Point["f"]

	ex, sd := exactGP(x, y, ls, eta, sigma, true)
	var sub []float64
	for s := 0; s < n; s += n / 500 {
		sub = append(sub, fh[s])
	}
	worst, at := largestDiff(x, sub, ex, sd)
	t.Logf("HSGP with m = %d, c = %v: largest difference from the exact posterior mean %.4f sd at x = %v (sd %.4f); MAP converged %v, gradient norm %v",
		mBasis, c, worst, at, sd, res.Converged, res.GradNorm)
	if worst > 0.05 {
		t.Errorf("HSGP posterior mean differs from the exact GP's by %v sd", worst)
	}
}

// TestHSGPCentered checks that the centred parameterization gives the same f for the same
// weights: f(β_c) = f(β_nc) when β_c = β_nc ⊙ √S.
func TestHSGPCentered(t *testing.T) {
	x := []float64{0, 0.5, 1.7, 3}
	a := &HSGP{M: []int{8}, C: 1.5, Cov: ExpQuad(1, 0.7)}
	b := &HSGP{M: []int{8}, C: 1.5, Cov: ExpQuad(1, 0.7), Centered: true}
	ma, mb := pm.NewModel(), pm.NewModel()
	fa, fb := a.Prior(ma, "f", x), b.Prior(mb, "f", x)
	beta := []float64{0.3, -1, 0.5, 0.2, -0.7, 1.1, 0.05, -0.4}
	s := evalArr(t, a.sqrtS).Data
	bc := make([]float64, len(beta))
	for i := range beta {
		bc[i] = beta[i] * s[i]
	}
	va := evalArr(t, tensor.Replace([]*tensor.Tensor{fa}, map[*tensor.Tensor]*tensor.Tensor{a.beta: tensor.Const(beta)})[0]).Data
	vb := evalArr(t, tensor.Replace([]*tensor.Tensor{fb}, map[*tensor.Tensor]*tensor.Tensor{b.beta: tensor.Const(bc)})[0]).Data
	for i := range va {
		if math.Abs(va[i]-vb[i]) > 1e-12 {
			t.Errorf("f[%d]: non-centred %v, centred %v", i, va[i], vb[i])
		}
	}
	if ma.Lookup("f_hsgp_coeffs_") == nil || mb.Lookup("f_hsgp_coeffs") == nil {
		t.Error("coefficient variables are not named PyMC style")
	}
}

// TestHSGPPrior checks HSGP's prior covariance ΦΛΦᵀ against the exact covariance (the
// approximation error of Riutort-Mayol et al. is small inside the box) and the errors.
func TestHSGPPrior(t *testing.T) {
	x := []float64{-1, -0.3, 0, 0.4, 1}
	g := &HSGP{M: []int{60}, C: 2.5, Cov: ExpQuad(1, 0.5)}
	m := pm.NewModel()
	g.Prior(m, "f", x)
	phi, omega := g.basis(constInputs(x))
	s := evalArr(t, tensor.Sqrt(g.Cov.(PSDer).PSD(tensor.Const(omega)))).Data
	for i := range x {
		for j := range x {
			v := 0.0
			for b := range s {
				v += phi.Data[i*60+b] * phi.Data[j*60+b] * s[b] * s[b]
			}
			want := math.Exp(-(x[i] - x[j]) * (x[i] - x[j]) / (2 * 0.25))
			if math.Abs(v-want) > 1e-3 {
				t.Errorf("HSGP prior covariance [%d, %d] = %v, exact %v", i, j, v, want)
			}
		}
	}
	if err := tensor.Catch(func() { (&HSGP{M: []int{10}, C: 1.5, Cov: Periodic(1, 1.0, 1.0)}).Prior(pm.NewModel(), "f", x) }); err == nil {
		t.Error("HSGP with a periodic covariance: no error")
	}
	if _, _, err := ApproxParams([2]float64{0, 10}, [2]float64{1, 2}, "Cosine"); err == nil {
		t.Error("ApproxParams for Cosine: no error")
	}
	mm, c, _ := ApproxParams([2]float64{-5, 5}, [2]float64{1, 2}, "ExpQuad")
	if mm != 12 || math.Abs(c-1.28) > 1e-12 {
		t.Errorf("ApproxParams: m = %d, c = %v, want 12 and 1.28", mm, c)
	}
}

// hsgpRegression compiles an HSGP regression with free lengthscale, amplitude and noise on n
// points with m basis functions, and returns it with a point inside the support.
func hsgpRegression(tb testing.TB, n, mb int, centered bool) (*pm.LogDensity, []float64) {
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = 10 * r.Float64()
		y[i] = math.Sin(x[i]) + 0.3*r.NormFloat64()
	}
	m := pm.NewModel()
	ls := m.Var("ls", dist.Gamma(2.0, 1.0))
	eta := m.Var("eta", dist.HalfNormal(1.0))
	sigma := m.Var("sigma", dist.HalfNormal(1.0))
	g := &HSGP{M: []int{mb}, C: 1.5, Cov: Scale(tensor.Square(eta), ExpQuad(1, ls)), Centered: centered}
	f := g.Prior(m, "f", x)
	m.Observe("y", dist.Normal(f, sigma), y)
	ld, err := m.Compile()
	if err != nil {
		tb.Fatal(err)
	}
	p := make([]float64, ld.Dim())
	for i := range p {
		p[i] = 0.1
	}
	return ld, p
}

// TestHSGPLogpGradAllocs: after its first call, the compiled log-density and gradient of an
// HSGP regression allocate nothing (the default backend; the debug backend evaluates op by op
// and is not held to it).
func TestHSGPLogpGradAllocs(t *testing.T) {
	for _, centered := range []bool{false, true} {
		ld, p := hsgpRegression(t, 2000, 20, centered)
		if ld.Backend() == "debug" {
			t.Skip("the debug backend allocates by design")
		}
		grad := make([]float64, ld.Dim())
		ld.LogpGrad(p, grad)
		if a := testing.AllocsPerRun(50, func() { ld.LogpGrad(p, grad) }); a != 0 {
			t.Errorf("centered=%v: %v allocations per LogpGrad", centered, a)
		}
	}
}

// BenchmarkHSGPLogpGrad measures one log-density and gradient of an HSGP regression with free
// lengthscale, amplitude and noise for n points and m basis functions (n = 1000 and 10000 at
// m = 20; m = 10 and 40 at n = 10000). The cost is O(n·m): a call reads Φ (n×m) twice, in
// Φw and in Φᵀ∂f, and does O(n) elementwise work besides; once Φ outgrows the cache the
// reads are bound by memory bandwidth, so the ratios are somewhat above n·m's.
//
//	go test -run XXX -bench HSGPLogpGrad -benchmem ./pm/gp
func BenchmarkHSGPLogpGrad(b *testing.B) {
	for _, c := range []struct{ n, m int }{{1000, 20}, {10000, 20}, {10000, 10}, {10000, 40}} {
		b.Run(fmt.Sprintf("n=%d/m=%d", c.n, c.m), func(b *testing.B) {
			ld, p := hsgpRegression(b, c.n, c.m, false)
			grad := make([]float64, ld.Dim())
			ld.LogpGrad(p, grad)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ld.LogpGrad(p, grad)
			}
		})
	}
}

// BenchmarkHSGPSample10k samples the HSGP regression on 10,000 points (m = 30, centred;
// lengthscale, amplitude and noise free) with NUTS: 2 chains of 500 draws after 500 tuning
// steps.
//
//	go test -run XXX -bench HSGPSample10k -benchtime 1x ./pm/gp
func BenchmarkHSGPSample10k(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	const n = 10000
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = 10 * r.Float64()
		y[i] = math.Sin(x[i]) + 0.3*r.NormFloat64()
	}
	for i := 0; i < b.N; i++ {
		m := pm.NewModel()
		ls := m.Var("ls", dist.Gamma(4.0, 4.0))
		eta := m.Var("eta", dist.HalfNormal(1.0))
		sigma := m.Var("sigma", dist.HalfNormal(1.0))
		g := &HSGP{M: []int{30}, C: 1.5, Cov: Scale(tensor.Square(eta), ExpQuad(1, ls)), Centered: true}
		f := g.Prior(m, "f", x)
		m.Observe("y", dist.Normal(f, sigma), y)
		if _, err := m.Sample(pm.Draws(500), pm.Tune(500), pm.Chains(2), pm.Seed(uint64(i))); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHSGPObserveNormalExact: the likelihood through ΦᵀΦ and Φᵀy is the observed Normal's
// exactly: the compiled log-density and gradient of ObserveNormal equal those of Prior followed
// by an observed Normal, at random points, centred and non-centred, with a mean function.
func TestHSGPObserveNormalExact(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	const n, mb = 300, 12
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = 6 * r.Float64()
		y[i] = 1 + math.Sin(x[i]) + 0.3*r.NormFloat64()
	}
	for _, centered := range []bool{false, true} {
		build := func(suff bool) *pm.LogDensity {
			m := pm.NewModel()
			ls := m.Var("ls", dist.Gamma(2.0, 1.0))
			eta := m.Var("eta", dist.HalfNormal(1.0))
			sigma := m.Var("sigma", dist.HalfNormal(1.0))
			g := &HSGP{M: []int{mb}, C: 1.5, Cov: Scale(tensor.Square(eta), ExpQuad(1, ls)), Mean: ConstantMean(0.8), Centered: centered}
			if suff {
				g.ObserveNormal(m, "f", x, y, sigma)
			} else {
				m.Observe("y", dist.Normal(g.Prior(m, "f", x), sigma), y)
			}
			ld, err := m.Compile()
			if err != nil {
				t.Fatal(err)
			}
			return ld
		}
		a, b := build(false), build(true)
		if a.Dim() != b.Dim() {
			t.Fatalf("dimensions %d and %d", a.Dim(), b.Dim())
		}
		ga, gb := make([]float64, a.Dim()), make([]float64, b.Dim())
		p := make([]float64, a.Dim())
		for trial := 0; trial < 5; trial++ {
			for i := range p {
				p[i] = 0.7 * r.NormFloat64()
			}
			la, lb := a.LogpGrad(p, ga), b.LogpGrad(p, gb)
			if math.Abs(la-lb) > 1e-9*math.Abs(la) {
				t.Errorf("centered=%v: logp %v through the data, %v through ΦᵀΦ", centered, la, lb)
			}
			for i := range ga {
				if math.Abs(ga[i]-gb[i]) > 1e-7*math.Max(1, math.Abs(ga[i])) {
					t.Errorf("centered=%v: gradient[%d] %v through the data, %v through ΦᵀΦ", centered, i, ga[i], gb[i])
				}
			}
		}
	}
	if err := tensor.Catch(func() {
		m := pm.NewModel()
		(&HSGP{M: []int{5}, C: 1.5, Cov: ExpQuad(1, 1.0)}).ObserveNormal(m, "f", x, y, []float64{1, 2})
	}); err == nil {
		t.Error("ObserveNormal with a vector sigma: no error")
	}
}

// hsgp10k is the data of TestHSGPMatchesExact: 10,000 points of a regular grid on [0, 10],
// y = sin x + 0.6 cos 2.3x + noise of sd 0.5, with the box and basis count used there.
func hsgp10k() (x, y []float64, mBasis int, c float64) {
	const n = 10000
	r := rand.New(rand.NewPCG(9, 9))
	x = make([]float64, n)
	y = make([]float64, n)
	for i := range x {
		x[i] = 10 * float64(i) / (n - 1)
		y[i] = math.Sin(x[i]) + 0.6*math.Cos(2.3*x[i]) + 0.5*r.NormFloat64()
	}
	c = 2.0
	return x, y, 2 * int(math.Ceil(1.75*c*5/0.8)), c
}

// hsgpRun samples an HSGP regression on x, y with lengthscale ~ Gamma(4, 4), amplitude ~
// HalfNormal(2) and noise ~ HalfNormal(1) free, the likelihood added by like (ObserveNormal
// or MarginalNormal), recording fsub (f or its conditional mean at every 20th input) if sub
// gives it. It returns the trace, the wall time and the mean tree depth.
func hsgpRun(tb testing.TB, x, y []float64, mBasis int, c float64, marginal bool) (*pm.Trace, time.Duration, float64) {
	m := pm.NewModel()
	ls, eta, sigma := m.Var("ls", dist.Gamma(4.0, 4.0)), m.Var("eta", dist.HalfNormal(2.0)), m.Var("sigma", dist.HalfNormal(1.0))
	g := &HSGP{M: []int{mBasis}, C: c, Cov: Scale(tensor.Square(eta), ExpQuad(1, ls))}
	var sub []float64
	for s := 0; s < len(x); s += len(x) / 500 {
		sub = append(sub, x[s])
	}
	if marginal {
		g.MarginalNormal(m, "f", x, y, sigma)
		m.Deterministic("fsub", g.PredictMean(sub))
	} else {
		g.ObserveNormal(m, "f", x, y, sigma)
		m.Deterministic("fsub", g.Conditional(sub))
	}
	start := time.Now()
	tr, err := m.Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(2), pm.Seed(8))
	if err != nil {
		tb.Fatal(err)
	}
	el := time.Since(start)
	depth, cnt := 0.0, 0
	for _, ch := range tr.Stats.TreeDepth {
		for _, d := range ch {
			depth += float64(d)
			cnt++
		}
	}
	return tr, el, depth / float64(cnt)
}

// TestHSGPMarginalNormal10k samples the HSGP regression on 10,000 points with the coefficients
// integrated out (MarginalNormal): three hyperparameters, O(m³) per gradient. NUTS needs
// shallow trees and no divergences. The posterior mean of f from 10 draws spread over both
// chains (the average of PredictMean at each) is within 0.05 exact posterior sd of the exact
// GP's posterior mean averaged over the same hyperparameter draws (Levinson's algorithm at
// each), at 500 points: the same model written both ways.
func TestHSGPMarginalNormal10k(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: samples and solves the exact GP on 10,000 points 18 times")
	}
	x, y, mBasis, c := hsgp10k()
	tr, el, depth := hsgpRun(t, x, y, mBasis, c, true)
	t.Logf("MarginalNormal, m = %d: %v for 2 chains of 1000+1000 (loaded machine), mean tree depth %.2f, %d divergences",
		mBasis, el.Round(time.Millisecond), depth, tr.Divergences())
	if tr.Divergences() > 0 {
		t.Errorf("%d divergences", tr.Divergences())
	}
	if depth > 4 {
		t.Errorf("mean tree depth %.2f", depth)
	}
	lsD, etaD, sgD := tr.Values("ls"), tr.Values("eta"), tr.Values("sigma")
	nsub := len(tr.Mean("fsub"))
	hs, ex := make([]float64, nsub), make([]float64, nsub)
	_, sd := exactGP(x, y, tr.Mean("ls")[0], tr.Mean("eta")[0], tr.Mean("sigma")[0], true)
	const k = 10
	for j := 0; j < k; j++ {
		d := j * len(lsD) / k
		m, _ := exactGP(x, y, lsD[d], etaD[d], sgD[d], false)
		for i := range ex {
			ex[i] += m[i] / k
			hs[i] += tr.ValuesAt("fsub", i)[d] / k
		}
	}
	worst, at := largestDiff(x, hs, ex, sd)
	t.Logf("posterior means ls %.3f eta %.3f sigma %.4f; over %d draws the HSGP posterior mean of f is within %.2g sd of the exact GP's (largest at x = %.3f, sd %.4f)",
		tr.Mean("ls")[0], tr.Mean("eta")[0], tr.Mean("sigma")[0], k, worst, at, sd)
	if worst > 0.05 {
		t.Errorf("posterior mean of f differs from the exact GP's by %.4f sd", worst)
	}
}

// BenchmarkHSGPNormal10k samples the HSGP regression of TestHSGPMarginalNormal10k through
// ObserveNormal (coefficients sampled, O(m²) per gradient) and MarginalNormal (coefficients
// integrated out, O(m³)), reporting the mean tree depth and divergences.
//
//	go test -run XXX -bench HSGPNormal10k -benchtime 1x ./pm/gp
func BenchmarkHSGPNormal10k(b *testing.B) {
	x, y, mBasis, c := hsgp10k()
	for _, marginal := range []bool{false, true} {
		name := "ObserveNormal"
		if marginal {
			name = "MarginalNormal"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				tr, _, depth := hsgpRun(b, x, y, mBasis, c, marginal)
				b.ReportMetric(depth, "treedepth")
				b.ReportMetric(float64(tr.Divergences()), "divergences")
			}
		})
	}
}

// TestHSGPMarginalNormalExact: MarginalNormal's log-likelihood through the Woodbury identity
// equals the dense log N(y | m(x), ΦSΦᵀ + σ²I) (dist.MvNormal), in value and gradient, and its
// conditional mean of f equals the dense K*(K + σ²I)⁻¹(y − m) with K = ΦSΦᵀ.
func TestHSGPMarginalNormalExact(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	const n, mb = 60, 10
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = 6 * r.Float64()
		y[i] = 0.5 + math.Sin(x[i]) + 0.3*r.NormFloat64()
	}
	xs := []float64{0.3, 2.2, 5.1}
	build := func(dense bool) (*pm.LogDensity, *pm.Model, *tensor.Tensor) {
		m := pm.NewModel()
		ls := m.Var("ls", dist.Gamma(2.0, 1.0))
		eta := m.Var("eta", dist.HalfNormal(1.0))
		sigma := m.Var("sigma", dist.HalfNormal(1.0))
		g := &HSGP{M: []int{mb}, C: 1.6, Cov: Scale(tensor.Square(eta), Matern52(1, ls)), Mean: ConstantMean(0.5)}
		var pred *tensor.Tensor
		if dense {
			xa := constInputs(x)
			g.setup(xa)
			phi, omega := g.basis(xa)
			s := g.Cov.(PSDer).PSD(tensor.Const(omega))
			ph := tensor.Const(phi)
			k := tensor.Dot(tensor.Mul(ph, tensor.ExpandDims(s, 0)), tensor.Transpose(ph))
			cov := tensor.Add(k, tensor.Mul(tensor.Square(sigma), eye(n)))
			m.Potential("ll", dist.MvNormal(tensor.Add(tensor.Const(make([]float64, n)), 0.5), cov).Logp(tensor.Const(y)))
			phs, _ := g.basis(constInputs(xs))
			ks := tensor.Dot(tensor.Mul(tensor.Const(phs), tensor.ExpandDims(s, 0)), tensor.Transpose(ph))
			pred = tensor.Add(0.5, tensor.Dot(ks, tensor.Solve(cov, tensor.Sub(tensor.Const(y), 0.5))))
		} else {
			g.MarginalNormal(m, "f", x, y, sigma)
			pred = g.PredictMean(xs)
		}
		ld, err := m.Compile()
		if err != nil {
			t.Fatal(err)
		}
		return ld, m, pred
	}
	a, ma, pa := build(true)
	b, mbm, pb := build(false)
	ga, gb := make([]float64, a.Dim()), make([]float64, b.Dim())
	for trial := 0; trial < 5; trial++ {
		p := []float64{0.6 * r.NormFloat64(), 0.6 * r.NormFloat64(), 0.6*r.NormFloat64() - 1}
		la, lb := a.LogpGrad(p, ga), b.LogpGrad(p, gb)
		if math.Abs(la-lb) > 1e-9*math.Abs(la) {
			t.Errorf("logp: dense %v, Woodbury %v", la, lb)
		}
		for i := range ga {
			if math.Abs(ga[i]-gb[i]) > 1e-7*math.Max(1, math.Abs(ga[i])) {
				t.Errorf("gradient[%d]: dense %v, Woodbury %v", i, ga[i], gb[i])
			}
		}
		pt := pm.Point{"ls": {math.Exp(p[0])}, "eta": {math.Exp(p[1])}, "sigma": {math.Exp(p[2])}}
		va, _, err := Predict(ma, pt, pa, tensor.Const(0.0), false)
		if err != nil {
			t.Fatal(err)
		}
		vb, _, err := Predict(mbm, pt, pb, tensor.Const(0.0), false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range va {
			if math.Abs(va[i]-vb[i]) > 1e-9*math.Max(1, math.Abs(va[i])) {
				t.Errorf("conditional mean at %v: dense %v, Woodbury %v", xs[i], va[i], vb[i])
			}
		}
	}
	if err := tensor.Catch(func() { (&HSGP{M: []int{5}, C: 1.5, Cov: ExpQuad(1, 1.0)}).PredictMean(xs) }); err == nil {
		t.Error("PredictMean before MarginalNormal: no error")
	}
}

// BenchmarkHSGPMarginalLogpGrad measures one log-density and gradient of MarginalNormal on
// the 10,000 points of hsgp10k with m basis functions: O(m³), independent of n. The variant
// "tensor-chol" writes the same log-likelihood with package tensor's Cholesky and triangular
// solve (whose adjoints take several m³ matrix products), for comparison with spd.go's op.
//
//	go test -run XXX -bench HSGPMarginalLogpGrad -benchmem ./pm/gp
func BenchmarkHSGPMarginalLogpGrad(b *testing.B) {
	x, y, _, c := hsgp10k()
	for _, tc := range []struct {
		m    int
		chol bool
	}{{22, false}, {22, true}, {44, false}, {44, true}} {
		name := fmt.Sprintf("m=%d/spd-op", tc.m)
		if tc.chol {
			name = fmt.Sprintf("m=%d/tensor-chol", tc.m)
		}
		b.Run(name, func(b *testing.B) {
			m := pm.NewModel()
			ls, eta, sigma := m.Var("ls", dist.Gamma(4.0, 4.0)), m.Var("eta", dist.HalfNormal(2.0)), m.Var("sigma", dist.HalfNormal(1.0))
			g := &HSGP{M: []int{tc.m}, C: c, Cov: Scale(tensor.Square(eta), ExpQuad(1, ls))}
			if tc.chol {
				xa, ya, mean, s := g.normalData("bench", x, y, sigma)
				phi, omega := g.basis(xa)
				sq := tensor.Sqrt(g.Cov.(PSDer).PSD(tensor.Const(omega)))
				st := stats(phi, ya, mean, s)
				s2 := tensor.Square(s)
				dgd := tensor.Mul(tensor.Mul(st.gram, tensor.ExpandDims(sq, 1)), tensor.ExpandDims(sq, 0))
				l := tensor.Cholesky(tensor.Add(eye(tc.m), tensor.Div(dgd, s2)))
				z := tensor.SolveTriangular(l, tensor.Mul(sq, st.b), true)
				quad := tensor.Sub(tensor.Div(st.rr, s2), tensor.Div(tensor.Sum(tensor.Square(z)), tensor.Square(s2)))
				logDet := tensor.Add(tensor.Mul(2.0, tensor.Sum(tensor.Log(tensor.ExtractDiag(l)))), tensor.Mul(float64(st.n), tensor.Log(s2)))
				m.Potential("ll", tensor.Mul(-0.5, tensor.Add(quad, logDet)))
			} else {
				g.MarginalNormal(m, "f", x, y, sigma)
			}
			ld, err := m.Compile()
			if err != nil {
				b.Fatal(err)
			}
			p, grad := []float64{0, 0.2, -0.7}, make([]float64, 3)
			ld.LogpGrad(p, grad)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ld.LogpGrad(p, grad)
			}
		})
	}
}
