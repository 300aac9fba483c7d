package ssmparam

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestNewReaderNeedsRegionAndCredentials(t *testing.T) {
	tests := []struct {
		env    map[string]string
		errHas string
	}{
		{map[string]string{"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}, "AWS_REGION is not set"},
		{map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a"}, "AWS credentials are not set"},
		{map[string]string{"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}, ""},
	}
	for _, tt := range tests {
		_, err := newReader(env(tt.env))
		if (tt.errHas == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.errHas) {
			t.Errorf("env %v: err = %v, want %q", tt.env, err, tt.errHas)
		}
	}
}
