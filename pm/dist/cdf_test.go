package dist

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// TestDistCDFGrad checks the gradients of the log-CDFs and log-CCDFs built on the incomplete
// gamma and beta functions, in the value and in every parameter, against finite differences.
func TestDistCDFGrad(t *testing.T) {
	cases := []struct {
		name  string
		build func(p []*tensor.Tensor) Dist
		pt    []any // value first, then the parameters
		disc  bool
	}{
		{"Gamma", func(p []*tensor.Tensor) Dist { return Gamma(p[0], p[1]) }, []any{[]float64{0.3, 1.7, 6}, 2.5, 1.3}, false},
		{"InverseGamma", func(p []*tensor.Tensor) Dist { return InverseGamma(p[0], p[1]) }, []any{[]float64{0.3, 1.7, 6}, 2.5, 1.3}, false},
		{"Beta", func(p []*tensor.Tensor) Dist { return Beta(p[0], p[1]) }, []any{[]float64{0.05, 0.4, 0.93}, 1.5, 3.2}, false},
		{"StudentT", func(p []*tensor.Tensor) Dist { return StudentT(p[0], p[1], p[2]) }, []any{[]float64{-4, 0.3, 2.2}, 3.5, 0.4, 1.5}, false},
		{"HalfStudentT", func(p []*tensor.Tensor) Dist { return HalfStudentT(p[0], p[1]) }, []any{[]float64{0.2, 1, 7}, 3.5, 1.5}, false},
		{"Wald", func(p []*tensor.Tensor) Dist { return Wald(p[0], p[1]) }, []any{[]float64{0.2, 1, 3}, 1.2, 2.5}, false},
		{"Binomial", func(p []*tensor.Tensor) Dist { return Binomial(12.0, p[0]) }, []any{[]float64{0, 3, 8}, 0.35}, true},
		{"BinomialLogit", func(p []*tensor.Tensor) Dist { return BinomialLogit(12.0, p[0]) }, []any{[]float64{0, 3, 8}, -0.4}, true},
		{"NegativeBinomial", func(p []*tensor.Tensor) Dist { return NegativeBinomial(p[0], p[1]) }, []any{[]float64{0, 3, 15}, 4.5, 2.2}, true},
		{"Poisson", func(p []*tensor.Tensor) Dist { return Poisson(p[0]) }, []any{[]float64{0, 3, 8}, 3.3}, true},
		{"Rice", func(p []*tensor.Tensor) Dist { return Rice(p[0], p[1]) }, []any{[]float64{0.3, 1.7, 4.5}, 1.4, 0.9}, false},
		{"Rice nu=0", func(p []*tensor.Tensor) Dist { return Rice(0.0, p[0]) }, []any{[]float64{0.3, 1.7, 4.5}, 1.3}, false},
		{"SkewNormal", func(p []*tensor.Tensor) Dist { return SkewNormal(p[0], p[1], p[2]) }, []any{[]float64{-2.5, 0.1, 1.7}, 0.3, 1.2, 2.5}, false},
		{"SkewNormal alpha<0", func(p []*tensor.Tensor) Dist { return SkewNormal(p[0], p[1], p[2]) }, []any{[]float64{-2.5, 0.1, 1.7}, 0.3, 1.2, -1.5}, false},
		{"BetaBinomial", func(p []*tensor.Tensor) Dist { return BetaBinomial(15.0, p[0], p[1]) }, []any{[]float64{0, 4, 11}, 2.5, 1.5}, true},
		{"ZeroInflatedPoisson", func(p []*tensor.Tensor) Dist { return ZeroInflatedPoisson(p[0], p[1]) }, []any{[]float64{0, 2, 6}, 0.7, 2.4}, true},
	}
	for _, c := range cases {
		for _, fn := range []string{"LogCDF", "LogCCDF"} {
			f := func(in []*tensor.Tensor) *tensor.Tensor {
				d := c.build(in[1:]).(CDFer)
				x := in[0]
				if c.disc {
					x = tensor.Const(c.pt[0])
				}
				if fn == "LogCDF" {
					return d.LogCDF(x)
				}
				return d.LogCCDF(x)
			}
			if err := tensor.VerifyGrad(f, c.pt, &tensor.VerifyOptions{RelTol: 1e-5, AbsTol: 1e-6}); err != nil {
				t.Errorf("%s %s: %v", c.name, fn, err)
			}
		}
	}
}

// simpson is ∫ exp(d.Logp) over [lo, hi] by Simpson's rule on 4000 intervals.
func simpson(t *testing.T, d Dist, lo, hi float64) float64 {
	t.Helper()
	const m = 4000
	h := (hi - lo) / m
	xs := make([]float64, m+1)
	for i := range xs {
		xs[i] = math.Min(lo+float64(i)*h, hi)
	}
	s := 0.0
	for i, v := range logpAt(t, d, xs) {
		w := 2.0
		switch {
		case i == 0 || i == m:
			w = 1
		case i%2 == 1:
			w = 4
		}
		s += w * math.Exp(v)
	}
	return s * h / 3
}

// TestDistTruncatedNewCDFs checks Truncated and Censored on the distributions whose CDFs use the
// incomplete gamma and beta functions: the truncated log-density integrates (sums) to 1, and
// draws by the inverse CDF pass a goodness-of-fit test against the truncated CDF (KS for the
// continuous ones, chi-squared for the discrete ones).
func TestDistTruncatedNewCDFs(t *testing.T) {
	rs := tensor.NewRandomStream(11)
	const n = 4000
	cont := []struct {
		name   string
		d      Dist
		lo, hi float64
	}{
		{"Gamma", Gamma(2.5, 1.3), 0.5, 4},
		{"Beta", Beta(2.0, 5.0), 0.1, 0.6},
		{"StudentT", StudentT(3.0, 1.0, 2.0), -1, 8},
		{"InverseGamma", InverseGamma(3.0, 2.0), 0.3, 2},
		{"HalfStudentT", HalfStudentT(3.0, 2.0), 1, 5},
	}
	for _, c := range cont {
		tr := Truncated(c.d, c.lo, c.hi)
		if err := tr.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		// ∫ p = 1 by Simpson's rule on a fine grid.
		if s := simpson(t, tr, c.lo, c.hi); math.Abs(s-1) > 1e-6 {
			t.Errorf("truncated %s integrates to %v", c.name, s)
		}
		draws := evalT(t, tr.Random(rs, []int{n})).Data
		for _, v := range draws {
			if v < c.lo || v > c.hi {
				t.Fatalf("truncated %s draw %v outside [%v, %v]", c.name, v, c.lo, c.hi)
			}
		}
		if ks := ksAgainst(t, tr.(CDFer), draws); ks > ksCritical(n) {
			t.Errorf("truncated %s draws: KS distance %v", c.name, ks)
		}
	}
	disc := []struct {
		name   string
		d      Dist
		lo, hi float64
	}{
		{"Poisson", Poisson(6.5), 3, 12},
		{"Poisson lower only", Poisson(0.8), 2, math.Inf(1)},
		{"Binomial", Binomial(20.0, 0.3), 2, 9},
		{"NegativeBinomial", NegativeBinomial(5.0, 1.5), 1, 15},
	}
	for _, c := range disc {
		var hi any = c.hi
		if math.IsInf(c.hi, 1) {
			hi = nil
		}
		tr := Truncated(c.d, c.lo, hi)
		if err := tr.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		top := c.hi
		if math.IsInf(top, 1) {
			top = c.lo + 60
		}
		ks := []float64{}
		for k := c.lo; k <= top; k++ {
			ks = append(ks, k)
		}
		lp := logpAt(t, tr, ks)
		total := 0.0
		for _, v := range lp {
			total += math.Exp(v)
		}
		if math.Abs(total-1) > 1e-9 {
			t.Errorf("truncated %s sums to %v", c.name, total)
		}
		draws := evalT(t, tr.Random(rs, []int{n})).Data
		for _, v := range draws {
			if v < c.lo || v > c.hi {
				t.Fatalf("truncated %s draw %v outside [%v, %v]", c.name, v, c.lo, c.hi)
			}
		}
		if chi, crit := chiSquaredCheck(draws, ks, lp); chi > crit {
			t.Errorf("truncated %s draws: chi-squared %v (critical %v)", c.name, chi, crit)
		}
	}
	// Censored gamma: the point masses at the bounds are F(lower) and 1 − F(upper).
	cg := Censored(Gamma(2.0, 1.0), 0.5, 3.0)
	lp := logpAt(t, cg, []float64{0.5, 3.0})
	want0 := math.Log(1 - math.Exp(-0.5)*(1+0.5))
	want1 := math.Log(math.Exp(-3.0) * (1 + 3.0))
	if !closeTo(lp[0], want0, 1e-12) || !closeTo(lp[1], want1, 1e-12) {
		t.Errorf("censored gamma masses %v, want %v %v", lp, want0, want1)
	}
}

// TestDistSpecialCDFs checks the log-CDFs through the Marcum Q function (Rice), Owen's T
// function (SkewNormal) and the beta-binomial sum beyond their values against R (rref_test.go):
// draws of the distribution pass a KS test against its CDF, the CDF and CCDF add to 1 in
// both tails, Truncated integrates (sums) to 1 and Censored puts F(lower) at lower.
func TestDistSpecialCDFs(t *testing.T) {
	rs := tensor.NewRandomStream(17)
	const n = 4000
	cont := []struct {
		name   string
		d      Dist
		lo, hi float64
	}{
		{"Rice", Rice(1.5, 0.8), 0.5, 2.5},
		{"Rice nu=0", Rice(0.0, 2.0), 1, 6},
		{"Rice high SNR", Rice(40.0, 1.5), 38, 43},
		{"SkewNormal", SkewNormal(0.3, 1.2, 3.0), -0.5, 2},
		{"SkewNormal alpha<0", SkewNormal(-1.0, 0.7, -8.0), -2, -0.9},
	}
	for _, c := range cont {
		x := evalT(t, c.d.Random(rs, []int{n})).Data
		if ks := ksAgainst(t, c.d.(CDFer), x); ks > ksCritical(n) {
			t.Errorf("%s draws: KS distance %v > %v", c.name, ks, ksCritical(n))
		}
		grid := []float64{c.lo - 3, c.lo, (c.lo + c.hi) / 2, c.hi, c.hi + 3}
		lc := evalT(t, c.d.(CDFer).LogCDF(tensor.Const(grid))).Data
		lcc := evalT(t, c.d.(CDFer).LogCCDF(tensor.Const(grid))).Data
		for i := range grid {
			if s := math.Exp(lc[i]) + math.Exp(lcc[i]); math.Abs(s-1) > 1e-13 {
				t.Errorf("%s at %v: CDF + CCDF = %v", c.name, grid[i], s)
			}
		}
		tr := Truncated(c.d, c.lo, c.hi)
		if s := simpson(t, tr, c.lo, c.hi); math.Abs(s-1) > 1e-6 {
			t.Errorf("truncated %s integrates to %v", c.name, s)
		}
		cens := logpAt(t, Censored(c.d, c.lo, c.hi), []float64{c.lo, c.hi})
		if !closeTo(cens[0], lc[1], 1e-12) || !closeTo(cens[1], lcc[3], 1e-12) {
			t.Errorf("censored %s masses %v, want %v %v", c.name, cens, lc[1], lcc[3])
		}
	}
	// Discrete: the CDF steps by the probabilities, and truncated probabilities sum to 1.
	for _, d := range []Dist{BetaBinomial(30.0, 2.5, 0.7), ZeroInflatedPoisson(0.6, 4.5)} {
		ks := make([]float64, 31)
		for i := range ks {
			ks[i] = float64(i)
		}
		lp := logpAt(t, d, ks)
		lc := evalT(t, d.(CDFer).LogCDF(tensor.Const(ks))).Data
		lcc := evalT(t, d.(CDFer).LogCCDF(tensor.Const(ks))).Data
		cum := 0.0
		for i := range ks {
			cum += math.Exp(lp[i])
			if !closeTo(math.Exp(lc[i]), cum, 1e-12) || !closeTo(math.Exp(lcc[i]), 1-cum, 1e-9) {
				t.Errorf("%s at %v: CDF %v CCDF %v, sum of probabilities %v", d.Name(), ks[i], math.Exp(lc[i]), math.Exp(lcc[i]), cum)
			}
		}
		tot := 0.0
		for _, v := range logpAt(t, Truncated(d, 3.0, 12.0), ks[3:13]) {
			tot += math.Exp(v)
		}
		if math.Abs(tot-1) > 1e-12 {
			t.Errorf("truncated %s sums to %v", d.Name(), tot)
		}
	}
}
