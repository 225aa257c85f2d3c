package tensor

import (
	"math"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
	"gonum.org/v1/gonum/mathext"
)

// Result-dtype rules.
func outUpcast(in []DType) DType {
	d := Int64
	for _, t := range in {
		if t == Float64 {
			d = Float64
		}
	}
	return d
}
func outFloat([]DType) DType { return Float64 }
func outBool([]DType) DType  { return Bool }
func outSame(in []DType) DType {
	if in[0] == Bool {
		return Int64
	}
	return in[0]
}
func outSecond(in []DType) DType { return in[1] }
func outSwitch(in []DType) DType {
	if in[1] == Bool && in[2] == Bool {
		return Bool
	}
	return outUpcast(in[1:])
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// The scalar ops. They are created once and never modified; ops compare by these pointers.
var (
	opAdd = &scalarOp{name: "add", arity: 2, out: outUpcast, infix: "+", prec: 1,
		f2: func(a, b float64) float64 { return a + b }}
	opSub = &scalarOp{name: "sub", arity: 2, out: outUpcast, infix: "-", prec: 1,
		f2: func(a, b float64) float64 { return a - b }}
	opMul = &scalarOp{name: "mul", arity: 2, out: outUpcast, infix: "*", prec: 2,
		f2: func(a, b float64) float64 { return a * b }}
	opDiv = &scalarOp{name: "true_div", arity: 2, out: outFloat, infix: "/", prec: 2,
		f2: func(a, b float64) float64 { return a / b }}
	opIntDiv = &scalarOp{name: "int_div", arity: 2, out: outUpcast, infix: "//", prec: 2,
		f2: func(a, b float64) float64 { return math.Floor(a / b) }}
	opMod = &scalarOp{name: "mod", arity: 2, out: outUpcast, infix: "%", prec: 2,
		f2: func(a, b float64) float64 { return a - b*math.Floor(a/b) }}
	opPow = &scalarOp{name: "pow", arity: 2, out: outUpcast, infix: "**", prec: 4,
		f2: math.Pow}
	opMaximum = &scalarOp{name: "maximum", arity: 2, out: outUpcast,
		f2: func(a, b float64) float64 {
			if a >= b || a != a {
				return a
			}
			return b
		}}
	opMinimum = &scalarOp{name: "minimum", arity: 2, out: outUpcast,
		f2: func(a, b float64) float64 {
			if a <= b || a != a {
				return a
			}
			return b
		}}

	opLt  = cmpOp("lt", "<", func(a, b float64) bool { return a < b })
	opGt  = cmpOp("gt", ">", func(a, b float64) bool { return a > b })
	opLe  = cmpOp("le", "<=", func(a, b float64) bool { return a <= b })
	opGe  = cmpOp("ge", ">=", func(a, b float64) bool { return a >= b })
	opEq  = cmpOp("eq", "==", func(a, b float64) bool { return a == b })
	opNeq = cmpOp("neq", "!=", func(a, b float64) bool { return a != b })
	opAnd = cmpOp("and", "&", func(a, b float64) bool { return a != 0 && b != 0 })
	opOr  = cmpOp("or", "|", func(a, b float64) bool { return a != 0 || b != 0 })
	opXor = cmpOp("xor", "^", func(a, b float64) bool { return (a != 0) != (b != 0) })
	opNot = &scalarOp{name: "invert", arity: 1, out: outBool,
		f1: func(a float64) float64 { return boolf(a == 0) }}

	opSwitch = &scalarOp{name: "switch", arity: 3, out: outSwitch,
		f3: func(c, a, b float64) float64 {
			if c != 0 {
				return a
			}
			return b
		}}
	opClip = &scalarOp{name: "clip", arity: 3, out: outUpcast,
		f3: func(x, lo, hi float64) float64 {
			if x < lo {
				return lo
			}
			if x > hi {
				return hi
			}
			return x
		}}
	// fill(like, v) is v broadcast to like's shape (Theano's "second").
	opFill = &scalarOp{name: "fill", arity: 2, out: outSecond,
		f2: func(_, v float64) float64 { return v }}
	opCastFloat = &scalarOp{name: "cast{float64}", arity: 1, out: outFloat,
		f1: func(x float64) float64 { return x }}
	opCastInt = &scalarOp{name: "cast{int64}", arity: 1, out: func([]DType) DType { return Int64 },
		f1: math.Trunc}

	opNeg = &scalarOp{name: "neg", arity: 1, out: outSame,
		f1: func(x float64) float64 { return -x }}
	opAbs  = &scalarOp{name: "abs", arity: 1, out: outSame, f1: math.Abs}
	opSign = &scalarOp{name: "sign", arity: 1, out: outSame,
		f1: func(x float64) float64 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return x // keeps 0, -0 and NaN
		}}
	opFloor = &scalarOp{name: "floor", arity: 1, out: outSame, f1: math.Floor}
	opCeil  = &scalarOp{name: "ceil", arity: 1, out: outSame, f1: math.Ceil, grad: zeroGrad}
	// round rounds half to even, as NumPy and Theano do.
	opRound  = &scalarOp{name: "round", arity: 1, out: outSame, f1: math.RoundToEven, grad: zeroGrad}
	opSquare = &scalarOp{name: "sqr", arity: 1, out: outSame,
		f1: func(x float64) float64 { return x * x }}
	opSqrt       = &scalarOp{name: "sqrt", arity: 1, out: outFloat, f1: math.Sqrt}
	opExp        = &scalarOp{name: "exp", arity: 1, out: outFloat, f1: math.Exp}
	opExpm1      = &scalarOp{name: "expm1", arity: 1, out: outFloat, f1: math.Expm1}
	opLog        = &scalarOp{name: "log", arity: 1, out: outFloat, f1: math.Log}
	opLog1p      = &scalarOp{name: "log1p", arity: 1, out: outFloat, f1: math.Log1p}
	opSigmoid    = &scalarOp{name: "sigmoid", arity: 1, out: outFloat, f1: sigmoid}
	opSoftplus   = &scalarOp{name: "softplus", arity: 1, out: outFloat, f1: softplus}
	opLogSigmoid = &scalarOp{name: "log_sigmoid", arity: 1, out: outFloat,
		f1: func(x float64) float64 { return -softplus(-x) }}
	opLogit = &scalarOp{name: "logit", arity: 1, out: outFloat,
		f1: func(p float64) float64 { return math.Log(p / (1 - p)) }}
	opTanh   = &scalarOp{name: "tanh", arity: 1, out: outFloat, f1: math.Tanh}
	opSin    = &scalarOp{name: "sin", arity: 1, out: outFloat, f1: math.Sin}
	opCos    = &scalarOp{name: "cos", arity: 1, out: outFloat, f1: math.Cos}
	opErf    = &scalarOp{name: "erf", arity: 1, out: outFloat, f1: math.Erf}
	opErfc   = &scalarOp{name: "erfc", arity: 1, out: outFloat, f1: math.Erfc}
	opLgamma = &scalarOp{name: "gammaln", arity: 1, out: outFloat,
		f1: func(x float64) float64 { v, _ := math.Lgamma(x); return v }}
	opDigamma  = &scalarOp{name: "psi", arity: 1, out: outFloat, f1: mathext.Digamma}
	opTrigamma = &scalarOp{name: "tri_gamma", arity: 1, out: outFloat, f1: trigamma}
)

func cmpOp(name, infix string, f func(a, b float64) bool) *scalarOp {
	return &scalarOp{name: name, arity: 2, out: outBool, infix: infix, prec: 0,
		f2:   func(a, b float64) float64 { return boolf(f(a, b)) },
		grad: func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{nil, nil} }}
}

func zeroGrad(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{zeros(in[0])} }

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus is log(1+e^x) without overflow: max(x,0) + log1p(e^-|x|).
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// trigamma is ψ'(x): the recurrence ψ'(x) = ψ'(x+1) + 1/x² up to x ≥ 6, then the asymptotic
// series 1/x + 1/(2x²) + 1/(6x³) − 1/(30x⁵) + 1/(42x⁷) − 1/(30x⁹) (Abramowitz & Stegun 6.4.12),
// and the reflection formula for negative x.
func trigamma(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, -1) {
		return math.NaN()
	}
	if x <= 0 && x == math.Floor(x) {
		return math.Inf(1)
	}
	if x < 0 {
		s := math.Pi / math.Sin(math.Pi*x)
		return -trigamma(1-x) + s*s
	}
	r := 0.0
	for x < 6 {
		r += 1 / (x * x)
		x++
	}
	x2 := 1 / (x * x)
	return r + 1/x + x2/2 + x2/x*(1.0/6-x2*(1.0/30-x2*(1.0/42-x2/30)))
}

// Binary arithmetic. Each accepts a *Tensor or any Go value that converts to a constant.

// Add is a + b with broadcasting.
func Add(a, b any) *Tensor { return elemwise(opAdd, a, b) }

// Sub is a - b.
func Sub(a, b any) *Tensor { return elemwise(opSub, a, b) }

// Mul is a * b (elementwise).
func Mul(a, b any) *Tensor { return elemwise(opMul, a, b) }

// Div is a / b, always floating point (true division).
func Div(a, b any) *Tensor { return elemwise(opDiv, a, b) }

// IntDiv is floor(a / b) (Python's //).
func IntDiv(a, b any) *Tensor { return elemwise(opIntDiv, a, b) }

// Mod is a mod b with the sign of b (Python's %).
func Mod(a, b any) *Tensor { return elemwise(opMod, a, b) }

// Pow is a ** b.
func Pow(a, b any) *Tensor { return elemwise(opPow, a, b) }

// Maximum is the elementwise maximum (NaN if a is NaN).
func Maximum(a, b any) *Tensor { return elemwise(opMaximum, a, b) }

// Minimum is the elementwise minimum.
func Minimum(a, b any) *Tensor { return elemwise(opMinimum, a, b) }

// Lt is a < b.
func Lt(a, b any) *Tensor { return elemwise(opLt, a, b) }

// Gt is a > b.
func Gt(a, b any) *Tensor { return elemwise(opGt, a, b) }

// Le is a <= b.
func Le(a, b any) *Tensor { return elemwise(opLe, a, b) }

// Ge is a >= b.
func Ge(a, b any) *Tensor { return elemwise(opGe, a, b) }

// Eq is a == b (elementwise).
func Eq(a, b any) *Tensor { return elemwise(opEq, a, b) }

// Neq is a != b (elementwise).
func Neq(a, b any) *Tensor { return elemwise(opNeq, a, b) }

// And is the elementwise logical and (nonzero is true).
func And(a, b any) *Tensor { return elemwise(opAnd, a, b) }

// Or is the elementwise logical or.
func Or(a, b any) *Tensor { return elemwise(opOr, a, b) }

// Xor is the elementwise logical exclusive or.
func Xor(a, b any) *Tensor { return elemwise(opXor, a, b) }

// Not is the elementwise logical not.
func Not(a any) *Tensor { return elemwise(opNot, a) }

// Switch is cond ? a : b elementwise (Theano's switch, NumPy's where).
func Switch(cond, a, b any) *Tensor { return elemwise(opSwitch, cond, a, b) }

// Where is Switch, under NumPy's name.
func Where(cond, a, b any) *Tensor { return Switch(cond, a, b) }

// Clip limits x to [lo, hi].
func Clip(x, lo, hi any) *Tensor { return elemwise(opClip, x, lo, hi) }

// Cast converts x to the dtype: to Int64 truncates toward zero, to Bool tests for nonzero.
func Cast(x any, dt DType) *Tensor {
	t := As(x)
	if t.DType() == dt {
		return t
	}
	switch dt {
	case Float64:
		return elemwise(opCastFloat, t)
	case Int64:
		return elemwise(opCastInt, t)
	}
	return Neq(t, 0.0)
}

// Neg is -x.
func Neg(x any) *Tensor { return elemwise(opNeg, x) }

// Abs is |x|.
func Abs(x any) *Tensor { return elemwise(opAbs, x) }

// Sign is -1, 0 or 1 by the sign of x.
func Sign(x any) *Tensor { return elemwise(opSign, x) }

// Floor rounds down.
func Floor(x any) *Tensor { return elemwise(opFloor, x) }

// Ceil rounds up.
func Ceil(x any) *Tensor { return elemwise(opCeil, x) }

// Round rounds to the nearest integer, halves to even.
func Round(x any) *Tensor { return elemwise(opRound, x) }

// Square is x².
func Square(x any) *Tensor { return elemwise(opSquare, x) }

// Sqrt is √x.
func Sqrt(x any) *Tensor { return elemwise(opSqrt, x) }

// Exp is eˣ.
func Exp(x any) *Tensor { return elemwise(opExp, x) }

// Expm1 is eˣ − 1, accurate near 0.
func Expm1(x any) *Tensor { return elemwise(opExpm1, x) }

// Log is the natural logarithm.
func Log(x any) *Tensor { return elemwise(opLog, x) }

// Log1p is log(1 + x), accurate near 0.
func Log1p(x any) *Tensor { return elemwise(opLog1p, x) }

// Sigmoid is 1 / (1 + e⁻ˣ).
func Sigmoid(x any) *Tensor { return elemwise(opSigmoid, x) }

// Softplus is log(1 + eˣ), computed without overflow.
func Softplus(x any) *Tensor { return elemwise(opSoftplus, x) }

// LogSigmoid is log(sigmoid(x)) = −softplus(−x), computed without overflow.
func LogSigmoid(x any) *Tensor { return elemwise(opLogSigmoid, x) }

// Logit is log(p / (1 − p)).
func Logit(p any) *Tensor { return elemwise(opLogit, p) }

// Tanh is the hyperbolic tangent.
func Tanh(x any) *Tensor { return elemwise(opTanh, x) }

// Sin is the sine.
func Sin(x any) *Tensor { return elemwise(opSin, x) }

// Cos is the cosine.
func Cos(x any) *Tensor { return elemwise(opCos, x) }

// Erf is the error function.
func Erf(x any) *Tensor { return elemwise(opErf, x) }

// Erfc is the complementary error function 1 − erf(x), accurate for large x.
func Erfc(x any) *Tensor { return elemwise(opErfc, x) }

// Lgamma is log|Γ(x)|.
func Lgamma(x any) *Tensor { return elemwise(opLgamma, x) }

// Digamma is ψ(x) = d/dx log Γ(x).
func Digamma(x any) *Tensor { return elemwise(opDigamma, x) }

// Trigamma is ψ'(x).
func Trigamma(x any) *Tensor { return elemwise(opTrigamma, x) }

// Methods for expression chains: a.Add(b).Mul(c).

// Add is t + b.
func (t *Tensor) Add(b any) *Tensor { return Add(t, b) }

// Sub is t − b.
func (t *Tensor) Sub(b any) *Tensor { return Sub(t, b) }

// Mul is t * b elementwise.
func (t *Tensor) Mul(b any) *Tensor { return Mul(t, b) }

// Div is t / b.
func (t *Tensor) Div(b any) *Tensor { return Div(t, b) }

// Pow is t ** b.
func (t *Tensor) Pow(b any) *Tensor { return Pow(t, b) }

// Neg is −t.
func (t *Tensor) Neg() *Tensor { return Neg(t) }

// Lt is t < b.
func (t *Tensor) Lt(b any) *Tensor { return Lt(t, b) }

// Gt is t > b.
func (t *Tensor) Gt(b any) *Tensor { return Gt(t, b) }

// Le is t <= b.
func (t *Tensor) Le(b any) *Tensor { return Le(t, b) }

// Ge is t >= b.
func (t *Tensor) Ge(b any) *Tensor { return Ge(t, b) }

// Eq is t == b elementwise.
func (t *Tensor) Eq(b any) *Tensor { return Eq(t, b) }

// Neq is t != b elementwise.
func (t *Tensor) Neq(b any) *Tensor { return Neq(t, b) }

// Exp is eᵗ.
func (t *Tensor) Exp() *Tensor { return Exp(t) }

// Log is log t.
func (t *Tensor) Log() *Tensor { return Log(t) }

// Sqrt is √t.
func (t *Tensor) Sqrt() *Tensor { return Sqrt(t) }

// Square is t².
func (t *Tensor) Square() *Tensor { return Square(t) }

// Abs is |t|.
func (t *Tensor) Abs() *Tensor { return Abs(t) }

// init attaches the gradients, which build graphs with the ops themselves.
func init() {
	opAdd.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{g, g} }
	opSub.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{g, Neg(g)} }
	opMul.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		return []*Tensor{Mul(g, in[1]), Mul(g, in[0])}
	}
	opDiv.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		return []*Tensor{Div(g, in[1]), Neg(Div(Mul(g, out), in[1]))}
	}
	opIntDiv.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{zeros(in[0]), zeros(in[1])} }
	opMod.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		return []*Tensor{g, Neg(Mul(g, Floor(Div(in[0], in[1]))))}
	}
	opPow.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		a, b := in[0], in[1]
		ga := Mul(g, Mul(b, Pow(a, Sub(b, 1.0))))
		var gb *Tensor
		if b.typ.DType.IsFloat() {
			// d/db a^b = a^b log a; where a == 0 the limit is 0 for b > 0.
			gb = Mul(g, Switch(Eq(a, 0.0), 0.0, Mul(out, Log(a))))
		}
		return []*Tensor{ga, gb}
	}
	opMaximum.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		c := Ge(in[0], in[1])
		return []*Tensor{Switch(c, g, 0.0), Switch(c, 0.0, g)}
	}
	opMinimum.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		c := Le(in[0], in[1])
		return []*Tensor{Switch(c, g, 0.0), Switch(c, 0.0, g)}
	}
	opNot.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{nil} }
	opSwitch.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		return []*Tensor{nil, Switch(in[0], g, 0.0), Switch(in[0], 0.0, g)}
	}
	opClip.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		x, lo, hi := in[0], in[1], in[2]
		inside := And(Ge(x, lo), Le(x, hi))
		return []*Tensor{Switch(inside, g, 0.0), Switch(Lt(x, lo), g, 0.0), Switch(Gt(x, hi), g, 0.0)}
	}
	opFill.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{nil, g} }
	opCastFloat.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{g} }
	opCastInt.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{nil} }
	opNeg.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Neg(g)} }
	opAbs.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Mul(g, Sign(in[0]))} }
	opSign.grad = zeroGrad
	opFloor.grad = zeroGrad
	opSquare.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Mul(g, Mul(in[0], 2.0))} }
	opSqrt.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Div(Mul(g, 0.5), out)} }
	opExp.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Mul(g, out)} }
	opExpm1.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Mul(g, Add(out, 1.0))} }
	opLog.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Div(g, in[0])} }
	opLog1p.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Div(g, Add(in[0], 1.0))} }
	opSigmoid.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		return []*Tensor{Mul(g, Mul(out, Sub(1.0, out)))}
	}
	opSoftplus.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Mul(g, Sigmoid(in[0]))} }
	opLogSigmoid.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Mul(g, Sigmoid(Neg(in[0])))} }
	opLogit.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		p := in[0]
		return []*Tensor{Div(g, Mul(p, Sub(1.0, p)))}
	}
	opTanh.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Mul(g, Sub(1.0, Square(out)))} }
	opSin.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Mul(g, Cos(in[0]))} }
	opCos.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Neg(Mul(g, Sin(in[0])))} }
	opErf.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		return []*Tensor{Mul(g, Mul(2/math.Sqrt(math.Pi), Exp(Neg(Square(in[0])))))}
	}
	opErfc.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		return []*Tensor{Mul(g, Mul(-2/math.Sqrt(math.Pi), Exp(Neg(Square(in[0])))))}
	}
	opLgamma.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Mul(g, Digamma(in[0]))} }
	opDigamma.grad = func(in []*Tensor, out, g *Tensor) []*Tensor { return []*Tensor{Mul(g, Trigamma(in[0]))} }
	opTrigamma.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		panic(errorf("tri_gamma", "the gradient of trigamma is not implemented"))
	}
}

// Whole-slice kernels of the simplest unary ops (a loop the compiler keeps tight, without
// bounds checks, instead of a call through f1 per element) and of exp (fastmath's), with the
// same bits.
func init() {
	opNeg.vec1 = func(dst, x []float64) {
		x = x[:len(dst)]
		for i := range dst {
			dst[i] = -x[i]
		}
	}
	opSquare.vec1 = func(dst, x []float64) {
		x = x[:len(dst)]
		for i := range dst {
			dst[i] = x[i] * x[i]
		}
	}
	opAbs.vec1 = func(dst, x []float64) {
		x = x[:len(dst)]
		for i := range dst {
			dst[i] = math.Abs(x[i])
		}
	}
	opCastFloat.vec1 = func(dst, x []float64) { copy(dst, x[:len(dst)]) }
	// math.Exp's own operations, four elements at a time: the bits of f1.
	opExp.vec1 = func(dst, x []float64) { fastmath.MathExpTo(dst, x[:len(dst)]) }
}
