package tensor

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Array is a concrete n-dimensional value in row-major order: what compiled functions take and
// return. Data has exactly Size() elements; see DType for how integers and booleans are stored.
type Array struct {
	DType DType
	Shape []int
	Data  []float64
}

// NewArray returns a zero array of the given dtype and shape.
func NewArray(dt DType, shape ...int) *Array {
	return &Array{DType: dt, Shape: cloneInts(shape), Data: make([]float64, shapeSize(shape))}
}

// Type is the array's (fully known) type.
func (a *Array) Type() Type { return Type{DType: a.DType, Shape: a.Shape} }

// Size is the number of elements.
func (a *Array) Size() int { return len(a.Data) }

// Float returns the value of a one-element array (any shape of size 1).
func (a *Array) Float() float64 {
	if len(a.Data) != 1 {
		panic(errorf("Array.Float", "array of shape %s is not a scalar", ShapeString(a.Shape)))
	}
	return a.Data[0]
}

// Floats returns a copy of the elements in row-major order.
func (a *Array) Floats() []float64 { return append([]float64(nil), a.Data...) }

// Ints returns a copy of the elements as int64 (for Int64 and Bool arrays).
func (a *Array) Ints() []int64 {
	out := make([]int64, len(a.Data))
	for i, v := range a.Data {
		out[i] = int64(v)
	}
	return out
}

// At returns the element at the given index (one index per dimension).
func (a *Array) At(idx ...int) float64 {
	if len(idx) != len(a.Shape) {
		panic(errorf("Array.At", "%d indices for an array of shape %s", len(idx), ShapeString(a.Shape)))
	}
	off := 0
	for i, k := range idx {
		if k < 0 || k >= a.Shape[i] {
			panic(errorf("Array.At", "index %d out of range for dimension %d of length %d", k, i, a.Shape[i]))
		}
		off = off*a.Shape[i] + k
	}
	return a.Data[off]
}

// Dense returns a 2-d array as a gonum matrix (a copy).
func (a *Array) Dense() *mat.Dense {
	if len(a.Shape) != 2 {
		panic(errorf("Array.Dense", "array of shape %s is not a matrix", ShapeString(a.Shape)))
	}
	return mat.NewDense(a.Shape[0], a.Shape[1], a.Floats())
}

// Clone returns a deep copy.
func (a *Array) Clone() *Array {
	return &Array{DType: a.DType, Shape: cloneInts(a.Shape), Data: append([]float64(nil), a.Data...)}
}

// CopyFrom copies b's values into a, which must have the same size; a takes b's shape.
func (a *Array) CopyFrom(b *Array) {
	copy(a.Data, b.Data)
	copy(a.Shape, b.Shape)
}

// String prints the array NumPy-style, e.g. "3.5", "[1 2 3]" or "[[1 2] [3 4]]".
func (a *Array) String() string {
	var b strings.Builder
	a.format(&b, 0, 0)
	return b.String()
}

func (a *Array) format(b *strings.Builder, dim, off int) int {
	if dim == len(a.Shape) {
		b.WriteString(formatElem(a.DType, a.Data[off]))
		return off + 1
	}
	b.WriteByte('[')
	for i := 0; i < a.Shape[dim]; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		off = a.format(b, dim+1, off)
	}
	b.WriteByte(']')
	return off
}

func formatElem(dt DType, v float64) string {
	switch dt {
	case Bool:
		if v != 0 {
			return "true"
		}
		return "false"
	case Int64:
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// AsArray converts a Go value to an Array: float64, float32, int kinds, bool, their slices and
// slices of slices (rectangular), *mat.Dense, *mat.VecDense, mat.Matrix, and *Array (returned as
// is). It returns an error naming the value's type for anything else, and for ragged slices.
func AsArray(v any) (*Array, error) {
	switch x := v.(type) {
	case *Array:
		if x == nil {
			return nil, fmt.Errorf("tensor: cannot convert a nil *tensor.Array to an array")
		}
		return x, nil
	case Array:
		return &x, nil
	case float64:
		return &Array{DType: Float64, Shape: []int{}, Data: []float64{x}}, nil
	case float32:
		return &Array{DType: Float64, Shape: []int{}, Data: []float64{float64(x)}}, nil
	case int:
		return intScalar(int64(x)), nil
	case int64:
		return intScalar(x), nil
	case int32:
		return intScalar(int64(x)), nil
	case uint8:
		return intScalar(int64(x)), nil
	case bool:
		return &Array{DType: Bool, Shape: []int{}, Data: []float64{b2f(x)}}, nil
	case []float64:
		return &Array{DType: Float64, Shape: []int{len(x)}, Data: append([]float64(nil), x...)}, nil
	case []float32:
		d := make([]float64, len(x))
		for i, e := range x {
			d[i] = float64(e)
		}
		return &Array{DType: Float64, Shape: []int{len(x)}, Data: d}, nil
	case []int:
		d := make([]float64, len(x))
		for i, e := range x {
			d[i] = float64(e)
		}
		return &Array{DType: Int64, Shape: []int{len(x)}, Data: d}, nil
	case []int64:
		d := make([]float64, len(x))
		for i, e := range x {
			d[i] = float64(e)
		}
		return &Array{DType: Int64, Shape: []int{len(x)}, Data: d}, nil
	case []bool:
		d := make([]float64, len(x))
		for i, e := range x {
			d[i] = b2f(e)
		}
		return &Array{DType: Bool, Shape: []int{len(x)}, Data: d}, nil
	case [][]float64:
		return fromRows(len(x), func(i int) []float64 { return x[i] }, Float64)
	case [][]int:
		rows := make([][]float64, len(x))
		for i, r := range x {
			rows[i] = make([]float64, len(r))
			for j, e := range r {
				rows[i][j] = float64(e)
			}
		}
		return fromRows(len(rows), func(i int) []float64 { return rows[i] }, Int64)
	case [][]bool:
		rows := make([][]float64, len(x))
		for i, r := range x {
			rows[i] = make([]float64, len(r))
			for j, e := range r {
				rows[i][j] = b2f(e)
			}
		}
		return fromRows(len(rows), func(i int) []float64 { return rows[i] }, Bool)
	case *mat.VecDense:
		n := x.Len()
		d := make([]float64, n)
		for i := range d {
			d[i] = x.AtVec(i)
		}
		return &Array{DType: Float64, Shape: []int{n}, Data: d}, nil
	case mat.Matrix:
		r, c := x.Dims()
		d := make([]float64, r*c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				d[i*c+j] = x.At(i, j)
			}
		}
		return &Array{DType: Float64, Shape: []int{r, c}, Data: d}, nil
	case nil:
		return nil, fmt.Errorf("tensor: cannot convert nil to an array")
	}
	return nil, fmt.Errorf("tensor: cannot convert a value of type %T to an array (use float64, int, bool, slices of them, [][]float64, gonum matrices or *tensor.Array)", v)
}

func intScalar(v int64) *Array {
	return &Array{DType: Int64, Shape: []int{}, Data: []float64{float64(v)}}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func fromRows(n int, row func(int) []float64, dt DType) (*Array, error) {
	if n == 0 {
		return &Array{DType: dt, Shape: []int{0, 0}, Data: []float64{}}, nil
	}
	c := len(row(0))
	d := make([]float64, 0, n*c)
	for i := 0; i < n; i++ {
		r := row(i)
		if len(r) != c {
			return nil, fmt.Errorf("tensor: ragged rows: row 0 has %d elements but row %d has %d", c, i, len(r))
		}
		d = append(d, r...)
	}
	return &Array{DType: dt, Shape: []int{n, c}, Data: d}, nil
}

// checkValue converts and checks an array against a static type, for binding inputs.
func checkValue(name string, t Type, v any) (*Array, error) {
	a, err := AsArray(v)
	if err != nil {
		return nil, fmt.Errorf("tensor: input %s: %w", name, err)
	}
	if err := CheckType(name, t, a); err != nil {
		return nil, err
	}
	return a, nil
}

// CheckType reports whether the array a can be bound to a variable of type t: same number of
// dimensions, known dimensions equal, and a dtype that converts without loss (int to float is
// allowed; float to int only for integral values).
func CheckType(name string, t Type, a *Array) error {
	if len(a.Shape) != len(t.Shape) {
		return fmt.Errorf("tensor: input %s has type %s but got a value of shape %s (%d dimensions, want %d)",
			name, t, ShapeString(a.Shape), len(a.Shape), len(t.Shape))
	}
	for i, d := range t.Shape {
		if d >= 0 && a.Shape[i] != d {
			return fmt.Errorf("tensor: input %s has type %s but got a value of shape %s", name, t, ShapeString(a.Shape))
		}
	}
	if t.DType != Float64 && a.DType == Float64 {
		for i, v := range a.Data {
			if v != math.Trunc(v) || (t.DType == Bool && v != 0 && v != 1) {
				return fmt.Errorf("tensor: input %s has dtype %s but element %d of the value is %v", name, t.DType, i, v)
			}
		}
	}
	return nil
}
