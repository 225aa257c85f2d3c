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
		const m = 4000
		h := (c.hi - c.lo) / m
		xs := make([]float64, m+1)
		for i := range xs {
			xs[i] = c.lo + float64(i)*h
		}
		lp := logpAt(t, tr, xs)
		s := 0.0
		for i, v := range lp {
			w := 2.0
			switch {
			case i == 0 || i == m:
				w = 1
			case i%2 == 1:
				w = 4
			}
			s += w * math.Exp(v)
		}
		if s *= h / 3; math.Abs(s-1) > 1e-6 {
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
