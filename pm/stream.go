package pm

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// drawStream writes kept draws as CSV rows while chains run.
type drawStream struct {
	mu    sync.Mutex
	f     *os.File
	w     *bufio.Writer
	fns   []*backend.Function // one per chain: chains call concurrently
	args  [][]*tensor.Array
	ld    *LogDensity
	tune  int
	rows  int
	err   error
	scrat [][]byte
}

func (m *Model) newDrawStream(path string, ld *LogDensity, chains, tune int) (*drawStream, error) {
	f, names, err := m.pointFunction(ld.backend)
	if err != nil {
		return nil, err
	}
	file, err := os.Create(path)
	if err != nil {
		return nil, &Error{Op: "StreamTo", Msg: err.Error()}
	}
	s := &drawStream{f: file, w: bufio.NewWriter(file), ld: ld, tune: tune}
	header := "chain,draw"
	byName := map[string]*RV{}
	for _, rv := range m.pointVars() {
		byName[rv.Name] = rv
	}
	for _, n := range names {
		tv := &TraceVar{Name: n, Shape: byName[n].Tensor.Shape()}
		for _, cn := range tv.ComponentNames() {
			header += "," + strconv.Quote(cn)
		}
	}
	s.w.WriteString(header + "\n")
	for c := 0; c < chains; c++ {
		g := f
		if c > 0 {
			g = f.Clone()
		}
		s.fns = append(s.fns, g)
		args := make([]*tensor.Array, len(ld.args))
		for i, a := range ld.args {
			args[i] = &tensor.Array{DType: a.DType, Shape: a.Shape}
		}
		s.args = append(s.args, args)
		s.scrat = append(s.scrat, nil)
	}
	return s, nil
}

func (s *drawStream) write(chain, iter int, x []float64) {
	if iter < s.tune {
		return
	}
	args := s.args[chain]
	for i, a := range args {
		a.Data = x[s.ld.offsets[i] : s.ld.offsets[i]+s.ld.sizes[i]]
	}
	outs, err := s.fns[chain].Run(args...)
	// Format outside the lock; each chain has its own scratch buffer.
	b := s.scrat[chain][:0]
	b = strconv.AppendInt(b, int64(chain), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(iter-s.tune), 10)
	if err == nil {
		for _, o := range outs {
			for _, v := range o.Data {
				b = append(b, ',')
				b = strconv.AppendFloat(b, v, 'g', -1, 64)
			}
		}
	}
	b = append(b, '\n')
	s.scrat[chain] = b
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("pm: StreamTo: chain %d draw %d: %v", chain, iter-s.tune, err)
	}
	if _, werr := s.w.Write(b); werr != nil && s.err == nil {
		s.err = werr
	}
	s.rows++
	if s.rows%256 == 0 {
		s.w.Flush()
	}
}

func (s *drawStream) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.w.Flush(); err != nil && s.err == nil {
		s.err = err
	}
	if err := s.f.Close(); err != nil && s.err == nil {
		s.err = err
	}
	return s.err
}
