package registry

import "strings"

// DidYouMean returns the known key within two edits of got (case
// ignored), if exactly one is: the one suggestion for a misspelt key, in
// server files and in .github/updater.yaml alike. "" when none or several
// are that close.
func DidYouMean(got string, known []string) string {
	best, count := "", 0
	for _, k := range known {
		if editDistance(strings.ToLower(got), strings.ToLower(k)) <= 2 {
			best = k
			count++
		}
	}
	if count != 1 {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of two short keys, in bytes.
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
