"""support-coach: coaching for customer-support replies, in Slack and on the command line."""

__version__ = "0.1.0"
