package tensor

import (
	"errors"
	"math"
	"testing"
)

// scanCase is a function of some inputs built with Scan, checked at a point.
type scanCase struct {
	name     string
	f        func(in []*Tensor) *Tensor
	pt       []any
	compiled bool // the body is one the loop compiler handles
}

var scanCases = []scanCase{
	{"oscillator: two coupled states, affine", func(in []*Tensor) *Tensor {
		dt, k := in[0], in[1]
		r := Scan(func(a []*Tensor) []*Tensor {
			x, v := a[0], a[1]
			return []*Tensor{Add(x, Mul(dt, v)), Sub(v, Mul(Mul(dt, k), x))}
		}, ScanArgs{OutputsInfo: []*Tensor{in[2], in[3]}, NSteps: 6})
		return Add(Sum(Square(r[0])), Sum(Mul(r[1], Const([]float64{1, -2, 3, 0.5, 1, 2}))))
	}, []any{0.1, 2.0, 1.0, -0.5}, true},
	{"rnn: vector state, nonlinear, output not fed back", func(in []*Tensor) *Tensor {
		w, xs, h0 := in[0], in[1], in[2]
		r := Scan(func(a []*Tensor) []*Tensor {
			x, h := a[0], a[1]
			hn := Tanh(Add(Mul(w, h), x))
			return []*Tensor{hn, Sum(Square(hn))}
		}, ScanArgs{Sequences: []*Tensor{xs}, OutputsInfo: []*Tensor{h0, nil}})
		return Add(Sum(r[0]), Mul(0.3, Sum(r[1])))
	}, []any{[]float64{0.5, -0.8, 1.1}, [][]float64{{0.1, 0.2, -0.3}, {1, -1, 0.5}, {0.3, 0.3, 0.3}, {-0.2, 0.4, 0.1}}, []float64{0.1, -0.1, 0.2}}, true},
	{"reverse: affine, gradient of the sequence", func(in []*Tensor) *Tensor {
		return Scan(func(a []*Tensor) []*Tensor { return []*Tensor{Add(Mul(in[1], a[1]), a[0])} },
			ScanArgs{Sequences: []*Tensor{in[0]}, OutputsInfo: []*Tensor{in[2]}, Reverse: true})[0]
	}, []any{[]float64{1, -2, 0.5, 3, 0.7}, 0.8, 0.3}, true},
	{"one step", func(in []*Tensor) *Tensor {
		return Scan(func(a []*Tensor) []*Tensor { return []*Tensor{Exp(Mul(a[1], a[0]))} },
			ScanArgs{Sequences: []*Tensor{in[0]}, OutputsInfo: []*Tensor{in[1]}})[0]
	}, []any{[]float64{0.7}, 0.4}, true},
	{"AR(2) window: concatenate, slice, sum", func(in []*Tensor) *Tensor {
		rho := in[0]
		r := Scan(func(a []*Tensor) []*Tensor {
			e, win := a[0], a[1]
			next := Add(Sum(Mul(win, rho)), e)
			return []*Tensor{Concatenate(0, Slice(win, 0, 1, 2, 1), ExpandDims(next, 0))}
		}, ScanArgs{Sequences: []*Tensor{in[1]}, OutputsInfo: []*Tensor{in[2]}})[0]
		return Sum(Square(r))
	}, []any{[]float64{0.3, 0.5}, []float64{0.1, -0.4, 0.8, 0.2, -0.1}, []float64{0.2, -0.3}}, true},
	{"matrix state: transpose, log-sum-exp over an axis, several sequences and non-sequences", func(in []*Tensor) *Tensor {
		r := Scan(func(a []*Tensor) []*Tensor {
			x, y, m, b, c := a[0], a[1], a[2], a[3], a[4]
			lse := LogSumExpKeepDims(Add(Transpose(m), b), 1)
			return []*Tensor{Add(Mul(lse, c), Add(ExpandDims(x, 1), ExpandDims(y, 0)))}
		}, ScanArgs{Sequences: []*Tensor{in[0], in[1]}, OutputsInfo: []*Tensor{in[2]}, NonSequences: []*Tensor{in[3], in[4]}})[0]
		return Sum(Mul(r, r))
	}, []any{[][]float64{{0.1, 0.2}, {0.3, -0.1}, {0.0, 0.5}}, [][]float64{{1, 2}, {-1, 0.5}, {0.2, 0.2}},
		[][]float64{{0.1, 0.2}, {-0.3, 0.4}}, [][]float64{{0.5, -0.5}, {1, 0}}, 0.4}, true},
	{"switch, maximum, pow, softplus", func(in []*Tensor) *Tensor {
		return Scan(func(a []*Tensor) []*Tensor {
			x, h := a[0], a[1]
			v := Switch(Gt(x, 0.0), Pow(Add(Square(h), 1.0), 0.5), Softplus(Maximum(x, h)))
			return []*Tensor{Add(Mul(0.5, v), Log1p(Square(x)))}
		}, ScanArgs{Sequences: []*Tensor{in[0]}, OutputsInfo: []*Tensor{in[1]}})[0]
	}, []any{[]float64{0.5, -1.2, 0.3, -0.2, 2}, 0.1}, true},
	{"affine chain of five columns with static coefficients (fused), in pre and post, sequences' gradients", func(in []*Tensor) *Tensor {
		r := Scan(func(a []*Tensor) []*Tensor {
			x1, x2, x3, x4, x5, h := a[0], a[1], a[2], a[3], a[4], a[5]
			c1, c2, c3, c4, c5, k := a[6], a[7], a[8], a[9], a[10], a[11]
			u := Sub(Add(Mul(c1, x1), Mul(x2, c2)), Mul(Add(x3, k), c3))
			u = Add(u, Add(Mul(c4, x4), Neg(Mul(c5, x5))))
			hn := Add(Mul(0.7, h), u)
			return []*Tensor{hn, Sub(Mul(hn, c1), Add(x1, k))}
		}, ScanArgs{Sequences: in[:5], OutputsInfo: []*Tensor{in[11], nil}, NonSequences: in[5:11]})
		return Add(Sum(Square(r[0])), Sum(Mul(r[1], r[0])))
	}, []any{[]float64{0.1, 0.5, -0.3, 0.8, 0.2, -1}, []float64{1, 0.4, -0.2, 0.3, 0.9, 0.1}, []float64{-0.5, 0.2, 0.7, 0.1, 0.3, 0.6},
		[]float64{0.3, -0.3, 0.5, 1.1, -0.4, 0.2}, []float64{0.2, 0.6, -0.1, 0.4, 0.5, -0.7}, 0.3, -0.6, 0.8, 0.4, 1.2, 0.25, 0.1}, true},
	{"affine chains of two and three columns, a static term, a nonlinear core", func(in []*Tensor) *Tensor {
		x1, x2, x3, c1, c2, c3, c4 := in[0], in[1], in[2], in[3], in[4], in[5], in[6]
		return Scan(func(a []*Tensor) []*Tensor {
			y1, y2, y3, h := a[0], a[1], a[2], a[3]
			pre2 := Sub(Add(y1, Mul(c2, y2)), c3)
			pre3 := Add(Sub(Mul(c1, y1), Mul(y2, c2)), Mul(c4, y3))
			return []*Tensor{Add(Tanh(Add(Mul(c1, h), pre2)), Mul(pre3, h))}
		}, ScanArgs{Sequences: []*Tensor{Const([]float64{0.3, -0.2, 0.5, 0.1}), x2, x3}, OutputsInfo: []*Tensor{x1}})[0]
	}, []any{0.2, []float64{1, 0.4, -0.2, 0.3}, []float64{-0.5, 0.2, 0.7, 0.1}, 0.6, -0.4, 0.3, 0.9}, true},
	{"scalar recurrence, offset of two columns with coefficients, the previous state read after the loop (fused reverse, two dot products)", func(in []*Tensor) *Tensor {
		c1, c2, k, a := in[0], in[1], in[2], in[3]
		r := Scan(func(b []*Tensor) []*Tensor {
			x1, x2, h := b[0], b[1], b[2]
			hn := Sub(Add(Add(Mul(c1, x1), Mul(x2, c2)), k), Mul(a, h))
			return []*Tensor{hn, Mul(h, x1)}
		}, ScanArgs{Sequences: []*Tensor{Const([]float64{0.3, -0.2, 0.5, 0.1, 0.9, -0.4, 0.2}), Const([]float64{1, 0.4, -0.2, 0.3, -0.6, 0.8, 0.1})},
			OutputsInfo: []*Tensor{in[4], nil}})
		return Add(Sum(Square(r[0])), Sum(r[1]))
	}, []any{0.6, -0.4, 0.3, 0.55, 0.2}, true},
	{"scalar recurrence, offset of constants only (no gradient through the offset)", func(in []*Tensor) *Tensor {
		return Scan(func(b []*Tensor) []*Tensor {
			return []*Tensor{Add(Add(Mul(b[0], 2.0), 1.0), Mul(in[0], b[1]))}
		}, ScanArgs{Sequences: []*Tensor{Const([]float64{0.3, -0.2, 0.5, 0.1, 0.9})}, OutputsInfo: []*Tensor{in[1]}})[0]
	}, []any{-0.7, 0.4}, true},
	{"scalar recurrence, offset of a column and a static term (fused reverse, no dot product)", func(in []*Tensor) *Tensor {
		return Scan(func(b []*Tensor) []*Tensor {
			return []*Tensor{Add(Sub(Add(b[0], Mul(0.5, b[0])), in[1]), Mul(in[0], b[1]))}
		}, ScanArgs{Sequences: []*Tensor{Const([]float64{0.3, -0.2, 0.5, 0.1, 0.9, 0.6})}, OutputsInfo: []*Tensor{in[2]}})[0]
	}, []any{0.8, -0.3, 0.4}, true},
	{"log-sum-exp of three terms and softplus on the state's path, log-sum-exp of two in the pre phase", func(in []*Tensor) *Tensor {
		a, b := in[0], in[1]
		return Scan(func(v []*Tensor) []*Tensor {
			x, h := v[0], v[1]
			pre := LogSumExp(Stack(0, Mul(x, a), Neg(x)), 0)
			core := LogSumExp(Stack(0, Add(h, a), Mul(h, b), x), 0)
			return []*Tensor{Sub(Add(core, Softplus(Mul(h, a))), pre)}
		}, ScanArgs{Sequences: []*Tensor{in[2]}, OutputsInfo: []*Tensor{in[3]}})[0]
	}, []any{0.4, -0.7, []float64{0.3, -1.2, 2.5, 0.1, -0.4}, 0.2}, true},
	{"summed normal likelihood of 20 elements a step (fused by Rewrite, folded partials)", func(in []*Tensor) *Tensor {
		mu, ls := in[0], in[1]
		return Scan(func(a []*Tensor) []*Tensor {
			y, acc := a[0], a[1]
			// The likelihood's sum is fused (20 ≥ likeSumMin) and its partials folded: a scalar
			// σ's partial summed, the mean's too; the start is the carried total.
			return []*Tensor{Add(acc, Sum(NormalLogp(y, mu, Exp(ls))))}
		}, ScanArgs{Sequences: []*Tensor{in[2]}, OutputsInfo: []*Tensor{Const(0.0)}})[0]
	}, []any{0.3, -0.2, scanRows(4, 20)}, true},
	{"normal likelihood of 20 elements in x, weighted per step", func(in []*Tensor) *Tensor {
		w, ls := in[0], in[1]
		r := Scan(func(a []*Tensor) []*Tensor {
			y, h := a[0], a[1]
			x := Add(Mul(w, h), y)
			return []*Tensor{x, Sum(NormalLogp(x, 0.0, Exp(ls)))}
		}, ScanArgs{Sequences: []*Tensor{in[2]}, OutputsInfo: []*Tensor{Const(make([]float64, 20)), nil}})
		return Add(Sum(r[1]), Mul(0.1, Sum(Square(r[0]))))
	}, []any{0.6, 0.1, scanRows(3, 20)}, true},
	{"unsupported op (integer division): the graph path", func(in []*Tensor) *Tensor {
		return Scan(func(a []*Tensor) []*Tensor {
			k := IntDiv(Cast(Mul(a[0], 10.0), Int64), 3)
			return []*Tensor{Add(a[1], Mul(Cast(k, Float64), a[0]))}
		}, ScanArgs{Sequences: []*Tensor{in[0]}, OutputsInfo: []*Tensor{in[1]}})[0]
	}, []any{[]float64{0.51, 1.27, 0.33}, 0.1}, false},
	{"unsupported op (dot): the graph path", func(in []*Tensor) *Tensor {
		return Scan(func(a []*Tensor) []*Tensor { return []*Tensor{Tanh(Add(Dot(in[0], a[1]), a[0]))} },
			ScanArgs{Sequences: []*Tensor{in[1]}, OutputsInfo: []*Tensor{in[2]}})[0]
	}, []any{[][]float64{{0.5, -0.2}, {0.1, 0.9}}, [][]float64{{0.1, 0.2}, {1, -1}, {0.3, 0.3}}, []float64{0.1, -0.1}}, false},
}

// evalCase returns f, the gradient of Σ f² and whether the gradient used scanGradOp, with the
// loop compiler on or off.
func evalCase(t *testing.T, c scanCase, compiled bool) ([]float64, bool) {
	t.Helper()
	old := SetScanCompile(compiled)
	defer SetScanCompile(old)
	vars := make([]*Tensor, len(c.pt))
	vals := make([]*Array, len(c.pt))
	for i, p := range c.pt {
		a, err := AsArray(p)
		if err != nil {
			t.Fatal(err)
		}
		vals[i] = a
		vars[i] = NewVar("", Float64, a.Shape...)
	}
	out := c.f(vars)
	g := Grad(Sum(Mul(out, out)), vars...)
	fast := false
	for _, n := range Toposort(g...) {
		if _, ok := n.Op.(scanGradOp); ok {
			fast = true
		}
	}
	fg, err := NewFunctionGraph(vars, append([]*Tensor{out}, g...), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := newRefProgram(fg)
	res, err := p.Run(vals)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	var flat []float64
	for _, r := range res {
		flat = append(flat, r.Data...)
	}
	if n := testing.AllocsPerRun(3, func() { p.Run(vals) }); n != 0 {
		t.Errorf("%s: a call allocates %v times", c.name, n)
	}
	return flat, fast
}

// scanRows is an n×k sequence of smooth, distinct values.
func scanRows(n, k int) [][]float64 {
	r := make([][]float64, n)
	for i := range r {
		r[i] = make([]float64, k)
		for j := range r[i] {
			r[i][j] = math.Sin(float64(3*i+j)) * 0.7
		}
	}
	return r
}

func TestScanCompiledMatchesGraph(t *testing.T) {
	for _, c := range scanCases {
		got, fast := evalCase(t, c, true)
		want, slow := evalCase(t, c, false)
		if fast != c.compiled || slow {
			t.Errorf("%s: one-op gradient %v (graph build: %v), want %v", c.name, fast, slow, c.compiled)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d values compiled, %d as a graph", c.name, len(got), len(want))
		}
		for i := range got {
			if !(math.Abs(got[i]-want[i]) <= 1e-10*math.Max(1, math.Abs(want[i]))) {
				t.Errorf("%s: value %d is %v compiled, %v as a graph", c.name, i, got[i], want[i])
			}
		}
		if err := VerifyGrad(c.f, c.pt, nil); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestScanCompileSupport: the compiler takes the bodies it should and refuses the others.
func TestScanCompileSupport(t *testing.T) {
	x := Vector("x")
	for _, c := range []struct {
		body func(a []*Tensor) []*Tensor
		ok   bool
	}{
		{func(a []*Tensor) []*Tensor { return []*Tensor{Add(a[1], Exp(a[0]))} }, true},
		{func(a []*Tensor) []*Tensor { return []*Tensor{Add(a[1], Mod(a[0], 2.0))} }, false},
		{func(a []*Tensor) []*Tensor { return []*Tensor{Add(a[1], GammaInc(2.0, Abs(a[0])))} }, false},
	} {
		out := Scan(c.body, ScanArgs{Sequences: []*Tensor{x}, OutputsInfo: []*Tensor{Const(0.0)}})[0]
		info := out.owner.Op.(ScanOp).info
		in := []Type{{Float64, []int{5}}, {Float64, []int{}}}
		_, err := compileScan(info, in, 5)
		if c.ok != (err == nil) || !c.ok && !errors.Is(err, errScanUnsupported) {
			t.Errorf("%s: compile error %v, want supported = %v", PP(out), err, c.ok)
		}
		if info.scanCompilable() != c.ok {
			t.Errorf("%s: scanCompilable %v", PP(out), !c.ok)
		}
	}
}
