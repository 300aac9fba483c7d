package faultproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// The proxy's faults as a client sees them, and as the server behind it does.
func TestFaults(t *testing.T) {
	var acted atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acted.Add(1)
		_, _ = io.WriteString(w, "done")
	}))
	defer backend.Close()
	p := New(t, backend.URL)
	call := func(body string) (int, string, error) {
		req, _ := http.NewRequest(http.MethodPost, p.URL+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.UpdateItem")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	p.Add("UpdateItem", Times(2, Throttled)...)
	p.Add("UpdateItem", Fault{Lose: true, When: []string{"commit"}})
	for i := range 2 {
		if status, body, err := call("lock"); err != nil || status != 400 || !strings.Contains(body, "ThrottlingException") {
			t.Errorf("call %d: %d %q %v", i+1, status, body, err)
		}
	}
	if status, body, err := call("lock"); err != nil || status != 200 || body != "done" {
		t.Errorf("a request the lost answer's When does not match: %d %q %v", status, body, err)
	}
	if _, _, err := call("commit"); err == nil {
		t.Error("a lost answer arrived")
	}
	if acted.Load() != 2 || p.Pending() != 0 || p.Seen("UpdateItem") != 4 {
		t.Errorf("the server acted %d times (want 2: the passed request and the lost one), %d faults left, %d seen", acted.Load(), p.Pending(), p.Seen("UpdateItem"))
	}
}
