package step

import "testing"

func TestNoAllocationsAfterWarmup(t *testing.T) {
	D := []float64{4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6, 3, 3, 5, 4, 1, 1, 0, 1, 0, 0, 1, 2, 0, 1}
	coal := coalModel(D)
	coalBlocks := []BlockInfo{{Name: "e", Indices: []int{0}}, {Name: "l", Indices: []int{1}}, {Name: "s", Indices: []int{2}, Categories: len(D)}}
	d := newStdNormal(20)
	cases := []struct {
		name string
		mk   func() (Method, error)
		x0   []float64
	}{
		{"NUTS", func() (Method, error) { return NewNUTS(d, NUTSOptions{}) }, make([]float64, 20)},
		{"NUTS-dense", func() (Method, error) { return NewNUTS(d, NUTSOptions{Adapt: AdaptDense}) }, make([]float64, 20)},
		{"NUTS-lowrank", func() (Method, error) {
			return NewNUTS(ar1Gaussian(20, 0.9, scale20()), NUTSOptions{Adapt: AdaptLowRank})
		}, make([]float64, 20)},
		{"HMC", func() (Method, error) { return NewHMC(d, HMCOptions{}) }, make([]float64, 20)},
		{"Metropolis", func() (Method, error) { return NewMetropolis(d, MetropolisOptions{}) }, make([]float64, 20)},
		{"Slice", func() (Method, error) { return NewSlice(d, SliceOptions{}) }, make([]float64, 20)},
		{"DEMetropolisZ", func() (Method, error) { return NewDEMetropolisZ(d, DEMetropolisZOptions{}) }, make([]float64, 20)},
		{"Compound", func() (Method, error) { return Assign(coal, coalBlocks, AssignOptions{}) }, []float64{0, 0, 10}},
	}
	for _, c := range cases {
		m, err := c.mk()
		if err != nil {
			t.Fatal(err)
		}
		const tune, draws = 300, 200
		if err := m.Init(tune, draws); err != nil {
			t.Fatal(err)
		}
		s := NewState(c.x0, ChainRand(1, 0))
		var st Stats
		for i := 0; i < tune; i++ {
			s.Iter, s.Tuning = i, true
			m.Step(s, &st)
		}
		s.Tuning = false
		if nu, ok := m.(*NUTS); ok && c.name == "NUTS-lowrank" && nu.met.k == 0 {
			t.Errorf("%s: no low-rank directions after warm-up, the O(n·k) path is not measured", c.name)
		}
		allocs := testing.AllocsPerRun(draws-1, func() { m.Step(s, &st) })
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per draw after warm-up", c.name, allocs)
		}
	}
}

// scale20 is the scales of a 20-d correlated Gaussian whose low-rank metric keeps directions.
func scale20() []float64 {
	s := make([]float64, 20)
	for i := range s {
		s[i] = 1 + float64(i%3)
	}
	return s
}
