package settings

import (
	"strconv"
	"strings"
)

// RegionKey is the AWS provider's region key in the stack configuration.
const RegionKey = "aws:region"

// region is the stack's aws:region. Without it the provider takes the region of whoever runs
// `pulumi up` (AWS_REGION, AWS_DEFAULT_REGION or the profile: pulumi-aws's provider configuration,
// "region ... can be sourced from the AWS_REGION or AWS_DEFAULT_REGION environment variables"),
// and an alarm created in another region than its API's just stays OK. So the stack must name it.
func (r *reader) region() string {
	v, _ := r.src.GetConfig(RegionKey)
	v = strings.TrimSpace(v)
	if v == "" {
		r.fail(RegionKey, "not set: the stack would deploy to whatever region the caller's AWS_REGION or profile names. Name the API's region: pulumi config set aws:region ap-northeast-2")
	}
	return v
}

// Lambda's concurrency rules the provider does not check: "Lambda requires at least 100 units of
// unreserved concurrency in your account" and a new account's default concurrency quota is 1,000
// (Lambda Developer Guide, "Configuring reserved concurrency" and "Lambda quotas"). So at most 900
// can be reserved in a default account, by all its functions together.
const (
	defaultAccountConcurrency = 1000
	unreservedConcurrency     = 100
	reservableConcurrency     = defaultAccountConcurrency - unreservedConcurrency
)

// concurrency checks reservedConcurrency over every relay function of the stack: the value is
// per function, and the stack makes one function per destination.
func (r *reader) concurrency(s *Settings) {
	n := len(s.Destinations)
	if s.ReservedConcurrency <= 0 || n == 0 {
		return
	}
	if s.ReservedConcurrency > reservableConcurrency/n { // divided, not multiplied: no overflow
		r.fail("reservedConcurrency", "%d is reserved for each relay function, and the stack makes %d (one per destination): %s in all. An account with Lambda's default quota (%d) must keep %d unreserved, so all its functions together may reserve %d at most: use %d or less (less what other functions of the account reserve), or -1 for no reservation",
			s.ReservedConcurrency, n, totalWords(s.ReservedConcurrency, n), defaultAccountConcurrency, unreservedConcurrency, reservableConcurrency, reservableConcurrency/n)
	}
}

func totalWords(each, n int) string {
	if each > reservableConcurrency { // a product that could overflow is not worth printing
		return "more than " + itoa(reservableConcurrency)
	}
	return itoa(each * n)
}

func itoa(n int) string { return strconv.Itoa(n) }
