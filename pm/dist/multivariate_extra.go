package dist

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// More multivariate distributions of PyMC's catalogue.

// renamed re-labels an error of an inner distribution with the outer one's name.
func renamed(err error, inner, outer string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s", outer, strings.TrimPrefix(err.Error(), inner+": "))
}

// ---------------------------------------------------------------------------------------------

type mvStudentT struct {
	base
	nu *tt
	mv *mvNormal
}

// MvStudentT is the multivariate Student t distribution with nu degrees of freedom, location
// mu (shape [..., k]) and scale matrix scale (k×k, symmetric positive definite). Its log-density is
//
//	log p(x) = log Γ((ν+k)/2) - log Γ(ν/2) - (k/2) log(νπ) - ½ log det Σ - (ν+k)/2 log(1 + δ/ν)
//
// with δ = (x-μ)ᵀ Σ⁻¹ (x-μ). Support: real vectors (event dimension 1). Constraints: ν > 0.
// Mean μ for ν > 1, covariance νΣ/(ν-2) for ν > 2.
func MvStudentT(nu, mu, scale any) Dist {
	b := newBuilder("MvStudentT")
	n := b.param("nu", nu)
	b.positive("nu", n)
	mv := MvNormal(mu, scale).(*mvNormal)
	b.fail(renamed(mv.Err(), "MvNormal", "MvStudentT"))
	d := &mvStudentT{nu: n, mv: mv}
	d.base = b.base(mv.Shape(), 1, tensor.Float64)
	return d
}

func (d *mvStudentT) Logp(x *tt) *tt {
	delta := tensor.Sub(x, d.mv.mu)
	if delta.NDim() == 0 {
		delta = tensor.ExpandDims(delta, 0)
	}
	k := float64(d.mv.k)
	h := tensor.Mul(tensor.Add(d.nu, k), 0.5)
	c := tensor.Sub(tensor.Sub(tensor.Lgamma(h), tensor.Lgamma(tensor.Mul(d.nu, 0.5))),
		tensor.Add(tensor.Mul(k/2, tensor.Log(tensor.Mul(d.nu, math.Pi))), d.mv.logDetHalf))
	lp := tensor.Sub(c, tensor.Mul(h, tensor.Log1p(tensor.Div(d.mv.quad(delta), d.nu))))
	return bound(lp, condPos(d.nu))
}

// Random is μ + z/√(w/ν) with z ~ MvNormal(0, Σ) and w ~ χ²(ν).
func (d *mvStudentT) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	z := tensor.Sub(d.mv.Random(rs, s), d.mv.mu)
	w := rs.Gamma(fill(tensor.Mul(d.nu, 0.5), s[:len(s)-1]), 0.5)
	r := tensor.Sqrt(tensor.Div(w, d.nu))
	return tensor.Add(d.mv.mu, tensor.Div(z, tensor.ExpandDims(r, r.NDim())))
}
func (d *mvStudentT) Support() Support            { return Support{Kind: Real} }
func (d *mvStudentT) DefaultTransform() Transform { return nil }
func (d *mvStudentT) InitialValue(shape []int) *tt {
	return fill(d.mv.mu, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type dirMultinomial struct {
	base
	n, a *tt
	k    int
}

// DirichletMultinomial is the multinomial distribution of n draws whose probabilities are
// Dirichlet(a) (a of shape [..., k]). Its log-density is
//
//	log p(x) = log n! + log Γ(Σa) - log Γ(n + Σa) + Σ_i [log Γ(x_i + a_i) - log Γ(a_i) - log x_i!]
//
// Support: non-negative integer vectors summing to n (event dimension 1). Constraints: n a
// non-negative integer, a_i > 0. Mean n a/Σa.
func DirichletMultinomial(n, a any) Dist {
	b := newBuilder("DirichletMultinomial")
	d := &dirMultinomial{n: b.param("n", n), a: b.param("a", a)}
	b.integer("n", d.n)
	b.positive("a", d.a)
	if d.a.NDim() == 0 {
		b.fail(fmt.Errorf("DirichletMultinomial: a must be a vector, got a scalar"))
		d.a = tensor.Const([]float64{1})
	}
	batch, k := batchOf(d.a)
	d.k = k
	if nb, ok := broadcast2(batch, d.n.Shape()); ok {
		batch = nb
	} else {
		b.fail(fmt.Errorf("DirichletMultinomial: n of shape %s does not broadcast with the batch shape %s of a",
			tensor.ShapeString(d.n.Shape()), tensor.ShapeString(batch)))
	}
	d.base = b.base(append(batch, k), 1, tensor.Int64)
	return d
}

func (d *dirMultinomial) Logp(x *tt) *tt {
	x = xf(x)
	ax := x.NDim() - 1
	if d.a.NDim()-1 > ax {
		ax = d.a.NDim() - 1
	}
	sa := tensor.Sum(d.a, d.a.NDim()-1)
	lp := tensor.Sub(tensor.Add(tensor.Lgamma(tensor.Add(d.n, 1.0)), tensor.Lgamma(sa)), tensor.Lgamma(tensor.Add(d.n, sa)))
	terms := tensor.Sub(tensor.Sub(tensor.Lgamma(tensor.Add(x, d.a)), tensor.Lgamma(d.a)), tensor.Lgamma(tensor.Add(x, 1.0)))
	lp = tensor.Add(lp, tensor.Sum(terms, ax))
	ok := tensor.Eq(tensor.Sum(x, x.NDim()-1), d.n)
	if !allConst(x, func(v float64) bool { return v >= 0 && v == math.Trunc(v) }) {
		ok = tensor.And(ok, tensor.Eq(tensor.Min(tensor.Cast(condIntOrTrue(x), tensor.Float64), x.NDim()-1), 1.0))
	}
	return bound(lp, ok, condPos(d.a))
}

func (d *dirMultinomial) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	p := rs.Dirichlet(d.a, s[:len(s)-1]...)
	return Multinomial(d.n, p).Random(rs, s)
}
func (d *dirMultinomial) Support() Support {
	return Support{Kind: Integers, Lower: tensor.Const(0.0), Upper: d.n}
}
func (d *dirMultinomial) DefaultTransform() Transform { return nil }
func (d *dirMultinomial) InitialValue(shape []int) *tt {
	p := tensor.Div(d.a, tensor.SumKeepDims(d.a, d.a.NDim()-1))
	return Multinomial(d.n, p).InitialValue(shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type stickBreaking struct {
	base
	alpha *tt
	k     int
}

// StickBreakingWeights is the distribution of the K+1 weights w_k = β_k Π_{j<k}(1-β_j),
// w_K = Π_{j<K}(1-β_j), of K sticks β_j ~ Beta(1, alpha) (the truncated Dirichlet process).
// Its log-density is
//
//	log p(w) = K log α + (α-1) log w_K - Σ_{k<K} log Σ_{j>=k} w_j
//
// Support: the simplex of dimension K+1 (event dimension 1; simplex transform). Constraints:
// α > 0, K >= 1.
func StickBreakingWeights(alpha any, k int) Dist {
	b := newBuilder("StickBreakingWeights")
	d := &stickBreaking{alpha: b.param("alpha", alpha), k: k}
	b.positive("alpha", d.alpha)
	if k < 1 {
		b.fail(fmt.Errorf("StickBreakingWeights: K is %d, but must be at least 1", k))
		d.k = 1
	}
	d.base = b.base(append(b.batch(), d.k+1), 1, tensor.Float64)
	return d
}

func (d *stickBreaking) Logp(x *tt) *tt {
	ax := x.NDim() - 1
	// Tail sums Σ_{j>=k} w_j by a cumulative sum of the reversed vector (exact in the tail).
	tails := tensor.Slice(tensor.Cumsum(tensor.Slice(x, ax, None, None, -1), ax), ax, None, None, -1)
	last := tensor.Squeeze(tensor.Slice(x, ax, d.k, d.k+1, 1), ax)
	lp := tensor.Sub(tensor.Mul(tensor.Sub(d.alpha, 1.0), tensor.Log(last)), tensor.Sum(tensor.Log(tensor.Slice(tails, ax, 0, d.k, 1)), ax))
	lp = tensor.Add(lp, tensor.Mul(float64(d.k), tensor.Log(d.alpha)))
	var conds []*tt
	if !constSimplex(x) {
		conds = append(conds, tensor.Gt(tensor.Min(x, ax), 0.0), tensor.Lt(tensor.Abs(tensor.Sub(tensor.Sum(x, ax), 1.0)), 1e-8*float64(d.k+1)))
	}
	return bound(lp, append(conds, condPos(d.alpha))...)
}

// None is tensor.None, the open bound of a slice.
const None = tensor.None

func (d *stickBreaking) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	batch := s[:len(s)-1]
	ab := fill(tensor.ExpandDims(d.alpha, d.alpha.NDim()), append(append([]int{}, batch...), d.k))
	bs := rs.Beta(tensor.OnesLike(ab), ab)
	ax := len(batch)
	// w_k = β_k Π_{j<k}(1-β_j): the exclusive cumulative product through logs.
	l1m := tensor.Log1p(tensor.Neg(bs))
	cum := tensor.Cumsum(l1m, ax)
	excl := tensor.Sub(cum, l1m)
	w := tensor.Mul(bs, tensor.Exp(excl))
	rest := tensor.Exp(tensor.Slice(cum, ax, d.k-1, d.k, 1))
	return tensor.Concatenate(ax, w, rest)
}
func (d *stickBreaking) Support() Support            { return Support{Kind: Simplex} }
func (d *stickBreaking) DefaultTransform() Transform { return SimplexTransform() }

// InitialValue is the weights at the sticks' means 1/(1+α).
func (d *stickBreaking) InitialValue(shape []int) *tt {
	m := tensor.Div(1.0, tensor.Add(d.alpha, 1.0))
	ks := make([]float64, d.k+1)
	for i := range ks {
		ks[i] = float64(i)
	}
	me := tensor.ExpandDims(m, m.NDim())
	w := tensor.Mul(me, tensor.Pow(tensor.Sub(1.0, me), tensor.Const(ks)))
	last := make([]float64, d.k+1)
	last[d.k] = 1
	// The last weight is (1-m)^K, not m(1-m)^K.
	w = tensor.Switch(tensor.Const(last), tensor.Pow(tensor.Sub(1.0, me), float64(d.k)), w)
	return fill(w, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type zeroSumNormal struct {
	base
	sigma *tt
	n     int
}

// ZeroSumNormal is the normal distribution of n values with scale sigma constrained to sum to
// zero (on the last axis, PyMC's default of one zero-sum axis). Its log-density is
//
//	log p(x) = Σ_i -x_i²/(2σ²) - (n-1)/2 log(2πσ²)
//
// on the (n-1)-dimensional subspace Σ x_i = 0. Support: real vectors summing to zero (event
// dimension 1; the zerosum transform maps them to n-1 free values). Constraints: σ > 0, n >= 2.
func ZeroSumNormal(sigma any, n int) Dist {
	b := newBuilder("ZeroSumNormal")
	d := &zeroSumNormal{sigma: b.param("sigma", sigma), n: n}
	b.positive("sigma", d.sigma)
	if n < 2 {
		b.fail(fmt.Errorf("ZeroSumNormal: n is %d, but must be at least 2", n))
		d.n = 2
	}
	d.base = b.base(append(b.batch(), d.n), 1, tensor.Float64)
	return d
}

func (d *zeroSumNormal) Logp(x *tt) *tt {
	ax := x.NDim() - 1
	s := tensor.ExpandDims(d.sigma, d.sigma.NDim())
	lp := tensor.Sum(tensor.Mul(-0.5, tensor.Square(tensor.Div(x, s))), ax)
	lp = tensor.Sub(lp, tensor.Mul(float64(d.n-1), tensor.Add(logSqrt2Pi, tensor.Log(d.sigma))))
	// The constraint, with the tolerance PyMC uses.
	return bound(lp, tensor.Lt(tensor.Abs(tensor.Mean(x, ax)), 1e-9), condPos(d.sigma))
}

func (d *zeroSumNormal) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	z := rs.Normal(0.0, tensor.ExpandDims(d.sigma, d.sigma.NDim()), s...)
	return tensor.Sub(z, tensor.MeanKeepDims(z, len(s)-1))
}
func (d *zeroSumNormal) Support() Support            { return Support{Kind: Real} }
func (d *zeroSumNormal) DefaultTransform() Transform { return ZeroSumTransform() }
func (d *zeroSumNormal) InitialValue(shape []int) *tt {
	return tensor.ZerosLike(fill(tensor.ExpandDims(d.sigma, d.sigma.NDim()), shapeOr(shape, d.shape)))
}

type zeroSum struct{}

// ZeroSumTransform maps n values summing to zero (last axis) to n-1 free values and back by the
// orthogonal Householder-type map PyMC uses: backward, with s = Σ y and c = s/(√n + n),
// x = (y_0 - c, ..., y_{n-2} - c, c - s/√n - c); forward x ↦ x_{<n-1} + (-x_{n-1}√n)/(√n + n).
// It is an isometry onto the subspace, so its log-Jacobian is 0.
func ZeroSumTransform() Transform { return zeroSum{} }

func (zeroSum) Name() string { return "zerosum" }

func (zeroSum) Forward(x *tt) *tt {
	ax, n := lastDim(x, "zerosum transform")
	last := tensor.Slice(x, ax, n-1, n, 1)
	sn := math.Sqrt(float64(n))
	norm := tensor.Div(tensor.Mul(last, -sn), sn+float64(n))
	return tensor.Add(tensor.Slice(x, ax, 0, n-1, 1), norm)
}

func (zeroSum) Backward(y *tt) *tt {
	ax, m := lastDim(y, "zerosum transform")
	n := float64(m + 1)
	sn := math.Sqrt(n)
	s := tensor.SumKeepDims(y, ax)
	norm := tensor.Div(s, sn+n)
	fillv := tensor.Sub(norm, tensor.Div(s, sn))
	return tensor.Sub(tensor.Concatenate(ax, y, fillv), norm)
}

func (zeroSum) LogJacDet(y *tt) *tt {
	ax, _ := lastDim(y, "zerosum transform")
	return tensor.Sum(tensor.ZerosLike(tensor.Cast(y, tensor.Float64)), ax)
}

func (zeroSum) UnconstrainedShape(s []int) []int {
	out := append([]int{}, s...)
	if len(out) > 0 && out[len(out)-1] > 0 {
		out[len(out)-1]--
	}
	return out
}

// ---------------------------------------------------------------------------------------------

type positiveOrdered struct{}

// PositiveOrdered is the transform of increasing vectors of positive values (the last axis):
// x_k = Σ_{j<=k} exp(y_j), so x_0 = exp(y_0) > 0 and each step is positive. The log-Jacobian
// is Σ_k y_k. PyMC spells it as the chain of the log and ordered transforms.
func PositiveOrdered() Transform { return positiveOrdered{} }

func (positiveOrdered) Name() string { return "positive_ordered" }

func (positiveOrdered) Forward(x *tt) *tt {
	ax, k := lastDim(x, "positive_ordered transform")
	if k < 2 {
		return tensor.Log(x)
	}
	d := tensor.Sub(tensor.Slice(x, ax, 1, k, 1), tensor.Slice(x, ax, 0, k-1, 1))
	return tensor.Log(tensor.Concatenate(ax, tensor.Slice(x, ax, 0, 1, 1), d))
}

func (positiveOrdered) Backward(y *tt) *tt {
	ax, _ := lastDim(y, "positive_ordered transform")
	return tensor.Cumsum(tensor.Exp(y), ax)
}

func (positiveOrdered) LogJacDet(y *tt) *tt {
	ax, _ := lastDim(y, "positive_ordered transform")
	return tensor.Sum(tensor.Cast(y, tensor.Float64), ax)
}

func (positiveOrdered) UnconstrainedShape(s []int) []int { return append([]int{}, s...) }

// ---------------------------------------------------------------------------------------------

// constMatrix is a constant square matrix parameter, or an error naming it.
func constMatrix(b *builder, pname string, t *tt) *mat.Dense {
	a := t.Value()
	if a == nil {
		b.fail(fmt.Errorf("%s: %s must be a constant matrix", b.name, pname))
		return nil
	}
	if len(a.Shape) != 2 || a.Shape[0] != a.Shape[1] {
		b.fail(fmt.Errorf("%s: %s must be a square matrix, got shape %s", b.name, pname, tensor.ShapeString(a.Shape)))
		return nil
	}
	return a.Dense()
}

type car struct {
	base
	mu, alpha, tau *tt
	w              *tt // adjacency, k×k constant
	dvec           *tt // row sums of W
	logDetBase     *tt // Σ log D_i + Σ log(1 - α λ_i), a graph in α
	k              int
}

// CAR is the conditional autoregressive distribution with mean mu (shape [k]), constant
// symmetric adjacency matrix W (k×k, non-negative, no empty rows), spatial dependence alpha and
// precision tau: the multivariate normal with precision Q = τ(D - αW), D = diag(Σ_j W_ij).
// Its log-density is
//
//	log p(x) = ½ log det Q - ½ (x-μ)ᵀ Q (x-μ) - (k/2) log 2π,
//	log det Q = k log τ + Σ log D_i + Σ log(1 - α λ_i)
//
// with λ the eigenvalues of D^(-1/2) W D^(-1/2) (computed once). Support: real vectors (event
// dimension 1). Constraints: |α| < 1, τ > 0.
func CAR(mu, w, alpha, tau any) Dist {
	b := newBuilder("CAR")
	d := &car{mu: b.param("mu", mu), w: b.param("W", w), alpha: b.param("alpha", alpha), tau: b.param("tau", tau)}
	b.check("alpha", d.alpha, "in (-1, 1)", func(v float64) bool { return v > -1 && v < 1 })
	b.positive("tau", d.tau)
	d.k = 1
	if wm := constMatrix(b, "W", d.w); wm != nil && b.err == nil {
		k, _ := wm.Dims()
		d.k = k
		dv := make([]float64, k)
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				if wm.At(i, j) != wm.At(j, i) || wm.At(i, j) < 0 {
					b.fail(fmt.Errorf("CAR: W must be symmetric and non-negative; W[%d, %d] is %v, W[%d, %d] is %v", i, j, wm.At(i, j), j, i, wm.At(j, i)))
					break
				}
				dv[i] += wm.At(i, j)
			}
			if dv[i] == 0 && b.err == nil {
				b.fail(fmt.Errorf("CAR: row %d of W has no neighbours", i))
			}
		}
		if b.err == nil {
			s := mat.NewSymDense(k, nil)
			ld := 0.0
			for i := 0; i < k; i++ {
				ld += math.Log(dv[i])
				for j := 0; j <= i; j++ {
					s.SetSym(i, j, wm.At(i, j)/math.Sqrt(dv[i]*dv[j]))
				}
			}
			var es mat.EigenSym
			if !es.Factorize(s, false) {
				b.fail(fmt.Errorf("CAR: the eigendecomposition of W failed"))
			} else {
				lam := es.Values(nil)
				lt := tensor.Const(lam)
				d.logDetBase = tensor.Add(ld, tensor.Sum(tensor.Log1p(tensor.Neg(tensor.Mul(tensor.ExpandDims(d.alpha, d.alpha.NDim()), lt))), d.alpha.NDim()))
				d.dvec = tensor.Const(dv)
			}
		}
	}
	if b.err != nil {
		d.w, d.dvec, d.logDetBase, d.k = tensor.Const([][]float64{{0}}), tensor.Const([]float64{1}), tensor.Const(0.0), 1
		d.mu = tensor.Const([]float64{0})
	}
	if d.mu.NDim() == 0 {
		d.mu = fill(d.mu, []int{d.k})
	}
	d.base = b.base([]int{d.k}, 1, tensor.Float64)
	return d
}

func (d *car) Logp(x *tt) *tt {
	delta := tensor.Sub(x, d.mu)
	ax := delta.NDim() - 1
	q := tensor.Sub(tensor.Sum(tensor.Mul(d.dvec, tensor.Square(delta)), ax),
		tensor.Mul(d.alpha, tensor.Sum(tensor.Mul(tensor.Dot(delta, d.w), delta), ax)))
	q = tensor.Mul(d.tau, q)
	ldq := tensor.Add(tensor.Mul(float64(d.k), tensor.Log(d.tau)), d.logDetBase)
	lp := tensor.Sub(tensor.Mul(0.5, tensor.Sub(ldq, q)), float64(d.k)*logSqrt2Pi)
	return bound(lp, condPos(d.tau))
}

// Random solves Lᵀ(x-μ) = z for the Cholesky factor L of Q.
func (d *car) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	q := tensor.Mul(d.tau, tensor.Sub(tensor.Diag(d.dvec), tensor.Mul(d.alpha, d.w)))
	l := tensor.Cholesky(q)
	z := rs.Normal(0.0, 1.0, s...)
	zz := z
	if z.NDim() == 1 {
		zz = tensor.ExpandDims(z, 0)
	} else if z.NDim() > 2 {
		zz = tensor.Reshape(z, -1, d.k)
	}
	y := tensor.Transpose(tensor.SolveTriangular(tensor.Transpose(l), tensor.Transpose(zz), false))
	return tensor.Add(d.mu, tensor.Reshape(y, s...))
}
func (d *car) Support() Support            { return Support{Kind: Real} }
func (d *car) DefaultTransform() Transform { return nil }
func (d *car) InitialValue(shape []int) *tt {
	return fill(d.mu, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type icar struct {
	base
	sigma, zeroSumSD *tt
	n1, n2           *tt // the endpoints of each edge (i < j with W_ij > 0)
	k                int
}

// ICAR is the intrinsic conditional autoregressive distribution on the graph with constant
// symmetric adjacency matrix W (k×k), scale sigma, and PyMC's soft sum-to-zero constraint with
// standard deviation zeroSumSD·k (PyMC's default zero_sum_stdev is 0.001). Its log-density is
//
//	log p(x) = -Σ_{i<j, W_ij>0} (x_i - x_j)²/(2σ²) - ½ (Σx/(s k))² - log(√(2π) s k)
//
// with s = zeroSumSD. It is improper without the constraint, so it has no random draws.
// Support: real vectors (event dimension 1).
func ICAR(w, sigma, zeroSumSD any) Dist {
	b := newBuilder("ICAR")
	wt := b.param("W", w)
	d := &icar{sigma: b.param("sigma", sigma), zeroSumSD: b.param("zero_sum_stdev", zeroSumSD)}
	b.positive("sigma", d.sigma)
	b.positive("zero_sum_stdev", d.zeroSumSD)
	d.k = 1
	var e1, e2 []float64
	if wm := constMatrix(b, "W", wt); wm != nil && b.err == nil {
		k, _ := wm.Dims()
		d.k = k
		for i := 0; i < k; i++ {
			for j := i + 1; j < k; j++ {
				if wm.At(i, j) != wm.At(j, i) {
					b.fail(fmt.Errorf("ICAR: W must be symmetric; W[%d, %d] is %v, W[%d, %d] is %v", i, j, wm.At(i, j), j, i, wm.At(j, i)))
				}
				if wm.At(i, j) > 0 {
					e1, e2 = append(e1, float64(i)), append(e2, float64(j))
				}
			}
		}
	}
	if len(e1) == 0 && b.err == nil {
		b.fail(fmt.Errorf("ICAR: W has no edges"))
	}
	if b.err != nil {
		e1, e2 = []float64{0}, []float64{0}
	}
	d.n1, d.n2 = tensor.Cast(tensor.Const(e1), tensor.Int64), tensor.Cast(tensor.Const(e2), tensor.Int64)
	d.base = b.base([]int{d.k}, 1, tensor.Float64)
	return d
}

func (d *icar) Logp(x *tt) *tt {
	ax := x.NDim() - 1
	diff := tensor.Sub(tensor.Take(x, d.n1, ax), tensor.Take(x, d.n2, ax))
	pair := tensor.Div(tensor.Sum(tensor.Square(diff), ax), tensor.Mul(-2.0, tensor.Square(d.sigma)))
	sk := tensor.Mul(d.zeroSumSD, float64(d.k))
	zs := tensor.Sub(tensor.Mul(-0.5, tensor.Square(tensor.Div(tensor.Sum(x, ax), sk))), tensor.Add(logSqrt2Pi, tensor.Log(sk)))
	return bound(tensor.Add(pair, zs), condPos(d.sigma))
}

func (d *icar) Random(rs *tensor.RandomStream, shape []int) *tt {
	panic(errDist(d.name, "the intrinsic CAR distribution is improper and has no random draws"))
}
func (d *icar) Support() Support            { return Support{Kind: Real} }
func (d *icar) DefaultTransform() Transform { return nil }
func (d *icar) InitialValue(shape []int) *tt {
	return fill(0.0, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type matrixNormal struct {
	base
	mu, lu, lv *tt // mean n×p, Cholesky factors of the row (n×n) and column (p×p) covariances
	n, p       int
}

// MatrixNormal is the matrix normal distribution of n×p matrices with mean mu, row covariance
// rowcov (n×n) and column covariance colcov (p×p): vec(X) ~ N(vec(M), V ⊗ U). Its log-density is
//
//	log p(X) = -½ tr[V⁻¹ (X-M)ᵀ U⁻¹ (X-M)] - (np/2) log 2π - (n/2) log det V - (p/2) log det U
//
// evaluated through the Cholesky factors. Support: real n×p matrices (event dimension 2).
func MatrixNormal(mu, rowcov, colcov any) Dist {
	b := newBuilder("MatrixNormal")
	d := &matrixNormal{mu: b.param("mu", mu)}
	u, v := b.param("rowcov", rowcov), b.param("colcov", colcov)
	if d.mu.NDim() != 2 {
		b.fail(fmt.Errorf("MatrixNormal: mu must be a matrix, got shape %s", tensor.ShapeString(d.mu.Shape())))
	} else {
		d.n, d.p = d.mu.Shape()[0], d.mu.Shape()[1]
		if s := u.Shape(); len(s) != 2 || s[0] != d.n || s[1] != d.n {
			b.fail(fmt.Errorf("MatrixNormal: mu has %d rows, so rowcov must be %d×%d, got shape %s", d.n, d.n, d.n, tensor.ShapeString(s)))
		}
		if s := v.Shape(); len(s) != 2 || s[0] != d.p || s[1] != d.p {
			b.fail(fmt.Errorf("MatrixNormal: mu has %d columns, so colcov must be %d×%d, got shape %s", d.p, d.p, d.p, tensor.ShapeString(s)))
		}
	}
	if b.err != nil {
		d.mu, u, v, d.n, d.p = tensor.Const([][]float64{{0}}), tensor.Const([][]float64{{1}}), tensor.Const([][]float64{{1}}), 1, 1
	}
	d.lu, d.lv = tensor.Cholesky(u), tensor.Cholesky(v)
	d.base = b.base([]int{d.n, d.p}, 2, tensor.Float64)
	return d
}

func (d *matrixNormal) Logp(x *tt) *tt {
	a := tensor.SolveTriangular(d.lu, tensor.Sub(x, d.mu), true) // U^(-1/2)(X-M), n×p
	c := tensor.SolveTriangular(d.lv, tensor.Transpose(a), true) // p×n
	ld := tensor.Add(tensor.Mul(float64(d.n), tensor.Sum(tensor.Log(tensor.ExtractDiag(d.lv)))),
		tensor.Mul(float64(d.p), tensor.Sum(tensor.Log(tensor.ExtractDiag(d.lu)))))
	return tensor.Sub(tensor.Mul(-0.5, tensor.Sum(tensor.Square(c))), tensor.Add(ld, float64(d.n*d.p)*logSqrt2Pi))
}

// Random is M + L_U Z L_Vᵀ with Z standard normal.
func (d *matrixNormal) Random(rs *tensor.RandomStream, shape []int) *tt {
	if s := shapeOr(shape, d.shape); len(s) != 2 {
		panic(errDist(d.name, fmt.Sprintf("draws of shape %s: only one n×p matrix per draw is supported", tensor.ShapeString(s))))
	}
	z := rs.Normal(0.0, 1.0, d.n, d.p)
	return tensor.Add(d.mu, tensor.Dot(tensor.Dot(d.lu, z), tensor.Transpose(d.lv)))
}
func (d *matrixNormal) Support() Support            { return Support{Kind: Real} }
func (d *matrixNormal) DefaultTransform() Transform { return nil }
func (d *matrixNormal) InitialValue(shape []int) *tt {
	return fill(d.mu, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type kronNormal struct {
	base
	mu   *tt
	ls   []*tt // Cholesky factors of the covariance factors
	dims []int
	n    int
}

// KroneckerNormal is the multivariate normal distribution with mean mu (length N) and
// covariance K_1 ⊗ K_2 ⊗ ... ⊗ K_m (N = Π n_i), evaluated without forming the product: with
// L_i the Cholesky factor of K_i, z = (L_1 ⊗ ... ⊗ L_m)⁻¹(x - μ) is one triangular solve along
// each axis of x reshaped to n_1×...×n_m, and
//
//	log p(x) = -½ zᵀz - Σ_i (N/n_i) Σ_j log (L_i)_jj - (N/2) log 2π.
//
// Support: real vectors (event dimension 1). (PyMC's added white noise sigma is not supported.)
func KroneckerNormal(mu any, covs ...any) Dist {
	b := newBuilder("KroneckerNormal")
	d := &kronNormal{mu: b.param("mu", mu), n: 1}
	if len(covs) == 0 {
		b.fail(fmt.Errorf("KroneckerNormal: no covariance factors"))
	}
	for i, c := range covs {
		t := b.param(fmt.Sprintf("covs[%d]", i), c)
		s := t.Shape()
		if len(s) != 2 || s[0] != s[1] || s[0] < 1 {
			b.fail(fmt.Errorf("KroneckerNormal: covs[%d] must be a square matrix of known size, got shape %s", i, tensor.ShapeString(s)))
			continue
		}
		d.ls = append(d.ls, tensor.Cholesky(t))
		d.dims = append(d.dims, s[0])
		d.n *= s[0]
	}
	if s := d.mu.Shape(); b.err == nil && !(len(s) == 1 && s[0] == d.n) && len(s) != 0 {
		b.fail(fmt.Errorf("KroneckerNormal: the covariance is %d×%d, so mu must have length %d, got shape %s", d.n, d.n, d.n, tensor.ShapeString(s)))
	}
	if b.err != nil {
		d.mu, d.ls, d.dims, d.n = tensor.Const([]float64{0}), []*tt{tensor.Const([][]float64{{1}})}, []int{1}, 1
	}
	d.mu = fill(d.mu, []int{d.n})
	d.base = b.base([]int{d.n}, 1, tensor.Float64)
	return d
}

// alongAxes applies f_i (an n_i×n_i linear map given as a function of an n_i×rest matrix) along
// every axis i of v reshaped to dims.
func (d *kronNormal) alongAxes(v *tt, f func(i int, m *tt) *tt) *tt {
	m := len(d.dims)
	x := tensor.Reshape(v, d.dims...)
	for i := 0; i < m; i++ {
		perm := []int{i}
		for j := 0; j < m; j++ {
			if j != i {
				perm = append(perm, j)
			}
		}
		t := tensor.Reshape(tensor.Transpose(x, perm...), d.dims[i], d.n/d.dims[i])
		t = f(i, t)
		rest := []int{d.dims[i]}
		for j := 0; j < m; j++ {
			if j != i {
				rest = append(rest, d.dims[j])
			}
		}
		inv := make([]int, m)
		for k, p := range perm {
			inv[p] = k
		}
		x = tensor.Transpose(tensor.Reshape(t, rest...), inv...)
	}
	return tensor.Reshape(x, d.n)
}

func (d *kronNormal) Logp(x *tt) *tt {
	if x.NDim() != 1 {
		panic(errDist(d.name, fmt.Sprintf("the value must be one vector of length %d, got shape %s", d.n, tensor.ShapeString(x.Shape()))))
	}
	z := d.alongAxes(tensor.Sub(x, d.mu), func(i int, m *tt) *tt { return tensor.SolveTriangular(d.ls[i], m, true) })
	ld := tensor.Const(0.0)
	for i, l := range d.ls {
		ld = tensor.Add(ld, tensor.Mul(float64(d.n/d.dims[i]), tensor.Sum(tensor.Log(tensor.ExtractDiag(l)))))
	}
	return tensor.Sub(tensor.Mul(-0.5, tensor.Sum(tensor.Square(z))), tensor.Add(ld, float64(d.n)*logSqrt2Pi))
}

// Random is μ + (L_1 ⊗ ... ⊗ L_m) z.
func (d *kronNormal) Random(rs *tensor.RandomStream, shape []int) *tt {
	if s := shapeOr(shape, d.shape); len(s) != 1 {
		panic(errDist(d.name, fmt.Sprintf("draws of shape %s: only one vector per draw is supported", tensor.ShapeString(s))))
	}
	z := rs.Normal(0.0, 1.0, d.n)
	return tensor.Add(d.mu, d.alongAxes(z, func(i int, m *tt) *tt { return tensor.Dot(d.ls[i], m) }))
}
func (d *kronNormal) Support() Support            { return Support{Kind: Real} }
func (d *kronNormal) DefaultTransform() Transform { return nil }
func (d *kronNormal) InitialValue(shape []int) *tt {
	return fill(d.mu, shapeOr(shape, d.shape))
}
