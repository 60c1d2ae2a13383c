package bench

import (
	"fmt"
	"strings"
	"time"
)

// Table is a Markdown table built row by row.
type Table struct {
	Title  string
	Header []string
	rows   [][]string
}

// Add appends a row; missing cells are left empty, extra ones dropped.
func (t *Table) Add(cells ...string) {
	row := make([]string, len(t.Header))
	copy(row, cells)
	t.rows = append(t.rows, row)
}

// Len is the number of rows.
func (t *Table) Len() int { return len(t.rows) }

// Markdown renders the table under a "### Title" heading. Cells are
// escaped so a "|" in a figure cannot break the layout.
func (t *Table) Markdown() string {
	var b strings.Builder
	if t.Title != "" {
		fmt.Fprintf(&b, "### %s\n\n", t.Title)
	}
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	line(t.Header)
	sep := make([]string, len(t.Header))
	for i := range sep {
		sep[i] = "---"
	}
	line(sep)
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}

// Seconds formats a duration as seconds with two decimals ("1.25 s").
func Seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// MB formats a byte count in megabytes (10^6) with one decimal.
func MB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// Ratio formats a/b as "1.23x", or "-" when b is zero.
func Ratio(a, b time.Duration) string {
	if b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", float64(a)/float64(b))
}
