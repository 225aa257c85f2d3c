package repl_test

import (
	"context"
	"fmt"

	"github.com/gopm-dev/gopm/repl"
)

// Cells share state; declarations and statements mix in any order; the
// last expression's values come back, all of them.
func Example() {
	e, err := repl.New(repl.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	ctx := context.Background()
	e.Eval(ctx, "x := 20")
	res, _ := e.Eval(ctx, "y, _ := half(x)\nfunc half(v int) (int, bool) { return v / 2, v%2 == 0 }\nfmt.Println(\"y is\", y)\nhalf(y)")
	fmt.Print(res.Outputs[0].Text)
	fmt.Println(res.Values...)
	_, err = e.Eval(ctx, "z := y +\n\tmissing")
	fmt.Println(err)
	// Output:
	// y is 10
	// 5 true
	// cell 3, line 2:2: undefined: missing
}
