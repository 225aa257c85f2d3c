package gp

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/diag"
	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/tensor"
)

func evalArr(t *testing.T, x *tensor.Tensor) *tensor.Array {
	t.Helper()
	r, err := tensor.Eval(x)
	if err != nil {
		t.Fatal(err)
	}
	return r[0]
}

// TestCovValues checks every covariance against its formula written out element by element,
// with two input dimensions, a lengthscale per dimension and active dimensions.
func TestCovValues(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([][]float64, 5)
	z := make([][]float64, 3)
	for i := range x {
		x[i] = []float64{r.NormFloat64(), r.NormFloat64(), r.NormFloat64()}
	}
	for i := range z {
		z[i] = []float64{r.NormFloat64(), r.NormFloat64(), r.NormFloat64()}
	}
	ls := []float64{0.7, 1.9}
	act := []int{0, 2}
	r2 := func(a, b []float64) float64 {
		s := 0.0
		for k, d := range act {
			s += (a[d] - b[d]) * (a[d] - b[d]) / (ls[k] * ls[k])
		}
		return s
	}
	rr := func(a, b []float64) float64 { return math.Sqrt(r2(a, b) + 1e-12) }
	cases := []struct {
		name string
		cov  Cov
		f    func(a, b []float64) float64
	}{
		{"ExpQuad", ExpQuad(3, ls, ActiveDims(act...)), func(a, b []float64) float64 { return math.Exp(-r2(a, b) / 2) }},
		{"Matern12", Matern12(3, ls, ActiveDims(act...)), func(a, b []float64) float64 { return math.Exp(-rr(a, b)) }},
		{"Matern32", Matern32(3, ls, ActiveDims(act...)), func(a, b []float64) float64 {
			q := math.Sqrt(3) * rr(a, b)
			return (1 + q) * math.Exp(-q)
		}},
		{"Matern52", Matern52(3, ls, ActiveDims(act...)), func(a, b []float64) float64 {
			q := math.Sqrt(5) * rr(a, b)
			return (1 + q + q*q/3) * math.Exp(-q)
		}},
		{"Exponential", Exponential(3, ls, ActiveDims(act...)), func(a, b []float64) float64 { return math.Exp(-rr(a, b) / 2) }},
		{"RatQuad", RatQuad(3, 1.7, ls, ActiveDims(act...)), func(a, b []float64) float64 { return math.Pow(1+r2(a, b)/(2*1.7), -1.7) }},
		{"Cosine", Cosine(3, ls, ActiveDims(act...)), func(a, b []float64) float64 { return math.Cos(2 * math.Pi * rr(a, b)) }},
		{"Periodic", Periodic(3, 2.5, ls, ActiveDims(act...)), func(a, b []float64) float64 {
			s := 0.0
			for k, d := range act {
				v := math.Sin(math.Pi*math.Abs(a[d]-b[d])/2.5) / ls[k]
				s += v * v
			}
			return math.Exp(-s / 2)
		}},
		{"Linear", Linear(3, 0.4, ActiveDims(1)), func(a, b []float64) float64 { return (a[1] - 0.4) * (b[1] - 0.4) }},
		{"Scale+Add+Mul", Add(Scale(2.5, ExpQuad(3, ls, ActiveDims(act...))), Mul(Matern32(3, 1.1), Constant(0.3))), func(a, b []float64) float64 {
			s := 0.0
			for d := 0; d < 3; d++ {
				s += (a[d] - b[d]) * (a[d] - b[d]) / (1.1 * 1.1)
			}
			q := math.Sqrt(3) * math.Sqrt(s+1e-12)
			return 2.5*math.Exp(-r2(a, b)/2) + 0.3*(1+q)*math.Exp(-q)
		}},
	}
	for _, c := range cases {
		k := evalArr(t, c.cov.K(tensor.Const(x), tensor.Const(z)))
		for i := range x {
			for j := range z {
				if got, want := k.Data[i*3+j], c.f(x[i], z[j]); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
					t.Errorf("%s K[%d, %d] = %v, want %v", c.name, i, j, got, want)
				}
			}
		}
		kk := evalArr(t, c.cov.K(tensor.Const(x), nil))
		dg := evalArr(t, c.cov.Diag(tensor.Const(x)))
		for i := range x {
			// K(x, x) carries PyMC's guard √(r² + 1e-12) on the diagonal; Diag is the exact k(0).
			if math.Abs(kk.Data[i*5+i]-dg.Data[i]) > 2e-6 || math.Abs(dg.Data[i]-c.f(x[i], x[i])) > 2e-6 {
				t.Errorf("%s: diagonal %v, K_ii %v, formula %v", c.name, dg.Data[i], kk.Data[i*5+i], c.f(x[i], x[i]))
			}
		}
	}
	w := evalArr(t, WhiteNoise(0.5).K(tensor.Const(x), nil))
	if w.Data[0] != 0.25 || w.Data[1] != 0 {
		t.Errorf("WhiteNoise K %v", w.Data[:6])
	}
	if err := tensor.Catch(func() { ExpQuad(2, []float64{1, 2, 3}) }); err == nil {
		t.Error("ExpQuad with 3 lengthscales for 2 dimensions: no error")
	}
}

// TestCovPSD checks the spectral densities against the cosine transform of the covariance,
// S(ω) = 2∫₀^∞ k(r) cos(ωr) dr, by Simpson's rule.
func TestCovPSD(t *testing.T) {
	for _, c := range []struct {
		name string
		cov  Cov
		k    func(r float64) float64
	}{
		{"ExpQuad", ExpQuad(1, 0.8), func(r float64) float64 { return math.Exp(-r * r / (2 * 0.64)) }},
		{"Matern12", Matern12(1, 0.8), func(r float64) float64 { return math.Exp(-r / 0.8) }},
		{"Matern32", Matern32(1, 0.8), func(r float64) float64 {
			q := math.Sqrt(3) * r / 0.8
			return (1 + q) * math.Exp(-q)
		}},
		{"Matern52", Scale(2.0, Matern52(1, 0.8)), func(r float64) float64 {
			q := math.Sqrt(5) * r / 0.8
			return 2 * (1 + q + q*q/3) * math.Exp(-q)
		}},
	} {
		om := []float64{0, 0.5, 1.3, 3}
		got := evalArr(t, c.cov.(PSDer).PSD(tensor.Const([][]float64{{om[0]}, {om[1]}, {om[2]}, {om[3]}}))).Data
		for i, w := range om {
			const n = 400000
			h := 60.0 / n
			s := c.k(0) + c.k(60)*math.Cos(w*60)
			for j := 1; j < n; j++ {
				wt := 2.0
				if j%2 == 1 {
					wt = 4
				}
				r := float64(j) * h
				s += wt * c.k(r) * math.Cos(w*r)
			}
			want := 2 * s * h / 3
			if math.Abs(got[i]-want) > 1e-6*math.Max(1, want) {
				t.Errorf("%s PSD(%v) = %v, cosine transform %v", c.name, w, got[i], want)
			}
		}
	}
}

// handK is the ExpQuad covariance η² exp(-(x_i-x_j)²/(2ℓ²)) written out with tensor ops, the
// independent form the acceptance tests compare pm/gp with.
func handK(x []float64, ls, eta *tensor.Tensor) *tensor.Tensor {
	n := len(x)
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
		for j := range d[i] {
			d[i][j] = (x[i] - x[j]) * (x[i] - x[j])
		}
	}
	return tensor.Mul(tensor.Square(eta), tensor.Exp(tensor.Div(tensor.Mul(-0.5, tensor.Const(d)), tensor.Square(ls))))
}

func meanMCSE(tv *pm.TraceVar, k int) (float64, float64) {
	chains := make([][]float64, len(tv.Draws))
	s, n := 0.0, 0
	for c, ch := range tv.Draws {
		for _, d := range ch {
			chains[c] = append(chains[c], d[k])
			s += d[k]
			n++
		}
	}
	return s / float64(n), diag.MCSEMean(chains)
}

func regressionData() (x, y []float64) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 14; i++ {
		xi := float64(i) * 0.5
		x = append(x, xi)
		y = append(y, math.Sin(xi)+0.3*r.NormFloat64())
	}
	return
}

// TestMarginalMatchesHandWritten: the GP regression written with gp.Marginal and with a
// hand-written covariance in MvNormal has the same log-density at random points, and both
// sample to the same posterior (means within Monte Carlo error).
func TestMarginalMatchesHandWritten(t *testing.T) {
	x, y := regressionData()
	build := func(useGP bool) *pm.Model {
		m := pm.NewModel()
		ls := m.Var("ls", dist.Gamma(2.0, 1.0))
		eta := m.Var("eta", dist.HalfNormal(1.0))
		sigma := m.Var("sigma", dist.HalfNormal(1.0))
		if useGP {
			g := &Marginal{Cov: Scale(tensor.Square(eta), ExpQuad(1, ls))}
			g.MarginalLikelihood(m, "y", x, y, sigma)
		} else {
			k := tensor.Add(handK(x, ls, eta), tensor.Mul(tensor.Add(tensor.Square(sigma), defaultJitter), eye(len(x))))
			m.Observe("y", dist.MvNormal(make([]float64, len(x)), k), y)
		}
		return m
	}
	a, b := build(true), build(false)
	for _, p := range []pm.Point{
		{"ls_log__": {0.3}, "eta_log__": {-0.2}, "sigma_log__": {-1}},
		{"ls_log__": {-0.5}, "eta_log__": {0.4}, "sigma_log__": {0.1}},
	} {
		la, err := a.Logp(p)
		if err != nil {
			t.Fatal(err)
		}
		lb, _ := b.Logp(p)
		if math.Abs(la-lb) > 1e-9*math.Abs(lb) {
			t.Errorf("log-density %v with gp.Marginal, %v hand-written", la, lb)
		}
	}
	if testing.Short() {
		t.Skip("-short: no sampling")
	}
	opts := []pm.SampleOption{pm.Draws(800), pm.Tune(600), pm.Chains(2), pm.Seed(7)}
	ta, err := a.Sample(opts...)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Sample(append(opts[:3:3], pm.Seed(8))...)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"ls", "eta", "sigma"} {
		ma, sa := meanMCSE(ta.Var(v), 0)
		mb, sb := meanMCSE(tb.Var(v), 0)
		if math.Abs(ma-mb) > 4*math.Hypot(sa, sb) {
			t.Errorf("%s: posterior mean %v ± %v with gp.Marginal, %v ± %v hand-written", v, ma, sa, mb, sb)
		}
	}

	// Predict at new points equals the conditional computed with gonum at the same point.
	g := &Marginal{Cov: Scale(1.3*1.3, ExpQuad(1, 0.9))}
	m := pm.NewModel()
	g.MarginalLikelihood(m, "y", x, y, 0.3)
	xnew := []float64{0.25, 3.1, 8}
	mu, cov := g.Conditional(xnew, false)
	pm1, pv, err := Predict(m, pm.Point{}, mu, cov, true)
	if err != nil {
		t.Fatal(err)
	}
	kf := func(a, b float64) float64 { return 1.69 * math.Exp(-(a-b)*(a-b)/(2*0.81)) }
	n := len(x)
	kxx := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			v := kf(x[i], x[j])
			if i == j {
				v += 0.09 + defaultJitter
			}
			kxx.SetSym(i, j, v)
		}
	}
	var ch mat.Cholesky
	ch.Factorize(kxx)
	alpha := mat.NewVecDense(n, nil)
	ch.SolveVecTo(alpha, mat.NewVecDense(n, y))
	for k, xs := range xnew {
		ks := mat.NewVecDense(n, nil)
		for i := range x {
			ks.SetVec(i, kf(x[i], xs))
		}
		w := mat.NewVecDense(n, nil)
		ch.SolveVecTo(w, ks)
		wantM := mat.Dot(ks, alpha)
		wantV := kf(xs, xs) - mat.Dot(ks, w)
		if math.Abs(pm1[k]-wantM) > 1e-9 || math.Abs(pv[k]-wantV) > 1e-9 {
			t.Errorf("Predict at %v: mean %v var %v, want %v %v", xs, pm1[k], pv[k], wantM, wantV)
		}
	}
}

// TestLatentPoissonMatchesHandWritten: a latent GP with a Poisson likelihood written with
// gp.Latent and by hand (f = L v with L the Cholesky factor of the hand-written covariance)
// sample to the same posterior of f and of the hyperparameters.
func TestLatentPoissonMatchesHandWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no sampling")
	}
	x := []float64{0, 0.8, 1.6, 2.4, 3.2, 4, 4.8, 5.6, 6.4, 7.2}
	counts := []float64{2, 4, 6, 9, 7, 5, 2, 1, 1, 3}
	build := func(useGP bool) *pm.Model {
		m := pm.NewModel()
		ls := m.Var("ls", dist.Gamma(4.0, 2.0))
		eta := m.Var("eta", dist.HalfNormal(1.0))
		var f *tensor.Tensor
		if useGP {
			g := &Latent{Cov: Scale(tensor.Square(eta), ExpQuad(1, ls))}
			f = g.Prior(m, "f", x)
		} else {
			// The same non-centred parameterization, with the covariance written by hand.
			k := tensor.Add(handK(x, ls, eta), tensor.Mul(defaultJitter, eye(len(x))))
			v := m.Var("v", dist.Normal(0.0, 1.0), pm.Shape(len(x)))
			f = m.Deterministic("f", tensor.Dot(tensor.Cholesky(k), v))
		}
		m.Observe("y", dist.Poisson(tensor.Exp(tensor.Add(f, 1.0))), counts)
		return m
	}
	opts := []pm.SampleOption{pm.Draws(800), pm.Tune(800), pm.Chains(2)}
	ta, err := build(true).Sample(append(opts, pm.Seed(3))...)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := build(false).Sample(append(opts, pm.Seed(4))...)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"ls", "eta", "f"} {
		for k := 0; k < ta.Var(v).Size(); k++ {
			ma, sa := meanMCSE(ta.Var(v), k)
			mb, sb := meanMCSE(tb.Var(v), k)
			if math.Abs(ma-mb) > 4.5*math.Hypot(sa, sb) {
				t.Errorf("%s[%d]: posterior mean %v ± %v with gp.Latent, %v ± %v hand-written", v, k, ma, sa, mb, sb)
			}
		}
	}
}
