package stormtest

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MemSQS is SQS in memory behind SQS's JSON protocol, for storms bigger than moto_server keeps up
// with on a shared machine (moto scans every message on each receive, and its long poll waits the
// whole wait time: a receive from a queue of 1,000 takes about a second there, 10-20 ms in SQS).
// It keeps what the storm harness relies on, as SQS documents it: a standard queue's
// at-least-once receive with a visibility timeout, receive counts and the redrive to a
// dead-letter queue after maxReceiveCount, long polls that return as soon as messages are
// visible, and approximate counts. Everything else is refused with an error naming it.
type MemSQS struct {
	mu     sync.Mutex
	queues map[string]*memQueue // by URL
	seq    int
	wake   chan struct{} // closed and replaced on every send
}

type memQueue struct {
	name, arn  string
	visibility time.Duration
	dlq        *memQueue
	maxRecv    int
	messages   []*memMessage
}

type memMessage struct {
	id, body, receipt string
	sent              time.Time
	visibleAt         time.Time
	receives          int
}

// NewMemSQS is an empty SQS.
func NewMemSQS() *MemSQS { return &MemSQS{queues: map[string]*memQueue{}, wake: make(chan struct{})} }

func (s *MemSQS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	var in map[string]json.RawMessage
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &in); err != nil {
		memError(w, "InvalidParameterValue", err.Error())
		return
	}
	str := func(k string) string { var v string; _ = json.Unmarshal(in[k], &v); return v }
	num := func(k string) int { var v int; _ = json.Unmarshal(in[k], &v); return v }
	if op == "ReceiveMessage" {
		s.receive(w, str("QueueUrl"), max(1, min(10, num("MaxNumberOfMessages"))), time.Duration(num("WaitTimeSeconds"))*time.Second)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out any
	switch op {
	case "CreateQueue":
		out = s.create(str("QueueName"), in["Attributes"])
	case "SendMessage":
		q := s.queues[str("QueueUrl")]
		if q == nil {
			memError(w, "QueueDoesNotExist", "no queue "+str("QueueUrl"))
			return
		}
		s.seq++
		body := str("MessageBody")
		m := &memMessage{id: fmt.Sprintf("mem-%06d", s.seq), body: body, sent: time.Now()}
		q.messages = append(q.messages, m)
		close(s.wake)
		s.wake = make(chan struct{})
		sum := md5.Sum([]byte(body))
		out = map[string]string{"MessageId": m.id, "MD5OfMessageBody": hex.EncodeToString(sum[:])}
	case "GetQueueAttributes":
		q := s.queues[str("QueueUrl")]
		if q == nil {
			memError(w, "QueueDoesNotExist", "no queue "+str("QueueUrl"))
			return
		}
		visible, hidden := 0, 0
		now := time.Now()
		for _, m := range q.messages {
			if now.Before(m.visibleAt) {
				hidden++
			} else {
				visible++
			}
		}
		out = map[string]any{"Attributes": map[string]string{"QueueArn": q.arn, "ApproximateNumberOfMessages": strconv.Itoa(visible),
			"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(hidden), "ApproximateNumberOfMessagesDelayed": "0"}}
	case "DeleteMessageBatch":
		q := s.queues[str("QueueUrl")]
		var entries []struct{ Id, ReceiptHandle string }
		_ = json.Unmarshal(in["Entries"], &entries)
		var ok []map[string]string
		for _, e := range entries {
			q.remove(e.ReceiptHandle)
			ok = append(ok, map[string]string{"Id": e.Id})
		}
		out = map[string]any{"Successful": ok, "Failed": []any{}}
	default:
		memError(w, "UnsupportedOperation", op+" is not in the storm harness's SQS")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

func (s *MemSQS) create(name string, rawAttrs json.RawMessage) map[string]string {
	var attrs map[string]string
	_ = json.Unmarshal(rawAttrs, &attrs)
	url := "http://sqs.local/123456789012/" + name
	q := &memQueue{name: name, arn: "arn:aws:sqs:us-east-1:123456789012:" + name, visibility: 30 * time.Second}
	if v, err := strconv.Atoi(attrs["VisibilityTimeout"]); err == nil {
		q.visibility = time.Duration(v) * time.Second
	}
	if rp := attrs["RedrivePolicy"]; rp != "" {
		var p struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     int    `json:"maxReceiveCount"`
		}
		_ = json.Unmarshal([]byte(rp), &p)
		for _, other := range s.queues {
			if other.arn == p.DeadLetterTargetArn {
				q.dlq, q.maxRecv = other, p.MaxReceiveCount
			}
		}
	}
	s.queues[url] = q
	return map[string]string{"QueueUrl": url}
}

func (q *memQueue) remove(receipt string) {
	for i, m := range q.messages {
		if m.receipt == receipt {
			q.messages = append(q.messages[:i], q.messages[i+1:]...)
			return
		}
	}
}

// receive hands out up to n visible messages, waiting up to wait for the first.
func (s *MemSQS) receive(w http.ResponseWriter, url string, n int, wait time.Duration) {
	deadline := time.Now().Add(wait)
	for {
		s.mu.Lock()
		q := s.queues[url]
		if q == nil {
			s.mu.Unlock()
			memError(w, "QueueDoesNotExist", "no queue "+url)
			return
		}
		now := time.Now()
		var out []map[string]any
		var kept []*memMessage
		for _, m := range q.messages {
			if len(out) < n && !now.Before(m.visibleAt) {
				if q.dlq != nil && m.receives >= q.maxRecv { // SQS moves it on the receive after the last
					q.dlq.messages = append(q.dlq.messages, &memMessage{id: m.id, body: m.body, sent: m.sent})
					continue
				}
				m.receives++
				s.seq++
				m.receipt = fmt.Sprintf("rh-%d", s.seq)
				m.visibleAt = now.Add(q.visibility)
				out = append(out, map[string]any{"MessageId": m.id, "ReceiptHandle": m.receipt, "Body": m.body, "Attributes": map[string]string{
					"SentTimestamp": strconv.FormatInt(m.sent.UnixMilli(), 10), "ApproximateReceiveCount": strconv.Itoa(m.receives)}})
			}
			kept = append(kept, m)
		}
		q.messages = kept
		wake := s.wake
		s.mu.Unlock()
		if len(out) > 0 || !time.Now().Before(deadline) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			_ = json.NewEncoder(w).Encode(map[string]any{"Messages": out})
			return
		}
		select {
		case <-wake:
		case <-time.After(min(time.Until(deadline), 100*time.Millisecond)): // a message may turn visible again
		}
	}
}

func memError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + code, "message": msg})
}
