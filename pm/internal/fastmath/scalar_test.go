package fastmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ordered maps a float64 to an integer that is monotone in the float order,
// so that the difference of two images counts the floats between them (ulps).
func ordered(x float64) int64 {
	b := int64(math.Float64bits(x))
	if b < 0 {
		return math.MinInt64 - b
	}
	return b
}

// ulpDiff counts the float64 values between a and b; equal NaNs count 0 and a
// NaN against a number counts MaxInt64.
func ulpDiff(a, b float64) int64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxInt64
	}
	d := ordered(a) - ordered(b)
	if d < 0 {
		d = -d
	}
	return d
}

// logUniform draws |x| log-uniformly in [2^lo, 2^hi] with a random sign when signed.
func logUniform(rng *rand.Rand, lo, hi float64, signed bool) float64 {
	x := math.Exp2(lo + (hi-lo)*rng.Float64())
	if signed && rng.IntN(2) == 0 {
		x = -x
	}
	return x
}

// scalarCase describes one kernel checked against the math package.
type scalarCase struct {
	name string
	got  func(float64) float64
	want func(float64) float64
	ref  func(*big.Float) *big.Float // high-precision value, for points where math is more than 1 ulp off
	gen  func(*rand.Rand) float64
	// bigErr bounds |got - exact| in ulps on a subsample checked against ref.
	bigErr float64
}

// bigExpm1 sums the Taylor series for |x| < 1/2 (where 1 + x would lose the
// low bits of a tiny x even at 200 bits), else exp(x) - 1.
func bigExpm1(x *big.Float) *big.Float {
	if xf, _ := x.Float64(); math.Abs(xf) < 0.5 {
		sum := new(big.Float).SetPrec(refPrec).Set(x)
		term := new(big.Float).SetPrec(refPrec).Set(x)
		for n := 2; n < 400; n++ {
			term.Mul(term, x)
			term.Quo(term, newBig(float64(n)))
			if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < -refPrec-4 {
				break
			}
			sum.Add(sum, term)
		}
		return sum
	}
	e := bigExp(x)
	return e.Sub(e, newBig(1))
}

// bigLog1p uses x - x^2/2 + x^3/3 below 2^-100 (error x^4/4, far below
// 2^-200 relative), else log(1 + x).
func bigLog1p(x *big.Float) *big.Float {
	if xf, _ := x.Float64(); math.Abs(xf) < 0x1p-100 {
		x2 := new(big.Float).SetPrec(refPrec).Mul(x, x)
		x3 := new(big.Float).SetPrec(refPrec).Mul(x2, x)
		x2.Quo(x2, newBig(2))
		x3.Quo(x3, newBig(3))
		r := new(big.Float).SetPrec(refPrec).Sub(x, x2)
		return r.Add(r, x3)
	}
	return bigLog(new(big.Float).SetPrec(refPrec).Add(x, newBig(1)))
}

func scalarCases() []scalarCase {
	return []scalarCase{
		{"Exp", Exp, math.Exp, bigExp, func(r *rand.Rand) float64 {
			if r.IntN(2) == 0 {
				return -745.2 + (709.8+745.2)*r.Float64()
			}
			return logUniform(r, -60, 9.5, true)
		}, 0.51},
		{"Expm1", Expm1, math.Expm1, bigExpm1, func(r *rand.Rand) float64 {
			if r.IntN(4) == 0 {
				return -50 + 760*r.Float64()
			}
			return logUniform(r, -60, 6, true)
		}, 0.6},
		{"Log", Log, math.Log, bigLog, func(r *rand.Rand) float64 {
			switch r.IntN(4) {
			case 0:
				return 0.5 + 1.5*r.Float64() // the tables' range, densely
			case 1:
				return 1 + logUniform(r, -60, -1, true)
			}
			return logUniform(r, -1074, 1023.9, false)
		}, 0.52},
		{"Log1p", Log1p, math.Log1p, bigLog1p, func(r *rand.Rand) float64 {
			switch r.IntN(4) {
			case 0:
				return -1 + r.Float64()*3
			case 1:
				return -1 + logUniform(r, -52, -1, false)
			}
			x := logUniform(r, -1074, 1023.9, true)
			if x <= -1 {
				x = -1 / x
			}
			return x
		}, 0.55},
	}
}

// checkPoint compares c at x with the math package and, where they are more
// than 1 ulp apart, with the high-precision reference. It returns the error
// against the reference when that was computed (always when force is set), else -1.
func checkPoint(t *testing.T, c scalarCase, x float64, force bool) (errUlp float64, mathOff bool) {
	t.Helper()
	got, want := c.got(x), c.want(x)
	d := ulpDiff(got, want)
	if d <= 1 && !force {
		return -1, false
	}
	if math.IsInf(got, 0) || math.IsInf(want, 0) || got != got || want != want {
		// The reference cannot be infinite or NaN at finite float64 inputs
		// where one implementation overflowed: compare against it in big.
		if d > 1 {
			ref, _ := c.ref(newBig(x)).Float64()
			if ulpDiff(got, ref) > 1 {
				t.Errorf("%s(%v) = %v, math %v, reference %v", c.name, x, got, want, ref)
			}
			return 0, true
		}
		return 0, false
	}
	e := math.Abs(ulpErr(got, c.ref(newBig(x))))
	if d > 1 && e > c.bigErr {
		t.Errorf("%s(%v) = %v, math %v (%d ulp apart), %.3f ulp from exact", c.name, x, got, want, d, e)
	}
	return e, d > 1
}

// TestScalarAgainstMath checks each kernel at 200k seeded points: at most 1 ulp
// from the math package; where math is further off, the high-precision
// reference decides. A subsample measures the error against the reference.
func TestScalarAgainstMath(t *testing.T) {
	const n = 200000
	const nBig = 3000
	for ci, c := range scalarCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(42, uint64(ci)))
			var maxBig float64
			mathOff := 0
			for i := 0; i < n; i++ {
				e, off := checkPoint(t, c, c.gen(rng), i < nBig)
				maxBig = math.Max(maxBig, e)
				if off {
					mathOff++
				}
			}
			if maxBig > c.bigErr {
				t.Errorf("%s: max error %.3f ulp against the math/big reference, want <= %.2f", c.name, maxBig, c.bigErr)
			}
			t.Logf("%s: max error %.3f ulp on the reference subsample; %d/%d points more than 1 ulp from math (math off there)", c.name, maxBig, mathOff, n)
		})
	}
}

// TestScalarEdgePoints runs the same comparison at boundaries of each method
// (overflow, subnormal results, branch switches, near 1).
func TestScalarEdgePoints(t *testing.T) {
	sub := math.SmallestNonzeroFloat64
	pts := []float64{1, -1, sub, -sub, 3 * sub, 0x1p-1022, -0x1p-1022, 0x1.fffffffffffffp-1023,
		math.MaxFloat64, -math.MaxFloat64, 0x1p-54, -0x1p-54, 0x1p-53, 0x1p-60, -0x1p-60, 0.5, -0.5, 2, 1 - 0x1p-53, 1 + 0x1p-52,
		0.70710678118654752, 1.4142135623730951, 1.41421, 0.99, 1.01,
		709.782712893384, 709.7827128933839, 709.78, 709.7, 708, 708 - 0x1p-44, 710, -708, -708.39, -708.4, -720, -740,
		-745.1332191019411, -745.13321910194, -745.2, -746, -1e300, 1e300, 40, -40, 40.0001, -40.0001, 36.5, -37,
		0.35, -0.35, 0.3500001, -0.3500001, math.Ln2, -math.Ln2, 1e-10, -1e-10, -0.9999999999, -1 + 0x1p-53}
	for _, c := range scalarCases() {
		for _, x := range pts {
			checkPoint(t, c, x, false)
		}
	}
}

// TestScalarSpecialValues pins the special values bit for bit.
func TestScalarSpecialValues(t *testing.T) {
	inf, nan, nz := math.Inf(1), math.NaN(), math.Copysign(0, -1)
	for _, c := range []struct {
		name    string
		f       func(float64) float64
		x, want float64
	}{
		{"Exp", Exp, inf, inf}, {"Exp", Exp, -inf, 0}, {"Exp", Exp, nan, nan}, {"Exp", Exp, 0, 1}, {"Exp", Exp, nz, 1},
		{"Exp", Exp, 710, inf}, {"Exp", Exp, 1e300, inf}, {"Exp", Exp, -746, 0}, {"Exp", Exp, -1e300, 0},
		{"Exp", Exp, -745.1332191019411, sub()}, {"Exp", Exp, -745.1332191019412, 0},
		{"Expm1", Expm1, inf, inf}, {"Expm1", Expm1, -inf, -1}, {"Expm1", Expm1, nan, nan}, {"Expm1", Expm1, 0, 0},
		{"Expm1", Expm1, nz, nz}, {"Expm1", Expm1, 1e300, inf}, {"Expm1", Expm1, -1e300, -1}, {"Expm1", Expm1, sub(), sub()},
		{"Log", Log, inf, inf}, {"Log", Log, -inf, nan}, {"Log", Log, nan, nan}, {"Log", Log, 0, -inf},
		{"Log", Log, nz, -inf}, {"Log", Log, -1, nan}, {"Log", Log, 1, 0},
		{"Log1p", Log1p, inf, inf}, {"Log1p", Log1p, -inf, nan}, {"Log1p", Log1p, nan, nan}, {"Log1p", Log1p, 0, 0},
		{"Log1p", Log1p, nz, nz}, {"Log1p", Log1p, -1, -inf}, {"Log1p", Log1p, -2, nan}, {"Log1p", Log1p, sub(), sub()},
		{"Log1p", Log1p, -sub(), -sub()},
	} {
		got := c.f(c.x)
		if math.Float64bits(got) != math.Float64bits(c.want) && !(got != got && c.want != c.want) {
			t.Errorf("%s(%v) = %v (%#x), want %v", c.name, c.x, got, math.Float64bits(got), c.want)
		}
	}
}

func sub() float64 { return math.SmallestNonzeroFloat64 }
