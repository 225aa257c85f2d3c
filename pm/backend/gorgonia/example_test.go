package gorgonia_test

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/gorgonia" // registers "gorgonia" and "gorgonia-ad"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// The same function on vm and on gorgonia's tape machine, and its gradient by gorgonia's own
// differentiation.
func Example() {
	x, y := tensor.Scalar("x"), tensor.Scalar("y")
	f := tensor.Add(tensor.Mul(x, x), y)
	for _, be := range []string{"vm", "gorgonia"} {
		fn, err := backend.Compile([]any{x, y}, f, backend.Use(be))
		if err != nil {
			fmt.Println(err)
			return
		}
		out, _ := fn.Call(3.0, 1.0)
		fmt.Println(be, out[0])
	}
	g, err := backend.CompileGradient([]any{x, y}, f, []*tensor.Tensor{x, y}, backend.Use("gorgonia-ad"))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := g.Call(3.0, 1.0)
	fmt.Println("gorgonia-ad", out[0], out[1], out[2])
	// Output:
	// vm 10
	// gorgonia 10
	// gorgonia-ad 10 6 1
}
