package symbols_test

import (
	"fmt"

	"github.com/gopm-dev/gopm/repl/symbols"
)

// The generated list says which packages cells use without an import.
func Example() {
	for _, p := range symbols.Packages {
		if p.Auto {
			fmt.Println(p.Name)
		}
	}
	// Output:
	// fmt
	// math
	// display
	// pm
	// plots
}
