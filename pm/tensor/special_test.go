package tensor_test

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// spCompile compiles outputs of scalar inputs on the default backend and returns a function of
// float64 values.
func spCompile(t *testing.T, in []*tensor.Tensor, out []*tensor.Tensor) func(x ...float64) []float64 {
	t.Helper()
	args := make([]any, len(in))
	for i, v := range in {
		args[i] = v
	}
	f, err := backend.Compile(args, out)
	if err != nil {
		t.Fatal(err)
	}
	return func(x ...float64) []float64 {
		vals := make([]any, len(x))
		for i, v := range x {
			vals[i] = v
		}
		res, err := f.Call(vals...)
		if err != nil {
			t.Fatal(err)
		}
		r := make([]float64, len(res))
		for i, a := range res {
			r[i] = a.Data[0]
		}
		return r
	}
}

// ewGammaIncSeries is P(a, x) by the series P(a, x) = x^a e^(−x) Σₙ xⁿ/Γ(a+n+1) (DLMF 8.7.1,
// with γ*(a, x) = e^(−x) Σ xⁿ/Γ(a+n+1)), summed in a loop independent of gonum's Cephes code.
func ewGammaIncSeries(a, x float64) float64 {
	lg, _ := math.Lgamma(a + 1)
	term := math.Exp(a*math.Log(x) - x - lg) // n = 0
	sum := term
	for n := 1; n < 100000 && term > 1e-18*sum; n++ {
		term *= x / (a + float64(n))
		sum += term
	}
	return sum
}

// ewGammaIncDaSeries is ∂P(a, x)/∂a by differentiating the series of ewGammaIncSeries term by
// term: ∂/∂a [x^(a+n) e^(−x)/Γ(a+n+1)] = that term × (log x − ψ(a+n+1)).
func ewGammaIncDaSeries(a, x float64) float64 {
	lg, _ := math.Lgamma(a + 1)
	term := math.Exp(a*math.Log(x) - x - lg)
	psi := ewDigamma(a + 1)
	sum := term * (math.Log(x) - psi)
	for n := 1; n < 100000; n++ {
		term *= x / (a + float64(n))
		psi += 1 / (a + float64(n))
		sum += term * (math.Log(x) - psi)
		if term < 1e-18*math.Abs(sum) && float64(n) > x {
			break
		}
	}
	return sum
}

// ewGammaIncCDaQuad is ∂Q(a, x)/∂a = ∫ₓ^∞ (log t − ψ(a)) t^(a−1) e^(−t) dt / Γ(a) by composite
// Simpson's rule on [x, x + 60 + 10a] (the rest of the integral is below 1e-20 relative), for
// the upper tail where the series of ewGammaIncDaSeries cancels.
func ewGammaIncCDaQuad(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	psi := ewDigamma(a)
	f := func(t float64) float64 { return (math.Log(t) - psi) * math.Exp((a-1)*math.Log(t)-t-lg) }
	const n = 200000
	h := (60 + 10*a) / n
	sum := f(x) + f(x+n*h)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * f(x+float64(i)*h)
	}
	return sum * h / 3
}

// ewBetaIncSeries is I_x(a, b) from the hypergeometric series
// B(x; a, b) = x^a Σₙ (1−b)ₙ xⁿ/(n! (a+n)) (DLMF 8.17.7 with 2F1 expanded), for x < 1.
func ewBetaIncSeries(a, b, x float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	c := 1.0 // (1−b)ₙ/n!
	sum := 1 / a
	for n := 1; n < 1000000; n++ {
		c *= (float64(n) - b) / float64(n) * x
		t := c / (a + float64(n))
		sum += t
		if math.Abs(t) < 1e-18*math.Abs(sum) && n > 10 {
			break
		}
	}
	return math.Exp(a*math.Log(x)+lab-la-lb) * sum
}

// TestSpecialShapeGradients checks ∂P/∂a and ∂I/∂a, ∂I/∂b (computed by a five-point stencil on
// the logarithm of the smaller tail) against the term-by-term derivative of the series and
// against central differences of the series, over the bulk and both tails.
func TestSpecialShapeGradients(t *testing.T) {
	a := tensor.NewVar("a", tensor.Float64)
	b := tensor.NewVar("b", tensor.Float64)
	x := tensor.NewVar("x", tensor.Float64)
	grads := func(y *tensor.Tensor, wrt ...*tensor.Tensor) []*tensor.Tensor { return tensor.Grad(y, wrt...) }

	gp := grads(tensor.GammaInc(a, x), a)[0]
	gq := grads(tensor.GammaIncC(a, x), a)[0]
	fp := spCompile(t, []*tensor.Tensor{a, x}, []*tensor.Tensor{gp, gq})
	for _, c := range [][2]float64{{0.3, 0.01}, {0.5, 2}, {2, 0.5}, {2, 2}, {5, 30}, {30, 5}, {100, 95}, {1e-3, 1e-3}, {7.5, 60}} {
		out := fp(c[0], c[1])
		want := ewGammaIncDaSeries(c[0], c[1])
		if c[1] > c[0]+1 {
			want = -ewGammaIncCDaQuad(c[0], c[1])
		}
		if got := out[0]; math.Abs(got-want) > 1e-8*math.Abs(want)+1e-300 {
			t.Errorf("dP/da(%v, %v) = %.15g, series %.15g", c[0], c[1], got, want)
		}
		if got := out[1]; math.Abs(got+want) > 1e-8*math.Abs(want)+1e-300 {
			t.Errorf("dQ/da(%v, %v) = %.15g, series %.15g", c[0], c[1], got, -want)
		}
	}

	gi := grads(tensor.BetaInc(a, b, x), a, b)
	fb := spCompile(t, []*tensor.Tensor{a, b, x}, gi)
	for _, c := range [][3]float64{{0.5, 0.5, 0.3}, {2, 3, 0.4}, {2, 3, 0.01}, {5, 1.5, 0.95}, {0.2, 7, 0.6}, {30, 40, 0.2}, {3, 3, 0.8}} {
		out := fb(c[0], c[1], c[2])
		// Central differences of the independent series with a step small enough for 1e-7.
		num := func(i int) float64 {
			p, m := c, c
			h := 1e-5 * c[i]
			p[i] += h
			m[i] -= h
			return (ewBetaIncSeries(p[0], p[1], p[2]) - ewBetaIncSeries(m[0], m[1], m[2])) / (2 * h)
		}
		for i := 0; i < 2; i++ {
			want := num(i)
			if got := out[i]; math.Abs(got-want) > 1e-6*math.Abs(want)+1e-12 {
				t.Errorf("dI/d%c(%v) = %.12g, series differences %.12g", "ab"[i], c, got, want)
			}
		}
	}
}
