"""Reading Slack exports and scanning their history."""
