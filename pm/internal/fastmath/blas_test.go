package fastmath

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64() * math.Exp2(float64(rng.IntN(6)-3))
	}
	return s
}

func sameBits(a, b []float64) int {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return i
		}
	}
	return -1
}

// relClose reports |got-want| <= tol*(|want| + scale), scale guarding sums that cancel.
func relClose(got, want, scale, tol float64) bool {
	return math.Abs(got-want) <= tol*(math.Abs(want)+scale)
}

// TestMatVecShapes compares MatVec, MatVecAdd and MatTVec with gonum's Gemv
// (1e-12 relative) and the dispatched kernels with the portable Go code bit
// for bit, over many shapes including every column count of the AVX2 variants.
func TestMatVecShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, rows := range []int{0, 1, 2, 3, 5, 8, 17, 64, 333} {
		for cols := 0; cols <= 41; cols++ {
			a := randSlice(rng, rows*cols)
			x := randSlice(rng, cols)
			r := randSlice(rng, rows)
			b := randSlice(rng, rows)
			g := blas64.General{Rows: rows, Cols: cols, Stride: max(cols, 1), Data: a}

			got := make([]float64, rows)
			MatVec(got, a, rows, cols, x)
			ref := make([]float64, rows)
			port := make([]float64, rows)
			matVecGo(port, a, rows, cols, x, nil)
			if rows > 0 && cols > 0 {
				blas64.Gemv(blas.NoTrans, 1, g, blas64.Vector{N: cols, Inc: 1, Data: x}, 0, blas64.Vector{N: rows, Inc: 1, Data: ref})
			}
			if i := sameBits(got, port); i >= 0 {
				t.Fatalf("MatVec %dx%d: row %d = %v, portable code %v", rows, cols, i, got[i], port[i])
			}
			for i := range got {
				scale := 0.0
				for j := 0; j < cols; j++ {
					scale += math.Abs(a[i*cols+j] * x[j])
				}
				if !relClose(got[i], ref[i], scale, 1e-12) {
					t.Fatalf("MatVec %dx%d: row %d = %v, gonum %v", rows, cols, i, got[i], ref[i])
				}
				// The documented lane order is Dot's.
				if d := Dot(a[i*cols:(i+1)*cols], x); d != got[i] {
					t.Fatalf("MatVec %dx%d: row %d = %v, Dot gives %v", rows, cols, i, got[i], d)
				}
			}

			gotAdd := make([]float64, rows)
			MatVecAdd(gotAdd, a, rows, cols, x, b)
			portAdd := make([]float64, rows)
			matVecGo(portAdd, a, rows, cols, x, b)
			if i := sameBits(gotAdd, portAdd); i >= 0 {
				t.Fatalf("MatVecAdd %dx%d: row %d = %v, portable code %v", rows, cols, i, gotAdd[i], portAdd[i])
			}
			for i := range gotAdd {
				if gotAdd[i] != b[i]+got[i] {
					t.Fatalf("MatVecAdd %dx%d: row %d = %v, want b + Ax = %v", rows, cols, i, gotAdd[i], b[i]+got[i])
				}
			}
			// dst aliasing b.
			alias := append([]float64(nil), b...)
			MatVecAdd(alias, a, rows, cols, x, alias)
			if i := sameBits(alias, gotAdd); i >= 0 {
				t.Fatalf("MatVecAdd %dx%d with dst = b: row %d = %v, want %v", rows, cols, i, alias[i], gotAdd[i])
			}

			gotT := make([]float64, cols)
			for j := range gotT {
				gotT[j] = math.NaN() // MatTVec must overwrite, not accumulate
			}
			MatTVec(gotT, a, rows, cols, r)
			portT := make([]float64, cols)
			matTVecGo(portT, a, rows, cols, r)
			refT := make([]float64, cols)
			if rows > 0 && cols > 0 {
				blas64.Gemv(blas.Trans, 1, g, blas64.Vector{N: rows, Inc: 1, Data: r}, 0, blas64.Vector{N: cols, Inc: 1, Data: refT})
			}
			if j := sameBits(gotT, portT); j >= 0 {
				t.Fatalf("MatTVec %dx%d: col %d = %v, portable code %v", rows, cols, j, gotT[j], portT[j])
			}
			for j := range gotT {
				scale, seq := 0.0, 0.0
				for i := 0; i < rows; i++ {
					scale += math.Abs(a[i*cols+j] * r[i])
					seq += float64(a[i*cols+j] * r[i])
				}
				if !relClose(gotT[j], refT[j], scale, 1e-12) {
					t.Fatalf("MatTVec %dx%d: col %d = %v, gonum %v", rows, cols, j, gotT[j], refT[j])
				}
				if gotT[j] != seq {
					t.Fatalf("MatTVec %dx%d: col %d = %v, documented sequential order gives %v", rows, cols, j, gotT[j], seq)
				}
			}
		}
	}
}

// TestMatVecSpecialValues checks that Inf and NaN propagate as in the
// portable code and that masked lanes never read past the matrix: the
// element after the matrix is a NaN that must not leak into any result.
func TestMatVecSpecialValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for cols := 1; cols <= 33; cols++ {
		rows := 9
		buf := randSlice(rng, rows*cols+4)
		for i := rows * cols; i < len(buf); i++ {
			buf[i] = math.NaN()
		}
		a := buf[: rows*cols : rows*cols]
		a[rng.IntN(len(a))] = math.Inf(1)
		x := randSlice(rng, cols)
		r := randSlice(rng, rows)
		got, port := make([]float64, rows), make([]float64, rows)
		MatVec(got, a, rows, cols, x)
		matVecGo(port, a, rows, cols, x, nil)
		if i := sameBits(got, port); i >= 0 {
			t.Fatalf("MatVec cols=%d: row %d = %v, portable %v", cols, i, got[i], port[i])
		}
		nans := 0
		for _, v := range got {
			if v != v {
				nans++
			}
		}
		if nans > 0 && x[0] != 0 {
			// Inf*x is ±Inf, never NaN, unless two infinities cancel; none do here.
			t.Fatalf("MatVec cols=%d: NaN leaked from beyond the matrix: %v", cols, got)
		}
		gotT, portT := make([]float64, cols), make([]float64, cols)
		MatTVec(gotT, a, rows, cols, r)
		matTVecGo(portT, a, rows, cols, r)
		if j := sameBits(gotT, portT); j >= 0 {
			t.Fatalf("MatTVec cols=%d: col %d = %v, portable %v", cols, j, gotT[j], portT[j])
		}
	}
}

func TestDotSumAxpy(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for n := 0; n < 40; n++ {
		x, y := randSlice(rng, n), randSlice(rng, n)
		var lanes [4]float64
		var lanesX [4]float64
		for i := range x {
			lanes[i%4] += float64(x[i] * y[i])
			lanesX[i%4] += x[i]
		}
		if got, want := Dot(x, y), (lanes[0]+lanes[1])+(lanes[2]+lanes[3]); got != want {
			t.Errorf("Dot n=%d: %v, documented order gives %v", n, got, want)
		}
		if got, want := Sum(x), (lanesX[0]+lanesX[1])+(lanesX[2]+lanesX[3]); got != want {
			t.Errorf("Sum n=%d: %v, documented order gives %v", n, got, want)
		}
		y2 := append([]float64(nil), y...)
		Axpy(0.75, x, y2)
		for i := range y2 {
			if want := y[i] + float64(0.75*x[i]); y2[i] != want {
				t.Errorf("Axpy n=%d: y[%d] = %v, want %v", n, i, y2[i], want)
			}
		}
	}
}

func TestLengthPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"MatVec": func() { MatVec(make([]float64, 2), make([]float64, 6), 2, 3, make([]float64, 2)) },
		"MatVecAdd": func() {
			MatVecAdd(make([]float64, 2), make([]float64, 6), 2, 3, make([]float64, 3), make([]float64, 1))
		},
		"MatTVec":        func() { MatTVec(make([]float64, 3), make([]float64, 5), 2, 3, make([]float64, 2)) },
		"Dot":            func() { Dot(make([]float64, 2), make([]float64, 3)) },
		"Axpy":           func() { Axpy(1, make([]float64, 2), make([]float64, 3)) },
		"BernoulliLogit": func() { BernoulliLogit(make([]float64, 2), make([]float64, 3), make([]float64, 2)) },
		"BernoulliLogitGLM": func() {
			BernoulliLogitGLM(make([]float64, 6), 2, 3, 0, make([]float64, 3), make([]float64, 2), make([]float64, 2), make([]float64, 2), make([]float64, 2))
		},
		"ExpTo":       func() { ExpTo(make([]float64, 2), make([]float64, 3)) },
		"PoissonLog":  func() { PoissonLog(make([]float64, 2), make([]float64, 2), make([]float64, 1)) },
		"NormalSumSq": func() { NormalSumSq(make([]float64, 2), make([]float64, 3), 1, make([]float64, 2)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with mismatched lengths did not panic", name)
				}
			}()
			f()
		}()
	}
}
