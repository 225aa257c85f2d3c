package pm_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// fuzzDist picks a distribution with parameters a and b.
func fuzzDist(kind uint8, a, b float64) dist.Dist {
	switch kind % 12 {
	case 0:
		return pm.Normal(a, b)
	case 1:
		return pm.HalfNormal(b)
	case 2:
		return pm.Uniform(a, b)
	case 3:
		return pm.Gamma(a, b)
	case 4:
		return pm.Beta(a, b)
	case 5:
		return pm.Poisson(a)
	case 6:
		return pm.Categorical([]float64{a, b})
	case 7:
		return pm.Bernoulli(a)
	case 8:
		return pm.StudentT(a, 0, b)
	case 9:
		return pm.Exponential(a)
	case 10:
		return pm.MvNormal([]float64{a, b}, [][]float64{{1, 0}, {0, b}})
	default:
		return pm.Dirichlet([]float64{a, b})
	}
}

// fuzzDim maps a fuzzed integer to a dimension: mostly small, sometimes zero, negative or huge.
func fuzzDim(d int64) int {
	switch {
	case d == math.MinInt64 || d < -1000:
		return -2
	case d > 1<<30:
		return 1 << 40
	case d < 0:
		return int(d % 5)
	}
	return int(d % 9)
}

// fuzzData is n values around v (n < 0 gives empty data), with NaN, Inf and huge values as the
// fuzzer finds them.
func fuzzData(v float64, n int64) []float64 {
	k := int(n % 12)
	if k < 0 {
		k = 0
	}
	out := make([]float64, k)
	for i := range out {
		out[i] = v + float64(i%3)
	}
	return out
}

// checkNamed fails unless err names one of the variables.
func checkNamed(t *testing.T, step string, err error, names ...string) {
	if err == nil {
		return
	}
	for _, n := range names {
		if strings.Contains(err.Error(), `"`+n+`"`) {
			return
		}
	}
	t.Errorf("%s: the error does not name the variable (%s): %v", step, strings.Join(names, ", "), err)
}

// noPanic runs f and fails the test if a panic escapes that is not a typed model-building
// error.
func noPanic(t *testing.T, step string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var pe *pm.Error
			var te *tensor.Error
			if e, ok := r.(error); ok && (errors.As(e, &pe) || errors.As(e, &te)) {
				err = e
				return
			}
			t.Fatalf("%s: a panic escaped the API: %v", step, r)
		}
	}()
	return f()
}

// FuzzModel builds models from random distributions, parameters, shapes and data (NaN, Inf,
// empty, huge), then compiles and evaluates them: no panic may escape the public API, and every
// model-building error names the variable at fault.
func FuzzModel(f *testing.F) {
	f.Add(uint8(0), 0.0, 1.0, int64(3), int64(-1), uint8(0), 0.5, int64(5), int64(4))
	f.Add(uint8(1), 1.0, math.Inf(1), int64(0), int64(2), uint8(1), math.NaN(), int64(0), int64(-3))
	f.Add(uint8(6), 0.3, 0.3, int64(-2), int64(1<<40), uint8(5), math.Inf(-1), int64(3), int64(1))
	f.Add(uint8(10), 0.0, -1.0, int64(2), int64(2), uint8(3), 1e308, int64(11), int64(0))
	f.Add(uint8(3), 2.0, 3.0, int64(1<<31+1), int64(-7), uint8(8), -1e300, int64(1), int64(7))
	f.Fuzz(func(t *testing.T, k1 uint8, a, b float64, d0, d1 int64, k2 uint8, v float64, n, nd int64) {
		m := pm.NewModel()
		var x *tensor.Tensor
		err := noPanic(t, "Var", func() error {
			return pm.Catch(func() {
				var opts []pm.VarOption
				if d0%4 != 0 {
					shape := []int{fuzzDim(d0)}
					if d1%3 == 0 {
						shape = append(shape, fuzzDim(d1))
					}
					opts = append(opts, pm.Shape(shape...))
				}
				x = m.Var("x", fuzzDist(k1, a, b), opts...)
			})
		})
		checkNamed(t, "Var", err, "x")
		data := fuzzData(v, n)
		var xd *tensor.Tensor
		err = noPanic(t, "Data", func() error {
			return pm.Catch(func() { xd = m.Data("xd", fuzzData(v, nd)) })
		})
		checkNamed(t, "Data", err, "xd")
		err = noPanic(t, "Observe", func() error {
			return pm.Catch(func() {
				mu := any(a)
				if x != nil && x.DType() == tensor.Float64 {
					mu = pm.Mean(x)
				}
				if xd != nil && k2%2 == 0 {
					mu = pm.Add(mu, pm.Mean(xd))
				}
				m.Observe("y", fuzzDist(k2, 0, 1), data)
				m.Observe("z", pm.Normal(mu, math.Abs(b)), data)
			})
		})
		checkNamed(t, "Observe", err, "y", "z")
		if xd != nil {
			err = noPanic(t, "SetData", func() error { return m.SetData("xd", fuzzData(b, n)) })
			checkNamed(t, "SetData", err, "xd")
		}
		if len(m.FreeVars()) == 0 {
			return
		}
		noPanic(t, "Compile", func() error { _, err := m.Compile(); return err })
		noPanic(t, "InitialPoint/Logp", func() error {
			p, err := m.InitialPoint()
			if err != nil {
				return err
			}
			_, err = m.Logp(p)
			return err
		})
		noPanic(t, "SamplePriorPredictive", func() error { _, err := pm.SamplePriorPredictive(m, 2, 1); return err })
		noPanic(t, "String", func() error { _ = fmt.Sprint(m); return nil })
	})
}
