package dist

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// transformCase is a transform with a random unconstrained point and the coordinates of the
// constrained value that the Jacobian is taken in (nil: all of them).
type transformCase struct {
	name   string
	tr     Transform
	yShape []int
	coords func(x []float64) []float64
}

func transformCases() []transformCase {
	lower := func(n int, strict bool) func([]float64) []float64 {
		return func(x []float64) []float64 {
			var r []float64
			for _, i := range triIndex(n, strict) {
				r = append(r, x[i])
			}
			return r
		}
	}
	return []transformCase{
		{name: "log", tr: Log(), yShape: []int{5}},
		{name: "logodds", tr: LogOdds(), yShape: []int{5}},
		{name: "interval", tr: IntervalTransform(-2.0, 3.5), yShape: []int{5}},
		{name: "interval-tensor-bounds", tr: IntervalTransform([]float64{-1, 0, 2, -5, 1}, []float64{0, 3, 2.5, 5, 1.1}), yShape: []int{5}},
		{name: "lowerbound", tr: LowerBound(1.5), yShape: []int{5}},
		{name: "upperbound", tr: UpperBound(-0.5), yShape: []int{5}},
		{name: "identity", tr: Identity(), yShape: []int{5}},
		{name: "simplex", tr: SimplexTransform(), yShape: []int{4},
			coords: func(x []float64) []float64 { return x[:4] }},
		{name: "ordered", tr: Ordered(), yShape: []int{5}},
		{name: "positive_ordered", tr: PositiveOrdered(), yShape: []int{5}},
		{name: "cholesky_corr", tr: CholeskyCorr(4), yShape: []int{6}, coords: lower(4, true)},
		{name: "corr", tr: CorrMatrix(4), yShape: []int{6}, coords: lower(4, true)},
		{name: "cholesky_cov", tr: CholeskyCov(3), yShape: []int{6}, coords: lower(3, false)},
	}
}

func constOf(shape []int, v []float64) *tensor.Tensor {
	a := tensor.NewArray(tensor.Float64, shape...)
	copy(a.Data, v)
	return tensor.Const(a)
}

// TestDistTransforms checks, for every transform at random points: Forward(Backward(y)) = y,
// the log-Jacobian against log|det| of the finite-difference Jacobian of Backward (in the
// coordinates that parameterize the constrained space), and the gradients of Backward and
// LogJacDet by VerifyGrad.
func TestDistTransforms(t *testing.T) {
	for ci, c := range transformCases() {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(ci), 3))
			m := 1
			for _, d := range c.yShape {
				m *= d
			}
			if got := c.tr.UnconstrainedShape(evalT(t, c.tr.Backward(constOf(c.yShape, make([]float64, m)))).Shape); !sameInts(got, c.yShape) {
				t.Errorf("UnconstrainedShape gives %v, want %v", got, c.yShape)
			}
			for k := 0; k < 3; k++ {
				y := make([]float64, m)
				for i := range y {
					y[i] = r.NormFloat64() * 1.2
				}
				x := evalT(t, c.tr.Backward(constOf(c.yShape, y)))
				back := evalT(t, c.tr.Forward(tensor.Const(x))).Data
				for i := range y {
					if math.Abs(back[i]-y[i]) > 1e-8*math.Max(1, math.Abs(y[i])) {
						t.Fatalf("round trip: y %v gives back %v", y, back)
					}
				}
				coords := c.coords
				if coords == nil {
					coords = func(x []float64) []float64 { return x }
				}
				// Finite-difference Jacobian of y ↦ coords(Backward(y)).
				jac := mat.NewDense(m, m, nil)
				const h = 1e-6
				for j := 0; j < m; j++ {
					yp := append([]float64{}, y...)
					ym := append([]float64{}, y...)
					yp[j] += h
					ym[j] -= h
					fp := coords(evalT(t, c.tr.Backward(constOf(c.yShape, yp))).Data)
					fm := coords(evalT(t, c.tr.Backward(constOf(c.yShape, ym))).Data)
					if len(fp) != m {
						t.Fatalf("coordinates have %d entries, want %d", len(fp), m)
					}
					for i := 0; i < m; i++ {
						jac.Set(i, j, (fp[i]-fm[i])/(2*h))
					}
				}
				want := 0.0
				elementwise := c.coords == nil && c.name != "ordered" && c.name != "positive_ordered"
				lj := evalT(t, c.tr.LogJacDet(constOf(c.yShape, y))).Data
				got := 0.0
				for _, v := range lj {
					got += v
				}
				if elementwise {
					if len(lj) != m {
						t.Fatalf("elementwise log-Jacobian has %d entries, want %d", len(lj), m)
					}
					for i := 0; i < m; i++ {
						if d := math.Log(math.Abs(jac.At(i, i))); math.Abs(d-lj[i]) > 1e-6*math.Max(1, math.Abs(d)) {
							t.Errorf("y = %v: log-Jacobian[%d] %v, finite differences %v", y, i, lj[i], d)
						}
					}
					continue
				}
				var lu mat.LU
				lu.Factorize(jac)
				want, _ = lu.LogDet()
				if math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
					t.Errorf("y = %v: log-Jacobian %v, finite differences give %v", y, got, want)
				}
			}
			y := make([]float64, m)
			for i := range y {
				y[i] = r.NormFloat64()
			}
			shaped := func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Reshape(in[0], c.yShape...) }
			if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor { return c.tr.Backward(shaped(in)) }, []any{y}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
				t.Errorf("Backward: %v", err)
			}
			if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor { return c.tr.LogJacDet(shaped(in)) }, []any{y}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
				t.Errorf("LogJacDet: %v", err)
			}
		})
	}
}

// TestDistTransformBatch checks that the simplex and ordered transforms work row by row on a
// batch (a matrix of vectors) and agree with the one-vector results.
func TestDistTransformBatch(t *testing.T) {
	y := [][]float64{{0.3, -1, 2}, {-0.5, 0.1, 0.7}}
	for _, tr := range []Transform{SimplexTransform(), Ordered()} {
		xb := evalT(t, tr.Backward(tensor.Const(y)))
		jb := evalT(t, tr.LogJacDet(tensor.Const(y)))
		if len(jb.Shape) != 1 || jb.Shape[0] != 2 {
			t.Fatalf("%s: batch log-Jacobian has shape %v, want [2]", tr.Name(), jb.Shape)
		}
		for i, row := range y {
			x1 := evalT(t, tr.Backward(tensor.Const(row))).Data
			j1 := evalT(t, tr.LogJacDet(tensor.Const(row))).Data[0]
			k := len(x1)
			for j := range x1 {
				if math.Abs(x1[j]-xb.Data[i*k+j]) > 1e-14 {
					t.Errorf("%s: row %d: batch %v, single %v", tr.Name(), i, xb.Data[i*k:i*k+k], x1)
				}
			}
			if math.Abs(j1-jb.Data[i]) > 1e-12 {
				t.Errorf("%s: row %d: batch log-Jacobian %v, single %v", tr.Name(), i, jb.Data[i], j1)
			}
		}
	}
	// The simplex rows sum to 1 and are positive; y = 0 is the uniform vector.
	x := evalT(t, SimplexTransform().Backward(tensor.Const([]float64{0, 0, 0}))).Data
	for _, v := range x {
		if math.Abs(v-0.25) > 1e-15 {
			t.Errorf("simplex of zeros is %v, want the uniform vector", x)
		}
	}
}
