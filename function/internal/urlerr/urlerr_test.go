package urlerr

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

func TestStrip(t *testing.T) {
	closed := testsupport.RefusedURL(t)
	_, refused := http.Post(closed+"/services/T0/B0/SECRET?sig=SECRET", "text/plain", nil)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, hang.URL+"/SECRET", nil)
	_, timeout := http.DefaultClient.Do(req)
	other := errors.New("not a url.Error")

	tests := []struct {
		name   string
		err    error
		prefix string
		has    string
	}{
		{"refused", refused, "dial tcp", "connection refused"},
		{"timeout", timeout, "timed out: ", "context deadline exceeded"},
		{"other", other, "not a url.Error", ""},
	}
	for _, tt := range tests {
		got := Strip(tt.err)
		if !strings.HasPrefix(got.Error(), tt.prefix) || !strings.Contains(got.Error(), tt.has) || strings.Contains(got.Error(), "SECRET") {
			t.Errorf("%s: Strip(%v) = %q; want it to start %q, hold %q and no URL", tt.name, tt.err, got, tt.prefix, tt.has)
		}
	}
	if !errors.Is(Strip(timeout), context.DeadlineExceeded) {
		t.Errorf("Strip(%v) no longer wraps context.DeadlineExceeded", timeout)
	}
}
