package dist_test

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// A normal log-density at three points, a mistake in a constant parameter, and the default
// transform of a positive variable.
func Example() {
	d := dist.Normal(0.0, 2.0)
	lp, err := tensor.Eval(d.Logp(tensor.Const([]float64{-1, 0, 3})))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f\n", lp[0].Data)

	fmt.Println(dist.HalfNormal(-1.0).Err())

	s := dist.HalfNormal(1.0)
	fmt.Println(s.Support(), s.DefaultTransform().Name())
	// Output:
	// [-1.7371 -1.6121 -2.7371]
	// HalfNormal: sigma is -1, but must be positive
	// x > 0 log
}

// A random draw of shape [2 3] from a batch of three normals with a fixed seed.
func ExampleDist_random() {
	rs := tensor.NewRandomStream(42)
	x, _ := tensor.Eval(dist.Normal([]float64{-10, 0, 10}, 0.1).Random(rs, []int{2, 3}))
	fmt.Println(x[0].Shape)
	// Output:
	// [2 3]
}
