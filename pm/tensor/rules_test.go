package tensor

import (
	"math"
	"strings"
	"testing"
)

// rulesRun builds the function graph in -> out, optionally rewrites it, and evaluates it at x
// with the reference evaluator. It returns the output and the graph that ran.
func rulesRun(t *testing.T, in []*Tensor, out *Tensor, vals []*Array, rewrite bool) (*Array, *FunctionGraph) {
	t.Helper()
	fg, err := NewFunctionGraph(in, []*Tensor{out}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rewrite {
		if fg, err = Rewrite(fg); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := newRefProgram(fg)
	res, err := p.Run(vals)
	if err != nil {
		t.Fatal(err)
	}
	return res[0].Clone(), fg
}

// rulesOps lists the op names of a graph's nodes.
func rulesOps(fg *FunctionGraph) []string {
	var l []string
	for _, n := range fg.Nodes {
		l = append(l, n.Op.String())
	}
	return l
}

func rulesHas(ops []string, name string) bool {
	for _, o := range ops {
		if o == name {
			return true
		}
	}
	return false
}

func vec(x ...float64) *Array { return &Array{DType: Float64, Shape: []int{len(x)}, Data: x} }

// relClose reports whether a and b agree to rel relative error (or both are the same infinity).
func relClose(a, b, rel float64) bool {
	if a == b {
		return true
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) || a != a || b != b {
		return false
	}
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

// TestRulesStableForms checks each stable-form rewrite: it fires (the stable op is in the
// rewritten graph and the unstable ones are gone), keeps the type, agrees with the original graph
// at ordinary inputs, and is accurate at extreme inputs where the original graph is not (the
// reference values are closed forms: log1p(ε) ≈ ε − ε²/2, log σ(x) ≈ x for x ≪ 0, and so on).
func TestRulesStableForms(t *testing.T) {
	e40 := math.Exp(-40)
	cases := []struct {
		name    string
		f       func(x *Tensor) *Tensor
		want    string   // op that must appear after rewriting ("" for none)
		gone    []string // ops that must disappear
		normal  []float64
		extreme []float64
		exact   []float64 // the true values at extreme
	}{
		{"log(1+x)", func(x *Tensor) *Tensor { return Log(Add(1.0, x)) }, "log1p", []string{"log", "add"},
			[]float64{0.3, 2, -0.5}, []float64{1e-20, -1e-17}, []float64{1e-20, -1e-17}},
		{"log(x+1)", func(x *Tensor) *Tensor { return Log(Add(x, 1)) }, "log1p", []string{"log", "add"},
			[]float64{0.3, 2, -0.5}, []float64{1e-20}, []float64{1e-20}},
		{"log(1-x)", func(x *Tensor) *Tensor { return Log(Sub(1.0, x)) }, "log1p", []string{"log", "sub"},
			[]float64{0.3, -2, 0.5}, []float64{1e-20}, []float64{-1e-20}},
		{"log(sigmoid(x))", func(x *Tensor) *Tensor { return Log(Sigmoid(x)) }, "log_sigmoid", []string{"log", "sigmoid"},
			[]float64{0.3, -2, 5}, []float64{-800, 40}, []float64{-800, -e40}},
		{"log(1-sigmoid(x))", func(x *Tensor) *Tensor { return Log(Sub(1.0, Sigmoid(x))) }, "log_sigmoid", []string{"log", "sigmoid", "sub"},
			[]float64{0.3, -2, 5}, []float64{800, -40}, []float64{-800, -e40}},
		{"log1p(-sigmoid(x))", func(x *Tensor) *Tensor { return Log1p(Neg(Sigmoid(x))) }, "log_sigmoid", []string{"log1p", "sigmoid"},
			[]float64{0.3, -2, 5}, []float64{800, -40}, []float64{-800, -e40}},
		{"1-sigmoid(x)", func(x *Tensor) *Tensor { return Sub(1, Sigmoid(x)) }, "sigmoid", []string{"sub"},
			[]float64{0.3, -2, 5}, []float64{40}, []float64{e40 / (1 + e40)}},
		{"log(exp(x))", func(x *Tensor) *Tensor { return Log(Exp(x)) }, "", []string{"log", "exp"},
			[]float64{0.3, -2, 5}, []float64{800, -800}, []float64{800, -800}},
		{"exp(x)-1", func(x *Tensor) *Tensor { return Sub(Exp(x), 1.0) }, "expm1", []string{"exp", "sub"},
			[]float64{0.3, -2, 5}, []float64{1e-20, -3e-18}, []float64{1e-20, -3e-18}},
		{"exp(x)+(-1)", func(x *Tensor) *Tensor { return Add(Exp(x), -1) }, "expm1", []string{"exp", "add"},
			[]float64{0.3, -2, 5}, []float64{1e-20}, []float64{1e-20}},
		{"-1+exp(x)", func(x *Tensor) *Tensor { return Add(-1.0, Exp(x)) }, "expm1", []string{"exp", "add"},
			[]float64{0.3, -2, 5}, []float64{1e-20}, []float64{1e-20}},
		{"1-exp(x)", func(x *Tensor) *Tensor { return Sub(1.0, Exp(x)) }, "expm1", []string{"exp", "sub"},
			[]float64{0.3, -2, 5}, []float64{-1e-20}, []float64{1e-20}},
		{"log(1-exp(x))", func(x *Tensor) *Tensor { return Log(Sub(1.0, Exp(x))) }, "log1mexp", []string{"log", "exp", "sub", "expm1"},
			[]float64{-0.3, -2, -5}, []float64{-1e-20, -40}, []float64{math.Log(1e-20), -e40}},
		{"log1p(-exp(x))", func(x *Tensor) *Tensor { return Log1p(Neg(Exp(x))) }, "log1mexp", []string{"log1p", "exp"},
			[]float64{-0.3, -2, -5}, []float64{-1e-20, -40}, []float64{math.Log(1e-20), -e40}},
		{"log(1+exp(x))", func(x *Tensor) *Tensor { return Log(Add(1.0, Exp(x))) }, "softplus", []string{"log", "exp", "add", "log1p"},
			[]float64{0.3, -2, 5}, []float64{800, -40}, []float64{800, e40}},
		{"log1p(exp(x))", func(x *Tensor) *Tensor { return Log1p(Exp(x)) }, "softplus", []string{"log1p", "exp"},
			[]float64{0.3, -2, 5}, []float64{800}, []float64{800}},
	}
	for _, c := range cases {
		x := Vector("x")
		out := c.f(x)
		got, fg := rulesRun(t, []*Tensor{x}, out, []*Array{vec(c.normal...)}, true)
		ref, _ := rulesRun(t, []*Tensor{x}, out, []*Array{vec(c.normal...)}, false)
		ops := rulesOps(fg)
		if c.want != "" && !rulesHas(ops, c.want) {
			t.Errorf("%s: rewritten graph has ops %v, want %s among them", c.name, ops, c.want)
		}
		for _, g := range c.gone {
			if rulesHas(ops, g) {
				t.Errorf("%s: rewritten graph %s still has op %s (ops %v)", c.name, PP(fg.Outputs[0]), g, ops)
			}
		}
		if ty := fg.Outputs[0].Type(); ty.String() != out.Type().String() {
			t.Errorf("%s: rewriting changed the type from %s to %s", c.name, out.Type(), ty)
		}
		for i := range ref.Data {
			if !relClose(got.Data[i], ref.Data[i], 1e-13) {
				t.Errorf("%s: at x=%g rewritten gives %.17g, original %.17g", c.name, c.normal[i], got.Data[i], ref.Data[i])
			}
		}
		got, _ = rulesRun(t, []*Tensor{x}, out, []*Array{vec(c.extreme...)}, true)
		naive, _ := rulesRun(t, []*Tensor{x}, out, []*Array{vec(c.extreme...)}, false)
		improved := false
		for i, want := range c.exact {
			if !relClose(got.Data[i], want, 1e-14) {
				t.Errorf("%s: at x=%g rewritten gives %.17g, want %.17g", c.name, c.extreme[i], got.Data[i], want)
			}
			if !relClose(naive.Data[i], want, 1e-3) {
				improved = true
			}
		}
		if !improved {
			t.Errorf("%s: the original graph is already accurate at %v (%v): the test shows no improvement", c.name, c.extreme, naive.Data)
		}
	}
}

// TestRulesAlgebraic checks the algebraic simplifications: they fire and give the same values.
func TestRulesAlgebraic(t *testing.T) {
	cases := []struct {
		name string
		f    func(x, y *Tensor) *Tensor
		want string   // an op that must appear, "" for none
		gone []string // ops that must disappear
	}{
		{"x*1", func(x, y *Tensor) *Tensor { return Mul(x, 1.0) }, "", []string{"mul"}},
		{"1*x", func(x, y *Tensor) *Tensor { return Mul(1, x) }, "", []string{"mul"}},
		{"x/1", func(x, y *Tensor) *Tensor { return Div(x, 1.0) }, "", []string{"true_div"}},
		{"x+0", func(x, y *Tensor) *Tensor { return Add(x, 0.0) }, "", []string{"add"}},
		{"0+x", func(x, y *Tensor) *Tensor { return Add(0, x) }, "", []string{"add"}},
		{"x-0", func(x, y *Tensor) *Tensor { return Sub(x, 0.0) }, "", []string{"sub"}},
		{"x**1", func(x, y *Tensor) *Tensor { return Pow(x, 1) }, "", []string{"pow"}},
		{"--x", func(x, y *Tensor) *Tensor { return Neg(Neg(x)) }, "", []string{"neg"}},
		{"x+(-y)", func(x, y *Tensor) *Tensor { return Add(x, Neg(y)) }, "sub", []string{"neg", "add"}},
		{"(-x)+y", func(x, y *Tensor) *Tensor { return Add(Neg(x), y) }, "sub", []string{"neg", "add"}},
		{"x-(-y)", func(x, y *Tensor) *Tensor { return Sub(x, Neg(y)) }, "add", []string{"neg", "sub"}},
		{"x*x", func(x, y *Tensor) *Tensor { return Mul(x, x) }, "sqr", []string{"mul"}},
		{"x**2", func(x, y *Tensor) *Tensor { return Pow(x, 2.0) }, "sqr", []string{"pow"}},
		{"(x*1+0)*y", func(x, y *Tensor) *Tensor { return Mul(Add(Mul(x, 1.0), 0.0), y) }, "mul", []string{"add"}},
	}
	xv := vec(0.3, -2.5, 7, -0.0)
	yv := vec(1.5, 0.25, -3, 2)
	for _, c := range cases {
		x, y := Vector("x"), Vector("y")
		out := c.f(x, y)
		got, fg := rulesRun(t, []*Tensor{x, y}, out, []*Array{xv, yv}, true)
		ref, _ := rulesRun(t, []*Tensor{x, y}, out, []*Array{xv, yv}, false)
		ops := rulesOps(fg)
		if c.want != "" && !rulesHas(ops, c.want) {
			t.Errorf("%s: rewritten graph has ops %v, want %s", c.name, ops, c.want)
		}
		for _, g := range c.gone {
			if rulesHas(ops, g) {
				t.Errorf("%s: rewritten graph %s still has op %s", c.name, PP(fg.Outputs[0]), g)
			}
		}
		if c.want == "" && len(ops) != 0 {
			t.Errorf("%s: rewritten graph %s has ops %v, want none (the output is x)", c.name, PP(fg.Outputs[0]), ops)
		}
		if len(ops) > len(Toposort(out)) {
			t.Errorf("%s: rewriting grew the graph: %d nodes before, %d after", c.name, len(Toposort(out)), len(ops))
		}
		for i := range ref.Data {
			// Values are equal; only the sign of a zero may differ (x + 0 is +0 for x = −0).
			if got.Data[i] != ref.Data[i] {
				t.Errorf("%s: element %d: rewritten %v, original %v", c.name, i, got.Data[i], ref.Data[i])
			}
		}
	}
}

// TestRulesKeepTypes checks that rewrites that would change a shape (a constant that broadcasts)
// or a dtype (an int input of a float op) do not fire.
func TestRulesKeepTypes(t *testing.T) {
	s := Scalar("s")
	iv := IVector("i")
	b := BVector("b")
	cases := []struct {
		name string
		in   *Tensor
		out  *Tensor
		val  *Array
		keep string // the op that must stay
	}{
		{"scalar + [0] broadcasts to [1]", s, Add(s, Const([]float64{0})), &Array{DType: Float64, Shape: []int{}, Data: []float64{2}}, "add"},
		{"int * 1.0 is float", iv, Mul(iv, 1.0), &Array{DType: Int64, Shape: []int{2}, Data: []float64{3, 4}}, "mul"},
		{"int / 1 is float", iv, Div(iv, 1), &Array{DType: Int64, Shape: []int{2}, Data: []float64{3, 4}}, "true_div"},
		{"--bool is int", b, Neg(Neg(b)), &Array{DType: Bool, Shape: []int{2}, Data: []float64{1, 0}}, "neg"},
		{"log(exp(int)) is float", iv, Log(Exp(iv)), &Array{DType: Int64, Shape: []int{2}, Data: []float64{3, 4}}, "cast{float64}"},
		{"log(1 + vector) with a [2] one", s, Log(Add(Const([]float64{1, 1}), s)), &Array{DType: Float64, Shape: []int{}, Data: []float64{0.5}}, "log"},
	}
	for _, c := range cases {
		got, fg := rulesRun(t, []*Tensor{c.in}, c.out, []*Array{c.val}, true)
		if ty := fg.Outputs[0].Type(); ty.String() != c.out.Type().String() {
			t.Errorf("%s: rewriting changed the type from %s to %s", c.name, c.out.Type(), ty)
		}
		if got.DType != c.out.DType() || got.Type().NDim() != c.out.NDim() {
			t.Errorf("%s: result %s has type %s, want %s", c.name, got, got.Type(), c.out.Type())
		}
		if !rulesHas(rulesOps(fg), c.keep) {
			t.Errorf("%s: op %s vanished: %v", c.name, c.keep, rulesOps(fg))
		}
		ref, _ := rulesRun(t, []*Tensor{c.in}, c.out, []*Array{c.val}, false)
		for i := range ref.Data {
			if got.Data[i] != ref.Data[i] {
				t.Errorf("%s: element %d: rewritten %v, original %v", c.name, i, got.Data[i], ref.Data[i])
			}
		}
	}
}

// TestRulesLogSumExp checks log(sum(exp(x))) → logsumexp(x) over all axes and over one axis
// with keepdims, against the closed form m + log Σ exp(x − m), where the original overflows.
func TestRulesLogSumExp(t *testing.T) {
	x := Matrix("x")
	big := &Array{DType: Float64, Shape: []int{2, 3}, Data: []float64{1000, 999, 998, -1000, -1001, -1002}}
	small := &Array{DType: Float64, Shape: []int{2, 3}, Data: []float64{0.5, -1, 2, 0, 1, 3}}
	lse := func(v ...float64) float64 {
		m := math.Inf(-1)
		for _, e := range v {
			m = math.Max(m, e)
		}
		s := 0.0
		for _, e := range v {
			s += math.Exp(e - m)
		}
		return m + math.Log(s)
	}
	for _, c := range []struct {
		out  *Tensor
		want []float64
	}{
		{Log(Sum(Exp(x))), []float64{lse(big.Data...)}},
		{Log(SumKeepDims(Exp(x), 1)), []float64{lse(big.Data[:3]...), lse(big.Data[3:]...)}},
	} {
		got, fg := rulesRun(t, []*Tensor{x}, c.out, []*Array{big}, true)
		ops := rulesOps(fg)
		if len(ops) != 1 || !strings.HasPrefix(ops[0], "logsumexp") {
			t.Errorf("%s: rewritten ops %v, want one logsumexp", PP(c.out), ops)
		}
		if !sameShape(fg.Outputs[0].Shape(), c.out.Shape()) || len(got.Data) != len(c.want) {
			t.Errorf("%s: shape %v, want %v", PP(c.out), fg.Outputs[0].Shape(), c.out.Shape())
		}
		for i, w := range c.want {
			if !relClose(got.Data[i], w, 1e-15) {
				t.Errorf("%s: element %d = %v, want %v", PP(c.out), i, got.Data[i], w)
			}
		}
		naive, _ := rulesRun(t, []*Tensor{x}, c.out, []*Array{big}, false)
		if !math.IsInf(naive.Data[0], 1) {
			t.Errorf("%s: the original graph did not overflow (%v): the test shows no improvement", PP(c.out), naive.Data)
		}
		a, _ := rulesRun(t, []*Tensor{x}, c.out, []*Array{small}, true)
		b, _ := rulesRun(t, []*Tensor{x}, c.out, []*Array{small}, false)
		for i := range a.Data {
			if !relClose(a.Data[i], b.Data[i], 1e-14) {
				t.Errorf("%s: element %d: rewritten %v, original %v", PP(c.out), i, a.Data[i], b.Data[i])
			}
		}
	}
}

// TestRulesLog1mexpOp checks the new scalar op against its definition, at the switch point of
// Mächler's rule, at its special values, and its gradient.
func TestRulesLog1mexpOp(t *testing.T) {
	x := Vector("x")
	pts := []float64{-1e-300, -1e-10, -0.3, -math.Ln2, -0.7, -5, -40, -800, 0, math.Inf(-1)}
	got, _ := rulesRun(t, []*Tensor{x}, Log1mexp(x), []*Array{vec(pts...)}, false)
	for i, v := range pts {
		var want float64
		switch {
		case v == 0:
			want = math.Inf(-1)
		case v > -1e-5:
			want = math.Log(-v) + v/2 // log(−x) + x/2 + O(x²): 1 − eˣ = −x(1 + x/2 + ...)
		case v < -30:
			want = -math.Exp(v) // log(1 − ε) = −ε − ε²/2 ...
		default:
			want = math.Log(1 - math.Exp(v)) // well conditioned here: 1 − eˣ is not small
		}
		if !relClose(got.Data[i], want, 1e-14) && !(want == 0 && got.Data[i] == 0) {
			t.Errorf("log1mexp(%g) = %.17g, want %.17g", v, got.Data[i], want)
		}
	}
	if got, _ := rulesRun(t, []*Tensor{x}, Log1mexp(x), []*Array{vec(0.5)}, false); !math.IsNaN(got.Data[0]) {
		t.Errorf("log1mexp(0.5) = %v, want NaN", got.Data[0])
	}
	for _, p := range [][]float64{{-0.1, -0.5, -0.69, -0.7, -3, -20}} {
		if err := VerifyGrad(func(in []*Tensor) *Tensor { return Log1mexp(in[0]) }, []any{p}, nil); err != nil {
			t.Error(err)
		}
	}
	if s := PP(Log1mexp(x)); !strings.Contains(s, "log1mexp(x)") {
		t.Errorf("PP = %q", s)
	}
}

// TestRulesSharedSubexpression checks that a rewrite leaves a subexpression alone when others
// still use it: log(sigmoid(x)) and sigmoid(x) are both outputs.
func TestRulesSharedSubexpression(t *testing.T) {
	x := Vector("x")
	s := Sigmoid(x)
	fg, err := NewFunctionGraph([]*Tensor{x}, []*Tensor{Log(s), s}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rfg, err := Rewrite(fg)
	if err != nil {
		t.Fatal(err)
	}
	ops := rulesOps(rfg)
	if !rulesHas(ops, "log_sigmoid") || !rulesHas(ops, "sigmoid") || rulesHas(ops, "log") {
		t.Fatalf("ops %v: want log_sigmoid and sigmoid, no log", ops)
	}
	p, _ := newRefProgram(rfg)
	res, err := p.Run([]*Array{vec(-1000, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []float64{-1000, 0, 2} {
		if want := -softplus(-v); res[0].Data[i] != want {
			t.Errorf("log sigmoid(%g) = %v, want %v", v, res[0].Data[i], want)
		}
		if want := sigmoid(v); res[1].Data[i] != want {
			t.Errorf("sigmoid(%g) = %v, want %v", v, res[1].Data[i], want)
		}
	}
}

// BenchmarkRewriteLogisticGrad measures Rewrite on the log-likelihood of a logistic regression
// with its gradient (the graph a sampler compiles), where the stable-form rules fire.
func BenchmarkRewriteLogisticGrad(b *testing.B) {
	x, y := Matrix("x"), Vector("y")
	w, c := Vector("w"), Scalar("c")
	p := Sigmoid(Add(Apply1(SumOp{Axes: 2}, Mul(x, w)), c))
	ll := Sum(Add(Mul(y, Log(p)), Mul(Sub(1.0, y), Log(Sub(1.0, p)))))
	g := Grad(ll, w, c)
	fg, err := NewFunctionGraph([]*Tensor{x, y, w, c}, []*Tensor{ll, g[0], g[1]}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Rewrite(fg); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRulesLogisticLikelihood checks that the rules fire inside a realistic graph: the Bernoulli
// log-likelihood written with log(p) and log(1 − p) compiles to log_sigmoid forms, stays finite
// for perfectly separated data where the naive graph gives −Inf, and its gradient agrees.
func TestRulesLogisticLikelihood(t *testing.T) {
	x, y, w := Vector("x"), Vector("y"), Scalar("w")
	p := Sigmoid(Mul(x, w))
	ll := Sum(Add(Mul(y, Log(p)), Mul(Sub(1.0, y), Log(Sub(1.0, p)))))
	g := Grad(ll, w)[0]
	fg, err := NewFunctionGraph([]*Tensor{x, y, w}, []*Tensor{ll, g}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rfg, err := Rewrite(fg)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range Toposort(rfg.Outputs[0]) {
		if s := n.Op.String(); s == "log" || s == "sigmoid" {
			t.Errorf("log-likelihood still has op %s after rewriting: %s", s, PP(rfg.Outputs[0]))
		}
	}
	xs := vec(-2, -1, 1, 2)
	ys := vec(0, 0, 1, 1)
	wv := &Array{DType: Float64, Shape: []int{}, Data: []float64{400}}
	p1, _ := newRefProgram(rfg)
	res, err := p1.Run([]*Array{xs, ys, wv})
	if err != nil {
		t.Fatal(err)
	}
	// Closed form: Σ log σ(±x·w) = −Σ softplus(−|x|·w) ≈ −2e^{−400} − 2e^{−800}.
	want := -2*math.Exp(-400) - 2*math.Exp(-800)
	if !relClose(res[0].Data[0], want, 1e-14) {
		t.Errorf("rewritten log-likelihood = %v, want %v", res[0].Data[0], want)
	}
	p0, _ := newRefProgram(fg)
	naive, err := p0.Run([]*Array{xs, ys, wv})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(naive[0].Data[0], -1) && !math.IsNaN(naive[0].Data[0]) {
		t.Errorf("naive log-likelihood = %v; expected the unstable graph to fail here", naive[0].Data[0])
	}
	// At an ordinary point both graphs agree, gradient included.
	wv.Data[0] = 0.7
	a, _ := p1.Run([]*Array{xs, ys, wv})
	av := []float64{a[0].Data[0], a[1].Data[0]}
	b, _ := p0.Run([]*Array{xs, ys, wv})
	for i := range av {
		if !relClose(av[i], b[i].Data[0], 1e-13) {
			t.Errorf("output %d: rewritten %v, original %v", i, av[i], b[i].Data[0])
		}
	}
}

// TestRulesCancelGradients checks ruleCancel where it matters: the gradients of log(sigmoid(x))
// and log(1 − sigmoid(x)), built by Grad from the unstable forms, become σ(−x) and −σ(x) after
// rewriting, finite where σ underflows (the naive gradient is NaN there).
func TestRulesCancelGradients(t *testing.T) {
	cases := []struct {
		name string
		f    func(x *Tensor) *Tensor
		want func(x float64) float64
		at   []float64
	}{
		{"log(sigmoid(x))", func(x *Tensor) *Tensor { return Log(Sigmoid(x)) }, func(x float64) float64 { return sigmoid(-x) }, []float64{-800, -40, 0.5, 3}},
		{"log(1-sigmoid(x))", func(x *Tensor) *Tensor { return Log(Sub(1.0, Sigmoid(x))) }, func(x float64) float64 { return -sigmoid(x) }, []float64{800, 40, 0.5, -3}},
	}
	for _, c := range cases {
		x := Vector("x")
		g := Grad(Sum(c.f(x)), x)[0]
		got, fg := rulesRun(t, []*Tensor{x}, g, []*Array{vec(c.at...)}, true)
		naive, _ := rulesRun(t, []*Tensor{x}, g, []*Array{vec(c.at...)}, false)
		if rulesHas(rulesOps(fg), "true_div") {
			t.Errorf("%s: the rewritten gradient still divides: %s", c.name, PP(fg.Outputs[0]))
		}
		for i, v := range c.at {
			if want := c.want(v); !relClose(got.Data[i], want, 1e-15) {
				t.Errorf("%s: gradient at %g = %v, want %v", c.name, v, got.Data[i], want)
			}
		}
		if !math.IsNaN(naive.Data[0]) {
			t.Errorf("%s: the naive gradient at %g is %v; expected NaN (0·∞)", c.name, c.at[0], naive.Data[0])
		}
		for i := 2; i < len(c.at); i++ {
			if !relClose(got.Data[i], naive.Data[i], 1e-14) {
				t.Errorf("%s: at %g rewritten %v, original %v", c.name, c.at[i], got.Data[i], naive.Data[i])
			}
		}
	}
}

// TestRulesCancel checks the cancellation rule on plain expressions, including the cases it
// must leave alone: a cancelled factor that broadcast the result, and integer operands.
func TestRulesCancel(t *testing.T) {
	x, y, z := Vector("x"), Vector("y"), Vector("z")
	s := Scalar("s")
	xv, yv, zv := vec(1.5, -2, 4), vec(0.5, 3, -1), vec(2, 2, 0.25)
	sv := &Array{DType: Float64, Shape: []int{}, Data: []float64{1.25}}
	cases := []struct {
		name  string
		in    []*Tensor
		vals  []*Array
		e     *Tensor
		fires bool
		want  string // PP of the rewritten output when it fires
	}{
		{"x*y/x", []*Tensor{x, y}, []*Array{xv, yv}, Div(Mul(x, y), x), true, "y"},
		{"(y/x)*(x*z)", []*Tensor{x, y, z}, []*Array{xv, yv, zv}, Mul(Div(y, x), Mul(x, z)), true, "y * z"},
		{"-(y/x)*x", []*Tensor{x, y}, []*Array{xv, yv}, Mul(Neg(Div(y, x)), x), true, "-y"},
		{"x/(x*y)", []*Tensor{x, y}, []*Array{xv, yv}, Div(x, Mul(x, y)), true, "1 / y"},
		{"exp(x)*y/exp(x), separate exp nodes", []*Tensor{x, y}, []*Array{xv, yv}, Div(Mul(Exp(x), y), Exp(x)), true, "y"},
		{"x*s/x broadcasts s", []*Tensor{x, s}, []*Array{xv, sv}, Div(Mul(x, s), x), false, ""},
		{"x*y/z", []*Tensor{x, y, z}, []*Array{xv, yv, zv}, Div(Mul(x, y), z), false, ""},
	}
	for _, c := range cases {
		got, fg := rulesRun(t, c.in, c.e, c.vals, true)
		ref, _ := rulesRun(t, c.in, c.e, c.vals, false)
		pp := PP(fg.Outputs[0])
		if c.fires && pp != c.want {
			t.Errorf("%s: rewritten to %s, want %s", c.name, pp, c.want)
		}
		if !c.fires && pp != PP(c.e) {
			t.Errorf("%s: rewritten to %s, want it unchanged", c.name, pp)
		}
		if ty := fg.Outputs[0].Type(); ty.String() != c.e.Type().String() {
			t.Errorf("%s: type %s, want %s", c.name, ty, c.e.Type())
		}
		for i := range ref.Data {
			if !relClose(got.Data[i], ref.Data[i], 1e-15) {
				t.Errorf("%s: element %d: rewritten %v, original %v", c.name, i, got.Data[i], ref.Data[i])
			}
		}
	}
}
