package wiring

import (
	"testing"

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

func TestMain(m *testing.M) { testsupport.Main(m) }
