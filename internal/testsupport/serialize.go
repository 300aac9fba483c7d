package testsupport

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// Serialized returns an endpoint that forwards to endpoint one request at a time. moto_server
// evaluates DynamoDB condition expressions without a lock, so two concurrent conditional writes
// to one item can both succeed there; DynamoDB makes each write atomic. Tests of code that relies
// on that (an incident's lock) put this in front of moto so that it behaves like DynamoDB.
func Serialized(t testing.TB, endpoint string) string {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
