package tensor

import (
	"math"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
)

// A generalized linear model's likelihood, sum_i log p(y_i | η_i) with η = α + X·β, is the
// whole cost of a regression on a large data matrix X. Composed of a matrix-vector product, a
// fused likelihood and, in the gradient, the transposed product Xᵀr (r_i = ∂ log p/∂η_i), it
// reads X twice per gradient. GLMOp computes the sum, Σ r and Xᵀr together, so that each row
// block of X is multiplied by β and by its residuals while it is still in cache (Stan's
// bernoulli_logit_glm). Rewrite introduces it (ruleGLM) where the graph reads the likelihood
// only through those three reductions, as the gradient of a regression does.

// GLMOp is a regression likelihood fused with its linear predictor. Its inputs are the
// observations y (n), the design matrix X (n × k), the intercept α (a scalar; absent when
// Intercept is false), the coefficients β (k) and, for the normal likelihood, the scale σ (a
// scalar). Its outputs are
//
//	0: Σ_i log p(y_i | η_i)    (a scalar)
//	1: Σ_i r_i                 (a scalar, the derivative with respect to α)
//	2: Xᵀr                     (k, the derivative with respect to β)
//	3: η = α + X·β             (n)
//	4: r_i = ∂ log p(y_i | η_i)/∂η_i (n)
//	5: the derivative with respect to σ (normal only, a scalar)
//
// The likelihoods are those of bernoulli_logit_lpmf (log p = y·η − log(1 + e^η), r = y − σ(η);
// labels other than 0 and 1 give the value of that formula), poisson_log_lpmf (log p =
// y·η − e^η − log y!, r = y − e^η) and normal_lpdf with mean η (log p = −z²/2 − log σ −
// log(2π)/2 with z = (y − η)/σ, r = z/σ; −Inf with zero derivatives where σ ≤ 0).
type GLMOp struct {
	kind      likeKind
	intercept bool
	// noXtr: Rewrite found output 2 (Xᵀr) read by nothing, as in a log-density compiled
	// without its gradient; the kernel leaves it unwritten and skips that product.
	noXtr bool
}

// String implements Op.
func (o GLMOp) String() string {
	s := "glm_" + likeNames[o.kind]
	if !o.intercept {
		s += "{no intercept}"
	}
	if o.noXtr {
		s += "{no Xᵀr}"
	}
	return s
}

// Intercept reports whether the op's third input is the intercept α.
func (o GLMOp) Intercept() bool { return o.intercept }

// glmInputs names the op's inputs: y, X, the intercept (or nil), β and σ (or nil).
func (o GLMOp) glmInputs(in []*Tensor) (y, x, alpha, beta, sigma *Tensor) {
	y, x = in[0], in[1]
	in = in[2:]
	if o.intercept {
		alpha, in = in[0], in[1:]
	}
	beta = in[0]
	if o.kind == likeNormal {
		sigma = in[1]
	}
	return y, x, alpha, beta, sigma
}

// Infer implements Op.
func (o GLMOp) Infer(in []Type) ([]Type, error) {
	want := 3
	if o.intercept {
		want++
	}
	if o.kind == likeNormal {
		want++
	}
	if len(in) != want {
		return nil, errorf(o.String(), "takes %d inputs, got %d", want, len(in))
	}
	y, x := in[0], in[1]
	bi := 2
	if o.intercept {
		if len(in[2].Shape) != 0 {
			return nil, errorf(o.String(), "the intercept must be a scalar, got shape %s", ShapeString(in[2].Shape))
		}
		bi = 3
	}
	beta := in[bi]
	if len(y.Shape) != 1 || len(x.Shape) != 2 || len(beta.Shape) != 1 {
		return nil, errorf(o.String(), "wants y (n), X (n, k) and beta (k), got shapes %s, %s and %s",
			ShapeString(y.Shape), ShapeString(x.Shape), ShapeString(beta.Shape))
	}
	if o.kind == likeNormal && len(in[bi+1].Shape) != 0 {
		return nil, errorf(o.String(), "sigma must be a scalar, got shape %s", ShapeString(in[bi+1].Shape))
	}
	if dimsMismatch(y.Shape[0], x.Shape[0]) || dimsMismatch(beta.Shape[0], x.Shape[1]) {
		return nil, errorf(o.String(), "shapes %s, %s and %s do not match", ShapeString(y.Shape), ShapeString(x.Shape), ShapeString(beta.Shape))
	}
	n, k := x.Shape[0], x.Shape[1]
	scalar := Type{DType: Float64, Shape: []int{}}
	out := []Type{scalar, scalar, {DType: Float64, Shape: []int{k}}, {DType: Float64, Shape: []int{n}}, {DType: Float64, Shape: []int{n}}}
	if o.kind == likeNormal {
		out = append(out, scalar)
	}
	return out, nil
}

// Unfused returns the op's outputs on inputs in, computed by the ops it fuses: for backends
// that translate graphs to another engine, and for Grad.
func (o GLMOp) Unfused(in []*Tensor) []*Tensor {
	y, x, alpha, beta, sigma := o.glmInputs(in)
	eta := Apply1(DotOp{}, x, beta)
	if alpha != nil {
		eta = Add(alpha, eta)
	}
	args := []*Tensor{y, eta}
	if sigma != nil {
		args = append(args, sigma)
	}
	lk := ApplyOp(LikelihoodOp{kind: o.kind}, args...)
	outs := []*Tensor{Sum(lk[0]), Sum(lk[1]), Apply1(DotOp{TransA: true}, x, lk[1]), eta, lk[1]}
	if sigma != nil {
		outs = append(outs, Sum(lk[2]))
	}
	return outs
}

// Grad implements Op: the gradient of the composed form (rarely needed: Rewrite introduces the
// op after differentiation, so only gradients of a rewritten graph reach it).
func (o GLMOp) Grad(in, out, gout []*Tensor) []*Tensor {
	cost := vjpCost(o.Unfused(in), gout)
	res := make([]*Tensor, len(in))
	if cost == nil {
		return res
	}
	var wrt []*Tensor
	var at []int
	for i, x := range in {
		if x.DType().IsFloat() && x.value == nil {
			wrt = append(wrt, x)
			at = append(at, i)
		}
	}
	if len(wrt) == 0 {
		return res
	}
	gs := GradWith(cost, Const(1.0), wrt...)
	for j, i := range at {
		res[i] = gs[j]
	}
	return res
}

// Kernel implements Op.
func (o GLMOp) Kernel(spec KernelSpec) (Kernel, error) {
	if _, err := o.Infer(spec.In); err != nil {
		return nil, err
	}
	rows, cols := spec.In[1].Shape[0], spec.In[1].Shape[1]
	ib := 2
	if o.intercept {
		ib = 3
	}
	yc := spec.Node.Inputs[0].Value() // constant observations: checked and summarized once
	at := func(in []*Array) (x, beta []float64, alpha float64) {
		if o.intercept {
			alpha = in[2].Data[0]
		}
		return in[1].Data, in[ib].Data, alpha
	}
	switch o.kind {
	case likeBernoulliLogit:
		constLabels := yc != nil && labels01(yc.Data)
		return func(out, in []*Array) error {
			x, beta, alpha := at(in)
			y, eta, r, gb := in[0].Data, out[3].Data, out[4].Data, out[2].Data
			if o.noXtr {
				gb = nil
			}
			if constLabels || labels01(y) {
				out[0].Data[0], out[1].Data[0] = fastmath.BernoulliLogitGLM(x, rows, cols, alpha, beta, y, eta, r, gb)
				return nil
			}
			out[0].Data[0], out[1].Data[0] = bernoulliGLMGeneric(x, rows, cols, alpha, beta, y, eta, r, gb)
			return nil
		}, nil
	case likePoissonLog:
		lf := 0.0
		if yc != nil {
			lf = fastmath.LogFactorialSum(yc.Data)
		}
		return func(out, in []*Array) error {
			x, beta, alpha := at(in)
			y := in[0].Data
			if yc == nil {
				lf = fastmath.LogFactorialSum(y)
			}
			gb := out[2].Data
			if o.noXtr {
				gb = nil
			}
			lp, ga := fastmath.PoissonLogGLM(x, rows, cols, alpha, beta, y, out[3].Data, out[4].Data, gb)
			out[0].Data[0], out[1].Data[0] = lp-lf, ga
			return nil
		}, nil
	case likeNormal:
		n := float64(rows)
		return func(out, in []*Array) error {
			x, beta, alpha := at(in)
			y, sigma := in[0].Data, in[ib+1].Data[0]
			eta, r, gb := out[3].Data, out[4].Data, out[2].Data
			if o.noXtr {
				gb = nil
			}
			if !(sigma > 0) {
				// −Inf with zero derivatives, as normal_lpdf.
				matVec(eta, x, rows, cols, beta)
				for i := range eta {
					eta[i] += alpha
				}
				clear(r)
				clear(gb)
				out[0].Data[0], out[1].Data[0], out[5].Data[0] = math.Inf(-1), 0, 0
				return nil
			}
			inv := 1 / sigma
			s, ga := fastmath.NormalGLM(x, rows, cols, alpha, beta, y, inv, eta, r, gb)
			out[0].Data[0] = -0.5*s - n*(math.Log(sigma)+halfLog2Pi)
			out[1].Data[0] = ga
			out[5].Data[0] = (s - n) * inv
			return nil
		}, nil
	}
	return nil, errorf(o.String(), "not implemented")
}

// labels01 reports whether every y is 0 or 1.
func labels01(y []float64) bool {
	for _, v := range y {
		if v != 0 && v != 1 {
			return false
		}
	}
	return true
}

// bernoulliGLMGeneric is GLMOp's Bernoulli kernel for labels other than 0 and 1: the formula
// y·η − softplus(η) of bernoulli_logit_lpmf, without the fast path's rewriting by s = 2y − 1.
func bernoulliGLMGeneric(x []float64, rows, cols int, alpha float64, beta, y, eta, r, gb []float64) (lp, ga float64) {
	matVec(eta, x, rows, cols, beta)
	for i := range eta {
		e := alpha + eta[i]
		eta[i] = e
		lp += y[i]*e - fastmath.Softplus(e)
		r[i] = y[i] - fastmath.Sigmoid(e)
		ga += r[i]
	}
	if math.IsNaN(lp) {
		lp = math.NaN()
	}
	if gb != nil {
		matTVec(gb, x, rows, cols, r)
	}
	return lp, ga
}

// newGLMRule returns the rule that introduces GLMOp: with l = bernoulli_logit_lpmf(y, η),
// poisson_log_lpmf(y, η) or normal_lpdf(y, η, σ) and η = α + X·β, it rewrites each of
//
//	sum(l[0]), sum(l[1]), dot{Aᵀ}(X, l[1]) and (normal) sum(l[2])
//
// into the matching output of one glm node (η may also be X·β + α or X·β alone; X a matrix,
// β a vector, α and σ scalars). The gradient of a regression reads the likelihood's partials
// only through Σ r (the intercept's gradient), Xᵀr (the coefficients') and Σ ∂/∂σ, so once
// every reader is rewritten the likelihood and its predictor are dead and the graph reads X
// once. The rule keeps the glm node it built for each likelihood, so that one Rewrite pass
// builds one node for all readers (localRules makes a new rule, and so a new cache, each pass).
func newGLMRule() rule {
	built := map[*Apply]*Apply{}
	return func(op Op, in []*Tensor) *Tensor {
		var t *Tensor
		var k int
		switch o := op.(type) {
		case SumOp:
			t = in[0]
			if o.KeepDims || t.NDim() != 1 || t.owner == nil || o.Axes != 0 && o.Axes != allAxes(1) {
				return nil
			}
			k = [3]int{0, 1, 5}[min(t.index, 2)] // the log-densities', the residuals', σ's partials
		case DotOp:
			if !o.TransA || o.TransB || len(in) != 2 || in[0].NDim() != 2 || in[1].NDim() != 1 {
				return nil
			}
			t, k = in[1], 2
			if t.index != 1 {
				return nil
			}
		default:
			return nil
		}
		lk := t.owner
		if lk == nil {
			return nil
		}
		g, seen := built[lk]
		if !seen {
			g = glmNode(lk)
			built[lk] = g
		}
		if g == nil || k >= len(g.Outputs) || k == 2 && in[0] != g.Inputs[1] {
			return nil // not a regression, or Xᵀr of another matrix
		}
		return g.Outputs[k]
	}
}

// glmNode returns a glm node equivalent to the likelihood node lk, or nil if lk is not a
// likelihood of a linear predictor that GLMOp covers.
func glmNode(lk *Apply) *Apply {
	lo, ok := lk.Op.(LikelihoodOp)
	if !ok || lo.fold != 0 {
		return nil
	}
	y, eta := lk.Inputs[0], lk.Inputs[1]
	var sigma *Tensor
	if lo.kind == likeNormal {
		sigma = lk.Inputs[2]
		if sigma.NDim() != 0 || sigma.DType() != Float64 {
			return nil
		}
	}
	if y.NDim() != 1 || eta.NDim() != 1 || !y.typ.Known() || !eta.typ.Known() || !sameShape(y.typ.Shape, eta.typ.Shape) ||
		y.DType() != Float64 || eta.DType() != Float64 || eta.owner == nil {
		return nil
	}
	var alpha, dot *Tensor
	if scalarOf(eta) == opAdd {
		a, b := arg(eta, 0), arg(eta, 1)
		if isGLMDot(b) && a.NDim() == 0 && a.DType() == Float64 {
			alpha, dot = a, b
		} else if isGLMDot(a) && b.NDim() == 0 && b.DType() == Float64 {
			alpha, dot = b, a
		} else {
			return nil
		}
	} else if isGLMDot(eta) {
		dot = eta
	} else {
		return nil
	}
	x, beta := arg(dot, 0), arg(dot, 1)
	if x.typ.Shape[0] != y.typ.Shape[0] {
		return nil
	}
	ins := []*Tensor{y, x}
	if alpha != nil {
		ins = append(ins, alpha)
	}
	ins = append(ins, beta)
	if sigma != nil {
		ins = append(ins, sigma)
	}
	return ApplyOp(GLMOp{kind: lo.kind, intercept: alpha != nil}, ins...)[0].owner
}

// isGLMDot reports whether t is X·β for a float matrix X and vector β of known shapes.
func isGLMDot(t *Tensor) bool {
	if t.owner == nil {
		return false
	}
	d, ok := t.owner.Op.(DotOp)
	if !ok || d.TransA || d.TransB {
		return false
	}
	x, b := arg(t, 0), arg(t, 1)
	return x.NDim() == 2 && b.NDim() == 1 && x.typ.Known() && b.typ.Known() && x.DType() == Float64 && b.DType() == Float64
}
