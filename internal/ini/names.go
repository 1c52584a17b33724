package ini

import "hash/maphash"

// names indexes a file's sections by name: an open-addressing hash table
// of positions in File.Sections, 8 bytes a section at most (a Go map of
// string to int takes about 36), which matters for files of a million
// sections. The names themselves stay in the sections.
type names struct {
	seed  maphash.Seed
	slots []uint32 // position + 1; 0 is an empty slot
	n     int
}

func newNames(capacity int) *names {
	size := 8
	for size < 2*capacity {
		size *= 2
	}
	return &names{seed: maphash.MakeSeed(), slots: make([]uint32, size)}
}

// find returns the position of the section named name.
func (t *names) find(sections []*Section, name string) (int, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := maphash.String(t.seed, name) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return 0, false
		}
		if sections[s-1].Name == name {
			return int(s - 1), true
		}
	}
}

// add records that sections[pos] is named name, or reports false when a
// section of that name is already recorded (the table is then unchanged).
func (t *names) add(sections []*Section, name string, pos int) bool {
	if 2*(t.n+1) > len(t.slots) {
		t.grow(sections)
	}
	mask := uint64(len(t.slots) - 1)
	for i := maphash.String(t.seed, name) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			t.slots[i] = uint32(pos + 1)
			t.n++
			return true
		}
		if sections[s-1].Name == name {
			return false
		}
	}
}

func (t *names) grow(sections []*Section) {
	old := t.slots
	t.slots, t.n = make([]uint32, 2*len(old)), 0
	for _, s := range old {
		if s != 0 {
			t.add(sections, sections[s-1].Name, int(s-1))
		}
	}
}
