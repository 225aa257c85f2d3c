package dist

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// The quantile functions of Rice, SkewNormal, BetaBinomial and ZeroInflatedPoisson: round trips
// through the log-CDFs (checked against R in rref_test.go) down to u = 1e-12 and up to
// 1 − 1e-12, and Truncated draws by goodness-of-fit tests. Their values at moderate u are
// compared with R's in testdata/rref.txt.

var extremeU = []float64{1e-12, 1e-6, 0.01, 0.3, 0.5, 0.8, 1 - 1e-6, 1 - 1e-12}

// TestDistICDFRoundTripContinuous checks log F(F⁻¹(u)) = log u below ½ and
// log(1 − F(F⁻¹(u))) = log(1 − u) above it, relatively to 1e-9.
func TestDistICDFRoundTripContinuous(t *testing.T) {
	for _, c := range []struct {
		name string
		d    Dist
	}{
		{"Rice(0, 1)", Rice(0.0, 1.0)},
		{"Rice(2, 0.5)", Rice(2.0, 0.5)},
		{"Rice(30, 2)", Rice(30.0, 2.0)},
		{"Rice(0.3, 2)", Rice(0.3, 2.0)},
		{"SkewNormal(0, 1, 0)", SkewNormal(0.0, 1.0, 0.0)},
		{"SkewNormal(1, 2, -4)", SkewNormal(1.0, 2.0, -4.0)},
		{"SkewNormal(-1, 0.5, 20)", SkewNormal(-1.0, 0.5, 20.0)},
		{"SkewNormal(0, 1, 0.5)", SkewNormal(0.0, 1.0, 0.5)},
	} {
		if err := c.d.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		x := evalT(t, c.d.(ICDFer).ICDF(tensor.Const(extremeU))).Data
		cd := c.d.(CDFer)
		lf := evalT(t, cd.LogCDF(tensor.Const(x))).Data
		ls := evalT(t, cd.LogCCDF(tensor.Const(x))).Data
		for i, u := range extremeU {
			got, want := lf[i], math.Log(u)
			if u > 0.5 {
				got, want = ls[i], math.Log1p(-u)
			}
			if !(math.Abs(got-want) <= 1e-9*math.Abs(want)+1e-13) {
				t.Errorf("%s: quantile(%v) = %v, whose tail log-probability is %.15g, want %.15g", c.name, u, x[i], got, want)
			}
		}
		for i := 1; i < len(x); i++ {
			if !(x[i] > x[i-1]) {
				t.Errorf("%s: quantiles not increasing: %v", c.name, x)
			}
		}
	}
}

// TestDistICDFRoundTripDiscrete checks that F⁻¹(u) is the smallest k with F(k) >= u: F(k) >= u
// and F(k−1) < u, compared in the tail below ½ (P(X > k) <= 1 − u < P(X > k−1) above it).
func TestDistICDFRoundTripDiscrete(t *testing.T) {
	for _, c := range []struct {
		name string
		d    Dist
	}{
		{"BetaBinomial(10, 2, 3)", BetaBinomial(10.0, 2.0, 3.0)},
		{"BetaBinomial(200, 30, 5)", BetaBinomial(200.0, 30.0, 5.0)},
		{"BetaBinomial(40, 0.5, 0.8)", BetaBinomial(40.0, 0.5, 0.8)},
		{"ZeroInflatedPoisson(0.6, 3.5)", ZeroInflatedPoisson(0.6, 3.5)},
		{"ZeroInflatedPoisson(0.15, 0.4)", ZeroInflatedPoisson(0.15, 0.4)},
		{"ZeroInflatedPoisson(0.9, 40)", ZeroInflatedPoisson(0.9, 40.0)},
	} {
		if err := c.d.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		k := evalT(t, c.d.(ICDFer).ICDF(tensor.Const(extremeU))).Data
		km1 := make([]float64, len(k))
		for i := range k {
			km1[i] = k[i] - 1
		}
		cd := c.d.(CDFer)
		at := func(f func(*tensor.Tensor) *tensor.Tensor, v []float64) []float64 {
			return evalT(t, f(tensor.Cast(tensor.Const(v), tensor.Int64))).Data
		}
		lf, lf1 := at(cd.LogCDF, k), at(cd.LogCDF, km1)
		ls, ls1 := at(cd.LogCCDF, k), at(cd.LogCCDF, km1)
		for i, u := range extremeU {
			ok := lf[i] >= math.Log(u) && lf1[i] < math.Log(u)
			if u > 0.5 {
				ok = ls[i] <= math.Log1p(-u) && ls1[i] > math.Log1p(-u)
			}
			if !ok || k[i] != math.Floor(k[i]) {
				t.Errorf("%s: quantile(%v) = %v: log F(k) = %v, log F(k-1) = %v, log S(k) = %v, log S(k-1) = %v",
					c.name, u, k[i], lf[i], lf1[i], ls[i], ls1[i])
			}
		}
	}
}

// TestDistTruncatedICDFDraws draws from Truncated versions of the four distributions (by their
// quantile functions) and compares the draws with the truncated CDF (Kolmogorov-Smirnov) or the
// truncated probabilities (chi-squared), at the 0.1% level.
func TestDistTruncatedICDFDraws(t *testing.T) {
	rs := tensor.NewRandomStream(16)
	const n = 4000
	for _, c := range []struct {
		name string
		d    Dist
	}{
		{"Rice both", Truncated(Rice(2.0, 0.5), 1.5, 2.8)},
		{"Rice upper tail", Truncated(Rice(2.0, 0.5), 3.5, nil)},
		{"Rice lower tail", Truncated(Rice(0.0, 1.0), nil, 0.01)},
		{"SkewNormal upper bound", Truncated(SkewNormal(1.0, 2.0, -4.0), nil, 0.0)},
		{"SkewNormal lower tail", Truncated(SkewNormal(-1.0, 0.5, 6.0), nil, -1.1)},
		{"SkewNormal both", Truncated(SkewNormal(0.0, 1.0, 3.0), -0.5, 2.5)},
	} {
		if err := c.d.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		x := evalT(t, c.d.Random(rs, []int{n})).Data
		if ks := ksAgainst(t, c.d.(CDFer), x); ks > ksCritical(n) {
			t.Errorf("%s draws: KS distance %v > %v", c.name, ks, ksCritical(n))
		}
	}
	for _, c := range []struct {
		name   string
		d      Dist
		lo, hi float64
	}{
		{"BetaBinomial both", Truncated(BetaBinomial(40.0, 0.5, 0.8), 3.0, 30.0), 3, 30},
		{"BetaBinomial lower", Truncated(BetaBinomial(200.0, 30.0, 5.0), 180.0, nil), 180, 200},
		{"ZeroInflatedPoisson both", Truncated(ZeroInflatedPoisson(0.6, 3.5), 1.0, 9.0), 1, 9},
		{"ZeroInflatedPoisson upper", Truncated(ZeroInflatedPoisson(0.15, 0.4), nil, 1.0), 0, 1},
	} {
		if err := c.d.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		draws := evalT(t, c.d.Random(rs, []int{n})).Data
		var ks []float64
		for k := c.lo; k <= c.hi; k++ {
			ks = append(ks, k)
		}
		lp := evalT(t, c.d.Logp(tensor.Cast(tensor.Const(ks), tensor.Int64))).Data
		for _, v := range draws {
			if v < c.lo || v > c.hi {
				t.Fatalf("%s: draw %v outside [%v, %v]", c.name, v, c.lo, c.hi)
			}
		}
		if chi, crit := chiSquaredCheck(draws, ks, lp); chi > crit {
			t.Errorf("%s draws: chi-squared %v > %v", c.name, chi, crit)
		}
	}
}

// TestDistFlatMixtureCDF checks PyMC's conventional log-CDFs of Flat and HalfFlat, that
// Truncated refuses them and Censored uses them, and that a truncated mixture integrates to 1
// while a mixture with a component without a CDF has none.
func TestDistFlatMixtureCDF(t *testing.T) {
	x := []float64{math.Inf(-1), -3, 0, 5, math.Inf(1)}
	l2 := math.Log(0.5)
	for _, c := range []struct {
		d         Dist
		cdf, ccdf []float64
	}{
		{Flat(), []float64{math.Inf(-1), l2, l2, l2, 0}, []float64{0, l2, l2, l2, math.Inf(-1)}},
		{HalfFlat(), []float64{math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1), 0}, []float64{0, 0, 0, 0, math.Inf(-1)}},
	} {
		cd := c.d.(CDFer)
		got := evalT(t, cd.LogCDF(tensor.Const(x))).Data
		gotc := evalT(t, cd.LogCCDF(tensor.Const(x))).Data
		for i := range x {
			if !closeTo(got[i], c.cdf[i], 1e-15) || !closeTo(gotc[i], c.ccdf[i], 1e-15) {
				t.Errorf("%s at %v: log-CDF %v, log-CCDF %v; want %v, %v", c.d.Name(), x[i], got[i], gotc[i], c.cdf[i], c.ccdf[i])
			}
		}
		if Truncated(c.d, 0.0, 1.0).Err() == nil {
			t.Errorf("Truncated(%s) accepted an improper distribution", c.d.Name())
		}
	}
	if lp := logpAt(t, Censored(Flat(), -1.0, 2.0), []float64{-1, 0, 2}); !closeTo(lp[0], l2, 1e-15) || lp[1] != 0 || !closeTo(lp[2], l2, 1e-15) {
		t.Errorf("Censored(Flat, -1, 2) log p at -1, 0, 2 = %v, want log ½, 0, log ½", lp)
	}

	// A truncated normal mixture: its density sums to 1 over [-1, 2] (midpoint rule, 20000
	// cells) and its CDF at the upper bound is 1.
	tr := Truncated(NormalMixture([]float64{0.3, 0.7}, []float64{-2, 1.5}, []float64{0.6, 1.2}), -1.0, 2.0)
	const m = 20000
	grid := make([]float64, m)
	for i := range grid {
		grid[i] = -1 + 3*(float64(i)+0.5)/m
	}
	sum := 0.0
	for _, v := range logpAt(t, tr, grid) {
		sum += math.Exp(v) * 3 / m
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Errorf("truncated NormalMixture integrates to %v", sum)
	}
	if got := evalT(t, tr.(CDFer).LogCDF(tensor.Const(2.0))).Data[0]; math.Abs(got) > 1e-12 {
		t.Errorf("truncated NormalMixture log F(upper) = %v, want 0", got)
	}
	if _, ok := Mixture([]float64{0.5, 0.5}, Normal(0.0, 1.0), VonMises(0.0, 1.0)).(CDFer); ok {
		t.Errorf("a mixture with a VonMises component has a CDF")
	}
}

// TestDistICDFMixtureGrad checks the derivative of the new quantile functions in u (1/density
// at the quantile) and the gradients of the mixture log-CDFs in the value and the component
// parameters, against finite differences.
func TestDistICDFMixtureGrad(t *testing.T) {
	u := []any{[]float64{0.003, 0.4, 0.97}}
	for _, c := range []struct {
		name string
		d    Dist
	}{
		{"Rice", Rice(1.4, 0.9)},
		{"SkewNormal", SkewNormal(0.3, 1.2, -2.5)},
	} {
		f := func(in []*tensor.Tensor) *tensor.Tensor { return c.d.(ICDFer).ICDF(in[0]) }
		if err := tensor.VerifyGrad(f, u, &tensor.VerifyOptions{RelTol: 1e-5, AbsTol: 1e-6}); err != nil {
			t.Errorf("%s ICDF: %v", c.name, err)
		}
	}
	pt := []any{[]float64{-2.5, 0.1, 1.7}, []float64{-1, 1.5}, []float64{0.6, 1.2}}
	pg := []any{[]float64{0.4, 1.7, 3}, 0.8, 2.0}
	for _, fn := range []string{"LogCDF", "LogCCDF"} {
		tail := func(d CDFer, x *tensor.Tensor) *tensor.Tensor {
			if fn == "LogCDF" {
				return d.LogCDF(x)
			}
			return d.LogCCDF(x)
		}
		nm := func(in []*tensor.Tensor) *tensor.Tensor {
			return tail(NormalMixture([]float64{0.3, 0.7}, in[1], in[2]).(CDFer), in[0])
		}
		if err := tensor.VerifyGrad(nm, pt, &tensor.VerifyOptions{RelTol: 1e-5, AbsTol: 1e-6}); err != nil {
			t.Errorf("NormalMixture %s: %v", fn, err)
		}
		mg := func(in []*tensor.Tensor) *tensor.Tensor {
			return tail(Mixture([]float64{0.3, 0.7}, Normal(in[1], 1.0), Gamma(in[2], 1.5)).(CDFer), in[0])
		}
		if err := tensor.VerifyGrad(mg, pg, &tensor.VerifyOptions{RelTol: 1e-5, AbsTol: 1e-6}); err != nil {
			t.Errorf("Mixture(Normal, Gamma) %s: %v", fn, err)
		}
	}
}

// BenchmarkICDFSpecial times 1000 quantiles (u evenly spread over (0, 1)) of each new
// quantile function: go test ./pm/dist -run '^$' -bench ICDFSpecial -benchmem.
func BenchmarkICDFSpecial(b *testing.B) {
	u := make([]float64, 1000)
	for i := range u {
		u[i] = (float64(i) + 0.5) / float64(len(u))
	}
	for _, c := range []struct {
		name string
		d    Dist
	}{
		{"Rice(2,0.5)", Rice(2.0, 0.5)},
		{"SkewNormal(alpha=3)", SkewNormal(0.0, 1.0, 3.0)},
		{"SkewNormal(alpha=20)", SkewNormal(0.0, 1.0, 20.0)},
		{"BetaBinomial(200,30,5)", BetaBinomial(200.0, 30.0, 5.0)},
		{"ZeroInflatedPoisson(0.6,3.5)", ZeroInflatedPoisson(0.6, 3.5)},
	} {
		b.Run(c.name, func(b *testing.B) {
			q := c.d.(ICDFer).ICDF(tensor.Const(u))
			for i := 0; i < b.N; i++ {
				if _, err := tensor.Eval(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDistTruncatedFarUpperTail draws from distributions truncated so far into their upper tail
// that F(lower) rounds to 1 (where the inverse CDF gives +Inf) and compares the draws with the
// truncated CDF written out independently with math.Erfc and closed forms (Kolmogorov-Smirnov,
// 0.1% level), and discrete ones with the truncated probabilities (chi-squared).
func TestDistTruncatedFarUpperTail(t *testing.T) {
	rs := tensor.NewRandomStream(23)
	const n = 4000
	erfcN := func(x float64) float64 { return math.Erfc(x / math.Sqrt2) }
	for _, c := range []struct {
		name   string
		d      Dist
		lo, hi float64
		cdf    func(x float64) float64
	}{
		{"Normal above 10", TruncatedNormal(0.0, 1.0, 10.0, nil), 10, math.Inf(1),
			func(x float64) float64 { return 1 - erfcN(x)/erfcN(10) }},
		// A parameter that is itself a draw: the choice between the inverse CDF and the tail
		// inversion is made per element when the graph runs.
		{"Normal above 10, mu drawn", TruncatedNormal(rs.Uniform(0.0, 1e-12), 1.0, 10.0, nil), 10, math.Inf(1),
			func(x float64) float64 { return 1 - erfcN(x)/erfcN(10) }},
		{"Normal in [9, 9.5]", TruncatedNormal(0.0, 1.0, 9.0, 9.5), 9, 9.5,
			func(x float64) float64 { return (erfcN(9) - erfcN(x)) / (erfcN(9) - erfcN(9.5)) }},
		{"Normal(3, 2) above 40", TruncatedNormal(3.0, 2.0, 40.0, nil), 40, math.Inf(1),
			func(x float64) float64 { return 1 - erfcN((x-3)/2)/erfcN(37.0/2) }},
		{"Exponential above 40", Truncated(Exponential(1.0), 40.0, nil), 40, math.Inf(1),
			func(x float64) float64 { return -math.Expm1(-(x - 40)) }},
		{"Gamma(2, 1) above 45", Truncated(Gamma(2.0, 1.0), 45.0, nil), 45, math.Inf(1),
			func(x float64) float64 { return 1 - (1+x)/46*math.Exp(-(x-45)) }},
		{"Logistic above 40", Truncated(Logistic(0.0, 1.0), 40.0, nil), 40, math.Inf(1),
			func(x float64) float64 { return 1 - (1+math.Exp(-40))/(1+math.Exp(-x))*math.Exp(-(x-40)) }},
	} {
		if err := c.d.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		x := evalT(t, c.d.Random(rs, []int{n})).Data
		for _, v := range x {
			if !(v >= c.lo && v <= c.hi) {
				t.Fatalf("%s: draw %v outside [%v, %v]", c.name, v, c.lo, c.hi)
			}
		}
		if ks := ksStat(x, c.cdf); ks > ksCritical(n) {
			t.Errorf("%s draws: KS distance %v > %v", c.name, ks, ksCritical(n))
		}
	}
	for _, c := range []struct {
		name   string
		d      Dist
		lo, hi float64
		logpmf func(k float64) float64 // up to a constant
	}{
		{"Poisson(1) from 40", Truncated(Poisson(1.0), 40.0, nil), 40, 80,
			func(k float64) float64 { l, _ := math.Lgamma(k + 1); return -l }},
		{"Geometric(0.01) from 4000", Truncated(Geometric(0.01), 4000.0, nil), 4000, 6000,
			func(k float64) float64 { return k * math.Log(0.99) }},
	} {
		if err := c.d.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		draws := evalT(t, c.d.Random(rs, []int{n})).Data
		var ks, lp []float64
		z := math.Inf(-1)
		for k := c.lo; k <= c.hi; k++ {
			ks = append(ks, k)
			lp = append(lp, c.logpmf(k))
			z = math.Max(z, lp[len(lp)-1]) + math.Log1p(math.Exp(-math.Abs(z-lp[len(lp)-1])))
		}
		for i := range lp {
			lp[i] -= z
		}
		for _, v := range draws {
			if v < c.lo || v != math.Trunc(v) {
				t.Fatalf("%s: draw %v is not an integer >= %v", c.name, v, c.lo)
			}
		}
		if chi, crit := chiSquaredCheck(draws, ks, lp); chi > crit {
			t.Errorf("%s draws: chi-squared %v > %v", c.name, chi, crit)
		}
	}
}
