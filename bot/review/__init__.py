"""What managers see: reports and their formats, charts, the digest and its schedule, one-click fixes."""
