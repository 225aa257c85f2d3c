package pm_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// Four posteriors from posteriordb (testdata/posteriordb, BSD-3; reference draws from rstan,
// 10 chains × 1000): linear models with improper flat priors, one with two coefficients
// correlated at −0.9999, one with scales in the hundreds. Means must agree within Monte Carlo
// error (ours and the reference's) and sds within 10%.
func TestPosteriordbReferences(t *testing.T) {
	type ref struct {
		Parameters map[string]struct {
			Mean    float64 `json:"mean"`
			SD      float64 `json:"sd"`
			ESSBulk float64 `json:"ess_bulk"`
		} `json:"parameters"`
	}
	cases := []struct {
		name  string
		build func(d map[string][]float64) *pm.Model
		opts  []pm.SampleOption
	}{
		{"kidiq-kidscore_momhs", func(d map[string][]float64) *pm.Model {
			m := pm.NewModel()
			beta := m.Var("beta", pm.Flat(), pm.Shape(2))
			sigma := m.Var("sigma", pm.HalfCauchy(2.5))
			m.Observe("kid_score", pm.Normal(beta.At(0).Add(beta.At(1).Mul(d["mom_hs"])), sigma), d["kid_score"])
			return m
		}, nil},
		{"kidiq_with_mom_work-kidscore_mom_work", func(d map[string][]float64) *pm.Model {
			m := pm.NewModel()
			beta := m.Var("beta", pm.Flat(), pm.Shape(4))
			sigma := m.Var("sigma", pm.HalfFlat())
			mu := beta.At(0)
			for k := 2; k <= 4; k++ {
				mu = mu.Add(beta.At(k - 1).Mul(tensor.Cast(tensor.Eq(d["mom_work"], float64(k)), tensor.Float64)))
			}
			m.Observe("kid_score", pm.Normal(mu, sigma), d["kid_score"])
			return m
		}, nil},
		{"earnings-logearn_logheight_male", func(d map[string][]float64) *pm.Model {
			m := pm.NewModel()
			beta := m.Var("beta", pm.Flat(), pm.Shape(3))
			sigma := m.Var("sigma", pm.HalfFlat())
			mu := beta.At(0).Add(beta.At(1).Mul(tensor.Log(d["height"]))).Add(beta.At(2).Mul(d["male"]))
			m.Observe("log_earn", pm.Normal(mu, sigma), tensor.Log(d["earn"]))
			return m
		}, []pm.SampleOption{pm.Metric("dense")}},
		{"mesquite-mesquite", func(d map[string][]float64) *pm.Model {
			m := pm.NewModel()
			beta := m.Var("beta", pm.Flat(), pm.Shape(7))
			sigma := m.Var("sigma", pm.HalfFlat())
			mu := beta.At(0)
			for k, col := range []string{"diam1", "diam2", "canopy_height", "total_height", "density", "group"} {
				mu = mu.Add(beta.At(k + 1).Mul(d[col]))
			}
			m.Observe("weight", pm.Normal(mu, sigma), d["weight"])
			return m
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join("testdata", "posteriordb", c.name)
			var raw map[string]any
			readJSONFile(t, filepath.Join(dir, "data.json"), &raw)
			d := map[string][]float64{}
			for k, v := range raw {
				if xs, ok := v.([]any); ok {
					f := make([]float64, len(xs))
					for i, x := range xs {
						f[i] = x.(float64)
					}
					d[k] = f
				}
			}
			var r ref
			readJSONFile(t, filepath.Join(dir, "reference.json"), &r)
			m := c.build(d)
			tr, err := m.Sample(append([]pm.SampleOption{pm.Draws(1000), pm.Tune(1000), pm.Chains(4), pm.Seed(17)}, c.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			s, err := pm.Summary(tr)
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range r.Parameters {
				ours := pm.FromStanName(name)
				mean, err := s.Get(ours, "mean")
				if err != nil {
					t.Fatalf("%s: %v", ours, err)
				}
				sd, _ := s.Get(ours, "sd")
				mcse, _ := s.Get(ours, "mcse_mean")
				refErr := want.SD / math.Sqrt(math.Max(want.ESSBulk, 1000))
				if math.Abs(mean-want.Mean) > 4*math.Hypot(mcse, refErr) {
					t.Errorf("%s mean %.5g, reference %.5g (4 MCSE %.3g)", ours, mean, want.Mean, 4*math.Hypot(mcse, refErr))
				}
				if math.Abs(sd-want.SD) > 0.1*want.SD {
					t.Errorf("%s sd %.5g, reference %.5g", ours, sd, want.SD)
				}
			}
		})
	}
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
