package ini

import (
	"fmt"
	"testing"
)

// TestNamesIndexGrowsAndFindsDuplicates: a table sized for one name takes
// 10,000 (growing on the way), finds each at its position, refuses a
// second of any name and finds no absent one.
func TestNamesIndexGrowsAndFindsDuplicates(t *testing.T) {
	var all []string
	nameOf := func(i int) string { return all[i] }
	x := newNames(1)
	for i := 0; i < 10000; i++ {
		all = append(all, fmt.Sprintf("profile p%d", i))
		if !x.add(nameOf, all[i], i) {
			t.Fatalf("%q refused", all[i])
		}
	}
	for i, n := range all {
		if j, ok := x.find(nameOf, n); !ok || j != i {
			t.Fatalf("%q found at %d %v, want %d", n, j, ok, i)
		}
		all = append(all, n)
		if x.add(nameOf, n, len(all)-1) {
			t.Fatalf("a second %q accepted", n)
		}
		all = all[:len(all)-1]
	}
	if _, ok := x.find(nameOf, "profile absent"); ok {
		t.Fatal("an absent name was found")
	}
}
