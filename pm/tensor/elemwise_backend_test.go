package tensor_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mathext"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/backend/debug"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// The cross-backend suite for the elementwise ops and Sum: every op runs on random inputs in
// several broadcasting layouts, compiled on vm and on debug; the two must agree bit for bit, and
// both must agree with the math package or a closed form computed here element by element.

// ewDomain draws one input value.
type ewDomain func(r *rand.Rand) float64

func ewUniform(lo, hi float64) ewDomain {
	return func(r *rand.Rand) float64 { return lo + (hi-lo)*r.Float64() }
}

// ewPick draws one of the given values (for logical ops and switch conditions).
func ewPick(v ...float64) ewDomain { return func(r *rand.Rand) float64 { return v[r.IntN(len(v))] } }

var (
	ewAny      = ewUniform(-3, 3)
	ewPos      = ewUniform(0.1, 4)
	ewUnit     = ewUniform(0.02, 0.98)
	ewNegative = ewUniform(-3, -0.05)
	ewBools    = ewPick(0, 1)
	ewTruthy   = ewPick(0, 1, 2.5, -1)
)

// ewCase is one elementwise op: how to build it, what each element must be, where its inputs
// live, and whether its gradient is checked.
type ewCase struct {
	name string
	dom  []ewDomain // one per input; the arity
	f    func(in []*tensor.Tensor) *tensor.Tensor
	ref  func(x []float64) float64
	tol  float64 // relative tolerance of the value test; 0 means bit for bit, ulp1 one ulp
	grad bool    // checked by VerifyGrad
	out  tensor.DType
}

// ulp1 marks a tolerance of one unit in the last place: kernels may use faster implementations
// than the math package as long as they stay within an ulp.
const ulp1 = -1

func ewCases() []ewCase {
	f64 := tensor.Float64
	un := func(name string, d ewDomain, f func(any) *tensor.Tensor, ref func(float64) float64, tol float64, grad bool) ewCase {
		return ewCase{name: name, dom: []ewDomain{d}, f: func(in []*tensor.Tensor) *tensor.Tensor { return f(in[0]) },
			ref: func(x []float64) float64 { return ref(x[0]) }, tol: tol, grad: grad, out: f64}
	}
	bin := func(name string, da, db ewDomain, f func(a, b any) *tensor.Tensor, ref func(a, b float64) float64, tol float64, grad bool, out tensor.DType) ewCase {
		return ewCase{name: name, dom: []ewDomain{da, db}, f: func(in []*tensor.Tensor) *tensor.Tensor { return f(in[0], in[1]) },
			ref: func(x []float64) float64 { return ref(x[0], x[1]) }, tol: tol, grad: grad, out: out}
	}
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	cmp := func(name string, f func(a, b any) *tensor.Tensor, ref func(a, b float64) bool) ewCase {
		// Inputs from a small set so that ties occur.
		d := ewPick(-1, 0, 0.5, 2)
		return bin(name, d, d, f, func(a, b float64) float64 { return b2f(ref(a, b)) }, 0, false, tensor.Bool)
	}
	logic := func(name string, f func(a, b any) *tensor.Tensor, ref func(a, b bool) bool) ewCase {
		return bin(name, ewTruthy, ewTruthy, f, func(a, b float64) float64 { return b2f(ref(a != 0, b != 0)) }, 0, false, tensor.Bool)
	}
	return []ewCase{
		bin("add", ewAny, ewAny, tensor.Add, func(a, b float64) float64 { return a + b }, 0, true, f64),
		bin("sub", ewAny, ewAny, tensor.Sub, func(a, b float64) float64 { return a - b }, 0, true, f64),
		bin("mul", ewAny, ewAny, tensor.Mul, func(a, b float64) float64 { return a * b }, 0, true, f64),
		bin("true_div", ewAny, ewPos, tensor.Div, func(a, b float64) float64 { return a / b }, 0, true, f64),
		bin("int_div", ewAny, ewPos, tensor.IntDiv, func(a, b float64) float64 { return math.Floor(a / b) }, 0, true, f64),
		bin("mod", ewAny, ewPos, tensor.Mod, func(a, b float64) float64 {
			r := math.Mod(a, b) // sign of a; Python's % takes the sign of b
			if r != 0 && (r < 0) != (b < 0) {
				r += b
			}
			return r
		}, 1e-12, true, f64),
		bin("pow", ewPos, ewAny, tensor.Pow, math.Pow, ulp1, true, f64),
		bin("maximum", ewAny, ewAny, tensor.Maximum, math.Max, 0, true, f64),
		bin("minimum", ewAny, ewAny, tensor.Minimum, math.Min, 0, true, f64),
		cmp("lt", tensor.Lt, func(a, b float64) bool { return a < b }),
		cmp("gt", tensor.Gt, func(a, b float64) bool { return a > b }),
		cmp("le", tensor.Le, func(a, b float64) bool { return a <= b }),
		cmp("ge", tensor.Ge, func(a, b float64) bool { return a >= b }),
		cmp("eq", tensor.Eq, func(a, b float64) bool { return a == b }),
		cmp("neq", tensor.Neq, func(a, b float64) bool { return a != b }),
		logic("and", tensor.And, func(a, b bool) bool { return a && b }),
		logic("or", tensor.Or, func(a, b bool) bool { return a || b }),
		logic("xor", tensor.Xor, func(a, b bool) bool { return a != b }),
		{name: "invert", dom: []ewDomain{ewTruthy}, f: func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Not(in[0]) },
			ref: func(x []float64) float64 { return b2f(x[0] == 0) }, out: tensor.Bool},
		{name: "switch", dom: []ewDomain{ewBools, ewAny, ewAny}, f: func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Switch(in[0], in[1], in[2]) },
			ref: func(x []float64) float64 {
				if x[0] != 0 {
					return x[1]
				}
				return x[2]
			}, grad: true, out: f64},
		{name: "clip", dom: []ewDomain{ewAny, ewUniform(-2, -0.5), ewUniform(0.5, 2)}, f: func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Clip(in[0], in[1], in[2]) },
			ref: func(x []float64) float64 { return math.Min(math.Max(x[0], x[1]), x[2]) }, grad: true, out: f64},
		{name: "fill", dom: []ewDomain{ewAny}, f: func(in []*tensor.Tensor) *tensor.Tensor { return tensor.FullLike(in[0], 2.5) },
			ref: func(x []float64) float64 { return 2.5 }, grad: true, out: f64},
		{name: "cast{int64}", dom: []ewDomain{ewAny}, f: func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Cast(in[0], tensor.Int64) },
			ref: func(x []float64) float64 { return math.Trunc(x[0]) }, out: tensor.Int64},
		{name: "cast{float64}", dom: []ewDomain{ewAny}, f: func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.Cast(tensor.Cast(in[0], tensor.Int64), tensor.Float64)
		}, ref: func(x []float64) float64 { return math.Trunc(x[0]) }, out: f64},
		un("neg", ewAny, tensor.Neg, func(x float64) float64 { return -x }, 0, true),
		un("abs", ewAny, tensor.Abs, math.Abs, 0, true),
		un("sign", ewAny, tensor.Sign, func(x float64) float64 { return math.Copysign(1, x) }, 0, true),
		un("floor", ewAny, tensor.Floor, math.Floor, 0, true),
		un("ceil", ewAny, tensor.Ceil, math.Ceil, 0, true),
		un("round", ewPick(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.7, -1.2), tensor.Round, func(x float64) float64 {
			// half to even, by hand: the nearest integer, and on a tie the even one
			f := math.Floor(x)
			switch d := x - f; {
			case d > 0.5:
				return f + 1
			case d < 0.5:
				return f
			}
			if math.Mod(f, 2) == 0 {
				return f
			}
			return f + 1
		}, 0, false),
		un("sqr", ewAny, tensor.Square, func(x float64) float64 { return x * x }, 0, true),
		un("sqrt", ewPos, tensor.Sqrt, math.Sqrt, 0, true),
		un("exp", ewAny, tensor.Exp, math.Exp, ulp1, true),
		un("expm1", ewAny, tensor.Expm1, math.Expm1, ulp1, true),
		un("log", ewPos, tensor.Log, math.Log, ulp1, true),
		un("log1p", ewUniform(-0.9, 3), tensor.Log1p, math.Log1p, ulp1, true),
		un("sigmoid", ewAny, tensor.Sigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 1e-15, true),
		un("softplus", ewAny, tensor.Softplus, func(x float64) float64 { return math.Log(1 + math.Exp(x)) }, 1e-14, true),
		un("log_sigmoid", ewAny, tensor.LogSigmoid, func(x float64) float64 { return -math.Log(1 + math.Exp(-x)) }, 1e-14, true),
		un("logit", ewUnit, tensor.Logit, func(p float64) float64 { return math.Log(p) - math.Log(1-p) }, 1e-13, true),
		un("tanh", ewAny, tensor.Tanh, func(x float64) float64 { return (math.Exp(2*x) - 1) / (math.Exp(2*x) + 1) }, 1e-14, true),
		un("sin", ewAny, tensor.Sin, math.Sin, 0, true),
		un("cos", ewAny, tensor.Cos, math.Cos, 0, true),
		un("erf", ewAny, tensor.Erf, math.Erf, 0, true),
		un("erfc", ewAny, tensor.Erfc, func(x float64) float64 { return 1 - math.Erf(x) }, 1e-13, true),
		un("gammaln", ewPos, tensor.Lgamma, func(x float64) float64 { v, _ := math.Lgamma(x); return v }, 0, true),
		un("psi", ewPos, tensor.Digamma, ewDigamma, 1e-10, true),
		un("tri_gamma", ewPos, tensor.Trigamma, func(x float64) float64 {
			h := 1e-5 * x // central difference of gonum's digamma
			return (mathext.Digamma(x+h) - mathext.Digamma(x-h)) / (2 * h)
		}, 1e-7, false),
		un("log1mexp", ewNegative, tensor.Log1mexp, func(x float64) float64 { return math.Log(1 - math.Exp(x)) }, 1e-13, true),
		bin("gammainc", ewPos, ewPos, tensor.GammaInc, ewGammaIncSeries, 1e-12, true, f64),
		bin("gammaincc", ewPos, ewPos, tensor.GammaIncC, func(a, x float64) float64 { return 1 - ewGammaIncSeries(a, x) }, 1e-11, true, f64),
		{name: "betainc", dom: []ewDomain{ewPos, ewPos, ewUniform(0.02, 0.9)}, f: func(in []*tensor.Tensor) *tensor.Tensor { return tensor.BetaInc(in[0], in[1], in[2]) },
			ref: func(x []float64) float64 { return ewBetaIncSeries(x[0], x[1], x[2]) }, tol: 1e-11, grad: true, out: f64},
	}
}

// ewDigamma is ψ(x) computed independently: the recurrence ψ(x) = ψ(x+1) − 1/x up to x ≥ 20,
// then the asymptotic series ln x − 1/(2x) − 1/(12x²) + 1/(120x⁴) − 1/(252x⁶) + 1/(240x⁸)
// (Abramowitz & Stegun 6.3.18), whose truncation error there is below 1e-15. The op uses
// gonum's mathext.Digamma, which is only good to about 3e-11 (its series stops earlier), hence
// the tolerance of the psi case.
func ewDigamma(x float64) float64 {
	r := 0.0
	for x < 20 {
		r -= 1 / x
		x++
	}
	x2 := 1 / (x * x)
	return r + math.Log(x) - 0.5/x - x2*(1.0/12-x2*(1.0/120-x2*(1.0/252-x2/240)))
}

// ewLayout is a set of input shapes: static (Unknown where the length is bound at run time, 1
// where the input broadcasts) and concrete.
type ewLayout struct {
	name   string
	static [][]int
	shapes [][]int
}

var (
	u        = tensor.Unknown
	ewUnary  = []ewLayout{{"scalar", [][]int{{}}, [][]int{{}}}, {"vector", [][]int{{u}}, [][]int{{7}}}, {"matrix", [][]int{{u, u}}, [][]int{{4, 3}}}, {"3-d", [][]int{{u, 3, u}}, [][]int{{2, 3, 4}}}}
	ewBinary = []ewLayout{
		{"same shape", [][]int{{u, u}, {u, u}}, [][]int{{4, 3}, {4, 3}}},
		{"scalar-vector", [][]int{{}, {u}}, [][]int{{}, {5}}},
		{"vector-scalar", [][]int{{u}, {}}, [][]int{{5}, {}}},
		{"row broadcast", [][]int{{u, u}, {u}}, [][]int{{4, 3}, {3}}},
		{"row broadcast 1xN", [][]int{{1, u}, {u, u}}, [][]int{{1, 3}, {4, 3}}},
		{"column broadcast", [][]int{{u, u}, {u, 1}}, [][]int{{4, 3}, {4, 1}}},
		{"outer", [][]int{{u, 1}, {1, u}}, [][]int{{4, 1}, {1, 3}}},
		{"3-d", [][]int{{2, 1, u}, {u, 1}}, [][]int{{2, 1, 4}, {3, 1}}},
	}
	ewTernary = []ewLayout{
		{"same shape", [][]int{{u, u}, {u, u}, {u, u}}, [][]int{{4, 3}, {4, 3}, {4, 3}}},
		{"mixed", [][]int{{u, 1}, {u}, {}}, [][]int{{4, 1}, {3}, {}}},
		{"3-d", [][]int{{2, 1, 1}, {u, u}, {1, u}}, [][]int{{2, 1, 1}, {3, 4}, {1, 4}}},
	}
)

// ewBroadcast returns the output shape of the concrete shapes and, for each input, the source
// index of every output element, computed from coordinates (independently of the kernels'
// stride walk).
func ewBroadcast(shapes [][]int) ([]int, [][]int) {
	nd := 0
	for _, s := range shapes {
		nd = max(nd, len(s))
	}
	out := make([]int, nd)
	for k := range out {
		out[k] = 1
		for _, s := range shapes {
			if j := k - (nd - len(s)); j >= 0 && s[j] != 1 {
				out[k] = s[j]
			}
		}
	}
	n := 1
	for _, d := range out {
		n *= d
	}
	src := make([][]int, len(shapes))
	coord := make([]int, nd)
	for i, s := range shapes {
		src[i] = make([]int, n)
		for e := 0; e < n; e++ {
			rem := e
			for k := nd - 1; k >= 0; k-- {
				coord[k] = rem % out[k]
				rem /= out[k]
			}
			idx := 0
			for j, d := range s {
				c := coord[j+nd-len(s)]
				if d == 1 {
					c = 0
				}
				idx = idx*d + c
			}
			src[i][e] = idx
		}
	}
	return out, src
}

// ewCompileRun compiles in → out on the backend and returns the output.
func ewCompileRun(t *testing.T, be string, in []*tensor.Tensor, out *tensor.Tensor, vals []*tensor.Array) *tensor.Array {
	t.Helper()
	args := make([]any, len(in))
	for i, x := range in {
		args[i] = x
	}
	f, err := backend.Compile(args, out, backend.Use(be))
	if err != nil {
		t.Fatalf("%s: compile %s: %v", be, tensor.PP(out), err)
	}
	ins := make([]any, len(vals))
	for i, v := range vals {
		ins[i] = v
	}
	res, err := f.Call(ins...)
	if err != nil {
		t.Fatalf("%s: run %s: %v", be, tensor.PP(out), err)
	}
	return res[0]
}

// ulpDist is the distance between a and b in units in the last place (same-sign values).
func ulpDist(a, b float64) float64 {
	if a == b {
		return 0
	}
	if math.Signbit(a) != math.Signbit(b) {
		return math.Inf(1)
	}
	return math.Abs(float64(int64(math.Float64bits(a)) - int64(math.Float64bits(b))))
}

func ewClose(got, want, tol float64) bool {
	switch {
	case tol == 0:
		return got == want
	case tol == ulp1:
		return ulpDist(got, want) <= 1
	}
	return got == want || math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func TestElemwiseBackendsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261121, 1))
	checked := 0
	defer func() { t.Logf("%d elements compared across %d ops", checked, len(ewCases())) }()
	for _, c := range ewCases() {
		layouts := map[int][]ewLayout{1: ewUnary, 2: ewBinary, 3: ewTernary}[len(c.dom)]
		for _, l := range layouts {
			in := make([]*tensor.Tensor, len(c.dom))
			vals := make([]*tensor.Array, len(c.dom))
			for i := range c.dom {
				in[i] = tensor.NewVar(fmt.Sprintf("x%d", i), tensor.Float64, l.static[i]...)
				vals[i] = tensor.NewArray(tensor.Float64, l.shapes[i]...)
				for k := range vals[i].Data {
					vals[i].Data[k] = c.dom[i](rng)
				}
			}
			out := c.f(in)
			if out.DType() != c.out {
				t.Errorf("%s %s: dtype %s, want %s", c.name, l.name, out.DType(), c.out)
			}
			vm := ewCompileRun(t, "vm", in, out, vals)
			dbg := ewCompileRun(t, "debug", in, out, vals)
			shape, src := ewBroadcast(l.shapes)
			if fmt.Sprint(vm.Shape) != fmt.Sprint(shape) || fmt.Sprint(dbg.Shape) != fmt.Sprint(shape) {
				t.Errorf("%s %s: shapes vm %v, debug %v, want %v", c.name, l.name, vm.Shape, dbg.Shape, shape)
				continue
			}
			x := make([]float64, len(c.dom))
			for e := range vm.Data {
				if math.Float64bits(vm.Data[e]) != math.Float64bits(dbg.Data[e]) {
					t.Errorf("%s %s: element %d: vm %v, debug %v", c.name, l.name, e, vm.Data[e], dbg.Data[e])
				}
				for i := range x {
					x[i] = vals[i].Data[src[i][e]]
				}
				checked++
				if want := c.ref(x); !ewClose(vm.Data[e], want, c.tol) {
					t.Errorf("%s %s: element %d at %v = %.17g, want %.17g", c.name, l.name, e, x, vm.Data[e], want)
				}
			}
		}
	}
}

// TestElemwiseVerifyGrad checks every differentiable op's gradient against finite differences,
// on a vector and, for ops with several inputs, with broadcasting.
func TestElemwiseVerifyGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, c := range ewCases() {
		if !c.grad {
			continue
		}
		shapeSets := [][][]int{{{5}, {5}, {5}}, {{2, 3}, {3}, {2, 1}}}
		for _, shapes := range shapeSets {
			pt := make([]any, len(c.dom))
			for i := range c.dom {
				a := tensor.NewArray(tensor.Float64, shapes[i]...)
				for k := range a.Data {
					a.Data[k] = c.dom[i](rng)
				}
				pt[i] = a
			}
			f := c.f
			if c.name == "switch" { // the condition is data, not a differentiable input
				cond := pt[0].(*tensor.Array)
				f = func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Switch(tensor.Const(cond), in[1], in[2]) }
			}
			if err := tensor.VerifyGrad(f, pt, nil); err != nil {
				t.Errorf("%s %v: %v", c.name, shapes[:len(c.dom)], err)
			}
		}
	}
}

// TestElemwiseDTypes checks result dtypes: integer arithmetic stays integer, true division and
// transcendental functions are float, comparisons are bool, and negating a bool gives an int.
func TestElemwiseDTypes(t *testing.T) {
	i, j, b, x := tensor.IVector("i"), tensor.IVector("j"), tensor.BVector("b"), tensor.Vector("x")
	ij := []any{i, j}
	cases := []struct {
		e    *tensor.Tensor
		want tensor.DType
		in   []any
		vals []any
		res  string
	}{
		{tensor.Add(i, j), tensor.Int64, ij, []any{[]int{7, -3}, []int{2, 2}}, "[9 -1]"},
		{tensor.IntDiv(i, j), tensor.Int64, ij, []any{[]int{7, -3}, []int{2, 2}}, "[3 -2]"},
		{tensor.Mod(i, j), tensor.Int64, ij, []any{[]int{7, -3}, []int{2, 2}}, "[1 1]"},
		{tensor.Div(i, j), tensor.Float64, ij, []any{[]int{7, -3}, []int{2, 2}}, "[3.5 -1.5]"},
		{tensor.Mul(i, x), tensor.Float64, []any{i, x}, []any{[]int{7, -3}, []float64{0.5, 2}}, "[3.5 -6]"},
		{tensor.Lt(i, j), tensor.Bool, ij, []any{[]int{7, -3}, []int{2, 2}}, "[false true]"},
		{tensor.Neg(b), tensor.Int64, []any{b}, []any{[]bool{true, false}}, "[-1 0]"},
		{tensor.Exp(i), tensor.Float64, []any{i}, []any{[]int{0, 0}}, "[1 1]"},
		{tensor.Sum(b), tensor.Int64, []any{b}, []any{[]bool{true, true}}, "2"},
	}
	for _, c := range cases {
		if c.e.DType() != c.want {
			t.Errorf("%s: dtype %s, want %s", tensor.PP(c.e), c.e.DType(), c.want)
		}
		in := c.in
		for _, be := range []string{"vm", "debug"} {
			f, err := backend.Compile(in, c.e, backend.Use(be))
			if err != nil {
				t.Fatal(err)
			}
			out, err := f.Call(c.vals...)
			if err != nil {
				t.Fatal(err)
			}
			if out[0].DType != c.want || out[0].String() != c.res {
				t.Errorf("%s on %s: %s (%s), want %s (%s)", tensor.PP(c.e), be, out[0], out[0].DType, c.res, c.want)
			}
		}
	}
}

// TestElemwiseSum checks Sum over every axis set of a 3-d array, with and without kept
// dimensions, against plain loops, on both backends, bit for bit between them.
func TestElemwiseSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	shape := []int{3, 4, 5}
	a := tensor.NewArray(tensor.Float64, shape...)
	for k := range a.Data {
		a.Data[k] = rng.NormFloat64()
	}
	x := tensor.NewVar("x", tensor.Float64, u, u, u)
	for _, axes := range [][]int{nil, {0}, {1}, {2}, {0, 1}, {0, 2}, {1, 2}, {-1}} {
		for _, keep := range []bool{false, true} {
			var e *tensor.Tensor
			if keep {
				e = tensor.SumKeepDims(x, axes...)
			} else {
				e = tensor.Sum(x, axes...)
			}
			// Reference: accumulate each element into its group, in row-major order.
			red := map[int]bool{}
			for _, ax := range axes {
				red[(ax+3)%3] = true
			}
			if len(axes) == 0 {
				red = map[int]bool{0: true, 1: true, 2: true}
			}
			var outShape []int
			for k, d := range shape {
				switch {
				case !red[k]:
					outShape = append(outShape, d)
				case keep:
					outShape = append(outShape, 1)
				}
			}
			want := map[[3]int]float64{}
			for i0 := 0; i0 < 3; i0++ {
				for i1 := 0; i1 < 4; i1++ {
					for i2 := 0; i2 < 5; i2++ {
						key := [3]int{i0, i1, i2}
						for k := range key {
							if red[k] {
								key[k] = 0
							}
						}
						want[key] += a.Data[(i0*4+i1)*5+i2]
					}
				}
			}
			vm := ewCompileRun(t, "vm", []*tensor.Tensor{x}, e, []*tensor.Array{a})
			dbg := ewCompileRun(t, "debug", []*tensor.Tensor{x}, e, []*tensor.Array{a})
			if fmt.Sprint(vm.Shape) != fmt.Sprint(outShape) && !(len(outShape) == 0 && len(vm.Shape) == 0) {
				t.Errorf("sum%v keep=%v: shape %v, want %v", axes, keep, vm.Shape, outShape)
				continue
			}
			e2 := 0
			for i0 := 0; i0 < 3; i0++ {
				for i1 := 0; i1 < 4; i1++ {
					for i2 := 0; i2 < 5; i2++ {
						key := [3]int{i0, i1, i2}
						skip := false
						for k := range key {
							if red[k] && key[k] != 0 {
								skip = true
							}
						}
						if skip {
							continue
						}
						if got := vm.Data[e2]; math.Abs(got-want[key]) > 1e-13 {
							t.Errorf("sum%v keep=%v: element %d = %v, want %v", axes, keep, e2, got, want[key])
						}
						if math.Float64bits(vm.Data[e2]) != math.Float64bits(dbg.Data[e2]) {
							t.Errorf("sum%v keep=%v: element %d: vm %v, debug %v", axes, keep, e2, vm.Data[e2], dbg.Data[e2])
						}
						e2++
					}
				}
			}
			if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
				if keep {
					return tensor.SumKeepDims(in[0], axes...)
				}
				return tensor.Sum(in[0], axes...)
			}, []any{a}, nil); err != nil {
				t.Errorf("sum%v keep=%v: %v", axes, keep, err)
			}
		}
	}
}

// TestElemwiseNaNDebug checks that the debug backend stops at the op that makes a NaN, naming
// it and the expression, while vm returns the NaN without an error.
func TestElemwiseNaNDebug(t *testing.T) {
	x := tensor.Vector("x")
	y := tensor.Log(x.Sub(2.0)).Mul(3.0)
	vals := []float64{3, 1, 4} // log(1 − 2) is NaN
	f, err := backend.Compile([]any{x}, y, backend.Use("debug"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Call(vals)
	var nanErr *debug.NaNError
	if !errors.As(err, &nanErr) {
		t.Fatalf("debug: got error %v, want a *debug.NaNError", err)
	}
	if nanErr.Op != "log" || nanErr.Expr != "log(x - 2)" || nanErr.Element != 1 {
		t.Errorf("debug: NaN error names op %q, expression %q, element %d; want log, log(x - 2), 1", nanErr.Op, nanErr.Expr, nanErr.Element)
	}
	if msg := err.Error(); !strings.Contains(msg, "log") || !strings.Contains(msg, "log(x - 2)") {
		t.Errorf("debug: message %q does not name the op and expression", msg)
	}
	g, err := backend.Compile([]any{x}, y, backend.Use("vm"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := g.Call(vals)
	if err != nil {
		t.Fatalf("vm: %v", err)
	}
	if !math.IsNaN(out[0].Data[1]) || out[0].Data[0] != 0 || out[0].Data[2] != 3*math.Log(2) {
		t.Errorf("vm: got %v, want [0 NaN %v]", out[0], 3*math.Log(2))
	}
}
