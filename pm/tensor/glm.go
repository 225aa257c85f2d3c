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
// Intercept is false) and the coefficients β (k). Its outputs are
//
//	0: Σ_i log p(y_i | η_i)    (a scalar)
//	1: Σ_i r_i                 (a scalar, the derivative with respect to α)
//	2: Xᵀr                     (k, the derivative with respect to β)
//	3: η = α + X·β             (n)
//	4: r_i = ∂ log p(y_i | η_i)/∂η_i (n)
//
// For the Bernoulli likelihood with logit link, log p = y·η − log(1 + e^η) and r = y − σ(η);
// labels other than 0 and 1 give the value of that formula (as bernoulli_logit_lpmf does).
type GLMOp struct {
	kind      likeKind
	intercept bool
}

// String implements Op.
func (o GLMOp) String() string {
	s := "glm_" + likeNames[o.kind]
	if !o.intercept {
		s += "{no intercept}"
	}
	return s
}

// Intercept reports whether the op's third input is the intercept α.
func (o GLMOp) Intercept() bool { return o.intercept }

// glmInputs names the op's inputs: y, X, the intercept (or nil) and β.
func (o GLMOp) glmInputs(in []*Tensor) (y, x, alpha, beta *Tensor) {
	if o.intercept {
		return in[0], in[1], in[2], in[3]
	}
	return in[0], in[1], nil, in[2]
}

// Infer implements Op.
func (o GLMOp) Infer(in []Type) ([]Type, error) {
	want := 3
	if o.intercept {
		want = 4
	}
	if len(in) != want {
		return nil, errorf(o.String(), "takes %d inputs, got %d", want, len(in))
	}
	y, x, beta := in[0], in[1], in[len(in)-1]
	if len(y.Shape) != 1 || len(x.Shape) != 2 || len(beta.Shape) != 1 {
		return nil, errorf(o.String(), "wants y (n), X (n, k) and beta (k), got shapes %s, %s and %s",
			ShapeString(y.Shape), ShapeString(x.Shape), ShapeString(beta.Shape))
	}
	if o.intercept && len(in[2].Shape) != 0 {
		return nil, errorf(o.String(), "the intercept must be a scalar, got shape %s", ShapeString(in[2].Shape))
	}
	if dimsMismatch(y.Shape[0], x.Shape[0]) || dimsMismatch(beta.Shape[0], x.Shape[1]) {
		return nil, errorf(o.String(), "shapes %s, %s and %s do not match", ShapeString(y.Shape), ShapeString(x.Shape), ShapeString(beta.Shape))
	}
	n, k := x.Shape[0], x.Shape[1]
	scalar := Type{DType: Float64, Shape: []int{}}
	return []Type{scalar, scalar, {DType: Float64, Shape: []int{k}}, {DType: Float64, Shape: []int{n}}, {DType: Float64, Shape: []int{n}}}, nil
}

// Unfused returns the op's outputs on inputs in, computed by the ops it fuses: for backends
// that translate graphs to another engine, and for Grad.
func (o GLMOp) Unfused(in []*Tensor) []*Tensor {
	y, x, alpha, beta := o.glmInputs(in)
	eta := Apply1(DotOp{}, x, beta)
	if alpha != nil {
		eta = Add(alpha, eta)
	}
	lk := ApplyOp(LikelihoodOp{kind: o.kind}, y, eta)
	return []*Tensor{Sum(lk[0]), Sum(lk[1]), Apply1(DotOp{TransA: true}, x, lk[1]), eta, lk[1]}
}

// Grad implements Op: the gradient of the composed form (rarely needed: Rewrite introduces the
// op after differentiation, so only gradients of a rewritten graph reach it).
func (o GLMOp) Grad(in, out, gout []*Tensor) []*Tensor {
	outs := o.Unfused(in)
	var cost *Tensor
	for k, g := range gout {
		if g == nil {
			continue
		}
		t := Sum(Mul(g, outs[k]))
		if cost == nil {
			cost = t
		} else {
			cost = Add(cost, t)
		}
	}
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
	if o.kind != likeBernoulliLogit {
		return nil, errorf(o.String(), "not implemented")
	}
	rows, cols := spec.In[1].Shape[0], spec.In[1].Shape[1]
	// Labels that are constant 0/1 are checked once here; others are checked at each call.
	constLabels := false
	if y := spec.Node.Inputs[0].Value(); y != nil {
		constLabels = labels01(y.Data)
	}
	ib := 2
	if o.intercept {
		ib = 3
	}
	return func(out, in []*Array) error {
		y, x, beta := in[0].Data, in[1].Data, in[ib].Data
		alpha := 0.0
		if o.intercept {
			alpha = in[2].Data[0]
		}
		eta, r, gb := out[3].Data, out[4].Data, out[2].Data
		if constLabels || labels01(y) {
			out[0].Data[0], out[1].Data[0] = fastmath.BernoulliLogitGLM(x, rows, cols, alpha, beta, y, eta, r, gb)
			return nil
		}
		out[0].Data[0], out[1].Data[0] = bernoulliGLMGeneric(x, rows, cols, alpha, beta, y, eta, r, gb)
		return nil
	}, nil
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
	matTVec(gb, x, rows, cols, r)
	return lp, ga
}

// newGLMRule returns the rule that introduces GLMOp: it rewrites each of
//
//	sum(l[0]), sum(l[1]), dot{Aᵀ}(X, l[1])   with l = bernoulli_logit_lpmf(y, α + X·β)
//
// (α + X·β also X·β + α or X·β alone; X a matrix, β a vector and α a scalar) into the matching
// output of one glm node. The gradient of a regression reads the likelihood's partials only
// through Σ r (the intercept's gradient) and Xᵀr (the coefficients'), so once all three readers
// are rewritten the likelihood and its predictor are dead and the graph reads X once. The rule
// keeps the glm node it built for each likelihood, so that one Rewrite pass builds one node for
// all three readers (localRules makes a new rule, and so a new cache, each pass).
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
			k = t.index // the log-densities' sum is output 0, the residuals' output 1
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
		g := built[lk]
		if g == nil {
			g = glmNode(lk)
			if g == nil {
				return nil
			}
			built[lk] = g
		}
		if k == 2 && in[0] != g.Inputs[1] {
			return nil // Xᵀr of another matrix
		}
		return g.Outputs[k]
	}
}

// glmNode returns a glm node equivalent to the likelihood node lk, or nil if lk is not a
// likelihood of a linear predictor that GLMOp covers.
func glmNode(lk *Apply) *Apply {
	lo, ok := lk.Op.(LikelihoodOp)
	if !ok || lo.kind != likeBernoulliLogit {
		return nil
	}
	y, eta := lk.Inputs[0], lk.Inputs[1]
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
	if alpha != nil {
		return ApplyOp(GLMOp{kind: lo.kind, intercept: true}, y, x, alpha, beta)[0].owner
	}
	return ApplyOp(GLMOp{kind: lo.kind}, y, x, beta)[0].owner
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
