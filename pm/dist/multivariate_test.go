package dist

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// randomSPD is a random symmetric positive definite k×k matrix A Aᵀ + k I.
func randomSPD(r *rand.Rand, k int) *mat.SymDense {
	a := mat.NewDense(k, k, nil)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			a.Set(i, j, r.NormFloat64())
		}
	}
	s := mat.NewSymDense(k, nil)
	s.SymOuterK(1, a)
	for i := 0; i < k; i++ {
		s.SetSym(i, i, s.At(i, i)+float64(k)*0.5)
	}
	return s
}

func symRows(s *mat.SymDense) [][]float64 {
	k := s.SymmetricDim()
	r := make([][]float64, k)
	for i := range r {
		r[i] = make([]float64, k)
		for j := range r[i] {
			r[i][j] = s.At(i, j)
		}
	}
	return r
}

// TestDistMvNormal checks the covariance, precision and Cholesky forms against gonum's
// distmv.Normal, for one vector and for a batch of vectors (rows), and their gradients in the
// value, the mean and the matrix.
func TestDistMvNormal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	const k, n = 3, 6
	for trial := 0; trial < 4; trial++ {
		cov := randomSPD(r, k)
		mu := []float64{r.NormFloat64(), r.NormFloat64(), r.NormFloat64()}
		ref, ok := distmv.NewNormal(mu, cov, nil)
		if !ok {
			t.Fatal("gonum rejects the covariance")
		}
		var ch mat.Cholesky
		ch.Factorize(cov)
		var l mat.TriDense
		ch.LTo(&l)
		var prec mat.SymDense
		if err := ch.InverseTo(&prec); err != nil {
			t.Fatal(err)
		}
		xs := make([][]float64, n)
		for i := range xs {
			xs[i] = []float64{r.NormFloat64() * 2, r.NormFloat64() * 2, r.NormFloat64() * 2}
		}
		forms := map[string]Dist{
			"cov":       MvNormal(mu, cov),
			"cov-rows":  MvNormal(mu, symRows(cov)),
			"precision": MvNormalPrec(mu, &prec),
			"cholesky":  MvNormalChol(mu, &l),
		}
		for name, d := range forms {
			got := logpAt(t, d, xs)
			if len(got) != n {
				t.Fatalf("%s: batch logp has %d values, want %d", name, len(got), n)
			}
			for i, x := range xs {
				if want := ref.LogProb(x); !closeTo(got[i], want, 1e-10) {
					t.Errorf("%s: x = %v: logp %v, want %v", name, x, got[i], want)
				}
			}
			one := logpAt(t, d, xs[0])
			if len(one) != 1 || !closeTo(one[0], ref.LogProb(xs[0]), 1e-10) {
				t.Errorf("%s: single vector logp %v, want %v", name, one, ref.LogProb(xs[0]))
			}
			if s := d.Shape(); !sameInts(s, []int{k}) || d.EventNDim() != 1 {
				t.Errorf("%s: shape %v event rank %d, want [3] and 1", name, s, d.EventNDim())
			}
		}
		// Gradients with the covariance (or Cholesky factor, precision) as a variable.
		opts := &tensor.VerifyOptions{RelTol: 1e-4, AbsTol: 1e-5}
		sym := func(m *tensor.Tensor) *tensor.Tensor { return tensor.Mul(0.5, tensor.Add(m, tensor.Transpose(m))) }
		if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
			return MvNormal(in[1], sym(in[2])).Logp(in[0])
		}, []any{xs[:2], mu, symRows(cov)}, opts); err != nil {
			t.Errorf("cov gradient: %v", err)
		}
		if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
			return MvNormalChol(in[1], tensor.Tril(in[2])).Logp(in[0])
		}, []any{xs[0], mu, mat.DenseCopyOf(&l)}, opts); err != nil {
			t.Errorf("cholesky gradient: %v", err)
		}
		if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
			return MvNormalPrec(in[1], sym(in[2])).Logp(in[0])
		}, []any{xs[:2], mu, symRows(&prec)}, opts); err != nil {
			t.Errorf("precision gradient: %v", err)
		}
	}
	// A batch of means: one row per value row.
	mus := [][]float64{{0, 1, 2}, {-1, 0, 1}}
	cov := randomSPD(r, k)
	d := MvNormal(mus, cov)
	if !sameInts(d.Shape(), []int{2, 3}) {
		t.Errorf("batched mean: shape %v, want [2 3]", d.Shape())
	}
	xs := [][]float64{{0.5, 0.2, -1}, {1, 2, 3}}
	got := logpAt(t, d, xs)
	for i := range xs {
		ref, _ := distmv.NewNormal(mus[i], cov, nil)
		if want := ref.LogProb(xs[i]); !closeTo(got[i], want, 1e-10) {
			t.Errorf("batched mean row %d: logp %v, want %v", i, got[i], want)
		}
	}
}

// TestDistDirichlet checks Dirichlet against gonum's distmv.Dirichlet, -Inf off the simplex,
// and the gradient in the concentrations and the value.
func TestDistDirichlet(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for trial := 0; trial < 10; trial++ {
		k := 2 + r.IntN(4)
		a := make([]float64, k)
		x := make([]float64, k)
		s := 0.0
		for i := range a {
			a[i] = u(r, 0.3, 5)
			x[i] = u(r, 0.05, 1)
			s += x[i]
		}
		for i := range x {
			x[i] /= s
		}
		want := distmv.NewDirichlet(a, nil).LogProb(x)
		if got := logpAt(t, Dirichlet(a), x)[0]; !closeTo(got, want, 1e-10) {
			t.Errorf("a = %v, x = %v: logp %v, want %v", a, x, got, want)
		}
		if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
			return Dirichlet(in[0]).Logp(tensor.Const(x))
		}, []any{a}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
			t.Errorf("gradient in a: %v", err)
		}
		if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
			// Keep the value on the simplex: x = v / Σv.
			return Dirichlet(a).Logp(tensor.Div(in[0], tensor.Sum(in[0])))
		}, []any{x}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
			t.Errorf("gradient in x: %v", err)
		}
	}
	// Off the simplex; and as a variable (no constant shortcut).
	for _, x := range [][]float64{{0.5, 0.6}, {-0.1, 1.1}, {0, 1}} {
		if v := logpAt(t, Dirichlet([]float64{2, 3}), x)[0]; !math.IsInf(v, -1) {
			t.Errorf("x = %v off the simplex: logp %v, want -Inf", x, v)
		}
		if v := evalT(t, Dirichlet([]float64{2, 3}).Logp(tensor.Shared("x", x))).Data[0]; !math.IsInf(v, -1) {
			t.Errorf("variable x = %v off the simplex: logp %v, want -Inf", x, v)
		}
	}
	// A batch of rows with one concentration vector.
	xs := [][]float64{{0.2, 0.3, 0.5}, {0.6, 0.1, 0.3}}
	a := []float64{1.5, 2, 0.7}
	got := logpAt(t, Dirichlet(a), xs)
	for i, x := range xs {
		if want := distmv.NewDirichlet(a, nil).LogProb(x); !closeTo(got[i], want, 1e-10) {
			t.Errorf("batch row %d: %v, want %v", i, got[i], want)
		}
	}
}

// TestDistMultinomial checks Multinomial against the closed form n!/Πx_i! Π p_i^x_i computed
// with distuv.Binomial factors (a product of conditional binomials), -Inf for counts not
// summing to n, and the gradient in p.
func TestDistMultinomial(t *testing.T) {
	p := []float64{0.2, 0.5, 0.3}
	for _, x := range [][]float64{{2, 5, 3}, {0, 10, 0}, {10, 0, 0}, {1, 1, 8}} {
		// P(x) = Binom(x0 | n, p0) · Binom(x1 | n-x0, p1/(1-p0)) · 1.
		want := distuv.Binomial{N: 10, P: p[0]}.LogProb(x[0]) + distuv.Binomial{N: 10 - x[0], P: p[1] / (1 - p[0])}.LogProb(x[1])
		if got := logpAt(t, Multinomial(10, p), x)[0]; !closeTo(got, want, 1e-10) {
			t.Errorf("x = %v: logp %v, want %v", x, got, want)
		}
	}
	for _, x := range [][]float64{{2, 5, 2}, {-1, 6, 5}, {1.5, 5, 3.5}} {
		if v := logpAt(t, Multinomial(10, p), x)[0]; !math.IsInf(v, -1) {
			t.Errorf("x = %v: logp %v, want -Inf", x, v)
		}
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		return Multinomial(10, in[0]).Logp(tensor.Const([]float64{2, 5, 3}))
	}, []any{p}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
		t.Error(err)
	}
	iv := evalT(t, Multinomial(10, []float64{0.25, 0.25, 0.5}).InitialValue(nil))
	if s := iv.Data[0] + iv.Data[1] + iv.Data[2]; s != 10 || iv.DType != tensor.Int64 {
		t.Errorf("initial value %v sums to %v, want int64 counts summing to 10", iv, s)
	}
}

// TestDistCategorical checks Categorical and CategoricalLogit against distuv.Categorical, with a
// batch of probability vectors, zero probabilities, and values out of range.
func TestDistCategorical(t *testing.T) {
	w := [][]float64{{0.2, 0.5, 0.3}, {0, 0.25, 0.75}}
	xs := []float64{1, 2}
	got := logpAt(t, Categorical(w), xs)
	for i := range xs {
		want := distuv.NewCategorical(w[i], nil).LogProb(xs[i])
		if !closeTo(got[i], want, 1e-12) {
			t.Errorf("row %d: logp %v, want %v", i, got[i], want)
		}
	}
	if v := logpAt(t, Categorical(w), []float64{3, 0}); !math.IsInf(v[0], -1) || !math.IsInf(v[1], -1) {
		t.Errorf("zero probability and out of range: %v, want -Inf", v)
	}
	// The logit form agrees with the probability form.
	lg := []float64{0.3, -1, 2}
	pr := make([]float64, 3)
	z := 0.0
	for i, l := range lg {
		pr[i] = math.Exp(l)
		z += pr[i]
	}
	for i := range pr {
		pr[i] /= z
	}
	for x := 0; x < 3; x++ {
		a := logpAt(t, CategoricalLogit(lg), x)[0]
		b := logpAt(t, Categorical(pr), x)[0]
		if !closeTo(a, b, 1e-12) {
			t.Errorf("x = %d: logit form %v, probability form %v", x, a, b)
		}
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		return CategoricalLogit(in[0]).Logp(tensor.Const([]int{2, 0, 1}))
	}, []any{lg}, nil); err != nil {
		t.Error(err)
	}
	if v := evalT(t, Categorical(w).InitialValue(nil)).Data; v[0] != 1 || v[1] != 2 {
		t.Errorf("initial value %v, want the modes [1 2]", v)
	}
}

// TestDistLKJ checks the LKJ normalizing constant against independent values (the
// one-dimensional integral for n = 2, the volume π²/2 of the 3×3 elliptope at η = 1, and a
// midpoint-rule integral at n = 3, η = 2), LKJCorr's log-density, and LKJCholeskyCov against
// the change of variables L ↦ (σ, R) with a finite-difference Jacobian.
func TestDistLKJ(t *testing.T) {
	logNorm := func(n int, eta float64) float64 { return evalT(t, lkjLogNorm(n, tensor.Const(eta))).Data[0] }
	for _, eta := range []float64{0.7, 1, 2.5} {
		// ∫_{-1}^{1} (1-ρ²)^(η-1) dρ by the substitution ρ = sin θ (smooth integrand).
		const m = 20000
		s := 0.0
		for i := 0; i < m; i++ {
			th := -math.Pi/2 + math.Pi*(float64(i)+0.5)/m
			s += math.Pow(math.Cos(th), 2*eta-1)
		}
		s *= math.Pi / m
		if got := logNorm(2, eta); math.Abs(got-math.Log(s)) > 1e-6 {
			t.Errorf("n = 2, η = %v: log c %v, integral gives %v", eta, got, math.Log(s))
		}
	}
	if got := logNorm(3, 1); math.Abs(got-math.Log(math.Pi*math.Pi/2)) > 1e-12 {
		t.Errorf("n = 3, η = 1: log c %v, want log(π²/2)", got)
	}
	{
		const m = 120
		s := 0.0
		h := 2.0 / m
		for i := 0; i < m; i++ {
			a := -1 + h*(float64(i)+0.5)
			for j := 0; j < m; j++ {
				b := -1 + h*(float64(j)+0.5)
				for k := 0; k < m; k++ {
					c := -1 + h*(float64(k)+0.5)
					if det := 1 - a*a - b*b - c*c + 2*a*b*c; det > 0 {
						s += det
					}
				}
			}
		}
		s *= h * h * h
		if got := logNorm(3, 2); math.Abs(got-math.Log(s)) > 2e-3 {
			t.Errorf("n = 3, η = 2: log c %v, integral gives %v", got, math.Log(s))
		}
	}
	// LKJCorr at a correlation matrix.
	rm := [][]float64{{1, 0.3, -0.2}, {0.3, 1, 0.4}, {-0.2, 0.4, 1}}
	det := mat.Det(mat.NewDense(3, 3, []float64{1, 0.3, -0.2, 0.3, 1, 0.4, -0.2, 0.4, 1}))
	for _, eta := range []float64{1, 3} {
		got := logpAt(t, LKJCorr(3, eta), rm)[0]
		if want := (eta-1)*math.Log(det) - logNorm(3, eta); !closeTo(got, want, 1e-12) {
			t.Errorf("LKJCorr η = %v: %v, want %v", eta, got, want)
		}
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		// The value through the transform, so that it stays a correlation matrix.
		return LKJCorr(3, in[1]).Logp(CorrMatrix(3).Backward(in[0]))
	}, []any{[]float64{0.3, -0.5, 1.1}, 2.5}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
		t.Errorf("LKJCorr gradient: %v", err)
	}
	if v := logpAt(t, LKJCorr(3, 2.0), [][]float64{{1, 0.3, 0}, {0.2, 1, 0}, {0, 0, 1}})[0]; !math.IsInf(v, -1) {
		t.Errorf("LKJCorr of a non-symmetric matrix: %v, want -Inf", v)
	}

	// LKJCholeskyCov: p_L(L) = p_σ(σ) p_LKJ(R) |det ∂(σ, R)/∂L|.
	const n = 3
	eta := 1.7
	sdd := Gamma(2.0, 1.5)
	d := LKJCholeskyCov(n, eta, sdd)
	r := rand.New(rand.NewPCG(8, 8))
	for trial := 0; trial < 3; trial++ {
		var lv []float64 // packed lower triangle
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				if i == j {
					lv = append(lv, u(r, 0.5, 2))
				} else {
					lv = append(lv, r.NormFloat64())
				}
			}
		}
		full := func(v []float64) []float64 {
			m := make([]float64, n*n)
			for q, idx := range triIndex(n, false) {
				m[idx] = v[q]
			}
			return m
		}
		g := func(v []float64) []float64 { // L ↦ (σ, strict lower of R)
			l := mat.NewDense(n, n, full(v))
			var c mat.Dense
			c.Mul(l, l.T())
			out := make([]float64, 0, 6)
			sd := make([]float64, n)
			for i := range sd {
				sd[i] = math.Sqrt(c.At(i, i))
				out = append(out, sd[i])
			}
			for i := 1; i < n; i++ {
				for j := 0; j < i; j++ {
					out = append(out, c.At(i, j)/(sd[i]*sd[j]))
				}
			}
			return out
		}
		m := len(lv)
		jac := mat.NewDense(m, m, nil)
		for j := 0; j < m; j++ {
			vp, vm := append([]float64{}, lv...), append([]float64{}, lv...)
			vp[j] += 1e-6
			vm[j] -= 1e-6
			fp, fm := g(vp), g(vm)
			for i := 0; i < m; i++ {
				jac.Set(i, j, (fp[i]-fm[i])/2e-6)
			}
		}
		var lu mat.LU
		lu.Factorize(jac)
		logDetJ, _ := lu.LogDet()
		sr := g(lv)
		want := logDetJ
		for i := 0; i < n; i++ {
			want += distuv.Gamma{Alpha: 2, Beta: 1.5}.LogProb(sr[i])
		}
		rr := mat.NewDense(n, n, nil)
		q := n
		for i := 0; i < n; i++ {
			rr.Set(i, i, 1)
			for j := 0; j < i; j++ {
				rr.Set(i, j, sr[q])
				rr.Set(j, i, sr[q])
				q++
			}
		}
		want += (eta-1)*math.Log(mat.Det(rr)) - logNorm(n, eta)
		lrows := make([][]float64, n)
		fl := full(lv)
		for i := range lrows {
			lrows[i] = fl[i*n : i*n+n]
		}
		got := logpAt(t, d, lrows)[0]
		if math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("LKJCholeskyCov at %v: logp %v, change of variables gives %v", lrows, got, want)
		}
		if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
			return LKJCholeskyCov(n, in[1], Gamma(2.0, 1.5)).Logp(tensor.Tril(in[0]))
		}, []any{lrows, eta}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
			t.Errorf("LKJCholeskyCov gradient: %v", err)
		}
	}
}
