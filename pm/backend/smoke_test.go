package backend_test

import (
	"fmt"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/debug"
	_ "github.com/gopm-dev/gopm/pm/backend/vm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

func TestSmoke(t *testing.T) {
	for _, be := range []string{"vm", "debug"} {
		x := tensor.Scalar("x")
		y := tensor.Scalar("y")
		z := x.Add(y)
		f, err := backend.Compile([]any{x, y}, z, backend.Use(be))
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.Call(2.0, 3.0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(be, out[0], tensor.PP(z))
		m := tensor.Matrix("m")
		s := tensor.Div(1.0, tensor.Add(1.0, tensor.Exp(tensor.Neg(m))))
		g := tensor.Grad(tensor.Sum(s), m)[0]
		f2, err := backend.Compile([]any{m}, []*tensor.Tensor{s, g}, backend.Use(be))
		if err != nil {
			t.Fatal(err)
		}
		out, err = f2.Call([][]float64{{0, 1}, {-1, -2}})
		fmt.Println(be, out[0], out[1], err)
		fmt.Println(tensor.PP(g))
		st := tensor.Shared("state", 0)
		inc := tensor.IScalar("inc")
		acc, err := backend.Compile([]any{inc}, st, backend.Updates(st, st.Add(inc)), backend.Use(be))
		if err != nil {
			t.Fatal(err)
		}
		acc.Call(1)
		acc.Call(300)
		fmt.Println(st.Get())
	}
}
