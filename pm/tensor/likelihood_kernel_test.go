package tensor

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/internal/benchutil"
)

// BenchmarkNormalKernel is the elementwise normal log-density with its partials on 10,000
// elements (x and μ vectors, σ a constant scalar or a scalar input), every output written.
func BenchmarkNormalKernel(b *testing.B) {
	const n = 10000
	for _, c := range []struct {
		name  string
		sigma *Tensor
	}{{"const-sigma", Const(1.5)}, {"scalar-sigma", Scalar("s")}} {
		b.Run(c.name, func(b *testing.B) {
			x, mu := NewVar("x", Float64, n), NewVar("mu", Float64, n)
			lp := NormalLogp(x, mu, c.sigma)
			nd := lp.owner
			in := []Type{x.typ, mu.typ, c.sigma.typ}
			out := []Type{nd.Outputs[0].typ, nd.Outputs[1].typ, nd.Outputs[2].typ}
			k, err := nd.Op.Kernel(KernelSpec{Node: nd, In: in, Out: out})
			if err != nil {
				b.Fatal(err)
			}
			arr := func(t Type) *Array {
				return &Array{DType: Float64, Shape: t.Shape, Data: make([]float64, shapeSize(t.Shape))}
			}
			ins := []*Array{arr(in[0]), arr(in[1]), arr(in[2])}
			for i := range ins[0].Data {
				ins[0].Data[i], ins[1].Data[i] = math.Sin(float64(i)), 0.1*float64(i%7)
			}
			ins[2].Data[0] = 1.5
			outs := []*Array{arr(out[0]), arr(out[1]), arr(out[2])}
			benchutil.Loop(b, func() { _ = k(outs, ins) })
		})
	}
}

// normalRef is the normal log-density and its partials at one element, as the kernels define
// them: z = (x − μ)·(1/σ), lp = −z²/2 − (log σ + log(2π)/2) with math.Log, dμ = z/σ (as z·(1/σ)),
// dσ = (z² − 1)·(1/σ); −Inf and zero partials where σ ≤ 0.
func normalRef(x, m, sg float64) (lp, dmu, dsg float64) {
	if !(sg > 0) {
		return math.Inf(-1), 0, 0
	}
	inv := 1 / sg
	z := (x - m) * inv
	return -0.5*z*z - (math.Log(sg) + 0.91893853320467274178032973640561764), z * inv, (z*z - 1) * inv
}

// Every path of the normal kernels (operands a vector, a scalar or a broadcast; σ constant,
// an input, positive or not; partials skipped; summed, from a start or not) gives the bits of
// normalRef element by element, the sum added in order.
func TestNormalKernelPaths(t *testing.T) {
	const rows, cols = 20, 15
	const n = rows * cols
	vec := func(f func(i int) float64) []float64 {
		d := make([]float64, n)
		for i := range d {
			d[i] = f(i)
		}
		return d
	}
	xs := vec(func(i int) float64 { return math.Sin(float64(i)) * 2 })
	ms := vec(func(i int) float64 { return 0.1*float64(i%7) - 0.3 })
	ss := vec(func(i int) float64 { return 0.5 + float64(i%4) })
	type operand struct {
		name  string
		t     *Tensor // a constant, or an input with value val
		val   []float64
		shape []int
	}
	in := func(name string, d []float64, shape ...int) operand {
		return operand{name, NewVar(name, Float64, shape...), d, shape}
	}
	cst := func(name string, d []float64, shape ...int) operand {
		a := &Array{DType: Float64, Shape: shape, Data: d}
		return operand{name, constArray(a), d, shape}
	}
	xOps := []operand{in("x", xs, n), in("x1", xs[:1]), in("xrow", xs[:rows], rows, 1)}
	mOps := []operand{in("mu", ms, n), cst("mu0", ms[:1]), in("mu1", ms[3:4]), in("murow", ms[:cols], cols)}
	sBad := append([]float64{}, ss...)
	sBad[n/2] = 0
	sOps := []operand{cst("s1.5", []float64{1.5}), in("s", []float64{0.7}), in("sneg", []float64{-1}),
		in("svec", ss, n), cst("cvec", ss, n), cst("cneg", []float64{0}), in("svecbad", sBad, n)}
	for _, xo := range xOps {
		for _, mo := range mOps {
			for _, so := range sOps {
				if (xo.name == "xrow" || mo.name == "murow") && !(xo.name == "xrow" && mo.name == "murow" && shapeSize(so.shape) == 1) {
					continue // shapes that do not broadcast
				}
				for _, summed := range []bool{false, true} {
					for _, from := range []bool{false, true} {
						if from && !summed {
							continue
						}
						for skip := uint8(0); skip <= 6; skip += 2 {
							checkNormalKernel(t, xo.t, mo.t, so.t, xo.val, mo.val, so.val, summed, from, skip)
						}
					}
				}
			}
		}
	}
}

func checkNormalKernel(t *testing.T, x, mu, sg *Tensor, xv, mv, sv []float64, summed, from bool, skip uint8) {
	t.Helper()
	var op Op = LikelihoodOp{kind: likeNormal, skip: skip}
	ins := []*Tensor{x, mu, sg}
	vals := [][]float64{xv, mv, sv}
	const start = 0.25
	if summed {
		op = LikelihoodSumOp{kind: likeNormal, from: from, skip: skip}
		if from {
			ins = append([]*Tensor{Const(start)}, ins...)
			vals = append([][]float64{{start}}, vals...)
		}
	}
	outs := ApplyOp(op, ins...)
	nd := outs[0].owner
	inT := make([]Type, len(ins))
	arrs := make([]*Array, len(ins))
	for i, x := range ins {
		inT[i] = x.typ
		arrs[i] = &Array{DType: Float64, Shape: x.typ.Shape, Data: vals[i]}
	}
	outT := make([]Type, len(outs))
	res := make([]*Array, len(outs))
	for i, o := range outs {
		outT[i] = o.typ
		res[i] = &Array{DType: Float64, Shape: o.typ.Shape, Data: make([]float64, shapeSize(o.typ.Shape))}
		for j := range res[i].Data {
			res[i].Data[j] = 12345 // unwritten outputs keep it
		}
	}
	k, err := op.Kernel(KernelSpec{Node: nd, In: inT, Out: outT})
	if err != nil {
		t.Fatal(err)
	}
	if err := k(res, arrs); err != nil {
		t.Fatal(err)
	}
	shape := outT[1].Shape
	xi, mi, si := broadcastIndex(x.typ.Shape, shape), broadcastIndex(mu.typ.Shape, shape), broadcastIndex(sg.typ.Shape, shape)
	name := func() string {
		return x.name + "," + mu.name + "," + sg.name + map[bool]string{true: " summed", false: ""}[summed] +
			map[bool]string{true: " from", false: ""}[from] + " skip " + string('0'+rune(skip))
	}
	sum := 0.0
	if from {
		sum = start
	}
	for i := range shapeSize(shape) {
		lp, dmu, dsg := normalRef(xv[xi[i]], mv[mi[i]], sv[si[i]])
		want := [3]float64{lp, dmu, dsg}
		if summed {
			sum += lp
		}
		for k := 0; k < 3; k++ {
			if k == 0 && summed {
				continue
			}
			w := want[k]
			if skip&(1<<k) != 0 {
				w = 12345
			}
			if got := res[k].Data[i]; math.Float64bits(got) != math.Float64bits(w) {
				t.Fatalf("%s: output %d[%d] = %v, want %v", name(), k, i, got, w)
			}
		}
	}
	if summed && math.Float64bits(res[0].Data[0]) != math.Float64bits(sum) {
		t.Fatalf("%s: sum %v, want %v", name(), res[0].Data[0], sum)
	}
}
