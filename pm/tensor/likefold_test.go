package tensor

import (
	"fmt"
	"math"
	"testing"
)

// unfoldNodes rebuilds fg with every folded Normal likelihood replaced by the plain op and the
// sums and negations it folded, as the graph was before foldPartials.
func unfoldNodes(t *testing.T, fg *FunctionGraph) *FunctionGraph {
	t.Helper()
	res, err := fg.rebuild(fg.Nodes, map[*Tensor]*Tensor{}, func(n *Apply, ins []*Tensor) []*Tensor {
		var fold uint8
		var plain Op
		switch o := n.Op.(type) {
		case LikelihoodOp:
			fold, o.fold = o.fold, 0
			plain = o
		case LikelihoodSumOp:
			fold, o.fold = o.fold, 0
			plain = o
		default:
			return nil
		}
		if fold == 0 {
			return nil
		}
		outs := append([]*Tensor(nil), ApplyOp(plain, ins...)...)
		for k := 1; k < len(outs); k++ {
			sum, neg := foldBits(fold, k)
			if sum {
				outs[k] = Sum(outs[k])
			}
			if neg {
				outs[k] = Neg(outs[k])
			}
		}
		return outs
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// foldsOf lists the fold bits of the rewritten graph's Normal likelihoods.
func foldsOf(fg *FunctionGraph) []uint8 {
	var r []uint8
	for _, n := range fg.Nodes {
		if f := normalFold(n.Op); f >= 0 {
			r = append(r, uint8(f))
		}
	}
	return r
}

// Rewrite folds into a Normal likelihood the sum of its σ partial (a scalar σ) and the
// negation of its μ partial (the partial in x); the folded kernels give the bits of the
// unfolded graph, for every layout the kernels take (fused sums and elementwise values, scalar
// and constant σ, σ ≤ 0, one element and many), and differentiating a folded graph again gives
// the second derivatives of the graph as written.
func TestFoldPartials(t *testing.T) {
	for _, n := range []int{2, 5, 40, 300} {
		v := NewVar("v", Float64, n)
		s := Scalar("s")
		m := Scalar("m")
		y, w := make([]float64, n), make([]float64, n)
		vs := make([]float64, n)
		for i := range y {
			y[i] = math.Cos(float64(i))
			w[i] = 1 + 0.01*float64(i)
			vs[i] = 0.2*float64(i%5) - 0.3
		}
		pw := NormalLogp(v, 0.5, Exp(s))
		cases := []struct {
			name string
			lp   *Tensor
			fold uint8 // the fold bits Rewrite must set on the (first) likelihood
			// pointwise, when set, is the likelihood's elementwise values, made an output.
			pointwise *Tensor
		}{
			// x a vector variable, constant mean, scalar σ: −∂/∂μ is the gradient in x.
			{"x-var", Sum(NormalLogp(v, 0.0, Exp(s))), foldSum<<2 | foldNeg<<1, nil},
			// Data with a vector mean: the μ partial is read whole; σ's is summed.
			{"mu-vec", Sum(NormalLogp(y, Mul(v, m), Exp(s))), foldSum << 2, nil},
			// Data with a scalar mean: both partials summed.
			{"mu-scalar", Sum(NormalLogp(y, m, Exp(s))), foldSum<<2 | foldSum<<1, nil},
			// Elementwise values weighted: the partials are read by products, not folded.
			{"weighted", Sum(Mul(NormalLogp(v, 0.5, Exp(s)), w)), 0, nil},
			// A vector σ: nothing to sum in σ; the scalar mean's partial is summed.
			{"sigma-vec", Sum(NormalLogp(y, m, Exp(Mul(v, s)))), foldSum << 1, nil},
			{"pointwise", Sum(pw), foldSum<<2 | foldNeg<<1, pw},
			// σ ≤ 0 at the test point below (s is used directly): the general kernel.
			{"sigma-raw", Sum(NormalLogp(v, m, s)), foldSum << 2, nil},
		}
		for _, c := range cases {
			name := fmt.Sprintf("%s/n=%d", c.name, n)
			g := Grad(c.lp, v, s, m)
			outs := []*Tensor{c.lp}
			if c.pointwise != nil {
				// The elementwise values are an output too (as for LOO): LikelihoodOp, not
				// the fused sum, with the same folds.
				outs = append(outs, c.pointwise)
			}
			for _, x := range g {
				if x != nil {
					outs = append(outs, x)
				}
			}
			fg, err := NewFunctionGraph([]*Tensor{v, s, m}, outs, nil)
			if err != nil {
				t.Fatal(err)
			}
			rw, err := Rewrite(fg)
			if err != nil {
				t.Fatal(err)
			}
			folds := foldsOf(rw)
			if len(folds) == 0 {
				t.Fatalf("%s: no Normal likelihood left in the rewritten graph", name)
			}
			if folds[0] != c.fold {
				t.Errorf("%s: folds %08b, want %08b", name, folds[0], c.fold)
			}
			unf := unfoldNodes(t, rw)
			for _, pt := range []struct{ s, m float64 }{{0.4, -0.2}, {-0.3, 0.7}, {0, 0.1}} {
				in := []*Array{
					{DType: Float64, Shape: []int{n}, Data: vs},
					{DType: Float64, Shape: []int{}, Data: []float64{pt.s}},
					{DType: Float64, Shape: []int{}, Data: []float64{pt.m}},
				}
				got := runRef(t, rw, in)
				want := runRef(t, unf, in)
				for k := range want {
					for j, r := range want[k].Data {
						if a := got[k].Data[j]; math.Float64bits(a) != math.Float64bits(r) {
							t.Errorf("%s at s=%v output %d[%d]: folded %v, unfolded %v", name, pt.s, k, j, a, r)
						}
					}
				}
				// Against the graph as written, to rounding.
				ref := runRef(t, fg, in)
				for k := range ref {
					for j, r := range ref[k].Data {
						a := got[k].Data[j]
						if !(math.Abs(a-r) <= 1e-12*math.Max(1, math.Abs(r))) && !(math.IsInf(a, -1) && math.IsInf(r, -1)) {
							t.Errorf("%s at s=%v output %d[%d]: rewritten %v, as written %v", name, pt.s, k, j, a, r)
						}
					}
				}
			}
			// Second derivatives through the folded graph: d/ds of the s gradient.
			if c.fold == 0 {
				continue
			}
			sub := map[*Tensor]*Tensor{v: Const(vs), s: Const(0.4), m: Const(-0.2)}
			want, err := Eval(Replace(Grad(g[1], s, m), sub)...)
			if err != nil {
				t.Fatal(err)
			}
			is := 2 // the s gradient's output: after the value and v's gradient
			if c.pointwise != nil {
				is++
			}
			got, err := Eval(Replace(Grad(rw.Outputs[is], s, m), sub)...)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for k := range want {
				if a, b := got[k].Data[0], want[k].Data[0]; math.Abs(a-b) > 1e-9*math.Max(1, math.Abs(b)) {
					t.Errorf("%s: second derivative %d %v through the folded graph, %v as written", name, k, a, b)
				}
			}
		}
	}
}

// runRef runs fg's kernels on in.
func runRef(t *testing.T, fg *FunctionGraph, in []*Array) []*Array {
	t.Helper()
	p, err := newRefProgram(fg)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := p.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	res := make([]*Array, len(outs))
	for i, o := range outs {
		res[i] = o.Clone()
	}
	return res
}
