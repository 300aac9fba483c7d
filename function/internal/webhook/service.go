package webhook

import (
	"net/url"
	"strings"
)

// maxServiceWord is the longest first path segment Service keeps ("workflows" is 9).
const maxServiceWord = 12

// Service is Origin with the path's first segment when that is a plain lower-case word:
// /services (Slack's incoming webhooks), /triggers or /workflows (Slack's workflow webhooks),
// which answer a delivered post differently. It is for choosing the judge of the answers; a
// segment that is not a short word may be part of the secret (a gateway's token) and is left out,
// as are the rest of the path and the query.
func (u URL) Service() *url.URL {
	o := u.Origin()
	if u.u == nil {
		return o
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(u.u.Path, "/"), "/")
	if first != "" && len(first) <= maxServiceWord && strings.Trim(first, "abcdefghijklmnopqrstuvwxyz") == "" {
		o.Path = "/" + first
	}
	return o
}
