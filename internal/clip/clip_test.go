package clip

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijk", 10, "abcdefg…"},
		{"한국어 텍스트", 10, "한국…"}, // 3-byte characters are never split
		{"bad \xff", 10, "bad \uFFFD"},
		{"abcdef", 2, ""},
	}
	for _, tt := range tests {
		got := String(tt.in, tt.limit)
		if got != tt.want || len(got) > tt.limit || !utf8.ValidString(got) {
			t.Errorf("String(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"latency", 10, "latency"},
		{"latency", 3, "lat"},
		{"지연 시간", 3, "지"}, // 3 bytes a character
		{"지연 시간", 5, "지"}, // never half a character
		{"지연 시간", 6, "지연"},
		{"🔥🔥", 7, "🔥"}, // 4 bytes an emoji
		{"🔥🔥", 8, "🔥🔥"},
		{"a🔥", 2, "a"},
		{"anything", 0, ""},
		{"anything", -1, ""},
	}
	for _, tt := range tests {
		got := Prefix(tt.in, tt.n)
		if got != tt.want || !utf8.ValidString(got) || len(got) > max(tt.n, 0) {
			t.Errorf("Prefix(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestError(t *testing.T) {
	long := errors.Join(fs.ErrNotExist, errors.New(strings.Repeat("AccessDenied ", 400)))
	err := Error(long, 300)
	if len(err.Error()) > 300 || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Error = %d bytes, Is(ErrNotExist) = %v", len(err.Error()), errors.Is(err, fs.ErrNotExist))
	}
	if Error(nil, 10) != nil {
		t.Error("Error(nil) is not nil")
	}
}
