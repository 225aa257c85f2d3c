package gp

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// Mean is a mean function m(x) of inputs n×d, a vector of length n.
type Mean interface {
	Eval(x *tensor.Tensor) *tensor.Tensor
}

type zeroMean struct{}

// Zero is the zero mean function (the default).
func Zero() Mean { return zeroMean{} }

func (zeroMean) Eval(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Reshape(tensor.ZerosLike(tensor.Slice(AsMatrix(x), 1, 0, 1, 1)), -1)
}

type constMean struct{ c *tensor.Tensor }

// ConstantMean is the mean function c.
func ConstantMean(c any) Mean { return constMean{c: tensor.Cast(tensor.As(c), tensor.Float64)} }

func (m constMean) Eval(x *tensor.Tensor) *tensor.Tensor { return tensor.Add(Zero().Eval(x), m.c) }

type linearMean struct{ coeffs, intercept *tensor.Tensor }

// LinearMean is the mean function x·coeffs + intercept (coeffs of length d).
func LinearMean(coeffs, intercept any) Mean {
	return linearMean{coeffs: tensor.Cast(tensor.As(coeffs), tensor.Float64), intercept: tensor.Cast(tensor.As(intercept), tensor.Float64)}
}

func (m linearMean) Eval(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Add(tensor.Dot(AsMatrix(x), m.coeffs), m.intercept)
}

func meanOf(m Mean, x *tensor.Tensor) *tensor.Tensor {
	if m == nil {
		return Zero().Eval(x)
	}
	return m.Eval(x)
}

// eye is the n×n identity as a constant.
func eye(n int) *tensor.Tensor {
	a := tensor.NewArray(tensor.Float64, n, n)
	for i := 0; i < n; i++ {
		a.Data[i*n+i] = 1
	}
	return tensor.Const(a)
}

func rows(x *tensor.Tensor) int {
	n := x.Shape()[0]
	if n < 0 {
		fail("the number of input rows must be known when the GP is built")
	}
	return n
}

const defaultJitter = 1e-6

// ---------------------------------------------------------------------------------------------

// Latent is a GP prior on a latent function, for non-normal likelihoods. Prior adds
// f = m(X) + L v with v ~ Normal(0, 1) and L the Cholesky factor of K(X, X) + jitter·I (the
// non-centred parameterization PyMC uses).
type Latent struct {
	Mean   Mean    // nil: zero
	Cov    Cov     // required
	Jitter float64 // added to the diagonal; 0 means 1e-6

	x, l, v *tensor.Tensor
}

func (g *Latent) jitter() float64 {
	if g.Jitter > 0 {
		return g.Jitter
	}
	return defaultJitter
}

// Prior adds the free variable name+"_rotated_" (the standard normal v) and the deterministic
// name (f at the rows of x) to m, and returns f.
func (g *Latent) Prior(m *pm.Model, name string, x any) *tensor.Tensor {
	if g.Cov == nil {
		fail("Latent: Cov is nil")
	}
	g.x = AsMatrix(x)
	n := rows(g.x)
	k := tensor.Add(g.Cov.K(g.x, nil), tensor.Mul(g.jitter(), eye(n)))
	g.l = tensor.Cholesky(k)
	g.v = m.Var(name+"_rotated_", dist.Normal(0.0, 1.0), pm.Shape(n))
	f := tensor.Add(meanOf(g.Mean, g.x), tensor.Dot(g.l, g.v))
	return m.Deterministic(name, f)
}

// Conditional is the distribution of f at new inputs given f at the prior's inputs: its mean
// m(X*) + Aᵀv and covariance K(X*, X*) - AᵀA with A = L⁻¹K(X, X*), as graphs of the model's
// variables (Predict evaluates them at a point).
func (g *Latent) Conditional(xnew any) (mu, cov *tensor.Tensor) {
	if g.l == nil {
		fail("Latent: Conditional before Prior")
	}
	xs := AsMatrix(xnew)
	a := tensor.SolveTriangular(g.l, g.Cov.K(g.x, xs), true)
	mu = tensor.Add(meanOf(g.Mean, xs), tensor.Dot(tensor.Transpose(a), g.v))
	cov = tensor.Sub(g.Cov.K(xs, nil), tensor.Dot(tensor.Transpose(a), a))
	return mu, cov
}

// ---------------------------------------------------------------------------------------------

// Marginal is a GP regression with normal noise, the latent function integrated out:
// y ~ MvNormal(m(X), K(X, X) + σ²I).
type Marginal struct {
	Mean   Mean
	Cov    Cov
	Jitter float64

	x, y, sigma *tensor.Tensor
}

// MarginalLikelihood adds the observed variable name with y ~ MvNormal(m(X), K(X, X) + σ²I)
// (plus the jitter) to m and returns it. sigma may be a model variable.
func (g *Marginal) MarginalLikelihood(m *pm.Model, name string, x, y, sigma any) *tensor.Tensor {
	if g.Cov == nil {
		fail("Marginal: Cov is nil")
	}
	g.x = AsMatrix(x)
	g.y = tensor.Cast(tensor.As(y), tensor.Float64)
	g.sigma = tensor.Cast(tensor.As(sigma), tensor.Float64)
	n := rows(g.x)
	if s := g.y.Shape(); len(s) != 1 || s[0] != n {
		fail("Marginal: y has shape %s, but X has %d rows", tensor.ShapeString(s), n)
	}
	return m.Observe(name, dist.MvNormal(meanOf(g.Mean, g.x), g.noisyK(n)), y)
}

func (g *Marginal) noisyK(n int) *tensor.Tensor {
	j := g.Jitter
	if j <= 0 {
		j = defaultJitter
	}
	return tensor.Add(g.Cov.K(g.x, nil), tensor.Mul(tensor.Add(tensor.Square(g.sigma), j), eye(n)))
}

// Conditional is the distribution of f at new inputs given the data: mean
// m(X*) + K(X*, X)(K + σ²I)⁻¹(y - m(X)) and covariance K(X*, X*) - K(X*, X)(K + σ²I)⁻¹K(X, X*)
// (plus σ²I with predNoise, for new observations), as graphs of the model's variables.
func (g *Marginal) Conditional(xnew any, predNoise bool) (mu, cov *tensor.Tensor) {
	if g.x == nil {
		fail("Marginal: Conditional before MarginalLikelihood")
	}
	xs := AsMatrix(xnew)
	l := tensor.Cholesky(g.noisyK(rows(g.x)))
	a := tensor.SolveTriangular(l, g.Cov.K(g.x, xs), true)
	r := tensor.SolveTriangular(l, tensor.Sub(g.y, meanOf(g.Mean, g.x)), true)
	mu = tensor.Add(meanOf(g.Mean, xs), tensor.Dot(tensor.Transpose(a), r))
	cov = tensor.Sub(g.Cov.K(xs, nil), tensor.Dot(tensor.Transpose(a), a))
	if predNoise {
		cov = tensor.Add(cov, tensor.Mul(tensor.Square(g.sigma), eye(rows(xs))))
	}
	return mu, cov
}

// Predict evaluates a conditional mean and covariance at a point of the model's free
// variables (constrained values by variable name, as in MAPResult.Point or posterior means):
// the mean, and the variances (diag) or the covariance matrix row-major.
func Predict(m *pm.Model, p pm.Point, mu, cov *tensor.Tensor, diag bool) (mean, v []float64, err error) {
	err = tensor.Catch(func() {
		repl := map[*tensor.Tensor]*tensor.Tensor{}
		for _, rv := range m.FreeVars() {
			val, ok := p[rv.Name]
			if !ok {
				panic(&tensor.Error{Op: "gp.Predict", Msg: fmt.Sprintf("the point has no value for %s", rv.Name)})
			}
			a := tensor.NewArray(tensor.Float64, rv.Shape...)
			if len(val) != len(a.Data) {
				panic(&tensor.Error{Op: "gp.Predict", Msg: fmt.Sprintf("%s has %d values in the point, want %d", rv.Name, len(val), len(a.Data))})
			}
			copy(a.Data, val)
			repl[rv.Tensor] = tensor.Const(a)
		}
		c := cov
		if diag {
			c = tensor.ExtractDiag(cov)
		}
		outs := tensor.Replace([]*tensor.Tensor{mu, c}, repl)
		res, e := tensor.Eval(outs...)
		if e != nil {
			panic(&tensor.Error{Op: "gp.Predict", Msg: e.Error()})
		}
		mean, v = res[0].Data, res[1].Data
	})
	return mean, v, err
}

// ---------------------------------------------------------------------------------------------

// HSGP is the Hilbert-space approximate GP of Solin & Särkkä (2020) in the form of
// Riutort-Mayol et al. (2022): on the box [-L, L] around the centre of the inputs,
//
//	f(x) ≈ m(x) + Σ_j φ_j(x) √S(√λ_j) β_j,   β_j ~ Normal(0, 1)
//
// with the Laplacian's eigenfunctions φ_j(x) = Π_d √(1/L_d) sin(πj_d(x_d + L_d)/(2L_d)),
// eigenvalues λ_j = Σ_d (πj_d/(2L_d))² and S the covariance's spectral density. The inputs are
// constants; Φ is computed once, so a log-density and its gradient cost O(n·m). Use
// ApproxParams for m and c.
type HSGP struct {
	M    []int   // basis functions per active dimension
	C    float64 // boundary factor: L = C·max|x - centre| per dimension (used when L is nil)
	L    []float64
	Mean Mean
	Cov  Cov // must have a spectral density (ExpQuad, Matern12/32/52, or Scale of one)
	// Centered draws β_j ~ Normal(0, √S_j) and f = Φβ instead of the default non-centred
	// β_j ~ Normal(0, 1), f = Φ(β ⊙ √S): PyMC's parametrization="centered", the better
	// geometry when many data inform the function.
	Centered bool

	center, bigL       []float64
	beta, sqrtS, condW *tensor.Tensor
}

// ApproxParams is the basis-function advice of Riutort-Mayol et al. (2022, section 4.3, the
// linear fits of figure 7, as PyMC's approx_hsgp_hyperparams uses them): for inputs spanning
// xRange and lengthscales expected in lsRange, c = max(a₁ ℓ_max/S, 1.2) and
// m = ⌈a₂ c S/ℓ_min⌉ with S the half-range and (a₁, a₂) = (3.2, 1.75) for ExpQuad,
// (4.1, 2.65) for Matern52 and (4.5, 3.42) for Matern32.
func ApproxParams(xRange, lsRange [2]float64, cov string) (m int, c float64, err error) {
	var a1, a2 float64
	switch cov {
	case "ExpQuad":
		a1, a2 = 3.2, 1.75
	case "Matern52":
		a1, a2 = 4.1, 2.65
	case "Matern32":
		a1, a2 = 4.5, 3.42
	default:
		return 0, 0, fmt.Errorf("gp.ApproxParams: no advice for %q (ExpQuad, Matern52, Matern32)", cov)
	}
	s := (xRange[1] - xRange[0]) / 2
	if !(s > 0) || !(lsRange[0] > 0) || !(lsRange[1] >= lsRange[0]) {
		return 0, 0, fmt.Errorf("gp.ApproxParams: need xRange[0] < xRange[1] and 0 < lsRange[0] <= lsRange[1], got %v and %v", xRange, lsRange)
	}
	c = math.Max(a1*lsRange[1]/s, 1.2)
	m = int(math.Ceil(a2 * c * s / lsRange[0]))
	return m, c, nil
}

// basis returns Φ (n × Πm) for constant inputs x (n×d), and the square roots of the
// eigenvalues per basis function and dimension (Πm × d).
func (g *HSGP) basis(x *tensor.Array) (phi, omega *tensor.Array) {
	n, d := x.Shape[0], x.Shape[1]
	total := 1
	for _, mj := range g.M {
		total *= mj
	}
	phi = tensor.NewArray(tensor.Float64, n, total)
	omega = tensor.NewArray(tensor.Float64, total, d)
	idx := make([]int, d)
	for k := 0; k < total; k++ {
		r := k
		for j := d - 1; j >= 0; j-- {
			idx[j] = r%g.M[j] + 1
			r /= g.M[j]
		}
		for j := 0; j < d; j++ {
			omega.Data[k*d+j] = math.Pi * float64(idx[j]) / (2 * g.bigL[j])
		}
		for i := 0; i < n; i++ {
			v := 1.0
			for j := 0; j < d; j++ {
				xc := x.Data[i*d+j] - g.center[j]
				v *= math.Sqrt(1/g.bigL[j]) * math.Sin(math.Pi*float64(idx[j])*(xc+g.bigL[j])/(2*g.bigL[j]))
			}
			phi.Data[i*total+k] = v
		}
	}
	return phi, omega
}

// setup fixes the centre and L from the prior's inputs.
func (g *HSGP) setup(x *tensor.Array) {
	d := x.Shape[1]
	if len(g.M) != d {
		fail("HSGP: M has %d entries, but the inputs have %d columns", len(g.M), d)
	}
	for _, mj := range g.M {
		if mj < 1 {
			fail("HSGP: M must be positive, got %v", g.M)
		}
	}
	n := x.Shape[0]
	g.center = make([]float64, d)
	g.bigL = make([]float64, d)
	for j := 0; j < d; j++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < n; i++ {
			lo, hi = math.Min(lo, x.Data[i*d+j]), math.Max(hi, x.Data[i*d+j])
		}
		g.center[j] = (lo + hi) / 2
		s := (hi - lo) / 2
		switch {
		case g.L != nil:
			if len(g.L) != d || !(g.L[j] > s) {
				fail("HSGP: L must have one entry per column, each beyond the half-range of the inputs (%v), got %v", s, g.L)
			}
			g.bigL[j] = g.L[j]
		case g.C > 1:
			g.bigL[j] = g.C * s
		default:
			fail("HSGP: set C > 1 (L = C·half-range) or L; see ApproxParams")
		}
	}
}

func constInputs(x any) *tensor.Array {
	a := tensor.As(x).Value()
	if a == nil {
		fail("HSGP: the inputs must be constants")
	}
	c := a.Clone()
	c.DType = tensor.Float64
	switch len(c.Shape) {
	case 1:
		c.Shape = []int{c.Shape[0], 1}
	case 2:
	default:
		fail("inputs must be a vector or an n×d matrix, got shape %s", tensor.ShapeString(c.Shape))
	}
	return c
}

// Prior adds the free variable name+"_hsgp_coeffs_" (β, standard normal, length Πm; with
// Centered name+"_hsgp_coeffs", Normal(0, √S)) and the deterministic name (f at the rows of x)
// to m, and returns f.
func (g *HSGP) Prior(m *pm.Model, name string, x any) *tensor.Tensor {
	xa := constInputs(x)
	phi := g.coeffs(m, name, xa)
	return m.Deterministic(name, tensor.Add(meanOf(g.Mean, tensor.Const(xa)), tensor.Dot(tensor.Const(phi), g.weights())))
}

// coeffs fixes the box from the inputs xa, adds the coefficients to m and returns Φ.
func (g *HSGP) coeffs(m *pm.Model, name string, xa *tensor.Array) *tensor.Array {
	ps, ok := g.Cov.(PSDer)
	if g.Cov == nil || !ok {
		fail("HSGP: the covariance must have a spectral density (ExpQuad, Matern12/32/52, or Scale of one)")
	}
	g.setup(xa)
	phi, omega := g.basis(xa)
	g.sqrtS = tensor.Sqrt(ps.PSD(tensor.Const(omega)))
	if g.Centered {
		g.beta = m.Var(name+"_hsgp_coeffs", dist.Normal(0.0, g.sqrtS), pm.Shape(omega.Shape[0]))
	} else {
		g.beta = m.Var(name+"_hsgp_coeffs_", dist.Normal(0.0, 1.0), pm.Shape(omega.Shape[0]))
	}
	return phi
}

// normalStats are the statistics of the data that a normal likelihood of an HSGP needs: with
// r = y − m(x), the Gram matrix G = ΦᵀΦ (k×k), b = Φᵀr and rᵀr, computed once in O(n·k²).
type normalStats struct {
	n      int
	gram   *tensor.Tensor
	b      *tensor.Tensor
	rr     float64
	sigma  *tensor.Tensor // scalar
	xa, ya *tensor.Array
}

// normalData checks the inputs of ObserveNormal and MarginalNormal and fixes the box.
func (g *HSGP) normalData(op string, x, y, sigma any) (xa, ya, mean *tensor.Array, sg *tensor.Tensor) {
	if _, ok := g.Cov.(PSDer); g.Cov == nil || !ok {
		fail("HSGP: the covariance must have a spectral density (ExpQuad, Matern12/32/52, or Scale of one)")
	}
	xa = constInputs(x)
	ya = tensor.As(y).Value()
	if ya == nil || ya.Size() != xa.Shape[0] {
		fail("HSGP: %s needs constant observations, one per input row (%d)", op, xa.Shape[0])
	}
	ma, err := tensor.Eval(meanOf(g.Mean, tensor.Const(xa)))
	if err != nil {
		fail("HSGP: %s needs a mean function without free parameters: %v", op, err)
	}
	sg = tensor.Cast(tensor.As(sigma), tensor.Float64)
	size := 1
	for _, d := range sg.Shape() {
		size *= d
	}
	if size != 1 {
		fail("HSGP: %s needs a scalar sigma, got shape %s", op, tensor.ShapeString(sg.Shape()))
	}
	g.setup(xa)
	return xa, ya, ma[0], tensor.Reshape(sg)
}

// stats computes G, b and rᵀr for Φ (n×k).
func stats(phi, ya, mean *tensor.Array, sigma *tensor.Tensor) *normalStats {
	n, k := phi.Shape[0], phi.Shape[1]
	gram := make([]float64, k*k)
	b := make([]float64, k)
	rr := 0.0
	for i := 0; i < n; i++ {
		r := ya.Data[i] - mean.Data[i%mean.Size()]
		rr += r * r
		row := phi.Data[i*k : (i+1)*k]
		for p, vp := range row {
			b[p] += vp * r
			gp := gram[p*k : (p+1)*k]
			for q := p; q < k; q++ {
				gp[q] += vp * row[q]
			}
		}
	}
	for p := 0; p < k; p++ {
		for q := 0; q < p; q++ {
			gram[p*k+q] = gram[q*k+p]
		}
	}
	return &normalStats{n: n, gram: tensor.Const(&tensor.Array{DType: tensor.Float64, Shape: []int{k, k}, Data: gram}),
		b: tensor.Const(b), rr: rr, sigma: sigma}
}

// ObserveNormal adds the HSGP prior's coefficients (as Prior does) and the likelihood
// y ~ Normal(f(x), sigma) for a scalar sigma, written through statistics of the data computed
// once: with r = y − m(x), the Gram matrix G = ΦᵀΦ, b = Φᵀr and the weights w of the basis
// functions,
//
//	Σᵢ log N(yᵢ | f(xᵢ), σ) = −n log σ − (n/2) log 2π − (rᵀr − 2wᵀb + wᵀGw)/(2σ²)
//
// exactly, at O(m²) per log-density and gradient instead of the O(n·m) of Prior followed by an
// observed Normal. The posterior is the same, and so is its geometry: with many data the
// coefficients are strongly correlated and NUTS needs deep trees (MarginalNormal integrates
// them out instead). The likelihood is the Potential name+"_loglik", which it returns: y is not
// an observed variable (no pointwise log-likelihood for LOO, no posterior predictive of y), and
// f is not recorded (Conditional gives f at points of interest). The inputs, y and the mean
// function's values must be constants.
func (g *HSGP) ObserveNormal(m *pm.Model, name string, x, y, sigma any) *tensor.Tensor {
	xa, ya, mean, s := g.normalData("ObserveNormal", x, y, sigma)
	phi := g.coeffs(m, name, xa)
	st := stats(phi, ya, mean, s)
	w := g.weights()
	quad := tensor.Add(tensor.Sub(st.rr, tensor.Mul(2.0, tensor.Sum(tensor.Mul(w, st.b)))), tensor.Sum(tensor.Mul(w, tensor.Dot(st.gram, w))))
	ll := tensor.Sub(tensor.Mul(-float64(st.n), tensor.Log(s)), tensor.Add(float64(st.n)*0.5*math.Log(2*math.Pi), tensor.Div(quad, tensor.Mul(2.0, tensor.Square(s)))))
	return m.Potential(name+"_loglik", ll)
}

// MarginalNormal adds the log marginal likelihood of y ~ Normal(f(x), sigma) with the HSGP
// prior's coefficients integrated out, log N(y | m(x), ΦSΦᵀ + σ²I) with S = diag of the
// spectral density, as the Potential name+"_marginal_loglik" (returned). With D = diag(√S),
// B = I + DGD/σ² = LLᵀ (k×k, its eigenvalues at least 1), G = ΦᵀΦ, b = Φᵀ(y − m(x)), the
// Woodbury identity and the matrix determinant lemma give
//
//	−½ [rᵀr/σ² − ‖L⁻¹Db‖²/σ⁴ + 2 Σ log Lⱼⱼ + n log σ² + n log 2π]
//
// in O(k³) per log-density and gradient, independent of n. Only the hyperparameters are left
// to sample, which removes the correlated coefficients that make NUTS take deep trees with
// Prior or ObserveNormal. PredictMean gives E[f(x*) | hyperparameters, y]; its average over the
// draws is the posterior mean of f. The inputs, y and the mean function's values must be
// constants, sigma a scalar.
func (g *HSGP) MarginalNormal(m *pm.Model, name string, x, y, sigma any) *tensor.Tensor {
	xa, ya, mean, s := g.normalData("MarginalNormal", x, y, sigma)
	phi, omega := g.basis(xa)
	g.sqrtS = tensor.Sqrt(g.Cov.(PSDer).PSD(tensor.Const(omega)))
	st := stats(phi, ya, mean, s)
	k := phi.Shape[1]
	s2 := tensor.Square(s)
	dgd := tensor.Mul(tensor.Mul(st.gram, tensor.ExpandDims(g.sqrtS, 1)), tensor.ExpandDims(g.sqrtS, 0))
	// log|B| and (Db)ᵀB⁻¹(Db) = ‖L⁻¹Db‖² by one op with closed-form gradients (spd.go).
	res := tensor.ApplyOp(spdOp{}, tensor.Add(eye(k), tensor.Div(dgd, s2)), tensor.Mul(g.sqrtS, st.b))
	quad := tensor.Sub(tensor.Div(st.rr, s2), tensor.Div(res[1], tensor.Square(s2)))
	logDet := tensor.Add(res[0], tensor.Mul(float64(st.n), tensor.Log(s2)))
	ll := tensor.Mul(-0.5, tensor.Add(tensor.Add(quad, logDet), float64(st.n)*math.Log(2*math.Pi)))
	// The conditional mean of the coefficients: D B⁻¹ D b/σ² = D u/σ².
	g.condW = tensor.Div(tensor.Mul(g.sqrtS, res[2]), s2)
	return m.Potential(name+"_marginal_loglik", ll)
}

// PredictMean is E[f(x*) | hyperparameters, y] = m(x*) + Φ(x*) D B⁻¹ D b/σ² after
// MarginalNormal, as a graph of the hyperparameters (add it as a Deterministic and average it
// over the draws for the posterior mean of f).
func (g *HSGP) PredictMean(xnew any) *tensor.Tensor {
	if g.condW == nil {
		fail("HSGP: PredictMean before MarginalNormal")
	}
	return g.atNew(xnew, g.condW)
}

// atNew is m(X*) + Φ(X*) w at the new inputs xnew.
func (g *HSGP) atNew(xnew any, w *tensor.Tensor) *tensor.Tensor {
	xa := constInputs(xnew)
	if xa.Shape[1] != len(g.M) {
		fail("HSGP: the new inputs have %d columns, want %d", xa.Shape[1], len(g.M))
	}
	phi, _ := g.basis(xa)
	return tensor.Add(meanOf(g.Mean, tensor.Const(xa)), tensor.Dot(tensor.Const(phi), w))
}

// weights are the basis functions' coefficients: β ⊙ √S (non-centred) or β (centred).
func (g *HSGP) weights() *tensor.Tensor {
	if g.Centered {
		return g.beta
	}
	return tensor.Mul(g.beta, g.sqrtS)
}

// Conditional is f at new inputs for the prior's coefficients: m(X*) + Φ(X*)(β ⊙ √S).
func (g *HSGP) Conditional(xnew any) *tensor.Tensor {
	if g.beta == nil {
		fail("HSGP: Conditional before Prior")
	}
	return g.atNew(xnew, g.weights())
}
