package tensor

import (
	"fmt"
	"strings"
)

// DType is the element type of a tensor.
//
// Every dtype is stored in float64 buffers: Int64 values are exact integers up to 2^53 and Bool
// values are 0 or 1. One storage type keeps the kernels shared by all backends (so they agree bit
// for bit) and lets integer data index and mix with floating-point data without conversions. The
// dtype still governs semantics: the result types of operations, integer division, which inputs
// have gradients, and what Function returns to Go.
type DType uint8

// The dtypes.
const (
	Float64 DType = iota
	Int64
	Bool
)

// String returns the dtype's name as Theano spells it ("float64", "int64", "bool").
func (d DType) String() string {
	switch d {
	case Float64:
		return "float64"
	case Int64:
		return "int64"
	case Bool:
		return "bool"
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// IsFloat reports whether d is a floating-point dtype, the only kind with gradients.
func (d DType) IsFloat() bool { return d == Float64 }

// Unknown marks a dimension whose length is known only when a compiled function runs.
const Unknown = -1

// Type is a tensor's static type: its dtype and shape. A dimension may be Unknown. Only dimensions
// statically equal to 1 broadcast (Theano's broadcastable pattern); an Unknown dimension must match
// the dimension it meets at run time.
type Type struct {
	DType DType
	Shape []int
}

// NDim is the number of dimensions.
func (t Type) NDim() int { return len(t.Shape) }

// Size is the number of elements, or Unknown if any dimension is unknown.
func (t Type) Size() int { return shapeSize(t.Shape) }

// Known reports whether every dimension is known.
func (t Type) Known() bool {
	for _, d := range t.Shape {
		if d < 0 {
			return false
		}
	}
	return true
}

// String prints a type like "float64[3 ?]" (a scalar prints as "float64[]").
func (t Type) String() string { return t.DType.String() + ShapeString(t.Shape) }

// ShapeString prints a shape like "[3 ?]", with ? for an unknown dimension.
func ShapeString(s []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, d := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		if d < 0 {
			b.WriteByte('?')
		} else {
			fmt.Fprint(&b, d)
		}
	}
	b.WriteByte(']')
	return b.String()
}

func shapeSize(s []int) int {
	n := 1
	for _, d := range s {
		if d < 0 {
			return Unknown
		}
		n *= d
	}
	return n
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func cloneInts(s []int) []int {
	if s == nil {
		return []int{}
	}
	return append([]int{}, s...)
}

// upcast is the dtype of an arithmetic result of a and b: float if either is float, else int64.
func upcast(a, b DType) DType {
	if a == Float64 || b == Float64 {
		return Float64
	}
	return Int64
}

// Error is a mistake in building a graph or in running one: the operation, what was wrong, and
// the expression at fault where known. Graph construction panics with *Error at the call that
// builds a wrong graph (expression chains cannot return errors); work functions return it.
type Error struct {
	Op   string // the operation, e.g. "add" or "dot"
	Msg  string // what is wrong, naming shapes, dtypes and variables
	Expr string // the offending expression as PP prints it, if known
}

// Error implements error.
func (e *Error) Error() string {
	s := "tensor: " + e.Op + ": " + e.Msg
	if e.Expr != "" {
		s += " (in " + e.Expr + ")"
	}
	return s
}

func errorf(op, format string, args ...any) *Error {
	return &Error{Op: op, Msg: fmt.Sprintf(format, args...)}
}

// Catch runs f and returns the *Error it panicked with, if any, so that Go code building graphs
// can turn a construction mistake into an error value. Other panics propagate.
func Catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*Error); ok {
				err = e
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}
