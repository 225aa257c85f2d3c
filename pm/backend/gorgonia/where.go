package gorgonia

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	gt "gorgonia.org/tensor"
)

// whereOp is the elementwise select c ? a : b over three operands of one shape, with c holding
// 0 or 1. Gorgonia has no select; building it as c·a + (1−c)·b would turn an infinite branch
// that is not taken into NaN (0·∞), so it is an op of its own, differentiable in gorgonia's
// symbolic mode: the gradient goes to a where c is 1 and to b where c is 0.
type whereOp struct{}

func (whereOp) Arity() int { return 3 }

func (whereOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a, a)
}

func (whereOp) InferShape(in ...G.DimSizer) (gt.Shape, error) {
	s := in[1].(gt.Shape)
	for _, d := range in {
		if !d.(gt.Shape).Eq(s) {
			return nil, fmt.Errorf("where: operands have shapes %v and %v", d, s)
		}
	}
	return s.Clone(), nil
}

func (o whereOp) Do(vs ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, vs...) }

// UsePreallocDo implements gorgonia's UsePreallocDoer: the tape machine reuses the buffer.
func (whereOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != 3 {
		return nil, fmt.Errorf("where: takes 3 operands, got %d", len(vs))
	}
	c, a, b := values(vs[0]), values(vs[1]), values(vs[2])
	shape := []int(vs[1].Shape())
	if _, ok := vs[1].(*G.F64); ok {
		shape = nil
	}
	r, out := result(prealloc, shape)
	if out == nil {
		if c[0] != 0 {
			setScalar(r, a[0])
		} else {
			setScalar(r, b[0])
		}
		return r, nil
	}
	for i := range c {
		if c[i] != 0 {
			out[i] = a[i]
		} else {
			out[i] = b[i]
		}
	}
	return r, nil
}

func (whereOp) ReturnsPtr() bool      { return false }
func (whereOp) CallsExtern() bool     { return false }
func (whereOp) OverwritesInput() int  { return -1 }
func (whereOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "gopm_where") }
func (whereOp) Hashcode() uint32      { return 0x9e3779b1 }
func (whereOp) String() string        { return "gopm_where" }

// DiffWRT implements gorgonia's SDOp: the condition has no gradient.
func (whereOp) DiffWRT(int) []bool { return []bool{false, true, true} }

// SymDiff implements gorgonia's SDOp.
func (whereOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	zero, err := zerosLike(grad)
	if err != nil {
		return nil, err
	}
	ga, err := G.ApplyOp(whereOp{}, in[0], grad, zero)
	if err != nil {
		return nil, err
	}
	gb, err := G.ApplyOp(whereOp{}, in[0], zero, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{nil, ga, gb}, nil
}

// zerosLike is a constant of zeros with n's shape.
func zerosLike(n *G.Node) (*G.Node, error) {
	if n.IsScalar() {
		return G.NewConstant(0.0, G.In(n.Graph())), nil
	}
	s := n.Shape()
	z := gt.New(gt.WithShape(s.Clone()...), gt.WithBacking(make([]float64, s.TotalSize())))
	return G.NewConstant(z, G.WithName(fmt.Sprintf("zeros%v", []int(s))), G.In(n.Graph())), nil
}

// stepOp is a piecewise-constant function (floor, ceil) whose gradient is zero: gorgonia's
// Floor and Ceil are not differentiable at all, so its differentiation refuses a cost that
// depends on a variable only through them, where gopm's gradient is zero.
type stepOp struct {
	name string
	f    func(float64) float64
}

func (o stepOp) Arity() int { return 1 }
func (o stepOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (o stepOp) InferShape(in ...G.DimSizer) (gt.Shape, error) { return in[0].(gt.Shape).Clone(), nil }
func (o stepOp) Do(vs ...G.Value) (G.Value, error)             { return o.UsePreallocDo(nil, vs...) }

// UsePreallocDo implements gorgonia's UsePreallocDoer.
func (o stepOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	x := values(vs[0])
	if _, ok := vs[0].(*G.F64); ok {
		r, _ := result(prealloc, nil)
		setScalar(r, o.f(x[0]))
		return r, nil
	}
	r, out := result(prealloc, []int(vs[0].Shape()))
	for i, v := range x {
		out[i] = o.f(v)
	}
	return r, nil
}
func (o stepOp) ReturnsPtr() bool      { return false }
func (o stepOp) CallsExtern() bool     { return false }
func (o stepOp) OverwritesInput() int  { return -1 }
func (o stepOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "gopm_"+o.name) }
func (o stepOp) Hashcode() uint32 {
	var x uint32 = 2166136261
	for _, c := range o.name {
		x = (x ^ uint32(c)) * 16777619
	}
	return x
}
func (o stepOp) String() string { return o.name }

// DiffWRT implements gorgonia's SDOp.
func (o stepOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff implements gorgonia's SDOp: zero.
func (o stepOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	z, err := zerosLike(in[0])
	if err != nil {
		return nil, err
	}
	return G.Nodes{z}, nil
}

func floor(x *G.Node) (*G.Node, error) { return G.ApplyOp(stepOp{"floor", math.Floor}, x) }
func ceil(x *G.Node) (*G.Node, error)  { return G.ApplyOp(stepOp{"ceil", math.Ceil}, x) }

func sign(x *G.Node) (*G.Node, error) {
	return G.ApplyOp(stepOp{"sign", func(v float64) float64 {
		switch {
		case v > 0:
			return 1
		case v < 0:
			return -1
		}
		return v
	}}, x)
}
