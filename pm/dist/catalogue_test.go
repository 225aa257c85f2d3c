package dist

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// The tests of the distributions added for PyMC's catalogue beyond their values against R
// (rref_test.go): draws by goodness-of-fit tests, gradients against finite differences, and
// the zerosum transform.

// carW is a 4-cycle, the adjacency matrix of the CAR and ICAR tests.
var carW = [][]float64{{0, 1, 0, 1}, {1, 0, 1, 0}, {0, 1, 0, 1}, {1, 0, 1, 0}}

// ksAgainst is the KS distance between draws x and the CDF of c (evaluated in one graph).
func ksAgainst(t *testing.T, c CDFer, x []float64) float64 {
	t.Helper()
	lc := evalT(t, c.LogCDF(tensor.Const(x))).Data
	at := make(map[float64]float64, len(x))
	for i, v := range x {
		at[v] = math.Exp(lc[i])
	}
	return ksStat(x, func(v float64) float64 { return at[v] })
}

// ksCritical is the 0.1% critical value of the Kolmogorov-Smirnov distance for n draws.
func ksCritical(n int) float64 { return 1.95 / math.Sqrt(float64(n)) }

// chiSquaredCheck compares the counts of integer draws with the probabilities exp(lp[i]) of the
// values ks[i], pooling cells with expected count below 5; it returns the statistic and the
// 0.1% critical value (Wilson-Hilferty).
func chiSquaredCheck(draws, ks, lp []float64) (chi, crit float64) {
	n := float64(len(draws))
	counts := map[float64]float64{}
	for _, v := range draws {
		counts[v]++
	}
	// Cells with an expected count of at least 5; everything else (including values not listed)
	// is one pooled cell.
	df, restE, restO := -1, n, n
	for i, k := range ks {
		if e := n * math.Exp(lp[i]); e >= 5 {
			chi += (counts[k] - e) * (counts[k] - e) / e
			df++
			restE -= e
			restO -= counts[k]
		}
	}
	if restE > 0.5 {
		chi += (restO - restE) * (restO - restE) / math.Max(restE, 1)
		df++
	}
	f := float64(df)
	return chi, f * math.Pow(1-2/(9*f)+3.09*math.Sqrt(2/(9*f)), 3)
}

func TestDistCatalogueRandom(t *testing.T) {
	rs := tensor.NewRandomStream(21)
	const n = 4000
	cont := []struct {
		name string
		d    Dist
	}{
		{"AsymmetricLaplace", AsymmetricLaplace(1.5, 0.6, 0.3)},
		{"ExGaussian", ExGaussian(1.0, 0.7, 2.0)},
		{"Gumbel", Gumbel(-1.0, 2.0)},
		{"Kumaraswamy", Kumaraswamy(2.0, 3.5)},
		{"LogitNormal", LogitNormal(0.4, 1.2)},
		{"Moyal", Moyal(0.5, 1.5)},
		{"Truncated Gumbel", Truncated(Gumbel(-1.0, 2.0), -2.0, nil)},
	}
	for _, c := range cont {
		if err := c.d.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		x := evalT(t, c.d.Random(rs, []int{n})).Data
		if ks := ksAgainst(t, c.d.(CDFer), x); ks > ksCritical(n) {
			t.Errorf("%s draws: KS distance %v > %v", c.name, ks, ksCritical(n))
		}
	}
	// Rice: E[X²] = 2σ² + ν² and E[X⁴] = 8σ⁴ + 8σ²ν² + ν⁴.
	nu, sg := 2.0, 0.8
	x := evalT(t, Rice(nu, sg).Random(rs, []int{n})).Data
	var m2, m4 []float64
	for _, v := range x {
		m2 = append(m2, v*v)
		m4 = append(m4, v*v*v*v)
	}
	for _, c := range []struct {
		s    []float64
		want float64
	}{{m2, 2*sg*sg + nu*nu}, {m4, 8*math.Pow(sg, 4) + 8*sg*sg*nu*nu + math.Pow(nu, 4)}} {
		m, v := stat.MeanVariance(c.s, nil)
		if math.Abs(m-c.want) > 5*math.Sqrt(v/n) {
			t.Errorf("Rice moment %v, want %v", m, c.want)
		}
	}

	disc := []struct {
		name string
		d    Dist
		max  float64
	}{
		{"DiscreteWeibull", DiscreteWeibull(0.7, 1.3), 60},
		{"HyperGeometric", HyperGeometric(40.0, 15.0, 12.0), 12},
		{"ZeroInflatedBinomial", ZeroInflatedBinomial(0.7, 12.0, 0.4), 12},
		{"ZeroInflatedNegativeBinomial", ZeroInflatedNegativeBinomial(0.6, 3.0, 2.0), 80},
		{"HurdlePoisson", HurdlePoisson(0.7, 1.8), 30},
		{"HurdleNegativeBinomial", HurdleNegativeBinomial(0.7, 2.5, 1.2), 100},
		{"OrderedLogistic", OrderedLogistic(0.4, []float64{-1, 0.3, 1.5}), 3},
		{"OrderedProbit", OrderedProbit(-0.2, []float64{-1, 0.3, 1.5}, 0.8), 3},
	}
	for _, c := range disc {
		if err := c.d.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		draws := evalT(t, c.d.Random(rs, []int{n})).Data
		var ks []float64
		for k := 0.0; k <= c.max; k++ {
			ks = append(ks, k)
		}
		lp := logpAt(t, c.d, ks)
		sum := 0.0
		for _, v := range lp {
			sum += math.Exp(v)
		}
		if math.Abs(sum-1) > 1e-6 {
			t.Errorf("%s: probabilities on 0..%v sum to %v", c.name, c.max, sum)
		}
		if chi, crit := chiSquaredCheck(draws, ks, lp); chi > crit {
			t.Errorf("%s draws: chi-squared %v > %v", c.name, chi, crit)
		}
	}
	// HurdleGamma and HurdleLogNormal: zeros with probability 1-ψ, the rest from the base.
	for _, h := range []struct {
		d, base Dist
	}{{HurdleGamma(0.6, 2.0, 1.5), Gamma(2.0, 1.5)}, {HurdleLogNormal(0.6, 0.3, 0.8), LogNormal(0.3, 0.8)}} {
		hg := evalT(t, h.d.Random(rs, []int{n})).Data
		var pos []float64
		for _, v := range hg {
			if v > 0 {
				pos = append(pos, v)
			}
		}
		if f := 1 - float64(len(pos))/n; math.Abs(f-0.4) > 5*math.Sqrt(0.24/n) {
			t.Errorf("%s: fraction of zeros %v, want 0.4", h.d.Name(), f)
		}
		if ks := ksAgainst(t, h.base.(CDFer), pos); ks > ksCritical(len(pos)) {
			t.Errorf("%s positive draws: KS distance %v", h.d.Name(), ks)
		}
	}
}

// TestDistCatalogueMvRandom checks the multivariate draws by their moments.
func TestDistCatalogueMvRandom(t *testing.T) {
	rs := tensor.NewRandomStream(5)
	const n = 4000
	// StickBreakingWeights: E[w_k] = (1/(1+α)) (α/(1+α))^k, the last (α/(1+α))^K.
	a := 1.5
	w := evalT(t, StickBreakingWeights(a, 3).Random(rs, []int{n, 4}))
	for k := 0; k < 4; k++ {
		col := make([]float64, n)
		for i := range col {
			col[i] = w.Data[i*4+k]
		}
		want := math.Pow(a/(1+a), float64(k)) / (1 + a)
		if k == 3 {
			want = math.Pow(a/(1+a), 3)
		}
		m, v := stat.MeanVariance(col, nil)
		if math.Abs(m-want) > 5*math.Sqrt(v/n) {
			t.Errorf("StickBreakingWeights: E[w_%d] = %v, want %v", k, m, want)
		}
	}
	// ZeroSumNormal: rows sum to 0; each coordinate has variance σ²(n-1)/n.
	z := evalT(t, ZeroSumNormal(2.0, 5).Random(rs, []int{n, 5}))
	col := make([]float64, n)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < 5; j++ {
			s += z.Data[i*5+j]
		}
		if math.Abs(s) > 1e-12 {
			t.Fatalf("ZeroSumNormal draw %d sums to %v", i, s)
		}
		col[i] = z.Data[i*5]
	}
	if _, v := stat.MeanVariance(col, nil); math.Abs(v-4*0.8) > 0.15*3.2 {
		t.Errorf("ZeroSumNormal: variance %v, want 3.2", v)
	}
	// MvStudentT: covariance νΣ/(ν-2).
	cov := [][]float64{{2, 0.5}, {0.5, 1}}
	mt := evalT(t, MvStudentT(8.0, []float64{1, -1}, cov).Random(rs, []int{n, 2}))
	x0, x1 := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		x0[i], x1[i] = mt.Data[2*i], mt.Data[2*i+1]
	}
	if c := stat.Covariance(x0, x1, nil); math.Abs(c-0.5*8/6) > 0.15 {
		t.Errorf("MvStudentT: covariance %v, want %v", c, 0.5*8/6.0)
	}
	if m := stat.Mean(x0, nil); math.Abs(m-1) > 5*math.Sqrt(2*8/6.0/n) {
		t.Errorf("MvStudentT: mean %v, want 1", m)
	}
	// DirichletMultinomial: E[x] = n a/Σa, every draw sums to n.
	dm := evalT(t, DirichletMultinomial(10.0, []float64{1, 2, 3}).Random(rs, []int{n, 3}))
	var first []float64
	for i := 0; i < n; i++ {
		s := dm.Data[3*i] + dm.Data[3*i+1] + dm.Data[3*i+2]
		if s != 10 {
			t.Fatalf("DirichletMultinomial draw sums to %v", s)
		}
		first = append(first, dm.Data[3*i])
	}
	if m, v := stat.MeanVariance(first, nil); math.Abs(m-10.0/6) > 5*math.Sqrt(v/n) {
		t.Errorf("DirichletMultinomial: E[x_0] = %v, want %v", m, 10.0/6)
	}
	// CAR, MatrixNormal and KroneckerNormal: sample covariance against the model's.
	checkCov := func(name string, d Dist, k int, want func(i, j int) float64) {
		var rows [][]float64
		for r := 0; r < 1500; r++ {
			rows = append(rows, evalT(t, d.Random(rs, nil)).Data)
		}
		for i := 0; i < k; i++ {
			for j := 0; j <= i; j++ {
				a, b := make([]float64, len(rows)), make([]float64, len(rows))
				for r := range rows {
					a[r], b[r] = rows[r][i], rows[r][j]
				}
				got, w := stat.Covariance(a, b, nil), want(i, j)
				se := math.Sqrt((want(i, i)*want(j, j) + w*w) / float64(len(rows)))
				if math.Abs(got-w) > 5*se {
					t.Errorf("%s: cov[%d, %d] = %v, want %v (se %v)", name, i, j, got, w, se)
				}
			}
		}
	}
	u2 := [][]float64{{1, 0.3}, {0.3, 2}}
	v2 := [][]float64{{1.5, -0.4}, {-0.4, 0.8}}
	// vec(X) column-major has covariance V ⊗ U; X row-major element (r, c) is vec index c*2+r.
	checkCov("MatrixNormal", MatrixNormal([][]float64{{0, 0}, {0, 0}}, u2, v2), 4, func(i, j int) float64 {
		ri, ci, rj, cj := i/2, i%2, j/2, j%2
		return v2[ci][cj] * u2[ri][rj]
	})
	checkCov("KroneckerNormal", KroneckerNormal([]float64{0, 0, 0, 0}, u2, v2), 4, func(i, j int) float64 {
		return u2[i/2][j/2] * v2[i%2][j%2]
	})
}

// TestDistCatalogueGrad checks log-density and log-CDF gradients in the parameters against
// finite differences.
func TestDistCatalogueGrad(t *testing.T) {
	x := []float64{-1.3, 0.2, 2.5}
	u01 := []float64{0.1, 0.45, 0.85}
	cases := []struct {
		name  string
		build func(p []*tensor.Tensor) Dist
		pt    []any
	}{
		{"AsymmetricLaplace", func(p []*tensor.Tensor) Dist { return AsymmetricLaplace(p[0], p[1], p[2]) }, []any{1.5, 0.7, 0.4}},
		{"ExGaussian", func(p []*tensor.Tensor) Dist { return ExGaussian(p[0], p[1], p[2]) }, []any{0.2, 0.9, 1.4}},
		{"Gumbel", func(p []*tensor.Tensor) Dist { return Gumbel(p[0], p[1]) }, []any{0.2, 1.4}},
		{"Kumaraswamy", func(p []*tensor.Tensor) Dist { return Kumaraswamy(p[0], p[1]) }, []any{1.7, 2.4}},
		{"LogitNormal", func(p []*tensor.Tensor) Dist { return LogitNormal(p[0], p[1]) }, []any{0.3, 0.8}},
		{"Moyal", func(p []*tensor.Tensor) Dist { return Moyal(p[0], p[1]) }, []any{0.3, 1.8}},
	}
	for _, c := range cases {
		xs := x
		if c.name == "Kumaraswamy" || c.name == "LogitNormal" {
			xs = u01
		}
		for _, fn := range []string{"logp", "logcdf", "logccdf"} {
			f := func(in []*tensor.Tensor) *tensor.Tensor {
				d := c.build(in)
				switch fn {
				case "logcdf":
					return d.(CDFer).LogCDF(tensor.Const(xs))
				case "logccdf":
					return d.(CDFer).LogCCDF(tensor.Const(xs))
				}
				return d.Logp(tensor.Const(xs))
			}
			if err := tensor.VerifyGrad(f, c.pt, &tensor.VerifyOptions{RelTol: 1e-5}); err != nil {
				t.Errorf("%s %s: %v", c.name, fn, err)
			}
		}
	}
	// Rice (through log I₀), the discrete ones and the multivariate ones, in their parameters.
	more := []struct {
		name string
		f    func(in []*tensor.Tensor) *tensor.Tensor
		pt   []any
	}{
		{"Rice", func(in []*tensor.Tensor) *tensor.Tensor {
			return Rice(in[0], in[1]).Logp(tensor.Const([]float64{0.3, 1.5, 4}))
		}, []any{1.2, 0.9}},
		{"DiscreteWeibull", func(in []*tensor.Tensor) *tensor.Tensor {
			return DiscreteWeibull(in[0], in[1]).Logp(tensor.Const([]float64{0, 2, 5}))
		}, []any{0.6, 1.3}},
		{"ZeroInflatedNegativeBinomial", func(in []*tensor.Tensor) *tensor.Tensor {
			return ZeroInflatedNegativeBinomial(in[0], in[1], in[2]).Logp(tensor.Const([]float64{0, 2, 5}))
		}, []any{0.6, 2.3, 1.7}},
		{"HurdleNegativeBinomial", func(in []*tensor.Tensor) *tensor.Tensor {
			return HurdleNegativeBinomial(in[0], in[1], in[2]).Logp(tensor.Const([]float64{0, 2, 5}))
		}, []any{0.6, 2.3, 1.7}},
		{"OrderedLogistic", func(in []*tensor.Tensor) *tensor.Tensor {
			return OrderedLogistic(in[0], in[1]).Logp(tensor.Const([]float64{0, 1, 2, 3}))
		}, []any{0.4, []float64{-1, 0.2, 1.3}}},
		{"OrderedProbit", func(in []*tensor.Tensor) *tensor.Tensor {
			return OrderedProbit(in[0], in[1], in[2]).Logp(tensor.Const([]float64{0, 1, 2, 3}))
		}, []any{0.4, []float64{-1, 0.2, 1.3}, 1.1}},
		{"MvStudentT", func(in []*tensor.Tensor) *tensor.Tensor {
			return MvStudentT(in[0], in[1], [][]float64{{2, 0.5}, {0.5, 1}}).Logp(tensor.Const([]float64{0.3, -0.7}))
		}, []any{4.5, []float64{0.1, 0.2}}},
		{"CAR", func(in []*tensor.Tensor) *tensor.Tensor {
			return CAR(0.0, carW, in[0], in[1]).Logp(tensor.Const([]float64{0.3, -0.5, 1.2, 0.1}))
		}, []any{0.4, 1.7}},
		{"StickBreakingWeights", func(in []*tensor.Tensor) *tensor.Tensor {
			return StickBreakingWeights(in[0], 3).Logp(tensor.Const([]float64{0.4, 0.3, 0.2, 0.1}))
		}, []any{1.8}},
	}
	for _, c := range more {
		if err := tensor.VerifyGrad(c.f, c.pt, &tensor.VerifyOptions{RelTol: 1e-5}); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestDistZeroSumTransform checks that the zerosum transform maps n-1 free values onto vectors
// summing to zero, isometrically (so its log-Jacobian is 0), and that Forward inverts Backward.
func TestDistZeroSumTransform(t *testing.T) {
	tr := ZeroSumTransform()
	y := []float64{0.3, -1.2, 2.5, 0.7}
	x := evalT(t, tr.Backward(tensor.Const(y))).Data
	s, nx, ny := 0.0, 0.0, 0.0
	for _, v := range x {
		s += v
		nx += v * v
	}
	for _, v := range y {
		ny += v * v
	}
	if len(x) != 5 || math.Abs(s) > 1e-12 || math.Abs(nx-ny) > 1e-12 {
		t.Errorf("zerosum backward %v: sum %v, |x|² %v, |y|² %v", x, s, nx, ny)
	}
	back := evalT(t, tr.Forward(tensor.Const(x))).Data
	for i := range y {
		if math.Abs(back[i]-y[i]) > 1e-12 {
			t.Errorf("zerosum forward(backward(y)) = %v, want %v", back, y)
			break
		}
	}
	if s := tr.UnconstrainedShape([]int{3, 5}); !sameInts(s, []int{3, 4}) {
		t.Errorf("zerosum unconstrained shape %v", s)
	}
}

// TestDistPolyaGamma checks the series density (it integrates to 1 and has the mean
// h tanh(z/2)/(2z)) and the draws' mean and variance, h(sinh z - z)/(4z³ cosh²(z/2)) (Polson,
// Scott and Windle 2013, section 3).
func TestDistPolyaGamma(t *testing.T) {
	rs := tensor.NewRandomStream(8)
	for _, c := range [][2]float64{{1, 0}, {2, 1.5}, {1, 4}} {
		h, z := c[0], c[1]
		mean := h / 4
		vr := h / 24
		if z != 0 {
			mean = h * math.Tanh(z/2) / (2 * z)
			ch := math.Cosh(z / 2)
			vr = h * (math.Sinh(z) - z) / (4 * z * z * z * ch * ch)
		}
		d := PolyaGamma(h, z)
		const m = 20000
		hstep := 12.0 / m
		xs := make([]float64, m)
		for i := range xs {
			xs[i] = float64(i+1) * hstep
		}
		lp := logpAt(t, d, xs)
		var s0, s1 float64
		for i, v := range lp {
			w := 2.0
			if i%2 == 0 {
				w = 4
			}
			if i == m-1 {
				w = 1
			}
			s0 += w * math.Exp(v)
			s1 += w * xs[i] * math.Exp(v)
		}
		s0 *= hstep / 3
		s1 *= hstep / 3
		if math.Abs(s0-1) > 1e-6 || math.Abs(s1-mean) > 1e-6 {
			t.Errorf("PG(%v, %v): density integrates to %v with mean %v, want 1 and %v", h, z, s0, s1, mean)
		}
		x := evalT(t, d.Random(rs, []int{8000})).Data
		em, ev := stat.MeanVariance(x, nil)
		if math.Abs(em-mean) > 5*math.Sqrt(vr/8000) || math.Abs(ev-vr) > 0.1*vr {
			t.Errorf("PG(%v, %v) draws: mean %v variance %v, want %v and %v", h, z, em, ev, mean, vr)
		}
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		return PolyaGamma(1.0, in[0]).Logp(tensor.Const([]float64{0.1, 0.3, 0.8}))
	}, []any{1.3}, nil); err != nil {
		t.Errorf("PolyaGamma gradient in z: %v", err)
	}
}

// TestDistInterpolatedRandom checks Interpolated draws by a KS test and the density's gradient.
func TestDistInterpolatedRandom(t *testing.T) {
	d := Interpolated([]float64{-1, 0, 0.5, 2, 3}, []float64{0, 1, 0.4, 0.8, 0.1})
	x := evalT(t, d.Random(tensor.NewRandomStream(4), []int{4000})).Data
	if ks := ksAgainst(t, d.(CDFer), x); ks > ksCritical(4000) {
		t.Errorf("Interpolated draws: KS distance %v", ks)
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor { return d.Logp(in[0]) },
		[]any{[]float64{-0.5, 0.3, 1.2, 2.4}}, nil); err != nil {
		t.Errorf("Interpolated gradient: %v", err)
	}
	if err := Interpolated([]float64{0, 1, 1}, []float64{1, 1, 1}).Err(); err == nil {
		t.Error("Interpolated with repeated points: no error")
	}
}
