package tensor_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/debug"
	_ "github.com/gopm-dev/gopm/pm/backend/vm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// The examples follow Theano's tutorial (deeplearning.net/software/theano/tutorial), section by
// section, in Go. They compile on the backend PM_BACKEND selects (vm by default) and print the
// same output on every backend.

// compiled and results stop an example on an error; examples have no *testing.T to report to.
func compiled(f *backend.Function, err error) *backend.Function {
	if err != nil {
		panic(err)
	}
	return f
}

func results(out []*tensor.Array, err error) []*tensor.Array {
	if err != nil {
		panic(err)
	}
	return out
}

// fmtArray prints an array with fixed precision, rows on their own lines for matrices.
func fmtArray(a *tensor.Array, format string) string {
	if len(a.Shape) == 0 {
		return fmt.Sprintf(format, a.Data[0])
	}
	cols := a.Shape[len(a.Shape)-1]
	var b strings.Builder
	for i, v := range a.Data {
		switch {
		case i > 0 && i%cols == 0:
			b.WriteString("\n")
		case i > 0:
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, format, v)
	}
	return b.String()
}

// Adding two scalars: declare symbolic variables, build an expression, compile it to a function.
func Example_addingScalars() {
	x := tensor.Scalar("x")
	y := tensor.Scalar("y")
	z := x.Add(y)
	f := compiled(backend.Compile([]any{x, y}, z))

	out := results(f.Call(2.0, 3.0))
	fmt.Println(out[0])
	out = results(f.Call(16.3, 12.1))
	fmt.Printf("%.1f\n", out[0].Float())
	fmt.Println(tensor.PP(z))
	// Output:
	// 5
	// 28.4
	// x + y
}

// Adding two matrices: the same expression on matrix variables; inputs may be [][]float64 or
// gonum matrices.
func Example_addingMatrices() {
	x := tensor.Matrix("x")
	y := tensor.Matrix("y")
	f := compiled(backend.Compile([]any{x, y}, x.Add(y)))

	out := results(f.Call([][]float64{{1, 2}, {3, 4}}, [][]float64{{10, 20}, {30, 40}}))
	fmt.Println(out[0])
	fmt.Println(out[0].Type())
	// Output:
	// [[11 22] [33 44]]
	// float64[2 2]
}

// The logistic function on a matrix, elementwise, written two ways: 1/(1+exp(−x)) and
// (1+tanh(x/2))/2, which are equal.
func Example_logistic() {
	x := tensor.Matrix("x")
	s := tensor.Div(1.0, tensor.Add(1.0, tensor.Exp(x.Neg())))
	s2 := tensor.Div(tensor.Add(1.0, tensor.Tanh(x.Div(2.0))), 2.0)
	logistic := compiled(backend.Compile([]any{x}, []*tensor.Tensor{s, s2}))

	out := results(logistic.Call([][]float64{{0, 1}, {-1, -2}}))
	fmt.Println(fmtArray(out[0], "%.8f"))
	fmt.Println(fmtArray(out[1], "%.8f"))
	// Output:
	// 0.50000000 0.73105858
	// 0.26894142 0.11920292
	// 0.50000000 0.73105858
	// 0.26894142 0.11920292
}

// A function with several outputs: the elementwise difference, absolute difference and squared
// difference of two matrices.
func Example_multipleOutputs() {
	a, b := tensor.Matrix("a"), tensor.Matrix("b")
	diff := a.Sub(b)
	absDiff := diff.Abs()
	diffSquared := diff.Pow(2)
	f := compiled(backend.Compile([]any{a, b}, []*tensor.Tensor{diff, absDiff, diffSquared}))

	out := results(f.Call([][]float64{{1, 1}, {1, 1}}, [][]float64{{0, 1}, {2, 3}}))
	for _, o := range out {
		fmt.Println(o)
	}
	// Output:
	// [[1 0] [-1 -2]]
	// [[1 0] [1 2]]
	// [[1 0] [1 4]]
}

// Default values and named inputs (Theano's In): y defaults to 1 and w to 2; w is passed by the
// name "w_by_name" and y by its variable's name.
func Example_defaultValues() {
	x, y, w := tensor.Scalar("x"), tensor.Scalar("y"), tensor.Scalar("w")
	z := x.Add(y).Mul(w)
	f := compiled(backend.Compile([]any{
		x,
		backend.In{Var: y, Value: 1.0},
		backend.In{Var: w, Value: 2.0, Name: "w_by_name"},
	}, z))

	for _, args := range [][]any{
		{33.0},
		{33.0, 2.0},
		{33.0, 0.0, 1.0},
		{33.0, backend.Kw{"w_by_name": 1.0}},
		{33.0, backend.Kw{"w_by_name": 1.0, "y": 0.0}},
	} {
		fmt.Println(results(f.Call(args...))[0])
	}
	// Output:
	// 68
	// 70
	// 33
	// 34
	// 33
}

// Shared variables: an accumulator whose state lives across calls and is changed by updates.
// The function returns the state before the update. A decrementor shares the same state.
func Example_sharedAccumulator() {
	state := tensor.Shared("state", 0)
	inc := tensor.IScalar("inc")
	// The output is the state before the update, as in Theano.
	accumulator := compiled(backend.Compile([]any{inc}, state, backend.Updates(state, state.Add(inc))))

	fmt.Println(results(accumulator.Call(1))[0], state.Get())
	fmt.Println(results(accumulator.Call(300))[0], state.Get())

	if err := state.Set(-1); err != nil {
		panic(err)
	}
	fmt.Println(results(accumulator.Call(3))[0], state.Get())

	decrementor := compiled(backend.Compile([]any{inc}, state, backend.Updates(state, state.Sub(inc))))
	fmt.Println(results(decrementor.Call(2))[0], state.Get())
	// Output:
	// 0 1
	// 1 301
	// -1 2
	// 2 0
}

// bioassayFit fits the bioassay logistic regression (Gelman et al., Bayesian Data Analysis,
// section 3.7: four doses, five animals each) by gradient descent on the binomial
// cross-entropy, with the parameters in shared variables and one compiled training step that
// updates them with a step size decaying as 0.35/(1 + t/1000).
func bioassayFit(steps int, opts ...backend.Option) (w, b float64, err error) {
	x := tensor.Vector("dose")
	y := tensor.Vector("deaths")
	const n = 5.0 // animals per dose
	ws := tensor.Shared("w", 0.0)
	bs := tensor.Shared("b", 0.0)
	t := tensor.Shared("t", 0)

	p := tensor.Sigmoid(x.Mul(ws).Add(bs)) // probability of death
	// The rewrites turn log(p) and log(1 − p) into log_sigmoid forms, stable for any dose.
	xent := y.Mul(tensor.Log(p)).Add(tensor.Sub(n, y).Mul(tensor.Log(tensor.Sub(1.0, p)))).Neg()
	cost := tensor.Sum(xent)
	g := tensor.Grad(cost, ws, bs)
	lr := tensor.Div(0.35, tensor.Add(1.0, tensor.Div(t, 1000.0)))
	opts = append(opts, backend.Updates(
		ws, ws.Sub(lr.Mul(g[0])),
		bs, bs.Sub(lr.Mul(g[1])),
		t, t.Add(1)))
	train, err := backend.Compile([]any{x, y}, cost, opts...)
	if err != nil {
		return 0, 0, err
	}
	dose := []float64{-0.86, -0.3, -0.05, 0.73}
	deaths := []float64{0, 1, 3, 5}
	for i := 0; i < steps; i++ {
		if _, err := train.Call(dose, deaths); err != nil {
			return 0, 0, err
		}
	}
	return ws.Get().Float(), bs.Get().Float(), nil
}

// Logistic regression on the bioassay data, trained by gradient descent for 1000 steps through
// shared variables and updates. The fit matches the maximum-likelihood estimate (slope about
// 7.75, intercept about 0.85) that a Newton solve finds.
func Example_bioassay() {
	w, b, err := bioassayFit(1000)
	if err != nil {
		panic(err)
	}
	fmt.Printf("w = %.3f, b = %.3f\n", w, b)
	// Output:
	// w = 7.749, b = 0.847
}

// Gradients (Theano's grad_sum): the gradient of x² is 2x, and the gradient of the summed
// logistic function is s(1 − s) elementwise.
func ExampleGrad() {
	x := tensor.Scalar("x")
	y := x.Pow(2)
	gy := tensor.Grad(y, x)[0]
	f := compiled(backend.Compile([]any{x}, gy))
	fmt.Println(tensor.PP(y))
	fmt.Println(results(f.Call(4.0))[0])
	fmt.Println(results(f.Call(94.2))[0])

	m := tensor.Matrix("x")
	s := tensor.Sum(tensor.Div(1.0, tensor.Add(1.0, tensor.Exp(m.Neg()))))
	gs := tensor.Grad(s, m)[0]
	dlogistic := compiled(backend.Compile([]any{m}, gs))
	fmt.Println(fmtArray(results(dlogistic.Call([][]float64{{0, 1}, {-1, -2}}))[0], "%.8f"))
	// Output:
	// x ** 2
	// 8
	// 188.4
	// 0.25000000 0.19661193
	// 0.19661193 0.10499359
}

// PP prints an expression with the fewest parentheses; DOT exports its graph for Graphviz.
func ExamplePP() {
	x, y := tensor.Scalar("x"), tensor.Vector("y")
	e := tensor.Log(tensor.Add(1.0, tensor.Exp(x.Mul(y).Sub(2.0)))).Neg().Pow(2)
	fmt.Println(tensor.PP(e))
	fmt.Println(tensor.PP(tensor.Sub(x, tensor.Sub(y, 1.0)).Mul(x)))
	// Output:
	// (-log(1 + exp(x * y - 2))) ** 2
	// (x - (y - 1)) * x
}

// Compiling applies the numerically stable rewrites: log(1 + exp(z)) becomes softplus(z), which
// does not overflow, and log(sigmoid(z)) becomes log_sigmoid(z).
func Example_rewrites() {
	z := tensor.Vector("z")
	f := compiled(backend.Compile([]any{z}, []*tensor.Tensor{
		tensor.Log(tensor.Add(1.0, tensor.Exp(z))),
		tensor.Log(tensor.Sigmoid(z)),
	}))
	for _, o := range f.Graph().Outputs {
		fmt.Println(tensor.PP(o))
	}
	out := results(f.Call([]float64{-1000, 0, 1000}))
	fmt.Println(fmtArray(out[0], "%.4f"))
	fmt.Println(fmtArray(out[1], "%.4f"))
	// Output:
	// softplus(z)
	// log_sigmoid(z)
	// 0.0000 0.6931 1000.0000
	// -1000.0000 -0.6931 -0.0000
}

// TestExampleBioassayNewton checks Example_bioassay's fit against the maximum-likelihood
// estimate found independently by Newton's method on the binomial log-likelihood (plain Go, the
// 2×2 observed information inverted in closed form), on both backends, which must agree bit for
// bit.
func TestExampleBioassayNewton(t *testing.T) {
	x := []float64{-0.86, -0.3, -0.05, 0.73}
	y := []float64{0, 1, 3, 5}
	var w, b, gw, gb float64
	for it := 0; it < 100; it++ {
		var hww, hwb, hbb float64
		gw, gb = 0, 0
		for i := range x {
			p := 1 / (1 + math.Exp(-(w*x[i] + b)))
			r := y[i] - 5*p // d loglik / d eta
			gw += r * x[i]
			gb += r
			v := 5 * p * (1 - p)
			hww += v * x[i] * x[i]
			hwb += v * x[i]
			hbb += v
		}
		det := hww*hbb - hwb*hwb
		w += (hbb*gw - hwb*gb) / det
		b += (hww*gb - hwb*gw) / det
	}
	if math.Hypot(gw, gb) > 1e-10 {
		t.Fatalf("Newton did not converge: gradient (%g, %g)", gw, gb)
	}
	if math.Abs(w-7.75) > 0.01 || math.Abs(b-0.85) > 0.01 {
		t.Fatalf("Newton MLE w = %v, b = %v; BDA reports about 7.75 and 0.85", w, b)
	}
	var first [2]float64
	for i, be := range []string{"vm", "debug"} {
		gw, gb, err := bioassayFit(1000, backend.Use(be))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(gw-w) > 1e-3 || math.Abs(gb-b) > 1e-3 {
			t.Errorf("%s: gradient descent gives w = %v, b = %v; the MLE is w = %v, b = %v", be, gw, gb, w, b)
		}
		if i == 0 {
			first = [2]float64{gw, gb}
		} else if first != [2]float64{gw, gb} {
			t.Errorf("backends differ: vm %v, debug %v", first, [2]float64{gw, gb})
		}
	}
}

// Random streams: a seeded stream builds random variables into graphs. Each call draws anew,
// one draw serves every use of a variable within a call (so u + u − 2u is exactly zero), and a
// stream with the same seed, or the same stream reseeded, repeats the sequence.
func Example_randomStreams() {
	srng := tensor.NewRandomStream(234)
	rvU := srng.Uniform(0.0, 1.0, 2, 2)
	rvN := srng.Normal(0.0, 1.0, 2, 2)
	f := compiled(backend.Compile(nil, rvU))
	g := compiled(backend.Compile(nil, rvN))
	nearlyZeros := compiled(backend.Compile(nil, rvU.Add(rvU).Sub(rvU.Mul(2.0))))

	a := results(f.Call())[0]
	b := results(f.Call())[0]
	fmt.Println("two calls differ:", a.String() != b.String())
	inUnit := true
	for _, v := range append(a.Floats(), b.Floats()...) {
		inUnit = inUnit && v >= 0 && v < 1
	}
	fmt.Println("uniform draws in [0, 1):", inUnit)
	fmt.Println("normal draws have shape", results(g.Call())[0].Shape)
	fmt.Println("u + u - 2u =", results(nearlyZeros.Call())[0])

	// A new stream with the same seed gives the same sequence.
	srng2 := tensor.NewRandomStream(234)
	f2 := compiled(backend.Compile(nil, srng2.Uniform(0.0, 1.0, 2, 2)))
	a2 := results(f2.Call())[0]
	b2 := results(f2.Call())[0]
	fmt.Println("same seed, same sequence:", a2.String() == a.String() && b2.String() == b.String())

	// Reseeding restarts the sequence.
	srng.Seed(234)
	fmt.Println("reseeded:", results(f.Call())[0].String() == a.String())
	// Output:
	// two calls differ: true
	// uniform draws in [0, 1): true
	// normal draws have shape [2 2]
	// u + u - 2u = [[0 0] [0 0]]
	// same seed, same sequence: true
	// reseeded: true
}

// Scan computing A**k elementwise: the result of each step is fed back to the next, and the
// last row of the stacked results is the answer.
func ExampleScan_power() {
	A := tensor.Vector("A")
	res := tensor.Scan(func(args []*tensor.Tensor) []*tensor.Tensor {
		prior, a := args[0], args[1]
		return []*tensor.Tensor{prior.Mul(a)}
	}, tensor.ScanArgs{
		OutputsInfo:  []*tensor.Tensor{tensor.OnesLike(A)},
		NonSequences: []*tensor.Tensor{A},
		NSteps:       10,
	})
	final := tensor.At(res[0], -1)
	power := compiled(backend.Compile([]any{A}, final))

	fmt.Println(fmtArray(results(power.Call([]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}))[0], "%.0f"))
	// Output:
	// 0 1 1024 59049 1048576 9765625 60466176 282475249 1073741824 3486784401
}

// Scan evaluating a polynomial from its coefficients: the sequences are the coefficients and
// the powers (cut to the shorter), x is a non-sequence, and the terms are summed afterwards.
func ExampleScan_polynomial() {
	coefficients := tensor.Vector("coefficients")
	x := tensor.Scalar("x")
	powers := tensor.Const([]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) // at most ten coefficients
	components := tensor.Scan(func(a []*tensor.Tensor) []*tensor.Tensor {
		coeff, power, freeVar := a[0], a[1], a[2]
		return []*tensor.Tensor{coeff.Mul(freeVar.Pow(power))}
	}, tensor.ScanArgs{
		Sequences:    []*tensor.Tensor{coefficients, powers},
		NonSequences: []*tensor.Tensor{x},
	})
	polynomial := tensor.Sum(components[0])
	calculate := compiled(backend.Compile([]any{coefficients, x}, polynomial))

	// 1 + 0·3 + 2·3² = 19
	fmt.Println(results(calculate.Call([]float64{1, 0, 2}, 3.0))[0])
	// Output:
	// 19
}
