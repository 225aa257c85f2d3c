package tensor

import (
	"strconv"
	"strings"
)

// IntList is a list of integers stored as a string, so that ops holding a shape or a permutation
// stay comparable values (common-subexpression elimination compares ops with ==).
type IntList string

// MakeIntList encodes v.
func MakeIntList(v []int) IntList {
	if len(v) == 1 {
		return IntList(strconv.Itoa(v[0]))
	}
	var b strings.Builder
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(x))
	}
	return IntList(b.String())
}

// Ints decodes the list.
func (l IntList) Ints() []int {
	if l == "" {
		return []int{}
	}
	out := make([]int, 0, strings.Count(string(l), ",")+1)
	for s := string(l); ; {
		i := strings.IndexByte(s, ',')
		if i < 0 {
			v, _ := strconv.Atoi(s)
			return append(out, v)
		}
		v, _ := strconv.Atoi(s[:i])
		out = append(out, v)
		s = s[i+1:]
	}
}

// count is the number of elements of the list.
func (l IntList) count() int {
	if l == "" {
		return 0
	}
	return strings.Count(string(l), ",") + 1
}

// single returns the list's one element; false if it has not exactly one.
func (l IntList) single() (int, bool) {
	if l == "" || strings.IndexByte(string(l), ',') >= 0 {
		return 0, false
	}
	v, err := strconv.Atoi(string(l))
	return v, err == nil
}

// String prints the list like "[2 -1]".
func (l IntList) String() string { return "[" + strings.ReplaceAll(string(l), ",", " ") + "]" }

// copyKernel copies the input's elements unchanged: ops that only change the shape.
func copyKernel(out, in []*Array) error { copy(out[0].Data, in[0].Data); return nil }

// ReshapeOp gives its input a new shape with the same number of elements, in row-major order.
// One entry of Shape may be -1: that length is inferred from the input's size (at run time if
// the input has Unknown dimensions).
type ReshapeOp struct{ Shape IntList }

// String implements Op.
func (o ReshapeOp) String() string { return "reshape{" + o.Shape.String() + "}" }

// Infer implements Op.
func (o ReshapeOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("reshape", "takes 1 input, got %d", len(in))
	}
	shape := o.Shape.Ints()
	free, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && free < 0:
			free = i
		case d < 0:
			return nil, errorf("reshape", "target shape %v: only one length may be -1 and none may be negative", shape)
		default:
			known *= d
		}
	}
	n := in[0].Size()
	if n >= 0 {
		switch {
		case free >= 0 && (known == 0 || n%known != 0):
			return nil, errorf("reshape", "cannot reshape %s (%d elements) into %v", ShapeString(in[0].Shape), n, shape)
		case free >= 0:
			shape[free] = n / known
		case known != n:
			return nil, errorf("reshape", "cannot reshape %s (%d elements) into %v (%d elements)", ShapeString(in[0].Shape), n, shape, known)
		}
	}
	return []Type{{DType: in[0].DType, Shape: shape}}, nil
}

// Kernel implements Op.
func (o ReshapeOp) Kernel(KernelSpec) (Kernel, error) { return copyKernel, nil }

// Grad implements Op: the gradient takes the input's shape back.
func (o ReshapeOp) Grad(in, out, gout []*Tensor) []*Tensor {
	return []*Tensor{Apply1(ReshapeLikeOp{}, gout[0], in[0])}
}

// ReshapeLikeOp gives its first input the shape of its second (which only lends its shape, known
// at run time): how gradients return to inputs whose dimensions are Unknown.
type ReshapeLikeOp struct{}

// String implements Op.
func (ReshapeLikeOp) String() string { return "reshape_like" }

// Infer implements Op.
func (ReshapeLikeOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 2 {
		return nil, errorf("reshape_like", "takes 2 inputs, got %d", len(in))
	}
	if a, b := in[0].Size(), in[1].Size(); a >= 0 && b >= 0 && a != b {
		return nil, errorf("reshape_like", "cannot reshape %s (%d elements) to %s (%d elements)", ShapeString(in[0].Shape), a, ShapeString(in[1].Shape), b)
	}
	return []Type{{DType: in[0].DType, Shape: cloneInts(in[1].Shape)}}, nil
}

// Kernel implements Op.
func (ReshapeLikeOp) Kernel(KernelSpec) (Kernel, error) { return copyKernel, nil }

// Grad implements Op.
func (ReshapeLikeOp) Grad(in, out, gout []*Tensor) []*Tensor {
	return []*Tensor{Apply1(ReshapeLikeOp{}, gout[0], in[0]), nil}
}

// Reshape gives x a new shape with the same number of elements (row-major order, as NumPy's
// reshape). One length may be -1, inferred from the others (at run time for Unknown dimensions).
func Reshape(x any, shape ...int) *Tensor {
	t := As(x)
	if sameShape(t.Shape(), shape) {
		return t
	}
	return Apply1(ReshapeOp{Shape: MakeIntList(shape)}, t)
}

// Flatten reshapes x into a vector.
func Flatten(x any) *Tensor {
	t := As(x)
	if t.NDim() == 1 {
		return t
	}
	return Apply1(ReshapeOp{Shape: "-1"}, t)
}

// Reshape gives t a new shape (see the function Reshape).
func (t *Tensor) Reshape(shape ...int) *Tensor { return Reshape(t, shape...) }

// Flatten reshapes t into a vector.
func (t *Tensor) Flatten() *Tensor { return Flatten(t) }

// TransposeOp permutes the axes: output axis i is input axis Perm[i].
type TransposeOp struct{ Perm IntList }

// String implements Op.
func (o TransposeOp) String() string { return "transpose{" + o.Perm.String() + "}" }

// Infer implements Op.
func (o TransposeOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("transpose", "takes 1 input, got %d", len(in))
	}
	perm := o.Perm.Ints()
	if err := checkPerm(perm, len(in[0].Shape)); err != nil {
		return nil, err
	}
	out := make([]int, len(perm))
	for i, p := range perm {
		out[i] = in[0].Shape[p]
	}
	return []Type{{DType: in[0].DType, Shape: out}}, nil
}

func checkPerm(perm []int, ndim int) error {
	if len(perm) != ndim {
		return errorf("transpose", "permutation %v has %d axes for a tensor with %d dimensions", perm, len(perm), ndim)
	}
	seen := make([]bool, ndim)
	for _, p := range perm {
		if p < 0 || p >= ndim || seen[p] {
			return errorf("transpose", "%v is not a permutation of the axes 0..%d", perm, ndim-1)
		}
		seen[p] = true
	}
	return nil
}

// Kernel implements Op: a precomputed gather map.
func (o TransposeOp) Kernel(spec KernelSpec) (Kernel, error) {
	perm := o.Perm.Ints()
	st := ixStrides(spec.In[0].Shape)
	ps := make([]int, len(perm))
	for i, p := range perm {
		ps[i] = st[p]
	}
	src := ixEnum(spec.Out[0].Shape, ps)
	return func(out, in []*Array) error {
		d, x := out[0].Data, in[0].Data
		d = d[:len(src)]
		for i, j := range src {
			d[i] = x[j]
		}
		return nil
	}, nil
}

// Grad implements Op: the inverse permutation.
func (o TransposeOp) Grad(in, out, gout []*Tensor) []*Tensor {
	perm := o.Perm.Ints()
	inv := make([]int, len(perm))
	for i, p := range perm {
		inv[p] = i
	}
	return []*Tensor{Apply1(TransposeOp{Perm: MakeIntList(inv)}, gout[0])}
}

// Transpose permutes the axes of x: axis i of the result is axis perm[i] of x (negative entries
// count from the end). Without perm the axes are reversed, so a matrix is transposed.
func Transpose(x any, perm ...int) *Tensor {
	t := As(x)
	nd := t.NDim()
	p := make([]int, nd)
	if len(perm) == 0 {
		for i := range p {
			p[i] = nd - 1 - i
		}
	} else {
		if len(perm) != nd {
			panic(errorf("transpose", "permutation %v has %d axes but %s has %d dimensions", perm, len(perm), t.label(), nd))
		}
		for i, a := range perm {
			if a < 0 {
				a += nd
			}
			p[i] = a
		}
		if err := checkPerm(p, nd); err != nil {
			panic(err)
		}
	}
	identity := true
	for i, a := range p {
		if a != i {
			identity = false
		}
	}
	if identity {
		return t
	}
	return Apply1(TransposeOp{Perm: MakeIntList(p)}, t)
}

// Transpose permutes the axes of t (reverses them without perm).
func (t *Tensor) Transpose(perm ...int) *Tensor { return Transpose(t, perm...) }

// T is the transpose of t with its axes reversed (a vector is returned as it is).
func (t *Tensor) T() *Tensor { return Transpose(t) }

// ConcatOp joins its inputs along Axis; the other dimensions must agree.
type ConcatOp struct{ Axis int }

// String implements Op.
func (o ConcatOp) String() string { return "concatenate{axis=" + strconv.Itoa(o.Axis) + "}" }

// Infer implements Op.
func (o ConcatOp) Infer(in []Type) ([]Type, error) {
	if len(in) == 0 {
		return nil, errorf("concatenate", "needs at least one input")
	}
	nd := len(in[0].Shape)
	if o.Axis < 0 || o.Axis >= nd {
		return nil, errorf("concatenate", "axis %d is out of range for tensors with %d dimensions", o.Axis, nd)
	}
	out := cloneInts(in[0].Shape)
	dt := in[0].DType
	for i, t := range in[1:] {
		if len(t.Shape) != nd {
			return nil, errorf("concatenate", "input 0 has shape %s but input %d has shape %s (%d dimensions vs %d)",
				ShapeString(in[0].Shape), i+1, ShapeString(t.Shape), nd, len(t.Shape))
		}
		if t.DType != dt {
			dt = upcast(dt, t.DType)
		}
		for k, d := range t.Shape {
			if k == o.Axis {
				if d < 0 || out[k] < 0 {
					out[k] = Unknown
				} else {
					out[k] += d
				}
				continue
			}
			switch {
			case d < 0:
			case out[k] < 0:
				out[k] = d
			case d != out[k]:
				return nil, errorf("concatenate", "input 0 has shape %s but input %d has shape %s: dimension %d differs (%d vs %d) and only axis %d may",
					ShapeString(in[0].Shape), i+1, ShapeString(t.Shape), k, out[k], d, o.Axis)
			}
		}
	}
	return []Type{{DType: dt, Shape: out}}, nil
}

// concatChunks returns the number of blocks before the axis and each input's block size.
func concatChunks(axis int, in []Type) (outer int, chunks []int) {
	outer = shapeSize(in[0].Shape[:axis])
	chunks = make([]int, len(in))
	for i, t := range in {
		chunks[i] = shapeSize(t.Shape[axis:])
	}
	return outer, chunks
}

// Kernel implements Op.
func (o ConcatOp) Kernel(spec KernelSpec) (Kernel, error) {
	outer, chunks := concatChunks(o.Axis, spec.In)
	return func(out, in []*Array) error {
		d := out[0].Data
		pos := 0
		for b := 0; b < outer; b++ {
			for i, c := range chunks {
				copy(d[pos:pos+c], in[i].Data[b*c:(b+1)*c])
				pos += c
			}
		}
		return nil
	}, nil
}

// Grad implements Op: the output gradient cut into the inputs' pieces.
func (o ConcatOp) Grad(in, out, gout []*Tensor) []*Tensor {
	args := append([]*Tensor{gout[0]}, in...)
	parts := ApplyOp(SplitLikeOp{Axis: o.Axis}, args...)
	res := make([]*Tensor, len(in))
	for i, x := range in {
		if x.DType().IsFloat() {
			res[i] = parts[i]
		}
	}
	return res
}

// SplitLikeOp cuts its first input along Axis into pieces shaped like its other inputs (which
// only lend their lengths along Axis, known at run time): the gradient of ConcatOp.
type SplitLikeOp struct{ Axis int }

// String implements Op.
func (o SplitLikeOp) String() string { return "split_like{axis=" + strconv.Itoa(o.Axis) + "}" }

// Infer implements Op.
func (o SplitLikeOp) Infer(in []Type) ([]Type, error) {
	if len(in) < 2 {
		return nil, errorf("split_like", "needs a tensor and at least one piece, got %d inputs", len(in))
	}
	cat, err := ConcatOp(o).Infer(in[1:])
	if err != nil {
		return nil, err
	}
	g := in[0]
	if len(g.Shape) != len(cat[0].Shape) {
		return nil, errorf("split_like", "cannot split %s into pieces of %d dimensions", ShapeString(g.Shape), len(cat[0].Shape))
	}
	for k, d := range cat[0].Shape {
		if d >= 0 && g.Shape[k] >= 0 && d != g.Shape[k] {
			return nil, errorf("split_like", "cannot split %s into pieces that join to %s", ShapeString(g.Shape), ShapeString(cat[0].Shape))
		}
	}
	outs := make([]Type, len(in)-1)
	for i, t := range in[1:] {
		s := cloneInts(t.Shape)
		for k := range s {
			if k != o.Axis && s[k] < 0 {
				s[k] = g.Shape[k]
			}
		}
		outs[i] = Type{DType: g.DType, Shape: s}
	}
	return outs, nil
}

// Kernel implements Op.
func (o SplitLikeOp) Kernel(spec KernelSpec) (Kernel, error) {
	outer, chunks := concatChunks(o.Axis, spec.Out)
	return func(out, in []*Array) error {
		g := in[0].Data
		pos := 0
		for b := 0; b < outer; b++ {
			for i, c := range chunks {
				copy(out[i].Data[b*c:(b+1)*c], g[pos:pos+c])
				pos += c
			}
		}
		return nil
	}, nil
}

// Grad implements Op: the pieces' gradients joined again.
func (o SplitLikeOp) Grad(in, out, gout []*Tensor) []*Tensor {
	parts := make([]*Tensor, len(out))
	for i, g := range gout {
		if g == nil {
			g = zeros(out[i])
		}
		parts[i] = g
	}
	res := make([]*Tensor, len(in))
	res[0] = Apply1(ConcatOp(o), parts...)
	return res
}

// Concatenate joins xs along an existing axis (negative counts from the end); the other
// dimensions must agree. Integer and float inputs give a float result.
func Concatenate(axis int, xs ...any) *Tensor {
	if len(xs) == 0 {
		panic(errorf("concatenate", "needs at least one tensor"))
	}
	ts := make([]*Tensor, len(xs))
	for i, x := range xs {
		ts[i] = As(x)
	}
	nd := ts[0].NDim()
	a := axis
	if a < 0 {
		a += nd
	}
	if a < 0 || a >= nd {
		panic(errorf("concatenate", "axis %d is out of range for %s with %d dimensions", axis, ts[0].label(), nd))
	}
	if len(ts) == 1 {
		return ts[0]
	}
	return Apply1(ConcatOp{Axis: a}, ts...)
}

// Stack joins xs, which must have the same shape, along a new axis at position axis of the result
// (negative counts from the end).
func Stack(axis int, xs ...any) *Tensor {
	if len(xs) == 0 {
		panic(errorf("stack", "needs at least one tensor"))
	}
	ts := make([]any, len(xs))
	nd := As(xs[0]).NDim()
	a := axis
	if a < 0 {
		a += nd + 1
	}
	if a < 0 || a > nd {
		panic(errorf("stack", "axis %d is out of range for a result with %d dimensions", axis, nd+1))
	}
	for i, x := range xs {
		t := As(x)
		if t.NDim() != nd {
			panic(errorf("stack", "tensor 0 has shape %s but tensor %d has shape %s", ShapeString(As(xs[0]).Shape()), i, ShapeString(t.Shape())))
		}
		ts[i] = ExpandDims(t, a)
	}
	return Concatenate(a, ts...)
}

// RepeatOp repeats each element Repeats times along Axis (NumPy's repeat).
type RepeatOp struct{ Repeats, Axis int }

// String implements Op.
func (o RepeatOp) String() string {
	return "repeat{" + strconv.Itoa(o.Repeats) + ",axis=" + strconv.Itoa(o.Axis) + "}"
}

// Infer implements Op.
func (o RepeatOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("repeat", "takes 1 input, got %d", len(in))
	}
	if o.Axis < 0 || o.Axis >= len(in[0].Shape) || o.Repeats < 0 {
		return nil, errorf("repeat", "cannot repeat %d times along axis %d of %s", o.Repeats, o.Axis, ShapeString(in[0].Shape))
	}
	s := cloneInts(in[0].Shape)
	if s[o.Axis] >= 0 {
		s[o.Axis] *= o.Repeats
	}
	return []Type{{DType: in[0].DType, Shape: s}}, nil
}

// Kernel implements Op.
func (o RepeatOp) Kernel(spec KernelSpec) (Kernel, error) {
	s := spec.In[0].Shape
	outer, n, inner := shapeSize(s[:o.Axis]), s[o.Axis], shapeSize(s[o.Axis+1:])
	r := o.Repeats
	return func(out, in []*Array) error {
		d, x := out[0].Data, in[0].Data
		pos := 0
		for b := 0; b < outer*n; b++ {
			blk := x[b*inner : (b+1)*inner]
			for k := 0; k < r; k++ {
				copy(d[pos:pos+inner], blk)
				pos += inner
			}
		}
		return nil
	}, nil
}

// Grad implements Op: the sum over each element's copies.
func (o RepeatOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if !in[0].DType().IsFloat() {
		return []*Tensor{nil}
	}
	if o.Repeats == 0 {
		return []*Tensor{zeros(in[0])}
	}
	return []*Tensor{Apply1(RepeatSumOp(o), gout[0])}
}

// RepeatSumOp sums each run of Repeats consecutive slices along Axis: the adjoint of RepeatOp.
type RepeatSumOp struct{ Repeats, Axis int }

// String implements Op.
func (o RepeatSumOp) String() string {
	return "repeat_sum{" + strconv.Itoa(o.Repeats) + ",axis=" + strconv.Itoa(o.Axis) + "}"
}

// Infer implements Op.
func (o RepeatSumOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("repeat_sum", "takes 1 input, got %d", len(in))
	}
	if o.Axis < 0 || o.Axis >= len(in[0].Shape) || o.Repeats <= 0 {
		return nil, errorf("repeat_sum", "cannot sum runs of %d along axis %d of %s", o.Repeats, o.Axis, ShapeString(in[0].Shape))
	}
	s := cloneInts(in[0].Shape)
	if d := s[o.Axis]; d >= 0 {
		if d%o.Repeats != 0 {
			return nil, errorf("repeat_sum", "length %d of axis %d is not a multiple of %d", d, o.Axis, o.Repeats)
		}
		s[o.Axis] = d / o.Repeats
	}
	return []Type{{DType: in[0].DType, Shape: s}}, nil
}

// Kernel implements Op.
func (o RepeatSumOp) Kernel(spec KernelSpec) (Kernel, error) {
	s := spec.Out[0].Shape
	outer, n, inner := shapeSize(s[:o.Axis]), s[o.Axis], shapeSize(s[o.Axis+1:])
	r := o.Repeats
	return func(out, in []*Array) error {
		d, g := out[0].Data, in[0].Data
		pos := 0
		for b := 0; b < outer*n; b++ {
			blk := d[b*inner : (b+1)*inner]
			copy(blk, g[pos:pos+inner])
			pos += inner
			for k := 1; k < r; k++ {
				for i, v := range g[pos : pos+inner] {
					blk[i] += v
				}
				pos += inner
			}
		}
		return nil
	}, nil
}

// Grad implements Op.
func (o RepeatSumOp) Grad(in, out, gout []*Tensor) []*Tensor {
	return []*Tensor{Apply1(RepeatOp(o), gout[0])}
}

// Repeat repeats each element of x repeats times along axis (negative counts from the end), as
// NumPy's repeat: [1 2] repeated twice is [1 1 2 2].
func Repeat(x any, repeats int, axis int) *Tensor {
	t := As(x)
	a := axis
	if a < 0 {
		a += t.NDim()
	}
	if a < 0 || a >= t.NDim() {
		panic(errorf("repeat", "axis %d is out of range for %s with %d dimensions", axis, t.label(), t.NDim()))
	}
	if repeats < 0 {
		panic(errorf("repeat", "repeats %d is negative", repeats))
	}
	return Apply1(RepeatOp{Repeats: repeats, Axis: a}, t)
}

// Repeat repeats each element of t along axis.
func (t *Tensor) Repeat(repeats, axis int) *Tensor { return Repeat(t, repeats, axis) }

// BroadcastToOp broadcasts its input to Shape by NumPy's rule: dimensions right-aligned, and
// only a dimension statically of length 1 stretches.
type BroadcastToOp struct{ Shape IntList }

// String implements Op.
func (o BroadcastToOp) String() string { return "broadcast_to{" + o.Shape.String() + "}" }

// Infer implements Op.
func (o BroadcastToOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("broadcast_to", "takes 1 input, got %d", len(in))
	}
	out := o.Shape.Ints()
	s := in[0].Shape
	off := len(out) - len(s)
	if off < 0 {
		return nil, errorf("broadcast_to", "cannot broadcast %s to the smaller shape %s", ShapeString(s), ShapeString(out))
	}
	for k, d := range s {
		if d != 1 && d >= 0 && d != out[off+k] {
			return nil, errorf("broadcast_to", "cannot broadcast %s to %s (dimension %d: %d vs %d)", ShapeString(s), ShapeString(out), k, d, out[off+k])
		}
	}
	return []Type{{DType: in[0].DType, Shape: out}}, nil
}

// Kernel implements Op.
func (o BroadcastToOp) Kernel(spec KernelSpec) (Kernel, error) {
	s, out := spec.In[0].Shape, spec.Out[0].Shape
	st := spec.Node.Inputs[0].typ.Shape
	off := len(out) - len(s)
	for k, d := range s {
		if d != out[off+k] && st[k] != 1 {
			return nil, errorf("broadcast_to", "input has shape %s at run time, which does not broadcast to %s (only dimensions of static length 1 broadcast)",
				ShapeString(s), ShapeString(out))
		}
	}
	if shapeSize(s) == 1 {
		return func(out, in []*Array) error {
			v := in[0].Data[0]
			d := out[0].Data
			for i := range d {
				d[i] = v
			}
			return nil
		}, nil
	}
	src := broadcastIndex(s, out)
	return func(out, in []*Array) error {
		d, x := out[0].Data, in[0].Data
		d = d[:len(src)]
		for i, j := range src {
			d[i] = x[j]
		}
		return nil
	}, nil
}

// Grad implements Op: summed back over the broadcast dimensions.
func (o BroadcastToOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if !in[0].DType().IsFloat() {
		return []*Tensor{nil}
	}
	return []*Tensor{SumTo(gout[0], in[0].Shape())}
}

// BroadcastTo broadcasts x to shape by NumPy's rule (dimensions right-aligned; a dimension of
// length 1 stretches).
func BroadcastTo(x any, shape ...int) *Tensor {
	t := As(x)
	for _, d := range shape {
		if d < 0 {
			panic(errorf("broadcast_to", "target shape %v has a negative length", shape))
		}
	}
	if sameShape(t.Shape(), shape) {
		return t
	}
	return Apply1(BroadcastToOp{Shape: MakeIntList(shape)}, t)
}

// BroadcastTo broadcasts t to shape.
func (t *Tensor) BroadcastTo(shape ...int) *Tensor { return BroadcastTo(t, shape...) }

// SqueezeOp removes axes of length 1. An axis of Unknown static length is checked at run time.
type SqueezeOp struct{ Axes AxisSet }

// String implements Op.
func (o SqueezeOp) String() string { return "squeeze{axes=" + o.Axes.String() + "}" }

// Infer implements Op.
func (o SqueezeOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("squeeze", "takes 1 input, got %d", len(in))
	}
	s := in[0].Shape
	if err := checkAxes("squeeze", o.Axes, len(s)); err != nil {
		return nil, err
	}
	out := []int{}
	for k, d := range s {
		if !o.Axes.Has(k) {
			out = append(out, d)
		} else if d >= 0 && d != 1 {
			return nil, errorf("squeeze", "cannot remove axis %d of length %d from shape %s", k, d, ShapeString(s))
		}
	}
	return []Type{{DType: in[0].DType, Shape: out}}, nil
}

// Kernel implements Op.
func (o SqueezeOp) Kernel(KernelSpec) (Kernel, error) { return copyKernel, nil }

// Grad implements Op.
func (o SqueezeOp) Grad(in, out, gout []*Tensor) []*Tensor {
	for k, d := range in[0].Shape() {
		if o.Axes.Has(k) && d != 1 {
			return []*Tensor{Apply1(ReshapeLikeOp{}, gout[0], in[0])}
		}
	}
	return []*Tensor{Apply1(ExpandOp(o), gout[0])}
}

// Squeeze removes the given axes, which must have length 1 (negative axes count from the end;
// an axis of Unknown length is checked at run time). Without axes it removes every axis whose
// length is statically 1.
func Squeeze(x any, axes ...int) *Tensor {
	t := As(x)
	var set AxisSet
	if len(axes) > 0 {
		set = Axes("squeeze", t.NDim(), axes...)
	} else {
		for k, d := range t.Shape() {
			if d == 1 {
				set |= 1 << k
			}
		}
	}
	if set == 0 {
		return t
	}
	return Apply1(SqueezeOp{Axes: set}, t)
}

// Squeeze removes axes of length 1 from t (all of them without arguments).
func (t *Tensor) Squeeze(axes ...int) *Tensor { return Squeeze(t, axes...) }

// ShapeOp is its input's shape at run time, as an int64 vector.
type ShapeOp struct{}

// String implements Op.
func (ShapeOp) String() string { return "shape" }

// Infer implements Op.
func (ShapeOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("shape", "takes 1 input, got %d", len(in))
	}
	return []Type{{DType: Int64, Shape: []int{len(in[0].Shape)}}}, nil
}

// Kernel implements Op.
func (ShapeOp) Kernel(spec KernelSpec) (Kernel, error) {
	s := spec.In[0].Shape
	return func(out, in []*Array) error {
		for i, d := range s {
			out[0].Data[i] = float64(d)
		}
		return nil
	}, nil
}

// Grad implements Op: a shape has no gradient.
func (ShapeOp) Grad(in, out, gout []*Tensor) []*Tensor { return []*Tensor{nil} }

// ShapeOf is the shape of x as an int64 vector, a constant when every dimension is known.
func ShapeOf(x any) *Tensor {
	t := As(x)
	if t.Type().Known() {
		return Const(cloneInts(t.Shape()))
	}
	return Apply1(ShapeOp{}, t)
}
