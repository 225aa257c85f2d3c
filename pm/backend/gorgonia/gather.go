package gorgonia

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	gt "gorgonia.org/tensor"
)

// Indexing and reshaping are two gorgonia ops of this package, gatherOp and its gradient
// scatterOp, rather than gorgonia's Slice, Reshape and ByIndices, because of what those do in
// gorgonia v0.9.18:
//   - Slice returns a view of its input's memory and Reshape a shallow clone, but the tape
//     machine's register allocator does not know of the aliasing: an op that overwrites its
//     input in place (gorgonia's arithmetic does when the input is dead) then writes into a
//     tensor that is still live. An unrolled AR(1) recurrence of 500 steps built from Slice gave
//     a wrong result that way.
//   - ByIndices' gradient (tensor.ByIndicesB) returns wrong values for a vector, so gorgonia's
//     differentiation of a hierarchical model through it was wrong.
// A gather copies out x[src[i]] into a fresh buffer, so it never aliases; its gradient is the
// scatter-add of the incoming gradient, in order, as gopm's TakeIncOp accumulates.

// tensorType is gorgonia's type of a float64 value with ndim dimensions.
func tensorType(ndim int) hm.Type {
	if ndim == 0 {
		return G.Float64
	}
	return G.TensorType{Dims: ndim, Of: G.Float64}
}

// values reads a gorgonia value's elements (materializing a view).
func values(v G.Value) []float64 {
	switch x := v.(type) {
	case *G.F64:
		return []float64{float64(*x)}
	case *gt.Dense:
		if x.IsView() {
			x = x.Materialize().(*gt.Dense)
		}
		return x.Data().([]float64)
	}
	return v.Data().([]float64)
}

// result is prealloc when it fits the shape, else a new value.
func result(prealloc G.Value, shape []int) (G.Value, []float64) {
	if len(shape) == 0 {
		if p, ok := prealloc.(*G.F64); ok {
			return p, nil
		}
		return G.NewF64(0), nil
	}
	if d, ok := prealloc.(*gt.Dense); ok && !d.IsView() && d.Shape().Eq(gt.Shape(shape)) {
		return d, d.Data().([]float64)
	}
	data := make([]float64, size(shape))
	return gt.New(gt.WithShape(shape...), gt.WithBacking(data)), data
}

func setScalar(v G.Value, x float64) { *v.(*G.F64) = G.F64(x) }

// gatherOp is out[i] = x[src[i]] (flat row-major positions), out of shape out.
type gatherOp struct {
	id      int // distinct ops must hash differently: gorgonia merges nodes with equal hashes
	src     []int
	in, out []int
}

func (o *gatherOp) Arity() int    { return 1 }
func (o *gatherOp) Type() hm.Type { return hm.NewFnType(tensorType(len(o.in)), tensorType(len(o.out))) }
func (o *gatherOp) InferShape(...G.DimSizer) (gt.Shape, error) {
	return gt.Shape(append([]int(nil), o.out...)), nil
}
func (o *gatherOp) Do(vs ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, vs...) }

// UsePreallocDo implements gorgonia's UsePreallocDoer: the tape machine reuses the buffer.
func (o *gatherOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	x := values(vs[0])
	r, d := result(prealloc, o.out)
	if d == nil {
		setScalar(r, x[o.src[0]])
		return r, nil
	}
	for i, j := range o.src {
		d[i] = x[j]
	}
	return r, nil
}
func (o *gatherOp) ReturnsPtr() bool      { return false }
func (o *gatherOp) CallsExtern() bool     { return false }
func (o *gatherOp) OverwritesInput() int  { return -1 }
func (o *gatherOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "gopm_gather%d", o.id) }
func (o *gatherOp) Hashcode() uint32      { return uint32(o.id)*2654435761 + 1 }
func (o *gatherOp) String() string        { return fmt.Sprintf("gopm_gather%d%v", o.id, o.out) }

// DiffWRT implements gorgonia's SDOp.
func (o *gatherOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff implements gorgonia's SDOp: the gradient scattered back.
func (o *gatherOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	s, err := G.ApplyOp(&scatterOp{id: o.id, src: o.src, in: o.out, out: o.in}, grad)
	return G.Nodes{s}, err
}

// scatterOp is zeros of shape out with g[i] added at flat position src[i], in order.
type scatterOp struct {
	id      int
	src     []int
	in, out []int
}

func (o *scatterOp) Arity() int { return 1 }
func (o *scatterOp) Type() hm.Type {
	return hm.NewFnType(tensorType(len(o.in)), tensorType(len(o.out)))
}
func (o *scatterOp) InferShape(...G.DimSizer) (gt.Shape, error) {
	return gt.Shape(append([]int(nil), o.out...)), nil
}
func (o *scatterOp) Do(vs ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, vs...) }

// UsePreallocDo implements gorgonia's UsePreallocDoer.
func (o *scatterOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	g := values(vs[0])
	r, d := result(prealloc, o.out)
	if d == nil {
		s := 0.0
		for i := range o.src {
			s += g[i]
		}
		setScalar(r, s)
		return r, nil
	}
	clear(d)
	for i, j := range o.src {
		d[j] += g[i]
	}
	return r, nil
}
func (o *scatterOp) ReturnsPtr() bool      { return false }
func (o *scatterOp) CallsExtern() bool     { return false }
func (o *scatterOp) OverwritesInput() int  { return -1 }
func (o *scatterOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "gopm_scatter%d", o.id) }
func (o *scatterOp) Hashcode() uint32      { return uint32(o.id)*2654435761 + 2 }
func (o *scatterOp) String() string        { return fmt.Sprintf("gopm_scatter%d%v", o.id, o.out) }

// DiffWRT implements gorgonia's SDOp.
func (o *scatterOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff implements gorgonia's SDOp: the gradient gathered.
func (o *scatterOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	s, err := G.ApplyOp(&gatherOp{id: o.id, src: o.src, in: o.out, out: o.in}, grad)
	return G.Nodes{s}, err
}

// gather applies a gatherOp to n.
func (b *builder) gather(n *G.Node, in []int, src []int, out []int) (*G.Node, error) {
	b.nconst++
	return G.ApplyOp(&gatherOp{id: b.nconst, src: src, in: append([]int(nil), in...), out: append([]int(nil), out...)}, n)
}

// scatter applies a scatterOp to n.
func (b *builder) scatter(n *G.Node, in []int, src []int, out []int) (*G.Node, error) {
	b.nconst++
	return G.ApplyOp(&scatterOp{id: b.nconst, src: src, in: append([]int(nil), in...), out: append([]int(nil), out...)}, n)
}

// strides are the row-major strides of shape.
func strides(shape []int) []int {
	s := make([]int, len(shape))
	k := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = k
		k *= shape[i]
	}
	return s
}

// enumerate lists, for every position of shape dims in row-major order, base + Σ coord·str.
func enumerate(dims, str []int, base int) []int {
	n := size(dims)
	r := make([]int, 0, n)
	coord := make([]int, len(dims))
	for i := 0; i < n; i++ {
		off := base
		for k, c := range coord {
			off += c * str[k]
		}
		r = append(r, off)
		for k := len(coord) - 1; k >= 0; k-- {
			coord[k]++
			if coord[k] < dims[k] {
				break
			}
			coord[k] = 0
		}
	}
	return r
}

// identity is 0, 1, ..., n−1.
func identity(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = i
	}
	return r
}

// sliceMap is the positions of x[lo:hi] along axis in a tensor of the given shape.
func sliceMap(shape []int, axis, lo, hi int) []int {
	dims := append([]int(nil), shape...)
	dims[axis] = hi - lo
	st := strides(shape)
	return enumerate(dims, st, lo*st[axis])
}

// concatOp joins its inputs along axis into a fresh buffer. gorgonia's Concat differentiates
// into slices, that is views, with the aliasing hazard described above: gorgonia's
// differentiation of stochastic volatility's unrolled recurrence (500 pieces) gave a wrong
// gradient with it. Its gradient here is one gather per input.
type concatOp struct {
	id     int
	axis   int
	shapes [][]int
	out    []int
}

func (o *concatOp) Arity() int { return len(o.shapes) }
func (o *concatOp) Type() hm.Type {
	ts := make([]hm.Type, 0, len(o.shapes)+1)
	for _, s := range o.shapes {
		ts = append(ts, tensorType(len(s)))
	}
	return hm.NewFnType(append(ts, tensorType(len(o.out)))...)
}
func (o *concatOp) InferShape(...G.DimSizer) (gt.Shape, error) {
	return gt.Shape(append([]int(nil), o.out...)), nil
}
func (o *concatOp) Do(vs ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, vs...) }

// UsePreallocDo implements gorgonia's UsePreallocDoer.
func (o *concatOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	r, d := result(prealloc, o.out)
	outer := size(o.out[:o.axis])
	inner := size(o.out[o.axis+1:])
	at := 0
	for row := 0; row < outer; row++ {
		for i, v := range vs {
			x := values(v)
			run := o.shapes[i][o.axis] * inner
			copy(d[at:at+run], x[row*run:(row+1)*run])
			at += run
		}
	}
	return r, nil
}
func (o *concatOp) ReturnsPtr() bool      { return false }
func (o *concatOp) CallsExtern() bool     { return false }
func (o *concatOp) OverwritesInput() int  { return -1 }
func (o *concatOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "gopm_concat%d", o.id) }
func (o *concatOp) Hashcode() uint32      { return uint32(o.id)*2654435761 + 3 }
func (o *concatOp) String() string        { return fmt.Sprintf("gopm_concat%d%v", o.id, o.out) }

// DiffWRT implements gorgonia's SDOp.
func (o *concatOp) DiffWRT(n int) []bool {
	r := make([]bool, n)
	for i := range r {
		r[i] = true
	}
	return r
}

// SymDiff implements gorgonia's SDOp: each input's gradient is its part of the output's.
func (o *concatOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	r := make(G.Nodes, len(in))
	lo := 0
	for i, s := range o.shapes {
		hi := lo + s[o.axis]
		g, err := G.ApplyOp(&gatherOp{id: o.id*4096 + i + 1<<30, src: sliceMap(o.out, o.axis, lo, hi), in: o.out, out: s}, grad)
		if err != nil {
			return nil, err
		}
		r[i] = g
		lo = hi
	}
	return r, nil
}

// concat joins nodes of gopm shapes shapes along axis.
func (b *builder) concat(axis int, ns []*G.Node, shapes [][]int) (*G.Node, error) {
	if len(ns) == 1 {
		return ns[0], nil
	}
	out := append([]int(nil), shapes[0]...)
	out[axis] = 0
	for _, s := range shapes {
		out[axis] += s[axis]
	}
	b.nconst++
	return G.ApplyOp(&concatOp{id: b.nconst, axis: axis, shapes: shapes, out: out}, ns...)
}
