package relay

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// BenchmarkParseRender measures the relay's own work per event: decode the SNS event, parse the
// alarm, render the payload. Delivery is network time and is measured by scripts/bench.
func BenchmarkParseRender(b *testing.B) {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		b.Fatal(err)
	}
	for _, fixture := range []string{"latency-alarm", "metric-math", "composite", "escaping"} {
		data, err := os.ReadFile("../../testdata/" + fixture + ".json")
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range render.Messengers {
			b.Run(fixture+"/"+string(m), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					var ev alarm.Event
					if err := json.Unmarshal(data, &ev); err != nil {
						b.Fatal(err)
					}
					ns, err := alarm.Parse(ev)
					if err != nil {
						b.Fatal(err)
					}
					for _, n := range ns {
						if _, err := render.Render(m, n, render.Options{Location: loc}); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}
