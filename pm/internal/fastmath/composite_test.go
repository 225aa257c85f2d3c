package fastmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func bigSigmoid(x *big.Float) *big.Float {
	e := bigExp(new(big.Float).SetPrec(refPrec).Neg(x))
	e.Add(e, newBig(1))
	return e.Quo(newBig(1), e)
}

func bigSoftplus(x *big.Float) *big.Float { return bigLog1p(bigExp(x)) }

func bigLogSigmoid(x *big.Float) *big.Float {
	l := bigSoftplus(new(big.Float).SetPrec(refPrec).Neg(x))
	return l.Neg(l)
}

func bigLog1mExp(x *big.Float) *big.Float {
	if xf, _ := x.Float64(); xf > -1 {
		m := bigExpm1(x)
		return bigLog(m.Neg(m))
	}
	e := bigExp(x)
	return bigLog1p(e.Neg(e))
}

// compositeCase is a composite function with its high-precision reference,
// its input distribution and the measured error bound it must keep.
type compositeCase struct {
	name   string
	f      func(float64) float64
	ref    func(*big.Float) *big.Float
	gen    func(*rand.Rand) float64
	maxUlp float64
}

func compositeCases() []compositeCase {
	wide := func(r *rand.Rand) float64 {
		if r.IntN(3) == 0 {
			return r.NormFloat64() * 4
		}
		return logUniform(r, -60, 9.5, true)
	}
	return []compositeCase{
		{"Sigmoid", Sigmoid, bigSigmoid, wide, 2.5},
		{"LogSigmoid", LogSigmoid, bigLogSigmoid, wide, 1.5},
		{"Softplus", Softplus, bigSoftplus, wide, 1.5},
		{"Log1mExp", Log1mExp, bigLog1mExp, func(r *rand.Rand) float64 { return -logUniform(r, -60, 9.5, false) }, 1.5},
		{"LogAddExp(x,0.3)", func(x float64) float64 { return LogAddExp(x, 0.3) }, func(x *big.Float) *big.Float {
			// log(e^x + e^0.3) = max + log1p(exp(-|x-0.3|))
			d := new(big.Float).SetPrec(refPrec).Sub(x, newBig(0.3))
			m := newBig(0.3)
			if d.Sign() > 0 {
				m.Set(x)
				d.Neg(d)
			}
			l := bigLog1p(bigExp(d))
			return l.Add(l, m)
		}, wide, 1.5},
	}
}

// TestCompositeAccuracy measures each composite against the math/big
// reference at 10000 seeded points each (the reference is slow).
func TestCompositeAccuracy(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 500
	}
	for ci, c := range compositeCases() {
		rng := rand.New(rand.NewPCG(31, uint64(ci)))
		worst, wx := 0.0, 0.0
		for i := 0; i < n; i++ {
			x := c.gen(rng)
			got := c.f(x)
			e := math.Abs(ulpErr(got, c.ref(newBig(x))))
			if !(e <= worst) {
				worst, wx = e, x
			}
		}
		if !(worst <= c.maxUlp) {
			t.Errorf("%s: max error %.3f ulp at x = %v, want <= %.1f", c.name, worst, wx, c.maxUlp)
		}
		t.Logf("%s: max error %.3f ulp (at %v) over %d points", c.name, worst, wx, n)
	}
}

func TestCompositeSpecialValues(t *testing.T) {
	inf, nan, nz := math.Inf(1), math.NaN(), math.Copysign(0, -1)
	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{
		{"Sigmoid(+Inf)", Sigmoid(inf), 1}, {"Sigmoid(-Inf)", Sigmoid(-inf), 0}, {"Sigmoid(NaN)", Sigmoid(nan), nan},
		{"Sigmoid(0)", Sigmoid(0), 0.5}, {"Sigmoid(-0)", Sigmoid(nz), 0.5}, {"Sigmoid(-800)", Sigmoid(-800), 0},
		{"LogSigmoid(+Inf)", LogSigmoid(inf), 0}, {"LogSigmoid(-Inf)", LogSigmoid(-inf), -inf}, {"LogSigmoid(NaN)", LogSigmoid(nan), nan},
		{"LogSigmoid(-1e300)", LogSigmoid(-1e300), -1e300}, {"LogSigmoid(800)", LogSigmoid(800), 0},
		{"Softplus(+Inf)", Softplus(inf), inf}, {"Softplus(-Inf)", Softplus(-inf), 0}, {"Softplus(NaN)", Softplus(nan), nan},
		{"Softplus(1e300)", Softplus(1e300), 1e300}, {"Softplus(-800)", Softplus(-800), 0},
		{"Log1mExp(0)", Log1mExp(0), -inf}, {"Log1mExp(-0)", Log1mExp(nz), -inf}, {"Log1mExp(1)", Log1mExp(1), nan},
		{"Log1mExp(-Inf)", Log1mExp(-inf), nz}, {"Log1mExp(NaN)", Log1mExp(nan), nan},
		{"LogAddExp(Inf,Inf)", LogAddExp(inf, inf), inf}, {"LogAddExp(-Inf,-Inf)", LogAddExp(-inf, -inf), -inf},
		{"LogAddExp(Inf,-Inf)", LogAddExp(inf, -inf), inf}, {"LogAddExp(-Inf,2)", LogAddExp(-inf, 2), 2},
		{"LogAddExp(NaN,1)", LogAddExp(nan, 1), nan}, {"LogAddExp(1,NaN)", LogAddExp(1, nan), nan},
		{"LogAddExp(1e308,1e308)", LogAddExp(1e308, 1e308), 1e308},
	} {
		if math.Float64bits(c.got) != math.Float64bits(c.want) && !(c.got != c.got && c.want != c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Softplus(x) = -LogSigmoid(-x) bit for bit, as documented.
	rng := rand.New(rand.NewPCG(33, 34))
	for i := 0; i < 10000; i++ {
		x := logUniform(rng, -60, 9.5, true)
		if s, l := Softplus(x), -LogSigmoid(-x); math.Float64bits(s) != math.Float64bits(l) {
			t.Fatalf("Softplus(%v) = %v, -LogSigmoid(-x) = %v", x, s, l)
		}
	}
}

// TestSliceKernels requires every To kernel to give the scalar's bits,
// also in place (dst = x).
func TestSliceKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 4999, 5000, 5003} {
		x := make([]float64, n)
		for i := range x {
			x[i] = logUniform(rng, -1074, 1023, true)
			if i%3 == 0 {
				x[i] = rng.NormFloat64() * 20
			}
		}
		if n > 100 {
			for _, v := range []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), -1, 707.99, 708, -708, 709.9, -745.5} {
				x[rng.IntN(n)] = v
			}
		}
		// In-domain inputs, so that the assembly (which leaves groups with
		// special arguments to Go) does the bulk: positive for Log, > -1 for
		// Log1p (with many |x| < 2^-8), moderate for the rest.
		pos, gtm1, mod := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range x {
			pos[i] = logUniform(rng, -1022, 1023, false)
			gtm1[i] = logUniform(rng, -60, 60, false)
			if rng.IntN(2) == 0 {
				gtm1[i] = -logUniform(rng, -60, -0.0001, false)
			}
			mod[i] = rng.NormFloat64() * 30
		}
		for _, k := range []struct {
			name   string
			slice  func(dst, x []float64)
			scalar func(float64) float64
			domain []float64
		}{
			{"ExpTo", ExpTo, Exp, mod}, {"LogTo", LogTo, Log, pos}, {"Log1pTo", Log1pTo, Log1p, gtm1},
			{"SigmoidTo", SigmoidTo, Sigmoid, mod}, {"LogSigmoidTo", LogSigmoidTo, LogSigmoid, mod}, {"SoftplusTo", SoftplusTo, Softplus, mod},
		} {
			dom := make([]float64, n)
			k.slice(dom, k.domain)
			for i, v := range k.domain {
				if want := k.scalar(v); ulpDiff(dom[i], want) != 0 {
					t.Fatalf("%s n=%d at x = %v: %v, scalar %v", k.name, n, v, dom[i], want)
				}
			}
			dst := make([]float64, n)
			k.slice(dst, x)
			inPlace := append([]float64(nil), x...)
			k.slice(inPlace, inPlace)
			for i, v := range x {
				want := k.scalar(v)
				if ulpDiff(dst[i], want) != 0 || ulpDiff(inPlace[i], want) != 0 {
					t.Fatalf("%s n=%d at x = %v: %v (in place %v), scalar %v", k.name, n, v, dst[i], inPlace[i], want)
				}
			}
		}
	}
}

// TestPoissonAndNormal checks the other fused kernels against their
// documented compositions (bit for bit) and gonum-free closed forms.
func TestPoissonAndNormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	for _, n := range []int{0, 1, 5, 1000} {
		eta, y := make([]float64, n), make([]float64, n)
		for i := range eta {
			eta[i] = rng.NormFloat64() * 2
			y[i] = float64(rng.IntN(20))
		}
		resid := make([]float64, n)
		got := PoissonLog(eta, y, resid)
		terms := make([]float64, n)
		for i := range eta {
			e := Exp(eta[i])
			terms[i] = float64(y[i]*eta[i]) - e
			if resid[i] != y[i]-e {
				t.Fatalf("PoissonLog resid[%d] = %v, want %v", i, resid[i], y[i]-e)
			}
		}
		if want := Sum(terms); got != want {
			t.Errorf("PoissonLog n=%d = %v, composition %v", n, got, want)
		}
		// Against the math package: sum y*eta - exp(eta) - lgamma(y+1).
		var ref float64
		for i := range eta {
			lg, _ := math.Lgamma(y[i] + 1)
			ref += y[i]*eta[i] - math.Exp(eta[i]) - lg
		}
		if full := got - LogFactorialSum(y); math.Abs(full-ref) > 1e-11*(1+math.Abs(ref)) {
			t.Errorf("PoissonLog n=%d full log-likelihood %v, math package %v", n, full, ref)
		}

		mu := make([]float64, n)
		for i := range mu {
			mu[i] = rng.NormFloat64()
		}
		const sigma = 0.7
		s := NormalSumSq(y, mu, 1/sigma, resid)
		var want float64
		for i := range mu {
			z := (y[i] - mu[i]) / sigma
			want += z * z
			if g := (y[i] - mu[i]) / (sigma * sigma); math.Abs(resid[i]-g) > 1e-14*math.Abs(g) {
				t.Fatalf("NormalSumSq resid[%d] = %v, want %v", i, resid[i], g)
			}
		}
		if math.Abs(s-want) > 1e-13*(1+want) {
			t.Errorf("NormalSumSq n=%d = %v, want %v", n, s, want)
		}
	}
}
