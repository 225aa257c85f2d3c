package tensor

import (
	"hash/maphash"
	"slices"
)

// nodeSet finds a node by its op and inputs, for the merging of common subexpressions: two nodes
// with equal ops (==) on the same input tensors compute the same values. It is an open-addressing
// table of nodes with their hashes, sized once for the graph, where a Go map keyed by the op
// and the inputs costs a key of 56 bytes per node, hashed field by field, and a table several
// times larger, allocated and cleared on every pass of Rewrite.
type nodeSet struct {
	seed  maphash.Seed
	slots []nodeSlot
	mask  uint64
	n     int
}

type nodeSlot struct {
	h    uint64
	node *Apply
}

// newNodeSet is an empty set for about n nodes.
func newNodeSet(n int) *nodeSet {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	return &nodeSet{seed: maphash.MakeSeed(), slots: make([]nodeSlot, size), mask: uint64(size - 1)}
}

// hash is the hash of op (comparable) on inputs ins.
func (s *nodeSet) hash(op Op, ins []*Tensor) uint64 {
	h := maphash.Comparable(s.seed, op) ^ uint64(len(ins))
	for _, x := range ins {
		h ^= x.idOf()
		// The finalizer of splitmix64: every input bit reaches every bit of h.
		h ^= h >> 30
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 27
		h *= 0x94d049bb133111eb
		h ^= h >> 31
	}
	return h
}

// find returns the node of op on ins that the set holds, or else adds node (whose op and inputs
// these are) and returns nil.
func (s *nodeSet) find(op Op, ins []*Tensor, node *Apply) *Apply {
	h := s.hash(op, ins)
	for i := h & s.mask; ; i = (i + 1) & s.mask {
		sl := &s.slots[i]
		if sl.node == nil {
			sl.h, sl.node = h, node
			s.n++
			if 2*s.n > len(s.slots) {
				s.grow()
			}
			return nil
		}
		if sl.h == h && sl.node.Op == op && slices.Equal(sl.node.Inputs, ins) {
			return sl.node
		}
	}
}

// grow doubles the table.
func (s *nodeSet) grow() {
	old := s.slots
	s.slots = make([]nodeSlot, 2*len(old))
	s.mask = uint64(len(s.slots) - 1)
	for _, sl := range old {
		if sl.node == nil {
			continue
		}
		i := sl.h & s.mask
		for s.slots[i].node != nil {
			i = (i + 1) & s.mask
		}
		s.slots[i] = sl
	}
}
