package step

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gopm-dev/gopm/pm/diag"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// randomLowRank returns a scale, k eigenvalues and k orthonormal directions (k×n row-major).
func randomLowRank(rng *rand.Rand, n, k int) (sd, vals, vecs []float64) {
	sd = make([]float64, n)
	for i := range sd {
		sd[i] = math.Exp(2 * (rng.Float64() - 0.5))
	}
	a := mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q mat.Dense
	qr.QTo(&q)
	vals = make([]float64, k)
	vecs = make([]float64, k*n)
	for j := 0; j < k; j++ {
		vals[j] = []float64{0.01, 0.3, 5, 80}[j%4]
		for i := 0; i < n; i++ {
			vecs[j*n+i] = q.At(i, j)
		}
	}
	return sd, vals, vecs
}

// denseLowRank builds M⁻¹ = S(I + U(Λ − I)Uᵀ)S as a dense gonum matrix, independently of
// metric's O(n·k) code.
func denseLowRank(sd, vals, vecs []float64) *mat.SymDense {
	n, k := len(sd), len(vals)
	u := mat.NewDense(n, k, nil)
	for j := 0; j < k; j++ {
		for i := 0; i < n; i++ {
			u.Set(i, j, vecs[j*n+i])
		}
	}
	lm := mat.NewDiagDense(k, nil)
	for j, l := range vals {
		lm.SetDiag(j, l-1)
	}
	var t, inner mat.Dense
	t.Mul(u, lm)
	inner.Mul(&t, u.T())
	s := mat.NewDiagDense(n, sd)
	for i := 0; i < n; i++ {
		inner.Set(i, i, inner.At(i, i)+1)
	}
	var a, b mat.Dense
	a.Mul(s, &inner)
	b.Mul(&a, s)
	out := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			out.SetSym(i, j, 0.5*(b.At(i, j)+b.At(j, i)))
		}
	}
	return out
}

func TestLowRankMetricMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, k = 12, 5
	sd, vals, vecs := randomLowRank(rng, n, k)
	m := newMetric(n, false)
	m.lowRankInit()
	m.setLowRank(sd, vals, vecs)
	inv := denseLowRank(sd, vals, vecs)

	// velocity is M⁻¹p and the kinetic energy p·M⁻¹p/2.
	p := make([]float64, n)
	for i := range p {
		p[i] = rng.NormFloat64()
	}
	v := make([]float64, n)
	kin := m.velocity(p, v)
	var want mat.VecDense
	want.MulVec(inv, mat.NewVecDense(n, p))
	for i := range v {
		if math.Abs(v[i]-want.AtVec(i)) > 1e-12*(1+math.Abs(want.AtVec(i))) {
			t.Errorf("M⁻¹p[%d] = %.15g, dense %.15g", i, v[i], want.AtVec(i))
		}
	}
	if wk := 0.5 * mat.Dot(mat.NewVecDense(n, p), &want); math.Abs(kin-wk) > 1e-12*math.Abs(wk) {
		t.Errorf("kinetic energy %.15g, dense %.15g", kin, wk)
	}
	// The diagonal reported for the trace is that of M⁻¹.
	for i, d := range m.fullDiag() {
		if math.Abs(d-inv.At(i, i)) > 1e-12*inv.At(i, i) {
			t.Errorf("diag M⁻¹[%d] = %.15g, dense %.15g", i, d, inv.At(i, i))
		}
	}

	// sampleP maps the standard normal u it draws linearly to p = Ru, and R Rᵀ must be M. The
	// same random source given to the unit metric yields u itself, so n draws give R.
	seed := uint64(9)
	unit := newMetric(n, false)
	r := mat.NewDense(n, n, nil)
	ucols := mat.NewDense(n, n, nil)
	for c := 0; c < n; c++ {
		u := make([]float64, n)
		unit.sampleP(rand.New(rand.NewPCG(seed, uint64(c))), u)
		pp := make([]float64, n)
		m.sampleP(rand.New(rand.NewPCG(seed, uint64(c))), pp)
		ucols.SetCol(c, u)
		r.SetCol(c, pp)
	}
	// r = R·ucols, so R = r·ucols⁻¹.
	var uinv, rr mat.Dense
	if err := uinv.Inverse(ucols); err != nil {
		t.Fatal(err)
	}
	rr.Mul(r, &uinv)
	var mm, id mat.Dense
	mm.Mul(&rr, rr.T()) // should be M
	id.Mul(&mm, inv)    // M·M⁻¹ = I
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w := 0.0
			if i == j {
				w = 1
			}
			if math.Abs(id.At(i, j)-w) > 1e-9 {
				t.Errorf("(R Rᵀ)·M⁻¹[%d,%d] = %.3g, want %v", i, j, id.At(i, j), w)
			}
		}
	}

	// k = 0 is the diagonal metric diag(sd²) and uses its fast path.
	m.setLowRank(sd, nil, nil)
	if m.k != 0 {
		t.Fatalf("k = %d", m.k)
	}
	m.velocity(p, v)
	for i := range v {
		if math.Abs(v[i]-sd[i]*sd[i]*p[i]) > 1e-14*math.Abs(v[i]) {
			t.Errorf("diag: v[%d] = %g, want %g", i, v[i], sd[i]*sd[i]*p[i])
		}
	}
}

// For a Gaussian whose covariance is a diagonal times (I + a low-rank term), the estimate
// from draws and gradients recovers the covariance: S and the kept directions rebuild it.
func TestLowRankEstimateRecoversGaussian(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n, N = 8, 60
	sd, vals, vecs := randomLowRank(rng, n, 2)
	vals[0], vals[1] = 30, 0.02
	sigma := denseLowRank(sd, vals, vecs)
	var ch mat.Cholesky
	if !ch.Factorize(sigma) {
		t.Fatal("not positive definite")
	}
	var l mat.TriDense
	ch.LTo(&l)
	var prec mat.SymDense
	if err := ch.InverseTo(&prec); err != nil {
		t.Fatal(err)
	}
	xs, gs := make([][]float64, N), make([][]float64, N)
	for t := range xs {
		z := make([]float64, n)
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		var x, g mat.VecDense
		x.MulVec(&l, mat.NewVecDense(n, z))
		g.MulVec(&prec, &x)
		g.ScaleVec(-1, &g)
		xs[t], gs[t] = x.RawVector().Data, g.RawVector().Data
	}
	esd, ev, evecs, ok := lowRankEstimate(xs, gs, lowRankSettings{cutoff: 1.0001, gamma: 1e-9}, nil)
	if !ok {
		t.Fatal("estimate failed")
	}
	if len(ev) == 0 {
		t.Fatal("no directions kept")
	}
	got := denseLowRank(esd, ev, evecs)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s := math.Sqrt(sigma.At(i, i) * sigma.At(j, j))
			if d := math.Abs(got.At(i, j)-sigma.At(i, j)) / s; d > 1e-5 {
				t.Errorf("Σ̂[%d,%d] = %.6g, Σ = %.6g", i, j, got.At(i, j), sigma.At(i, j))
			}
		}
	}
	// With the span cut to the leading direction of the draws and of the gradients, those are
	// the planted ones: λ = 30 and λ = 0.02 (up to the diagonal's share of them).
	_, ev1, _, _ := lowRankEstimate(xs, gs, lowRankSettings{cutoff: 2, gamma: 1e-9, maxSpan: 1}, nil)
	if len(ev1) != 2 || min(ev1[0], ev1[1]) > 0.1 || max(ev1[0], ev1[1]) < 10 {
		t.Errorf("span 1: eigenvalues %v, want one near 30 and one near 0.02", ev1)
	}
	// With the default cutoff only the directions far from 1 are kept: at most n.
	_, ev2, _, _ := lowRankEstimate(xs, gs, lowRankSettings{cutoff: 2, gamma: 1e-5}, nil)
	for _, l := range ev2 {
		if l <= 2 && l >= 0.5 {
			t.Errorf("kept eigenvalue %g inside [1/2, 2]", l)
		}
	}
}

// NUTS with the low-rank metric on a strongly correlated Gaussian: the sample covariance
// matches the known one within Monte Carlo error, and the correlation makes it sample with
// more effective draws per gradient than the diagonal metric.
func TestLowRankNUTSOnCorrelatedGaussian(t *testing.T) {
	const n = 30
	scale := make([]float64, n)
	for i := range scale {
		scale[i] = 0.5 + float64(i%4)
	}
	d := ar1Gaussian(n, 0.95, scale)
	eff := map[Adapt]float64{}
	for _, a := range []Adapt{AdaptDiag, AdaptLowRank} {
		res := runOK(t, Config{
			NewMethod: func(int) (Method, error) { return NewNUTS(d, NUTSOptions{Adapt: a}) },
			Init:      [][]float64{make([]float64, n), make([]float64, n)}, Tune: 1000, Draws: 1000, Chains: 2, Seed: 11,
		})
		e, ess := minESSPerGrad(res, n)
		eff[a] = e
		t.Logf("%v: min ess %.0f, ess/grad %.4f", a, ess, e)
		if a != AdaptLowRank {
			continue
		}
		// Each variance and lag-one covariance is the mean of a product series; it must be
		// within 5 Monte Carlo standard errors (from that series' own ESS) of Σ_ij = s_i s_j
		// 0.95^|i-j|.
		for i := 0; i < n; i++ {
			for _, j := range []int{i, i + 1} {
				if j == n {
					continue
				}
				want := scale[i] * scale[j]
				if j != i {
					want *= 0.95
				}
				ci, cj := res.Column(i), res.Column(j)
				prod := make([][]float64, len(ci))
				for c := range ci {
					prod[c] = make([]float64, len(ci[c]))
					for k := range ci[c] {
						prod[c][k] = ci[c][k] * cj[c][k]
					}
				}
				flat := flatten(prod)
				mean, sd := stat.MeanStdDev(flat, nil)
				se := sd / math.Sqrt(diag.ESSBulk(prod))
				if math.Abs(mean-want) > 5*se {
					t.Errorf("cov(x[%d], x[%d]) = %.4g ± %.2g, want %.4g", i, j, mean, se, want)
				}
			}
		}
	}
	if !(eff[AdaptLowRank] > 1.5*eff[AdaptDiag]) {
		t.Errorf("lowrank ess/grad %.4f not clearly above diag %.4f", eff[AdaptLowRank], eff[AdaptDiag])
	}
}

func flatten(c [][]float64) []float64 {
	var out []float64
	for _, x := range c {
		out = append(out, x...)
	}
	return out
}

// Above lowRankMaxDim coordinates the low-rank adaptation would keep 160 draws and gradients
// of each: it adapts Stan's diagonal instead, and below it keeps its own windows.
func TestLowRankFallsBackToDiagAboveMaxDim(t *testing.T) {
	opt := adaptOptions{adapt: AdaptLowRank, targetAccept: 0.8, initBuffer: 75, termBuffer: 50, baseWindow: 25}
	if a := newAdapter(lowRankMaxDim+1, opt, 1000); a.opt.adapt != AdaptDiag || a.lr != nil || a.sw == nil {
		t.Errorf("n = %d: adapt %v, low-rank windows %v", lowRankMaxDim+1, a.opt.adapt, a.lr != nil)
	}
	if a := newAdapter(lowRankMaxDim, opt, 1000); a.opt.adapt != AdaptLowRank || a.lr == nil {
		t.Errorf("n = %d: adapt %v", lowRankMaxDim, a.opt.adapt)
	}
}

// An estimate with a workspace reused across windows of growing and shrinking size (as the
// adaptation's windows are) gives exactly what an estimate with fresh matrices gives.
func TestLowRankEstimateWorkspaceReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	var ws lowRankWork
	for _, c := range []struct{ n, N int }{{503, 10}, {503, 20}, {503, 160}, {503, 90}, {90, 160}, {4, 20}, {503, 160}, {30, 12}} {
		xs, gs := make([][]float64, c.N), make([][]float64, c.N)
		for i := range xs {
			xs[i], gs[i] = make([]float64, c.n), make([]float64, c.n)
			// A Gaussian with covariance D(I + c²11ᵀ)D, D = diag(1 + j mod 7): x = D(z + c·w·1),
			// g = −Σ⁻¹x = −D⁻¹(y − c²(1ᵀy)/(1 + n c²)·1) with y = D⁻¹x.
			const c2 = 0.5
			w := rng.NormFloat64()
			sum := 0.0
			for j := range xs[i] {
				y := rng.NormFloat64() + math.Sqrt(c2)*w
				xs[i][j] = y * float64(1+j%7)
				sum += y
			}
			for j := range xs[i] {
				y := xs[i][j] / float64(1+j%7)
				gs[i][j] = -(y - c2*sum/(1+float64(c.n)*c2)) / float64(1+j%7)
			}
		}
		set := lowRankSettings{cutoff: 2, gamma: 1e-5, maxSpan: lowRankSpan}
		sd1, v1, u1, ok1 := lowRankEstimate(xs, gs, set, nil)
		sd2, v2, u2, ok2 := lowRankEstimate(xs, gs, set, &ws)
		if ok1 != ok2 || len(v1) != len(v2) || len(u1) != len(u2) || len(sd1) != len(sd2) {
			t.Fatalf("n=%d N=%d: fresh gives ok=%v k=%d, reused ok=%v k=%d", c.n, c.N, ok1, len(v1), ok2, len(v2))
		}
		if len(v1) == 0 && c.n > 4 {
			t.Errorf("n=%d N=%d: no directions kept; the case tests nothing", c.n, c.N)
		}
		for _, p := range [][2][]float64{{sd1, sd2}, {v1, v2}, {u1, u2}} {
			for i := range p[0] {
				if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
					t.Fatalf("n=%d N=%d: element %d: fresh %v, reused %v", c.n, c.N, i, p[0][i], p[1][i])
				}
			}
		}
	}
}

// Chains that borrow the low-rank warm-up's memory from earlier chains (WarmupBuffers) make
// the same draws, bit for bit, as chains that each allocate their own; chains run one after
// another allocate it once.
func TestWarmupBuffersSameDraws(t *testing.T) {
	const n = 20
	d := ar1Gaussian(n, 0.95, scale20())
	run := func(buf *WarmupBuffers, cores int) *Result {
		inits := make([][]float64, 4)
		for i := range inits {
			inits[i] = make([]float64, n)
		}
		return runOK(t, Config{
			NewMethod: func(int) (Method, error) {
				return NewNUTS(d, NUTSOptions{Adapt: AdaptLowRank, Buffers: buf})
			},
			Init: inits, Tune: 300, Draws: 200, Chains: 4, Cores: cores, Seed: 5,
		})
	}
	want := run(nil, 1)
	for _, cores := range []int{1, 2} {
		buf := &WarmupBuffers{}
		got := run(buf, cores)
		for c := range want.Chains {
			for i, x := range want.Chains[c].Draws {
				for j, v := range x {
					if w := got.Chains[c].Draws[i][j]; math.Float64bits(w) != math.Float64bits(v) {
						t.Fatalf("cores %d: chain %d draw %d [%d] = %v with lent buffers, %v without", cores, c, i, j, w, v)
					}
				}
			}
		}
		if cores == 1 && len(buf.free) != 1 {
			t.Errorf("4 chains one after another left %d stores, want 1", len(buf.free))
		}
		if len(buf.free) < 1 || len(buf.free) > cores {
			t.Errorf("cores %d: %d stores", cores, len(buf.free))
		}
	}
}
