package chat

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"5":                             5 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"99999999999999999999":          0, // not an int: unreadable, not an overflow
		"Thu, 01 Jan 2026 00:00:10 GMT": 10 * time.Second,
		"Wed, 31 Dec 2025 23:59:00 GMT": 0,
	}
	for h, want := range tests {
		if got := RetryAfter(h, now); got != want {
			t.Errorf("RetryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestByStatus(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		status     int
		retryAfter string
		want       Meaning
		wait       time.Duration
	}{
		{100, "", Retryable, 0}, // an informational answer is never "delivered"
		{101, "", Retryable, 0},
		{200, "", Delivered, 0},
		{202, "", Delivered, 0},
		{204, "", Delivered, 0},
		{301, "", Failed, 0},
		{302, "", Failed, 0},
		{400, "", Failed, 0},
		{401, "", Failed, 0},
		{404, "", Failed, 0},
		{408, "", Retryable, 0},
		{410, "", Failed, 0},
		{429, "7", Retryable, 7 * time.Second},
		{429, "", Retryable, 0},
		{500, "", Retryable, 0},
		{503, "2", Retryable, 2 * time.Second},
	}
	for _, tt := range tests {
		v := ByStatus(Response{Status: tt.status, Header: http.Header{"Retry-After": {tt.retryAfter}}, Now: now, Body: "text"})
		if v.Means != tt.want || v.RetryAfter != tt.wait {
			t.Errorf("ByStatus(%d) = %v after %v, want %v after %v", tt.status, v.Means, v.RetryAfter, tt.want, tt.wait)
		}
		if v.Means != Delivered && (v.Reason == "" || v.Detail != "text") {
			t.Errorf("ByStatus(%d) = %+v: a failure needs a reason and the server's text", tt.status, v)
		}
	}
	if Meaning(0) != Failed {
		t.Error("the zero Meaning must be Failed: a verdict nobody set is never a delivery")
	}
}

func TestMarshalKeepsMarkupCharacters(t *testing.T) {
	got, err := Marshal(map[string]string{"text": "a < b & c > d <https://x.example/?a=1&b=2|link>"})
	if err != nil || string(got) != `{"text":"a < b & c > d <https://x.example/?a=1&b=2|link>"}` {
		t.Errorf("Marshal = %s, %v", got, err)
	}
	if _, err := Marshal(func() {}); err == nil {
		t.Error("a func encoded")
	}
}
