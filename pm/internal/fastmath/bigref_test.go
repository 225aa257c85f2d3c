package fastmath

import (
	"math"
	"math/big"
	"sync"
)

// This file holds an independent, slow, high-precision reference for exp and
// log built only on math/big arithmetic (series, no float64 transcendental
// functions). The table generator and the accuracy tests use it.

// refPrec is the working precision of the reference in bits; 200 bits leaves
// more than 140 guard bits over float64.
const refPrec = 200

func newBig(x float64) *big.Float { return new(big.Float).SetPrec(refPrec).SetFloat64(x) }

// refLn2 caches bigLn2 (read-only after the first call).
var refLn2 = sync.OnceValue(bigLn2)

// bigLn2 returns log(2) = 2*atanh(1/3) = 2 * sum_k (1/3)^(2k+1)/(2k+1).
func bigLn2() *big.Float {
	s := new(big.Float).SetPrec(refPrec).Quo(newBig(1), newBig(3))
	return new(big.Float).SetPrec(refPrec).Mul(newBig(2), bigAtanhSeries(s))
}

// bigAtanhSeries sums s + s^3/3 + s^5/5 + ... until the terms vanish at refPrec.
func bigAtanhSeries(s *big.Float) *big.Float {
	sum := new(big.Float).SetPrec(refPrec).Set(s)
	s2 := new(big.Float).SetPrec(refPrec).Mul(s, s)
	pow := new(big.Float).SetPrec(refPrec).Set(s)
	term := new(big.Float).SetPrec(refPrec)
	for k := 3; k < 2000; k += 2 {
		pow.Mul(pow, s2)
		term.Quo(pow, newBig(float64(k)))
		if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < -refPrec-4 {
			break
		}
		sum.Add(sum, term)
	}
	return sum
}

// bigLog returns log(x) for x > 0: x = m*2^e with m in [0.75,1.5), and
// log(m) = 2^8 * 2*atanh((w-1)/(w+1)) with w = m^(1/2^8) (eight square roots,
// so the series converges fast; the 8 bits lost are within the guard bits).
func bigLog(x *big.Float) *big.Float {
	m := new(big.Float).SetPrec(refPrec)
	e := x.MantExp(m) // x = m * 2^e, m in [0.5, 1)
	if m.Cmp(newBig(0.75)) < 0 {
		// m in [0.75, 1.5): no cancellation between e*ln2 and log(m) near x = 1.
		m.SetMantExp(m, 1)
		e--
	}
	for i := 0; i < 8; i++ {
		m.Sqrt(m)
	}
	num := new(big.Float).SetPrec(refPrec).Sub(m, newBig(1))
	den := new(big.Float).SetPrec(refPrec).Add(m, newBig(1))
	s := new(big.Float).SetPrec(refPrec).Quo(num, den)
	l := new(big.Float).SetPrec(refPrec).Mul(newBig(2), bigAtanhSeries(s))
	l.SetMantExp(l, 8)
	ke := new(big.Float).SetPrec(refPrec).Mul(newBig(float64(e)), refLn2())
	return l.Add(l, ke)
}

// bigExp returns exp(x): x = k*ln2 + r, exp(r) by Taylor series of r/2^10 squared
// ten times, then scaled by 2^k.
func bigExp(x *big.Float) *big.Float {
	ln2 := refLn2()
	q := new(big.Float).SetPrec(refPrec).Quo(x, ln2)
	qf, _ := q.Float64()
	k := math.Round(qf)
	r := new(big.Float).SetPrec(refPrec).Mul(newBig(k), ln2)
	r.Sub(x, r)
	r.SetMantExp(r, -10)
	sum := newBig(1)
	term := newBig(1)
	for n := 1; n < 200; n++ {
		term.Mul(term, r)
		term.Quo(term, newBig(float64(n)))
		if term.Sign() == 0 || term.MantExp(nil) < -refPrec-4 {
			break
		}
		sum.Add(sum, term)
	}
	for i := 0; i < 10; i++ {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(k))
}

// ulpErr returns (got - want)/ulp(want) where ulp is that of the float64
// nearest to want (subnormal spacing below the normal range).
func ulpErr(got float64, want *big.Float) float64 {
	w, _ := want.Float64()
	if w == 0 {
		w = math.SmallestNonzeroFloat64
	}
	w = math.Abs(w)
	next := math.Nextafter(w, math.Inf(1))
	ulp := next - w
	if math.IsInf(next, 1) {
		ulp = w - math.Nextafter(w, 0)
	}
	d := new(big.Float).SetPrec(refPrec).Sub(newBig(got), want)
	df, _ := d.Float64()
	return df / ulp
}
