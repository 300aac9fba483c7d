package replay

import (
	"net/http"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
)

// Queue URLs as users paste them: each either passes or gets an error that names the problem and
// the form expected.
func TestCheckQueueURLSaysWhatIsWrong(t *testing.T) {
	tests := []struct {
		raw  string
		says string // "" when the URL is good
	}{
		{"https://sqs.us-east-1.amazonaws.com/123456789012/q", ""},
		{"http://localhost:4566/000000000000/q", ""},
		{"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", ""},
		{"https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo", ""},
		{"https://sqs.us-east-1.amazonaws.com/123456789012/q/", "ends in /"},
		{"https://sqs.us-east-1.amazonaws.com/123456789012/q?Action=ReceiveMessage", "query"},
		{"https://sqs.us-east-1.amazonaws.com/123456789012/q#x", "fragment"},
		{"https://sqs.us-east-1.amazonaws.com//q", "/ACCOUNT/QUEUE_NAME"},
		{"garbage", "is not an SQS queue URL"},
		{"", "is not an SQS queue URL"},
		{"https://sqs.us-east-1.amazonaws.com/123456789012", "/ACCOUNT/QUEUE_NAME"},
	}
	for _, tt := range tests {
		err := CheckQueueURL(tt.raw)
		switch {
		case tt.says == "" && err != nil:
			t.Errorf("CheckQueueURL(%q) = %v, want it accepted", tt.raw, err)
		case tt.says != "" && (err == nil || !strings.Contains(err.Error(), tt.says)):
			t.Errorf("CheckQueueURL(%q) = %v, want an error saying %q", tt.raw, err, tt.says)
		}
	}
}

// A queue URL on this machine (LocalStack's http://localhost:4566/000000000000/q, moto's) is
// called there, not at AWS's regional endpoint, when no endpoint override is set; signed for
// AWS_REGION. An unknown host elsewhere is still not called with the credentials.
func TestLoopbackQueueIsCalledWhereItsURLSays(t *testing.T) {
	c := &Client{envRegion: "us-east-1", http: http.DefaultClient, apis: map[string]*awsapi.Client{}}
	for queueURL, want := range map[string]string{
		"http://localhost:4566/000000000000/q":               "http://localhost:4566",
		"http://127.0.0.1:5000/123456789012/q":               "http://127.0.0.1:5000",
		"https://sqs.eu-west-1.amazonaws.com/123456789012/q": "https://sqs.eu-west-1.amazonaws.com",
		"https://queue.example.com/123456789012/q":           "https://sqs.us-east-1.amazonaws.com",
	} {
		api, err := c.api(queueURL)
		if err != nil {
			t.Fatalf("%s: %v", queueURL, err)
		}
		if api.Endpoint != want {
			t.Errorf("%s: called at %s, want %s", queueURL, api.Endpoint, want)
		}
	}
}

func TestQueueLocationSovereignCloud(t *testing.T) {
	region, endpoint := queueLocation("https://sqs.eusc-de-east-1.amazonaws.eu/123456789012/q")
	if region != "eusc-de-east-1" || endpoint != "https://sqs.eusc-de-east-1.amazonaws.eu" {
		t.Errorf("queueLocation = %q, %q; want eusc-de-east-1 at its own host", region, endpoint)
	}
}
