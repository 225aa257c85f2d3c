package tensor

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
)

// scalarOp is one elementwise function: how it computes, its result dtype and its gradient.
type scalarOp struct {
	name  string
	arity int
	out   func(in []DType) DType
	f1    func(x float64) float64
	f2    func(a, b float64) float64
	f3    func(a, b, c float64) float64
	vec1  func(dst, x []float64) // optional whole-slice kernel, same bits as f1 element by element
	grad  func(in []*Tensor, out, g *Tensor) []*Tensor
	infix string // operator for printing, e.g. "+"; "" prints as a call
	prec  int    // precedence for printing infix ops
}

// Elemwise applies a scalar function element by element with NumPy broadcasting.
type Elemwise struct{ s *scalarOp }

// String implements Op.
func (e Elemwise) String() string { return e.s.name }

// ScalarName is the name of the scalar function (used by rewrites and printers).
func (e Elemwise) ScalarName() string { return e.s.name }

// Infer implements Op: broadcast the input shapes.
func (e Elemwise) Infer(in []Type) ([]Type, error) {
	if len(in) != e.s.arity {
		return nil, errorf(e.s.name, "takes %d inputs, got %d", e.s.arity, len(in))
	}
	shape, err := broadcastShapes(e.s.name, in)
	if err != nil {
		return nil, err
	}
	dts := make([]DType, len(in))
	for i, t := range in {
		dts[i] = t.DType
	}
	return []Type{{DType: e.s.out(dts), Shape: shape}}, nil
}

// broadcastShapes applies NumPy's rule: shapes are right-aligned; a dimension of 1 stretches.
func broadcastShapes(op string, in []Type) ([]int, error) {
	nd := 0
	for _, t := range in {
		if len(t.Shape) > nd {
			nd = len(t.Shape)
		}
	}
	out := make([]int, nd)
	for i := range out {
		out[i] = 1
	}
	for k := 0; k < nd; k++ {
		for j, t := range in {
			off := nd - len(t.Shape)
			if k < off {
				continue
			}
			d := t.Shape[k-off]
			switch {
			case d == 1:
			case out[k] == 1:
				out[k] = d
			case d == Unknown:
				// an unknown dimension must match at run time
			case out[k] == Unknown:
				out[k] = d
			case d != out[k]:
				shapes := ""
				for i, t := range in {
					if i > 0 {
						shapes += " and "
					}
					shapes += ShapeString(t.Shape)
				}
				_ = j
				return nil, errorf(op, "shapes %s cannot be broadcast together (dimension %d: %d vs %d)", shapes, k, out[k], d)
			}
		}
	}
	return out, nil
}

// Kernel implements Op.
func (e Elemwise) Kernel(spec KernelSpec) (Kernel, error) {
	out := spec.Out[0].Shape
	n := shapeSize(out)
	// Run-time check of the static broadcast pattern: a dimension that was Unknown when the graph
	// was built must not silently broadcast, or gradients (which sum over static broadcast
	// dimensions only) would be wrong.
	for i, t := range spec.In {
		st := spec.Node.Inputs[i].typ.Shape
		off := len(out) - len(t.Shape)
		for k, d := range t.Shape {
			if d != out[off+k] && st[k] != 1 {
				return nil, errorf(e.s.name, "input %d has shape %s at run time, which does not match the output shape %s (only dimensions of static length 1 broadcast)",
					i, ShapeString(t.Shape), ShapeString(out))
			}
		}
	}
	idx := make([][]int32, len(spec.In))
	scalar := make([]bool, len(spec.In))
	for i, t := range spec.In {
		switch {
		case sameShape(t.Shape, out):
		case shapeSize(t.Shape) == 1:
			scalar[i] = true
		default:
			idx[i] = broadcastIndex(t.Shape, out)
		}
	}
	s := e.s
	switch s.arity {
	case 1:
		return unaryKernel(s, n, scalar[0], idx[0]), nil
	case 2:
		return binaryKernel(s, n, scalar, idx), nil
	case 3:
		return ternaryKernel(s, n, scalar, idx), nil
	}
	return nil, errorf(s.name, "arity %d not supported", s.arity)
}

// broadcastIndex maps each output element (row-major) to the input element it reads.
func broadcastIndex(in, out []int) []int32 {
	n := shapeSize(out)
	idx := make([]int32, n)
	off := len(out) - len(in)
	// strides of the input, zero on broadcast dimensions
	strides := make([]int, len(out))
	st := 1
	for k := len(in) - 1; k >= 0; k-- {
		if in[k] != 1 {
			strides[off+k] = st
		}
		st *= in[k]
	}
	pos := make([]int, len(out))
	cur := 0
	for i := 0; i < n; i++ {
		idx[i] = int32(cur)
		for k := len(out) - 1; k >= 0; k-- {
			pos[k]++
			cur += strides[k]
			if pos[k] < out[k] {
				break
			}
			cur -= strides[k] * pos[k]
			pos[k] = 0
		}
	}
	return idx
}

func unaryKernel(s *scalarOp, n int, scalar bool, idx []int32) Kernel {
	f := s.f1
	switch {
	case scalar:
		return func(out, in []*Array) error {
			v := f(in[0].Data[0])
			d := out[0].Data
			for i := range d {
				d[i] = v
			}
			return nil
		}
	case idx != nil:
		return func(out, in []*Array) error {
			d, x := out[0].Data, in[0].Data
			for i, j := range idx {
				d[i] = f(x[j])
			}
			return nil
		}
	case s.vec1 != nil:
		v := s.vec1
		return func(out, in []*Array) error { v(out[0].Data, in[0].Data); return nil }
	}
	return func(out, in []*Array) error {
		d, x := out[0].Data, in[0].Data
		x = x[:len(d)]
		for i := range d {
			d[i] = f(x[i])
		}
		return nil
	}
}

func binaryKernel(s *scalarOp, n int, scalar []bool, idx [][]int32) Kernel {
	f := s.f2
	if n >= arithVecMin {
		if fast := arithVecKernel(s.name, scalar, idx); fast != nil {
			return fast
		}
	}
	if fast := arithKernel(s.name, scalar, idx); fast != nil {
		return fast
	}
	switch {
	case idx[0] == nil && idx[1] == nil && !scalar[0] && !scalar[1]:
		return func(out, in []*Array) error {
			d, a, b := out[0].Data, in[0].Data, in[1].Data
			a, b = a[:len(d)], b[:len(d)]
			for i := range d {
				d[i] = f(a[i], b[i])
			}
			return nil
		}
	case scalar[1] && idx[0] == nil && !scalar[0]:
		return func(out, in []*Array) error {
			d, a, c := out[0].Data, in[0].Data, in[1].Data[0]
			a = a[:len(d)]
			for i := range d {
				d[i] = f(a[i], c)
			}
			return nil
		}
	case scalar[0] && idx[1] == nil && !scalar[1]:
		return func(out, in []*Array) error {
			d, c, b := out[0].Data, in[0].Data[0], in[1].Data
			b = b[:len(d)]
			for i := range d {
				d[i] = f(c, b[i])
			}
			return nil
		}
	}
	ia, ib := general(idx[0], scalar[0], n), general(idx[1], scalar[1], n)
	return func(out, in []*Array) error {
		d, a, b := out[0].Data, in[0].Data, in[1].Data
		for i := range d {
			d[i] = f(a[ia[i]], b[ib[i]])
		}
		return nil
	}
}

// general returns an index map for any input: its own map, all zeros for a scalar, or identity.
func general(idx []int32, scalar bool, n int) []int32 {
	if idx != nil {
		return idx
	}
	m := make([]int32, n)
	if !scalar {
		for i := range m {
			m[i] = int32(i)
		}
	}
	return m
}

func ternaryKernel(s *scalarOp, n int, scalar []bool, idx [][]int32) Kernel {
	f := s.f3
	direct := true
	for i := range idx {
		if idx[i] != nil || scalar[i] {
			direct = false
		}
	}
	if direct {
		return func(out, in []*Array) error {
			d, a, b, c := out[0].Data, in[0].Data, in[1].Data, in[2].Data
			a, b, c = a[:len(d)], b[:len(d)], c[:len(d)]
			for i := range d {
				d[i] = f(a[i], b[i], c[i])
			}
			return nil
		}
	}
	ia, ib, ic := general(idx[0], scalar[0], n), general(idx[1], scalar[1], n), general(idx[2], scalar[2], n)
	return func(out, in []*Array) error {
		d, a, b, c := out[0].Data, in[0].Data, in[1].Data, in[2].Data
		for i := range d {
			d[i] = f(a[ia[i]], b[ib[i]], c[ic[i]])
		}
		return nil
	}
}

// arithKernel returns inlined loops for the four arithmetic operators in their common layouts
// (same shape, or one side a scalar): a function call per element costs more than the
// arithmetic. They compute exactly what the generic loops compute.
func arithKernel(name string, scalar []bool, idx [][]int32) Kernel {
	if idx[0] != nil || idx[1] != nil {
		return nil
	}
	switch {
	case !scalar[0] && !scalar[1]:
		switch name {
		case "add":
			return func(out, in []*Array) error {
				d, a, b := out[0].Data, in[0].Data, in[1].Data
				a, b = a[:len(d)], b[:len(d)]
				for i := range d {
					d[i] = a[i] + b[i]
				}
				return nil
			}
		case "sub":
			return func(out, in []*Array) error {
				d, a, b := out[0].Data, in[0].Data, in[1].Data
				a, b = a[:len(d)], b[:len(d)]
				for i := range d {
					d[i] = a[i] - b[i]
				}
				return nil
			}
		case "mul":
			return func(out, in []*Array) error {
				d, a, b := out[0].Data, in[0].Data, in[1].Data
				a, b = a[:len(d)], b[:len(d)]
				for i := range d {
					d[i] = a[i] * b[i]
				}
				return nil
			}
		case "true_div":
			return func(out, in []*Array) error {
				d, a, b := out[0].Data, in[0].Data, in[1].Data
				a, b = a[:len(d)], b[:len(d)]
				for i := range d {
					d[i] = a[i] / b[i]
				}
				return nil
			}
		}
	case !scalar[0] && scalar[1]:
		switch name {
		case "add":
			return func(out, in []*Array) error {
				d, a, c := out[0].Data, in[0].Data, in[1].Data[0]
				a = a[:len(d)]
				for i := range d {
					d[i] = a[i] + c
				}
				return nil
			}
		case "sub":
			return func(out, in []*Array) error {
				d, a, c := out[0].Data, in[0].Data, in[1].Data[0]
				a = a[:len(d)]
				for i := range d {
					d[i] = a[i] - c
				}
				return nil
			}
		case "mul":
			return func(out, in []*Array) error {
				d, a, c := out[0].Data, in[0].Data, in[1].Data[0]
				a = a[:len(d)]
				for i := range d {
					d[i] = a[i] * c
				}
				return nil
			}
		case "true_div":
			return func(out, in []*Array) error {
				d, a, c := out[0].Data, in[0].Data, in[1].Data[0]
				a = a[:len(d)]
				if r, ok := exactRecip(c); ok {
					// x/c and x·(1/c) round the same real number: the same bits, and a
					// multiplication costs a fraction of a division.
					for i := range d {
						d[i] = a[i] * r
					}
					return nil
				}
				for i := range d {
					d[i] = a[i] / c
				}
				return nil
			}
		}
	case scalar[0] && !scalar[1]:
		switch name {
		case "add":
			return func(out, in []*Array) error {
				d, c, b := out[0].Data, in[0].Data[0], in[1].Data
				b = b[:len(d)]
				for i := range d {
					d[i] = c + b[i]
				}
				return nil
			}
		case "sub":
			return func(out, in []*Array) error {
				d, c, b := out[0].Data, in[0].Data[0], in[1].Data
				b = b[:len(d)]
				for i := range d {
					d[i] = c - b[i]
				}
				return nil
			}
		case "mul":
			return func(out, in []*Array) error {
				d, c, b := out[0].Data, in[0].Data[0], in[1].Data
				b = b[:len(d)]
				for i := range d {
					d[i] = c * b[i]
				}
				return nil
			}
		case "true_div":
			return func(out, in []*Array) error {
				d, c, b := out[0].Data, in[0].Data[0], in[1].Data
				b = b[:len(d)]
				for i := range d {
					d[i] = c / b[i]
				}
				return nil
			}
		}
	}
	return nil
}

// arithVecKernel is arithKernel for outputs of arithVecMin elements or more: fastmath's slice
// kernels, one IEEE operation per element (the scalar loop's bits), four elements at a time
// with AVX2. Shorter outputs keep arithKernel's loops, which cost no call.
func arithVecKernel(name string, scalar []bool, idx [][]int32) Kernel {
	if idx[0] != nil || idx[1] != nil {
		return nil
	}
	switch {
	case !scalar[0] && !scalar[1]:
		f := map[string]func(dst, a, b []float64){"add": fastmath.AddVV, "sub": fastmath.SubVV,
			"mul": fastmath.MulVV, "true_div": fastmath.DivVV}[name]
		if f == nil {
			return nil
		}
		return func(out, in []*Array) error {
			f(out[0].Data, in[0].Data, in[1].Data)
			return nil
		}
	case !scalar[0] && scalar[1]:
		if name == "true_div" {
			return func(out, in []*Array) error {
				d, a, c := out[0].Data, in[0].Data, in[1].Data[0]
				if r, ok := exactRecip(c); ok {
					// x/c and x·(1/c) round the same real number: the same bits, and a
					// multiplication costs a fraction of a division.
					fastmath.MulVS(d, a, r)
					return nil
				}
				fastmath.DivVS(d, a, c)
				return nil
			}
		}
		f := map[string]func(dst, a []float64, c float64){"add": fastmath.AddVS, "sub": fastmath.SubVS,
			"mul": fastmath.MulVS}[name]
		if f == nil {
			return nil
		}
		return func(out, in []*Array) error {
			f(out[0].Data, in[0].Data, in[1].Data[0])
			return nil
		}
	case scalar[0] && !scalar[1]:
		switch name {
		case "add", "mul":
			// c + b and c·b are b + c and b·c, bit for bit.
			f := fastmath.AddVS
			if name == "mul" {
				f = fastmath.MulVS
			}
			return func(out, in []*Array) error {
				f(out[0].Data, in[1].Data, in[0].Data[0])
				return nil
			}
		case "sub", "true_div":
			f := fastmath.SubSV
			if name == "true_div" {
				f = fastmath.DivSV
			}
			return func(out, in []*Array) error {
				f(out[0].Data, in[0].Data[0], in[1].Data)
				return nil
			}
		}
	}
	return nil
}

// arithVecMin is the shortest output arithVecKernel takes (fastmath's slice kernels pay for
// their call from about this length).
const arithVecMin = 32

// exactRecip returns 1/c when it is exact, c a power of two whose reciprocal is a normal
// number (so x/c = x·(1/c) for every x, subnormal results and special values included).
func exactRecip(c float64) (float64, bool) {
	frac, exp := math.Frexp(c)
	if (frac != 0.5 && frac != -0.5) || exp < -1020 || exp > 1022 {
		return 0, false
	}
	return 1 / c, true
}

// Grad implements Op: the scalar op's gradient, summed back over broadcast dimensions.
func (e Elemwise) Grad(in, out, gout []*Tensor) []*Tensor {
	if e.s.grad == nil {
		panic(errorf(e.s.name, "has no gradient"))
	}
	gs := e.s.grad(in, out[0], gout[0])
	res := make([]*Tensor, len(in))
	for i, g := range gs {
		if g == nil || !in[i].typ.DType.IsFloat() {
			continue
		}
		res[i] = SumTo(g, in[i].typ.Shape)
	}
	return res
}

func elemwise(s *scalarOp, args ...any) *Tensor {
	ts := make([]*Tensor, len(args))
	for i, a := range args {
		ts[i] = As(a)
	}
	return Apply1(Elemwise{s}, ts...)
}

// SumTo sums g over the dimensions along which a tensor of the given static shape was broadcast
// to g's shape: the leading extra dimensions and the dimensions of length 1.
func SumTo(g *Tensor, shape []int) *Tensor {
	gs := g.typ.Shape
	if sameShape(gs, shape) {
		return g
	}
	lead := len(gs) - len(shape)
	if lead < 0 {
		panic(errorf("sum_to", "cannot sum shape %s to the larger shape %s", ShapeString(gs), ShapeString(shape)))
	}
	var axes []int
	for k := 0; k < lead; k++ {
		axes = append(axes, k)
	}
	var keep []int
	for k, d := range shape {
		if d == 1 && gs[lead+k] != 1 {
			keep = append(keep, lead+k)
		}
	}
	r := g
	if len(keep) > 0 {
		r = Apply1(SumOp{Axes: axesKey(keep), KeepDims: true}, r)
	}
	if len(axes) > 0 {
		r = Apply1(SumOp{Axes: axesKey(axes)}, r)
	}
	if !sameShape(r.typ.Shape, shape) {
		// Unknown dimensions on one side: the shapes agree at run time.
		if len(r.typ.Shape) != len(shape) {
			panic(errorf("sum_to", "internal: got %s for %s", ShapeString(r.typ.Shape), ShapeString(shape)))
		}
	}
	return r
}

func ones(like *Tensor) *Tensor  { return fill(like, 1.0) }
func zeros(like *Tensor) *Tensor { return fill(like, 0.0) }

// fill is a tensor shaped like `like` with every element v.
func fill(like *Tensor, v float64) *Tensor {
	return Apply1(Elemwise{opFill}, like, ConstOf(Float64, v))
}

// ZerosLike is a float64 tensor of zeros with x's shape.
func ZerosLike(x any) *Tensor { return zeros(As(x)) }

// OnesLike is a float64 tensor of ones with x's shape.
func OnesLike(x any) *Tensor { return ones(As(x)) }

// FullLike is a float64 tensor with x's shape and every element v.
func FullLike(x any, v float64) *Tensor { return fill(As(x), v) }

func (s *scalarOp) String() string { return fmt.Sprintf("scalar %s", s.name) }
