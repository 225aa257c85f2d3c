package gp

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// The log-determinant and quadratic form of a symmetric positive definite k×k matrix B, which
// MarginalNormal needs, as one op with gradients in closed form:
//
//	∂ log|B| = B⁻¹,   ∂ vᵀB⁻¹v / ∂B = −uuᵀ,   ∂ vᵀB⁻¹v / ∂v = 2u,   u = B⁻¹v
//
// Each call costs one Cholesky factorization and two triangular solves (and a gradient one
// inverse from the factor), about k³ operations, where the Cholesky and triangular-solve ops
// of package tensor take their adjoints through several k³ matrix products.

// spdOp has inputs B (k×k; its lower triangle is read) and v (k), and outputs log|B|, vᵀB⁻¹v,
// u = B⁻¹v and the Cholesky factor L (lower; output only, not differentiated).
type spdOp struct{}

// String implements tensor.Op.
func (spdOp) String() string { return "spd_logdet_quad" }

// Infer implements tensor.Op.
func (spdOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if len(in) != 2 || len(in[0].Shape) != 2 || len(in[1].Shape) != 1 {
		return nil, fmt.Errorf("gp: spd_logdet_quad takes a k×k matrix and a k-vector")
	}
	k := in[1].Shape[0]
	if s := in[0].Shape; (s[0] >= 0 && s[0] != s[1]) || (k >= 0 && s[0] >= 0 && s[0] != k) {
		return nil, fmt.Errorf("gp: spd_logdet_quad: shapes %s and %s", tensor.ShapeString(in[0].Shape), tensor.ShapeString(in[1].Shape))
	}
	f := tensor.Float64
	return []tensor.Type{{DType: f, Shape: []int{}}, {DType: f, Shape: []int{}}, {DType: f, Shape: []int{k}}, {DType: f, Shape: []int{k, k}}}, nil
}

// Kernel implements tensor.Op.
func (spdOp) Kernel(spec tensor.KernelSpec) (tensor.Kernel, error) {
	k := spec.In[1].Shape[0]
	if spec.In[0].Shape[0] != k || spec.In[0].Shape[1] != k {
		return nil, fmt.Errorf("gp: spd_logdet_quad: shapes %s and %s", tensor.ShapeString(spec.In[0].Shape), tensor.ShapeString(spec.In[1].Shape))
	}
	return func(out, in []*tensor.Array) error {
		b, v := in[0].Data, in[1].Data
		u, l := out[2].Data, out[3].Data
		if err := cholLower(l, b, k); err != nil {
			return err
		}
		copy(u, v)
		cholSolveInPlace(l, u, k)
		ld, q := 0.0, 0.0
		for i := 0; i < k; i++ {
			ld += math.Log(l[i*k+i])
			q += v[i] * u[i]
		}
		out[0].Data[0], out[1].Data[0] = 2*ld, q
		return nil
	}, nil
}

// Grad implements tensor.Op.
func (spdOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	u, l := out[2], out[3]
	var gb, gv *tensor.Tensor
	add := func(acc, t *tensor.Tensor) *tensor.Tensor {
		if acc == nil {
			return t
		}
		return tensor.Add(acc, t)
	}
	if g := gout[0]; g != nil {
		gb = add(gb, tensor.Mul(g, tensor.Apply1(spdInvOp{}, l)))
	}
	if g := gout[1]; g != nil {
		gb = add(gb, tensor.Mul(tensor.Neg(g), tensor.Outer(u, u)))
		gv = add(gv, tensor.Mul(tensor.Mul(2.0, g), u))
	}
	if g := gout[2]; g != nil {
		w := tensor.Apply1(spdSolveOp{}, l, g)
		gb = add(gb, tensor.Neg(tensor.Outer(w, u)))
		gv = add(gv, w)
	}
	return []*tensor.Tensor{gb, gv}
}

// spdInvOp is B⁻¹ from the Cholesky factor L of B; spdSolveOp is B⁻¹r. Neither has a gradient
// (they appear only in spdOp's).
type spdInvOp struct{}
type spdSolveOp struct{}

func (spdInvOp) String() string   { return "spd_inverse" }
func (spdSolveOp) String() string { return "spd_solve" }

func (spdInvOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if len(in) != 1 || len(in[0].Shape) != 2 {
		return nil, fmt.Errorf("gp: spd_inverse takes a k×k factor")
	}
	return []tensor.Type{{DType: tensor.Float64, Shape: append([]int{}, in[0].Shape...)}}, nil
}

func (spdSolveOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if len(in) != 2 || len(in[0].Shape) != 2 || len(in[1].Shape) != 1 {
		return nil, fmt.Errorf("gp: spd_solve takes a k×k factor and a k-vector")
	}
	return []tensor.Type{{DType: tensor.Float64, Shape: append([]int{}, in[1].Shape...)}}, nil
}

// Kernel implements tensor.Op: row j of the result is B⁻¹e_j (B⁻¹ is symmetric), solved in
// place.
func (spdInvOp) Kernel(spec tensor.KernelSpec) (tensor.Kernel, error) {
	k := spec.In[0].Shape[0]
	return func(out, in []*tensor.Array) error {
		l, r := in[0].Data, out[0].Data
		for j := 0; j < k; j++ {
			row := r[j*k : (j+1)*k]
			for i := range row {
				row[i] = 0
			}
			row[j] = 1
			cholSolveInPlace(l, row, k)
		}
		return nil
	}, nil
}

// Kernel implements tensor.Op.
func (spdSolveOp) Kernel(spec tensor.KernelSpec) (tensor.Kernel, error) {
	k := spec.In[1].Shape[0]
	return func(out, in []*tensor.Array) error {
		copy(out[0].Data, in[1].Data)
		cholSolveInPlace(in[0].Data, out[0].Data, k)
		return nil
	}, nil
}

func (spdInvOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	return make([]*tensor.Tensor, 1)
}
func (spdSolveOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	return make([]*tensor.Tensor, 2)
}

// cholLower writes the lower Cholesky factor of the k×k matrix a (lower triangle read) to l.
func cholLower(l, a []float64, k int) error {
	for j := 0; j < k; j++ {
		s := a[j*k+j]
		for p := 0; p < j; p++ {
			s -= l[j*k+p] * l[j*k+p]
		}
		if !(s > 0) {
			return fmt.Errorf("gp: the matrix of MarginalNormal is not positive definite (leading minor %d)", j+1)
		}
		d := math.Sqrt(s)
		l[j*k+j] = d
		for i := j + 1; i < k; i++ {
			t := a[i*k+j]
			li, lj := l[i*k:i*k+j], l[j*k:j*k+j]
			for p := range lj {
				t -= li[p] * lj[p]
			}
			l[i*k+j] = t / d
		}
		for p := j + 1; p < k; p++ {
			l[j*k+p] = 0
		}
	}
	return nil
}

// cholSolveInPlace overwrites x with (LLᵀ)⁻¹x by forward and back substitution.
func cholSolveInPlace(l, x []float64, k int) {
	for i := 0; i < k; i++ {
		t := x[i]
		row := l[i*k : i*k+i]
		for p, v := range row {
			t -= v * x[p]
		}
		x[i] = t / l[i*k+i]
	}
	// Lᵀx = y column by column: once x_i is known, its terms L_ip x_i leave the equations
	// p < i, reading row i of L contiguously.
	for i := k - 1; i >= 0; i-- {
		x[i] /= l[i*k+i]
		xi := x[i]
		for p, v := range l[i*k : i*k+i] {
			x[p] -= v * xi
		}
	}
}
