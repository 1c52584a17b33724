package ini

import "hash/maphash"

// names indexes a file's sections by name: an open-addressing hash table
// of section positions with a byte of each name's hash beside it, 10 bytes
// a section at most (a Go map of string to int takes about 36), which
// matters for files of a million sections. The names themselves stay in
// the text: nameOf(i) returns section i's.
type names struct {
	seed  maphash.Seed
	slots []uint32 // position + 1; 0 is an empty slot
	tags  []uint8  // the top byte of the name's hash, to skip most compares
	n     int
}

func newNames(capacity int) *names {
	size := 8
	for size < 2*capacity {
		size *= 2
	}
	return &names{seed: maphash.MakeSeed(), slots: touched(make([]uint32, size)), tags: touched(make([]uint8, size))}
}

// touched writes s's zeroes once. A large slice fresh from the OS is not
// mapped yet; probing the table first would map each page to the shared
// zero page and the first insert would then copy it, a second fault that
// also flushes the TLB of every CPU running the parser's other thread
// (about 5% of a whole export at 20,000 profiles). Written first, each
// page takes one fault.
func touched[T uint32 | uint8](s []T) []T {
	clear(s)
	return s
}

// find returns the position of the section named name.
func (t *names) find(nameOf func(int) string, name string) (int, bool) {
	h := maphash.String(t.seed, name)
	mask, tag := uint64(len(t.slots)-1), uint8(h>>56)
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return 0, false
		}
		if t.tags[i] == tag && nameOf(int(s-1)) == name {
			return int(s - 1), true
		}
	}
}

// add records that section pos is named name, or reports false when a
// section of that name is already recorded (the table is then unchanged).
func (t *names) add(nameOf func(int) string, name string, pos int) bool {
	if 2*(t.n+1) > len(t.slots) {
		t.grow(nameOf)
	}
	h := maphash.String(t.seed, name)
	mask, tag := uint64(len(t.slots)-1), uint8(h>>56)
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			t.slots[i], t.tags[i] = uint32(pos+1), tag
			t.n++
			return true
		}
		if t.tags[i] == tag && nameOf(int(s-1)) == name {
			return false
		}
	}
}

func (t *names) grow(nameOf func(int) string) {
	old := t.slots
	t.slots, t.tags, t.n = touched(make([]uint32, 2*len(old))), touched(make([]uint8, 2*len(old))), 0
	for _, s := range old {
		if s != 0 {
			t.add(nameOf, nameOf(int(s-1)), int(s-1))
		}
	}
}
