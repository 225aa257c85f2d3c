package diag

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// ar1Chains draws m chains of n from a stationary Gaussian AR(1) with
// coefficient phi and unit marginal variance; phi = 0 gives iid N(0, 1).
func ar1Chains(seed uint64, m, n int, phi float64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([][]float64, m)
	for c := range out {
		out[c] = make([]float64, n)
		x := rng.NormFloat64()
		for d := range out[c] {
			out[c][d] = x
			x = phi*x + math.Sqrt(1-phi*phi)*rng.NormFloat64()
		}
	}
	return out
}

// TestESSClosedForm compares the ESS of AR(1) chains with the population
// value S(1−φ)/(1+φ) (the integrated autocorrelation time of AR(1) is
// (1+φ)/(1−φ)). The estimator's own sampling error is a few percent at
// these sizes (the oracle README quotes ±15% at 4×1000 for φ = 0.9), so the
// tolerance is 12% with 4 chains of 10000.
func TestESSClosedForm(t *testing.T) {
	const m, n = 4, 10000
	s := float64(m * n)
	for i, phi := range []float64{0, 0.5, 0.9, -0.3} {
		x := ar1Chains(uint64(10+i), m, n, phi)
		want := s * (1 - phi) / (1 + phi)
		for _, c := range []struct {
			name string
			got  float64
		}{
			{"ESSBulk", ESSBulk(x)},
			{"ESSMean", ESSMean(x)},
		} {
			if e := relErr(c.got, want); e > 0.12 {
				t.Errorf("phi=%g %s = %.1f, want %.1f ± 12%% (rel err %.3f)", phi, c.name, c.got, want, e)
			}
		}
		if r := RHat(x); !(r < 1.01) {
			t.Errorf("phi=%g RHat = %g, want < 1.01 for stationary chains", phi, r)
		}
		// For φ ≥ 0 the tail indicators of a Gaussian AR(1) are no more
		// correlated than the draws, so their ESS is at least about the bulk
		// ESS and below the cap S·log10(S). (For φ < 0 the indicators lose
		// the antithetic gain, so this bound does not hold.)
		if et, eb := ESSTail(x), ESSBulk(x); phi >= 0 && !(et > 0.8*eb && et < s*math.Log10(s)) {
			t.Errorf("phi=%g ESSTail = %g, want in (0.8·ESSBulk, S log10 S) = (%g, %g)", phi, et, 0.8*eb, s*math.Log10(s))
		}
	}
}

// TestMCSEClosedForm: for iid N(0, 1) draws the standard error of the mean
// is 1/√S and that of the sd is 1/√(2S) (normal theory, Var(s) ≈ σ²/(2S)).
func TestMCSEClosedForm(t *testing.T) {
	x := ar1Chains(3, 4, 5000, 0)
	s := 20000.0
	if got, want := MCSEMean(x), 1/math.Sqrt(s); relErr(got, want) > 0.05 {
		t.Errorf("MCSEMean = %g, want %g ± 5%%", got, want)
	}
	if got, want := MCSESD(x), 1/math.Sqrt(2*s); relErr(got, want) > 0.08 {
		t.Errorf("MCSESD = %g, want %g ± 8%%", got, want)
	}
	// An AR(1) with φ = 0.9 inflates the MCSE of the mean by √19.
	y := ar1Chains(4, 4, 5000, 0.9)
	if got, want := MCSEMean(y), math.Sqrt(19/s); relErr(got, want) > 0.15 {
		t.Errorf("AR(1) MCSEMean = %g, want %g ± 15%%", got, want)
	}
}

// TestAutocovDirect checks the FFT autocovariance against the direct sum
// (1/n)Σ(x_i−x̄)(x_{i+t}−x̄), for lengths that are and are not
// 2^a·3^b·5^c numbers, where rstan's scaling would be off.
func TestAutocovDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{3, 7, 97, 500, 1001} {
		x := [][]float64{make([]float64, n), make([]float64, n)}
		for _, ch := range x {
			for i := range ch {
				ch[i] = rng.ExpFloat64()
			}
		}
		got := meanAutocov(x)
		for lag := 0; lag < n; lag++ {
			var want float64
			for _, ch := range x {
				mu := mean(ch)
				var s float64
				for i := 0; i+lag < n; i++ {
					s += (ch[i] - mu) * (ch[i+lag] - mu)
				}
				want += s / float64(n) / 2
			}
			if math.Abs(got[lag]-want) > 1e-12*got[0] {
				t.Fatalf("n=%d lag %d: FFT autocov %.17g, direct %.17g", n, lag, got[lag], want)
			}
		}
	}
}

// TestRankNormalizeTies checks average ranks for ties and Blom's scores
// against gonum's normal quantile.
func TestRankNormalizeTies(t *testing.T) {
	x := [][]float64{{3, 1}, {2, 2}}
	ranks := [][]float64{{4, 1}, {2.5, 2.5}}
	for _, c := range []float64{BlomOffset, RStanOffset} {
		z := rankNormalize(x, c)
		for i := range x {
			for j := range x[i] {
				want := distuv.UnitNormal.Quantile((ranks[i][j] - c) / (4 - 2*c + 1))
				if relErr(z[i][j], want) > 1e-14 {
					t.Errorf("c=%g z[%d][%d] = %g, want %g", c, i, j, z[i][j], want)
				}
			}
		}
	}
}

// TestSplitRHatTextbook compares splitRHat with BDA3's (11.3–11.4) form
// sqrt(var⁺/W), var⁺ = (n−1)/n·W + B/n, B = n/(m−1)·Σ(x̄_j − x̄)².
func TestSplitRHatTextbook(t *testing.T) {
	x := [][]float64{{1, 3, 2, 5}, {2, 2, 4, 1}, {7, 5, 6, 8}}
	m, n := 3.0, 4.0
	var grand float64
	means := make([]float64, 3)
	var w float64
	for j, ch := range x {
		for _, v := range ch {
			means[j] += v / n
		}
		grand += means[j] / m
		var ss float64
		for _, v := range ch {
			ss += (v - means[j]) * (v - means[j])
		}
		w += ss / (n - 1) / m
	}
	var b float64
	for _, mu := range means {
		b += (mu - grand) * (mu - grand)
	}
	b *= n / (m - 1)
	want := math.Sqrt(((n-1)/n*w + b/n) / w)
	if got := splitRHat(x, nil); relErr(got, want) > 1e-14 {
		t.Errorf("splitRHat = %.17g, want %.17g", got, want)
	}
}

// TestSingleChain: one chain is split in two, so R-hat catches a trend
// within it and ESS is still defined.
func TestSingleChain(t *testing.T) {
	x := ar1Chains(8, 1, 4000, 0.5)
	if e := ESSBulk(x); relErr(e, 4000.0/3) > 0.15 {
		t.Errorf("single chain ESSBulk = %g, want about %g", e, 4000.0/3)
	}
	if r := RHat(x); !(r < 1.01) {
		t.Errorf("single stationary chain RHat = %g", r)
	}
	for d := range x[0] {
		x[0][d] += float64(d) / 1000 // drift of 4 sd over the chain
	}
	if r := RHat(x); !(r > 1.5) {
		t.Errorf("single drifting chain RHat = %g, want > 1.5", r)
	}
}

// TestUndefined: every diagnostic returns NaN without panicking on input it
// cannot diagnose.
func TestUndefined(t *testing.T) {
	good := ar1Chains(9, 2, 100, 0)
	withNaN := ar1Chains(9, 2, 100, 0)
	withNaN[1][50] = math.NaN()
	withInf := ar1Chains(9, 2, 100, 0)
	withInf[0][3] = math.Inf(1)
	cases := []struct {
		name   string
		chains [][]float64
	}{
		{"nil", nil},
		{"no draws", [][]float64{{}, {}}},
		{"ragged", [][]float64{good[0], good[1][:99]}},
		{"constant", [][]float64{{2, 2, 2, 2, 2, 2, 2, 2}, {2, 2, 2, 2, 2, 2, 2, 2}}},
		{"NaN", withNaN},
		{"Inf", withInf},
		{"one draw", [][]float64{{1}, {2}}},
		{"too short to split", [][]float64{{1, 2, 3, 4}}},
	}
	fns := map[string]func([][]float64) float64{
		"ESSBulk": ESSBulk, "ESSTail": ESSTail, "ESSMean": ESSMean, "RHat": RHat,
		"MCSEMean": MCSEMean, "MCSESD": MCSESD, "RHatBasic": RHatBasic,
	}
	for _, c := range cases {
		for name, f := range fns {
			if name == "RHat" || name == "RHatBasic" {
				if c.name == "too short to split" {
					continue // two halves of two draws: R-hat is defined
				}
			}
			if v := f(c.chains); !math.IsNaN(v) {
				t.Errorf("%s(%s) = %g, want NaN", name, c.name, v)
			}
		}
	}
	if Check(good) != nil {
		t.Errorf("Check(good) = %v", Check(good))
	}
	if err := Check([][]float64{good[0], good[1][:99]}); err == nil {
		t.Error("Check accepts chains of 100 and 99 draws")
	}
	if err := Check(nil); err == nil {
		t.Error("Check accepts no chains")
	}
	// A constant chain next to a varying one is still diagnosable.
	mixed := [][]float64{{1, 1, 1, 1, 1, 1}, {0, 1, 2, 3, 4, 5}}
	if v := ESSBulk(mixed); math.IsNaN(v) {
		t.Error("ESSBulk is NaN when only one chain is constant")
	}
}

// TestOddLength: an odd chain loses its middle draw when split, as in
// posterior and ArviZ.
func TestOddLength(t *testing.T) {
	x := ar1Chains(11, 3, 1001, 0.3)
	y := make([][]float64, len(x))
	for c, ch := range x {
		y[c] = append(append([]float64(nil), ch[:500]...), ch[501:]...)
	}
	for name, f := range map[string]func([][]float64) float64{"ESSBulk": ESSBulk, "ESSMean": ESSMean, "RHatBasic": RHatBasic} {
		if a, b := f(x), f(y); a != b {
			t.Errorf("%s: %g with the middle draw, %g without", name, a, b)
		}
	}
}

func TestQuantile(t *testing.T) {
	x := []float64{4, 1, 3, 2}
	for _, c := range []struct{ p, want float64 }{
		{0, 1}, {1, 4}, {0.5, 2.5}, {1.0 / 3, 2}, {0.25, 1.75}, {0.9, 3.7},
	} {
		if got := Quantile(x, c.p); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("Quantile(%v, %g) = %g, want %g", x, c.p, got, c.want)
		}
	}
	for _, p := range []float64{-0.1, 1.1, math.NaN()} {
		if got := Quantile(x, p); !math.IsNaN(got) {
			t.Errorf("Quantile(p=%g) = %g, want NaN", p, got)
		}
	}
	if !math.IsNaN(Quantile(nil, 0.5)) || !math.IsNaN(Quantile([]float64{1, math.NaN()}, 0.5)) {
		t.Error("Quantile of empty or NaN input is not NaN")
	}
	if x[0] != 4 {
		t.Error("Quantile sorted its input in place")
	}
}

func TestHDI(t *testing.T) {
	cases := []struct {
		x      []float64
		prob   float64
		lo, hi float64
	}{
		{[]float64{10, 0, 3, 1, 2}, 0.6, 0, 3},       // k = 3: widths 3, 9
		{[]float64{0, 1, 2, 3}, 0.5, 0, 2},           // equal widths: the first wins
		{[]float64{0, 5, 6, 7, 8}, 0.6, 5, 8},        // k = 3: widths 7, 3
		{[]float64{3, 1, 2}, 1, 1, 3},                // all the mass
		{[]float64{1, 2, 4, 8, 16}, 0.2, 1, 2},       // k = 1
		{[]float64{5, 4, 3, 2, 1}, 0.05, 1, 1},       // k = 0: a point
		{[]float64{1, 1, 1, 1}, 0.94, 1, 1},          // constant draws
		{[]float64{-3, -1, 0, 0.5, 9}, 0.6, -3, 0.5}, // widths 3.5, 10
	}
	for _, c := range cases {
		lo, hi := HDI(c.x, c.prob)
		if lo != c.lo || hi != c.hi {
			t.Errorf("HDI(%v, %g) = [%g, %g], want [%g, %g]", c.x, c.prob, lo, hi, c.lo, c.hi)
		}
	}
	for _, p := range []float64{0, -1, 1.5, math.NaN()} {
		if lo, hi := HDI([]float64{1, 2}, p); !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("HDI(prob=%g) = [%g, %g], want NaN", p, lo, hi)
		}
	}
	// For exponential draws the HDI starts near 0 and is shorter than the
	// ETI; its population value for 94% is [0, −ln 0.06].
	rng := rand.New(rand.NewPCG(2, 2))
	x := make([]float64, 20000)
	for i := range x {
		x[i] = rng.ExpFloat64()
	}
	lo, hi := HDI(x, 0.94)
	elo, ehi := ETI(x, 0.94)
	if !(lo < 0.01 && math.Abs(hi+math.Log(0.06)) < 0.1 && hi-lo < ehi-elo) {
		t.Errorf("exponential HDI = [%g, %g], want about [0, %g] and shorter than ETI [%g, %g]", lo, hi, -math.Log(0.06), elo, ehi)
	}
	// For normal draws the ETI approaches ±Φ⁻¹(0.97).
	z := pool(ar1Chains(6, 1, 20000, 0))
	elo, ehi = ETI(z, 0.94)
	q := distuv.UnitNormal.Quantile(0.97)
	if math.Abs(elo+q) > 0.06 || math.Abs(ehi-q) > 0.06 {
		t.Errorf("normal ETI = [%g, %g], want about ±%g", elo, ehi, q)
	}
}

// TestEBFMI: for iid energies E[(ΔE)²] = 2 Var(E), so E-BFMI ≈ 2; for an
// AR(1) energy sequence it is 2(1−φ).
func TestEBFMI(t *testing.T) {
	for _, phi := range []float64{0, 0.5, 0.9} {
		e := ar1Chains(uint64(20+10*phi), 1, 20000, phi)[0]
		if got, want := EBFMI(e), 2*(1-phi); math.Abs(got-want) > 0.05 {
			t.Errorf("phi=%g EBFMI = %g, want %g ± 0.05", phi, got, want)
		}
	}
	for _, e := range [][]float64{nil, {1}, {2, 2, 2}, {1, math.NaN(), 2}} {
		if got := EBFMI(e); !math.IsNaN(got) {
			t.Errorf("EBFMI(%v) = %g, want NaN", e, got)
		}
	}
}

func TestNextGoodSize(t *testing.T) {
	for _, c := range [][2]int{{1, 2}, {7, 8}, {1000, 1000}, {1001, 1024}, {2002, 2025}, {7, 8}} {
		if got := nextGoodSize(c[0]); got != c[1] {
			t.Errorf("nextGoodSize(%d) = %d, want %d", c[0], got, c[1])
		}
	}
}
