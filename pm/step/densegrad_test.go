package step

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// nearlyCollinear is a correlation matrix with an intercept–slope pair correlated at
// −0.99998, as for a regression on calendar years, and scales from 10⁻⁴ to 3.
func nearlyCollinear() (corr *mat.SymDense, sd []float64) {
	sd = []float64{0.2, 1e-4, 1, 3}
	c := [][]float64{
		{1, -0.99998, 0.2, 0},
		{-0.99998, 1, -0.2, 0},
		{0.2, -0.2, 1, 0.5},
		{0, 0, 0.5, 1},
	}
	n := len(sd)
	corr = mat.NewSymDense(n, nil)
	for i := range n {
		for j := range n {
			corr.SetSym(i, j, c[i][j])
		}
	}
	return corr, sd
}

func TestDenseFromDrawsAndGradsIsExactForGaussians(t *testing.T) {
	corr, sd := nearlyCollinear()
	n := len(sd)
	var rinv mat.Dense
	if err := rinv.Inverse(corr); err != nil {
		t.Fatal(err)
	}
	mu := []float64{20, -0.01, 0.5, 3}
	// Draws as a first window under a diagonal metric gives them: each coordinate on its own
	// scale, uniform in a box, blind to the correlation. Σ = D R D and the gradient at
	// x = μ + D u is −D⁻¹ R⁻¹ u: it carries Σ⁻¹.
	rng := rand.New(rand.NewPCG(1, 2))
	u := make([]float64, n)
	got, cx := windowEstimate(t, n, 12, func(x, g []float64) {
		for i := range u {
			u[i] = 2*rng.Float64() - 1
			x[i] = mu[i] + sd[i]*u[i]
		}
		for i := range n {
			g[i] = 0
			for j := range n {
				g[i] -= rinv.At(i, j) * u[j] / sd[i]
			}
		}
	})
	for i := range n {
		for j := range n {
			want := corr.At(i, j) * sd[i] * sd[j]
			if d := math.Abs(got[i*n+j]-want) / (sd[i] * sd[j]); d > 1e-6 {
				t.Errorf("Σ̂[%d,%d] = %.10g, want %.10g (error %.2g of the scale)", i, j, got[i*n+j], want, d)
			}
		}
	}
	// The draws' own covariance from this window (Stan's estimator) misses the correlation
	// entirely.
	if r := cx[1] / math.Sqrt(cx[0]*cx[n+1]); math.Abs(r) > 0.9 {
		t.Errorf("the test's window is too easy: the draws' intercept–slope correlation is %.3f", r)
	}
}

func TestDenseFromDrawsAndGradsFewDraws(t *testing.T) {
	// Fewer draws than dimensions: both covariances are singular; the shrunk estimate is still
	// positive definite and keeps every coordinate's scale.
	n := 6
	rng := rand.New(rand.NewPCG(3, 4))
	sd := []float64{1e-3, 1e-2, 1, 10, 100, 1e3}
	got, _ := windowEstimate(t, n, 4, func(x, g []float64) {
		for i := range x {
			x[i] = sd[i] * rng.NormFloat64()
			g[i] = -x[i] / (sd[i] * sd[i])
		}
	})
	var ch mat.Cholesky
	if !ch.Factorize(mat.NewSymDense(n, got)) {
		t.Fatal("the estimate is not positive definite")
	}
	for i, s := range sd {
		if r := got[i*n+i] / (s * s); r < 0.2 || r > 5 {
			t.Errorf("variance %d: %.3g, true %.3g (ratio %.2f)", i, got[i*n+i], s*s, r)
		}
	}
}

// windowEstimate runs denseFromDrawsAndGrads on a window of k draws and gradients made by
// fill; it returns the estimate and the draws' covariance.
func windowEstimate(t *testing.T, n, k int, fill func(x, g []float64)) (est, cx []float64) {
	t.Helper()
	wx, wg := newWelford(n, true), newWelford(n, true)
	x, g := make([]float64, n), make([]float64, n)
	for range k {
		fill(x, g)
		wx.add(x)
		wg.add(g)
	}
	cx, cg := make([]float64, n*n), make([]float64, n*n)
	wx.variance(cx)
	wg.variance(cg)
	est, ok := denseFromDrawsAndGrads(cx, cg, n, wx.count)
	if !ok {
		t.Fatalf("no estimate from %d draws in %d dimensions", k, n)
	}
	return est, cx
}
