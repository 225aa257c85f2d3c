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
