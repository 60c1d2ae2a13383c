package registry

import "strings"

// didYouMean returns the one known word closest to got, when it is close
// enough to be a slip of the keyboard (at most two edits, fewer for short
// words, case ignored); "" otherwise or when two are equally close.
func didYouMean(got string, known []string) string {
	best, bestDist, tie := "", len(got), false
	limit := min(2, len(got)/3)
	for _, k := range known {
		d := editDistance(strings.ToLower(got), strings.ToLower(k))
		switch {
		case d < bestDist:
			best, bestDist, tie = k, d, false
		case d == bestDist:
			tie = true
		}
	}
	if best == "" || tie || bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
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
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
