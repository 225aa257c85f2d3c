package step

import (
	"math"
	"testing"
)

// wide is N(0, 50²) in two dimensions: a unit proposal is far too small.
var wide = Func{N: 2, G: func(x, g []float64) float64 {
	g[0], g[1] = -x[0]/2500, -x[1]/2500
	return -(x[0]*x[0] + x[1]*x[1]) / 5000
}}

func TestMetropolisScaleTuning(t *testing.T) {
	for _, elem := range []bool{false, true} {
		m, err := NewMetropolis(wide, MetropolisOptions{Elementwise: elem})
		if err != nil {
			t.Fatal(err)
		}
		res := runOK(t, Config{
			NewMethod: func(int) (Method, error) { return m, nil },
			Init:      [][]float64{{0, 0}}, Tune: 2000, Draws: 4000, Seed: 6,
		})
		// PyMC's rule multiplies by 10 above 95% acceptance and by 2 above
		// 75%: from 1 the scale must grow toward the target's width.
		if sc := m.Scaling(); sc < 10 || sc > 500 {
			t.Errorf("elementwise %v: tuned scaling %v", elem, sc)
		}
		acc := 0.0
		for _, s := range res.Chains[0].Stats {
			acc += s.Acceptance
		}
		acc /= float64(len(res.Chains[0].Stats))
		if acc < 0.15 || acc > 0.8 {
			t.Errorf("elementwise %v: acceptance after tuning %.2f", elem, acc)
		}
		checkMoments(t, "metropolis wide", res.Column(0), 0, 50)
	}
}

func TestSliceWidthTuning(t *testing.T) {
	s, err := NewSlice(wide, SliceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := runOK(t, Config{
		NewMethod: func(int) (Method, error) { return s, nil },
		Init:      [][]float64{{0, 0}}, Tune: 300, Draws: 1000, Seed: 6,
	})
	// The tuned width is the mean final interval, of the order of the sd.
	if s.w[0] < 20 || s.w[0] > 400 {
		t.Errorf("tuned width %v", s.w[0])
	}
	evals := 0
	for _, st := range res.Chains[0].Stats {
		evals += st.NSteps
	}
	if per := float64(evals) / 2000; per > 8 {
		t.Errorf("%.1f evaluations per coordinate update after tuning", per)
	}
}

func TestDEMetropolisZTuning(t *testing.T) {
	for _, tune := range []DEMZTune{DEMZTuneScaling, DEMZTuneLambda} {
		m, err := NewDEMetropolisZ(wide, DEMetropolisZOptions{Tune: tune})
		if err != nil {
			t.Fatal(err)
		}
		res := runOK(t, Config{
			NewMethod: func(int) (Method, error) { return m, nil },
			Init:      [][]float64{{0, 0}}, Tune: 2000, Draws: 4000, Seed: 6,
		})
		if tune == DEMZTuneScaling && !(m.Scaling() > 0.001) {
			t.Errorf("noise scaling not tuned up: %v", m.Scaling())
		}
		if tune == DEMZTuneLambda && m.Lambda() == 2.38/math.Sqrt(4) {
			t.Errorf("lambda not tuned")
		}
		// The history keeps 10% of warm-up plus every draw.
		if want := 200 + 4000; m.nHist != want {
			t.Errorf("history holds %d states, want %d", m.nHist, want)
		}
		checkMoments(t, "demz wide", res.Column(1), 0, 50)
	}
}

func TestHMCDivergence(t *testing.T) {
	// A fixed step size far too large for a narrow normal: the energy
	// error explodes, which must be flagged, not accepted.
	narrow := Func{N: 1, G: func(x, g []float64) float64 { g[0] = -x[0] * 1e6; return -0.5 * x[0] * x[0] * 1e6 }}
	m, err := NewHMC(narrow, HMCOptions{StepSize: 0.5, FixedStepSize: true, PathLength: 5})
	if err != nil {
		t.Fatal(err)
	}
	res := runOK(t, Config{
		NewMethod: func(int) (Method, error) { return m, nil },
		Init:      [][]float64{{0.001}}, Tune: 0, Draws: 20, Seed: 1, NoJitter: true,
	})
	for _, s := range res.Chains[0].Stats {
		if !s.Diverging || s.Acceptance != 0 || !(s.MaxEnergyError > 1000) {
			t.Fatalf("stats %+v, want a divergence", s)
		}
	}
	if x := res.Chains[0].Draws[19][0]; x != 0.001 {
		t.Errorf("divergent transitions moved the chain to %v", x)
	}
}
