package backend_test

import (
	"errors"
	"fmt"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/backend/debug"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// A function with a default input, compiled on the default backend and called by keyword.
func ExampleCompile() {
	x := tensor.Scalar("x")
	y := tensor.Scalar("y")
	f, err := backend.Compile([]any{x, backend.In{Var: y, Value: 1.0}}, []*tensor.Tensor{x.Add(y), x.Mul(y)})
	if err != nil {
		panic(err)
	}
	out, _ := f.Call(2.0)
	fmt.Println(out[0], out[1])
	out, _ = f.Call(2.0, backend.Kw{"y": 10.0})
	fmt.Println(out[0], out[1])
	// Output:
	// 3 2
	// 12 20
}

// The debug backend names the op that first made a NaN.
func ExampleUse() {
	x := tensor.Vector("x")
	f, err := backend.Compile([]any{x}, tensor.Sum(tensor.Log(tensor.Sub(x, 2.0))), backend.Use("debug"))
	if err != nil {
		panic(err)
	}
	_, err = f.Call([]float64{3, 1})
	var nan *debug.NaNError
	if errors.As(err, &nan) {
		fmt.Println(nan.Op, nan.Element, nan.Expr)
	}
	// Output:
	// log 1 log(x - 2)
}
