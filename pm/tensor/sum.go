package tensor

import (
	"fmt"
	"math/bits"
	"strings"
)

// AxisSet is a set of axes (bit k set means axis k). The zero set means "all axes" where an op
// reduces. A bit set keeps ops comparable, which common-subexpression elimination relies on.
type AxisSet uint64

// Axes makes an AxisSet for a tensor of ndim dimensions; negative axes count from the end.
// No axes means all of them.
func Axes(op string, ndim int, axes ...int) AxisSet {
	var s AxisSet
	for _, a := range axes {
		k := a
		if k < 0 {
			k += ndim
		}
		if k < 0 || k >= ndim {
			panic(errorf(op, "axis %d is out of range for a tensor with %d dimensions", a, ndim))
		}
		if s&(1<<k) != 0 {
			panic(errorf(op, "axis %d repeated", a))
		}
		s |= 1 << k
	}
	if len(axes) == 0 {
		s = allAxes(ndim)
	}
	return s
}

func allAxes(ndim int) AxisSet { return AxisSet(uint64(1)<<ndim - 1) }

func axesKey(axes []int) AxisSet {
	var s AxisSet
	for _, a := range axes {
		s |= 1 << a
	}
	return s
}

// Has reports whether axis k is in the set.
func (s AxisSet) Has(k int) bool { return s&(1<<k) != 0 }

// List returns the axes in increasing order.
func (s AxisSet) List() []int {
	var l []int
	for v := uint64(s); v != 0; v &= v - 1 {
		l = append(l, bits.TrailingZeros64(v))
	}
	return l
}

// String prints the set like "[0 2]".
func (s AxisSet) String() string {
	l := s.List()
	parts := make([]string, len(l))
	for i, a := range l {
		parts[i] = fmt.Sprint(a)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// reducedShape is the shape after reducing axes (kept as 1 with keepDims).
func reducedShape(shape []int, axes AxisSet, keepDims bool) []int {
	out := []int{}
	for k, d := range shape {
		if axes.Has(k) {
			if keepDims {
				out = append(out, 1)
			}
			continue
		}
		out = append(out, d)
	}
	return out
}

// checkAxes verifies that every axis in the set exists.
func checkAxes(op string, axes AxisSet, ndim int) error {
	if ndim < 64 && axes&^allAxes(ndim) != 0 {
		return errorf(op, "axes %s out of range for a tensor with %d dimensions", axes, ndim)
	}
	return nil
}

// SumOp sums over a set of axes (all axes if Axes is 0), keeping them as length 1 on request.
// Elements are added in row-major order, so the result does not depend on the backend.
type SumOp struct {
	Axes     AxisSet
	KeepDims bool
}

func (o SumOp) axes(ndim int) AxisSet {
	if o.Axes == 0 {
		return allAxes(ndim)
	}
	return o.Axes
}

// String implements Op.
func (o SumOp) String() string {
	s := "sum"
	if o.Axes != 0 {
		s += "{axes=" + o.Axes.String()
		if o.KeepDims {
			s += ",keepdims"
		}
		s += "}"
	} else if o.KeepDims {
		s += "{keepdims}"
	}
	return s
}

// Infer implements Op.
func (o SumOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("sum", "takes 1 input, got %d", len(in))
	}
	nd := len(in[0].Shape)
	if err := checkAxes("sum", o.Axes, nd); err != nil {
		return nil, err
	}
	dt := in[0].DType
	if dt == Bool {
		dt = Int64
	}
	return []Type{{DType: dt, Shape: reducedShape(in[0].Shape, o.axes(nd), o.KeepDims)}}, nil
}

// reduceIndex maps every input element (row-major) to its output element.
func reduceIndex(shape []int, axes AxisSet) []int32 {
	n := shapeSize(shape)
	idx := make([]int32, n)
	strides := make([]int, len(shape))
	st := 1
	for k := len(shape) - 1; k >= 0; k-- {
		if !axes.Has(k) {
			strides[k] = st
			st *= shape[k]
		}
	}
	pos := make([]int, len(shape))
	cur := 0
	for i := 0; i < n; i++ {
		idx[i] = int32(cur)
		for k := len(shape) - 1; k >= 0; k-- {
			pos[k]++
			cur += strides[k]
			if pos[k] < shape[k] {
				break
			}
			cur -= strides[k] * pos[k]
			pos[k] = 0
		}
	}
	return idx
}

// Kernel implements Op.
func (o SumOp) Kernel(spec KernelSpec) (Kernel, error) {
	shape := spec.In[0].Shape
	axes := o.axes(len(shape))
	if shapeSize(spec.Out[0].Shape) == 1 {
		return func(out, in []*Array) error {
			s := 0.0
			for _, v := range in[0].Data {
				s += v
			}
			out[0].Data[0] = s
			return nil
		}, nil
	}
	// Reducing trailing axes only: contiguous blocks.
	inner := 1
	trailing := true
	seenKept := false
	for k := len(shape) - 1; k >= 0; k-- {
		if axes.Has(k) {
			if seenKept {
				trailing = false
			}
			inner *= shape[k]
		} else {
			seenKept = true
		}
	}
	if trailing {
		return func(out, in []*Array) error {
			x := in[0].Data
			for j := range out[0].Data {
				s := 0.0
				for _, v := range x[j*inner : (j+1)*inner] {
					s += v
				}
				out[0].Data[j] = s
			}
			return nil
		}, nil
	}
	idx := reduceIndex(shape, axes)
	return func(out, in []*Array) error {
		d := out[0].Data
		for i := range d {
			d[i] = 0
		}
		for i, v := range in[0].Data {
			d[idx[i]] += v
		}
		return nil
	}, nil
}

// Grad implements Op: the output gradient broadcast back over the reduced axes.
func (o SumOp) Grad(in, out, gout []*Tensor) []*Tensor {
	x := in[0]
	if !x.DType().IsFloat() {
		return []*Tensor{nil}
	}
	g := gout[0]
	if !o.KeepDims {
		g = expandAxes(g, o.axes(x.NDim()))
	}
	return []*Tensor{Apply1(Elemwise{opFill}, x, g)}
}

// Sum sums x over the given axes (all axes when none are given); negative axes count from the end.
func Sum(x any, axes ...int) *Tensor {
	t := As(x)
	return Apply1(SumOp{Axes: Axes("sum", t.NDim(), axes...)}, t)
}

// SumKeepDims is Sum keeping the reduced axes with length 1.
func SumKeepDims(x any, axes ...int) *Tensor {
	t := As(x)
	return Apply1(SumOp{Axes: Axes("sum", t.NDim(), axes...), KeepDims: true}, t)
}

// Sum sums t over the given axes (all when none are given).
func (t *Tensor) Sum(axes ...int) *Tensor { return Sum(t, axes...) }

// ExpandOp inserts axes of length 1: Axes are positions in the output.
type ExpandOp struct{ Axes AxisSet }

// String implements Op.
func (o ExpandOp) String() string { return "expand_dims{axes=" + o.Axes.String() + "}" }

// Infer implements Op.
func (o ExpandOp) Infer(in []Type) ([]Type, error) {
	n := len(in[0].Shape) + bits.OnesCount64(uint64(o.Axes))
	if n > 63 {
		return nil, errorf("expand_dims", "too many dimensions")
	}
	out := make([]int, 0, n)
	j := 0
	for k := 0; k < n; k++ {
		if o.Axes.Has(k) {
			out = append(out, 1)
		} else {
			if j >= len(in[0].Shape) {
				return nil, errorf("expand_dims", "axes %s out of range for %d dimensions", o.Axes, len(in[0].Shape))
			}
			out = append(out, in[0].Shape[j])
			j++
		}
	}
	return []Type{{DType: in[0].DType, Shape: out}}, nil
}

// Kernel implements Op.
func (o ExpandOp) Kernel(KernelSpec) (Kernel, error) {
	return func(out, in []*Array) error { copy(out[0].Data, in[0].Data); return nil }, nil
}

// Grad implements Op.
func (o ExpandOp) Grad(in, out, gout []*Tensor) []*Tensor {
	return []*Tensor{Apply1(SumOp{Axes: o.Axes}, gout[0])}
}

func expandAxes(g *Tensor, axes AxisSet) *Tensor {
	return Apply1(ExpandOp{Axes: axes}, g)
}

// ExpandDims inserts an axis of length 1 at position axis of the result.
func ExpandDims(x any, axis int) *Tensor {
	t := As(x)
	if axis < 0 {
		axis += t.NDim() + 1
	}
	if axis < 0 || axis > t.NDim() {
		panic(errorf("expand_dims", "axis %d out of range for a result with %d dimensions", axis, t.NDim()+1))
	}
	return Apply1(ExpandOp{Axes: 1 << axis}, t)
}
