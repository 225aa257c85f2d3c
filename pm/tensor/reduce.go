package tensor

import (
	"fmt"
	"math"
)

// ReduceKind selects what ReduceOp computes over each group of elements.
type ReduceKind uint8

// The reductions of ReduceOp.
const (
	ReduceMax       ReduceKind = iota // the largest element; NaN if any element is NaN
	ReduceMin                         // the smallest element; NaN if any element is NaN
	ReduceProd                        // the product, in row-major order
	ReduceLogSumExp                   // log(sum(exp(x))), computed as m + log(sum(exp(x - m))) with m the maximum
)

var reduceNames = [...]string{"max", "min", "prod", "logsumexp"}

// String names the reduction ("max", "min", "prod", "logsumexp").
func (k ReduceKind) String() string {
	if int(k) < len(reduceNames) {
		return reduceNames[k]
	}
	return fmt.Sprintf("reduce(%d)", uint8(k))
}

// ReduceOp reduces over a set of axes (all axes if Axes is 0), keeping them as length 1 on
// request. Each group is visited in row-major order, so products and sums of exponentials do not
// depend on the backend.
type ReduceOp struct {
	Kind     ReduceKind
	Axes     AxisSet
	KeepDims bool
}

func (o ReduceOp) axes(ndim int) AxisSet {
	if o.Axes == 0 {
		return allAxes(ndim)
	}
	return o.Axes
}

// String implements Op.
func (o ReduceOp) String() string { return reduceString(o.Kind.String(), o.Axes, o.KeepDims) }

func reduceString(name string, axes AxisSet, keep bool) string {
	s := name
	if axes != 0 {
		s += "{axes=" + axes.String()
		if keep {
			s += ",keepdims"
		}
		s += "}"
	} else if keep {
		s += "{keepdims}"
	}
	return s
}

// Infer implements Op. The maximum and minimum of an empty group do not exist: a reduction over
// a zero-length axis is an error (as in NumPy); the product is then 1 and log-sum-exp -Inf.
func (o ReduceOp) Infer(in []Type) ([]Type, error) {
	name := o.Kind.String()
	if len(in) != 1 {
		return nil, errorf(name, "takes 1 input, got %d", len(in))
	}
	nd := len(in[0].Shape)
	if err := checkAxes(name, o.Axes, nd); err != nil {
		return nil, err
	}
	axes := o.axes(nd)
	if o.Kind == ReduceMax || o.Kind == ReduceMin {
		if err := checkNonEmpty(name, in[0].Shape, axes); err != nil {
			return nil, err
		}
	}
	dt := in[0].DType
	switch o.Kind {
	case ReduceProd:
		if dt == Bool {
			dt = Int64
		}
	case ReduceLogSumExp:
		dt = Float64
	}
	return []Type{{DType: dt, Shape: reducedShape(in[0].Shape, axes, o.KeepDims)}}, nil
}

// checkNonEmpty rejects reducing a known zero-length axis when there is something to reduce into.
func checkNonEmpty(op string, shape []int, axes AxisSet) error {
	for k, d := range shape {
		if axes.Has(k) && d == 0 {
			return errorf(op, "cannot reduce axis %d of length 0 (shape %s): the result is undefined", k, ShapeString(shape))
		}
	}
	return nil
}

// ixStrides returns the row-major strides of a shape.
func ixStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for k := len(shape) - 1; k >= 0; k-- {
		st[k] = s
		s *= shape[k]
	}
	return st
}

// ixEnum lists the offsets sum(pos[k]*strides[k]) of all positions of dims, in row-major order.
func ixEnum(dims, strides []int) []int32 {
	n := shapeSize(dims)
	out := make([]int32, n)
	pos := make([]int, len(dims))
	cur := 0
	for i := 0; i < n; i++ {
		out[i] = int32(cur)
		for k := len(dims) - 1; k >= 0; k-- {
			pos[k]++
			cur += strides[k]
			if pos[k] < dims[k] {
				break
			}
			cur -= strides[k] * pos[k]
			pos[k] = 0
		}
	}
	return out
}

// ixGroups lays out a reduction of shape over axes: output element j reduces the input elements
// base[j] + offs[k] for k in order (row-major over the reduced axes).
func ixGroups(shape []int, axes AxisSet) (base, offs []int32) {
	st := ixStrides(shape)
	var kd, ks, rd, rs []int
	for k, d := range shape {
		if axes.Has(k) {
			rd, rs = append(rd, d), append(rs, st[k])
		} else {
			kd, ks = append(kd, d), append(ks, st[k])
		}
	}
	return ixEnum(kd, ks), ixEnum(rd, rs)
}

// Kernel implements Op.
func (o ReduceOp) Kernel(spec KernelSpec) (Kernel, error) {
	base, offs := ixGroups(spec.In[0].Shape, o.axes(len(spec.In[0].Shape)))
	switch o.Kind {
	case ReduceMax:
		return func(out, in []*Array) error {
			x, d := in[0].Data, out[0].Data
			for j, b := range base {
				xb := x[b:]
				m := xb[offs[0]]
				for _, k := range offs[1:] {
					if v := xb[k]; v > m || v != v {
						m = v
					}
				}
				d[j] = m
			}
			return nil
		}, nil
	case ReduceMin:
		return func(out, in []*Array) error {
			x, d := in[0].Data, out[0].Data
			for j, b := range base {
				xb := x[b:]
				m := xb[offs[0]]
				for _, k := range offs[1:] {
					if v := xb[k]; v < m || v != v {
						m = v
					}
				}
				d[j] = m
			}
			return nil
		}, nil
	case ReduceProd:
		return func(out, in []*Array) error {
			x, d := in[0].Data, out[0].Data
			for j, b := range base {
				xb := x[b:]
				p := 1.0
				for _, k := range offs {
					p *= xb[k]
				}
				d[j] = p
			}
			return nil
		}, nil
	case ReduceLogSumExp:
		return func(out, in []*Array) error {
			x, d := in[0].Data, out[0].Data
			for j, b := range base {
				xb := x[b:]
				m := math.Inf(-1)
				for _, k := range offs {
					if v := xb[k]; v > m || v != v {
						m = v
					}
				}
				// An infinite maximum would make x - m NaN; shifting by 0 gives the right
				// infinite result instead (scipy.special.logsumexp does the same).
				if math.IsInf(m, 0) {
					m = 0
				}
				s := 0.0
				for _, k := range offs {
					s += math.Exp(xb[k] - m)
				}
				d[j] = m + math.Log(s)
			}
			return nil
		}, nil
	}
	return nil, errorf(o.Kind.String(), "unknown reduction")
}

// Grad implements Op.
//
// Max and Min send the gradient to the extreme elements, split evenly between ties (so the
// gradient of max(x, x) is 1/2 per copy and the directional derivatives sum to the right total).
// Prod's gradient is the product of the other elements, computed without dividing by zero: with
// one zero in a group only that element has a gradient, with two or more none has. LogSumExp's
// gradient is the softmax of the group.
func (o ReduceOp) Grad(in, out, gout []*Tensor) []*Tensor {
	x := in[0]
	if !x.DType().IsFloat() {
		return []*Tensor{nil}
	}
	axes := o.axes(x.NDim())
	g, y := gout[0], out[0]
	if !o.KeepDims {
		g = expandAxes(g, axes)
		y = expandAxes(y, axes)
	}
	switch o.Kind {
	case ReduceMax, ReduceMin:
		mask := Cast(Eq(x, y), Float64)
		cnt := Apply1(SumOp{Axes: axes, KeepDims: true}, mask)
		return []*Tensor{Mul(g, Div(mask, cnt))}
	case ReduceProd:
		z := Eq(x, 0.0)
		nz := Apply1(SumOp{Axes: axes, KeepDims: true}, Cast(z, Float64))
		xsafe := Switch(z, 1.0, x)
		pnz := Apply1(ReduceOp{Kind: ReduceProd, Axes: axes, KeepDims: true}, xsafe)
		atZero := Mul(Cast(Eq(nz, 1.0), Float64), pnz)
		elsewhere := Mul(Cast(Eq(nz, 0.0), Float64), Div(pnz, xsafe))
		return []*Tensor{Mul(g, Switch(z, atZero, elsewhere))}
	case ReduceLogSumExp:
		return []*Tensor{Mul(g, Exp(Sub(x, y)))}
	}
	panic(errorf(o.Kind.String(), "unknown reduction"))
}

func reduce(kind ReduceKind, keep bool, x any, axes []int) *Tensor {
	t := As(x)
	return Apply1(ReduceOp{Kind: kind, Axes: Axes(kind.String(), t.NDim(), axes...), KeepDims: keep}, t)
}

// Max is the largest element of x over the given axes (all axes when none are given; negative
// axes count from the end). NaN propagates. Its gradient is shared evenly between tied maxima.
func Max(x any, axes ...int) *Tensor { return reduce(ReduceMax, false, x, axes) }

// MaxKeepDims is Max keeping the reduced axes with length 1.
func MaxKeepDims(x any, axes ...int) *Tensor { return reduce(ReduceMax, true, x, axes) }

// Min is the smallest element of x over the given axes (all when none are given).
func Min(x any, axes ...int) *Tensor { return reduce(ReduceMin, false, x, axes) }

// MinKeepDims is Min keeping the reduced axes with length 1.
func MinKeepDims(x any, axes ...int) *Tensor { return reduce(ReduceMin, true, x, axes) }

// Prod is the product of x over the given axes (all when none are given). Its gradient is exact
// when elements are zero.
func Prod(x any, axes ...int) *Tensor { return reduce(ReduceProd, false, x, axes) }

// ProdKeepDims is Prod keeping the reduced axes with length 1.
func ProdKeepDims(x any, axes ...int) *Tensor { return reduce(ReduceProd, true, x, axes) }

// LogSumExp is log(sum(exp(x))) over the given axes (all when none are given), computed stably as
// m + log(sum(exp(x - m))) with m the maximum, so it neither overflows nor loses small terms.
func LogSumExp(x any, axes ...int) *Tensor { return reduce(ReduceLogSumExp, false, x, axes) }

// LogSumExpKeepDims is LogSumExp keeping the reduced axes with length 1.
func LogSumExpKeepDims(x any, axes ...int) *Tensor { return reduce(ReduceLogSumExp, true, x, axes) }

// SizeOp is the number of elements of its input over a set of axes (all if Axes is 0), as an
// int64 scalar: the count Mean and Var divide by when some dimensions are known only at run time.
type SizeOp struct{ Axes AxisSet }

// String implements Op.
func (o SizeOp) String() string { return reduceString("size", o.Axes, false) }

// Infer implements Op.
func (o SizeOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf("size", "takes 1 input, got %d", len(in))
	}
	if err := checkAxes("size", o.Axes, len(in[0].Shape)); err != nil {
		return nil, err
	}
	return []Type{{DType: Int64, Shape: []int{}}}, nil
}

// Kernel implements Op.
func (o SizeOp) Kernel(spec KernelSpec) (Kernel, error) {
	n := 1
	shape := spec.In[0].Shape
	axes := o.Axes
	if axes == 0 {
		axes = allAxes(len(shape))
	}
	for k, d := range shape {
		if axes.Has(k) {
			n *= d
		}
	}
	v := float64(n)
	return func(out, in []*Array) error { out[0].Data[0] = v; return nil }, nil
}

// Grad implements Op: a size does not depend on the values.
func (o SizeOp) Grad(in, out, gout []*Tensor) []*Tensor { return []*Tensor{nil} }

// SizeOf is the number of elements of x over the given axes (all when none are given), an int64
// scalar: a constant when those dimensions are known, else computed at run time.
func SizeOf(x any, axes ...int) *Tensor {
	t := As(x)
	return countOf(t, Axes("size", t.NDim(), axes...))
}

func countOf(t *Tensor, axes AxisSet) *Tensor {
	n := 1
	for k, d := range t.Shape() {
		if !axes.Has(k) {
			continue
		}
		if d < 0 {
			return Apply1(SizeOp{Axes: axes}, t)
		}
		n *= d
	}
	return ConstOf(Int64, float64(n))
}

func mean(x any, keep bool, axes []int) *Tensor {
	t := As(x)
	ax := Axes("mean", t.NDim(), axes...)
	return Div(Apply1(SumOp{Axes: ax, KeepDims: keep}, t), countOf(t, ax))
}

// Mean is the arithmetic mean of x over the given axes (all when none are given), always float64.
func Mean(x any, axes ...int) *Tensor { return mean(x, false, axes) }

// MeanKeepDims is Mean keeping the reduced axes with length 1.
func MeanKeepDims(x any, axes ...int) *Tensor { return mean(x, true, axes) }

func variance(x any, ddof int, keep bool, axes []int) *Tensor {
	t := As(x)
	if ddof < 0 {
		panic(errorf("var", "ddof %d is negative", ddof))
	}
	ax := Axes("var", t.NDim(), axes...)
	d := Sub(t, Div(Apply1(SumOp{Axes: ax, KeepDims: true}, t), countOf(t, ax)))
	ss := Apply1(SumOp{Axes: ax, KeepDims: keep}, Mul(d, d))
	n := countOf(t, ax)
	if ddof != 0 {
		n = Sub(n, ConstOf(Int64, float64(ddof)))
	}
	return Div(ss, n)
}

// Var is the population variance of x over the given axes (all when none are given): the mean
// squared deviation from the mean, divided by n as NumPy's var does by default.
func Var(x any, axes ...int) *Tensor { return variance(x, 0, false, axes) }

// VarKeepDims is Var keeping the reduced axes with length 1.
func VarKeepDims(x any, axes ...int) *Tensor { return variance(x, 0, true, axes) }

// VarDdof is the variance dividing the sum of squared deviations by n - ddof (ddof = 1 gives the
// unbiased sample variance).
func VarDdof(x any, ddof int, axes ...int) *Tensor { return variance(x, ddof, false, axes) }

// Std is the population standard deviation, the square root of Var.
func Std(x any, axes ...int) *Tensor { return Sqrt(variance(x, 0, false, axes)) }

// StdKeepDims is Std keeping the reduced axes with length 1.
func StdKeepDims(x any, axes ...int) *Tensor { return Sqrt(variance(x, 0, true, axes)) }

// StdDdof is the square root of VarDdof.
func StdDdof(x any, ddof int, axes ...int) *Tensor { return Sqrt(variance(x, ddof, false, axes)) }

// ArgReduceOp finds the position of the maximum (or minimum, with Min) over a set of axes (all if
// Axes is 0) as an int64: the row-major offset within the reduced axes, so over one axis it is
// the index along it. The first extreme element wins ties; a NaN counts as the extreme, as in
// NumPy.
type ArgReduceOp struct {
	Min      bool
	Axes     AxisSet
	KeepDims bool
}

func (o ArgReduceOp) name() string {
	if o.Min {
		return "argmin"
	}
	return "argmax"
}

// String implements Op.
func (o ArgReduceOp) String() string { return reduceString(o.name(), o.Axes, o.KeepDims) }

// Infer implements Op.
func (o ArgReduceOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 {
		return nil, errorf(o.name(), "takes 1 input, got %d", len(in))
	}
	nd := len(in[0].Shape)
	if err := checkAxes(o.name(), o.Axes, nd); err != nil {
		return nil, err
	}
	axes := o.Axes
	if axes == 0 {
		axes = allAxes(nd)
	}
	if err := checkNonEmpty(o.name(), in[0].Shape, axes); err != nil {
		return nil, err
	}
	return []Type{{DType: Int64, Shape: reducedShape(in[0].Shape, axes, o.KeepDims)}}, nil
}

// Kernel implements Op.
func (o ArgReduceOp) Kernel(spec KernelSpec) (Kernel, error) {
	axes := o.Axes
	if axes == 0 {
		axes = allAxes(len(spec.In[0].Shape))
	}
	base, offs := ixGroups(spec.In[0].Shape, axes)
	sign := 1.0
	if o.Min {
		sign = -1
	}
	return func(out, in []*Array) error {
		x, d := in[0].Data, out[0].Data
		for j, b := range base {
			xb := x[b:]
			best, m := 0, sign*xb[offs[0]]
			if m == m {
				for i, k := range offs[1:] {
					if v := sign * xb[k]; v > m || v != v {
						best, m = i+1, v
						if v != v {
							break
						}
					}
				}
			}
			d[j] = float64(best)
		}
		return nil
	}, nil
}

// Grad implements Op: positions have no gradient.
func (o ArgReduceOp) Grad(in, out, gout []*Tensor) []*Tensor { return []*Tensor{nil} }

func argReduce(min, keep bool, x any, axes []int) *Tensor {
	t := As(x)
	op := ArgReduceOp{Min: min, KeepDims: keep}
	op.Axes = Axes(op.name(), t.NDim(), axes...)
	return Apply1(op, t)
}

// Argmax is the int64 position of the largest element over the given axes (all when none are
// given, giving the flat row-major index); the first maximum wins ties. It has no gradient.
func Argmax(x any, axes ...int) *Tensor { return argReduce(false, false, x, axes) }

// Argmin is the int64 position of the smallest element, as Argmax.
func Argmin(x any, axes ...int) *Tensor { return argReduce(true, false, x, axes) }

// ArgmaxKeepDims is Argmax keeping the reduced axes with length 1.
func ArgmaxKeepDims(x any, axes ...int) *Tensor { return argReduce(false, true, x, axes) }

// ArgminKeepDims is Argmin keeping the reduced axes with length 1.
func ArgminKeepDims(x any, axes ...int) *Tensor { return argReduce(true, true, x, axes) }

// Mean is the mean of t over the given axes (all when none are given).
func (t *Tensor) Mean(axes ...int) *Tensor { return Mean(t, axes...) }

// Prod is the product of t over the given axes.
func (t *Tensor) Prod(axes ...int) *Tensor { return Prod(t, axes...) }

// Max is the maximum of t over the given axes.
func (t *Tensor) Max(axes ...int) *Tensor { return Max(t, axes...) }

// Min is the minimum of t over the given axes.
func (t *Tensor) Min(axes ...int) *Tensor { return Min(t, axes...) }

// LogSumExp is log(sum(exp(t))) over the given axes, computed stably.
func (t *Tensor) LogSumExp(axes ...int) *Tensor { return LogSumExp(t, axes...) }

// Var is the population variance of t over the given axes.
func (t *Tensor) Var(axes ...int) *Tensor { return Var(t, axes...) }

// Std is the population standard deviation of t over the given axes.
func (t *Tensor) Std(axes ...int) *Tensor { return Std(t, axes...) }

// Argmax is the position of the maximum of t over the given axes.
func (t *Tensor) Argmax(axes ...int) *Tensor { return Argmax(t, axes...) }

// Argmin is the position of the minimum of t over the given axes.
func (t *Tensor) Argmin(axes ...int) *Tensor { return Argmin(t, axes...) }
