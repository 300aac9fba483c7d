package lifecycle

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
)

// BenchmarkResolvedRootUpdate measures a Slack app's heaviest encoding path: an alarm's OK
// rendered, given the incident's status line and sent as chat.update, through a transport that
// answers at once (no network: the client's own work only).
func BenchmarkResolvedRootUpdate(b *testing.B) {
	raw, err := os.ReadFile("../../testdata/latency-ok.json")
	if err != nil {
		b.Fatal(err)
	}
	var ev alarm.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		b.Fatal(err)
	}
	ns, err := alarm.Parse(ev)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := slackapi.ParseToken(token)
	if err != nil {
		b.Fatal(err)
	}
	judge, err := render.JudgeFor(render.SlackApp)
	if err != nil {
		b.Fatal(err)
	}
	client, err := slackapi.New(func(string) string { return "https://slack.example/api/" }, tok, judge, &http.Client{Transport: answerOK{}})
	if err != nil {
		b.Fatal(err)
	}
	lines := render.NewIncidentLines(render.English, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p, err := render.Build(render.SlackApp, ns[0], render.Options{})
		if err != nil {
			b.Fatal(err)
		}
		m, _ := p.Slack()
		root := withContext(m, lines.ResolvedStatus(14*time.Minute))
		if _, err := client.UpdateMessage(ctx, slackapi.Message{Channel: channel, TS: "1.1", Payload: &root}); err != nil {
			b.Fatal(err)
		}
	}
}

// answerOK answers every request as Slack answers a good chat.update.
type answerOK struct{}

func (answerOK) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"ok":true,"channel":"C0123ABCDEF","ts":"1.1"}`)), Request: r}, nil
}
