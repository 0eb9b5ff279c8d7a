package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// table prints a header and rows in aligned columns.
func table(header []string, rows ...[]string) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	for _, r := range append([][]string{header}, rows...) {
		fmt.Fprintln(w, strings.Join(r, "\t")+"\t")
	}
	_ = w.Flush()
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }

// rate is n per second of d.
func rate(n int, d time.Duration) string { return fmt.Sprintf("%.1f", float64(n)/d.Seconds()) }

// ratio is how many times faster took is than base: base/took.
func ratio(base, took time.Duration) string {
	return fmt.Sprintf("%.2f", base.Seconds()/took.Seconds())
}

// percentile returns the p-th percentile (0–100) of ds, sorting it.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, len(ds)*p/100)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// perPage is d in milliseconds per one of n pages.
func perPage(d time.Duration, n int) string {
	return fmt.Sprintf("%.0f", float64(d.Milliseconds())/float64(n))
}
