package term_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gopm-dev/gopm/repl/term"
)

// A session prints what cells write and the values of scripts'
// top-level expressions on the configured streams.
func Example() {
	s, err := term.NewSession(term.Config{
		PlotDir: os.TempDir(),
		Stdin:   io.NopCloser(strings.NewReader("")),
		Stdout:  os.Stdout,
		Stderr:  os.Stdout,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	s.Script(context.Background(), "demo.go", "x := 6\nfmt.Println(\"x is\", x)\nx * 7\n")
	s.Cell(context.Background(), "y := x +\n\tmissing")
	// Output:
	// x is 6
	// 42
	// error: cell 2, line 2:2: undefined: missing
}
