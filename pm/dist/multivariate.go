package dist

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// batchOf splits a parameter of shape [..., k] into its batch shape and k.
func batchOf(t *tt) ([]int, int) {
	s := t.Shape()
	if len(s) == 0 {
		return []int{}, 1
	}
	return append([]int{}, s[:len(s)-1]...), s[len(s)-1]
}

// squareConst returns a constant square matrix parameter as a gonum SymDense, checking symmetry.
func symConst(b *builder, pname string, t *tt) *mat.SymDense {
	a := t.Value()
	if a == nil {
		return nil
	}
	if len(a.Shape) != 2 || a.Shape[0] != a.Shape[1] {
		b.fail(fmt.Errorf("%s: %s must be a square matrix, got shape %s", b.name, pname, tensor.ShapeString(a.Shape)))
		return nil
	}
	n := a.Shape[0]
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			u, v := a.Data[i*n+j], a.Data[j*n+i]
			if math.Abs(u-v) > 1e-10*math.Max(1, math.Abs(u)) {
				b.fail(fmt.Errorf("%s: %s is not symmetric: [%d, %d] is %v but [%d, %d] is %v", b.name, pname, i, j, u, j, i, v))
				return nil
			}
			s.SetSym(i, j, u)
		}
	}
	return s
}

// ---------------------------------------------------------------------------------------------

type mvNormal struct {
	base
	mu   *tt // [..., k]
	chol *tt // lower Cholesky factor of the covariance, k×k (nil with a precision)
	prec *tt // precision matrix (nil with a Cholesky factor)
	k    int
	// logDetHalf is ½ log det Σ (= Σ log L_ii), or -½ log det Λ, as a tensor (constant folds).
	logDetHalf *tt
}

// MvNormal is the multivariate normal distribution with mean vector mu (shape [..., k]: a
// batch of means shares one covariance) and covariance matrix cov (k×k, symmetric positive
// definite). Its log-density is
//
//	log p(x) = -½ (x-μ)ᵀ Σ⁻¹ (x-μ) - ½ log det Σ - (k/2) log 2π
//
// evaluated through the Cholesky factor L of Σ (computed once when cov is a constant).
// Support: real vectors (event dimension 1). Mean μ, covariance Σ.
func MvNormal(mu, cov any) Dist {
	b := newBuilder("MvNormal")
	m := b.param("mu", mu)
	c := b.param("cov", cov)
	d := &mvNormal{mu: m}
	if s := symConst(b, "cov", c); s != nil {
		var ch mat.Cholesky
		if ok := ch.Factorize(s); !ok {
			b.fail(fmt.Errorf("MvNormal: cov is not positive definite"))
		} else {
			var l mat.TriDense
			ch.LTo(&l)
			d.chol = tensor.Const(mat.DenseCopyOf(&l))
		}
	}
	if d.chol == nil {
		d.chol = tensor.Cholesky(c)
	}
	return d.finish(b, c)
}

// MvNormalChol is MvNormal with the covariance given by its lower Cholesky factor chol
// (Σ = L Lᵀ, positive diagonal), the form LKJCholeskyCov produces.
func MvNormalChol(mu, chol any) Dist {
	b := newBuilder("MvNormal")
	d := &mvNormal{mu: b.param("mu", mu), chol: b.param("chol", chol)}
	if a := d.chol.Value(); a != nil && len(a.Shape) == 2 && a.Shape[0] == a.Shape[1] {
		n := a.Shape[0]
		for i := 0; i < n; i++ {
			if !(a.Data[i*n+i] > 0) {
				b.fail(&ParamError{Dist: "MvNormal", Param: "chol", Index: []int{i, i}, Value: a.Data[i*n+i], Must: "positive (a Cholesky factor's diagonal)"})
				break
			}
		}
	}
	return d.finish(b, d.chol)
}

// MvNormalPrec is MvNormal with the precision matrix tau = Σ⁻¹ (symmetric positive definite):
// log p(x) = -½ (x-μ)ᵀ Λ (x-μ) + ½ log det Λ - (k/2) log 2π.
func MvNormalPrec(mu, tau any) Dist {
	b := newBuilder("MvNormal")
	d := &mvNormal{mu: b.param("mu", mu), prec: b.param("tau", tau)}
	if s := symConst(b, "tau", d.prec); s != nil {
		var ch mat.Cholesky
		if ok := ch.Factorize(s); !ok {
			b.fail(fmt.Errorf("MvNormal: tau is not positive definite"))
		} else {
			d.logDetHalf = tensor.Const(-0.5 * ch.LogDet())
		}
	}
	if d.logDetHalf == nil {
		d.logDetHalf = tensor.Mul(-0.5, tensor.LogDetPD(d.prec))
	}
	return d.finish(b, d.prec)
}

func (d *mvNormal) finish(b *builder, m *tt) Dist {
	batch, k := batchOf(d.mu)
	if d.mu.NDim() == 0 {
		b.fail(fmt.Errorf("MvNormal: mu must be a vector, got a scalar"))
	}
	if m.NDim() != 2 || (m.Shape()[0] >= 0 && k >= 0 && m.Shape()[0] != k) || m.Shape()[0] != m.Shape()[1] {
		b.fail(fmt.Errorf("MvNormal: mu has shape %s, so the matrix must be %d×%d, got shape %s",
			tensor.ShapeString(d.mu.Shape()), k, k, tensor.ShapeString(m.Shape())))
	}
	d.k = k
	if d.chol != nil && d.logDetHalf == nil && b.err == nil {
		d.logDetHalf = tensor.Sum(tensor.Log(tensor.ExtractDiag(d.chol)))
	}
	if b.err != nil {
		d.mu, d.chol, d.prec, d.k = tensor.Const([]float64{0}), tensor.Const([][]float64{{1}}), nil, 1
		d.logDetHalf = tensor.Const(0.0)
		batch = []int{}
	}
	d.base = b.base(append(batch, d.k), 1, tensor.Float64)
	return d
}

// quad is (x-μ)ᵀ Σ⁻¹ (x-μ) over the last axis of delta, for delta of 1 or 2 dimensions (more
// are flattened into rows).
func (d *mvNormal) quad(delta *tt) *tt {
	nd := delta.NDim()
	var lead []int
	if nd > 2 {
		lead = append([]int{}, delta.Shape()[:nd-1]...)
		delta = tensor.Reshape(delta, -1, d.k)
	}
	var q *tt
	switch {
	case d.prec != nil:
		q = tensor.Sum(tensor.Mul(tensor.Dot(delta, d.prec), delta), delta.NDim()-1)
	case delta.NDim() == 1:
		z := tensor.SolveTriangular(d.chol, delta, true)
		q = tensor.Sum(tensor.Square(z))
	default:
		z := tensor.SolveTriangular(d.chol, tensor.Transpose(delta), true)
		q = tensor.Sum(tensor.Square(z), 0)
	}
	if lead != nil {
		q = tensor.Reshape(q, lead...)
	}
	return q
}

func (d *mvNormal) Logp(x *tt) *tt {
	delta := tensor.Sub(x, d.mu)
	if delta.NDim() == 0 {
		delta = tensor.ExpandDims(delta, 0)
	}
	c := tensor.Add(d.logDetHalf, float64(d.k)*logSqrt2Pi)
	return tensor.Sub(tensor.Mul(-0.5, d.quad(delta)), c)
}

func (d *mvNormal) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	z := rs.Normal(0.0, 1.0, s...)
	l := d.chol
	if l == nil {
		if a := d.prec.Value(); a != nil {
			var inv mat.Dense
			if err := inv.Inverse(a.Dense()); err == nil {
				l = tensor.Cholesky(tensor.Const(&inv))
			}
		}
		if l == nil {
			l = tensor.Cholesky(tensor.MatrixInverse(d.prec))
		}
	}
	// x = μ + z Lᵀ, row by row.
	zz := z
	if z.NDim() > 2 {
		zz = tensor.Reshape(z, -1, d.k)
	}
	y := tensor.Dot(zz, tensor.Transpose(l))
	if z.NDim() > 2 {
		y = tensor.Reshape(y, s...)
	}
	return tensor.Add(d.mu, y)
}
func (d *mvNormal) Support() Support            { return Support{Kind: Real} }
func (d *mvNormal) DefaultTransform() Transform { return nil }
func (d *mvNormal) InitialValue(shape []int) *tt {
	return fill(d.mu, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type dirichlet struct {
	base
	a *tt
	k int
}

// Dirichlet is the Dirichlet distribution on the simplex with concentrations a (shape [..., k]). Its log-density is
//
//	log p(x) = Σ_i (a_i - 1) log x_i + log Γ(Σ_i a_i) - Σ_i log Γ(a_i)
//
// Support: vectors with positive entries summing to 1 (event dimension 1; stick-breaking
// simplex transform). Constraints: a_i > 0. Mean a/Σa.
func Dirichlet(a any) Dist {
	b := newBuilder("Dirichlet")
	d := &dirichlet{a: b.param("a", a)}
	b.positive("a", d.a)
	if d.a.NDim() == 0 {
		b.fail(fmt.Errorf("Dirichlet: a must be a vector, got a scalar"))
		d.a = tensor.Const([]float64{1, 1})
	}
	batch, k := batchOf(d.a)
	d.k = k
	d.base = b.base(append(batch, k), 1, tensor.Float64)
	return d
}

func (d *dirichlet) Logp(x *tt) *tt {
	ax := x.NDim() - 1
	if d.a.NDim()-1 > ax {
		ax = d.a.NDim() - 1
	}
	lp := tensor.Sum(tensor.Mul(tensor.Sub(d.a, 1.0), tensor.Log(x)), ax)
	lp = tensor.Add(lp, tensor.Sub(tensor.Lgamma(tensor.Sum(d.a, d.a.NDim()-1)), tensor.Sum(tensor.Lgamma(d.a), d.a.NDim()-1)))
	var conds []*tt
	if !constSimplex(x) {
		xa := x.NDim() - 1
		conds = append(conds, tensor.Gt(tensor.Min(x, xa), 0.0),
			tensor.Lt(tensor.Abs(tensor.Sub(tensor.Sum(x, xa), 1.0)), 1e-8*float64(d.k)))
	}
	return bound(lp, append(conds, condPos(d.a))...)
}

// constSimplex reports whether x is a constant whose rows lie on the simplex.
func constSimplex(x *tt) bool {
	a := x.Value()
	if a == nil || len(a.Shape) == 0 {
		return false
	}
	k := a.Shape[len(a.Shape)-1]
	for i := 0; i+k <= len(a.Data); i += k {
		s := 0.0
		for _, v := range a.Data[i : i+k] {
			if !(v > 0) {
				return false
			}
			s += v
		}
		if math.Abs(s-1) > 1e-8*float64(k) {
			return false
		}
	}
	return true
}

func (d *dirichlet) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	return rs.Dirichlet(d.a, s[:len(s)-1]...)
}
func (d *dirichlet) Support() Support            { return Support{Kind: Simplex} }
func (d *dirichlet) DefaultTransform() Transform { return SimplexTransform() }
func (d *dirichlet) InitialValue(shape []int) *tt {
	return fill(tensor.Div(d.a, tensor.SumKeepDims(d.a, d.a.NDim()-1)), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type multinomial struct {
	base
	n, p *tt // n: batch shape (or scalar); p: [..., k], normalized
	k    int
}

// Multinomial is the distribution of the counts in k categories of n draws with probabilities
// p (shape [..., k]; normalized to sum to 1). Its log-density is
//
//	log p(x) = log n! - Σ_i log x_i! + Σ_i x_i log p_i,  Σ_i x_i = n
//
// Support: non-negative integer vectors summing to n (event dimension 1). Constraints: n a
// non-negative integer, p_i >= 0. Mean np, covariance n(diag(p) - ppᵀ).
func Multinomial(n, p any) Dist {
	b := newBuilder("Multinomial")
	d := &multinomial{n: b.param("n", n), p: b.param("p", p)}
	b.integer("n", d.n)
	b.nonNegative("p", d.p)
	if d.p.NDim() == 0 {
		b.fail(fmt.Errorf("Multinomial: p must be a vector, got a scalar"))
		d.p = tensor.Const([]float64{1})
	}
	batch, k := batchOf(d.p)
	d.k = k
	d.p = tensor.Div(d.p, tensor.SumKeepDims(d.p, d.p.NDim()-1))
	if nb, ok := broadcast2(batch, d.n.Shape()); ok {
		batch = nb
	} else {
		b.fail(fmt.Errorf("Multinomial: n of shape %s does not broadcast with the batch shape %s of p",
			tensor.ShapeString(d.n.Shape()), tensor.ShapeString(batch)))
	}
	d.base = b.base(append(batch, k), 1, tensor.Int64)
	return d
}

func (d *multinomial) Logp(x *tt) *tt {
	x = xf(x)
	ax := x.NDim() - 1
	lp := tensor.Sub(tensor.Lgamma(tensor.Add(d.n, 1.0)), tensor.Sum(tensor.Lgamma(tensor.Add(x, 1.0)), ax))
	lp = tensor.Add(lp, tensor.Sum(xlogy(x, d.p), ax))
	ok := tensor.Eq(tensor.Sum(x, ax), d.n)
	if !allConst(x, func(v float64) bool { return v >= 0 && v == math.Trunc(v) }) {
		ok = tensor.And(ok, tensor.Eq(tensor.Min(tensor.Cast(condIntOrTrue(x), tensor.Float64), ax), 1.0))
	}
	return bound(lp, ok)
}

// condIntOrTrue is the elementwise test that x is a non-negative integer.
func condIntOrTrue(x *tt) *tt {
	return tensor.And(tensor.Ge(x, 0.0), tensor.Eq(tensor.Floor(x), x))
}

func (d *multinomial) Random(rs *tensor.RandomStream, shape []int) *tt {
	// Sequential binomials: x_i ~ Binomial(n - Σ_{j<i} x_j, p_i / (1 - Σ_{j<i} p_j)).
	s := rshape(shape, d.shape)
	batch := s[:len(s)-1]
	ax := d.p.NDim() - 1
	left := fill(tensor.Cast(d.n, tensor.Float64), batch)
	rest := tensor.Const(1.0)
	var parts []any
	for i := 0; i < d.k; i++ {
		pi := tensor.Squeeze(tensor.Slice(d.p, ax, i, i+1, 1), ax)
		var xi *tt
		if i == d.k-1 {
			xi = left
		} else {
			q := tensor.Clip(tensor.Div(pi, tensor.Maximum(rest, 1e-300)), 0.0, 1.0)
			xi = tensor.Cast(rs.Binomial(left, fill(q, batch)), tensor.Float64)
		}
		parts = append(parts, xi)
		left = tensor.Sub(left, xi)
		rest = tensor.Sub(rest, pi)
	}
	return asInt(tensor.Stack(len(batch), parts...))
}
func (d *multinomial) Support() Support {
	return Support{Kind: Integers, Lower: tensor.Const(0.0), Upper: d.n}
}
func (d *multinomial) DefaultTransform() Transform { return nil }
func (d *multinomial) InitialValue(shape []int) *tt {
	// floor(n p), with what is left over put in the last category so that the counts sum to n.
	ax := d.p.NDim() - 1
	f := tensor.Floor(tensor.Mul(tensor.ExpandDims(d.n, d.n.NDim()), d.p))
	left := tensor.Sub(d.n, tensor.Sum(f, ax))
	last := make([]float64, d.k)
	last[d.k-1] = 1
	v := tensor.Add(f, tensor.Mul(tensor.ExpandDims(left, left.NDim()), tensor.Const(last)))
	return asInt(fill(v, shapeOr(shape, d.shape)))
}
