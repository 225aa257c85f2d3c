package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// scanPower is Theano's tutorial loop: result = A**k by repeated elementwise multiplication.
func scanPower(a *Tensor, k int) *Tensor {
	res := Scan(func(args []*Tensor) []*Tensor {
		prior, a := args[0], args[1]
		return []*Tensor{Mul(prior, a)}
	}, ScanArgs{OutputsInfo: []*Tensor{OnesLike(a)}, NonSequences: []*Tensor{a}, NSteps: k})
	return res[0]
}

// scanPoly is Theano's tutorial polynomial: sum of coef[i] * x**i, a scan over the coefficients
// and the powers 0, 1, 2, ... (longer than the coefficients: the loop takes the shortest).
func scanPoly(coef, x *Tensor, maxPow int) *Tensor {
	pows := make([]int, maxPow)
	for i := range pows {
		pows[i] = i
	}
	comps := Scan(func(args []*Tensor) []*Tensor {
		c, p, x := args[0], args[1], args[2]
		return []*Tensor{Mul(c, Pow(x, p))}
	}, ScanArgs{Sequences: []*Tensor{coef, Const(pows)}, NonSequences: []*Tensor{x}})
	return Sum(comps[0])
}

func TestScanPowerAk(t *testing.T) {
	a := []float64{1.5, -2, 0.5, 3}
	const k = 7
	stack := scanPower(Const(a), k)
	if !sameShape(stack.Shape(), []int{k, 4}) {
		t.Fatalf("stacked shape %v, want [7 4]", stack.Shape())
	}
	r, err := Eval(stack, At(stack, -1))
	if err != nil {
		t.Fatal(err)
	}
	for s := 0; s < k; s++ {
		for i, v := range a {
			want := math.Pow(v, float64(s+1))
			if got := r[0].Data[s*4+i]; math.Abs(got-want) > 1e-12*math.Abs(want) {
				t.Fatalf("A**%d [%d] = %v, want %v", s+1, i, got, want)
			}
		}
	}
	laClose(t, "result[-1]", r[1].Data, r[0].Data[(k-1)*4:], 0)
	if err := VerifyGrad(func(in []*Tensor) *Tensor { return scanPower(in[0], 5) }, []any{a}, nil); err != nil {
		t.Error(err)
	}
}

func TestScanPolynomial(t *testing.T) {
	coef := []float64{1, 0, 2, -0.5}
	x := 3.0
	p := scanPoly(Const(coef), Const(x), 10)
	r, err := Eval(p)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for i, c := range coef {
		want += c * math.Pow(x, float64(i))
	}
	if math.Abs(r[0].Data[0]-want) > 1e-12 {
		t.Fatalf("polynomial = %v, want %v", r[0].Data[0], want)
	}
	if err := VerifyGrad(func(in []*Tensor) *Tensor { return scanPoly(in[0], in[1], 10) }, []any{coef, 1.3}, nil); err != nil {
		t.Error(err)
	}
	// Second derivative in x: the gradient of the backward scan is a scan again.
	err = VerifyGrad(func(in []*Tensor) *Tensor {
		return Grad(scanPoly(in[0], in[1], 10), in[1])[0]
	}, []any{coef, 1.3}, nil)
	if err != nil {
		t.Error(err)
	}
	// Closed form of the second derivative at x = 1.3: sum i (i-1) c_i x^(i-2).
	c, xs := Const(coef), Scalar("x")
	d2 := Grad(Grad(scanPoly(c, xs, 10), xs)[0], xs)[0]
	fg, err := NewFunctionGraph([]*Tensor{xs}, []*Tensor{d2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	prog, _ := newRefProgram(fg)
	out, err := prog.Run([]*Array{{DType: Float64, Shape: []int{}, Data: []float64{1.3}}})
	if err != nil {
		t.Fatal(err)
	}
	want2 := 0.0
	for i, cv := range coef {
		if i >= 2 {
			want2 += float64(i*(i-1)) * cv * math.Pow(1.3, float64(i-2))
		}
	}
	if math.Abs(out[0].Data[0]-want2) > 1e-12 {
		t.Fatalf("second derivative %v, want %v", out[0].Data[0], want2)
	}
}

func scanCumsum(x, init *Tensor) *Tensor {
	return Scan(func(args []*Tensor) []*Tensor {
		return []*Tensor{Add(args[1], args[0])}
	}, ScanArgs{Sequences: []*Tensor{x}, OutputsInfo: []*Tensor{init}})[0]
}

func TestScanCumsum(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	x := laRandMat(rng, 6, 3)
	cs := scanCumsum(Const(x), Const([]float64{0, 0, 0}))
	r, err := Eval(cs, Cumsum(Const(x), 0))
	if err != nil {
		t.Fatal(err)
	}
	acc := []float64{0, 0, 0}
	for i, row := range x {
		for j, v := range row {
			acc[j] += v
			if r[0].Data[i*3+j] != acc[j] {
				t.Fatalf("cumsum[%d][%d] = %v, want %v", i, j, r[0].Data[i*3+j], acc[j])
			}
		}
	}
	laClose(t, "scan vs Cumsum", r[0].Data, r[1].Data, 0)
	if err := VerifyGrad(func(in []*Tensor) *Tensor { return scanCumsum(in[0], in[1]) }, []any{x, []float64{0.5, -1, 2}}, nil); err != nil {
		t.Error(err)
	}
	// Reverse: a suffix sum, aligned with the sequence.
	rev := Scan(func(args []*Tensor) []*Tensor { return []*Tensor{Add(args[1], args[0])} },
		ScanArgs{Sequences: []*Tensor{Const([]float64{1, 2, 3, 4})}, OutputsInfo: []*Tensor{Const(0.0)}, Reverse: true})[0]
	rr, err := Eval(rev)
	if err != nil {
		t.Fatal(err)
	}
	laClose(t, "reverse scan", rr[0].Data, []float64{10, 9, 7, 4}, 0)
	if err := VerifyGrad(func(in []*Tensor) *Tensor {
		return Scan(func(args []*Tensor) []*Tensor { return []*Tensor{Mul(Add(args[1], args[0]), args[2])} },
			ScanArgs{Sequences: []*Tensor{in[0]}, OutputsInfo: []*Tensor{in[1]}, NonSequences: []*Tensor{in[2]}, Reverse: true})[0]
	}, []any{[]float64{1, 2, 3, 4}, 0.5, 0.9}, nil); err != nil {
		t.Error(err)
	}
}

// An RNN step h_t = tanh(W h_{t-1} + x_t) with a second, not fed back, output y_t = sum(h_t^2):
// gradients flow into W, the inputs and the initial state, through both outputs.
func TestScanRNNGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	w := laRandMat(rng, 3, 3)
	xs := laRandMat(rng, 5, 3)
	h0 := laRandVec(rng, 3)
	f := func(in []*Tensor) *Tensor {
		res := Scan(func(args []*Tensor) []*Tensor {
			x, h, w := args[0], args[1], args[2]
			hn := Tanh(Add(Dot(w, h), x))
			return []*Tensor{hn, Sum(Square(hn))}
		}, ScanArgs{Sequences: []*Tensor{in[1]}, OutputsInfo: []*Tensor{in[2], nil}, NonSequences: []*Tensor{in[0]}})
		return Add(Sum(res[0]), Mul(0.3, Sum(res[1])))
	}
	if err := VerifyGrad(f, []any{w, xs, h0}, nil); err != nil {
		t.Error(err)
	}
	// The same with W captured by the Go closure instead of listed as a non-sequence.
	g := func(in []*Tensor) *Tensor {
		wt := in[0]
		res := Scan(func(args []*Tensor) []*Tensor {
			return []*Tensor{Tanh(Add(Dot(wt, args[1]), args[0]))}
		}, ScanArgs{Sequences: []*Tensor{in[1]}, OutputsInfo: []*Tensor{in[2]}})
		return res[0]
	}
	if err := VerifyGrad(g, []any{w, xs, h0}, nil); err != nil {
		t.Error(err)
	}
	// Closure and non-sequence give the same values.
	a, err := Eval(f([]*Tensor{Const(w), Const(xs), Const(h0)}))
	if err != nil {
		t.Fatal(err)
	}
	wantSum := 0.0
	h := append([]float64(nil), h0...)
	for _, x := range xs {
		hn := make([]float64, 3)
		for i := range hn {
			s := 0.0
			for j := range h {
				s += w[i][j] * h[j]
			}
			hn[i] = math.Tanh(s + x[i])
		}
		for _, v := range hn {
			wantSum += v + 0.3*v*v
		}
		h = hn
	}
	if math.Abs(a[0].Data[0]-wantSum) > 1e-12 {
		t.Fatalf("rnn value %v, want %v", a[0].Data[0], wantSum)
	}
}

func TestScanNStepsShorterThanSequence(t *testing.T) {
	// Three steps over a sequence of five: the gradient of the unused rows is zero.
	f := func(in []*Tensor) *Tensor {
		return Scan(func(args []*Tensor) []*Tensor { return []*Tensor{Mul(args[1], args[0])} },
			ScanArgs{Sequences: []*Tensor{in[0]}, OutputsInfo: []*Tensor{in[1]}, NSteps: 3})[0]
	}
	pt := []any{[]float64{1.1, 0.9, 1.3, 2, 3}, 0.7}
	if err := VerifyGrad(f, pt, nil); err != nil {
		t.Error(err)
	}
	r, err := Eval(f([]*Tensor{Const(pt[0]), Const(pt[1])}))
	if err != nil {
		t.Fatal(err)
	}
	laClose(t, "three steps", r[0].Data, []float64{0.7 * 1.1, 0.7 * 1.1 * 0.9, 0.7 * 1.1 * 0.9 * 1.3}, 1e-15)
	// Too few rows, known at build time and at run time.
	if err := Catch(func() { f([]*Tensor{Const([]float64{1, 2}), Const(1.0)}) }); err == nil || !strings.Contains(err.Error(), "fewer than NSteps") {
		t.Fatalf("got %v", err)
	}
	v := Vector("v")
	fg, _ := NewFunctionGraph([]*Tensor{v}, []*Tensor{f([]*Tensor{v, Const(1.0)})}, nil)
	p, _ := newRefProgram(fg)
	if _, err := p.Run([]*Array{{DType: Float64, Shape: []int{2}, Data: []float64{1, 2}}}); err == nil || !strings.Contains(err.Error(), "fewer than NSteps") {
		t.Fatalf("run time: got %v", err)
	}
}

func TestScanErrors(t *testing.T) {
	id := func(args []*Tensor) []*Tensor { return args[:1] }
	cases := []struct {
		f    func()
		want string
	}{
		{func() { Scan(id, ScanArgs{OutputsInfo: []*Tensor{Const(1.0)}}) }, "no sequences and no NSteps"},
		{func() { Scan(id, ScanArgs{Sequences: []*Tensor{Const(1.0)}}) }, "is a scalar"},
		{func() {
			Scan(func(a []*Tensor) []*Tensor { return []*Tensor{Const([]float64{1, 2})} },
				ScanArgs{OutputsInfo: []*Tensor{Const(1.0)}, NSteps: 2})
		}, "output 0 has shape [2] but its initial value"},
		{func() {
			Scan(func(a []*Tensor) []*Tensor { return []*Tensor{Mul(a[0], 0.5)} },
				ScanArgs{OutputsInfo: []*Tensor{Const(1)}, NSteps: 2})
		}, "has dtype float64 but its initial value"},
		{func() { Scan(id, ScanArgs{NSteps: -1}) }, "NSteps is -1"},
		{func() {
			Scan(func(a []*Tensor) []*Tensor { return nil }, ScanArgs{NSteps: 1})
		}, "returned no outputs"},
	}
	for _, c := range cases {
		err := Catch(c.f)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
	}
	// A step function whose output changes shape at run time.
	v := Vector("v")
	grow := Scan(func(a []*Tensor) []*Tensor { return []*Tensor{Add(a[0], a[1])} },
		ScanArgs{OutputsInfo: []*Tensor{Const([]float64{0, 0})}, NonSequences: []*Tensor{v}, NSteps: 2})[0]
	fg, _ := NewFunctionGraph([]*Tensor{v}, []*Tensor{grow}, nil)
	p, _ := newRefProgram(fg)
	_, err := p.Run([]*Array{{DType: Float64, Shape: []int{3}, Data: []float64{1, 2, 3}}})
	if err == nil || !strings.Contains(err.Error(), "scan") {
		t.Fatalf("shape change at run time: got %v", err)
	}
}

// TestScanIntCarry carries an integer counter next to a float state, and an int state cast into a
// float initial value: integer outputs have no gradient but do not block the float ones.
func TestScanIntCarry(t *testing.T) {
	f := func(in []*Tensor) *Tensor {
		res := Scan(func(a []*Tensor) []*Tensor {
			x, cnt, acc := a[0], a[1], a[2]
			return []*Tensor{Add(cnt, 1), Add(acc, Mul(x, cnt))}
		}, ScanArgs{Sequences: []*Tensor{in[0]}, OutputsInfo: []*Tensor{ConstOf(Int64, 0), in[1]}})
		return Add(Sum(res[1]), Sum(Cast(res[0], Float64)))
	}
	if err := VerifyGrad(f, []any{[]float64{1, 2, 3}, 0.5}, nil); err != nil {
		t.Error(err)
	}
	r, err := Eval(f([]*Tensor{Const([]float64{1, 2, 3}), Const(0.5)}))
	if err != nil {
		t.Fatal(err)
	}
	// acc: 0.5, 0.5+2, 2.5+6 = 8.5; cnt: 1, 2, 3.
	want := 0.5 + 2.5 + 8.5 + 6.0
	if r[0].Data[0] != want {
		t.Fatalf("got %v, want %v", r[0].Data[0], want)
	}
}

func TestScanAllocatesNothing(t *testing.T) {
	x := Vector("x")
	w := Scalar("w")
	out := Scan(func(a []*Tensor) []*Tensor { return []*Tensor{Add(Mul(a[1], a[2]), a[0])} },
		ScanArgs{Sequences: []*Tensor{x}, OutputsInfo: []*Tensor{Const(0.0)}, NonSequences: []*Tensor{w}})[0]
	g := Grad(Sum(out), x, w)
	fg, err := NewFunctionGraph([]*Tensor{x, w}, append([]*Tensor{out}, g...), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := newRefProgram(fg)
	in := []*Array{{DType: Float64, Shape: []int{50}, Data: make([]float64, 50)}, {DType: Float64, Shape: []int{}, Data: []float64{0.9}}}
	if _, err := p.Run(in); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(10, func() { p.Run(in) }); n != 0 {
		t.Fatalf("a call allocates %v times", n)
	}
}

func ExampleScan() {
	// A**k by repeated multiplication, Theano's first scan example.
	A := Const([]float64{1, 2, 3})
	res := Scan(func(a []*Tensor) []*Tensor {
		prior, A := a[0], a[1]
		return []*Tensor{prior.Mul(A)}
	}, ScanArgs{OutputsInfo: []*Tensor{OnesLike(A)}, NonSequences: []*Tensor{A}, NSteps: 4})
	out, _ := Eval(At(res[0], -1))
	fmt.Println(out[0])
	// Output: [1 16 81]
}

// TestScanIdentityAndShared: a body that returns its inputs unchanged (outputs aliasing inputs)
// and reads a shared variable, whose new value the next evaluation sees.
func TestScanIdentityAndShared(t *testing.T) {
	sh := Shared("k", 2.0)
	res := Scan(func(a []*Tensor) []*Tensor {
		x, prev, w := a[0], a[1], a[2]
		return []*Tensor{prev, w, Mul(x, sh)}
	}, ScanArgs{Sequences: []*Tensor{Const([]float64{1, 2, 3})}, OutputsInfo: []*Tensor{Const(7.0)}, NonSequences: []*Tensor{Const(5.0)}})
	r, err := Eval(res...)
	if err != nil {
		t.Fatal(err)
	}
	laClose(t, "carried identity", r[0].Data, []float64{7, 7, 7}, 0)
	laClose(t, "non-sequence identity", r[1].Data, []float64{5, 5, 5}, 0)
	laClose(t, "shared", r[2].Data, []float64{2, 4, 6}, 0)
	if err := sh.Set(3.0); err != nil {
		t.Fatal(err)
	}
	r, err = Eval(res[2])
	if err != nil {
		t.Fatal(err)
	}
	laClose(t, "shared after Set", r[0].Data, []float64{3, 6, 9}, 0)
	if s := PP(res[2]); !strings.Contains(s, "scan{1 seq, 3 out}") {
		t.Fatalf("PP: %s", s)
	}
}
