package awsconfig

import (
	"sort"
	"strings"
)

// Suggest returns up to three names closest to name, for "did you mean":
// names within an edit distance of a third of the name's length (at least
// 2), or that contain it or are contained in it, closest first.
func Suggest(name string, names []string) []string {
	type scored struct {
		name string
		d    int
	}
	limit := max(2, len(name)/3)
	lower := strings.ToLower(name)
	var found []scored
	for _, n := range names {
		if n == name {
			continue
		}
		ln := strings.ToLower(n)
		d := EditDistance(lower, ln)
		if d > limit && !(lower != "" && (strings.Contains(ln, lower) || strings.Contains(lower, ln) && ln != "")) {
			continue
		}
		found = append(found, scored{n, d})
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].d < found[j].d })
	out := make([]string, 0, 3)
	for _, s := range found {
		if len(out) == 3 {
			break
		}
		out = append(out, s.name)
	}
	return out
}

// EditDistance is the Damerau-Levenshtein distance (optimal string
// alignment) between a and b, by bytes: a swap of two neighbours is one
// edit.
func EditDistance(a, b string) int {
	if len(a) > 256 || len(b) > 256 {
		if a == b {
			return 0
		}
		return max(len(a), len(b))
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
