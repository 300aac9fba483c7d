package slackapi

import (
	"errors"
	"maps"
	"slices"
	"testing"
)

// The table's flags are what the callers ask: pinned here, so that an entry added or changed
// says what it does to them.
func TestCodes(t *testing.T) {
	having := func(is func(string) bool) []string {
		var out []string
		for c := range maps.Keys(codes) {
			if is(c) {
				out = append(out, c)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, tt := range []struct {
		name string
		is   func(string) bool
		want []string
	}{
		{"message gone", func(c string) bool { return errors.Is(&Error{Code: c}, ErrMessageGone) }, []string{"cant_update_message", "edit_window_closed", "message_not_found", "thread_not_found"}},
		{"channel unusable", func(c string) bool { return errors.Is(&Error{Code: c}, ErrChannelUnusable) }, []string{"channel_not_found", "is_archived", "not_in_channel"}},
		{"nowhere to look", func(c string) bool { return codes[c].nowhere }, []string{"channel_not_found", "is_archived", "not_in_channel", "thread_not_found"}},
		{"no history scope", func(c string) bool { return codes[c].noHistory }, []string{"missing_scope", "not_allowed_token_type"}},
		{"rate limited", RateLimited, []string{"rate_limited", "ratelimited"}},
		{"retry later", RetryLater, []string{"fatal_error", "internal_error", "rate_limited", "ratelimited", "request_timeout", "service_unavailable"}},
	} {
		if got := having(tt.is); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	for c, k := range codes {
		if k.retry && (k.hint != "" || k.gone || k.unusable) {
			t.Errorf("%s: retried, yet permanent by its other flags: %+v", c, k)
		}
	}
}
