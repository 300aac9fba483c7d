package slacktest

import "net/http"

// NewHandler is the scripted Slack without a test server, for a program that serves it itself
// (scripts/slackstandin): the caller listens, and URL stays empty.
func NewHandler(token string, channels ...string) *Server {
	s := &Server{Token: token, channels: map[string]bool{}, messages: map[string]*Message{}, failures: map[string][]Failure{}}
	for _, c := range channels {
		s.channels[c] = true
	}
	return s
}

// ServeHTTP answers one Web API call, as the test server does.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r) }
