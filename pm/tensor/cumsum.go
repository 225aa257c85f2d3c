package tensor

import "strconv"

// CumOp is the cumulative sum (or product, with Prod) along Axis, running from the first element
// or, with Reverse, from the last (y[i] = x[i] + ... + x[n-1]). The reverse sum is the gradient of
// the forward one.
type CumOp struct {
	Axis    int
	Prod    bool
	Reverse bool
}

// String implements Op.
func (o CumOp) String() string {
	s := "cumsum"
	if o.Prod {
		s = "cumprod"
	}
	s += "{axis=" + strconv.Itoa(o.Axis)
	if o.Reverse {
		s += ",reverse"
	}
	return s + "}"
}

// Infer implements Op.
func (o CumOp) Infer(in []Type) ([]Type, error) {
	name := "cumsum"
	if o.Prod {
		name = "cumprod"
	}
	if len(in) != 1 {
		return nil, errorf(name, "takes 1 input, got %d", len(in))
	}
	if o.Axis < 0 || o.Axis >= len(in[0].Shape) {
		return nil, errorf(name, "axis %d is out of range for shape %s", o.Axis, ShapeString(in[0].Shape))
	}
	dt := in[0].DType
	if dt == Bool {
		dt = Int64
	}
	return []Type{{DType: dt, Shape: cloneInts(in[0].Shape)}}, nil
}

// Kernel implements Op: each line along the axis is accumulated in order (from its end with
// Reverse).
func (o CumOp) Kernel(spec KernelSpec) (Kernel, error) {
	s := spec.In[0].Shape
	outer, n, inner := shapeSize(s[:o.Axis]), s[o.Axis], shapeSize(s[o.Axis+1:])
	prod := o.Prod
	// Walk each line from its first element to be accumulated, step elements apart.
	first, step := 0, inner
	if o.Reverse {
		first, step = (n-1)*inner, -inner
	}
	if prod {
		return func(out, in []*Array) error {
			d, x := out[0].Data, in[0].Data
			for b := 0; b < outer; b++ {
				for j := 0; j < inner; j++ {
					p, acc := b*n*inner+j+first, 1.0
					for i := 0; i < n; i++ {
						acc *= x[p]
						d[p] = acc
						p += step
					}
				}
			}
			return nil
		}, nil
	}
	return func(out, in []*Array) error {
		d, x := out[0].Data, in[0].Data
		for b := 0; b < outer; b++ {
			for j := 0; j < inner; j++ {
				p, acc := b*n*inner+j+first, 0.0
				for i := 0; i < n; i++ {
					acc += x[p]
					d[p] = acc
					p += step
				}
			}
		}
		return nil
	}, nil
}

// Grad implements Op. The cumulative sum's gradient is the reverse cumulative sum of the output
// gradient. The cumulative product's is the reverse cumulative sum of g*y divided by x, which is
// exact away from zeros; where an element is exactly zero it is NaN or infinite.
func (o CumOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if !in[0].DType().IsFloat() {
		return []*Tensor{nil}
	}
	rev := CumOp{Axis: o.Axis, Reverse: !o.Reverse}
	if !o.Prod {
		return []*Tensor{Apply1(rev, gout[0])}
	}
	return []*Tensor{Div(Apply1(rev, Mul(gout[0], out[0])), in[0])}
}

func cumulative(name string, prod bool, x any, axis int) *Tensor {
	t := As(x)
	a := axis
	if a < 0 {
		a += t.NDim()
	}
	if a < 0 || a >= t.NDim() {
		panic(&Error{Op: name, Msg: "axis " + strconv.Itoa(axis) + " is out of range for a tensor with " + strconv.Itoa(t.NDim()) + " dimensions", Expr: t.label()})
	}
	return Apply1(CumOp{Axis: a, Prod: prod}, t)
}

// Cumsum is the cumulative sum of x along axis (negative counts from the end), as NumPy's
// cumsum: [1 2 3] gives [1 3 6].
func Cumsum(x any, axis int) *Tensor { return cumulative("cumsum", false, x, axis) }

// Cumprod is the cumulative product of x along axis: [1 2 3] gives [1 2 6]. Its gradient is not
// defined where an element is exactly zero (it comes out NaN or infinite there).
func Cumprod(x any, axis int) *Tensor { return cumulative("cumprod", true, x, axis) }

// Cumsum is the cumulative sum of t along axis.
func (t *Tensor) Cumsum(axis int) *Tensor { return Cumsum(t, axis) }

// Cumprod is the cumulative product of t along axis.
func (t *Tensor) Cumprod(axis int) *Tensor { return Cumprod(t, axis) }
