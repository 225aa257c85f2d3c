package fastmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestLogAddExpW checks the value against LogAddExp bit for bit and against a 200-bit
// reference, and the weights against sigmoid(±(a−b)) computed at 200 bits.
func TestLogAddExpW(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	ref := func(a, b float64) (l, wa, wb float64) {
		// l = m + log1p(e^(−|a−b|)) at high precision from the rounded difference, which is
		// what the weights are functions of.
		m, d := math.Max(a, b), -math.Abs(a-b)
		e := bigExp(new(big.Float).SetPrec(refPrec).SetFloat64(d))
		u := new(big.Float).SetPrec(refPrec).Add(big.NewFloat(1).SetPrec(refPrec), e)
		lb := bigLog(u)
		lb.Add(lb, new(big.Float).SetPrec(refPrec).SetFloat64(m))
		l, _ = lb.Float64()
		big1 := new(big.Float).SetPrec(refPrec).Quo(big.NewFloat(1).SetPrec(refPrec), u)
		small := new(big.Float).SetPrec(refPrec).Mul(e, big1)
		wbig, _ := big1.Float64()
		wsmall, _ := small.Float64()
		if a >= b {
			return l, wbig, wsmall
		}
		return l, wsmall, wbig
	}
	for i := 0; i < 20000; i++ {
		a := logUniform(rng, -10, 8, true)
		b := a + logUniform(rng, -40, 6, true)
		if i%3 == 0 {
			b = logUniform(rng, -10, 8, true)
		}
		l, wa, wb := LogAddExpW(a, b)
		if got, want := l, LogAddExp(a, b); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("LogAddExpW(%v, %v) = %v, LogAddExp %v", a, b, got, want)
		}
		if i%20 != 0 {
			continue
		}
		rl, rwa, rwb := ref(a, b)
		// m + log1p(…) cancels when m is near −log 2: the bound is in ulps of the terms.
		if tol := 0x1p-51 * math.Max(math.Abs(math.Max(a, b)), math.Ln2); math.Abs(l-rl) > tol {
			t.Errorf("LogAddExpW(%v, %v) = %v, exact %v (error %g > %g)", a, b, l, rl, l-rl, tol)
		}
		for _, w := range [][2]float64{{wa, rwa}, {wb, rwb}} {
			if d := ulpDiff(w[0], w[1]); d > 3 {
				t.Errorf("LogAddExpW(%v, %v): weight %v, exact %v (%d ulp)", a, b, w[0], w[1], d)
			}
		}
	}
	inf := math.Inf(1)
	for _, c := range []struct{ a, b, l, wa, wb float64 }{
		{-inf, 0.5, 0.5, 0, 1},
		{0.5, -inf, 0.5, 1, 0},
		{inf, 3, inf, 1, 0},
		{2, 2, 2 + math.Ln2, 0.5, 0.5},
	} {
		l, wa, wb := LogAddExpW(c.a, c.b)
		if ulpDiff(l, c.l) > 1 || wa != c.wa || wb != c.wb {
			t.Errorf("LogAddExpW(%v, %v) = %v, %v, %v; want %v, %v, %v", c.a, c.b, l, wa, wb, c.l, c.wa, c.wb)
		}
	}
	for _, c := range [][2]float64{{math.NaN(), 1}, {1, math.NaN()}, {-inf, -inf}, {inf, inf}} {
		l, wa, wb := LogAddExpW(c[0], c[1])
		if c[0] == c[1] && l != c[0] || c[0] != c[1] && l == l || wa == wa || wb == wb {
			t.Errorf("LogAddExpW(%v, %v) = %v, %v, %v", c[0], c[1], l, wa, wb)
		}
	}
}
