// Package faultproxy is a test proxy in front of a local server (moto_server, a scripted Slack)
// that injects the faults a client must survive: a request answered with an error (throttled) N
// times, a request carried out and its answer lost (the connection dropped after the server
// acted), and a request carried out whose answer never comes until the client gives up. Faults
// are scripted per operation: the X-Amz-Target's operation (UpdateItem, GetItem…) for AWS's JSON
// protocol, else the URL path's last element (chat.postMessage).
package faultproxy

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Fault is what happens to one request of an operation.
type Fault struct {
	// Status and Body answer the request without passing it on (e.g. 400 and DynamoDB's
	// ThrottlingException).
	Status int
	Body   string
	// Lose passes the request on, then drops the connection instead of answering.
	Lose bool
	// Hang passes the request on, then answers nothing until the client gives up.
	Hang bool
	// When limits the fault to requests whose body contains all of these strings; others pass
	// and leave it queued. A Fault with nothing else set passes the request it meets.
	When []string
}

// Throttled is DynamoDB's answer to a throttled request.
var Throttled = Fault{Status: 400, Body: `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}`}

// Proxy forwards to a target and injects scripted faults.
type Proxy struct {
	URL string

	mu     sync.Mutex
	faults map[string][]Fault
	seen   map[string]int
	proxy  *httputil.ReverseProxy
}

// New starts a proxy to target (a base URL); it stops with the test.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{faults: map[string][]Fault{}, seen: map[string]int{}, proxy: httputil.NewSingleHostReverseProxy(u)}
	p.proxy.ErrorLog = log.New(io.Discard, "", 0) // the drops are the point, not news
	p.proxy.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) {
		// The server dropped the connection (its own scripted fault): so does the proxy.
		drop(w)
	}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// Add scripts faults for the next requests of op, in order.
func (p *Proxy) Add(op string, faults ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[op] = append(p.faults[op], faults...)
}

// Times repeats a fault n times.
func Times(n int, f Fault) []Fault {
	out := make([]Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// Seen counts the requests of op so far.
func (p *Proxy) Seen(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[op]
}

// Pending reports how many scripted faults are still to come.
func (p *Proxy) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, f := range p.faults {
		n += len(f)
	}
	return n
}

func operation(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndex(t, ".")+1:]
	}
	return r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	op := operation(r)
	p.mu.Lock()
	p.seen[op]++
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var f *Fault
	q := p.faults[op]
	for i := range q {
		if matches(q[i], string(body)) {
			f = &q[i]
			p.faults[op] = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	p.mu.Unlock()
	switch {
	case f == nil || f.Status == 0 && !f.Lose && !f.Hang:
		p.proxy.ServeHTTP(w, r)
	case f.Lose || f.Hang:
		p.proxy.ServeHTTP(httptest.NewRecorder(), r)
		if f.Hang {
			<-r.Context().Done() // the client gave up: its deadline, not a sleep, ends this
		}
		drop(w)
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
	}
}

func matches(f Fault, body string) bool {
	for _, w := range f.When {
		if !strings.Contains(body, w) {
			return false
		}
	}
	return true
}

// Clear drops the faults still scripted.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.faults)
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}
