// Package urlerr describes an HTTP client's error without the URL. Go's *url.Error prints the
// method and the whole URL: for a webhook or the Slack Web API's token-bearing calls that is a
// secret, for an AWS endpoint it repeats what the caller already says.
package urlerr

import (
	"errors"
	"fmt"
	"net/url"
)

// Strip returns the error inside err's *url.Error, saying "timed out" when it was a timeout; an
// error without one is returned as it is. The result still wraps the inner error (errors.Is
// finds context.DeadlineExceeded in it).
func Strip(err error) error {
	var uerr *url.Error
	if !errors.As(err, &uerr) {
		return err
	}
	if uerr.Timeout() {
		return fmt.Errorf("timed out: %w", uerr.Err)
	}
	return uerr.Err
}
