package awsapi

import "testing"

func TestEndpointOverride(t *testing.T) {
	all := env(map[string]string{"AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:1", "AWS_ENDPOINT_URL": "http://127.0.0.1:2"})
	if got := SSM.EndpointOverride(all); got != "http://127.0.0.1:1" {
		t.Errorf("SSM endpoint %q, want the service's own override", got)
	}
	if got := CloudWatch.EndpointOverride(all); got != "http://127.0.0.1:2" {
		t.Errorf("CloudWatch endpoint %q, want the general override", got)
	}
	if got := SSM.EndpointOverride(env(nil)); got != "" {
		t.Errorf("endpoint %q without overrides", got)
	}
}

func TestLoadEnv(t *testing.T) {
	e, err := LoadEnv(env(map[string]string{"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_SESSION_TOKEN": "c"}))
	if err != nil || e.Region != "eu-west-1" {
		t.Fatalf("Load = %+v, %v", e, err)
	}
	creds, err := e.Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID != "a" || creds.SecretAccessKey != "b" || creds.SessionToken != "c" {
		t.Errorf("credentials %+v, %v", creds, err)
	}
	for _, missing := range []map[string]string{
		{"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"},
		{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a"},
	} {
		if _, err := LoadEnv(env(missing)); err == nil {
			t.Errorf("LoadEnv(%v) passed", missing)
		}
	}
}

func TestDNSSuffix(t *testing.T) {
	for _, tt := range []struct{ region, partition, want string }{
		{"us-east-1", "", "amazonaws.com"},
		{"us-east-1", "aws", "amazonaws.com"},
		{"cn-north-1", "", "amazonaws.com.cn"},
		{"us-gov-west-1", "", "amazonaws.com"},
		{"eusc-de-east-1", "", "amazonaws.eu"},
		{"us-iso-east-1", "", "c2s.ic.gov"},
		{"us-isob-east-1", "", "sc2s.sgov.gov"},
		{"us-isof-south-1", "", "csp.hci.ic.gov"},
		{"eu-isoe-west-1", "", "cloud.adc-e.uk"},
		{"cn-north-1", "aws-cn", "amazonaws.com.cn"},
	} {
		if got, err := DNSSuffix(tt.region, tt.partition); got != tt.want || err != nil {
			t.Errorf("DNSSuffix(%q, %q) = %q, %v; want %q", tt.region, tt.partition, got, err, tt.want)
		}
	}
	if _, err := DNSSuffix("x-1", "aws-mars"); err == nil || err.Error() != `unknown AWS partition "aws-mars"` {
		t.Errorf("unknown partition: %v", err)
	}
}
