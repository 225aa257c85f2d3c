package fastmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// bigLogistic returns log1p(e^-a), sigmoid(a) and sigmoid(-a) to 200 bits
// (math/big: e^-a by squaring a Taylor series of e^(-a/2^k), log1p by
// Newton's method on exp), rounded to float64: an independent reference.
func bigLogistic(a float64) (l, sp, sn float64) {
	const prec = 200
	nf := func(x float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(x) }
	exp := func(x *big.Float) *big.Float {
		// e^x = (e^(x/2^k))^(2^k) with |x/2^k| < 2^-10.
		k := 0
		y := new(big.Float).SetPrec(prec).Set(x)
		for y.Cmp(nf(-0x1p-10)) < 0 || y.Cmp(nf(0x1p-10)) > 0 {
			y.Quo(y, nf(2))
			k++
		}
		sum, term := nf(1), nf(1)
		for i := 1; i < 40; i++ {
			term.Mul(term, y)
			term.Quo(term, nf(float64(i)))
			sum.Add(sum, term)
		}
		for ; k > 0; k-- {
			sum.Mul(sum, sum)
		}
		return sum
	}
	e := exp(nf(-a))
	u := new(big.Float).SetPrec(prec).Add(nf(1), e)
	// log(u): for e < 2^-10 the series e - e^2/2 + e^3/3 - ..., otherwise
	// Newton from math.Log's estimate: w <- w + 2(u - e^w)/(u + e^w).
	ef, _ := e.Float64()
	w := nf(math.Log1p(ef))
	if ef < 0x1p-10 {
		w.SetFloat64(0)
		pw := nf(1)
		for i := 1; i < 25; i++ {
			pw.Mul(pw, e)
			term := new(big.Float).SetPrec(prec).Quo(pw, nf(float64(i)))
			if i%2 == 0 {
				term.Neg(term)
			}
			w.Add(w, term)
		}
	}
	for i := 0; i < 6 && ef >= 0x1p-10; i++ {
		ew := exp(w)
		num := new(big.Float).SetPrec(prec).Sub(u, ew)
		den := new(big.Float).SetPrec(prec).Add(u, ew)
		num.Quo(num, den)
		w.Add(w, num.Mul(num, nf(2)))
	}
	l, _ = w.Float64()
	spb := new(big.Float).SetPrec(prec).Quo(nf(1), u)
	sp, _ = spb.Float64()
	sn, _ = spb.Mul(spb, e).Float64()
	return l, sp, sn
}

// logisticGLM is within 2 ulp (float64 steps, so subnormal results count
// their own steps) of the 200-bit reference for L = log1p(e^-a),
// sigmoid(a) and sigmoid(-a) over the whole range of a (uniform and
// log-uniform draws, the reduction boundaries, the fast-path bound and the
// subnormal range of e^-a), and gives the limits at 0, +Inf and NaN.
func TestLogisticGLMAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	var as []float64
	for i := 0; i < 3000; i++ {
		as = append(as, 745*rng.Float64(), math.Exp(-40+46.6*rng.Float64()))
	}
	for k := 1; k < 1030; k++ { // a = k ln2/2 and neighbours: |r| at its maximum
		m := float64(k) * math.Ln2 / 2
		as = append(as, m, math.Nextafter(m, 0), math.Nextafter(m, 1000))
	}
	as = append(as, 0, 0x1p-1074, 1e-300, 1e-17, 0x1p-53, 0.3465, 0.881373587019543, 707.9999, 708, 708.5, 709.7, 744.4, 745.2, 800)
	worst := [3]int64{}
	for _, a := range as {
		l, sp, sn := logisticGLM(a)
		wl, wsp, wsn := bigLogistic(a)
		for k, c := range [3][2]float64{{l, wl}, {sp, wsp}, {sn, wsn}} {
			d := ulpDiff(c[0], c[1])
			worst[k] = max(worst[k], d)
			if d > 2 {
				t.Errorf("a = %v: part %d = %v, want %v (%d ulp)", a, k, c[0], c[1], d)
			}
		}
	}
	t.Logf("worst ulp: L %d, sigmoid(a) %d, sigmoid(-a) %d", worst[0], worst[1], worst[2])
	if l, sp, sn := logisticGLM(math.Inf(1)); l != 0 || sp != 1 || sn != 0 {
		t.Errorf("a = +Inf: %v %v %v, want 0 1 0", l, sp, sn)
	}
	if l, sp, sn := logisticGLM(0); l != math.Ln2 || sp != 0.5 || sn != 0.5 {
		t.Errorf("a = 0: %v %v %v, want ln2 0.5 0.5", l, sp, sn)
	}
	if l, sp, sn := logisticGLM(math.NaN()); !math.IsNaN(l) || !math.IsNaN(sp) || !math.IsNaN(sn) {
		t.Errorf("a = NaN: %v %v %v, want NaN", l, sp, sn)
	}
}

// The GLM Bernoulli kernel's terms and residuals match BernoulliLogit's
// (a reference through the math package) to 4 ulp-ish relative error, and
// give the limits for infinite eta, NaN eta and invalid labels.
func TestBernoulliGLMAgainstMath(t *testing.T) {
	rng := rand.New(rand.NewPCG(73, 74))
	const n = 4000
	eta, y := make([]float64, n), make([]float64, n)
	for i := range eta {
		eta[i] = (rng.Float64()*2 - 1) * []float64{1, 10, 40, 800}[i%4]
		y[i] = float64(rng.IntN(2))
	}
	eta[5], eta[6], eta[7] = math.Inf(1), math.Inf(-1), 1e-300
	y[5], y[6] = 1, 0
	resid := make([]float64, n)
	var acc, racc [4]float64
	bernoulliGLMAcc(eta, y, resid, &acc, &racc)
	var sum float64
	for i := range eta {
		s := 2*y[i] - 1
		z := s * eta[i]
		// log sigmoid(z) and s*sigmoid(-z) through the math package.
		var lp float64
		if z >= 0 {
			lp = -math.Log1p(math.Exp(-z))
		} else {
			lp = z - math.Log1p(math.Exp(z))
		}
		r := s / (1 + math.Exp(z))
		if z > 0 {
			r = s * math.Exp(-z) / (1 + math.Exp(-z))
		}
		sum += lp
		if !relClose(resid[i], r, 1e-300, 1e-15) {
			t.Errorf("eta %v y %v: resid %v, want %v", eta[i], y[i], resid[i], r)
		}
	}
	got := (acc[0] + acc[1]) + (acc[2] + acc[3])
	if !relClose(got, sum, 0, 1e-13) {
		t.Errorf("sum of terms %v, want %v", got, sum)
	}
	if resid[5] != 0 || resid[6] != 0 {
		t.Errorf("infinite eta: resid %v %v, want 0 0", resid[5], resid[6])
	}
	var a, ra [4]float64
	r := []float64{0}
	if bernoulliGLMAcc([]float64{math.Inf(-1)}, []float64{1}, r, &a, &ra); a[0] != math.Inf(-1) || r[0] != 1 {
		t.Errorf("eta -Inf, y 1: term %v resid %v, want -Inf 1", a[0], r[0])
	}
	for _, c := range [][2]float64{{math.NaN(), 1}, {1, 0.5}, {1, math.NaN()}, {1, 2}} {
		var a, ra [4]float64
		r := []float64{0}
		bernoulliGLMAcc([]float64{c[0]}, []float64{c[1]}, r, &a, &ra)
		if !math.IsNaN(a[0]) || !math.IsNaN(r[0]) {
			t.Errorf("eta %v, y %v: term %v resid %v, want NaN", c[0], c[1], a[0], r[0])
		}
	}
}
