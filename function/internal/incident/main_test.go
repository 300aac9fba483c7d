package incident

import (
	"testing"

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// TestMain reports the tests skipped for a missing moto_server.
func TestMain(m *testing.M) { testsupport.Main(m) }
