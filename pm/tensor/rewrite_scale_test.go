package tensor_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/gorgonia"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// scaleCase is a graph written one element at a time, as a user's loop writes it.
type scaleCase struct {
	name string
	vars func() []*tensor.Tensor
	cost func(in []*tensor.Tensor) *tensor.Tensor
	vals func() []any
}

const scaleK = 40

func scaleScalars() []*tensor.Tensor {
	v := make([]*tensor.Tensor, scaleK)
	for i := range v {
		v[i] = tensor.Scalar(fmt.Sprint("x", i))
	}
	return v
}

func scaleScalarVals() []any {
	v := make([]any, scaleK)
	for i := range v {
		v[i] = math.Sin(float64(7*i)) * 1.5
	}
	return v
}

func scaleVector() []*tensor.Tensor {
	return []*tensor.Tensor{tensor.NewVar("v", tensor.Float64, scaleK)}
}

func scaleVectorVals() []any {
	v := make([]float64, scaleK)
	for i := range v {
		v[i] = math.Cos(float64(5*i)) * 1.5
	}
	return []any{v}
}

// fold adds terms left to right, as total = total.Add(term) in a loop does.
func fold(terms []*tensor.Tensor) *tensor.Tensor {
	t := terms[0]
	for _, x := range terms[1:] {
		t = t.Add(x)
	}
	return t
}

func scaleCases() []scaleCase {
	return []scaleCase{
		{"normal-priors", scaleScalars, func(in []*tensor.Tensor) *tensor.Tensor {
			terms := make([]*tensor.Tensor, len(in))
			for i, x := range in {
				terms[i] = tensor.NormalLogp(x, 0.0, 1.0)
			}
			return fold(terms)
		}, scaleScalarVals},
		{"elementwise-chain", scaleScalars, func(in []*tensor.Tensor) *tensor.Tensor {
			terms := make([]*tensor.Tensor, len(in))
			for i, x := range in {
				terms[i] = tensor.Sin(x).Mul(float64(i%3) + 0.5).Add(tensor.Exp(x.Mul(0.1)))
			}
			return fold(terms)
		}, scaleScalarVals},
		{"at-observations", scaleVector, func(in []*tensor.Tensor) *tensor.Tensor {
			terms := []*tensor.Tensor{tensor.Sum(tensor.NormalLogp(in[0], 0.0, 1.0))}
			for i := 0; i < scaleK; i++ {
				terms = append(terms, tensor.NormalLogp(math.Sin(float64(i)), in[0].At(i), 2.0))
			}
			return fold(terms)
		}, scaleVectorVals},
		{"at-permuted", scaleVector, func(in []*tensor.Tensor) *tensor.Tensor {
			terms := make([]*tensor.Tensor, scaleK)
			for i := range terms {
				terms[i] = tensor.Exp(in[0].At((7 * i) % scaleK).Mul(0.3))
			}
			return fold(terms)
		}, scaleVectorVals},
		{"at-repeated", scaleVector, func(in []*tensor.Tensor) *tensor.Tensor {
			terms := make([]*tensor.Tensor, scaleK)
			for i := range terms {
				terms[i] = tensor.Square(in[0].At(i / 2)).Mul(float64(i) - 3)
			}
			return fold(terms)
		}, scaleVectorVals},
	}
}

// scaleOutputs are the cost and its gradient, flat.
func scaleOutputs(c scaleCase, vars []*tensor.Tensor) []*tensor.Tensor {
	cost := c.cost(vars)
	g := tensor.Grad(cost, vars...)
	parts := make([]any, len(g))
	for i, x := range g {
		parts[i] = tensor.Flatten(x)
	}
	return []*tensor.Tensor{cost, tensor.Concatenate(0, parts...)}
}

// TestVectorizeScalarsExact checks that graphs written element by element compile to a few
// vector nodes, whose results are bit for bit those of the graph as written (evaluated op by op
// without rewrites), on vm and debug, and agree with gorgonia's.
func TestVectorizeScalarsExact(t *testing.T) {
	for _, c := range scaleCases() {
		vars := c.vars()
		outs := scaleOutputs(c, vars)
		vals := c.vals()
		ins := make([]any, len(vars))
		repl := map[*tensor.Tensor]*tensor.Tensor{}
		for i, x := range vars {
			ins[i] = x
			repl[x] = tensor.Const(vals[i])
		}
		ref, err := tensor.Eval(tensor.Replace(outs, repl)...)
		if err != nil {
			t.Fatalf("%s: reference: %v", c.name, err)
		}
		for _, be := range []string{"vm", "debug"} {
			f, err := backend.Compile(ins, outs, backend.Use(be))
			if err != nil {
				t.Fatalf("%s on %s: %v", c.name, be, err)
			}
			if n := len(f.Graph().Nodes); n > 30 {
				cnt := map[string]int{}
				for _, nd := range f.Graph().Nodes {
					cnt[nd.Op.String()]++
				}
				t.Errorf("%s on %s: the compiled graph has %d nodes for %d elements; want a few vector nodes: %v", c.name, be, n, scaleK, cnt)
			}
			got, err := f.Call(vals...)
			if err != nil {
				t.Fatalf("%s on %s: %v", c.name, be, err)
			}
			for k := range ref {
				if len(got[k].Data) != len(ref[k].Data) {
					t.Fatalf("%s on %s: output %d has %d elements, want %d", c.name, be, k, len(got[k].Data), len(ref[k].Data))
				}
				for i, w := range ref[k].Data {
					// -0 and +0 may differ where a scatter-add starts from zero.
					if g := got[k].Data[i]; math.Float64bits(g) != math.Float64bits(w) && !(g == 0 && w == 0) {
						t.Errorf("%s on %s: output %d element %d is %v, as written %v", c.name, be, k, i, g, w)
						break
					}
				}
			}
		}
		gorgoniaRun(t, c.name, vars, outs, nil, vals, gorgoniaTol)
	}
}

// TestVectorizeScalarsSmallGroups checks that groups below the threshold keep their scalar
// nodes (the fused scalar programs run them as fast).
func TestVectorizeScalarsSmallGroups(t *testing.T) {
	x := tensor.Vector("x")
	cost := tensor.Exp(x.At(0)).Add(tensor.Exp(x.At(1))).Add(tensor.Exp(x.At(2)))
	f, err := backend.Compile([]any{x}, cost, backend.Use("vm"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range f.Graph().Nodes {
		if _, ok := n.Op.(tensor.PackOp); ok {
			t.Errorf("a group of 3 was vectorized: %s", tensor.PP(f.Graph().Outputs[0]))
		}
	}
	out, err := f.Call([]float64{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + math.E + math.Exp(2); math.Abs(out[0].Data[0]-want) > 1e-15*want {
		t.Errorf("got %v, want %v", out[0].Data[0], want)
	}
}
