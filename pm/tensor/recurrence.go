package tensor

// RecurrenceOp is the first-order linear recurrence y[0] = c[0], y[t] = c[t] + φ·y[t−1] along
// the leading axis (an AR(1) filter), or, with Reverse, y[n−1] = c[n−1], y[t] = c[t] + φ·y[t+1].
// It is the special case of Scan for autoregressive models (stochastic volatility, AR latent
// states) as one op; Scan compiles the same loop written as a body to a linear recurrence too.
type RecurrenceOp struct{ Reverse bool }

// String implements Op.
func (o RecurrenceOp) String() string {
	if o.Reverse {
		return "recurrence{reverse}"
	}
	return "recurrence"
}

// Infer implements Op: c is a vector (or has a leading time axis), φ a scalar.
func (o RecurrenceOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 2 {
		return nil, errorf("recurrence", "takes 2 inputs (c, phi), got %d", len(in))
	}
	if len(in[0].Shape) < 1 {
		return nil, errorf("recurrence", "c must have a leading time axis, got shape %s", ShapeString(in[0].Shape))
	}
	if in[1].Size() != 1 && in[1].Size() != Unknown || len(in[1].Shape) > 0 && in[1].Size() == Unknown {
		return nil, errorf("recurrence", "phi must be a scalar, got shape %s", ShapeString(in[1].Shape))
	}
	return []Type{{DType: Float64, Shape: cloneInts(in[0].Shape)}}, nil
}

// Kernel implements Op.
func (o RecurrenceOp) Kernel(spec KernelSpec) (Kernel, error) {
	shape := spec.In[0].Shape
	n := shape[0]
	inner := shapeSize(shape[1:])
	rev := o.Reverse
	return func(out, in []*Array) error {
		c, y, phi := in[0].Data, out[0].Data, in[1].Data[0]
		if n == 0 {
			return nil
		}
		if inner == 1 {
			// A vector: the previous value stays in a register, no slice per step.
			recurrence1(y[:n], c[:n], phi, rev)
			return nil
		}
		if !rev {
			copy(y[:inner], c[:inner])
			for t := 1; t < n; t++ {
				cur, prev := y[t*inner:(t+1)*inner], y[(t-1)*inner:t*inner]
				ct := c[t*inner : (t+1)*inner]
				for j := range cur {
					cur[j] = ct[j] + phi*prev[j]
				}
			}
			return nil
		}
		last := (n - 1) * inner
		copy(y[last:], c[last:])
		for t := n - 2; t >= 0; t-- {
			cur, next := y[t*inner:(t+1)*inner], y[(t+1)*inner:(t+2)*inner]
			ct := c[t*inner : (t+1)*inner]
			for j := range cur {
				cur[j] = ct[j] + phi*next[j]
			}
		}
		return nil
	}, nil
}

// Grad implements Op. With G = ∂L/∂y: ∂L/∂c is the recurrence run the other way on G, and
// ∂L/∂φ = Σ_t ∂L/∂c[t]·y[t−1] (y[t+1] for Reverse). Both are built from ops, this one included,
// so gradients of gradients work.
func (o RecurrenceOp) Grad(in, out, gout []*Tensor) []*Tensor {
	g := gout[0]
	c, phi, y := in[0], in[1], out[0]
	gc := Apply1(RecurrenceOp{Reverse: !o.Reverse}, g, phi)
	var prod *Tensor
	if !o.Reverse {
		prod = Mul(Slice(gc, 0, 1, None, 1), Slice(y, 0, 0, -1, 1))
	} else {
		prod = Mul(Slice(gc, 0, 0, -1, 1), Slice(y, 0, 1, None, 1))
	}
	gphi := SumTo(Sum(prod), phi.Shape())
	var res0 *Tensor
	if c.DType().IsFloat() {
		res0 = gc
	}
	return []*Tensor{res0, gphi}
}

// Recurrence computes y[0] = c[0], y[t] = c[t] + φ·y[t−1] along c's leading axis: the AR(1)
// filter of autoregressive and stochastic-volatility models, as one op. phi is a scalar.
func Recurrence(c, phi any) *Tensor {
	return Apply1(RecurrenceOp{}, castF(c), castF(phi))
}

// recurrence1 is the vector case of RecurrenceOp's kernel: y[t] = c[t] + φ·y[t∓1], the same
// arithmetic as the general loop. The loop is bound by the latency of the chain (a multiply
// and an add per element), so it carries the previous value in a register.
func recurrence1(y, c []float64, phi float64, rev bool) {
	n := len(y)
	if n == 0 {
		return
	}
	c = c[:n]
	if !rev {
		prev := c[0]
		y[0] = prev
		for t := 1; t < n; t++ {
			prev = c[t] + phi*prev
			y[t] = prev
		}
		return
	}
	next := c[n-1]
	y[n-1] = next
	for t := n - 2; t >= 0; t-- {
		next = c[t] + phi*next
		y[t] = next
	}
}
