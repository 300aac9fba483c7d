package replay

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// queueHost is an SQS queue URL's host that names its region:
//   - sqs.<region>.<suffix> and sqs-fips.<region>.<suffix> (today's form),
//   - <region>.queue.amazonaws.com (the legacy form, still in old stacks and consoles),
//   - vpce-….sqs.<region>.vpce.amazonaws.com (an interface VPC endpoint).
//
// Compiled on first use: the package is linked into the Lambda bootstrap, whose cold start
// should not pay for a command that only runs locally.
var queueHost = sync.OnceValue(func() []queueHostForm {
	return []queueHostForm{
		{regexp.MustCompile(`^sqs(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.(?:com|com\.cn|eu)$`), false},
		{regexp.MustCompile(`^(?:[a-z0-9-]+\.)+sqs\.([a-z]{2}(?:-[a-z]+)+-\d+)\.vpce\.amazonaws\.(?:com|com\.cn|eu)$`), false},
		{regexp.MustCompile(`^([a-z]{2}(?:-[a-z]+)+-\d+)\.queue\.amazonaws\.(?:com|com\.cn)$`), true},
	}
})

type queueHostForm struct {
	re *regexp.Regexp
	// legacy hosts are called at sqs.<region>.<suffix>; the others at the queue URL's own host
	legacy bool
}

// queueLocation is where a queue URL says its queue lives: its region, and the endpoint to call
// ("" to build it from the region). Both are "" for a host that names no region (a local
// emulator, a proxy): then the environment decides.
func queueLocation(queueURL string) (region, endpoint string) {
	u, err := url.Parse(queueURL)
	if err != nil {
		return "", ""
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for _, h := range queueHost() {
		m := h.re.FindStringSubmatch(host)
		if m == nil {
			continue
		}
		if h.legacy {
			return m[1], ""
		}
		return m[1], "https://" + host
	}
	return "", ""
}
