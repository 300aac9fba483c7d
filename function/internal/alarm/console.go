package alarm

// ConsoleURL is the CloudWatch console's link to an alarm, as a notification's ConsoleURL (empty
// when the partition is not a known one): for an alarm known only by its ARN and name.
func ConsoleURL(partition, region, name string) string { return consoleURL(partition, region, name) }
