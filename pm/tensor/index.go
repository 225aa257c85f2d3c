package tensor

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// None marks an open bound of Slice, Python's None: from the first element (or, with a negative
// step, the last) or to the end.
const None = math.MinInt

// resolveAt turns indices on the leading axes of shape into an element offset and the size of
// the block they select, with negative indices counting from the end.
func resolveAt(op string, shape []int, idx []int) (off, block int, err error) {
	if len(idx) > len(shape) {
		return 0, 0, errorf(op, "%d indices for a tensor of shape %s", len(idx), ShapeString(shape))
	}
	st := ixStrides(shape)
	for k, i := range idx {
		n := shape[k]
		j := i
		if j < 0 {
			j += n
		}
		if j < 0 || j >= n {
			return 0, 0, errorf(op, "index %d is out of range for axis %d of length %d", i, k, n)
		}
		off += j * st[k]
	}
	return off, shapeSize(shape[len(idx):]), nil
}

// checkAtStatic checks indices against the dimensions known when the graph is built.
func checkAtStatic(op string, shape []int, idx []int) error {
	if len(idx) > len(shape) {
		return errorf(op, "%d indices for a tensor of shape %s", len(idx), ShapeString(shape))
	}
	for k, i := range idx {
		n := shape[k]
		if n < 0 {
			continue
		}
		if i < -n || i >= n {
			return errorf(op, "index %d is out of range for axis %d of length %d", i, k, n)
		}
	}
	return nil
}

// AtOp selects the sub-tensor at integer indices Idx on the leading axes, dropping those axes.
type AtOp struct{ Idx IntList }

// String implements Op.
func (o AtOp) String() string { return "at{" + o.Idx.String() + "}" }

// PP implements Printer: x[i, j].
func (o AtOp) PP(in []string) string {
	return in[0] + "[" + string(o.Idx) + "]"
}

// Infer implements Op.
func (o AtOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("at", "takes 1 input, got %d", len(in))
	}
	idx := o.Idx.Ints()
	if err := checkAtStatic("at", in[0].Shape, idx); err != nil {
		return nil, err
	}
	return []Type{{DType: in[0].DType, Shape: cloneInts(in[0].Shape[len(idx):])}}, nil
}

// Kernel implements Op: the offset is resolved once per shape; a call copies the block.
func (o AtOp) Kernel(spec KernelSpec) (Kernel, error) {
	off, n, err := resolveAt("at", spec.In[0].Shape, o.Idx.Ints())
	if err != nil {
		return nil, err
	}
	if n == 1 {
		return func(out, in []*Array) error { out[0].Data[0] = in[0].Data[off]; return nil }, nil
	}
	return func(out, in []*Array) error { copy(out[0].Data, in[0].Data[off:off+n]); return nil }, nil
}

// Grad implements Op: the gradient lands in a zero tensor at the indices, as a one-entry
// scatter-add that Grad merges with the other At gradients of the same tensor.
func (o AtOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if !in[0].DType().IsFloat() {
		return []*Tensor{nil}
	}
	return []*Tensor{Apply1(IncAtsOp{Depth: o.Idx.count(), Idx: o.Idx}, in[0], gout[0])}
}

// IncAtsOp is a scatter-add: zeros shaped like its first input, with each further input added,
// in order, at its own integer indices on the leading axes (Depth indices per value, all in
// Idx). The first input gives only the shape. It is the gradient of many AtOps of one tensor in
// one node: a model written element by element (v.At(0), ..., v.At(k-1)) gets its gradient in
// O(k), not the O(k²) of k full-length IncOps added up.
type IncAtsOp struct {
	Depth int     // indices per value
	Idx   IntList // Depth indices per value, concatenated
}

// String implements Op: the number of values, not every index (there can be thousands).
func (o IncAtsOp) String() string {
	n := 0
	if o.Depth > 0 {
		n = len(o.Idx.Ints()) / o.Depth
	}
	return "inc_ats{" + strconv.Itoa(n) + "×" + strconv.Itoa(o.Depth) + "}"
}

// Entries returns the indices of each value.
func (o IncAtsOp) Entries() [][]int {
	all := o.Idx.Ints()
	if o.Depth <= 0 {
		return nil
	}
	e := make([][]int, 0, len(all)/o.Depth)
	for i := 0; i+o.Depth <= len(all); i += o.Depth {
		e = append(e, all[i:i+o.Depth])
	}
	return e
}

// Infer implements Op.
func (o IncAtsOp) Infer(in []Type) ([]Type, error) {
	e := o.Entries()
	if o.Depth < 1 || len(o.Idx.Ints()) != len(e)*o.Depth {
		return nil, errorf("inc_ats", "%d indices do not make entries of %d", len(o.Idx.Ints()), o.Depth)
	}
	if len(in) != len(e)+1 {
		return nil, errorf("inc_ats", "takes %d inputs (the shape and %d values), got %d", len(e)+1, len(e), len(in))
	}
	x := in[0]
	if o.Depth > len(x.Shape) {
		return nil, errorf("inc_ats", "%d indices for a tensor of shape %s", o.Depth, ShapeString(x.Shape))
	}
	sub := x.Shape[o.Depth:]
	for j, idx := range e {
		if err := checkAtStatic("inc_ats", x.Shape, idx); err != nil {
			return nil, err
		}
		ys := in[j+1].Shape
		if len(ys) != len(sub) {
			return nil, errorf("inc_ats", "value %d has shape %s but the sub-tensor has shape %s", j, ShapeString(ys), ShapeString(sub))
		}
		for k, d := range ys {
			if d >= 0 && sub[k] >= 0 && d != sub[k] {
				return nil, errorf("inc_ats", "value %d has shape %s but the sub-tensor has shape %s", j, ShapeString(ys), ShapeString(sub))
			}
		}
	}
	return []Type{{DType: Float64, Shape: cloneInts(x.Shape)}}, nil
}

// Kernel implements Op: offsets are resolved once per shape; a call zeroes the output and adds
// each value at its offset, allocating nothing.
func (o IncAtsOp) Kernel(spec KernelSpec) (Kernel, error) {
	e := o.Entries()
	offs := make([]int, len(e))
	n := 1
	for j, idx := range e {
		off, block, err := resolveAt("inc_ats", spec.In[0].Shape, idx)
		if err != nil {
			return nil, err
		}
		offs[j], n = off, block
		if spec.In[j+1].Size() != block {
			return nil, errorf("inc_ats", "value %d has shape %s at run time but the sub-tensor has %d elements", j, ShapeString(spec.In[j+1].Shape), block)
		}
	}
	if n == 1 {
		return func(out, in []*Array) error {
			d := out[0].Data
			clear(d)
			for j, off := range offs {
				d[off] += in[j+1].Data[0]
			}
			return nil
		}, nil
	}
	return func(out, in []*Array) error {
		d := out[0].Data
		clear(d)
		for j, off := range offs {
			b := d[off : off+n]
			for t, v := range in[j+1].Data[:n] {
				b[t] += v
			}
		}
		return nil
	}, nil
}

// Grad implements Op: each value's gradient is the output gradient at its indices; the first
// input gives only the shape.
func (o IncAtsOp) Grad(in, out, gout []*Tensor) []*Tensor {
	g := make([]*Tensor, len(in))
	for j, idx := range o.Entries() {
		if in[j+1].DType().IsFloat() {
			g[j+1] = Apply1(AtOp{Idx: MakeIntList(idx)}, gout[0])
		}
	}
	return g
}

// mergeIncAts replaces the IncAtsOp parts of a gradient sum that share their shape input and
// depth by one IncAtsOp holding all their values in order, at the place of the first; other
// parts keep their places. The parts are fresh gradient nodes, so nothing else reads them.
func mergeIncAts(parts []*Tensor) []*Tensor {
	type group struct {
		at   int // index in out
		vals []*Tensor
		idx  []string
	}
	var out []*Tensor
	var groups []*group
	find := func(like *Tensor, depth int) *group {
		for _, g := range groups {
			n := out[g.at].owner
			if n.Inputs[0] == like && n.Op.(IncAtsOp).Depth == depth {
				return g
			}
		}
		return nil
	}
	merged := false
	for _, p := range parts {
		op, ok := incAtsOf(p)
		if !ok {
			out = append(out, p)
			continue
		}
		if g := find(p.owner.Inputs[0], op.Depth); g != nil {
			g.vals = append(g.vals, p.owner.Inputs[1:]...)
			g.idx = append(g.idx, string(op.Idx))
			merged = true
			continue
		}
		groups = append(groups, &group{at: len(out), vals: append([]*Tensor(nil), p.owner.Inputs[1:]...), idx: []string{string(op.Idx)}})
		out = append(out, p)
	}
	if !merged {
		return parts
	}
	for _, g := range groups {
		if len(g.idx) == 1 {
			continue
		}
		n := out[g.at].owner
		var b strings.Builder
		for i, s := range g.idx {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(s)
		}
		op := IncAtsOp{Depth: n.Op.(IncAtsOp).Depth, Idx: IntList(b.String())}
		out[g.at] = Apply1(op, append([]*Tensor{n.Inputs[0]}, g.vals...)...)
	}
	return out
}

func incAtsOf(t *Tensor) (IncAtsOp, bool) {
	if t.owner == nil || len(t.owner.Outputs) != 1 {
		return IncAtsOp{}, false
	}
	op, ok := t.owner.Op.(IncAtsOp)
	return op, ok
}

// At selects x[idx...]: integer indices on the leading axes (negative ones count from the end),
// dropping those axes, so At(v, 0) of a vector is a scalar and At(m, 1) of a matrix its second
// row. Indices out of range are an error when the graph is built if the length is known, else
// when the compiled function runs.
func At(x any, idx ...int) *Tensor {
	t := As(x)
	if len(idx) == 0 {
		return t
	}
	if err := checkAtStatic("at", t.Shape(), idx); err != nil {
		e := err.(*Error)
		e.Expr = t.label()
		panic(e)
	}
	if len(idx) == 1 && len(t.typ.Shape) == 1 {
		// An element of a vector, in range (just checked): what AtOp.Infer would give, without
		// decoding the index again. Element-by-element models make many.
		return newApply1(AtOp{Idx: MakeIntList(idx)}, []*Tensor{t}, Type{DType: t.typ.DType, Shape: []int{}}, "").Outputs[0]
	}
	return Apply1(AtOp{Idx: MakeIntList(idx)}, t)
}

// At selects t[idx...] (see the function At).
func (t *Tensor) At(idx ...int) *Tensor { return At(t, idx...) }

// sliceRange resolves a slice of an axis of length n as Python's slice.indices does: the first
// index and the number of elements. None marks an open bound.
func sliceRange(n, start, stop, step int) (first, count int) {
	lower, upper := 0, n
	if step < 0 {
		lower, upper = -1, n-1
	}
	clamp := func(v, open int) int {
		switch {
		case v == None:
			return open
		case v < 0:
			v += n
			if v < lower {
				v = lower
			}
		case v > upper:
			v = upper
		}
		return v
	}
	var a, b int
	if step > 0 {
		a, b = clamp(start, lower), clamp(stop, upper)
		if b > a {
			count = (b - a + step - 1) / step
		}
	} else {
		a, b = clamp(start, upper), clamp(stop, lower)
		if a > b {
			count = (a - b - step - 1) / -step
		}
	}
	return a, count
}

// SubKind tells IncOp which kind of sub-tensor it writes into.
type SubKind uint8

// The sub-tensors of IncOp.
const (
	SubAt    SubKind = iota // integer indices on the leading axes (AtOp)
	SubSlice                // a slice along one axis (SliceOp)
)

// SliceOp selects a slice along Axis with Python's semantics: Start, Stop and Step may be
// negative and are clamped to the axis; None marks an open bound.
type SliceOp struct{ Axis, Start, Stop, Step int }

func boundString(v int) string {
	if v == None {
		return ""
	}
	return strconv.Itoa(v)
}

func (o SliceOp) spec() string {
	s := boundString(o.Start) + ":" + boundString(o.Stop)
	if o.Step != 1 {
		s += ":" + strconv.Itoa(o.Step)
	}
	return s
}

// String implements Op.
func (o SliceOp) String() string {
	return "slice{axis=" + strconv.Itoa(o.Axis) + "," + o.spec() + "}"
}

// PP implements Printer: x[:, 1:3].
func (o SliceOp) PP(in []string) string {
	s := in[0] + "["
	for k := 0; k < o.Axis; k++ {
		s += ":, "
	}
	return s + o.spec() + "]"
}

// Infer implements Op.
func (o SliceOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("slice", "takes 1 input, got %d", len(in))
	}
	s := cloneInts(in[0].Shape)
	if o.Axis < 0 || o.Axis >= len(s) {
		return nil, errorf("slice", "axis %d is out of range for shape %s", o.Axis, ShapeString(s))
	}
	if o.Step == 0 {
		return nil, errorf("slice", "step is zero")
	}
	if s[o.Axis] >= 0 {
		_, s[o.Axis] = sliceRange(s[o.Axis], o.Start, o.Stop, o.Step)
	}
	return []Type{{DType: in[0].DType, Shape: s}}, nil
}

// sliceMap lists the input offsets of a slice's elements in row-major order of the result.
func (o SliceOp) sliceMap(shape []int) []int32 {
	first, count := sliceRange(shape[o.Axis], o.Start, o.Stop, o.Step)
	st := ixStrides(shape)
	dims := cloneInts(shape)
	dims[o.Axis] = count
	strides := cloneInts(st)
	strides[o.Axis] = st[o.Axis] * o.Step
	m := ixEnum(dims, strides)
	base := int32(first * st[o.Axis])
	for i := range m {
		m[i] += base
	}
	return m
}

// Kernel implements Op.
func (o SliceOp) Kernel(spec KernelSpec) (Kernel, error) {
	src := o.sliceMap(spec.In[0].Shape)
	if o.Step == 1 {
		// Contiguous runs: copy them whole.
		s := spec.In[0].Shape
		inner := shapeSize(s[o.Axis+1:])
		_, count := sliceRange(s[o.Axis], o.Start, o.Stop, o.Step)
		run := count * inner
		if run > 0 {
			starts := make([]int32, 0, len(src)/run)
			for i := 0; i < len(src); i += run {
				starts = append(starts, src[i])
			}
			return func(out, in []*Array) error {
				d, x := out[0].Data, in[0].Data
				for i, j := range starts {
					copy(d[i*run:(i+1)*run], x[j:int(j)+run])
				}
				return nil
			}, nil
		}
	}
	return func(out, in []*Array) error {
		d, x := out[0].Data, in[0].Data
		d = d[:len(src)]
		for i, j := range src {
			d[i] = x[j]
		}
		return nil
	}, nil
}

// Grad implements Op: the gradient lands in a zero tensor at the slice.
func (o SliceOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if !in[0].DType().IsFloat() {
		return []*Tensor{nil}
	}
	return []*Tensor{Apply1(IncOp{Sub: SubSlice, Axis: o.Axis, Start: o.Start, Stop: o.Stop, Step: o.Step}, zeros(in[0]), gout[0])}
}

func makeSlice(x any, axis, start, stop, step int) (*Tensor, SliceOp) {
	t := As(x)
	a := axis
	if a < 0 {
		a += t.NDim()
	}
	if a < 0 || a >= t.NDim() {
		panic(&Error{Op: "slice", Msg: fmt.Sprintf("axis %d is out of range for a tensor with %d dimensions", axis, t.NDim()), Expr: t.label()})
	}
	if step == 0 {
		panic(&Error{Op: "slice", Msg: "step is zero", Expr: t.label()})
	}
	return t, SliceOp{Axis: a, Start: start, Stop: stop, Step: step}
}

// Slice is x[start:stop:step] along axis (negative axes count from the end) with Python's
// semantics: negative bounds count from the end, bounds are clamped to the axis, the step may be
// negative, and None is an open bound (x.Slice(0, None, None, -1) reverses a vector).
func Slice(x any, axis, start, stop, step int) *Tensor {
	t, op := makeSlice(x, axis, start, stop, step)
	return Apply1(op, t)
}

// Slice is t[start:stop:step] along axis (see the function Slice).
func (t *Tensor) Slice(axis, start, stop, step int) *Tensor { return Slice(t, axis, start, stop, step) }

// IncOp writes its second input into a sub-tensor of a copy of its first: added (Theano's
// inc_subtensor) or, with Set, replacing (set_subtensor). Sub selects the sub-tensor: SubAt uses
// Idx, SubSlice uses Axis, Start, Stop and Step. The value broadcasts to the sub-tensor's shape.
// It is the gradient of AtOp and SliceOp.
type IncOp struct {
	Sub                     SubKind
	Set                     bool
	Idx                     IntList
	Axis, Start, Stop, Step int
}

func (o IncOp) name() string {
	if o.Set {
		return "set_subtensor"
	}
	return "inc_subtensor"
}

// String implements Op.
func (o IncOp) String() string {
	if o.Sub == SubAt {
		return o.name() + "{at=" + o.Idx.String() + "}"
	}
	return o.name() + "{" + o.slice().String() + "}"
}

func (o IncOp) slice() SliceOp {
	return SliceOp{Axis: o.Axis, Start: o.Start, Stop: o.Stop, Step: o.Step}
}

// subType is the type of the selected sub-tensor.
func (o IncOp) subType(x Type) (Type, error) {
	var r []Type
	var err error
	if o.Sub == SubAt {
		r, err = AtOp{Idx: o.Idx}.Infer([]Type{x})
	} else {
		r, err = o.slice().Infer([]Type{x})
	}
	if err != nil {
		return Type{}, err
	}
	return r[0], nil
}

// Infer implements Op.
func (o IncOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 2 {
		return nil, errorf(o.name(), "takes 2 inputs, got %d", len(in))
	}
	sub, err := o.subType(in[0])
	if err != nil {
		return nil, err
	}
	ys, ss := in[1].Shape, sub.Shape
	if len(ys) > len(ss) {
		return nil, errorf(o.name(), "value of shape %s has more dimensions than the sub-tensor of shape %s", ShapeString(ys), ShapeString(ss))
	}
	for k, d := range ys {
		if s := ss[len(ss)-len(ys)+k]; d != 1 && d >= 0 && s >= 0 && d != s {
			return nil, errorf(o.name(), "value of shape %s does not fit the sub-tensor of shape %s", ShapeString(ys), ShapeString(ss))
		}
	}
	dt := in[0].DType
	if in[1].DType == Float64 {
		dt = Float64
	} else if !o.Set && dt == Bool {
		dt = Int64
	}
	return []Type{{DType: dt, Shape: cloneInts(in[0].Shape)}}, nil
}

// Kernel implements Op.
func (o IncOp) Kernel(spec KernelSpec) (Kernel, error) {
	xs := spec.In[0].Shape
	var dst []int32
	if o.Sub == SubAt {
		off, n, err := resolveAt(o.name(), xs, o.Idx.Ints())
		if err != nil {
			return nil, err
		}
		dst = make([]int32, n)
		for i := range dst {
			dst[i] = int32(off + i)
		}
	} else {
		dst = o.slice().sliceMap(xs)
	}
	sub, _ := o.subType(spec.In[0])
	ys := spec.In[1].Shape
	var ysrc []int32
	if !sameShape(ys, sub.Shape) {
		st := spec.Node.Inputs[1].typ.Shape
		off := len(sub.Shape) - len(ys)
		for k, d := range ys {
			if d != sub.Shape[off+k] && st[k] != 1 {
				return nil, errorf(o.name(), "value has shape %s at run time, which does not broadcast to the sub-tensor's shape %s", ShapeString(ys), ShapeString(sub.Shape))
			}
		}
		ysrc = broadcastIndex(ys, sub.Shape)
	}
	set := o.Set
	switch {
	case ysrc == nil && set:
		return func(out, in []*Array) error {
			d, y := out[0].Data, in[1].Data
			copy(d, in[0].Data)
			for i, j := range dst {
				d[j] = y[i]
			}
			return nil
		}, nil
	case ysrc == nil:
		return func(out, in []*Array) error {
			d, y := out[0].Data, in[1].Data
			copy(d, in[0].Data)
			for i, j := range dst {
				d[j] += y[i]
			}
			return nil
		}, nil
	}
	return func(out, in []*Array) error {
		d, y := out[0].Data, in[1].Data
		copy(d, in[0].Data)
		for i, j := range dst {
			if set {
				d[j] = y[ysrc[i]]
			} else {
				d[j] += y[ysrc[i]]
			}
		}
		return nil
	}, nil
}

func (o IncOp) selectFrom(g *Tensor) *Tensor {
	if o.Sub == SubAt {
		return Apply1(AtOp{Idx: o.Idx}, g)
	}
	return Apply1(o.slice(), g)
}

// Grad implements Op: the first input's gradient passes through (zeroed on the sub-tensor for
// Set); the value's gradient is the output gradient on the sub-tensor, summed where it broadcast.
func (o IncOp) Grad(in, out, gout []*Tensor) []*Tensor {
	g := gout[0]
	var gx, gy *Tensor
	if in[0].DType().IsFloat() {
		gx = g
		if o.Set {
			z := o
			gx = Apply1(z, g, ConstOf(Float64, 0))
		}
	}
	if in[1].DType().IsFloat() {
		gy = SumTo(o.selectFrom(g), in[1].Shape())
	}
	return []*Tensor{gx, gy}
}

func incAt(set bool, x, y any, idx []int) *Tensor {
	t := As(x)
	op := IncOp{Sub: SubAt, Set: set, Idx: MakeIntList(idx)}
	if err := checkAtStatic(op.name(), t.Shape(), idx); err != nil {
		e := err.(*Error)
		e.Expr = t.label()
		panic(e)
	}
	return Apply1(op, t, As(y))
}

// IncAt is x with y added to x[idx...] (Theano's inc_subtensor); y broadcasts to the
// sub-tensor's shape. x itself is not modified: graphs are values.
func IncAt(x, y any, idx ...int) *Tensor { return incAt(false, x, y, idx) }

// SetAt is x with x[idx...] replaced by y (Theano's set_subtensor).
func SetAt(x, y any, idx ...int) *Tensor { return incAt(true, x, y, idx) }

func incSlice(set bool, x, y any, axis, start, stop, step int) *Tensor {
	t, s := makeSlice(x, axis, start, stop, step)
	op := IncOp{Sub: SubSlice, Set: set, Axis: s.Axis, Start: s.Start, Stop: s.Stop, Step: s.Step}
	return Apply1(op, t, As(y))
}

// IncSlice is x with y added to the slice x[start:stop:step] along axis.
func IncSlice(x, y any, axis, start, stop, step int) *Tensor {
	return incSlice(false, x, y, axis, start, stop, step)
}

// SetSlice is x with the slice x[start:stop:step] along axis replaced by y.
func SetSlice(x, y any, axis, start, stop, step int) *Tensor {
	return incSlice(true, x, y, axis, start, stop, step)
}

// TakeOp gathers along Axis at the positions given by its second input, an int64 tensor
// (NumPy's take, Theano's advanced indexing): the result has shape
// x.shape[:Axis] + idx.shape + x.shape[Axis+1:]. Negative positions count from the end; a
// position out of range is a run-time error naming it. With Mask set (the shape of a boolean
// mask), the leading len(Mask) axes of x, which must have that shape, are flattened into the
// axis the positions index (Axis is then 0).
type TakeOp struct {
	Axis int
	Mask IntList
}

func (o TakeOp) name() string {
	if o.Mask != "" {
		return "mask"
	}
	return "take"
}

// String implements Op.
func (o TakeOp) String() string {
	if o.Mask != "" {
		return "mask{" + o.Mask.String() + "}"
	}
	return "take{axis=" + strconv.Itoa(o.Axis) + "}"
}

// PP implements Printer: x[idx] for a gather along the first axis.
func (o TakeOp) PP(in []string) string {
	if o.Axis == 0 {
		return in[0] + "[" + in[1] + "]"
	}
	return o.String() + "(" + in[0] + ", " + in[1] + ")"
}

// layout views x as [outer, n, inner] with the positions indexing n, and checks the mask's shape.
func (o TakeOp) layout(x Type) (outer, n, inner int, lead int, err error) {
	s := x.Shape
	if o.Mask != "" {
		m := o.Mask.Ints()
		if len(m) > len(s) {
			return 0, 0, 0, 0, errorf("mask", "a mask of shape %s has more dimensions than the tensor of shape %s", ShapeString(m), ShapeString(s))
		}
		for k, d := range m {
			if s[k] >= 0 && s[k] != d {
				return 0, 0, 0, 0, errorf("mask", "a mask of shape %s does not match the tensor's shape %s (dimension %d: %d vs %d)", ShapeString(m), ShapeString(s), k, d, s[k])
			}
		}
		return 1, shapeSize(m), shapeSize(s[len(m):]), len(m), nil
	}
	if o.Axis < 0 || o.Axis >= len(s) {
		return 0, 0, 0, 0, errorf("take", "axis %d is out of range for shape %s", o.Axis, ShapeString(s))
	}
	return shapeSize(s[:o.Axis]), s[o.Axis], shapeSize(s[o.Axis+1:]), 1, nil
}

// takeShape is the shape of the gathered result.
func (o TakeOp) takeShape(x, idx Type) ([]int, error) {
	if idx.DType != Int64 {
		return nil, errorf(o.name(), "positions have dtype %s; want int64 (a bool mask goes to Mask)", idx.DType)
	}
	_, _, _, lead, err := o.layout(x)
	if err != nil {
		return nil, err
	}
	out := append([]int{}, x.Shape[:o.Axis]...)
	out = append(out, idx.Shape...)
	return append(out, x.Shape[o.Axis+lead:]...), nil
}

// Infer implements Op.
func (o TakeOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 2 {
		return nil, errorf(o.name(), "takes 2 inputs, got %d", len(in))
	}
	s, err := o.takeShape(in[0], in[1])
	if err != nil {
		return nil, err
	}
	return []Type{{DType: in[0].DType, Shape: s}}, nil
}

// indexError reports a position out of range at run time.
func indexError(op string, v float64, axis, n int) error {
	return errorf(op, "index %v is out of range for axis %d of length %d", v, axis, n)
}

// Kernel implements Op. The common case, a vector gathered by a vector of positions (a[group]),
// is one loop with a bounds check per element.
func (o TakeOp) Kernel(spec KernelSpec) (Kernel, error) {
	outer, n, inner, _, err := o.layout(spec.In[0])
	if err != nil {
		return nil, err
	}
	name, axis := o.name(), o.Axis
	if outer == 1 && inner == 1 {
		return func(out, in []*Array) error {
			d, x, idx := out[0].Data, in[0].Data, in[1].Data
			x = x[:n]
			d = d[:len(idx)]
			for i, v := range idx {
				k := int(v)
				if k < 0 {
					k += n
				}
				if uint(k) >= uint(n) {
					return indexError(name, v, axis, n)
				}
				d[i] = x[k]
			}
			return nil
		}, nil
	}
	return func(out, in []*Array) error {
		d, x, idx := out[0].Data, in[0].Data, in[1].Data
		m := len(idx)
		for b := 0; b < outer; b++ {
			for i, v := range idx {
				k := int(v)
				if k < 0 {
					k += n
				}
				if uint(k) >= uint(n) {
					return indexError(name, v, axis, n)
				}
				src := (b*n + k) * inner
				dst := (b*m + i) * inner
				copy(d[dst:dst+inner], x[src:src+inner])
			}
		}
		return nil
	}, nil
}

// Grad implements Op: a scatter-add of the output gradient into zeros (TakeIncOp).
func (o TakeOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if !in[0].DType().IsFloat() {
		return []*Tensor{nil, nil}
	}
	return []*Tensor{Apply1(TakeIncOp{Take: o}, zeros(in[0]), in[1], gout[0]), nil}
}

// TakeIncOp is its first input with its third added at the positions of its second along the
// axis of Take (Theano's AdvancedIncSubtensor), or written there with Set. Repeated positions
// accumulate in the order of the positions, so the result does not depend on the backend; with
// Set the last write wins. It is the gradient of TakeOp.
type TakeIncOp struct {
	Take TakeOp
	Set  bool
}

func (o TakeIncOp) name() string {
	if o.Set {
		return "set_" + o.Take.name()
	}
	return "inc_" + o.Take.name()
}

// String implements Op.
func (o TakeIncOp) String() string {
	s := o.Take.String()
	if o.Set {
		return "set_" + s
	}
	return "inc_" + s
}

// Infer implements Op.
func (o TakeIncOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 3 {
		return nil, errorf(o.name(), "takes 3 inputs, got %d", len(in))
	}
	s, err := o.Take.takeShape(in[0], in[1])
	if err != nil {
		return nil, err
	}
	ys := in[2].Shape
	ok := len(ys) == len(s)
	for k := 0; ok && k < len(s); k++ {
		if ys[k] >= 0 && s[k] >= 0 && ys[k] != s[k] {
			ok = false
		}
	}
	if !ok {
		return nil, errorf(o.name(), "values of shape %s do not match the selection's shape %s", ShapeString(ys), ShapeString(s))
	}
	dt := in[0].DType
	if in[2].DType == Float64 {
		dt = Float64
	} else if !o.Set && dt == Bool {
		dt = Int64
	}
	return []Type{{DType: dt, Shape: cloneInts(in[0].Shape)}}, nil
}

// Kernel implements Op.
func (o TakeIncOp) Kernel(spec KernelSpec) (Kernel, error) {
	outer, n, inner, _, err := o.Take.layout(spec.In[0])
	if err != nil {
		return nil, err
	}
	name, axis, set := o.name(), o.Take.Axis, o.Set
	if outer == 1 && inner == 1 {
		return func(out, in []*Array) error {
			d, idx, y := out[0].Data, in[1].Data, in[2].Data
			copy(d, in[0].Data)
			d = d[:n]
			y = y[:len(idx)]
			for i, v := range idx {
				k := int(v)
				if k < 0 {
					k += n
				}
				if uint(k) >= uint(n) {
					return indexError(name, v, axis, n)
				}
				if set {
					d[k] = y[i]
				} else {
					d[k] += y[i]
				}
			}
			return nil
		}, nil
	}
	return func(out, in []*Array) error {
		d, idx, y := out[0].Data, in[1].Data, in[2].Data
		copy(d, in[0].Data)
		m := len(idx)
		for b := 0; b < outer; b++ {
			for i, v := range idx {
				k := int(v)
				if k < 0 {
					k += n
				}
				if uint(k) >= uint(n) {
					return indexError(name, v, axis, n)
				}
				dst := d[(b*n+k)*inner : (b*n+k+1)*inner]
				src := y[(b*m+i)*inner : (b*m+i+1)*inner]
				if set {
					copy(dst, src)
				} else {
					for j, w := range src {
						dst[j] += w
					}
				}
			}
		}
		return nil
	}, nil
}

// Grad implements Op. The first input's gradient passes through (zeroed at the positions for
// Set); the values' gradient is the output gradient gathered at the positions. With Set and
// repeated positions, every repeated value is credited as if it had been written last.
func (o TakeIncOp) Grad(in, out, gout []*Tensor) []*Tensor {
	g := gout[0]
	res := make([]*Tensor, 3)
	if in[0].DType().IsFloat() {
		res[0] = g
		if o.Set {
			res[0] = Apply1(o, g, in[1], zeros(in[2]))
		}
	}
	if in[2].DType().IsFloat() {
		res[2] = Apply1(o.Take, g, in[1])
	}
	return res
}

func intPositions(op string, idx any) *Tensor {
	i := As(idx)
	if i.DType() != Int64 {
		panic(errorf(op, "positions %s have dtype %s; want int64 (for a bool mask use Mask)", i.label(), i.DType()))
	}
	return i
}

// Take gathers x along axis (negative counts from the end) at the int64 positions idx (a
// tensor, []int, or an int), as NumPy's take: a[group] is Take(a, group, 0). The result has
// shape x.shape[:axis] + idx.shape + x.shape[axis+1:]. Negative positions count from the end;
// positions out of range are an error when the compiled function runs. The gradient adds the
// output gradient back at the positions, repeated positions accumulating.
func Take(x, idx any, axis int) *Tensor {
	t := As(x)
	a := axis
	if a < 0 {
		a += t.NDim()
	}
	if a < 0 || a >= t.NDim() {
		panic(&Error{Op: "take", Msg: fmt.Sprintf("axis %d is out of range for a tensor with %d dimensions", axis, t.NDim()), Expr: t.label()})
	}
	return Apply1(TakeOp{Axis: a}, t, intPositions("take", idx))
}

func incTake(set bool, x, idx, y any, axis int) *Tensor {
	t := As(x)
	a := axis
	if a < 0 {
		a += t.NDim()
	}
	op := TakeIncOp{Take: TakeOp{Axis: a}, Set: set}
	if a < 0 || a >= t.NDim() {
		panic(&Error{Op: op.name(), Msg: fmt.Sprintf("axis %d is out of range for a tensor with %d dimensions", axis, t.NDim()), Expr: t.label()})
	}
	i := intPositions(op.name(), idx)
	v := As(y)
	s, err := op.Take.takeShape(t.Type(), i.Type())
	if err != nil {
		panic(err)
	}
	if !sameShape(v.Shape(), s) {
		// A value that broadcasts: spread it over the selection's shape (Add checks that it does).
		v = Add(v, zeros(Apply1(op.Take, t, i)))
	}
	return Apply1(op, t, i, v)
}

// IncTake is x with y added at the positions idx along axis (repeated positions accumulate), as
// Theano's advanced_inc_subtensor; y has the shape Take(x, idx, axis) would have, or broadcasts
// to it.
func IncTake(x, idx, y any, axis int) *Tensor { return incTake(false, x, idx, y, axis) }

// SetTake is x with the positions idx along axis replaced by y (the last write wins).
func SetTake(x, idx, y any, axis int) *Tensor { return incTake(true, x, idx, y, axis) }

// Mask selects the elements of x where a boolean mask is true, as NumPy's x[mask]: the mask's
// shape must equal x's leading dimensions, and the result has shape [count] + the remaining
// dimensions. The mask must be a constant (a Go []bool, [][]bool or a constant tensor) or an
// expression of constants only, such as Gt(data, 0), which is evaluated when the graph is built:
// the number of true elements fixes the result's shape, which a compiled function needs before
// it runs. A mask that depends on inputs, shared variables or random draws is an error; keep the
// shape and use Where(mask, x, 0) instead.
func Mask(x, mask any) *Tensor {
	t := As(x)
	m := As(mask)
	if m.DType() != Bool {
		panic(&Error{Op: "mask", Msg: fmt.Sprintf("mask %s has dtype %s; want bool", m.label(), m.DType()), Expr: t.label()})
	}
	mv := m.Value()
	if mv == nil && constantExpr(m) {
		// Computed from constants only (e.g. Gt(data, 0)): its value is fixed now.
		if r, err := Eval(m); err == nil {
			mv = r[0]
		}
	}
	if mv == nil {
		panic(&Error{Op: "mask", Msg: fmt.Sprintf("mask %s is not a constant: the number of selected elements would be known only at run time; use Where(mask, x, 0) for a mask computed in the graph", m.label()), Expr: t.label()})
	}
	if len(mv.Shape) == 0 {
		panic(&Error{Op: "mask", Msg: "a scalar mask selects nothing along an axis; give a mask with x's leading shape", Expr: t.label()})
	}
	pos := []int{}
	for i, v := range mv.Data {
		if v != 0 {
			pos = append(pos, i)
		}
	}
	op := TakeOp{Mask: MakeIntList(mv.Shape)}
	if _, _, _, _, err := op.layout(t.Type()); err != nil {
		e := err.(*Error)
		e.Expr = t.label()
		panic(e)
	}
	return Apply1(op, t, Const(pos))
}

// constantExpr reports whether t is computed from constants alone by ops that are not stateful,
// so that its value cannot change after the graph is built (shared variables and random draws
// can).
func constantExpr(t *Tensor) bool {
	for _, n := range Toposort(t) {
		if isStateful(n.Op) {
			return false
		}
		for _, in := range n.Inputs {
			if in.owner == nil && in.value == nil {
				return false
			}
		}
	}
	return t.owner != nil || t.value != nil
}

// Mask selects the elements of t where the constant boolean mask is true (see the function Mask).
func (t *Tensor) Mask(mask any) *Tensor { return Mask(t, mask) }

// Index is t[idx] for an array index along the first axis: int64 positions gather as
// Take(t, idx, 0) (so beta.Index(group) is beta[group]), a constant bool mask selects as Mask.
func (t *Tensor) Index(idx any) *Tensor {
	i := As(idx)
	if i.DType() == Bool {
		return Mask(t, i)
	}
	return Take(t, i, 0)
}
