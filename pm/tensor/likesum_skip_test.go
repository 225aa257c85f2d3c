package tensor

import (
	"math"
	"testing"
)

// Rewrite marks the partials nothing reads (the σ partial of a constant σ) so the kernels leave
// them unwritten; the values are unchanged, and differentiating a rewritten graph again (through
// the op that skips partials) gives the gradient of the graph as written.
func TestSkipUnreadPartials(t *testing.T) {
	const n = 300
	v := NewVar("v", Float64, n)
	s := Scalar("s")
	y := make([]float64, n)
	w := make([]float64, n)
	vs := make([]float64, n)
	for i := range y {
		y[i] = math.Cos(float64(i))
		w[i] = 1 + 0.01*float64(i)
		vs[i] = 0.2*float64(i%5) - 0.3
	}
	cases := []struct {
		name string
		lp   *Tensor
		skip uint8 // the skip mask Rewrite must set
		sum  bool  // LikelihoodSumOp, not LikelihoodOp
	}{
		{"summed", Sum(NormalLogp(y, v, 1.0)), 4, true},
		{"weighted", Sum(Mul(NormalLogp(y, Mul(v, s), 2.0), w)), 4, false},
		{"sigma-used", Sum(Mul(NormalLogp(y, v, Exp(s)), w)), 0, false},
	}
	for _, c := range cases {
		g := Grad(c.lp, v, s)
		outs := []*Tensor{c.lp, g[0], g[1]}
		fg, err := NewFunctionGraph([]*Tensor{v, s}, outs, nil)
		if err != nil {
			t.Fatal(err)
		}
		rw, err := Rewrite(fg)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, nd := range rw.Nodes {
			var skip uint8
			switch o := nd.Op.(type) {
			case LikelihoodOp:
				found, skip = !c.sum, o.skip
			case LikelihoodSumOp:
				found, skip = c.sum, o.skip
			default:
				continue
			}
			if skip != c.skip {
				t.Errorf("%s: %v skips %b, want %b", c.name, nd.Op, skip, c.skip)
			}
		}
		if !found {
			t.Errorf("%s: no %s node in the rewritten graph", c.name, map[bool]string{true: "summed", false: "elementwise"}[c.sum])
		}
		// Second derivatives through the rewritten graph (d/ds of the gradient's sum) against
		// the graph as written.
		sub := map[*Tensor]*Tensor{v: Const(vs), s: Const(0.4)}
		want, err := Eval(Replace(Grad(Sum(g[0]), s), sub)...)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Eval(Replace(Grad(Sum(rw.Outputs[1]), s), sub)...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if a, b := got[0].Data[0], want[0].Data[0]; math.Abs(a-b) > 1e-10*math.Max(1, math.Abs(b)) {
			t.Errorf("%s: second derivative %v through the rewritten graph, %v as written", c.name, a, b)
		}
		vals, err := Eval(Replace(rw.Outputs, sub)...)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := Eval(Replace(outs, sub)...)
		if err != nil {
			t.Fatal(err)
		}
		for k := range ref {
			for j, r := range ref[k].Data {
				if a := vals[k].Data[j]; math.Abs(a-r) > 1e-14*math.Max(1, math.Abs(r)) {
					t.Errorf("%s output %d[%d]: rewritten %v, as written %v", c.name, k, j, a, r)
				}
			}
		}
	}
}
