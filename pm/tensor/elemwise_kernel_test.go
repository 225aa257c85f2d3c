package tensor

import (
	"fmt"
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/internal/benchutil"
)

// unaryKernelOps are the unary ops whose whole-slice kernels are checked and benchmarked.
var unaryKernelOps = []*scalarOp{opNeg, opSquare, opAbs, opCastFloat, opExp}

// unaryRun builds op's kernel for a contiguous vector of n elements.
func unaryRun(t testing.TB, s *scalarOp, n int) Kernel {
	x := NewVar("x", Float64, n)
	y := elemwise(s, x)
	k, err := y.owner.Op.Kernel(KernelSpec{Node: y.owner, In: []Type{x.typ}, Out: []Type{y.typ}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The whole-slice kernels of the simple unary ops give the scalar function's bits at every
// element, for the special values too (−0, ±Inf, NaN, subnormals).
func TestUnaryKernels(t *testing.T) {
	special := []float64{0, math.Copysign(0, -1), 1, -2.5, math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, -1e308, 3.7e-310}
	for _, s := range unaryKernelOps {
		for _, n := range []int{1, 3, 4, 7, 8, 33, 1000} {
			k := unaryRun(t, s, n)
			in := &Array{DType: Float64, Shape: []int{n}, Data: make([]float64, n)}
			for i := range in.Data {
				if i < len(special) && n > 4 {
					in.Data[i] = special[i]
				} else {
					in.Data[i] = math.Sin(float64(7*i+1)) * math.Pow(10, float64(i%9-4))
				}
			}
			out := &Array{DType: Float64, Shape: []int{n}, Data: make([]float64, n)}
			for i := range out.Data {
				out.Data[i] = 12345 // every element must be written
			}
			if err := k([]*Array{out}, []*Array{in}); err != nil {
				t.Fatal(err)
			}
			for i, x := range in.Data {
				if got, want := out.Data[i], s.f1(x); math.Float64bits(got) != math.Float64bits(want) && !(got != got && want != want) {
					t.Errorf("%s n=%d [%d]: f(%v) = %v, scalar function %v", s.name, n, i, x, got, want)
				}
			}
		}
	}
}

// BenchmarkUnaryKernel is one elementwise unary op on 1000 contiguous elements.
func BenchmarkUnaryKernel(b *testing.B) {
	const n = 1000
	for _, s := range unaryKernelOps {
		b.Run(fmt.Sprint(s.name), func(b *testing.B) {
			k := unaryRun(b, s, n)
			in := []*Array{{DType: Float64, Shape: []int{n}, Data: make([]float64, n)}}
			out := []*Array{{DType: Float64, Shape: []int{n}, Data: make([]float64, n)}}
			for i := range in[0].Data {
				in[0].Data[i] = math.Sin(float64(i))
			}
			benchutil.Loop(b, func() { _ = k(out, in) })
		})
	}
}

// Division of a vector by a scalar gives the bits of x/c at every element, whether c is a power
// of two (then the kernel multiplies by 1/c) or not, for special and subnormal x and results.
func TestDivByScalarKernel(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), 1, -3.7, 5e-324, -3e-320, 2.2250738585072014e-308, math.MaxFloat64,
		-math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 1e-310, 7.5e300, math.Nextafter(1, 2)}
	for i := range 200 {
		xs = append(xs, math.Sin(float64(i))*math.Pow(2, float64(i%300-150)*7))
	}
	for _, n := range []int{5, len(xs)} { // the short loops and fastmath's slice kernels
		checkDivByScalar(t, xs[:n])
	}
}

func checkDivByScalar(t *testing.T, xs []float64) {
	n := len(xs)
	x, c := NewVar("x", Float64, n), Scalar("c")
	y := Div(x, c)
	k, err := y.owner.Op.Kernel(KernelSpec{Node: y.owner, In: []Type{x.typ, c.typ}, Out: []Type{y.typ}})
	if err != nil {
		t.Fatal(err)
	}
	for _, cv := range []float64{2, 0.5, -4, 1, math.Ldexp(1, -1000), math.Ldexp(1, 1000), math.Ldexp(1, 1023),
		math.Ldexp(1, -1022), math.Ldexp(1, -1074), 3, -0.1, 0, math.Inf(1), math.NaN()} {
		out := &Array{DType: Float64, Shape: []int{n}, Data: make([]float64, n)}
		if err := k([]*Array{out}, []*Array{{DType: Float64, Shape: []int{n}, Data: xs}, {DType: Float64, Data: []float64{cv}}}); err != nil {
			t.Fatal(err)
		}
		for i, v := range xs {
			if got, want := out.Data[i], v/cv; math.Float64bits(got) != math.Float64bits(want) && !(got != got && want != want) {
				t.Errorf("%v / %v = %v, want %v", v, cv, got, want)
			}
		}
	}
}
