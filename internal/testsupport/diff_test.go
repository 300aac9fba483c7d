package testsupport

import (
	"fmt"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	lines := func(n int, change map[int]string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if s, ok := change[i]; ok {
				b.WriteString(s)
				continue
			}
			fmt.Fprintf(&b, "line %d\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name, want, got, diff string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"one line changed in the middle", lines(20, nil), lines(20, map[int]string{10: "ten\n"}), `--- want
+++ got
@@ -7,7 +7,7 @@
 line 7
 line 8
 line 9
-line 10
+ten
 line 11
 line 12
 line 13
`},
		{"line added at the start", "b\nc\n", "a\nb\nc\n", `--- want
+++ got
@@ -1,2 +1,3 @@
+a
 b
 c
`},
		{"line removed at the end", "a\nb\nc\n", "a\nb\n", `--- want
+++ got
@@ -1,3 +1,2 @@
 a
 b
-c
`},
		{"two changes far apart make two hunks", lines(30, nil), lines(30, map[int]string{2: "", 28: "x\n"}), `--- want
+++ got
@@ -1,5 +1,4 @@
 line 1
-line 2
 line 3
 line 4
 line 5
@@ -25,6 +24,6 @@
 line 25
 line 26
 line 27
-line 28
+x
 line 29
 line 30
`},
		{"changes close together share a hunk", lines(12, nil), lines(12, map[int]string{4: "4\n", 9: "9\n"}), `--- want
+++ got
@@ -1,12 +1,12 @@
 line 1
 line 2
 line 3
-line 4
+4
 line 5
 line 6
 line 7
 line 8
-line 9
+9
 line 10
 line 11
 line 12
`},
		{"missing final newline", "a\nb", "a\nb\n", `--- want
+++ got
@@ -1,2 +1,2 @@
 a
-b
\ No newline at end of file
+b
`},
		{"empty want", "", "a\n", `--- want
+++ got
@@ -1,0 +1,1 @@
+a
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.want, tt.got); got != tt.diff {
				t.Errorf("Diff =\n%s\nwant\n%s", got, tt.diff)
			}
		})
	}
}

// TestDiffOfHugeInputsStaysBounded: past the table's bound the middle is shown whole, still as a
// correct diff (every want line removed, every got line added).
func TestDiffOfHugeInputsStaysBounded(t *testing.T) {
	var a, b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	d := Diff("same\n"+a.String(), "same\n"+b.String())
	if strings.Count(d, "\n-a") != 3000 || strings.Count(d, "\n+b") != 3000 {
		t.Fatalf("diff of 3000 changed lines is not 3000 removed and 3000 added:\n%.500s", d)
	}
}
