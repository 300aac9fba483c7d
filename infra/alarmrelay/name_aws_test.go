package alarmrelay

import (
	"errors"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestNameIsUsableInAWSNames: a name the queues, topics and roles named after it could not carry
// (SQS and SNS take letters, digits, '-' and '_') is refused by New, not by AWS at deployment.
func TestNameIsUsableInAWSNames(t *testing.T) {
	for name, ok := range map[string]bool{
		"orders-alerts": true, "Orders_Alerts2": true, "alarm-relay": true,
		"orders alerts": false, "orders/alerts": false, "orders.alerts": false, "주문-alerts": false, "orders-alerts\n": false,
	} {
		var got error
		_, err := run(t, func(ctx *pulumi.Context) error {
			_, got = New(ctx, name, &Args{APIName: pulumi.String("orders-api"), WebhookURL: secretOf(hook), RelayZip: zip(t)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var invalid *Error
		refused := errors.As(got, &invalid) && len(invalid.Problems) == 1 && invalid.Problems[0].Field == "name"
		if refused == ok || ok && got != nil {
			t.Errorf("New(%q): %v; want refused: %v", name, got, !ok)
		}
	}
}
