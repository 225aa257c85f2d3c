package plots_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gopm-dev/gopm/plots"
)

// Draws from any sampler become a figure through FromMatrix.
func Example() {
	r := rand.New(rand.NewPCG(1, 1))
	rows := make([][]float64, 1000)
	for i := range rows {
		rows[i] = []float64{r.NormFloat64(), 2 + 0.5*r.NormFloat64()}
	}
	s, err := plots.FromMatrix([]string{"alpha", "beta"}, rows)
	if err != nil {
		fmt.Println(err)
		return
	}
	fig, err := plots.Posterior(s, plots.HDIProb(0.9), plots.Reference("alpha", 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	w, h := fig.Size()
	fmt.Println(len(fig.PNG()) > 0, w, h)
	// fig.Save("posterior.png") writes it to a file.

	_, err = plots.Trace(s, plots.Vars("gamma"))
	fmt.Println(err)
	// Output:
	// true 691 278
	// plots: unknown variable "gamma" (have alpha, beta)
}
